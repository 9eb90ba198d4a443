import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { processesInGroup } from '../../src/emulator/sandbox.js';
import { which } from '../../src/exec.js';
import {
  BASE_TOOLS,
  errorBody,
  eventually,
  text,
  eachShell,
  terminate,
  untilIdle,
  waitForFile,
  withSmallTmpdir,
  expectTmpdirFullThenServes,
  expectCrlfInitError,
  withoutJq,
  type RuntimeFixture,
} from './support.js';

const MiB = 1024 * 1024;

/** Bytes in all files under `dir`. */
function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? bytesUnder(path) : statSync(path).size;
  }
  return total;
}

describe('the bootstrap', () => {
  eachShell('under %s, under real-world faults', (shell, { fixture, runtimeTest, within }) => {
    const bash = shell === 'bash';

    runtimeTest(
      'sources the handler file at the top level: its variables (bash: declare, declare -A) stay set',
      async () => {
        const declared = shell.startsWith('bash')
          ? 'declare -A colours=([sky]=blue)\ndeclare -i count=41\ntypeset name=ada\n'
          : 'colours_sky=blue\ncount=41\nname=ada\n';
        const lookup = shell.startsWith('bash') ? '${colours[sky]}' : '$colours_sky';
        const sandbox = await fixture().start(
          'vars.handler',
          {},
          {
            'vars.sh': `${declared}handler() { printf '%s %s %s' "${lookup}" "$((count + 1))" "$name"; }\n`,
          },
        );
        expect(text((await sandbox.invoke({})).payload)).toBe('blue 42 ada');
      },
    );

    runtimeTest(
      'never lets a background job of one invocation change a later response',
      async () => {
        const sandbox = await fixture().start(
          'late.handler',
          {},
          {
            'late.sh': `handler() {
  read -r n
  case $n in
    1) (${waitForFile('$LAMBDA_TASK_ROOT/2-started')}; echo late-bytes; : >"$LAMBDA_TASK_ROOT/written") & ;;
    2) : >"$LAMBDA_TASK_ROOT/2-started"; ${waitForFile('$LAMBDA_TASK_ROOT/written')} ;;
  esac
  printf 'response %s' "$n"
}
`,
          },
        );
        expect(text((await sandbox.invoke({ payload: '1\n' })).payload)).toBe('response 1');
        const second = await sandbox.invoke({ payload: '2\n' }); // the late write lands while it runs
        expect(existsSync(join(fixture().taskRoot, 'written'))).toBe(true);
        expect(text(second.payload)).toBe('response 2');
        expect(text((await sandbox.invoke({ payload: '3\n' })).payload)).toBe('response 3');
      },
    );

    runtimeTest.each([
      ['a PATH without curl', 'PATH=/nonexistent\n'],
      ['unset PATH', 'unset PATH\n'],
    ])(
      'keeps serving, answers and errors alike, when the handler file sets %s',
      async (_name, line) => {
        const sandbox = await fixture().start(
          'p.handler',
          {},
          {
            'p.sh': `${line}handler() { read -r what; [ "$what" = ok ] || { echo "failed: $what"; return 1; }; echo served; }\n`,
          },
        );
        expect(text((await sandbox.invoke({ payload: 'ok\n' })).payload)).toBe('served\n');
        const failed = await sandbox.invoke({ payload: 'no\n' });
        expect(errorBody(failed.payload).errorMessage).toBe('failed: no\n');
        expect(text((await sandbox.invoke({ payload: 'ok\n' })).payload)).toBe('served\n');
      },
    );

    runtimeTest(
      'backs off and stops, with a clear log line, when curl runs but writes no status line',
      async () => {
        const tools = fixture().toolDir([...BASE_TOOLS, 'cat']);
        const calls = join(fixture().root, 'curl-calls');
        writeFileSync(join(tools, 'curl'), `#!/bin/sh\necho call >>"${calls}"\nexit 127\n`, {
          mode: 0o755,
        });
        // LSR_HTTP=curl: under bash the Runtime API is otherwise spoken without curl.
        const sandbox = await fixture().start(
          'h.handler',
          { env: { PATH: tools, LSR_HTTP: 'curl' } },
          { 'h.sh': 'handler() { :; }\n' },
        );
        const started = Date.now();
        expect((await sandbox.exited()).code).toBe(1);
        expect(Date.now() - started).toBeLessThan(4000);
        expect(text(sandbox.stderr)).toMatch(
          /GET \/next failed \(HTTP 000\) after retries; curl \(\S+\/curl\) wrote no status line; stopping/,
        );
        expect(execFileSync('wc', ['-l', calls]).toString().trim().split(' ')[0]).toBe('6');
      },
    );

    runtimeTest(
      'answers an event that TMPDIR has no room for with an /error naming the cause, then serves the next',
      async () => {
        const files = {
          'echo.sh': 'handler() { cat; }\n',
        };
        await withSmallTmpdir(fixture(), '1m', 'echo.handler', files, async (sandbox) => {
          const big = await sandbox.invoke({ payload: Buffer.alloc(3 * MiB, 'e') });
          expect(big.status).toBe('error');
          expect(big.errorType).toBe('Runtime.TmpDirFull');
          const body = errorBody(big.payload);
          expect(body.errorMessage).toContain('no space left in TMPDIR');
          expect(body.errorMessage).toContain('the event');
          const next = await sandbox.invoke({ payload: 'small' });
          expect(text(next.payload)).toBe('small');
          const posts = sandbox.emulator.requests.filter((request) => request.method === 'POST');
          expect(posts.map((request) => request.path.split('/')[4])).toEqual([
            big.requestId,
            next.requestId,
          ]);
        });
      },
    );

    runtimeTest(
      'answers a response that TMPDIR has no room for with an /error naming the cause, then serves the next',
      async () => {
        const files = {
          'big.sh':
            'handler() { read -r n; [ "$n" = big ] && head -c 3145728 /dev/zero; printf small; }\n',
        };
        await withSmallTmpdir(fixture(), '1m', 'big.handler', files, expectTmpdirFullThenServes);
      },
    );

    runtimeTest(
      'keeps one working directory across restarts: killed runtimes leave nothing behind',
      async () => {
        const sandbox = await fixture().start(
          'slow.handler',
          { timeoutSeconds: 1 },
          {
            'slow.sh': 'handler() { head -c 1 | grep -q s && sleep 5; printf fast; }\n',
          },
        );
        for (let kill = 0; kill < 3; kill += 1) {
          const result = await sandbox.invoke({ payload: Buffer.alloc(5 * MiB, 's') });
          expect(result.status).toBe('timeout');
        }
        expect(text((await sandbox.invoke({ payload: 'x' })).payload)).toBe('fast');
        expect(readdirSync(fixture().tmp)).toEqual(['lambda-shell-runtime']);
        expect(statSync(join(fixture().tmp, 'lambda-shell-runtime')).mode & 0o777).toBe(0o700);
        expect(bytesUnder(fixture().tmp)).toBeLessThan(64 * 1024);
        fixture().expectStarts(sandbox, 4); // three SIGKILLs at the timeout, then a fresh start each
      },
    );

    const shutdowns = [
      ['idle, waiting for an event', 1, false, ''],
      ['mid-invocation', 1, true, ''],
      ['mid-stream', 1, true, 'LSR_RESPONSE_MODE=streaming\n'],
      ['in worker mode', 3, false, ''],
      ['mid-stream in worker mode', 2, true, 'LSR_RESPONSE_MODE=streaming\n'],
    ] as const;
    for (const [when, workers, busy, settings] of shutdowns)
      within(`on SIGTERM ${when}`, ({ runtimeTest }) => {
        // Serial, as every 500 ms bound: concurrent tests would stretch the exit it times.
        runtimeTest.serial(
          'runs the file TERM trap, stops its children, removes its files and exits within 500 ms',
          async () => {
            const hook = join(fixture().taskRoot, 'hook-ran');
            const sandbox = await fixture().start(
              't.handler',
              workers > 1 ? { maxConcurrency: workers } : {},
              {
                't.sh': `${settings}trap 'echo "graceful shutdown" >&2; echo ran >>"${hook}"' TERM
handler() { printf first; echo started >&2; sleep 5; printf never; }
`,
              },
            );
            await sandbox.emulator.waitForNext(workers); // every worker asked for an event
            let pending: Promise<unknown> | undefined;
            if (!busy) await untilIdle(sandbox); // and waits in its read or wait for it
            if (busy) {
              pending = sandbox.invoke({});
              // Once its sleep runs: a shell loses a TERM that reaches a child between fork and exec.
              const sleeping = () =>
                processesInGroup(sandbox.pid!).some((process) => process.command === 'sleep 5');
              await eventually(sleeping, 5000, 'the handler to sleep');
            }
            const { exit, ms } = await terminate(sandbox);
            expect(ms).toBeLessThan(500);
            expect(exit).toEqual({ code: 0, signal: null });
            expect(text(sandbox.stderr)).toContain('graceful shutdown');
            expect(execFileSync('cat', [hook]).toString()).toBe('ran\n'); // once, in worker mode too
            expect(readdirSync(fixture().tmp)).toEqual([]);
            expect(sandbox.leftovers).toEqual([]);
            await pending;
          },
        );
      });

    runtimeTest('keeps its own builtins whatever functions the handler file defines', async () => {
      const regular = ['wait', 'kill', 'read', 'printf', 'test'];
      const special = bash ? ['trap', 'set', 'exit', 'export', 'unset', 'eval', 'shift'] : [];
      const hijacks = [...regular, ...special].map(
        (name) => `${name}() { echo "hijacked ${name}" >&2; sleep 0.2; return 1; }`,
      );
      for (const workers of [1, 2]) {
        const sandbox = await fixture().start(
          'h.handler',
          workers > 1 ? { maxConcurrency: workers } : {},
          {
            'h.sh': `${hijacks.join('\n')}\nhandler() { echo "served $1"; cat >/dev/null; }\n`,
          },
        );
        for (let n = 0; n < 3; n += 1)
          expect(text((await sandbox.invoke({})).payload)).toBe('served \n');
        expect(text(sandbox.stderr)).not.toContain('hijacked');
      }
    });

    runtimeTest.each([
      ['[ -n "$DEBUG" ] && set -x'],
      ['set -e\n[ -n "$DEBUG" ] && set -x'],
      ['return 3'],
    ])('does not count the file last status as an init failure: %j', async (ending) => {
      const sandbox = await fixture().start(
        'h.handler',
        {},
        {
          'h.sh': `handler() { printf ok; }\n${ending}\n`,
        },
      );
      expect(text((await sandbox.invoke({})).payload)).toBe('ok');
      expect(sandbox.emulator.initError()).toBeUndefined();
    });

    runtimeTest('sources a handler file in a subfolder, and a dotted file name', async () => {
      mkdirSync(join(fixture().taskRoot, 'src', 'deep'), { recursive: true });
      const sub = await fixture().start(
        'src/deep/handler.run',
        {},
        {
          'src/deep/handler.sh': 'run() { printf "from %s" "${PWD##*/}"; }\n',
        },
      );
      expect(text((await sub.invoke({})).payload)).toBe('from task');
      const dotted = await fixture().start(
        'my.module.handler',
        {},
        {
          'my.module.sh': 'handler() { printf dotted; }\n',
        },
      );
      expect(text((await dotted.invoke({})).payload)).toBe('dotted');
    });

    runtimeTest.each(['link.handler', 'linked/h.handler'])(
      'refuses %s, a symlink that resolves outside the task root, with nothing of it run',
      async (handler) => {
        const outside = join(fixture().root, 'outside');
        mkdirSync(outside);
        const marker = join(fixture().root, 'ran');
        writeFileSync(join(outside, 'h.sh'), `touch "${marker}"\nhandler() { :; }\n`);
        symlinkSync(join(outside, 'h.sh'), join(fixture().taskRoot, 'link.sh'));
        symlinkSync(outside, join(fixture().taskRoot, 'linked'));
        const sandbox = await fixture().start(handler);
        expect((await sandbox.exited()).code).toBe(1);
        expect(sandbox.emulator.initError()?.errorType).toBe('Runtime.MalformedHandlerName');
        expect(errorBody(sandbox.emulator.initError()!.payload).errorMessage).toContain(
          'resolves outside the task root',
        );
        expect(existsSync(marker)).toBe(false);
      },
    );

    runtimeTest(
      'runs a program with a dot in its name (app.py, bin/run.pl) as the executable handler',
      async () => {
        mkdirSync(join(fixture().taskRoot, 'bin'));
        const app = await fixture().start(
          'app.py',
          {},
          { 'app.py': '#!/bin/sh\nprintf "app %s" "$(cat)"\n' },
        );
        expect(text((await app.invoke({ payload: 'in' })).payload)).toBe('app in');
        const nested = await fixture().start(
          'bin/run.pl',
          {},
          { 'bin/run.pl': '#!/bin/sh\nprintf nested\n' },
        );
        expect(text((await nested.invoke({})).payload)).toBe('nested');
      },
    );

    runtimeTest.each([
      ['a function file', 'h.handler', { 'h.sh': 'handler() {\r\n  printf ok\r\n}\r\n' }],
      [
        'a function file whose first line is LF',
        'h.handler',
        { 'h.sh': '# a comment saved with LF\nhandler() {\r\n  printf ok\r\n}\r\n' },
      ],
      ['a program', 'run', { run: '#!/bin/sh\r\nprintf ok\r\n' }],
    ])('names CRLF line endings in an init error: %s', async (_what, handler, files) => {
      const sandbox = await fixture().start(handler, {}, files);
      await expectCrlfInitError(sandbox);
    });

    runtimeTest(
      'puts a request id into the URL as one encoded segment, whatever it holds',
      async () => {
        const sandbox = await fixture().start(
          'echo.handler',
          {},
          { 'echo.sh': 'handler() { cat; }\n' },
        );
        for (const requestId of ['a/b', '..', 'x?y', 'x#y', 'a b', '%2F', 'a;b&c=d']) {
          const result = await sandbox.invoke({ requestId, payload: requestId });
          expect(result).toMatchObject({ status: 'success', requestId });
          expect(text(result.payload)).toBe(requestId);
        }
        const posts = sandbox.emulator.requests.filter((request) => request.method === 'POST');
        expect(posts.every((request) => request.status === 202)).toBe(true);
      },
    );

    runtimeTest(
      'answers a request id with bytes outside printable ASCII, every byte encoded',
      async () => {
        const sandbox = await fixture().start(
          'echo.handler',
          {},
          { 'echo.sh': 'handler() { cat; }\n' },
        );
        const odd = await sandbox.invoke({ requestId: 'id-\u00e9/x', payload: 'odd' });
        expect(odd).toMatchObject({ status: 'success', requestId: 'id-\u00e9/x' });
        expect(
          sandbox.emulator.requests.find((request) => request.method === 'POST')?.path,
        ).toContain('/%69%64%2d%e9%2f%78/');
        expect(text((await sandbox.invoke({ payload: 'next' })).payload)).toBe('next');
      },
    );

    runtimeTest('trims leading and trailing blanks of header values', async () => {
      const sandbox = await fixture().start(
        'ctx.handler',
        {},
        {
          'ctx.sh': 'handler() { printf "[%s]" "$LAMBDA_RUNTIME_CLIENT_CONTEXT"; }\n',
        },
      );
      const result = await sandbox.invoke({ clientContext: ' \t{"a": 1}\t  ' });
      expect(text(result.payload)).toBe('[{"a": 1}]');
    });

    runtimeTest('removes its files and runs the file EXIT trap when it stops', async () => {
      const sandbox = await fixture().start(
        'h.handler',
        {},
        {
          'h.sh': `trap 'echo "the file exit trap" >&2' EXIT\nhandler() { cat; }\n`,
        },
      );
      expect(text((await sandbox.invoke({ payload: 'x' })).payload)).toBe('x');
      await sandbox.emulator.waitForNext();
      sandbox.emulator.injectFault({ endpoint: 'next', status: 403 });
      await sandbox.invoke({ payload: 'y' });
      expect((await sandbox.exited()).code).toBe(1);
      expect(text(sandbox.stderr)).toContain('the file exit trap');
      expect(readdirSync(fixture().tmp)).toEqual([]);
    });
  });

  eachShell('under %s: failures that a restart would hide', (_shell, { fixture, runtimeTest }) => {
    /** A runtime whose handler fails with its event as the message, in the environment `env`. */
    const startFailingWithEvent = (env: Record<string, string>) =>
      fixture().start('f.fail', { env }, { 'f.sh': 'fail() { cat; return 1; }\n' });

    runtimeTest(
      'keeps the file `set -eu` out of its own loop: failures and unset variables do not end it',
      async () => {
        const sandbox = await fixture().start(
          'strict.handler',
          {},
          {
            'strict.sh': 'set -eu\nhandler() { read -r what; [ "$what" = ok ]; echo "$what"; }\n',
          },
        );
        for (const what of ['no', 'ok', 'no', 'ok']) {
          const result = await sandbox.invoke({ payload: `${what}\n`, traceId: null });
          expect(result.status).toBe(what === 'ok' ? 'success' : 'error');
        }
      },
    );

    runtimeTest(
      'escapes every control byte 0x00-0x1f of an error message without jq, as strict JSON',
      async () => {
        const sandbox = await startFailingWithEvent(withoutJq(fixture()));
        const controls = Buffer.from(Array.from({ length: 32 }, (_, byte) => byte));
        const result = await sandbox.invoke({ payload: controls });
        expect(errorBody(result.payload).errorMessage).toBe(controls.toString('latin1'));
      },
    );

    runtimeTest(
      'decodes an error message without jq as a WHATWG UTF-8 decoder does, byte for byte',
      async () => {
        const sandbox = await startFailingWithEvent(withoutJq(fixture()));
        // Every lead (and stray) byte before every second byte, then a valid continuation, so
        // each sequence ends, narrows (E0, ED, F0, F4) or breaks off at each point.
        const leads = [
          0x00, 0x1f, 0x22, 0x5c, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xe1, 0xed, 0xef,
          0xf0, 0xf3, 0xf4, 0xf5, 0xff,
        ];
        const message = Buffer.concat(
          leads.flatMap((lead) =>
            Array.from({ length: 256 }, (_, byte) => Buffer.from([lead, byte, 0x80, 0x41])),
          ),
        );
        const result = await sandbox.invoke({ payload: message });
        // Bytes, not text: a surrogate or overlong let through would read back as U+FFFD too.
        const expected = JSON.stringify({
          errorMessage: new TextDecoder().decode(message),
          errorType: 'Function.Unhandled',
          stackTrace: [],
        });
        expect(result.payload.equals(Buffer.from(`${expected}\n`))).toBe(true);
      },
    );

    runtimeTest.each([
      ['with jq', () => ({})],
      ['without jq', withoutJq],
    ])('caps an errorMessage at 64 KiB, %s', async (_name, envFor) => {
      const sandbox = await fixture().start(
        'f.fail',
        { env: envFor(fixture()) },
        {
          'f.sh': 'fail() { head -c 100000 /dev/zero | tr "\\0" x; return 1; }\n',
        },
      );
      const result = await sandbox.invoke({});
      const body = errorBody(result.payload);
      expect(body.errorMessage.length).toBe(65536);
      expect(/^x+$/.test(body.errorMessage)).toBe(true);
      expect(body.errorType).toBe('Function.Unhandled');
    });

    runtimeTest('builds error bodies without jq when the jq on PATH cannot run', async () => {
      const env = withoutJq(fixture());
      writeFileSync(join(env.PATH, 'jq'), '#!/nonexistent/interpreter\n', { mode: 0o755 });
      const sandbox = await fixture().start(
        'f.fail',
        { env },
        { 'f.sh': 'fail() { printf "bad \\"input\\""; return 1; }\n' },
      );
      expect(errorBody((await sandbox.invoke({})).payload)).toEqual({
        errorMessage: 'bad "input"',
        errorType: 'Function.Unhandled',
        stackTrace: [],
      });
    });

    runtimeTest(
      'runs jq only for error messages over 1 KiB, checking it once before the first',
      async () => {
        const env = withoutJq(fixture());
        const log = join(env.PATH, 'jq.log');
        writeFileSync(
          join(env.PATH, 'jq'),
          `#!/bin/sh\nprintf '%s\\n' "$*" >>'${log}'\nexec ${which('jq')!} "$@"\n`,
          { mode: 0o755 },
        );
        // "x N" prints N bytes: é (two bytes) first, so a cut would break a character.
        const sandbox = await fixture().start(
          'f.handler',
          { env },
          {
            'f.sh':
              'handler() { read -r what n; case $what in x) printf "\\303\\251"; head -c $((n - 2)) /dev/zero | tr "\\0" x ;; *) printf %s "$what" ;; esac; [ "$what" = ok ]; }\n',
          },
        );
        const jqRuns = () =>
          existsSync(log)
            ? readFileSync(log, 'utf8')
                .trimEnd()
                .split('\n')
                .map((line) => /--arg type (\S+)/.exec(line)?.[1])
            : [];
        const fail = async (payload: string, message: string) => {
          const result = await sandbox.invoke({ payload });
          expect(errorBody(result.payload)).toEqual({
            errorMessage: message,
            errorType: 'Function.Unhandled',
            stackTrace: [],
          });
        };
        const long = (n: number) => `é${'x'.repeat(n - 2)}`;
        for (const what of ['ok', 'ok'])
          expect(text((await sandbox.invoke({ payload: `${what}\n` })).payload)).toBe('ok');
        await fail('bad\n', 'bad');
        await fail('x 1024\n', long(1024));
        expect(jqRuns()).toEqual([]); // neither init, a success nor a short message ran it
        await fail('x 1025\n', long(1025));
        expect(jqRuns()).toEqual(['Runtime.Probe', 'Function.Unhandled']);
        await fail('x 70000\n', long(65536)); // cut at 64 KiB
        await fail('bad\n', 'bad');
        expect(jqRuns()).toEqual(['Runtime.Probe', 'Function.Unhandled', 'Function.Unhandled']);
      },
    );

    // od is coreutils' and optional: the image may have only sh and curl, beside the layer's jq.
    const withoutOd = (f: RuntimeFixture, jq: boolean) => ({
      PATH: f.toolDir([
        ...BASE_TOOLS.filter((tool) => tool !== 'od'),
        'curl',
        'cat',
        ...(jq ? ['jq'] : []),
      ]),
    });

    runtimeTest('builds every error body with jq when there is no od', async () => {
      const sandbox = await startFailingWithEvent(withoutOd(fixture(), true));
      for (const message of ['short "one"\n', `${'é'.repeat(600)}\0`]) {
        const result = await sandbox.invoke({ payload: message });
        expect(errorBody(result.payload)).toEqual({
          errorMessage: message,
          errorType: 'Function.Unhandled',
          stackTrace: [],
        });
      }
      const init = await fixture().start('f.missing', { env: withoutOd(fixture(), true) });
      expect((await init.exited()).code).toBe(1);
      expect(errorBody(init.emulator.initError()!.payload).errorMessage).toContain(
        "does not define a function 'missing'",
      );
    });

    runtimeTest('says why when neither jq nor od can encode a message', async () => {
      const sandbox = await startFailingWithEvent(withoutOd(fixture(), false));
      const result = await sandbox.invoke({ payload: 'lost' });
      expect(errorBody(result.payload)).toEqual({
        errorMessage:
          'the message of this error cannot be encoded: there is neither jq nor od on PATH',
        errorType: 'Function.Unhandled',
        stackTrace: [],
      });
      expect(text((await sandbox.invoke({ payload: 'again' })).payload)).toContain(
        'cannot be encoded',
      );
    });

    runtimeTest('serves on after a handler exits, fails under set -e, or is killed', async () => {
      const sandbox = await fixture().start(
        'h.handler',
        {},
        {
          'h.sh':
            'handler() { read -r what; case $what in exit) exit 3 ;; e) set -e; false ;; kill) kill -9 $(sh -c "echo \\$PPID") ;; esac; printf ok; }\n',
        },
      );
      for (const what of ['exit', 'e', 'kill'])
        expect((await sandbox.invoke({ payload: `${what}\n` })).status).toBe('error');
      expect(text((await sandbox.invoke({ payload: 'fine\n' })).payload)).toBe('ok');
    });

    runtimeTest('serves on after a 413 on its answer', async () => {
      const sandbox = await fixture().start(
        'echo.handler',
        {},
        { 'echo.sh': 'handler() { cat; }\n' },
      );
      sandbox.emulator.injectFault({ endpoint: 'response', status: 413 });
      expect((await sandbox.invoke({ payload: 'first' })).status).not.toBe('success');
      expect(text((await sandbox.invoke({ payload: 'second' })).payload)).toBe('second');
    });
  });
});
