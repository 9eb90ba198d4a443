/**
 * AWS errors that say what failed: the operation, the region, the HTTP status, the error code
 * and the request id, then AWS's message. Written as the one function the publish step shares.
 */

interface AwsErrorLike {
  name?: unknown;
  message?: unknown;
  Code?: unknown;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
}

/** `serverlessrepo:CreateApplication in eu-west-1: HTTP 500 InternalServerErrorException (request id …): message` */
export function describeAwsError(operation: string, region: string, error: unknown): string {
  const details = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorLike;
  const status = details.$metadata?.httpStatusCode;
  const code =
    typeof details.Code === 'string'
      ? details.Code
      : typeof details.name === 'string'
        ? details.name
        : 'Error';
  const requestId = details.$metadata?.requestId;
  const message = typeof details.message === 'string' ? details.message : String(error);
  return (
    `${operation} in ${region}: ${status ? `HTTP ${status}` : 'no HTTP answer'} ${code}` +
    `${requestId ? ` (request id ${requestId})` : ''}: ${message}`
  );
}

/**
 * A failed AWS call, its message from describeAwsError; it keeps the SDK error's name and
 * $metadata, so callers still branch on the exception (isAwsError) and the status.
 */
export class AwsCallError extends Error {
  readonly $metadata?: AwsErrorLike['$metadata'];

  constructor(operation: string, region: string, error: unknown) {
    super(describeAwsError(operation, region, error), { cause: error });
    const details = (typeof error === 'object' && error !== null ? error : {}) as AwsErrorLike;
    this.name = typeof details.name === 'string' ? details.name : 'Error';
    this.$metadata = details.$metadata;
  }
}

/** Runs one AWS call; a failure leaves as an AwsCallError naming operation and region. */
export async function awsCall<T>(
  operation: string,
  region: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw new AwsCallError(operation, region, error);
  }
}

/**
 * True when a failed write may have been applied: a 5xx, a throttle (harmless to look first), or
 * no HTTP answer at all (a dropped connection, a timeout). A 4xx is AWS refusing before acting.
 */
export function outcomeUnknown(error: unknown): boolean {
  const status = (error as AwsErrorLike | undefined)?.$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}
