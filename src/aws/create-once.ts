import { createOnce, type CreateOnceOptions } from '../create-once.js';
import { backoffMs } from '../retry.js';
import { timeScale, type AwsTuning } from './clients.js';
import { isRetryableAwsError } from './errors.js';

/** Attempts of an AWS write that creates something, unless the caller says otherwise. */
export const CREATE_ATTEMPTS = 5;

export type AwsCreateOptions<T> = Pick<CreateOnceOptions<T>, 'what' | 'write' | 'find'> &
  Partial<CreateOnceOptions<T>> & { tuning?: AwsTuning };

/**
 * {@link createOnce} with AWS's answers: no answer, a 5xx or a throttle may have been applied and
 * is looked for; a 4xx is AWS refusing before acting. Full-jitter backoff from 0.5 s to 5 s
 * (seconds of `tuning`).
 */
export const createOnAws = <T>({ tuning, ...options }: AwsCreateOptions<T>): Promise<T> =>
  createOnce({
    mayHaveApplied: isRetryableAwsError,
    attempts: CREATE_ATTEMPTS,
    delayMs: (failure) => backoffMs(failure, 500, 5_000) * timeScale(tuning),
    ...options,
  });
