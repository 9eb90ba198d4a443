import { newRequestId, newTraceId } from './ids.js';
import type { Ending, InvocationResult, InvokeOptions } from './types.js';

/** One queued or running invocation. */
export interface Invocation {
  requestId: string;
  invocationId?: string;
  payload: Buffer;
  /** The /next headers except the deadline, which is fixed on delivery. */
  headers: Record<string, string>;
  deadlineMs: number;
  timer?: NodeJS.Timeout;
  startedAt: number;
  resolve(result: InvocationResult): void;
  reject(error: Error): void;
}

/** A queued invocation with the /next headers Lambda would send for it. */
export function newInvocation(
  options: InvokeOptions,
  functionArn: string,
  resolve: (result: InvocationResult) => void,
  reject: (error: Error) => void,
): Invocation {
  const requestId = options.requestId ?? newRequestId();
  const invocationId =
    options.invocationId === true
      ? newRequestId()
      : typeof options.invocationId === 'string'
        ? options.invocationId
        : undefined;
  const traceId = options.traceId === undefined ? newTraceId() : options.traceId;
  const headers: Record<string, string> = {};
  // Like the RIE, send only the headers that have a value.
  const set = (name: string, value: string | null | undefined): void => {
    if (value) headers[name] = value;
  };
  set('Lambda-Runtime-Aws-Request-Id', requestId);
  set('Lambda-Runtime-Invoked-Function-Arn', functionArn);
  set('Lambda-Runtime-Trace-Id', traceId);
  set('Lambda-Runtime-Client-Context', options.clientContext);
  set('Lambda-Runtime-Cognito-Identity', options.cognitoIdentity);
  set('Lambda-Runtime-Aws-Tenant-Id', options.tenantId);
  set('Lambda-Runtime-Invocation-Id', invocationId);
  const payload = options.payload ?? '{}';
  return {
    requestId,
    invocationId,
    payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
    headers,
    deadlineMs: 0,
    startedAt: performance.now(),
    resolve,
    reject,
  };
}

/** An invocation that ended without a response: an error, or a timeout for Sandbox.Timedout. */
export const errorEnding = (
  requestId: string,
  errorType: string,
  payload: Buffer | string,
  more: Partial<Ending> = {},
): Ending => ({
  requestId,
  status: errorType === 'Sandbox.Timedout' ? 'timeout' : 'error',
  errorType,
  payload: typeof payload === 'string' ? Buffer.from(payload) : payload,
  contentType: 'application/json',
  streamed: false,
  trailers: {},
  requestHeaders: {},
  ...more,
});

/** Lambda's timeout message: "<ISO date> <request id> Task timed out after 3.00 seconds". */
export const timeoutEnding = (requestId: string, what: string): Ending =>
  errorEnding(
    requestId,
    'Sandbox.Timedout',
    JSON.stringify({ errorMessage: `${new Date().toISOString()} ${requestId} ${what}` }),
  );
