/**
 * AWS errors that say what failed: the operation, the region, the HTTP status, the error code
 * and the request id, e.g.
 * `lambda:PublishLayerVersion in eu-west-1: HTTP 500 ServiceException (request id 1a2b…): …`.
 * One middleware adds that context to every error a client throws, so every step's errors read
 * the same, and retries decide on the same classification.
 */

interface SdkErrorShape {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string; extendedRequestId?: string };
  $response?: { statusCode?: number };
}

const shapeOf = (error: unknown): SdkErrorShape =>
  typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};

/** The HTTP status of an AWS answer, or undefined when none arrived (dropped, timed out). */
export const httpStatusOf = (error: unknown): number | undefined => {
  const shape = shapeOf(error);
  return shape.$metadata?.httpStatusCode ?? shape.$response?.statusCode;
};

/** True when `error` is the AWS error (exception) named one of `names`. */
export const isAwsError = (error: unknown, ...names: string[]): boolean =>
  error instanceof Error && names.includes(error.name);

const THROTTLING = /Throttl|TooManyRequests|RequestLimitExceeded|SlowDown|RequestThrottled/;

/**
 * True when trying again can succeed, and a write may have been applied: no answer at all
 * (connection dropped, timeout), a server error (5xx) or throttling. A 4xx answer is final: the
 * same request fails the same way. Missing credentials never reached AWS.
 */
export function isRetryableAwsError(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === undefined) return shapeOf(error).name !== 'CredentialsProviderError';
  return status >= 500 || status === 429 || THROTTLING.test(shapeOf(error).name ?? '');
}

/** `lambda:PublishLayerVersion in eu-west-1: HTTP 500 ServiceException (request id …)`. */
export function describeAwsFailure(operation: string, region: string, error: unknown): string {
  const shape = shapeOf(error);
  const status = httpStatusOf(error);
  const code = shape.name && shape.name !== 'Error' ? shape.name : (shape.code ?? 'Error');
  const requestId = shape.$metadata?.requestId;
  const answer =
    status === undefined ? `no HTTP response (${shape.code ?? code})` : `HTTP ${status} ${code}`;
  return `${operation} in ${region}: ${answer}${requestId ? ` (request id ${requestId})` : ''}`;
}

const DESCRIBED = Symbol('lsr.described');

/** Prefixes an error's message with {@link describeAwsFailure}, once. */
export function addAwsContext(operation: string, region: string, error: unknown): unknown {
  if (!(error instanceof Error) || (error as { [DESCRIBED]?: true })[DESCRIBED]) return error;
  const detail = error.message && error.message !== error.name ? `: ${error.message}` : '';
  error.message = `${describeAwsFailure(operation, region, error)}${detail}`;
  Object.defineProperty(error, DESCRIBED, { value: true });
  return error;
}

/**
 * Runs one AWS call and names it in its error as the client middleware does: for calls made
 * outside a wrapped client (a stubbed client in tests, a helper such as a waiter).
 */
export async function awsCall<T>(
  operation: string,
  region: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw addAwsContext(operation, region, error);
  }
}

/** The part of an SDK client this module needs (every v3 client has it). */
interface ClientWithStack {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string; override?: boolean },
    ): void;
  };
}

/**
 * Makes every error `client` throws (after the SDK's own retries) name the operation as IAM
 * does (`service:Operation`), the region, status, code and request id. Returns the client.
 */
export function withAwsErrorContext<C extends object>(
  client: C,
  service: string,
  region: string,
): C {
  (client as unknown as ClientWithStack).middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        const operation = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
        throw addAwsContext(operation, region, error);
      }
    },
    { step: 'initialize', name: 'lsrAwsErrorContext', override: true },
  );
  return client;
}
