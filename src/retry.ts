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

/** Full-jitter exponential backoff: a random pause up to min(maxMs, baseMs·2^(attempt−1)). */
export const backoffMs = (attempt: number, baseMs: number, maxMs: number): number =>
  Math.round(Math.random() * Math.min(maxMs, baseMs * 2 ** (attempt - 1)));

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
      const delayMs = backoffMs(attempt, baseMs, maxMs);
      onRetry?.(error, attempt, delayMs);
      await wait(delayMs);
    }
  }
}
