export interface Captured<T> {
  result?: T;
  error?: unknown;
  text: string;
}

/** What `fn` writes to a process stream (the logger writes stderr off a runner), and its outcome. */
export async function captureWrites<T>(
  stream: NodeJS.WriteStream,
  fn: () => Promise<T>,
): Promise<Captured<T>> {
  const chunks: string[] = [];
  const original = stream.write;
  stream.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof stream.write;
  try {
    return { result: await fn(), text: chunks.join('') };
  } catch (error) {
    return { error, text: chunks.join('') };
  } finally {
    stream.write = original;
  }
}
