/** Options of {@link retryWithBackoff}; `sleep` is injectable so tests do not wait. */
export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
  isRetryable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

export const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` until it succeeds, a non-retryable error is thrown, or the attempts are spent.
 * Full-jitter exponential backoff, as aws-actions/configure-aws-credentials' retryAndBackoff.
 */
export async function retryWithBackoff<T>(
  fn: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const {
    attempts = 5,
    baseMs = 200,
    maxMs = 10_000,
    isRetryable = () => true,
    onRetry,
    sleep: wait = sleep,
  } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      if (attempt >= attempts || !isRetryable(error)) throw error;
      const delayMs = Math.round(Math.random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));
      onRetry?.(error, attempt, delayMs);
      await wait(delayMs);
    }
  }
}

/** Options of {@link createOnce}. */
export interface CreateOnceOptions<T> {
  /** One attempt of the write; its SDK or client must not retry it on its own. */
  attempt: () => Promise<T>;
  /** What a failed attempt may have created, or undefined when there is nothing. */
  look: () => Promise<T | undefined>;
  /** True when the failed attempt may have been applied (a 5xx, no answer at all). */
  outcomeUnknown: (error: unknown) => boolean;
  /** Attempts after the first (3). */
  retries?: number;
  /** The wait before looking after the nth failure (1, 2…). */
  delayMs: (retry: number) => number;
  onLook?: (error: unknown, retry: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Runs a write that creates something (a release, an asset, an application) so that it is never
 * blindly retried: after an attempt whose outcome is unknown, it waits, then asks `look` for what
 * that attempt may have created; what `look` finds is the result, else it tries again. Any
 * other failure, or the last one, is thrown.
 */
export async function createOnce<T>(options: CreateOnceOptions<T>): Promise<T> {
  const { retries = 3, sleep: wait = sleep } = options;
  for (let retry = 0; ; retry++) {
    try {
      return await options.attempt();
    } catch (error) {
      if (!options.outcomeUnknown(error) || retry >= retries) throw error;
      options.onLook?.(error, retry + 1);
      await wait(options.delayMs(retry + 1));
      const found = await options.look();
      if (found !== undefined) return found;
    }
  }
}
