/** Swaps `stream.write` for a recorder while `fn` runs; restores it in every case. */
async function recording<T>(
  stream: NodeJS.WriteStream,
  fn: () => Promise<T>,
): Promise<{ outcome: PromiseSettledResult<T>; text: string }> {
  const chunks: string[] = [];
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof stream.write;
  try {
    const outcome = await fn().then(
      (value): PromiseFulfilledResult<T> => ({ status: 'fulfilled', value }),
      (reason: unknown): PromiseRejectedResult => ({ status: 'rejected', reason }),
    );
    return { outcome, text: chunks.join('') };
  } finally {
    stream.write = original;
  }
}

/**
 * What `fn` writes to a process stream (the logger writes stderr off a runner), and its result.
 * A failure of `fn` is thrown as is, so a failing step reads as its own error.
 */
export async function captureWrites<T>(
  stream: NodeJS.WriteStream,
  fn: () => Promise<T>,
): Promise<{ result: T; text: string }> {
  const { outcome, text } = await recording(stream, fn);
  if (outcome.status === 'rejected') throw outcome.reason;
  return { result: outcome.value, text };
}

/** What `fn` writes, and the error it must reject with: a resolved `fn` fails the test. */
export async function captureRejection(
  stream: NodeJS.WriteStream,
  fn: () => Promise<unknown>,
): Promise<{ error: unknown; text: string }> {
  const { outcome, text } = await recording(stream, fn);
  if (outcome.status === 'fulfilled')
    throw new Error(
      `expected a rejection, but it resolved to ${JSON.stringify(outcome.value)?.slice(0, 300)}`,
    );
  return { error: outcome.reason, text };
}
