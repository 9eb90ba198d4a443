import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { withAwsErrorContext } from '../aws/errors.js';

export { isAwsError } from '../aws/errors.js';

/**
 * SDK clients for one region. Adaptive retry mode paces calls when AWS throttles, which matters
 * when many regions publish at once. AWS_ENDPOINT_URL (or a service's AWS_ENDPOINT_URL_<SERVICE>)
 * is read by the SDK itself, so the whole step runs against a local endpoint such as moto.
 * Every client's errors name the operation, region, HTTP status, code and request id.
 */
export const MAX_ATTEMPTS = 8;

const retry = { retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS } as const;

/** For reads and idempotent writes: the SDK retries them. */
export const lambdaClient = (region: string): LambdaClient =>
  withAwsErrorContext(new LambdaClient({ region, ...retry }), 'lambda', region);

export const WRITE_TIMEOUT_MS = 300_000;

/**
 * For writes that create something (PublishLayerVersion, AddLayerVersionPermission): one attempt
 * per send, because a retry after a lost answer would create it twice; aws/create-once.ts
 * looks for what a failed attempt created before it tries again.
 */
export const lambdaWriteClient = (region: string): LambdaClient =>
  withAwsErrorContext(
    new LambdaClient({
      region,
      maxAttempts: 1,
      // An attempt that never answers counts as failed (then looked for), not as pending forever;
      // the limit leaves room for a 50 MB direct upload on a slow link.
      requestHandler: { connectionTimeout: 10_000, requestTimeout: WRITE_TIMEOUT_MS },
    }),
    'lambda',
    region,
  );

/** S3 PutObject to a fixed key is idempotent (a retry writes the same bytes): SDK retries stay. */
export const s3Client = (region: string): S3Client =>
  withAwsErrorContext(
    new S3Client({
      region,
      ...retry,
      // A local endpoint has no bucket subdomains (bucket.localhost does not resolve).
      forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3),
    }),
    's3',
    region,
  );
