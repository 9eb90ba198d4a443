import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { ServerlessApplicationRepositoryClient } from '@aws-sdk/client-serverlessapplicationrepository';
import { SSMClient } from '@aws-sdk/client-ssm';
import { withAwsErrorContext } from './errors.js';

/**
 * The SDK clients of every step, one region each. Adaptive retry mode paces calls when AWS
 * throttles, which matters when many regions run at once. AWS_ENDPOINT_URL (or a service's
 * AWS_ENDPOINT_URL_<SERVICE>) is read by the SDK itself, so a step runs against a local endpoint
 * such as moto unchanged. Every client's errors name the operation, region, HTTP status, code and
 * request id (aws/errors.ts).
 */
export const MAX_ATTEMPTS = 8;

const retrying = { retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS } as const;

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
export const lambdaClient = (region: string): LambdaClient =>
  withAwsErrorContext(new LambdaClient({ region, ...retrying }), 'lambda', region);

/** The limit leaves room for a 50 MB direct upload on a slow link. */
export const lambdaWriteClient = (region: string): LambdaClient =>
  withAwsErrorContext(
    new LambdaClient({ region, ...sendOnce(WRITE_TIMEOUT_MS) }),
    'lambda',
    region,
  );

/** S3 PutObject to a fixed key is idempotent (a retry writes the same bytes): SDK retries stay. */
export const s3Client = (region: string, env: NodeJS.ProcessEnv = process.env): S3Client =>
  withAwsErrorContext(
    new S3Client({
      region,
      ...retrying,
      // A local endpoint has no bucket subdomains (bucket.localhost does not resolve).
      forcePathStyle: Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_S3),
    }),
    's3',
    region,
  );

export const ssmClient = (region: string): SSMClient =>
  withAwsErrorContext(new SSMClient({ region, ...retrying }), 'ssm', region);

export const sarClient = (region: string): ServerlessApplicationRepositoryClient =>
  withAwsErrorContext(
    new ServerlessApplicationRepositoryClient({ region, ...retrying }),
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
