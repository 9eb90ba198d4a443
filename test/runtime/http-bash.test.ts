import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFraming } from '../../src/emulator/types.js';
import type { LambdaSandbox } from '../../src/emulator/sandbox.js';
import { countExecs, tracedShell } from '../../src/bench/strace.js';
import { which } from '../../src/exec.js';
import { paths } from '../../src/paths.js';
import {
  BASE_TOOLS,
  describeEachShell,
  runtimeSuite,
  text,
  type RuntimeFixture,
} from './support.js';

const KiB = 1024;
const LIMIT = 64 * KiB; // _lsr_tcp_limit: bodies bash carries itself
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
/** Every byte value but NUL, repeated to `size`. */
const binary = (size: number) => Buffer.from(Array.from({ length: size }, (_, i) => (i % 255) + 1));

/** A PATH of the base tools and a curl that records each call, then runs the real one. */
function recordingCurl(fixture: RuntimeFixture): { path: string; calls: () => number } {
  const tools = fixture.toolDir([...BASE_TOOLS, 'cat', 'sha256sum', 'tr']);
  const log = join(fixture.root, 'curl-calls');
  writeFileSync(log, '');
  writeFileSync(
    join(tools, 'curl'),
    `#!/bin/sh\necho call >>"${log}"\nexec ${which('curl')} "$@"\n`,
    { mode: 0o755 },
  );
  return { path: tools, calls: () => readFileSync(log, 'utf8').split('\n').filter(Boolean).length };
}

// The handler answers with what the event asks for: `echo` (the event itself), `sum` (its
// sha256), `nul`, `big N` (N bytes of x), or `fail`.
const HANDLER = `handler() {
  IFS=' ' read -r what rest || :
  case $what in
    sum) { printf '%s\\n' "$what $rest"; cat; } | sha256sum | { read -r sum _; printf '%s' "$sum"; } ;;
    nul) printf 'a\\0b' ;;
    big) head -c "$rest" /dev/zero | tr '\\0' x ;;
    fail) echo Function.Asked >"$LSR_ERROR_TYPE_FILE"; printf 'failed as asked'; return 2 ;;
    *) printf '%s\\n' "$what $rest"; cat ;;
  esac
}
`;

const bashShells = ['bash', 'bash as sh'] as const;

describeEachShell(
  'the Runtime API over /dev/tcp',
  'under %s',
  (_shell, { fixture, runtimeTest }) => {
    async function start(
      env: Record<string, string> = {},
      file = HANDLER,
    ): Promise<{ sandbox: LambdaSandbox; calls: () => number }> {
      const curl = recordingCurl(fixture());
      const sandbox = await fixture().start(
        'h.handler',
        { env: { PATH: curl.path, ...env } },
        { 'h.sh': file },
      );
      return { sandbox, calls: curl.calls };
    }

    runtimeTest(
      'starts no process for events and responses under 64 KiB without NUL (strace)',
      async () => {
        const trace = join(fixture().root, 'trace');
        const sandbox = await fixture().start(
          'h.handler',
          { shell: tracedShell(fixture().command, trace) },
          {
            'h.sh': 'handler() { IFS= read -r line; printf "got %s" "$line"; }\n',
          },
        );
        await sandbox.invoke({ payload: 'warm-up\n' });
        const before = countExecs(readFileSync(trace, 'utf8'));
        const event = `${'e'.repeat(KiB - 1)}\n`;
        for (let n = 0; n < 5; n += 1)
          expect(text((await sandbox.invoke({ payload: event })).payload)).toBe(
            `got ${event.trim()}`,
          );
        expect(countExecs(readFileSync(trace, 'utf8')) - before).toBe(0);
        expect(text(sandbox.stderr)).not.toContain('using curl');
      },
    );

    runtimeTest(
      'hands a response to curl only when it holds a NUL or is over 64 KiB; the bytes arrive whole',
      async () => {
        const { sandbox, calls } = await start();
        expect((await sandbox.invoke({ payload: `big ${LIMIT}\n` })).payload.length).toBe(LIMIT);
        expect(calls()).toBe(0);
        const over = await sandbox.invoke({ payload: `big ${LIMIT + 1}\n` });
        expect(over.payload.equals(Buffer.alloc(LIMIT + 1, 'x'))).toBe(true);
        expect(calls()).toBe(1);
        expect((await sandbox.invoke({ payload: 'nul\n' })).payload).toEqual(Buffer.from('a\0b'));
        expect(calls()).toBe(2);
        expect(text((await sandbox.invoke({ payload: 'echo small\n' })).payload)).toBe(
          'echo small\n',
        );
        expect(calls()).toBe(2);
      },
    );

    runtimeTest(
      'copies an event over 64 KiB with one dd, not curl, and fetches an event with a NUL again with curl',
      async () => {
        const { sandbox, calls } = await start();
        const large = Buffer.concat([Buffer.from('sum large\n'), binary(300 * KiB)]);
        expect(text((await sandbox.invoke({ payload: large })).payload)).toBe(sha(large));
        expect(calls()).toBe(0);
        const withNul = Buffer.concat([Buffer.from('sum nul\n'), Buffer.from('a\0b\0\0c')]);
        expect(text((await sandbox.invoke({ payload: withNul })).payload)).toBe(sha(withNul));
        expect(calls()).toBe(1);
        expect(text((await sandbox.invoke({ payload: 'echo after\n' })).payload)).toBe(
          'echo after\n',
        );
        expect(calls()).toBe(1);
      },
    );

    runtimeTest('streams with curl', async () => {
      const { sandbox, calls } = await start({}, `LSR_RESPONSE_MODE=streaming\n${HANDLER}`);
      const result = await sandbox.invoke({ payload: 'echo streamed\n' });
      expect(result).toMatchObject({ status: 'success', streamed: true });
      expect(text(result.payload)).toBe('echo streamed\n');
      expect(calls()).toBe(1);
    });

    runtimeTest(
      'uses curl for every invocation with LSR_HTTP=curl, and logs nothing about it',
      async () => {
        const { sandbox, calls } = await start({ LSR_HTTP: 'curl' });
        for (let n = 0; n < 3; n += 1)
          expect(text((await sandbox.invoke({ payload: `echo ${n}\n` })).payload)).toBe(
            `echo ${n}\n`,
          );
        expect(calls()).toBe(4); // the first GET, then one per answer
        expect(text(sandbox.stderr)).not.toContain('using curl');
      },
    );

    runtimeTest('refuses an LSR_HTTP it does not know, as an init error', async () => {
      const { sandbox } = await start({ LSR_HTTP: 'wget' });
      const result = await sandbox.invoke({});
      expect(result.status).toBe('error');
      expect(sandbox.emulator.initError()?.errorType).toBe('Runtime.InvalidSetting');
      expect(text(sandbox.emulator.initError()!.payload)).toContain(
        "LSR_HTTP 'wget' is not one of: curl",
      );
    });

    runtimeTest.each([
      [
        'an AWS_LAMBDA_RUNTIME_API it cannot parse',
        'bracketed' as const,
        /using curl for the Runtime API: AWS_LAMBDA_RUNTIME_API '\[::ffff:127\.0\.0\.1\]:\d+' is not host:port/,
      ],
      [
        'a bootstrap without its bootstrap.d',
        'alone' as const,
        /using curl for the Runtime API: \S+\/bootstrap\.d\/http-bash\.sh is missing/,
      ],
    ])('falls back to curl at init, logging it once, for %s', async (_what, how, line) => {
      const curl = recordingCurl(fixture());
      let bootstrap = paths.bootstrap;
      if (how === 'alone') {
        const dir = join(fixture().root, 'opt');
        mkdirSync(dir);
        bootstrap = join(dir, 'bootstrap');
        copyFileSync(paths.bootstrap, bootstrap);
        expect(existsSync(join(dir, 'bootstrap.d'))).toBe(false);
      }
      // The same server through an IPv4-mapped IPv6 literal: curl reaches it, bash's parser refuses it.
      const runtimeApi =
        how === 'bracketed'
          ? (address: string) => `[::ffff:${address.replace(':', ']:')}`
          : undefined;
      const sandbox = await fixture().start(
        'h.handler',
        { bootstrap, runtimeApi, env: { PATH: curl.path } },
        { 'h.sh': HANDLER },
      );
      for (let n = 0; n < 3; n += 1)
        expect(text((await sandbox.invoke({ payload: `echo ${n}\n` })).payload)).toBe(
          `echo ${n}\n`,
        );
      expect(calls(curl)).toBe(4);
      const logged = text(sandbox.stderr)
        .split('\n')
        .filter((entry) => line.test(entry));
      expect(logged).toHaveLength(1);
    });

    runtimeTest(
      "keeps the handler file's shell options, IFS and locale out of the client",
      async () => {
        const file = `set -euo pipefail
set -f
shopt -s xpg_echo extglob nocasematch nullglob failglob lastpipe 2>/dev/null || :
IFS=',:'
export LC_ALL=C.UTF-8
${HANDLER}`;
        const { sandbox, calls } = await start({}, file);
        const utf8 = 'echo héllo € \\n \\c * ? [a] 0x1f\n';
        expect(text((await sandbox.invoke({ payload: utf8, invocationId: 'inv-1' })).payload)).toBe(
          utf8,
        );
        const failed = await sandbox.invoke({ payload: 'fail\n' });
        expect(failed).toMatchObject({ status: 'error', errorType: 'Function.Asked' });
        expect(JSON.parse(text(failed.payload)).errorMessage).toBe('failed as asked');
        expect(calls()).toBe(0);
      },
    );

    runtimeTest('keeps fd 201 away from the handler', async () => {
      const { sandbox } = await start(
        {},
        'handler() { if { printf leaked >&201; } 2>/dev/null; then printf open; else printf closed; fi; }\n',
      );
      expect(text((await sandbox.invoke({})).payload)).toBe('closed');
      expect(text((await sandbox.invoke({})).payload)).toBe('closed');
    });
  },
  bashShells,
);

const calls = (curl: { calls: () => number }) => curl.calls();

// The core of the runtime suite under each /next framing: bash's client and curl must agree.
const framings: NextFraming[] = ['go', 'chunked', 'close', 'slow', 'reset'];
describe('/next framed', () => {
  for (const [framing, shell] of framings.flatMap((framing) =>
    [...bashShells, 'dash' as const].map((shell) => [framing, shell] as const),
  )) {
    const { fixture, runtimeTest } = runtimeSuite(
      shell,
      `${framing}, the bootstrap under ${shell}`,
    );

    runtimeTest(
      'delivers every event byte for byte with its context, and answers each once',
      async () => {
        const sandbox = await fixture().start('h.handler', { framing }, { 'h.sh': HANDLER });
        const events = [
          Buffer.from('echo \n'),
          Buffer.from('echo small\n'),
          Buffer.from(`echo ${'2'.repeat(2049)}\n`), // over Go's buffer: chunked under 'go'
          Buffer.concat([Buffer.from('sum mixed\n'), binary(5000), Buffer.from('\r\n\r\n0\r\n')]),
          Buffer.concat([Buffer.from('sum large\n'), binary(LIMIT + 10)]),
          Buffer.from('echo héllo €\n'),
        ];
        for (const event of events) {
          const result = await sandbox.invoke({ payload: event, invocationId: 'inv' });
          const expected =
            event.subarray(0, 4).toString() === 'sum ' ? sha(event) : event.toString();
          expect(text(result.payload)).toBe(expected);
        }
        const failed = await sandbox.invoke({ payload: 'fail\n' });
        expect(failed).toMatchObject({ status: 'error', errorType: 'Function.Asked' });
        const posts = sandbox.emulator.requests.filter((request) => request.method === 'POST');
        expect(posts).toHaveLength(events.length + 1);
        expect(posts.every((request) => request.status === 202)).toBe(true);
      },
    );

    runtimeTest('exports the context of each event and none of the one before', async () => {
      const sandbox = await fixture().start(
        'ctx.handler',
        { framing },
        {
          'ctx.sh': `handler() { cat >/dev/null; printf '%s|%s|%s' "$LAMBDA_RUNTIME_AWS_REQUEST_ID" "\${LAMBDA_RUNTIME_CLIENT_CONTEXT-unset}" "\${_X_AMZN_TRACE_ID-unset}"; }\n`,
        },
      );
      const first = await sandbox.invoke({
        clientContext: '{"a":1}',
        traceId: 'Root=1-abc;Sampled=1',
        requestId: 'req-1',
      });
      expect(text(first.payload)).toBe('req-1|{"a":1}|Root=1-abc;Sampled=1');
      const second = await sandbox.invoke({ traceId: null, requestId: 'req-2' });
      expect(text(second.payload)).toBe('req-2|unset|unset');
    });
  }
});
