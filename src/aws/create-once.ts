import { messageOf } from '../errors.js';
import { log } from '../log.js';
import { retryWithBackoff, type RetryOptions } from '../retry.js';
import { isRetryableAwsError } from './errors.js';

/**
 * A remote write that creates something (a layer version, a statement) is never blindly
 * retried: AWS may have applied it and lost only the answer (a 500 after the write, a dropped
 * connection, a timeout). After every failed attempt `find` looks for what the write would have
 * created; found, it is the result; not found, the write is tried again when the failure is
 * retryable (no answer, 5xx, throttling), else the failure is thrown. Clients that make such
 * writes use SDK retries of 1 (see `writeClient` options), so this is the only retry loop.
 */
export interface CreateOnceOptions<T> {
  /** What is being created, for the log: "lsr-arm64 version in eu-west-1". */
  what: string;
  write: () => Promise<T>;
  find: () => Promise<T | undefined>;
  retry?: Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep'>;
}

export const CREATE_ATTEMPTS = 5;

/** The write failed and whether it created anything is unknown: trying again could duplicate. */
export class UnknownOutcomeError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'UnknownOutcomeError';
  }
}

export async function createOnce<T>(options: CreateOnceOptions<T>): Promise<T> {
  return retryWithBackoff(
    async () => {
      try {
        return await options.write();
      } catch (error) {
        let found: T | undefined;
        try {
          found = await options.find();
        } catch (lookupError) {
          throw new UnknownOutcomeError(
            `${messageOf(error)}; then looking for a ${options.what} that attempt may have created failed too (${messageOf(lookupError)}): run again, it finds and keeps what exists`,
            error,
          );
        }
        if (found !== undefined) {
          log.info(`${options.what}: the failed attempt had created it (${messageOf(error)})`);
          return found;
        }
        log.info(`${options.what}: not created by the failed attempt (${messageOf(error)})`);
        throw error;
      }
    },
    {
      attempts: CREATE_ATTEMPTS,
      baseMs: 500,
      maxMs: 5_000,
      ...options.retry,
      isRetryable: (error) => !(error instanceof UnknownOutcomeError) && isRetryableAwsError(error),
    },
  );
}
