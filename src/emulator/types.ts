/** The emulator's public shapes, shared by the emulator, the sandbox and their callers. */

export interface EmulatorOptions {
  /** Default 'test_function'. */
  functionName?: string;
  /** Default '$LATEST'. */
  functionVersion?: string;
  /** Default 'us-east-1'. */
  region?: string;
  /** Default '123456789012'. */
  accountId?: string;
  /** Default 128. */
  memoryMb?: number;
  /** The function timeout; default 3 (Lambda's default). */
  timeoutSeconds?: number;
  /** Lambda Managed Instances: up to N invocations in flight at once. Unset: a classic sandbox. */
  maxConcurrency?: number;
  /** How /next replies are framed on the wire; default 'go'. */
  framing?: NextFraming;
}

/**
 * /next reply framing. 'go': as Go's net/http frames a body written without a length (RAPID):
 * Content-Length up to its 2048-byte buffer, else chunked, one chunk per write, keep-alive.
 * 'chunked': every body chunked in small pieces, with chunk extensions, a trailer and header names
 * in upper case. 'close': an HTTP/1.0 reply with no length, the body ending when the connection
 * closes. 'slow': the reply in several writes 20 ms apart. 'reset': each event's first delivery
 * is cut off mid-body by a reset; the next /next renders it again, as RAPID does.
 */
export type NextFraming = 'go' | 'chunked' | 'close' | 'slow' | 'reset';

export interface InvokeOptions {
  /** Default '{}'. */
  payload?: string | Buffer;
  /** JSON text → Lambda-Runtime-Client-Context. */
  clientContext?: string;
  /** JSON text → Lambda-Runtime-Cognito-Identity. */
  cognitoIdentity?: string;
  /** Default: a generated X-Ray header; null leaves Lambda-Runtime-Trace-Id out. */
  traceId?: string | null;
  /** → Lambda-Runtime-Aws-Tenant-Id. */
  tenantId?: string;
  /** true → a generated uuid; sent as Lambda-Runtime-Invocation-Id. Absent by default. */
  invocationId?: string | boolean;
  /** Default a random uuid. */
  requestId?: string;
}

export type InvocationStatus = 'success' | 'error' | 'timeout';
export type Headers = Record<string, string | string[] | undefined>;

export interface InvocationResult {
  requestId: string;
  status: InvocationStatus;
  /** The response body; for 'error' the error JSON the runtime sent (or a synthesized one). */
  payload: Buffer;
  /** Lambda-Runtime-Function-Error-Type sent, or 'Sandbox.Timedout', 'Function.ResponseSizeTooLarge'… */
  errorType?: string;
  contentType?: string;
  /** Lambda-Runtime-Function-Response-Mode: streaming was used. */
  streamed: boolean;
  /** For a streamed response that ended in an error trailer: the bytes streamed before it. */
  streamedPayload?: Buffer;
  /** Decoded request trailers of a streamed response (Error-Body base64-decoded). */
  trailers: Record<string, string>;
  /** Headers the runtime sent on its /response or /error. */
  requestHeaders: Headers;
  durationMs: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  /** The status answered; 0 while the request is still open (a /next waiting for an event). */
  status: number;
  body: Buffer;
}

export interface InitErrorReport {
  errorType?: string;
  payload: Buffer;
  headers: Headers;
}

export type FaultEndpoint = 'next' | 'response' | 'error' | 'init-error';
export type Fault = { endpoint: FaultEndpoint; status: number; body?: string; times?: number };

/** An invocation's result before its duration is known. */
export type Ending = Omit<InvocationResult, 'durationMs'>;
