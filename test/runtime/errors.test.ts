import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_TOOLS, RuntimeFixture, describeEachShell, text, withoutJq } from './support.js';

const ERROR_TYPE = /^(Runtime|Function)\.[A-Z][a-zA-Z]+$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

interface ErrorBody {
  errorMessage: string;
  errorType: string;
  stackTrace: string[];
}

/** The error body as Lambda would read it: strict UTF-8, then JSON. */
const errorBody = (payload: Buffer): ErrorBody =>
  JSON.parse(strictUtf8.decode(payload)) as ErrorBody;

/** A handler that prints the event as its message and fails with the status on the first line. */
const FAILING = `fail() {
  read -r status
  cat
  [ ! -s "$LAMBDA_TASK_ROOT/type" ] || cat "$LAMBDA_TASK_ROOT/type" >"$LSR_ERROR_TYPE_FILE"
  return "$status"
}
`;

const VALID_TRICKY =
  'quote " backslash \\ slash / tab \t newline \n cr \r nul \0 bell \x07 é 中 😀 \x7f end\n';

describeEachShell(
  'the bootstrap',
  'under %s: errors',
  (shell, { fixture, runtimeTest, within }) => {
    const pathsFor = [
      ['with jq', () => undefined],
      ['without jq', (f: RuntimeFixture) => withoutJq(f).PATH],
    ] as const;
    for (const [name, pathFor] of pathsFor)
      within(`a failing handler, ${name}`, ({ runtimeTest }) => {
        const start = (f: RuntimeFixture) => {
          const path = pathFor(f);
          return f.start(
            'failing.fail',
            { env: path ? { PATH: path } : {} },
            { 'failing.sh': FAILING },
          );
        };

        runtimeTest(
          'POSTs /error with its stdout as errorMessage, any bytes as valid UTF-8 JSON',
          async () => {
            const sandbox = await start(fixture());
            const valid = await sandbox.invoke({
              payload: `3\n${VALID_TRICKY}`,
              invocationId: 'i-1',
            });
            expect(valid.status).toBe('error');
            expect(valid.errorType).toBe('Function.Unhandled');
            expect(valid.requestHeaders['lambda-runtime-function-error-type']).toBe(
              'Function.Unhandled',
            );
            expect(valid.requestHeaders['lambda-runtime-invocation-id']).toBe('i-1');
            expect(errorBody(valid.payload)).toEqual({
              errorMessage: VALID_TRICKY,
              errorType: 'Function.Unhandled',
              stackTrace: [],
            });

            const invalid = Buffer.concat([
              Buffer.from('1\nok '),
              Buffer.from([0xff, 0xc0, 0xaf, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80, 0xe2, 0x82]),
              Buffer.from(' tail é'),
              Buffer.from([0xe2]),
            ]);
            // Short (the shell's encoder) and over 1 KiB (jq's, when there is one): each body is
            // UTF-8 a strict decoder takes, invalid sequences replaced.
            for (const [lead, payload] of [
              ['ok ', invalid],
              [
                `ok ${'x'.repeat(2048)}`,
                Buffer.concat([
                  invalid.subarray(0, 5),
                  Buffer.alloc(2048, 'x'),
                  invalid.subarray(5),
                ]),
              ],
            ] as const) {
              const result = await sandbox.invoke({ payload });
              const body = JSON.parse(
                new TextDecoder('utf-8', { fatal: true }).decode(result.payload),
              ) as {
                errorMessage: string;
              };
              expect(body.errorMessage.startsWith(`${lead}\ufffd`)).toBe(true);
              expect(body.errorMessage).toContain(' tail é');
              expect(body.errorMessage.endsWith('\ufffd')).toBe(true);
            }
          },
        );

        runtimeTest('says the exit status when the handler printed nothing', async () => {
          const sandbox = await start(fixture());
          const result = await sandbox.invoke({ payload: '7\n' });
          expect(errorBody(result.payload).errorMessage).toBe('the handler exited with status 7');
        });

        runtimeTest('takes the handler own error type from $LSR_ERROR_TYPE_FILE', async () => {
          const sandbox = await start(fixture());
          const cases: [string, string][] = [
            ['Function.ValidationError\n', 'Function.ValidationError'],
            ['NotFound', 'Function.NotFound'],
            ['Runtime.Custom', 'Runtime.Custom'],
            ['bad type; rm -rf /', 'Function.Unhandled'],
            ['Function.lowercase', 'Function.Unhandled'],
            ['A', 'Function.Unhandled'], // one letter: Lambda wants [A-Z][a-zA-Z]+
          ];
          for (const [written, expected] of cases) {
            fixture().write({ type: written });
            const result = await sandbox.invoke({ payload: '1\nmessage' });
            expect(result.errorType).toBe(expected);
            expect(result.errorType).toMatch(ERROR_TYPE);
            expect(errorBody(result.payload).errorType).toBe(expected);
          }
        });
      });

    runtimeTest('forgets an error type written by an invocation that succeeded', async () => {
      const sandbox = await fixture().start(
        'h.handler',
        {},
        {
          'h.sh': `handler() {
  read -r what
  echo Function.Stale >"$LSR_ERROR_TYPE_FILE"
  [ "$what" = ok ]
}
`,
        },
      );
      expect((await sandbox.invoke({ payload: 'ok\n' })).status).toBe('success');
      const failed = await sandbox.invoke({ payload: 'no\n' });
      expect(failed.errorType).toBe('Function.Stale'); // written by this failing call itself
      const script = `handler() { read -r what; [ "$what" = ok ] && echo Function.Stale >"$LSR_ERROR_TYPE_FILE"; [ "$what" = ok ]; }\n`;
      const second = await fixture().start('g.handler', {}, { 'g.sh': script });
      expect((await second.invoke({ payload: 'ok\n' })).status).toBe('success');
      expect((await second.invoke({ payload: 'no\n' })).errorType).toBe('Function.Unhandled');
    });

    runtimeTest('reports a handler exit, a set -e failure and an executable failure', async () => {
      const sandbox = await fixture().start(
        'h.handler',
        {},
        {
          'h.sh':
            'handler() { read -r what; case $what in exit) printf bye; exit 4 ;; *) set -e; false; printf no ;; esac; }\n',
        },
      );
      const exited = await sandbox.invoke({ payload: 'exit\n' });
      expect(errorBody(exited.payload).errorMessage).toBe('bye');
      const setE = await sandbox.invoke({ payload: 'e\n' });
      expect(errorBody(setE.payload).errorMessage).toBe('the handler exited with status 1');

      const executable = await fixture().start(
        'run',
        {},
        { run: '#!/bin/sh\necho "broken: $(cat)"\nexit 2\n' },
      );
      const result = await executable.invoke({ payload: 'in' });
      expect(result.status).toBe('error');
      expect(errorBody(result.payload).errorMessage).toBe('broken: in\n');
    });

    runtimeTest('is killed at the timeout, and a fresh runtime takes the next event', async () => {
      const sandbox = await fixture().start(
        'slow.handler',
        { timeoutSeconds: 1 },
        { 'slow.sh': 'handler() { read -r what; [ "$what" = slow ] && sleep 5; printf fast; }\n' },
      );
      const slow = await sandbox.invoke({ payload: 'slow\n' });
      expect(slow.status).toBe('timeout');
      expect(slow.errorType).toBe('Sandbox.Timedout');
      expect(text((await sandbox.invoke({ payload: 'x\n' })).payload)).toBe('fast');
      fixture().expectStarts(sandbox, 2); // killed at the timeout, then started afresh
    });

    within('init errors: POST /init/error, then exit non-zero', ({ runtimeTest }) => {
      const expectInitError = async (
        handler: string | undefined,
        errorType: string,
        mentions: string,
        files: Record<string, string> = {},
        env: Record<string, string | undefined> = {},
      ) => {
        const sandbox = await fixture().start(
          handler ?? 'unused',
          { env: { ...env, ...(handler === undefined ? { _HANDLER: undefined } : {}) } },
          files,
        );
        const exit = await sandbox.exited();
        expect(exit.code).not.toBe(0);
        const report = sandbox.emulator.initError();
        expect(report?.errorType).toBe(errorType);
        expect(errorType).toMatch(ERROR_TYPE);
        const body = errorBody(report!.payload);
        expect(body.errorType).toBe(errorType);
        expect(body.errorMessage).toContain(mentions);
        expect(text(sandbox.stderr)).toContain(mentions);
        return sandbox;
      };

      runtimeTest('no _HANDLER', () =>
        expectInitError(undefined, 'Runtime.MissingHandler', '_HANDLER is not set'),
      );

      runtimeTest.each([
        '../etc/passwd.x',
        'h.handler;touch${IFS}pwned',
        'h.$(touch pwned)',
        'h.1handler',
        'h.my-handler',
        'h.',
        '.h',
        'h._lsr_worker',
        'h handler',
        '/etc/h.handler',
        'sub//h.handler',
        'sub/../h.handler',
        './h.handler',
        'sub/',
      ])('a malformed name: %j, and nothing of it runs', async (handler) => {
        const marker = join(fixture().taskRoot, 'ran');
        await expectInitError(handler, 'Runtime.MalformedHandlerName', `'${handler}'`, {
          'h.sh': `touch "${marker}"\nhandler() { :; }\n`,
        });
        expect(existsSync(marker)).toBe(false);
        expect(existsSync(join(fixture().taskRoot, 'pwned'))).toBe(false);
      });

      runtimeTest('a missing file', () =>
        expectInitError(
          'nothere.handler',
          'Runtime.HandlerFileNotFound',
          'nothere.sh does not exist',
        ),
      );

      runtimeTest('a missing executable', () =>
        expectInitError('nothere', 'Runtime.HandlerFileNotFound', 'nothere does not exist'),
      );

      runtimeTest('a function the file does not define', () =>
        expectInitError(
          'h.missing',
          'Runtime.HandlerNotFound',
          "does not define a function 'missing'",
          {
            'h.sh': 'handler() { :; }\n',
          },
        ),
      );

      // Past 256 characters (1,024 bytes at most) an init message is jq's once checked; below, the shell's.
      runtimeTest.each([
        ['short', 'é'.repeat(20)],
        ['long', 'é'.repeat(600)],
      ])('a %s multibyte name, named whole in the message', (_length, name) =>
        expectInitError(`${name}.handler`, 'Runtime.MalformedHandlerName', `'${name}.handler'`),
      );

      runtimeTest.each(['h.functionHandler', 'h.function'])(
        'a function the file does not define, whose name says "function": %s',
        (handler) =>
          expectInitError(handler, 'Runtime.HandlerNotFound', 'does not define a function', {
            'h.sh': 'handler() { :; }\n',
          }),
      );

      runtimeTest('a file that exits while sourced', () =>
        expectInitError(
          'h.handler',
          'Runtime.HandlerLoadError',
          'exited (status 0) while being sourced',
          {
            'h.sh': 'exit 0\nhandler() { :; }\n',
          },
        ),
      );

      runtimeTest('a file with a syntax error, and nothing of it runs', async () => {
        const marker = join(fixture().taskRoot, 'ran');
        await expectInitError(
          'h.handler',
          'Runtime.UserCodeSyntaxError',
          'h.sh has a syntax error',
          {
            'h.sh': `touch "${marker}"\nhandler() {\n  if then fi\n`,
          },
        );
        expect(existsSync(marker)).toBe(false);
      });

      runtimeTest('no usable temp dir', () =>
        expectInitError(
          'h.handler',
          'Runtime.TempDirUnavailable',
          'cannot create the working directory',
          { 'h.sh': 'handler() { :; }\n' },
          {
            TMPDIR: '/nonexistent/lsr',
          },
        ),
      );

      runtimeTest(
        'no curl: reported through /dev/tcp under bash, logged and exit 1 elsewhere',
        async () => {
          const path = fixture().toolDir(BASE_TOOLS);
          const sandbox = await fixture().start(
            'h.handler',
            { env: { PATH: path } },
            { 'h.sh': 'handler() { :; }\n' },
          );
          expect((await sandbox.exited()).code).toBe(1);
          expect(text(sandbox.stderr)).toContain('curl was not found on PATH');
          const report = sandbox.emulator.initError();
          if (shell.startsWith('bash')) {
            expect(report?.errorType).toBe('Runtime.MissingCurl');
            expect(errorBody(report!.payload).errorMessage).toContain('curl was not found');
          } else {
            expect(report).toBeUndefined();
          }
        },
      );
    });
  },
);
