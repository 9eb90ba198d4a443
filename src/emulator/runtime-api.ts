/**
 * A local Lambda Runtime API (2018-06-01) on 127.0.0.1, faithful to RAPID as the AWS runtime
 * interface emulator runs it: the same endpoints, headers, status codes, limits and framing.
 */
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { errorBody, headerValue, readBody, send } from './http.js';
import { errorEnding, newInvocation, timeoutEnding, type Invocation } from './invocation.js';
import type {
  EmulatorOptions,
  Ending,
  Fault,
  FaultEndpoint,
  InitErrorReport,
  InvocationResult,
  InvokeOptions,
  NextFraming,
  RecordedRequest,
} from './types.js';

export type * from './types.js';

export const RUNTIME_API_BASE = '/2018-06-01';
/** Lambda's payload quota: 6 MB for an event and for a buffered response. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
/** What the RIE accepts on a buffered /response before it answers 413. */
export const MAX_RESPONSE_BYTES = MAX_PAYLOAD_BYTES + 100;
/** /error and /init/error bodies. */
export const MAX_ERROR_BYTES = 1024 * 1024;
/** A streamed response (current Lambda quota). */
export const MAX_STREAMED_BYTES = 200 * 1024 * 1024;
/**
 * Go's net/http (RAPID's server) buffers a handler's output in a bufio.Writer of
 * `const bufferBeforeChunkingSize = 2048` (golang/go src/net/http/server.go, checked at commit
 * 003dbc4c). A body that fits is still buffered when the handler returns, so chunkWriter.writeHeader
 * sets Content-Length to its size; a write past the buffer flushes it first, with no length known,
 * and an HTTP/1.1 reply is then framed `Transfer-Encoding: chunked` (a single write larger than the
 * empty buffer passes through as one chunk). So 2048 bytes get a Content-Length, 2049 are chunked.
 */
const CHUNKING_THRESHOLD = 2048;

interface WaitingNext {
  response: ServerResponse;
  record: RecordedRequest;
}

/** What an invocation ends as when a fault answers its /response or /error with these statuses. */
const FAULT_ERROR_TYPES: Record<number, string> = {
  410: 'Sandbox.Timedout',
  413: 'Function.ResponseSizeTooLarge',
};
const tooLargeBody = (limit: number): string =>
  errorBody('RequestEntityTooLarge', `Exceeded maximum allowed payload size (${limit} bytes).`);
const ACCEPTED = JSON.stringify({ status: 'OK' });
const ERROR_TYPE = 'lambda-runtime-function-error-type';
const ERROR_BODY = 'lambda-runtime-function-error-body';
const RESPONSE_MODE = 'lambda-runtime-function-response-mode';
const INVOCATION_ID = 'lambda-runtime-invocation-id';
const RESPONSE_PATH = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/;
const NEXT_PATH = `${RUNTIME_API_BASE}/runtime/invocation/next`;
const INIT_ERROR_PATH = `${RUNTIME_API_BASE}/runtime/init/error`;

export class RuntimeApiEmulator extends EventEmitter<{
  /** An invocation ran past its deadline (the sandbox kills the runtime on it). */
  timeout: [requestId: string];
}> {
  readonly requests: RecordedRequest[] = [];
  readonly functionArn: string;
  readonly timeoutSeconds: number;
  /** Under LMI, /next is answered to up to this many pollers at once; else 1. */
  readonly capacity: number;
  readonly managedInstances: boolean;
  readonly framing: NextFraming;

  private readonly queue: Invocation[] = [];
  private readonly inFlight = new Map<string, Invocation>();
  /** Ids answered or timed out: a late reply to a timed-out one is told so (410). */
  private readonly finished = new Map<string, 'answered' | 'timeout'>();
  private readonly waiting: WaitingNext[] = [];
  private readonly faults: (Fault & { times: number })[] = [];
  private readonly nextWatchers: { pollers: number; resolve: () => void }[] = [];
  private readonly sockets = new Set<Socket>();
  /** Invocations whose first delivery was cut off ('reset' framing). */
  private readonly cutOff = new Set<string>();
  private initReport?: InitErrorReport;
  /** The runtime has asked for its first event: init is over and /init/error is refused. */
  private initDone = false;
  private closed = false;

  private constructor(
    private readonly server: Server,
    options: EmulatorOptions,
  ) {
    super();
    const region = options.region ?? 'us-east-1';
    const account = options.accountId ?? '123456789012';
    this.functionArn = `arn:aws:lambda:${region}:${account}:function:${options.functionName ?? 'test_function'}`;
    this.timeoutSeconds = options.timeoutSeconds ?? 3;
    this.managedInstances = options.maxConcurrency !== undefined;
    this.capacity = Math.max(1, options.maxConcurrency ?? 1);
    this.framing = options.framing ?? 'go';
  }

  /** Starts listening on 127.0.0.1 on a free port. */
  static async start(options: EmulatorOptions = {}): Promise<RuntimeApiEmulator> {
    const server = createServer();
    // A /next may wait for an event forever, and a streamed body may take long: no server timeouts.
    server.requestTimeout = 0;
    server.headersTimeout = 0;
    server.keepAliveTimeout = 60_000;
    const emulator = new RuntimeApiEmulator(server, options);
    server.on('request', (request, response) => emulator.route(request, response));
    server.on('connection', (socket) => {
      emulator.sockets.add(socket);
      socket.on('close', () => emulator.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return emulator;
  }

  /** host:port, the AWS_LAMBDA_RUNTIME_API value. */
  get address(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `${address}:${port}`;
  }

  /** Queues an event; resolves when the runtime answered it, it timed out or init failed. */
  invoke(options: InvokeOptions = {}): Promise<InvocationResult> {
    if (this.closed) return Promise.reject(new Error('the Runtime API emulator is closed'));
    const result = new Promise<InvocationResult>((resolve, reject) => {
      const invocation = newInvocation(options, this.functionArn, resolve, reject);
      // Lambda's Invoke refuses such an event itself (413): the runtime never sees it.
      if (invocation.payload.length > MAX_PAYLOAD_BYTES) return this.refuseTooLarge(invocation);
      if (this.initReport) return this.finishWithInitError(invocation);
      this.queue.push(invocation);
      this.dispatch();
    });
    // Closing rejects what is still open; only a caller that awaits the result should see it.
    result.catch(() => undefined);
    return result;
  }

  /** Answers the next `times` (default 1) requests to `endpoint` with `status` instead. */
  injectFault(fault: Fault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  /** What the runtime posted to /init/error, if it did. */
  initError(): InitErrorReport | undefined {
    return this.initReport;
  }

  /**
   * Resolves as soon as a runtime is waiting on /next (init is done), or `pollers` of them at once
   * (every LMI worker of a runtime).
   */
  waitForNext(pollers = 1): Promise<void> {
    if (this.waiting.length >= pollers) return Promise.resolve();
    return new Promise((resolve) => this.nextWatchers.push({ pollers, resolve }));
  }

  /** Invocations queued, not yet handed to the runtime. */
  get queued(): number {
    return this.queue.length;
  }

  /** Invocations handed to the runtime and not answered yet. */
  get running(): number {
    return this.inFlight.size;
  }

  /** Whether the current runtime process finished init (asked for an event). */
  get initialized(): boolean {
    return this.initDone;
  }

  /**
   * A new execution environment (the sandbox restarted the runtime): the running invocations
   * end with `reason` (their runtime is gone) and init starts over.
   */
  resetEnvironment(reason: (requestId: string) => Ending): void {
    for (const invocation of [...this.inFlight.values()]) {
      this.settle(invocation, reason(invocation.requestId), 'answered');
    }
    for (const { response } of this.waiting.splice(0)) response.destroy();
    this.initDone = false;
  }

  /** Ends every queued invocation the same way (the runtime died before it could take them). */
  failQueued(reason: (requestId: string) => Ending): void {
    for (const invocation of this.queue.splice(0)) {
      this.settle(invocation, reason(invocation.requestId), 'answered');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('the Runtime API emulator was closed before the invocation ended');
    for (const invocation of [...this.queue.splice(0), ...this.inFlight.values()]) {
      clearTimeout(invocation.timer);
      invocation.reject(error);
    }
    this.inFlight.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- routing -------------------------------------------------------------------------------

  private route(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '').split('?')[0];
    const record: RecordedRequest = {
      method: request.method ?? '',
      path,
      headers: request.headers,
      status: 0,
      body: Buffer.alloc(0),
    };
    this.requests.push(record);
    const post = RESPONSE_PATH.exec(path);
    const known = post || path === INIT_ERROR_PATH ? 'POST' : path === NEXT_PATH ? 'GET' : '';
    if (known !== 'POST') request.resume();
    if (!known) {
      return this.reply(response, record, 404, '404 page not found\n', 'text/plain; charset=utf-8');
    }
    if (request.method !== known) {
      request.resume();
      return this.reply(response, record, 405, '');
    }
    if (known === 'GET') return this.next(response, record);
    const handled = !post
      ? this.postInitError(request, response, record)
      : post[2] === 'response'
        ? this.postResponse(request, response, record, safeDecode(post[1]))
        : this.postError(request, response, record, safeDecode(post[1]));
    // A client that goes away mid-body gets its socket closed; nothing else depends on it.
    handled.catch(() => response.destroy());
  }

  private reply(
    response: ServerResponse,
    record: RecordedRequest,
    status: number,
    body: string,
    contentType?: string,
  ): void {
    record.status = status;
    send(response, status, body, contentType);
  }

  /** Answers with an injected fault if one is armed for this endpoint. */
  private fault(
    endpoint: FaultEndpoint,
    response: ServerResponse,
    record: RecordedRequest,
  ): boolean {
    const index = this.faults.findIndex((fault) => fault.endpoint === endpoint);
    if (index < 0) return false;
    const fault = this.faults[index];
    if (--fault.times <= 0) this.faults.splice(index, 1);
    this.reply(
      response,
      record,
      fault.status,
      fault.body ?? errorBody(`InjectedFault${fault.status}`, `fault injected on ${endpoint}`),
    );
    return true;
  }

  // ---- GET /runtime/invocation/next ----------------------------------------------------------

  private next(response: ServerResponse, record: RecordedRequest): void {
    if (this.fault('next', response, record)) return;
    if (this.initReport) {
      return this.reply(
        response,
        record,
        403,
        errorBody('InvalidStateTransition', 'State transition from InitError to Ready failed'),
      );
    }
    this.initDone = true;
    // RAPID, outside LMI, renders the current event again to a second /next while it is running.
    const running = this.managedInstances ? undefined : this.inFlight.values().next().value;
    if (running) return this.deliver(running, response, record);
    this.waiting.push({ response, record });
    response.on('close', () => {
      const index = this.waiting.findIndex((waiter) => waiter.response === response);
      if (index >= 0) this.waiting.splice(index, 1);
    });
    for (const watcher of [...this.nextWatchers]) {
      if (this.waiting.length < watcher.pollers) continue;
      this.nextWatchers.splice(this.nextWatchers.indexOf(watcher), 1);
      watcher.resolve();
    }
    this.dispatch();
  }

  /** Hands queued events to waiting pollers while there is room. */
  private dispatch(): void {
    while (this.queue.length > 0 && this.waiting.length > 0 && this.inFlight.size < this.capacity) {
      const waiter = this.waiting.shift() as WaitingNext;
      if (waiter.response.destroyed) continue;
      const invocation = this.queue.shift() as Invocation;
      invocation.deadlineMs = Date.now() + this.timeoutSeconds * 1000;
      invocation.timer = setTimeout(() => this.timedOut(invocation), this.timeoutSeconds * 1000);
      this.inFlight.set(invocation.requestId, invocation);
      this.deliver(invocation, waiter.response, waiter.record);
    }
  }

  private deliver(invocation: Invocation, response: ServerResponse, record: RecordedRequest): void {
    const { payload } = invocation;
    const headers: Record<string, string | number> = {
      ...invocation.headers,
      'Lambda-Runtime-Deadline-Ms': String(invocation.deadlineMs),
      'Content-Type': 'application/json',
    };
    record.status = 200;
    if (this.framing !== 'go') return this.deliverRaw(invocation, headers, response);
    if (payload.length <= CHUNKING_THRESHOLD) {
      headers['Content-Length'] = payload.length;
      response.writeHead(200, headers);
      response.end(payload);
    } else {
      // No Content-Length: Node, like Go, frames the body with Transfer-Encoding: chunked.
      response.writeHead(200, headers);
      response.write(payload);
      response.end();
    }
  }

  /**
   * The /next reply written on the socket itself, for framings Node's http does not make; the
   * connection is closed after it, so no state is left for another request to trip on.
   */
  private deliverRaw(
    invocation: Invocation,
    headers: Record<string, string | number>,
    response: ServerResponse,
  ): void {
    const socket = response.socket as Socket;
    const pieces = rawPieces(this.framing, headers, invocation.payload);
    let resetAt: number | undefined;
    if (this.framing === 'reset' && !this.cutOff.has(invocation.requestId)) {
      this.cutOff.add(invocation.requestId);
      resetAt = 2; // after the head and the first third of the body
    }
    const delay = this.framing === 'slow' ? 20 : 0;
    // Each piece once the last is handed to the kernel, so a reset cuts off after real bytes.
    const writeFrom = (index: number): void => {
      if (socket.destroyed) return;
      if (index === resetAt) return void socket.resetAndDestroy();
      if (index === pieces.length) return void socket.end();
      socket.write(pieces[index], () => {
        if (delay > 0) setTimeout(() => writeFrom(index + 1), delay);
        else writeFrom(index + 1);
      });
    };
    writeFrom(0);
  }

  // ---- POST /runtime/invocation/{id}/response and /error -------------------------------------

  /** The running invocation a POST names, or an answer saying why there is none. */
  private claim(
    request: IncomingMessage,
    response: ServerResponse,
    record: RecordedRequest,
    requestId: string,
    transition: 'InvocationResponse' | 'InvocationErrorResponse',
  ): Invocation | undefined {
    const invocation = this.inFlight.get(requestId);
    if (!invocation) {
      if (this.finished.get(requestId) === 'timeout') {
        this.reply(response, record, 410, errorBody('InvokeTimeout', 'Invoke timeout'));
      } else if (!this.managedInstances && this.inFlight.size === 0) {
        // Classic RAPID checks the runtime's state first: with no invocation running (answered
        // already, or none handed out yet) any answer is an invalid state transition.
        const from = !this.initDone
          ? 'Started'
          : this.waiting.length > 0
            ? 'Ready'
            : 'RuntimeResponseSentState';
        this.reply(
          response,
          record,
          403,
          errorBody(
            'InvalidStateTransition',
            `State transition from ${from} to ${transition} failed for runtime. Error: State transition is not allowed`,
          ),
        );
      } else {
        this.reply(response, record, 400, errorBody('InvalidRequestID', 'Invalid request ID'));
      }
      return undefined;
    }
    const echoed = headerValue(request, INVOCATION_ID);
    if (invocation.invocationId !== undefined && echoed !== invocation.invocationId) {
      this.reply(
        response,
        record,
        400,
        errorBody(
          'InvalidRequestID',
          `Lambda-Runtime-Invocation-Id ${JSON.stringify(echoed ?? '')} does not match the invocation`,
        ),
      );
      return undefined;
    }
    return invocation;
  }

  private async postResponse(
    request: IncomingMessage,
    response: ServerResponse,
    record: RecordedRequest,
    requestId: string,
  ): Promise<void> {
    const mode = headerValue(request, RESPONSE_MODE);
    const streamed = mode === 'streaming';
    const read = await readBody(request, streamed ? MAX_STREAMED_BYTES : MAX_RESPONSE_BYTES);
    record.body = read.body;
    if (mode !== undefined && !streamed) {
      return this.reply(
        response,
        record,
        400,
        errorBody('InvalidFunctionResponseMode', 'Invalid function response mode'),
      );
    }
    if (this.fault('response', response, record)) return this.consumeOnFault(requestId, record);
    const invocation = this.claim(request, response, record, requestId, 'InvocationResponse');
    if (!invocation) return;
    if (read.tooLarge) {
      const limit = streamed ? MAX_STREAMED_BYTES : MAX_RESPONSE_BYTES;
      const message = `Response payload size (${read.size} bytes) exceeded maximum allowed payload size (${limit} bytes).`;
      const errorType = 'Function.ResponseSizeTooLarge';
      this.finish(
        invocation,
        errorEnding(requestId, errorType, errorBody(errorType, message), {
          streamed,
          requestHeaders: request.headers,
        }),
      );
      return this.reply(response, record, 413, tooLargeBody(limit));
    }
    const trailers = streamed ? decodeTrailers(request.trailers) : {};
    const trailerError = trailers[ERROR_TYPE];
    const contentType = headerValue(request, 'content-type') ?? 'application/octet-stream';
    const answered = {
      requestId,
      streamed,
      trailers,
      requestHeaders: request.headers,
      contentType,
    };
    this.finish(
      invocation,
      trailerError
        ? {
            ...answered,
            status: 'error',
            errorType: trailerError,
            payload: Buffer.from(trailers[ERROR_BODY] ?? ''),
            streamedPayload: read.body,
          }
        : { ...answered, status: 'success', payload: read.body },
    );
    this.reply(response, record, 202, ACCEPTED);
  }

  private async postError(
    request: IncomingMessage,
    response: ServerResponse,
    record: RecordedRequest,
    requestId: string,
  ): Promise<void> {
    const read = await readBody(request, MAX_ERROR_BYTES);
    record.body = read.body;
    if (this.fault('error', response, record)) return this.consumeOnFault(requestId, record);
    const invocation = this.claim(request, response, record, requestId, 'InvocationErrorResponse');
    if (!invocation) return;
    const errorType = headerValue(request, ERROR_TYPE);
    const payload = read.tooLarge
      ? errorBody(errorType ?? 'Runtime.Unknown', 'error response too large')
      : read.body;
    this.finish(invocation, {
      ...errorEnding(requestId, errorType ?? 'Runtime.Unknown', payload, {
        requestHeaders: request.headers,
        contentType: headerValue(request, 'content-type'),
      }),
      // Only what the runtime sent: the header is optional.
      errorType,
    });
    if (read.tooLarge) {
      return this.reply(response, record, 413, tooLargeBody(MAX_ERROR_BYTES));
    }
    this.reply(response, record, 202, ACCEPTED);
  }

  /**
   * A 4xx fault on /response or /error ends that invocation as an error (the runtime logs it and
   * moves on, so it must not get the event again); a 5xx leaves it running: the runtime exits.
   */
  private consumeOnFault(requestId: string, record: RecordedRequest): void {
    const invocation = this.inFlight.get(requestId);
    if (!invocation || record.status >= 500) return;
    const errorType = FAULT_ERROR_TYPES[record.status] ?? 'Runtime.InjectedFault';
    const message = `the Runtime API answered ${record.status}`;
    this.finish(
      invocation,
      errorEnding(requestId, errorType, errorBody(errorType, message), {
        requestHeaders: record.headers,
      }),
    );
  }

  // ---- POST /runtime/init/error --------------------------------------------------------------

  private async postInitError(
    request: IncomingMessage,
    response: ServerResponse,
    record: RecordedRequest,
  ): Promise<void> {
    const read = await readBody(request, MAX_ERROR_BYTES);
    record.body = read.body;
    if (this.fault('init-error', response, record)) return;
    if (this.initReport || this.initDone) {
      const from = this.initReport ? 'InitError' : 'Ready';
      return this.reply(
        response,
        record,
        403,
        errorBody('InvalidStateTransition', `State transition from ${from} to InitError failed`),
      );
    }
    if (read.tooLarge) {
      return this.reply(response, record, 413, tooLargeBody(MAX_ERROR_BYTES));
    }
    this.initReport = {
      errorType: headerValue(request, ERROR_TYPE),
      payload: read.body,
      headers: request.headers,
    };
    for (const invocation of this.queue.splice(0)) this.finishWithInitError(invocation);
    this.reply(response, record, 202, ACCEPTED);
  }

  // ---- invocation bookkeeping ----------------------------------------------------------------

  private finish(
    invocation: Invocation,
    result: Ending,
    how: 'answered' | 'timeout' = 'answered',
  ): void {
    this.settle(invocation, result, how);
    this.dispatch();
  }

  private settle(invocation: Invocation, result: Ending, how: 'answered' | 'timeout'): void {
    clearTimeout(invocation.timer);
    this.inFlight.delete(invocation.requestId);
    this.finished.set(invocation.requestId, how);
    invocation.resolve({ ...result, durationMs: performance.now() - invocation.startedAt });
  }

  private finishWithInitError(invocation: Invocation): void {
    const report = this.initReport as InitErrorReport;
    this.finish(
      invocation,
      errorEnding(invocation.requestId, report.errorType ?? 'Runtime.InitError', report.payload, {
        requestHeaders: report.headers,
      }),
    );
  }

  private refuseTooLarge(invocation: Invocation): void {
    const errorType = 'RequestEntityTooLargeException';
    const message = `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`;
    this.settle(
      invocation,
      errorEnding(invocation.requestId, errorType, errorBody(errorType, message)),
      'answered',
    );
  }

  private timedOut(invocation: Invocation): void {
    const seconds = this.timeoutSeconds.toFixed(2);
    const ending = timeoutEnding(invocation.requestId, `Task timed out after ${seconds} seconds`);
    this.settle(invocation, ending, 'timeout');
    // Before the next event goes out: the sandbox kills this runtime on it, pollers included.
    this.emit('timeout', invocation.requestId);
    this.dispatch();
  }
}

/** A /next reply as the socket writes it under a framing other than 'go': head, then body pieces. */
function rawPieces(
  framing: NextFraming,
  headers: Record<string, string | number>,
  payload: Buffer,
): Buffer[] {
  const head = (status: string, fields: Record<string, string | number>): Buffer =>
    Buffer.from(
      `${status}\r\n${Object.entries(fields)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join('')}\r\n`,
      'latin1',
    );
  if (framing === 'close')
    return [head('HTTP/1.0 200 OK', { ...headers, Connection: 'close' }), payload];
  if (framing === 'chunked') {
    const shouted = Object.fromEntries(
      Object.entries(headers).map(([name, value]) => [name.toUpperCase(), value]),
    );
    const pieces = [
      head('HTTP/1.1 200 OK', {
        ...shouted,
        'transfer-ENCODING': 'chunked',
        Trailer: 'X-Checksum',
      }),
    ];
    for (let start = 0, n = 0; start < payload.length; start += 1000, n += 1) {
      const chunk = payload.subarray(start, start + 1000);
      const extension = n % 2 ? `;piece=${n};note="a;b"` : '';
      pieces.push(Buffer.from(`${chunk.length.toString(16).toUpperCase()}${extension}\r\n`));
      pieces.push(chunk, Buffer.from('\r\n'));
    }
    pieces.push(Buffer.from('0;last\r\nX-Checksum: none\r\n\r\n'));
    return pieces;
  }
  const pieces = [head('HTTP/1.1 200 OK', { ...headers, 'Content-Length': payload.length })];
  const third = Math.max(1, Math.ceil(payload.length / 3));
  for (let start = 0; start < payload.length; start += third)
    pieces.push(payload.subarray(start, start + third));
  return pieces;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Not UTF-8: the bytes as Node reads header values (latin1), so an id sent back byte for byte
    // still names its invocation.
    return segment.replace(/%([0-9a-fA-F]{2})/g, (_match, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
  }
}

/** Request trailers by lower-case name; the error body trailer is base64 of the error JSON. */
function decodeTrailers(raw: Record<string, string | undefined>): Record<string, string> {
  const trailers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    trailers[name] = name === ERROR_BODY ? Buffer.from(value, 'base64').toString() : value;
  }
  return trailers;
}
