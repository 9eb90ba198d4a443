import { chmodSync, copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { which } from '../../src/exec.js';
import { BASE_TOOLS, errorBody, eventually, runtimeShells, text, useRuntimeFixture, withSmallTmpdir, expectTmpdirFullThenServes, type RuntimeFixture } from './support.js';

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Handler files and the platform as they are in the wild: what the runtime must survive. */
describe.each(runtimeShells)('the bootstrap under %s, against what handler files do', (shell) => {
  const fixture = useRuntimeFixture(shell);
  const bash = shell.startsWith('bash');
  const withoutJq = (f: RuntimeFixture) => ({ PATH: f.toolDir([...BASE_TOOLS, 'curl', 'cat', 'tr']) });

  it('confines the file ERR trap and set -E (and bash DEBUG, RETURN, set -T) to the handler', async () => {
    const bashOnly = bash ? `set -T\ntrap 'echo "RETURN trap" >&2' RETURN\ntrap ': DEBUG trap' DEBUG\n` : '';
    const sandbox = await fixture().start('strict.handler', {}, {
      'strict.sh': `set -eu${shell === 'dash' ? '' : 'Eo pipefail\ntrap \'echo "ERR trap at $LINENO" >&2; exit 1\' ERR'}
${bashOnly}helper() { [ "$1" = ok ]; }
handler() { read -r what; helper "$what"; printf 'served %s' "$what"; }
`,
    });
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
    if (bash) expect(count(text(sandbox.stderr), 'RETURN trap') - returnsAtFirst).toBeLessThanOrEqual(2 * 4);
  });

  it('never runs a logging ERR trap of the file on its own code', async () => {
    const sandbox = await fixture().start('log.handler', {}, {
      'log.sh': `${shell === 'dash' ? '' : 'set -E\n'}trap 'echo "ERR trap at $LINENO" >&2' ERR\nhandler() { cat; }\n`,
    });
    for (const payload of ['a', 'b', 'c']) expect(text((await sandbox.invoke({ payload })).payload)).toBe(payload);
    expect(text(sandbox.stderr)).not.toContain('ERR trap at');
  });

  it('answers a successful handler whose output filled TMPDIR with an /error naming the cause', async () => {
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
  });

  it('never lets a background job of one invocation read a later event', async () => {
    const sandbox = await fixture().start('leak.handler', {}, {
      'leak.sh': `handler() {
  head -c 3 >/dev/null
  case $LAMBDA_RUNTIME_AWS_REQUEST_ID in
    first) sh -c 'sleep 0.3; echo "LATE READ: [$(cat)]" >&2' & ;;
    *) sleep 0.7 ;;
  esac
  printf done
}
`,
    });
    await sandbox.invoke({ requestId: 'first', payload: 'sec-tenant-A-secret' });
    await sandbox.invoke({ requestId: 'second', payload: 'other-tenant-B-private-data' });
    await eventually(() => text(sandbox.stderr).includes('LATE READ'), 5000, 'the late read');
    expect(text(sandbox.stderr)).not.toContain('tenant-B');
  });

  it('never lets a background job set the error type of a later invocation', async () => {
    const sandbox = await fixture().start('t.handler', {}, {
      't.sh': `handler() {
  read -r what
  case $what in
    a) (sleep 0.3; echo Function.Stale >"$LSR_ERROR_TYPE_FILE") & ;;
    b) sleep 0.6; return 1 ;;
  esac
}
`,
    });
    expect((await sandbox.invoke({ payload: 'a\n' })).status).toBe('success');
    const failed = await sandbox.invoke({ payload: 'b\n' });
    expect(failed.errorType).toBe('Function.Unhandled');
  });

  it('runs its curl with the loader environment of init; the handler gets the file LD_LIBRARY_PATH and LD_PRELOAD', async () => {
    // Not lib/: $LAMBDA_TASK_ROOT/lib is on Lambda's own LD_LIBRARY_PATH from the start.
    mkdirSync(join(fixture().taskRoot, 'vendor'));
    writeFileSync(join(fixture().taskRoot, 'vendor', 'libz.so.1'), 'not a library\n');
    const sandbox = await fixture().start('lib.handler', {}, {
      'lib.sh': `export LD_LIBRARY_PATH="$LAMBDA_TASK_ROOT/vendor:$LD_LIBRARY_PATH"
LD_PRELOAD="$LAMBDA_TASK_ROOT/vendor/libz.so.1"; export LD_PRELOAD
handler() { printf '%s|%s' "\${LD_LIBRARY_PATH%%:*}" "\${LD_PRELOAD##*/}"; }
`,
    });
    for (let n = 0; n < 2; n += 1)
      expect(text((await sandbox.invoke({})).payload)).toBe(`${fixture().taskRoot}/vendor|libz.so.1`);
  });

  it('removes a function named command (and under bash one named unset cannot stop that)', async () => {
    const unset = shell === 'bash' ? 'unset() { echo "hijacked unset" >&2; }\n' : '';
    const sandbox = await fixture().start('c.handler', {}, {
      'c.sh': `command() { echo "hijacked command" >&2; }\n${unset}handler() { printf 'served %s' "$(cat)"; }\n`,
    });
    for (const payload of ['a', 'b']) expect(text((await sandbox.invoke({ payload })).payload)).toBe(`served ${payload}`);
    expect(text(sandbox.stderr)).not.toContain('hijacked');
  });

  it('on SIGTERM runs the file TERM hook and exits within 500 ms though the handler ignores TERM', async () => {
    const sandbox = await fixture().start('t.handler', {}, {
      't.sh': `trap 'echo "the TERM hook" >&2' TERM\nhandler() { trap '' TERM; echo started >&2; sleep 3; }\n`,
    });
    const pending = sandbox.invoke({});
    await eventually(() => text(sandbox.stderr).includes('started'), 5000, 'the handler to start');
    const sent = Date.now();
    process.kill(sandbox.pid!, 'SIGTERM');
    expect(await sandbox.exited()).toEqual({ code: 0, signal: null });
    expect(Date.now() - sent).toBeLessThan(500);
    expect(text(sandbox.stderr)).toContain('the TERM hook');
    expect(readdirSync(fixture().tmp)).toEqual([]);
    await pending;
  });

  it('on SIGTERM while it builds an error body without jq, exits within 500 ms', async () => {
    const sandbox = await fixture().start('f.fail', { env: withoutJq(fixture()) }, {
      'f.sh': `fail() { head -c 65536 /dev/zero | tr '\\0' x; echo failed >&2; return 1; }\n`,
    });
    const pending = sandbox.invoke({});
    await eventually(() => text(sandbox.stderr).includes('failed'), 5000, 'the handler to fail');
    await sleep(100); // the od encoder takes about a second of CPU for 64 KiB
    expect(sandbox.emulator.requests.some((request) => request.method === 'POST')).toBe(false);
    const sent = Date.now();
    process.kill(sandbox.pid!, 'SIGTERM');
    expect(await sandbox.exited()).toEqual({ code: 0, signal: null });
    expect(Date.now() - sent).toBeLessThan(500);
    await pending;
  });

  it('runs a program without its run bit by the interpreter of its #! line', async () => {
    const python = await fixture().start('app.py', {}, {
      'app.py': { content: '#!/usr/bin/env python3\nimport sys\nsys.stdout.write("py " + sys.stdin.read())\n', mode: 0o644 },
    });
    expect(text((await python.invoke({ payload: 'in' })).payload)).toBe('py in');
    const plain = await fixture().start('run', {}, { run: { content: 'printf "sh %s" "$(cat)"\n', mode: 0o644 } });
    expect(text((await plain.invoke({ payload: 'in' })).payload)).toBe('sh in');
  });

  it.each([
    ['a #! line naming no program', { content: '#!/nonexistent/python3\nprint(1)\n', mode: 0o644 }, "names '/nonexistent/python3'"],
    ['a binary', 'binary', 'a binary without its run bit'],
  ])('refuses a program without its run bit at init: %s', async (_name, file, message) => {
    const target = join(fixture().taskRoot, 'prog');
    if (file === 'binary') {
      copyFileSync(which('true')!, target);
      chmodSync(target, 0o644);
    }
    const sandbox = await fixture().start('prog', {}, file === 'binary' ? {} : { prog: file as { content: string; mode: number } });
    expect((await sandbox.exited()).code).toBe(1);
    const report = sandbox.emulator.initError();
    expect(report?.errorType).toBe('Runtime.InvalidEntrypoint');
    expect(errorBody(report!.payload).errorMessage).toContain(message);
    expect(errorBody(report!.payload).errorMessage).toContain('chmod +x');
  });

  it('streams the right status of a handler that closes its stdout early, and of one that exits', async () => {
    const sandbox = await fixture().start('s.handler', {}, {
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
    });
    const streamed = await sandbox.invoke({ payload: 'a\n' });
    expect(text(streamed.payload)).toBe('resp-a');
    await eventually(() => text(sandbox.stderr).includes('the handler failed (status 1) while streaming'));
    const closed = await sandbox.invoke({ payload: 'b\n' });
    expect(closed.status).toBe('error');
    expect(errorBody(closed.payload).errorMessage).toBe('the handler exited with status 4');
    const exited = await sandbox.invoke({ payload: 'c\n' });
    expect(errorBody(exited.payload).errorMessage).toBe('the handler exited with status 5');
    expect(text((await sandbox.invoke({ payload: 'd\n' })).payload)).toBe('ok');
    expect(text(sandbox.stderr)).not.toMatch(/Illegal number|cannot open|status \)/);
  });

  it('names CRLF line endings anywhere in the handler file, not only on its first line', async () => {
    const sandbox = await fixture().start('h.handler', {}, {
      'h.sh': '# a comment saved with LF\nhandler() {\r\n  printf ok\r\n}\r\n',
    });
    expect((await sandbox.exited()).code).toBe(1);
    const report = sandbox.emulator.initError();
    expect(report?.errorType).toBe('Runtime.HandlerLoadError');
    expect(errorBody(report!.payload).errorMessage).toMatch(/has CRLF \(Windows\) line endings.*sed -i/);
  });

  it('leaves no working directory behind when the file sets an EXIT trap and exits while sourced', async () => {
    const sandbox = await fixture().start('x.handler', {}, {
      'x.sh': `trap 'echo "the file exit trap" >&2' EXIT\nexit 3\nhandler() { :; }\n`,
    });
    expect((await sandbox.exited()).code).toBe(3);
    expect(text(sandbox.stderr)).toContain('the file exit trap');
    expect(readdirSync(fixture().tmp)).toEqual([]);
  });

  it('says why a hyphenated function name stops init where the shell refuses it', async () => {
    const sandbox = await fixture().start('h.handler', {}, {
      'h.sh': 'my-helper() { printf hi; }\nhandler() { my-helper; }\n',
    });
    if (shell === 'bash') {
      expect(text((await sandbox.invoke({})).payload)).toBe('hi'); // bash outside POSIX mode takes it
      return;
    }
    expect((await sandbox.exited()).code).toBe(1);
    const report = sandbox.emulator.initError();
    if (shell === 'bash as sh') {
      expect(report?.errorType).toBe('Runtime.HandlerLoadError');
      expect(errorBody(report!.payload).errorMessage).toContain("refuses the function name 'my-helper'");
    } else {
      expect(report?.errorType).toBe('Runtime.UserCodeSyntaxError'); // dash, busybox: a parse error
    }
  });

  it.each([
    ['with jq', () => ({})],
    ['without jq', withoutJq],
    ['with a jq that drops a trailing NUL, which it does not trust', (f: RuntimeFixture) => {
      const env = withoutJq(f);
      writeFileSync(join(env.PATH, 'jq'), `#!/bin/sh\n${which('jq')} "$@" | sed 's/\\\\u0000//'\n`, { mode: 0o755 });
      copyTool(env.PATH, 'sed');
      return env;
    }],
  ])('keeps multibyte text across 4 KiB boundaries and a trailing NUL in a 64 KiB errorMessage, %s', async (_name, envFor) => {
    const sandbox = await fixture().start('f.fail', { env: envFor(fixture()) }, {
      'f.sh': 'fail() { cat; return 1; }\n',
    });
    const message = `${'a'.repeat(4095)}${'é'.repeat(30720)}\0`; // 65,536 bytes
    expect(Buffer.byteLength(message)).toBe(65536);
    const result = await sandbox.invoke({ payload: Buffer.concat([Buffer.from(message), Buffer.from('cut')]) });
    expect(errorBody(result.payload).errorMessage).toBe(message);
  });
});

function copyTool(dir: string, tool: string): void {
  copyFileSync(which(tool)!, join(dir, tool));
}

describe('the bootstrap under dash, over thousands of invocations', () => {
  const fixture = useRuntimeFixture('dash');

  it('removes spent per-invocation files every 1,000 invocations, never the event in hand', async () => {
    const sandbox = await fixture().start('echo.handler', {}, { 'echo.sh': 'handler() { cat; }\n' });
    for (let n = 1; n <= 2001; n += 1) expect(text((await sandbox.invoke({ payload: `e${n}` })).payload)).toBe(`e${n}`);
    const files = readdirSync(join(fixture().tmp, 'lambda-shell-runtime', '1'));
    expect(files).not.toContain('0.1.out'); // the first thousand's, removed at the second wrap
    expect(files).toContain('1.1999.out');
    expect(files.length).toBeLessThan(4 * 1000 + 10);
  }, 120_000);
});
