import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:net';
import type { LambdaSandbox } from '../../src/emulator/sandbox.js';
import { describeEachShell, eventually, text, withScriptedRuntimeApi } from './support.js';

const ECHO = { 'echo.sh': 'handler() { cat; }\n' };
const MAX_NEXT_ATTEMPTS = 6; // the first GET and the five retries of the bootstrap's backoff

const requestsTo = (sandbox: LambdaSandbox, kind: 'next' | 'response' | 'error') =>
  sandbox.emulator.requests.filter((request) =>
    kind === 'next' ? request.path.endsWith('/next') : request.path.endsWith(`/${kind}`),
  );

/** A local port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describeEachShell(
  'the bootstrap',
  'under %s: Runtime API statuses',
  (_shell, { fixture, runtimeTest }) => {
    runtimeTest(
      'retries GET /next on 500 with backoff, and never hands the error body to the handler',
      async () => {
        const sandbox = await fixture().start('echo.handler', {}, ECHO);
        sandbox.emulator.injectFault({
          endpoint: 'next',
          status: 500,
          body: 'not-an-event',
          times: 2,
        });
        const result = await sandbox.invoke({ payload: 'real event' });
        expect(text(result.payload)).toBe('real event');
        expect(
          requestsTo(sandbox, 'next')
            .slice(0, 3)
            .map((request) => request.status),
        ).toEqual([500, 500, 200]);
      },
    );

    runtimeTest(
      'gives up on GET /next after bounded retries of 500, and exits non-zero',
      async () => {
        const sandbox = await fixture().start('echo.handler', {}, ECHO);
        sandbox.emulator.injectFault({ endpoint: 'next', status: 500, times: 100 });
        const started = Date.now();
        expect((await sandbox.exited()).code).toBe(1);
        expect(Date.now() - started).toBeLessThan(5000);
        expect(requestsTo(sandbox, 'next')).toHaveLength(MAX_NEXT_ATTEMPTS);
        expect(text(sandbox.stderr)).toContain('GET /next failed (HTTP 500) after retries');
      },
    );

    runtimeTest('exits at once on a 403 from GET /next', async () => {
      const sandbox = await fixture().start('echo.handler', {}, ECHO);
      sandbox.emulator.injectFault({ endpoint: 'next', status: 403 });
      expect((await sandbox.exited()).code).toBe(1);
      expect(requestsTo(sandbox, 'next')).toHaveLength(1);
      expect(text(sandbox.stderr)).toContain('GET /next answered HTTP 403');
    });

    runtimeTest('retries a refused connection, then exits non-zero', async () => {
      const port = await closedPort();
      const sandbox = await fixture().start(
        'echo.handler',
        {
          env: { AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
        },
        ECHO,
      );
      const started = Date.now();
      expect((await sandbox.exited()).code).toBe(1);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(text(sandbox.stderr).match(/Failed to connect/g)).toHaveLength(MAX_NEXT_ATTEMPTS);
      expect(text(sandbox.stderr)).toContain('GET /next failed (HTTP 000) after retries');
    });

    runtimeTest(
      'exits on a 200 from GET /next without a request id, rather than answer nothing forever',
      async () => {
        const seen: string[] = [];
        const scripted = (request: IncomingMessage, _body: Buffer, response: ServerResponse) => {
          seen.push(`${request.method} ${request.url}`);
          response.writeHead(200, { 'Content-Type': 'application/json' }).end('{"orphan":true}');
        };
        await withScriptedRuntimeApi(scripted, async (runtimeApi) => {
          const sandbox = await fixture().start(
            'echo.handler',
            { env: { AWS_LAMBDA_RUNTIME_API: runtimeApi } },
            ECHO,
          );
          expect((await sandbox.exited()).code).toBe(1);
          expect(seen).toEqual(['GET /2018-06-01/runtime/invocation/next']);
          expect(text(sandbox.stderr)).toContain('without a Lambda-Runtime-Aws-Request-Id header');
        });
      },
    );

    runtimeTest(
      'asks again when an event is cut off mid-transfer, and never hands the handler a part',
      async () => {
        const answers: string[] = [];
        let gets = 0;
        const scripted = (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
          if (request.method === 'POST') {
            answers.push(`${request.url} ${body.toString()}`);
            response.writeHead(202).end('{"status":"OK"}');
            return;
          }
          gets++;
          if (gets === 1) {
            // 200 and a Content-Length of 100, then the connection drops after 10 bytes.
            response.writeHead(200, {
              'Lambda-Runtime-Aws-Request-Id': 'cut',
              'Content-Length': '100',
            });
            response.write('{"partial"');
            setTimeout(() => response.socket?.destroy(), 20);
          } else if (gets === 2) {
            response
              .writeHead(200, { 'Lambda-Runtime-Aws-Request-Id': 'cut' })
              .end('{"whole":true}');
          } // later GETs wait, as the real API does with no event
        };
        await withScriptedRuntimeApi(scripted, async (runtimeApi) => {
          await fixture().start(
            'echo.handler',
            { env: { AWS_LAMBDA_RUNTIME_API: runtimeApi } },
            ECHO,
          );
          await eventually(
            () => answers.length > 0 && gets >= 3,
            10_000,
            'the answer and the next GET',
          );
          expect(answers).toEqual(['/2018-06-01/runtime/invocation/cut/response {"whole":true}']);
        });
      },
    );

    runtimeTest.each([400, 410, 413])(
      'logs a %i on /response with its body, and goes on with the next event',
      async (status) => {
        const sandbox = await fixture().start('echo.handler', {}, ECHO);
        sandbox.emulator.injectFault({
          endpoint: 'response',
          status,
          body: `{"errorType":"Refused${status}"}`,
        });
        const refused = await sandbox.invoke({ payload: 'first' });
        expect(refused.status).not.toBe('success');
        const logged = `(HTTP ${status}): {"errorType":"Refused${status}"}`;
        await eventually(() => text(sandbox.stderr).includes(logged), 5000, logged);
        const next = await sandbox.invoke({ payload: 'second' });
        expect(text(next.payload)).toBe('second');
        expect(
          requestsTo(sandbox, 'response').filter((request) =>
            request.path.includes(refused.requestId),
          ),
        ).toHaveLength(1);
        expect(
          sandbox.emulator.requests.every(
            (request) => request.status !== 0 || request.path.endsWith('/next'),
          ),
        ).toBe(true);
      },
    );

    runtimeTest('logs a 400 on /error and goes on', async () => {
      const sandbox = await fixture().start(
        'f.handler',
        {},
        { 'f.sh': 'handler() { read -r x; [ "$x" = ok ]; }\n' },
      );
      sandbox.emulator.injectFault({ endpoint: 'error', status: 400 });
      await sandbox.invoke({ payload: 'no\n' });
      await eventually(() => text(sandbox.stderr).includes('(HTTP 400)'), 5000, 'the log line');
      expect((await sandbox.invoke({ payload: 'ok\n' })).status).toBe('success');
    });

    runtimeTest(
      'answers a real 413 (a response over 6 MB) by logging it and carrying on',
      async () => {
        const sandbox = await fixture().start(
          'big.handler',
          {},
          {
            'big.sh':
              'handler() { read -r n; [ "$n" = big ] && head -c 6400000 /dev/zero; printf small; }\n',
          },
        );
        const big = await sandbox.invoke({ payload: 'big\n' });
        expect(big.status).toBe('error');
        expect(big.errorType).toBe('Function.ResponseSizeTooLarge');
        await eventually(() => text(sandbox.stderr).includes('(HTTP 413)'), 5000, 'the log line');
        expect(text((await sandbox.invoke({ payload: 'x\n' })).payload)).toBe('small');
      },
    );

    runtimeTest.each(['response', 'error'] as const)(
      'exits on a 500 from /%s without fetching another event; a new runtime serves the next',
      async (endpoint) => {
        const sandbox = await fixture().start(
          'f.handler',
          {},
          {
            'f.sh': 'handler() { read -r x; printf "%s" "$x"; [ "$x" != fail ]; }\n',
          },
        );
        sandbox.emulator.injectFault({ endpoint, status: 500 });
        const lost = sandbox.invoke({ payload: endpoint === 'error' ? 'fail\n' : 'ok\n' });
        expect((await sandbox.exited()).code).toBe(1);
        expect((await lost).status).toBe('error');
        expect(requestsTo(sandbox, 'next')).toHaveLength(1);
        expect(text(sandbox.stderr)).toContain('(HTTP 500); stopping');
        expect(text((await sandbox.invoke({ payload: 'again\n' })).payload)).toBe('again');
        fixture().expectStarts(sandbox, 2); // the crash is the point: the sandbox started a second runtime
      },
    );
  },
);
