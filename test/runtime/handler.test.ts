import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { paths } from '../../src/paths.js';
import { describeEachShell, text, withScriptedRuntimeApi } from './support.js';

const SIX_MB = 6 * 1024 * 1024;

/** Every byte value, NUL and invalid UTF-8 included, and trailing newlines. */
const trickyBytes = Buffer.concat([
  Buffer.from(Array.from({ length: 256 }, (_, byte) => byte)),
  Buffer.from('\0\xff\xfe "quoted" \\ $(touch /tmp/lsr-pwned) `id` é 😀\r\n\n\n', 'latin1'),
]);

/** Prints the context variables, sorted, one per line. */
const CONTEXT_HANDLER = `handler() { env | grep -E '^(LAMBDA_RUNTIME_|_X_AMZN_TRACE_ID=)' | grep -v '^LAMBDA_RUNTIME_DIR=' | sort; }\n`;

function parseEnv(output: string): Record<string, string> {
  return Object.fromEntries(
    output
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

describeEachShell('the bootstrap', 'under %s: handlers', (_shell, { fixture, runtimeTest }) => {
  runtimeTest(
    'runs the example function: event on stdin, response from stdout, logs on stderr',
    async () => {
      cpSync(join(paths.examples, 'function.sh'), join(fixture().taskRoot, 'function.sh'));
      const sandbox = await fixture().start('function.handler');
      const result = await sandbox.invoke({ payload: '{"a":1}' });
      expect(result.status).toBe('success');
      expect(text(result.payload)).toBe(`Echoing request: '{"a":1}'`);
      expect(result.contentType).toBe('application/json');
      expect(text(sandbox.stderr)).toContain('{"a":1}\n');
    },
  );

  runtimeTest(
    'passes events and responses byte for byte: NUL, invalid UTF-8, trailing newlines',
    async () => {
      const sandbox = await fixture().start(
        'echo.handler',
        {},
        { 'echo.sh': 'handler() { cat; }\n' },
      );
      for (const payload of [trickyBytes, Buffer.alloc(0), Buffer.from('\n\n')]) {
        const result = await sandbox.invoke({ payload });
        expect(result.status).toBe('success');
        expect(result.payload.equals(payload)).toBe(true);
      }
      expect(existsSync('/tmp/lsr-pwned')).toBe(false);
    },
  );

  runtimeTest('carries a 6 MB event in and a 6 MB response out', async () => {
    const sandbox = await fixture().start(
      'echo.handler',
      {},
      { 'echo.sh': 'handler() { cat; }\n' },
    );
    const payload = Buffer.alloc(SIX_MB, 'abc\0\n\xff');
    const result = await sandbox.invoke({ payload });
    expect(result.status).toBe('success');
    expect(result.payload.length).toBe(SIX_MB);
    expect(result.payload.equals(payload)).toBe(true);
  });

  runtimeTest(
    'keeps its files in one fixed private directory under TMPDIR, removed when it exits',
    async () => {
      const sandbox = await fixture().start(
        'echo.handler',
        {},
        { 'echo.sh': 'handler() { cat; }\n' },
      );
      await sandbox.invoke({ payload: 'x' });
      const dirs = readdirSync(fixture().tmp);
      expect(dirs).toHaveLength(1);
      expect(statSync(join(fixture().tmp, dirs[0])).mode & 0o777).toBe(0o700);
      await sandbox.emulator.waitForNext(); // the GET that will take y, before the fault is armed
      sandbox.emulator.injectFault({ endpoint: 'next', status: 403 });
      await sandbox.invoke({ payload: 'y' });
      expect((await sandbox.exited()).code).toBe(1);
      expect(readdirSync(fixture().tmp)).toEqual([]);
    },
  );

  runtimeTest('puts /opt/bin on PATH and /opt/lib on LD_LIBRARY_PATH, once', async () => {
    const files = { 'paths.sh': 'handler() { printf "%s|%s" "$PATH" "$LD_LIBRARY_PATH"; }\n' };
    const hostPath = process.env.PATH ?? '/usr/bin:/bin';
    const missing = await fixture().start(
      'paths.handler',
      { env: { LD_LIBRARY_PATH: '/x/lib' } },
      files,
    );
    const [path, library] = text((await missing.invoke({})).payload).split('|');
    expect(path).toBe(hostPath.split(':').includes('/opt/bin') ? hostPath : `${hostPath}:/opt/bin`);
    expect(library).toBe('/x/lib:/opt/lib');
    const present = await fixture().start('paths.handler', {
      env: { PATH: `/opt/bin:${hostPath}`, LD_LIBRARY_PATH: '/opt/lib:/x/lib' },
    });
    expect(text((await present.invoke({})).payload)).toBe(`/opt/bin:${hostPath}|/opt/lib:/x/lib`);
  });

  runtimeTest('gives the event on stdin only, never as an argument', async () => {
    const sandbox = await fixture().start(
      'args.handler',
      {},
      {
        'args.sh': 'handler() { printf "%s args" "$#"; }\n',
      },
    );
    expect(text((await sandbox.invoke({ payload: '"x"' })).payload)).toBe('0 args');
  });

  runtimeTest('runs an executable handler, and one without the run bit through sh', async () => {
    const script = 'printf "%s|" "$(cat)" "$LAMBDA_RUNTIME_AWS_REQUEST_ID"\n';
    const executable = await fixture().start('run', {}, { run: `#!/bin/sh\n${script}` });
    const result = await executable.invoke({ payload: 'ev' });
    expect(text(result.payload)).toBe(`ev|${result.requestId}|`);

    const plain = await fixture().start('plain', {}, { plain: { content: script, mode: 0o644 } });
    const second = await plain.invoke({ payload: 'ev2' });
    expect(text(second.payload)).toBe(`ev2|${second.requestId}|`);
  });

  runtimeTest(
    'exports each Lambda-Runtime-* header as LAMBDA_RUNTIME_*, and unsets the absent ones',
    async () => {
      const sandbox = await fixture().start(
        'context.handler',
        {},
        { 'context.sh': CONTEXT_HANDLER },
      );
      const full = await sandbox.invoke({
        clientContext: '{"client":{"app_title":"x"}}',
        cognitoIdentity: '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
        tenantId: 'tenant-1',
        invocationId: 'inv-1',
        traceId: 'Root=1-5e1b4151-5ac6c58f5b5b5b5b5b5b5b5b;Parent=1;Sampled=1',
      });
      const env = parseEnv(text(full.payload));
      expect(env).toEqual({
        LAMBDA_RUNTIME_AWS_REQUEST_ID: full.requestId,
        LAMBDA_RUNTIME_DEADLINE_MS: expect.stringMatching(/^\d{13}$/),
        LAMBDA_RUNTIME_INVOKED_FUNCTION_ARN:
          'arn:aws:lambda:us-east-1:123456789012:function:test_function',
        LAMBDA_RUNTIME_TRACE_ID: 'Root=1-5e1b4151-5ac6c58f5b5b5b5b5b5b5b5b;Parent=1;Sampled=1',
        _X_AMZN_TRACE_ID: 'Root=1-5e1b4151-5ac6c58f5b5b5b5b5b5b5b5b;Parent=1;Sampled=1',
        LAMBDA_RUNTIME_CLIENT_CONTEXT: '{"client":{"app_title":"x"}}',
        LAMBDA_RUNTIME_COGNITO_IDENTITY:
          '{"cognitoIdentityId":"id","cognitoIdentityPoolId":"pool"}',
        LAMBDA_RUNTIME_AWS_TENANT_ID: 'tenant-1',
        LAMBDA_RUNTIME_INVOCATION_ID: 'inv-1',
      });
      expect(Number(env.LAMBDA_RUNTIME_DEADLINE_MS)).toBeGreaterThan(Date.now());

      const bare = await sandbox.invoke({ traceId: null });
      expect(Object.keys(parseEnv(text(bare.payload))).sort()).toEqual([
        'LAMBDA_RUNTIME_AWS_REQUEST_ID',
        'LAMBDA_RUNTIME_DEADLINE_MS',
        'LAMBDA_RUNTIME_INVOKED_FUNCTION_ARN',
      ]);
    },
  );

  runtimeTest('treats header values as data, never as code', async () => {
    const sandbox = await fixture().start('context.handler', {}, { 'context.sh': CONTEXT_HANDLER });
    const nasty = `$(touch /tmp/lsr-pwned2) \`touch /tmp/lsr-pwned3\` "'; exit 1; ' \\ *`;
    const result = await sandbox.invoke({ clientContext: nasty, tenantId: '*' });
    const env = parseEnv(text(result.payload));
    expect(env.LAMBDA_RUNTIME_CLIENT_CONTEXT).toBe(nasty);
    expect(env.LAMBDA_RUNTIME_AWS_TENANT_ID).toBe('*');
    expect(existsSync('/tmp/lsr-pwned2') || existsSync('/tmp/lsr-pwned3')).toBe(false);
  });

  runtimeTest(
    'reads /next headers in any case, values with colons and spaces, and a chunked body',
    async () => {
      let answer: { path: string; headers: IncomingHttpHeaders; body: string } | undefined;
      let nexts = 0;
      const scripted = (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
        if (request.method === 'POST') {
          answer = {
            path: request.url ?? '',
            headers: request.headers,
            body: body.toString(),
          };
          response.writeHead(202).end('{"status":"OK"}');
        } else if (nexts++ > 0) {
          response.writeHead(403).end('{"errorType":"InvalidStateTransition"}');
        } else {
          response.writeHead(200, [
            ['lambda-runtime-aws-request-id', 'req-1'],
            ['LAMBDA-RUNTIME-INVOCATION-ID', 'inv: 1 2'],
            ['Lambda-Runtime-Client-Context', '{"a": "b:c",  "d": 1}'],
            ['lambda-RUNTIME-trace-ID', 'Root=1-x;Sampled=1'],
          ]);
          response.write('chunk one, ');
          response.end('chunk two');
        }
      };
      await withScriptedRuntimeApi(scripted, async (runtimeApi) => {
        const sandbox = await fixture().start(
          'context.handler',
          {
            env: { AWS_LAMBDA_RUNTIME_API: runtimeApi },
          },
          {
            'context.sh': 'handler() { cat; echo; ' + CONTEXT_HANDLER.slice('handler() { '.length),
          },
        );
        expect((await sandbox.exited()).code).toBe(1);
        expect(answer?.path).toBe('/2018-06-01/runtime/invocation/req-1/response');
        expect(answer?.headers['lambda-runtime-invocation-id']).toBe('inv: 1 2');
        const [event, ...context] = (answer?.body ?? '').split('\n');
        expect(event).toBe('chunk one, chunk two');
        expect(parseEnv(context.join('\n'))).toEqual({
          LAMBDA_RUNTIME_AWS_REQUEST_ID: 'req-1',
          LAMBDA_RUNTIME_INVOCATION_ID: 'inv: 1 2',
          LAMBDA_RUNTIME_CLIENT_CONTEXT: '{"a": "b:c",  "d": 1}',
          LAMBDA_RUNTIME_TRACE_ID: 'Root=1-x;Sampled=1',
          _X_AMZN_TRACE_ID: 'Root=1-x;Sampled=1',
        });
      });
    },
  );

  runtimeTest(
    'echoes Lambda-Runtime-Invocation-Id on the answer when /next sent one, and only then',
    async () => {
      const sandbox = await fixture().start(
        'ok.handler',
        {},
        {
          'ok.sh': 'handler() { read -r line; [ "$line" = fail ] && exit 1; printf ok; }\n',
        },
      );
      const withId = await sandbox.invoke({ invocationId: 'abc-123' });
      expect(withId.requestHeaders['lambda-runtime-invocation-id']).toBe('abc-123');
      const failed = await sandbox.invoke({ payload: 'fail\n', invocationId: 'def-456' });
      expect(failed.status).toBe('error');
      expect(failed.requestHeaders['lambda-runtime-invocation-id']).toBe('def-456');
      const without = await sandbox.invoke({});
      expect(without.requestHeaders).not.toHaveProperty('lambda-runtime-invocation-id');
    },
  );

  runtimeTest('starts every invocation from the state right after init', async () => {
    const sandbox = await fixture().start(
      'state.handler',
      {},
      {
        'state.sh': `counter=0
helper() { printf original; }
handler() {
  read -r what
  case $what in
    mess)
      counter=$((counter + 1)); cd /; umask 077; trap 'echo trapped >&2' EXIT; set -u
      helper() { printf redefined; }
      _lsr_answer_and_fetch_next() { :; }
      LAMBDA_TASK_ROOT=/nowhere
      exit 0 ;;
    die) set -e; false; printf unreachable ;;
    *) printf '%s|%s|%s|' "$counter" "$(pwd)" "$(umask)"; helper ;;
  esac
}
`,
      },
    );
    const before = text((await sandbox.invoke({ payload: 'show\n' })).payload);
    expect(before).toMatch(new RegExp(`^0\\|${fixture().taskRoot}\\|0?022\\|original$`));
    expect((await sandbox.invoke({ payload: 'mess\n' })).status).toBe('success');
    expect((await sandbox.invoke({ payload: 'die\n' })).status).toBe('error');
    expect(text((await sandbox.invoke({ payload: 'show\n' })).payload)).toBe(before);
  });

  runtimeTest(
    'sources the file without arguments, and a `set --` in it does not lose the handler',
    async () => {
      const sandbox = await fixture().start(
        'args.handler',
        {},
        {
          'args.sh':
            'count=$#\nset -- one two three\nhandler() { printf "init saw %s args" "$count"; }\n',
        },
      );
      const result = await sandbox.invoke({});
      expect(result.status).toBe('success');
      expect(text(result.payload)).toBe('init saw 0 args');
    },
  );

  runtimeTest('keeps the shell options the handler file sets, for the handler only', async () => {
    const sandbox = await fixture().start(
      'strict.handler',
      {},
      {
        'strict.sh':
          'set -eu\nhandler() { read -r what; [ "$what" = ok ]; printf "passed %s" "$what"; }\n',
      },
    );
    expect(text((await sandbox.invoke({ payload: 'ok\n' })).payload)).toBe('passed ok');
    expect((await sandbox.invoke({ payload: 'no\n' })).status).toBe('error');
    expect(text((await sandbox.invoke({ payload: 'ok\n' })).payload)).toBe('passed ok');
  });

  runtimeTest(
    'keeps its own curl whatever the handler file defines or exports for itself',
    async () => {
      const sandbox = await fixture().start(
        'own.handler',
        {},
        {
          'own.sh': `curl() { echo "the handler's curl" >&2; return 1; }
export http_proxy=http://127.0.0.1:9 HTTP_PROXY=http://127.0.0.1:9 CURL_HOME=/nonexistent
handler() { printf 'served'; }
`,
        },
      );
      expect(text((await sandbox.invoke({})).payload)).toBe('served');
      expect(text((await sandbox.invoke({})).payload)).toBe('served');
      expect(text(sandbox.stderr)).not.toContain("the handler's curl");
    },
  );

  runtimeTest('streams the handler stderr live, before the handler ends', async () => {
    const chunks: { at: number; text: string }[] = [];
    const sandbox = await fixture().start(
      'slow.handler',
      { onStderr: (chunk) => chunks.push({ at: Date.now(), text: text(chunk) }) },
      {
        'slow.sh':
          'handler() { echo first-log-line >&2; sleep 1; echo second >&2; printf done; }\n',
      },
    );
    const result = await sandbox.invoke({});
    const ended = Date.now();
    expect(text(result.payload)).toBe('done');
    const first = chunks.find((chunk) => chunk.text.includes('first-log-line'));
    expect(first).toBeDefined();
    expect(ended - first!.at).toBeGreaterThanOrEqual(800);
  });
});
