import { connect } from 'node:net';
import {
  MAX_RESPONSE_BYTES,
  RuntimeApiEmulator,
  type EmulatorOptions,
} from '../../src/emulator/runtime-api.js';
import { api, call, fail, next, requestIdOf, respond } from './client.js';

let emulator: RuntimeApiEmulator;
async function startEmulator(options: EmulatorOptions = {}): Promise<RuntimeApiEmulator> {
  emulator = await RuntimeApiEmulator.start(options);
  return emulator;
}
afterEach(async () => {
  await emulator?.close();
});

describe('GET /runtime/invocation/next', () => {
  it('hands out the event with every context header that has a value', async () => {
    await startEmulator({ functionName: 'fn', region: 'eu-west-1', accountId: '111122223333' });
    const result = emulator.invoke({
      payload: '{"hello":"world"}',
      requestId: 'req-1',
      clientContext: '{"client":{"app_title":"t"}}',
      cognitoIdentity: '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
      traceId: 'Root=1-5e1b4151-5ac6c58f3a1d7c7b2e3b0a19;Parent=53995c3f42cd8ad8;Sampled=1',
      tenantId: 'tenant-7',
      invocationId: 'inv-1',
    });
    const before = Date.now();
    const reply = await next(emulator.address);
    expect(reply.status).toBe(200);
    expect(reply.text).toBe('{"hello":"world"}');
    expect(reply.headers['content-type']).toBe('application/json');
    expect(reply.headers['content-length']).toBe('17');
    expect(reply.headers['lambda-runtime-aws-request-id']).toBe('req-1');
    expect(reply.headers['lambda-runtime-invoked-function-arn']).toBe(
      'arn:aws:lambda:eu-west-1:111122223333:function:fn',
    );
    expect(reply.headers['lambda-runtime-trace-id']).toBe(
      'Root=1-5e1b4151-5ac6c58f3a1d7c7b2e3b0a19;Parent=53995c3f42cd8ad8;Sampled=1',
    );
    expect(reply.headers['lambda-runtime-client-context']).toBe('{"client":{"app_title":"t"}}');
    expect(reply.headers['lambda-runtime-cognito-identity']).toContain('"cognitoIdentityPoolId"');
    expect(reply.headers['lambda-runtime-aws-tenant-id']).toBe('tenant-7');
    expect(reply.headers['lambda-runtime-invocation-id']).toBe('inv-1');
    const deadline = Number(reply.headers['lambda-runtime-deadline-ms']);
    expect(deadline).toBeGreaterThanOrEqual(before + 2900);
    expect(deadline).toBeLessThanOrEqual(Date.now() + 3000);

    await respond(emulator.address, 'req-1', 'ok', { 'Lambda-Runtime-Invocation-Id': 'inv-1' });
    expect((await result).status).toBe('success');
  });

  it('leaves out headers without a value and generates ids and a trace id by default', async () => {
    await startEmulator();
    void emulator.invoke();
    const first = await next(emulator.address);
    expect(first.text).toBe('{}');
    expect(requestIdOf(first)).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers['lambda-runtime-trace-id']).toMatch(
      /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Parent=[0-9a-f]{16};Sampled=0$/,
    );
    for (const absent of [
      'lambda-runtime-client-context',
      'lambda-runtime-cognito-identity',
      'lambda-runtime-aws-tenant-id',
      'lambda-runtime-invocation-id',
    ]) {
      expect(first.headers).not.toHaveProperty(absent);
    }
    await respond(emulator.address, requestIdOf(first), '');

    void emulator.invoke({ traceId: null, invocationId: true });
    const second = await next(emulator.address);
    expect(second.headers).not.toHaveProperty('lambda-runtime-trace-id');
    expect(second.headers['lambda-runtime-invocation-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('blocks until an event is queued, and waitForNext sees the waiting runtime', async () => {
    await startEmulator();
    const waiting = next(emulator.address);
    await emulator.waitForNext();
    expect(emulator.requests.map((r) => [r.path, r.status])).toEqual([
      [`${api}/invocation/next`, 0],
    ]);
    const result = emulator.invoke({ payload: 'late' });
    const reply = await waiting;
    expect(reply.text).toBe('late');
    await respond(emulator.address, requestIdOf(reply), 'done');
    expect((await result).payload.toString()).toBe('done');
  });

  it('tells when as many pollers wait at once as a runtime has LMI workers', async () => {
    await startEmulator({ maxConcurrency: 2 });
    let both = false;
    const waited = emulator.waitForNext(2).then(() => (both = true));
    const first = next(emulator.address);
    await emulator.waitForNext();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(both).toBe(false);
    const second = next(emulator.address);
    await waited;
    const results = [emulator.invoke({ payload: 'a' }), emulator.invoke({ payload: 'b' })];
    for (const reply of await Promise.all([first, second]))
      await respond(emulator.address, requestIdOf(reply), 'x');
    expect((await Promise.all(results)).map((r) => r.status)).toEqual(['success', 'success']);
  });

  it('sends an event over 2 KiB chunked, like Go net/http, and a 6 MB event intact', async () => {
    await startEmulator();
    const event = Buffer.alloc(6 * 1024 * 1024);
    for (let i = 0; i < event.length; i++) event[i] = (i * 7) % 256;
    void emulator.invoke({ payload: event });
    const reply = await next(emulator.address);
    expect(reply.headers['transfer-encoding']).toBe('chunked');
    expect(reply.headers).not.toHaveProperty('content-length');
    expect(reply.body.equals(event)).toBe(true);
    await respond(emulator.address, requestIdOf(reply), '');

    void emulator.invoke({ payload: 'x'.repeat(2048) });
    const small = await next(emulator.address);
    expect(small.headers['content-length']).toBe('2048');
  });

  it('refuses an event over 6 MB as Lambda Invoke does, without handing it out', async () => {
    await startEmulator();
    const refused = await emulator.invoke({ payload: Buffer.alloc(6 * 1024 * 1024 + 1, 'a') });
    expect(refused.status).toBe('error');
    expect(refused.errorType).toBe('RequestEntityTooLargeException');
    expect(JSON.parse(refused.payload.toString()).errorMessage).toContain('6291456 bytes');
    expect(emulator.queued + emulator.running).toBe(0);
    void emulator.invoke({ payload: 'fits' });
    expect((await next(emulator.address)).text).toBe('fits');
  });

  it('renders the running event again to a second /next outside LMI, as RAPID does', async () => {
    await startEmulator();
    const result = emulator.invoke({ payload: 'once' });
    const first = await next(emulator.address);
    const again = await next(emulator.address);
    expect(requestIdOf(again)).toBe(requestIdOf(first));
    expect(again.text).toBe('once');
    await respond(emulator.address, requestIdOf(first), 'r');
    expect((await result).status).toBe('success');
  });

  it('keeps up to maxConcurrency invocations in flight under LMI', async () => {
    await startEmulator({ maxConcurrency: 3 });
    const results = Array.from({ length: 5 }, (_, i) => emulator.invoke({ payload: `e${i}` }));
    const polls = Array.from({ length: 4 }, () => next(emulator.address));
    const delivered = await Promise.all(polls.slice(0, 3));
    expect(new Set(delivered.map(requestIdOf)).size).toBe(3);
    expect(emulator.running).toBe(3);
    let fourthDone = false;
    void polls[3].then(() => (fourthDone = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fourthDone).toBe(false);
    await respond(emulator.address, requestIdOf(delivered[0]), 'a');
    const fourth = await polls[3];
    expect(fourth.text).toBe('e3');
    for (const reply of [...delivered.slice(1), fourth]) {
      await respond(emulator.address, requestIdOf(reply), 'x');
    }
    const last = await next(emulator.address);
    await respond(emulator.address, requestIdOf(last), 'x');
    expect((await Promise.all(results)).every((r) => r.status === 'success')).toBe(true);
  });
});

describe('POST /runtime/invocation/{id}/response', () => {
  it('accepts a buffered response once, then refuses any answer as RAPID does: 403', async () => {
    await startEmulator();
    const result = emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    const body = Buffer.from([0, 1, 2, 255, 10, 10]);
    const accepted = await respond(emulator.address, id, body, {
      'Content-Type': 'application/x-custom',
    });
    expect(accepted.status).toBe(202);
    expect(JSON.parse(accepted.text)).toEqual({ status: 'OK' });
    const outcome = await result;
    expect(outcome).toMatchObject({
      requestId: id,
      status: 'success',
      contentType: 'application/x-custom',
      streamed: false,
    });
    expect(outcome.payload.equals(body)).toBe(true);
    expect(outcome.requestHeaders['content-type']).toBe('application/x-custom');

    // Classic RAPID checks the runtime's state before the id: nothing is running any more.
    const twice = await respond(emulator.address, id, 'again');
    expect(twice.status).toBe(403);
    expect(JSON.parse(twice.text)).toEqual({
      errorMessage:
        'State transition from RuntimeResponseSentState to InvocationResponse failed for runtime. Error: State transition is not allowed',
      errorType: 'InvalidStateTransition',
    });
    const unknown = await respond(emulator.address, 'nope', 'x');
    expect(unknown.status).toBe(403);
    expect(emulator.requests.map((r) => r.status)).toEqual([200, 202, 403, 403]);
  });

  it('answers 400 InvalidRequestID to an id that is not the running one', async () => {
    await startEmulator();
    const result = emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    const wrong = await respond(emulator.address, 'nope', 'x');
    expect(wrong.status).toBe(400);
    expect(JSON.parse(wrong.text)).toEqual({
      errorMessage: 'Invalid request ID',
      errorType: 'InvalidRequestID',
    });
    await respond(emulator.address, id, 'ok');
    expect((await result).status).toBe('success');
  });

  it('under LMI answers 400 to an id already answered, as the LMI RAPID does', async () => {
    await startEmulator({ maxConcurrency: 2 });
    void emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    expect((await respond(emulator.address, id, 'once')).status).toBe(202);
    const twice = await respond(emulator.address, id, 'again');
    expect(twice.status).toBe(400);
    expect(JSON.parse(twice.text).errorType).toBe('InvalidRequestID');
  });

  it('answers 413 over 6 MiB + 100 and the invocation becomes a size error', async () => {
    await startEmulator();
    const first = emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    const atLimit = await respond(emulator.address, id, Buffer.alloc(MAX_RESPONSE_BYTES, 'a'));
    expect(atLimit.status).toBe(202);
    expect((await first).payload.length).toBe(MAX_RESPONSE_BYTES);

    const second = emulator.invoke();
    const id2 = requestIdOf(await next(emulator.address));
    const tooLarge = await respond(emulator.address, id2, Buffer.alloc(MAX_RESPONSE_BYTES + 1));
    expect(tooLarge.status).toBe(413);
    expect(JSON.parse(tooLarge.text).errorType).toBe('RequestEntityTooLarge');
    const outcome = await second;
    expect(outcome.status).toBe('error');
    expect(outcome.errorType).toBe('Function.ResponseSizeTooLarge');
    expect(JSON.parse(outcome.payload.toString()).errorMessage).toContain('6291557 bytes');
  });

  it('refuses a response mode other than streaming', async () => {
    await startEmulator();
    void emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    const reply = await respond(emulator.address, id, 'x', {
      'Lambda-Runtime-Function-Response-Mode': 'buffered',
    });
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.text).errorType).toBe('InvalidFunctionResponseMode');
    expect(emulator.running).toBe(1);
  });

  it('collects a streamed response and decodes its error trailers', async () => {
    await startEmulator();
    const ok = emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    const streamed = await call(emulator.address, 'POST', `${api}/invocation/${id}/response`, {
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
      },
      chunks: ['part one, ', 'part two'],
    });
    expect(streamed.status).toBe(202);
    expect(await ok).toMatchObject({ status: 'success', streamed: true, trailers: {} });
    expect((await ok).payload.toString()).toBe('part one, part two');

    const failed = emulator.invoke();
    const id2 = requestIdOf(await next(emulator.address));
    const error = '{"errorMessage":"boom","errorType":"Function.Boom"}';
    const reply = await call(emulator.address, 'POST', `${api}/invocation/${id2}/response`, {
      headers: {
        'Lambda-Runtime-Function-Response-Mode': 'streaming',
        'Transfer-Encoding': 'chunked',
        Trailer: 'Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body',
      },
      chunks: ['half'],
      trailers: {
        'Lambda-Runtime-Function-Error-Type': 'Function.Boom',
        'Lambda-Runtime-Function-Error-Body': Buffer.from(error).toString('base64'),
      },
    });
    expect(reply.status).toBe(202);
    const outcome = await failed;
    expect(outcome).toMatchObject({ status: 'error', errorType: 'Function.Boom', streamed: true });
    expect(outcome.payload.toString()).toBe(error);
    expect(outcome.streamedPayload?.toString()).toBe('half');
    expect(outcome.trailers['lambda-runtime-function-error-body']).toBe(error);
  });

  it('requires the invocation id echoed when /next sent one', async () => {
    await startEmulator({ timeoutSeconds: 1 });
    const result = emulator.invoke({ invocationId: 'inv-9' });
    const id = requestIdOf(await next(emulator.address));
    const missing = await respond(emulator.address, id, 'x');
    expect(missing.status).toBe(400);
    const wrong = await fail(emulator.address, id, '{}', {
      'Lambda-Runtime-Invocation-Id': 'inv-8',
    });
    expect(wrong.status).toBe(400);
    expect((await result).status).toBe('timeout');

    const echoed = emulator.invoke({ invocationId: 'inv-10' });
    const id2 = requestIdOf(await next(emulator.address));
    const reply = await respond(emulator.address, id2, 'x', {
      'Lambda-Runtime-Invocation-Id': 'inv-10',
    });
    expect(reply.status).toBe(202);
    expect((await echoed).requestHeaders['lambda-runtime-invocation-id']).toBe('inv-10');
  });
});

describe('POST /runtime/invocation/{id}/error', () => {
  it('accepts the error with its type header', async () => {
    await startEmulator();
    const result = emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    const body = '{"errorMessage":"bad","errorType":"Function.Bad","stackTrace":[]}';
    const reply = await fail(emulator.address, id, body, {
      'Lambda-Runtime-Function-Error-Type': 'Function.Bad',
      'Content-Type': 'application/json',
    });
    expect(reply.status).toBe(202);
    const outcome = await result;
    expect(outcome).toMatchObject({ status: 'error', errorType: 'Function.Bad' });
    expect(outcome.payload.toString()).toBe(body);
    const again = await fail(emulator.address, id, body);
    expect(again.status).toBe(403);
    expect(JSON.parse(again.text).errorMessage).toContain('to InvocationErrorResponse failed');
  });

  it('answers 413 to an error body over 1 MiB', async () => {
    await startEmulator();
    const result = emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    const reply = await fail(emulator.address, id, 'x'.repeat(1024 * 1024 + 1));
    expect(reply.status).toBe(413);
    expect((await result).status).toBe('error');
  });
});

describe('POST /runtime/init/error', () => {
  it('stores the first report, fails pending and later invokes, then refuses', async () => {
    await startEmulator();
    const pending = emulator.invoke();
    const body = '{"errorMessage":"no handler","errorType":"Runtime.HandlerNotFound"}';
    const reply = await call(emulator.address, 'POST', `${api}/init/error`, {
      body,
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Runtime.HandlerNotFound' },
    });
    expect(reply.status).toBe(202);
    expect(emulator.initError()?.errorType).toBe('Runtime.HandlerNotFound');
    expect(emulator.initError()?.payload.toString()).toBe(body);
    const outcome = await pending;
    expect(outcome).toMatchObject({ status: 'error', errorType: 'Runtime.HandlerNotFound' });
    expect(outcome.payload.toString()).toBe(body);
    expect((await emulator.invoke()).errorType).toBe('Runtime.HandlerNotFound');

    const again = await call(emulator.address, 'POST', `${api}/init/error`, { body: '{}' });
    expect(again.status).toBe(403);
    expect(JSON.parse(again.text).errorType).toBe('InvalidStateTransition');
    expect((await next(emulator.address)).status).toBe(403);
  });

  it('is refused once init is over (the runtime asked for an event)', async () => {
    await startEmulator();
    void emulator.invoke();
    await next(emulator.address);
    const reply = await call(emulator.address, 'POST', `${api}/init/error`, { body: '{}' });
    expect(reply.status).toBe(403);
    expect(emulator.initError()).toBeUndefined();
  });
});

describe('timeouts, faults, routing', () => {
  it('times an invocation out at its deadline and answers a late reply 410', async () => {
    await startEmulator({ timeoutSeconds: 1 });
    const timeouts: string[] = [];
    emulator.on('timeout', (id) => timeouts.push(id));
    const result = emulator.invoke({ requestId: 'slow' });
    await next(emulator.address);
    const outcome = await result;
    expect(outcome.status).toBe('timeout');
    expect(outcome.errorType).toBe('Sandbox.Timedout');
    expect(JSON.parse(outcome.payload.toString()).errorMessage).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z slow Task timed out after 1\.00 seconds$/,
    );
    expect(outcome.durationMs).toBeGreaterThanOrEqual(990);
    expect(timeouts).toEqual(['slow']);
    const late = await respond(emulator.address, 'slow', 'x');
    expect(late.status).toBe(410);
    expect(JSON.parse(late.text)).toEqual({
      errorMessage: 'Invoke timeout',
      errorType: 'InvokeTimeout',
    });
  });

  it('injects faults on /next and a 4xx on /response ends the invocation', async () => {
    await startEmulator();
    emulator.injectFault({ endpoint: 'next', status: 500, times: 2 });
    emulator.injectFault({ endpoint: 'response', status: 413 });
    const result = emulator.invoke();
    expect((await next(emulator.address)).status).toBe(500);
    expect((await next(emulator.address)).status).toBe(500);
    const reply = await next(emulator.address);
    expect(reply.status).toBe(200);
    const faulted = await respond(emulator.address, requestIdOf(reply), 'x');
    expect(faulted.status).toBe(413);
    expect((await result).errorType).toBe('Function.ResponseSizeTooLarge');

    emulator.injectFault({ endpoint: 'error', status: 500, body: '{"custom":true}' });
    const kept = emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    const serverError = await fail(emulator.address, id, '{}');
    expect(serverError.status).toBe(500);
    expect(serverError.text).toBe('{"custom":true}');
    expect(emulator.running).toBe(1);
    await respond(emulator.address, id, 'fine');
    expect((await kept).status).toBe('success');
  });

  it('ends an invocation faulted with 410 as timed out, and faults /init/error without storing', async () => {
    await startEmulator();
    emulator.injectFault({ endpoint: 'init-error', status: 500 });
    const init = await call(emulator.address, 'POST', `${api}/init/error`, { body: '{}' });
    expect(init.status).toBe(500);
    expect(JSON.parse(init.text).errorType).toBe('InjectedFault500');
    expect(emulator.initError()).toBeUndefined();

    emulator.injectFault({ endpoint: 'error', status: 410 });
    const result = emulator.invoke();
    const id = requestIdOf(await next(emulator.address));
    expect((await fail(emulator.address, id, '{}')).status).toBe(410);
    expect(await result).toMatchObject({ status: 'timeout', errorType: 'Sandbox.Timedout' });
    expect((await fail(emulator.address, id, '{}')).status).toBe(403); // nothing is running
  });

  it('answers 404 to unknown paths and 405 to wrong methods, recording every request', async () => {
    await startEmulator();
    expect((await call(emulator.address, 'GET', '/2018-06-01/runtime/nope')).status).toBe(404);
    expect((await call(emulator.address, 'POST', `${api}/invocation/next`)).status).toBe(405);
    expect((await call(emulator.address, 'GET', `${api}/invocation/x/response`)).status).toBe(405);
    expect((await call(emulator.address, 'GET', `${api}/init/error`)).status).toBe(405);
    expect(emulator.requests.map((r) => `${r.method} ${r.status}`)).toEqual([
      'GET 404',
      'POST 405',
      'GET 405',
      'GET 405',
    ]);
  });

  it('rejects invocations still open when it closes', async () => {
    await startEmulator();
    const result = emulator.invoke();
    await emulator.close();
    await expect(result).rejects.toThrow(/closed/);
  });
});

describe('exactly once', () => {
  it('answers each of 1,000 invocations once, recording every request', async () => {
    await startEmulator();
    const total = 1000;
    const results = Array.from({ length: total }, (_, i) =>
      emulator.invoke({ payload: `{"n":${i}}` }),
    );
    for (let i = 0; i < total; i++) {
      const event = await next(emulator.address);
      expect(event.text).toBe(`{"n":${i}}`);
      await respond(emulator.address, requestIdOf(event), `r${i}`);
    }
    const outcomes = await Promise.all(results);
    expect(outcomes.map((r) => r.payload.toString())).toEqual(
      Array.from({ length: total }, (_, i) => `r${i}`),
    );
    expect(emulator.requests).toHaveLength(2 * total);
    const answered = emulator.requests.filter((r) => r.method === 'POST' && r.status === 202);
    expect(new Set(answered.map((r) => r.path)).size).toBe(total);
    expect(emulator.requests.every((r) => r.status === 200 || r.status === 202)).toBe(true);
  });
});

describe('framing of /next on the wire', () => {
  /** The raw bytes of one GET /next, read until the emulator closes or resets the connection. */
  async function rawNext(address: string): Promise<{ raw: string; reset: boolean; ms: number }> {
    const [host, port] = address.split(':');
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect(Number(port), host, () =>
        socket.write(
          `GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: ${address}\r\n\r\n`,
        ),
      );
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const done = (reset: boolean) =>
        resolve({ raw: Buffer.concat(chunks).toString('latin1'), reset, ms: Date.now() - started });
      socket.on('end', () => done(false));
      socket.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' ? done(true) : reject(error),
      );
    });
  }
  const payload = 'x'.repeat(2500);

  it("'chunked': small chunks with extensions, a trailer and upper-case header names", async () => {
    await startEmulator({ framing: 'chunked' });
    void emulator.invoke({ payload, requestId: 'req-c' });
    const { raw } = await rawNext(emulator.address);
    expect(raw).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(raw).toContain('LAMBDA-RUNTIME-AWS-REQUEST-ID: req-c\r\n');
    expect(raw).toContain('transfer-ENCODING: chunked\r\n');
    expect(raw).toContain(`\r\n\r\n3E8\r\n${'x'.repeat(1000)}\r\n3E8;piece=1;note="a;b"\r\n`);
    expect(
      raw.endsWith('\r\n1F4\r\n' + 'x'.repeat(500) + '\r\n0;last\r\nX-Checksum: none\r\n\r\n'),
    ).toBe(true);
  });

  it("'close': HTTP/1.0 with no length, the body ended by closing", async () => {
    await startEmulator({ framing: 'close' });
    void emulator.invoke({ payload });
    const { raw, reset } = await rawNext(emulator.address);
    expect(raw).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
    expect(raw).not.toMatch(/content-length|transfer-encoding/i);
    expect(raw.endsWith(`\r\n\r\n${payload}`)).toBe(true);
    expect(reset).toBe(false);
  });

  it("'slow': the reply in writes 20 ms apart", async () => {
    await startEmulator({ framing: 'slow' });
    void emulator.invoke({ payload });
    const { raw, ms } = await rawNext(emulator.address);
    expect(raw).toContain('Content-Length: 2500\r\n');
    expect(raw.endsWith(payload)).toBe(true);
    expect(ms).toBeGreaterThanOrEqual(60);
  });

  it("'reset': the first delivery is cut off mid-body by a reset, the next is whole", async () => {
    await startEmulator({ framing: 'reset' });
    void emulator.invoke({ payload, requestId: 'req-r' });
    // Node reports the reset (resetAndDestroy) as an end or ECONNRESET: the body is short either way.
    const first = await rawNext(emulator.address);
    expect(first.raw).toContain('Content-Length: 2500\r\n');
    expect(first.raw.endsWith(`\r\n\r\n${'x'.repeat(834)}`)).toBe(true);
    const second = await rawNext(emulator.address);
    expect(second.raw).toContain('Lambda-Runtime-Aws-Request-Id: req-r\r\n');
    expect(second.raw.endsWith(`\r\n\r\n${payload}`)).toBe(true);
  });
});
