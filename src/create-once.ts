import { messageOf } from './errors.js';
import { log } from './log.js';
import { sleep } from './retry.js';

/**
 * A remote write that creates something (a release, an asset, a layer version, an application,
 * a function) is never blindly retried: the service may have applied it and lost only the
 * answer (a 5xx after the write, a dropped connection, a timeout). After such a failure `find`
 * looks for what the attempt would have created; found, it is the result; not found, the write
 * is tried again while attempts remain. The write's own client must not retry it.
 */
export interface CreateOnceOptions<T> {
  /** What is being created, for the log and errors: "a lsr-arm64 version in eu-west-1". */
  what: string;
  /** One attempt (numbered from 1). */
  write: (attempt: number) => Promise<T>;
  /** What a failed attempt may have created, or undefined when there is nothing. */
  find: () => Promise<T | undefined>;
  /** True when a failed attempt may have been applied (a 5xx, no answer): `find` runs then. */
  mayHaveApplied: (error: unknown) => boolean;
  /**
   * True when the write was refused because what it creates is already there (made meanwhile by
   * a parallel run): `find` runs at once and what it finds is the result.
   */
  exists?: (error: unknown) => boolean;
  /** True when another attempt can succeed (default: `mayHaveApplied`). */
  retryable?: (error: unknown) => boolean;
  /** Attempts at most, the first included. */
  attempts: number;
  /** The pause after the nth failed attempt, before looking and trying again. */
  delayMs: (failure: number) => number;
  sleep?: (ms: number) => Promise<void>;
}

/** The write failed and whether it created anything is unknown: trying again could duplicate. */
export class UnknownOutcomeError extends Error {
  constructor(message: string, cause: unknown) {
    super(message, { cause });
    this.name = 'UnknownOutcomeError';
  }
}

export async function createOnce<T>(options: CreateOnceOptions<T>): Promise<T> {
  const { what, mayHaveApplied, retryable = mayHaveApplied, sleep: wait = sleep } = options;
  const look = async (error: unknown, why: string): Promise<T | undefined> => {
    try {
      return await options.find();
    } catch (lookupError) {
      throw new UnknownOutcomeError(
        `${messageOf(error)}; then looking for ${what} ${why} failed too (${messageOf(lookupError)}): run again, it finds and keeps what exists`,
        error,
      );
    }
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await options.write(attempt);
    } catch (error) {
      if (options.exists?.(error)) {
        log.info(`${what}: ${messageOf(error)}; looking for it`);
        const found = await look(error, 'that is already there');
        if (found === undefined) throw error;
        log.info(`${what}: made meanwhile by another run; keeping it`);
        return found;
      }
      const unknown = mayHaveApplied(error);
      const again = attempt < options.attempts && retryable(error);
      if (!unknown && !again) throw error;
      await wait(options.delayMs(attempt));
      if (unknown) {
        log.warning(
          `${messageOf(error)}; looking for ${what} that attempt may have created ` +
            `(attempt ${attempt} of ${options.attempts})`,
        );
        const found = await look(error, 'that attempt may have created');
        if (found !== undefined) {
          log.info(`${what}: the failed attempt had created it; keeping it`);
          return found;
        }
        if (!again) throw error;
        log.info(`${what}: not created by the failed attempt; trying again`);
      }
    }
  }
}
