import { LambdaClient } from '@aws-sdk/client-lambda';
import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * SDK clients of the canary, ssm and verify steps, one region each. Adaptive retry paces calls
 * when AWS throttles (many regions at once). The SDK reads AWS_ENDPOINT_URL itself, so a step runs
 * against a local endpoint such as moto unchanged.
 */
export const MAX_ATTEMPTS = 8;

const retrying = { retryMode: 'adaptive', maxAttempts: MAX_ATTEMPTS } as const;

export const lambdaClient = (region: string): LambdaClient =>
  new LambdaClient({ region, ...retrying });

/**
 * A client that sends each call once: for writes that create something (CreateFunction), where a
 * retry after a lost answer would create it twice. The caller looks for what it may have made.
 */
export const lambdaClientSingleAttempt = (region: string): LambdaClient =>
  new LambdaClient({ region, maxAttempts: 1 });

export const ssmClient = (region: string): SSMClient => new SSMClient({ region, ...retrying });

/** True when `error` is the AWS error (exception) named one of `names`. */
export const isAwsError = (error: unknown, ...names: string[]): boolean =>
  error instanceof Error && names.includes(error.name);

/** True when AWS (or the wire) failed, not the request: a 5xx, a throttle, a dropped connection. */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const meta = (error as { $metadata?: { httpStatusCode?: number } }).$metadata;
  const status = meta?.httpStatusCode;
  if (status === undefined) return error.name !== 'CredentialsProviderError';
  return status >= 500 || status === 429 || /Throttl|TooManyRequests/.test(error.name);
}
