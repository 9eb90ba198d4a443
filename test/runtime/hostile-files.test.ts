import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { which } from '../../src/exec.js';
import {
  errorBody,
  eventually,
  text,
  eachShell,
  terminate,
  waitForFile,
  withSmallTmpdir,
  expectTmpdirFullThenServes,
  withoutJq,
  type RuntimeFixture,
} from './support.js';

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function copyTool(dir: string, tool: string): void {
  copyFileSync(which(tool)!, join(dir, tool));
}

const SWEEP_EVERY = 10; // _LSR_SWEEP_EVERY: the bootstrap's sweep period, 1,000 unless the tests shrink it

/** Handler files and the platform as they are in the wild: what the runtime must survive. */
describe('the bootstrap', () => {
  eachShell('under %s, against what handler files do', (shell, { fixture, runtimeTest }) => {
    const bash = shell.startsWith('bash');

    runtimeTest(
      'confines the file ERR trap and set -E (and bash DEBUG, RETURN, set -T) to the handler',
      async () => {
        const bashOnly = bash
          ? `set -T\ntrap 'echo "RETURN trap" >&2' RETURN\ntrap ': DEBUG trap' DEBUG\n`
          : '';
        const sandbox = await fixture().start(
          'strict.handler',
          {},
          {
            'strict.sh': `set -eu${shell === 'dash' ? '' : 'Eo pipefail\ntrap \'echo "ERR trap at $LINENO" >&2; exit 1\' ERR'}
${bashOnly}helper() { [ "$1" = ok ]; }
handler() { read -r what; helper "$what"; printf 'served %s' "$what"; }
`,
          },
        );
        let returnsAtFirst = 0;
        for (const what of ['ok', 'no', 'ok', 'no', 'ok']) {
          const result = await sandbox.invoke({ payload: `${what}\n` });
          returnsAtFirst ||= count(text(sandbox.stderr), 'RETURN trap');
          if (what === 'ok') expect(text(result.payload)).toBe('served ok');
          else expect(result.status).toBe('error');
        }
        // It fired in the two failing handlers, never in the runtime's own loop (dash has no ERR trap:
        // there the test is the file's set -eu kept out of the loop).
        expect(count(text(sandbox.stderr), 'ERR trap at')).toBe(shell === 'dash' ? 0 : 2);
        // Past init, only the handler's own functions return with the trap: helper and handler.
        if (bash)
          expect(count(text(sandbox.stderr), 'RETURN trap') - returnsAtFirst).toBeLessThanOrEqual(
            2 * 4,
          );
      },
    );

    runtimeTest('never runs a logging ERR trap of the file on its own code', async () => {
      const sandbox = await fixture().start(
        'log.handler',
        {},
        {
          'log.sh': `${shell === 'dash' ? '' : 'set -E\n'}trap 'echo "ERR trap at $LINENO" >&2' ERR\nhandler() { cat; }\n`,
        },
      );
      for (const payload of ['a', 'b', 'c'])
        expect(text((await sandbox.invoke({ payload })).payload)).toBe(payload);
      expect(text(sandbox.stderr)).not.toContain('ERR trap at');
    });

    runtimeTest(
      'answers a successful handler whose output filled TMPDIR with an /error naming the cause',
      async () => {
        const files = {
          'big.sh': `handler() {
  read -r n
  [ "$n" = big ] && head -c 3145728 /dev/zero | tr '\\0' y
  echo "handler finished" >&2
  printf small
}
`,
        };
        await withSmallTmpdir(fixture(), '2m', 'big.handler', files, expectTmpdirFullThenServes);
      },
    );

    runtimeTest('never lets a background job of one invocation read a later event', async () => {
      const sandbox = await fixture().start(
        'leak.handler',
        {},
        {
          // The late read happens while the second invocation runs: each waits for the other's mark.
          'leak.sh': `handler() {
  head -c 3 >/dev/null
  case $LAMBDA_RUNTIME_AWS_REQUEST_ID in
    first) sh -c '${waitForFile('$LAMBDA_TASK_ROOT/second-started')}; echo "LATE READ: [$(cat)]" >&2; : >"$LAMBDA_TASK_ROOT/read"' & ;;
    *) : >"$LAMBDA_TASK_ROOT/second-started"; ${waitForFile('$LAMBDA_TASK_ROOT/read')} ;;
  esac
  printf done
}
`,
        },
      );
      await sandbox.invoke({ requestId: 'first', payload: 'sec-tenant-A-secret' });
      await sandbox.invoke({ requestId: 'second', payload: 'other-tenant-B-private-data' });
      expect(existsSync(join(fixture().taskRoot, 'read'))).toBe(true);
      await eventually(() => text(sandbox.stderr).includes('LATE READ'), 5000, 'the late read');
      expect(text(sandbox.stderr)).not.toContain('tenant-B');
    });

    runtimeTest(
      'never lets a background job set the error type of a later invocation',
      async () => {
        const sandbox = await fixture().start(
          't.handler',
          {},
          {
            't.sh': `handler() {
  read -r what
  case $what in
    a) (${waitForFile('$LAMBDA_TASK_ROOT/b-started')}; echo Function.Stale >"$LSR_ERROR_TYPE_FILE"; : >"$LAMBDA_TASK_ROOT/written") & ;;
    b) : >"$LAMBDA_TASK_ROOT/b-started"; ${waitForFile('$LAMBDA_TASK_ROOT/written')}; return 1 ;;
  esac
}
`,
          },
        );
        expect((await sandbox.invoke({ payload: 'a\n' })).status).toBe('success');
        const failed = await sandbox.invoke({ payload: 'b\n' }); // the late write lands while it runs
        expect(existsSync(join(fixture().taskRoot, 'written'))).toBe(true);
        expect(failed.errorType).toBe('Function.Unhandled');
      },
    );

    runtimeTest(
      'runs its curl with the loader environment of init; the handler gets the file LD_LIBRARY_PATH and LD_PRELOAD',
      async () => {
        // Not lib/: $LAMBDA_TASK_ROOT/lib is on Lambda's own LD_LIBRARY_PATH from the start.
        mkdirSync(join(fixture().taskRoot, 'vendor'));
        writeFileSync(join(fixture().taskRoot, 'vendor', 'libz.so.1'), 'not a library\n');
        const sandbox = await fixture().start(
          'lib.handler',
          {},
          {
            'lib.sh': `export LD_LIBRARY_PATH="$LAMBDA_TASK_ROOT/vendor:$LD_LIBRARY_PATH"
LD_PRELOAD="$LAMBDA_TASK_ROOT/vendor/libz.so.1"; export LD_PRELOAD
handler() { printf '%s|%s' "\${LD_LIBRARY_PATH%%:*}" "\${LD_PRELOAD##*/}"; }
`,
          },
        );
        for (let n = 0; n < 2; n += 1)
          expect(text((await sandbox.invoke({})).payload)).toBe(
            `${fixture().taskRoot}/vendor|libz.so.1`,
          );
      },
    );

    runtimeTest(
      'removes a function named command (and under bash one named unset cannot stop that)',
      async () => {
        const unset = shell === 'bash' ? 'unset() { echo "hijacked unset" >&2; }\n' : '';
        const sandbox = await fixture().start(
          'c.handler',
          {},
          {
            'c.sh': `command() { echo "hijacked command" >&2; }\n${unset}handler() { printf 'served %s' "$(cat)"; }\n`,
          },
        );
        for (const payload of ['a', 'b'])
          expect(text((await sandbox.invoke({ payload })).payload)).toBe(`served ${payload}`);
        expect(text(sandbox.stderr)).not.toContain('hijacked');
      },
    );

    // Serial, as every 500 ms bound: concurrent tests would stretch the exit it times.
    runtimeTest.serial(
      'on SIGTERM runs the file TERM hook and exits within 500 ms though the handler ignores TERM',
      async () => {
        const sandbox = await fixture().start(
          't.handler',
          {},
          {
            't.sh': `trap 'echo "the TERM hook" >&2' TERM\nhandler() { trap '' TERM; echo started >&2; sleep 3; }\n`,
          },
        );
        const pending = sandbox.invoke({});
        await eventually(
          () => text(sandbox.stderr).includes('started'),
          5000,
          'the handler to start',
        );
        const { exit, ms } = await terminate(sandbox);
        expect(exit).toEqual({ code: 0, signal: null });
        expect(ms).toBeLessThan(500);
        expect(text(sandbox.stderr)).toContain('the TERM hook');
        expect(readdirSync(fixture().tmp)).toEqual([]);
        await pending;
      },
    );

    runtimeTest.serial(
      'on SIGTERM while it builds an error body without jq, exits within 500 ms',
      async () => {
        const sandbox = await fixture().start(
          'f.fail',
          { env: withoutJq(fixture()) },
          {
            'f.sh': `fail() { head -c 65536 /dev/zero | tr '\\0' x; echo failed >&2; return 1; }\n`,
          },
        );
        const pending = sandbox.invoke({});
        await eventually(
          () => text(sandbox.stderr).includes('failed'),
          5000,
          'the handler to fail',
        );
        await sleep(100); // the od encoder takes about a second of CPU for 64 KiB
        expect(sandbox.emulator.requests.some((request) => request.method === 'POST')).toBe(false);
        const { exit, ms } = await terminate(sandbox);
        expect(exit).toEqual({ code: 0, signal: null });
        expect(ms).toBeLessThan(500);
        await pending;
      },
    );

    runtimeTest(
      'runs a program without its run bit by the interpreter of its #! line',
      async () => {
        const python = await fixture().start(
          'app.py',
          {},
          {
            'app.py': {
              content:
                '#!/usr/bin/env python3\nimport sys\nsys.stdout.write("py " + sys.stdin.read())\n',
              mode: 0o644,
            },
          },
        );
        expect(text((await python.invoke({ payload: 'in' })).payload)).toBe('py in');
        const plain = await fixture().start(
          'run',
          {},
          { run: { content: 'printf "sh %s" "$(cat)"\n', mode: 0o644 } },
        );
        expect(text((await plain.invoke({ payload: 'in' })).payload)).toBe('sh in');
      },
    );

    runtimeTest.each([
      [
        'a #! line naming no program',
        { content: '#!/nonexistent/python3\nprint(1)\n', mode: 0o644 },
        "names '/nonexistent/python3'",
      ],
      ['a binary', 'binary', 'a binary without its run bit'],
    ])('refuses a program without its run bit at init: %s', async (_name, file, message) => {
      const target = join(fixture().taskRoot, 'prog');
      if (file === 'binary') {
        copyFileSync(which('true')!, target);
        chmodSync(target, 0o644);
      }
      const sandbox = await fixture().start(
        'prog',
        {},
        file === 'binary' ? {} : { prog: file as { content: string; mode: number } },
      );
      expect((await sandbox.exited()).code).toBe(1);
      const report = sandbox.emulator.initError();
      expect(report?.errorType).toBe('Runtime.InvalidEntrypoint');
      expect(errorBody(report!.payload).errorMessage).toContain(message);
      expect(errorBody(report!.payload).errorMessage).toContain('chmod +x');
    });

    runtimeTest(
      'streams the right status of a handler that closes its stdout early, and of one that exits',
      async () => {
        const sandbox = await fixture().start(
          's.handler',
          {},
          {
            's.sh': `LSR_RESPONSE_MODE=streaming
handler() {
  read -r what
  case $what in
    a) printf resp-a; exec >&-; sleep 0.4; return 1 ;;
    b) exec >&-; sleep 0.3; return 4 ;;
    c) exit 5 ;;
    *) printf ok ;;
  esac
}
`,
          },
        );
        const streamed = await sandbox.invoke({ payload: 'a\n' });
        expect(text(streamed.payload)).toBe('resp-a');
        await eventually(() =>
          text(sandbox.stderr).includes('the handler failed (status 1) while streaming'),
        );
        const closed = await sandbox.invoke({ payload: 'b\n' });
        expect(closed.status).toBe('error');
        expect(errorBody(closed.payload).errorMessage).toBe('the handler exited with status 4');
        const exited = await sandbox.invoke({ payload: 'c\n' });
        expect(errorBody(exited.payload).errorMessage).toBe('the handler exited with status 5');
        expect(text((await sandbox.invoke({ payload: 'd\n' })).payload)).toBe('ok');
        expect(text(sandbox.stderr)).not.toMatch(/Illegal number|cannot open|status \)/);
      },
    );

    runtimeTest(
      'leaves no working directory behind when the file sets an EXIT trap and exits while sourced',
      async () => {
        const sandbox = await fixture().start(
          'x.handler',
          {},
          {
            'x.sh': `trap 'echo "the file exit trap" >&2' EXIT\nexit 3\nhandler() { :; }\n`,
          },
        );
        expect((await sandbox.exited()).code).toBe(3);
        expect(text(sandbox.stderr)).toContain('the file exit trap');
        expect(readdirSync(fixture().tmp)).toEqual([]);
      },
    );

    runtimeTest(
      'says why a hyphenated function name stops init where the shell refuses it',
      async () => {
        const sandbox = await fixture().start(
          'h.handler',
          {},
          {
            'h.sh': 'my-helper() { printf hi; }\nhandler() { my-helper; }\n',
          },
        );
        if (shell === 'bash') {
          expect(text((await sandbox.invoke({})).payload)).toBe('hi'); // bash outside POSIX mode takes it
          return;
        }
        expect((await sandbox.exited()).code).toBe(1);
        const report = sandbox.emulator.initError();
        if (shell === 'bash as sh') {
          expect(report?.errorType).toBe('Runtime.HandlerLoadError');
          expect(errorBody(report!.payload).errorMessage).toContain(
            "refuses the function name 'my-helper'",
          );
        } else {
          expect(report?.errorType).toBe('Runtime.UserCodeSyntaxError'); // dash, busybox: a parse error
        }
      },
    );

    runtimeTest.each([
      ['with jq', () => ({})],
      ['without jq', withoutJq],
      [
        'with a jq that drops a trailing NUL, which it does not trust',
        (f: RuntimeFixture) => {
          const env = withoutJq(f);
          writeFileSync(
            join(env.PATH, 'jq'),
            `#!/bin/sh\n${which('jq')} "$@" | sed 's/\\\\u0000//'\n`,
            { mode: 0o755 },
          );
          copyTool(env.PATH, 'sed');
          return env;
        },
      ],
    ])(
      'keeps multibyte text across 4 KiB boundaries and a trailing NUL in a 64 KiB errorMessage, %s',
      async (_name, envFor) => {
        const sandbox = await fixture().start(
          'f.fail',
          { env: envFor(fixture()) },
          {
            'f.sh': 'fail() { cat; return 1; }\n',
          },
        );
        const message = `${'a'.repeat(4095)}${'é'.repeat(30720)}\0`; // 65,536 bytes
        expect(Buffer.byteLength(message)).toBe(65536);
        const result = await sandbox.invoke({
          payload: Buffer.concat([Buffer.from(message), Buffer.from('cut')]),
        });
        expect(errorBody(result.payload).errorMessage).toBe(message);
      },
    );
  });

  eachShell('under %s, over many invocations', (_shell, { fixture, runtimeTest }) => {
    /**
     * Invokes `count` times a handler that echoes its event, then lists its worker's folder as it is
     * while the handler runs; checks the echo and the event in hand, and returns, for each
     * invocation, the invocation numbers of the per-invocation files (`<generation>.<n>.<kind>`)
     * listed, with the period in force and the longest listing.
     */
    async function listEachInvocation(count: number, period: string | undefined) {
      const sandbox = await fixture().start(
        'ls.handler',
        { env: { _LSR_SWEEP_EVERY: period } },
        {
          'ls.sh':
            'handler() { cat; printf "|%s|" "$_lsr_sweep_every"; for f in "${LSR_ERROR_TYPE_FILE%/*}"/*; do printf "%s " "${f##*/}"; done; }\n',
        },
      );
      const kept: number[][] = [];
      const periods = new Set<string>();
      let longest = 0;
      for (let n = 1; n <= count; n += 1) {
        const [event, inForce, files] = text(
          (await sandbox.invoke({ payload: `e${n}` })).payload,
        ).split('|');
        expect(event).toBe(`e${n}`);
        periods.add(inForce);
        const listing = files.trim().split(' ');
        const generation = Math.floor(n / Number(inForce)) % 2;
        expect(listing).toContain(`${generation}.${n}.event`); // the event in hand
        const numbers = listing
          .map((name) => /^[01]\.(\d+)\./.exec(name)?.[1])
          .filter((number) => number !== undefined);
        kept.push([...new Set(numbers.map(Number))].sort((a, b) => a - b));
        longest = Math.max(longest, listing.length);
      }
      return { kept, periods: [...periods], longest };
    }

    /** Invocations first..last. */
    const range = (first: number, last: number) =>
      Array.from({ length: last - first + 1 }, (_, k) => first + k);

    runtimeTest(
      'removes spent per-invocation files every sweep period, never the event in hand or the current generation',
      async () => {
        const { kept, periods, longest } = await listEachInvocation(
          3 * SWEEP_EVERY,
          String(SWEEP_EVERY),
        );
        expect(periods).toEqual([String(SWEEP_EVERY)]);
        for (const [index, numbers] of kept.entries()) {
          const n = index + 1;
          // Invocation n sweeps, before its handler runs, when n + 1 starts a period: the files of the
          // generation before last go; those of this period and of the last one stay.
          const first = Math.max(1, (Math.floor((n + 1) / SWEEP_EVERY) - 1) * SWEEP_EVERY);
          expect(numbers).toEqual(range(first, n));
        }
        expect(longest).toBeLessThanOrEqual(2 * SWEEP_EVERY * 5 + 2); // two periods of files at most: bounded
      },
    );

    runtimeTest.each([
      ['unset', undefined],
      ['not a number', 'ten'],
      ['zero', '0'],
      ['010, with a leading zero', '010'],
    ])('sweeps every 1,000 invocations when _LSR_SWEEP_EVERY is %s', async (_what, period) => {
      const { kept, periods } = await listEachInvocation(SWEEP_EVERY + 2, period);
      expect(periods).toEqual(['1000']);
      expect(kept.at(-1)).toEqual(range(1, SWEEP_EVERY + 2)); // all kept, all of generation 0
    });
  });
});
