import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';

/**
 * SDK clients for one region. Adaptive retry mode paces calls when AWS throttles, which matters
 * when many regions publish at once. AWS_ENDPOINT_URL (or a service's AWS_ENDPOINT_URL_<SERVICE>)
 * is read by the SDK itself, so the whole step runs against a local endpoint such as moto.
 */
export const MAX_ATTEMPTS = 8;

const retry = { retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS } as const;

export const lambdaClient = (region: string): LambdaClient =>
  new LambdaClient({ region, ...retry });

export const s3Client = (region: string): S3Client =>
  new S3Client({
    region,
    ...retry,
    // A local endpoint has no bucket subdomains (bucket.localhost does not resolve).
    forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3),
  });

/** True when `error` is the AWS error (exception) named `name`. */
export const isAwsError = (error: unknown, name: string): boolean =>
  error instanceof Error && error.name === name;
