import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { ServerlessApplicationRepositoryClient } from '@aws-sdk/client-serverlessapplicationrepository';
import { SSMClient } from '@aws-sdk/client-ssm';
import { AdaptiveRetryStrategy, DefaultRateLimiter, MAXIMUM_RETRY_DELAY } from '@smithy/core/retry';
import { withAwsErrorContext } from './errors.js';

/**
 * The SDK clients of every step, one region each. Adaptive retry mode paces calls when AWS
 * throttles, which matters when many regions run at once. AWS_ENDPOINT_URL (or a service's
 * AWS_ENDPOINT_URL_<SERVICE>) is read by the SDK itself, so a step runs against a local endpoint
 * such as moto unchanged. Every client's errors name the operation, region, HTTP status, code and
 * request id (aws/errors.ts).
 */
export const MAX_ATTEMPTS = 8;

/** Knobs for AWS's pacing; the defaults are the SDK's, tests shrink them. */
export interface AwsTuning {
  /**
   * Milliseconds per second (1000) of the SDK's retry back-off, of the adaptive limiter's
   * slowest pace after a throttle, and of the pause before a failed creating write is looked for.
   */
  msPerSecond?: number;
}

/** How much faster than real time `tuning` runs the pauses: 1 unless tests shrink them. */
export const timeScale = (tuning: AwsTuning = {}): number => (tuning.msPerSecond ?? 1000) / 1000;

/** The adaptive limiter's slowest pace after a throttle, in sends per second (the SDK's). */
const MIN_FILL_RATE = 0.5;

/**
 * The SDK's adaptive retry strategy (one per client: it holds the client's retry quota and
 * sending rate), its pauses scaled by `tuning`. The back-off is the SDK's own full jitter,
 * random up to min(20 s, base·2^retries), with the base (50 ms; 1 s for a throttle) it sets.
 */
function adaptiveRetries(tuning: AwsTuning | undefined): AdaptiveRetryStrategy {
  const scale = timeScale(tuning);
  let base = 0;
  return new AdaptiveRetryStrategy(MAX_ATTEMPTS, {
    maxAttempts: MAX_ATTEMPTS,
    backoff: {
      setDelayBase: (delayMs) => {
        base = delayMs;
      },
      computeNextBackoffDelay: (retries) =>
        Math.floor(Math.random() * Math.min(base * 2 ** retries, MAXIMUM_RETRY_DELAY) * scale),
    },
    rateLimiter: new DefaultRateLimiter({ minFillRate: MIN_FILL_RATE / scale }),
  });
}

const retrying = (tuning: AwsTuning | undefined) =>
  ({ maxAttempts: MAX_ATTEMPTS, retryStrategy: adaptiveRetries(tuning) }) as const;

/** How long a creating write may go unanswered before it counts as lost (then looked for). */
export const WRITE_TIMEOUT_MS = 300_000;

/**
 * For writes that create something (PublishLayerVersion, CreateFunction, CreateApplication):
 * one attempt per send, because a retry after a lost answer would create it twice; the caller
 * looks for what a failed attempt created before it tries again (create-once.ts).
 */
const sendOnce = (timeoutMs: number) =>
  ({
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 10_000, requestTimeout: timeoutMs },
  }) as const;

/** For reads and idempotent writes: the SDK retries them. */
export const lambdaClient = (region: string, tuning?: AwsTuning): LambdaClient =>
  withAwsErrorContext(new LambdaClient({ region, ...retrying(tuning) }), 'lambda', region);

/** The limit leaves room for a 50 MB direct upload on a slow link. */
export const lambdaWriteClient = (region: string): LambdaClient =>
  withAwsErrorContext(
    new LambdaClient({ region, ...sendOnce(WRITE_TIMEOUT_MS) }),
    'lambda',
    region,
  );

/** S3 PutObject to a fixed key is idempotent (a retry writes the same bytes): SDK retries stay. */
export const s3Client = (
  region: string,
  tuning?: AwsTuning,
  env: NodeJS.ProcessEnv = process.env,
): S3Client =>
  withAwsErrorContext(
    new S3Client({
      region,
      ...retrying(tuning),
      // A local endpoint has no bucket subdomains (bucket.localhost does not resolve).
      forcePathStyle: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3),
    }),
    's3',
    region,
  );

export const ssmClient = (region: string, tuning?: AwsTuning): SSMClient =>
  withAwsErrorContext(new SSMClient({ region, ...retrying(tuning) }), 'ssm', region);

/**
 * The SAR client is of an older SDK generation whose retry middleware cannot drive the strategy
 * above: it keeps that SDK's own adaptive retries, untuned (its tests stub the client).
 */
export const sarClient = (region: string): ServerlessApplicationRepositoryClient =>
  withAwsErrorContext(
    new ServerlessApplicationRepositoryClient({
      region,
      retryMode: 'adaptive',
      maxAttempts: MAX_ATTEMPTS,
    }),
    'serverlessrepo',
    region,
  );

/** CreateApplication(Version): sent once, a create left unanswered counts as lost. */
export const sarWriteClient = (
  region: string,
  timeoutMs: number,
): ServerlessApplicationRepositoryClient =>
  withAwsErrorContext(
    new ServerlessApplicationRepositoryClient({ region, ...sendOnce(timeoutMs) }),
    'serverlessrepo',
    region,
  );
