import { describeEachShell, eventually, text } from './support.js';

const STREAMING = `LSR_RESPONSE_MODE=streaming
LSR_CONTENT_TYPE=text/plain
handler() {
  read -r what
  printf 'part one,'
  sleep 0.3
  printf ' part two'
  [ "$what" != fail ]
}
`;

describeEachShell(
  'the bootstrap',
  'under %s: streaming and LMI',
  (_shell, { fixture, runtimeTest }) => {
    runtimeTest(
      'streams the response as a chunked POST when the handler file opts in',
      async () => {
        const sandbox = await fixture().start('s.handler', {}, { 's.sh': STREAMING });
        const result = await sandbox.invoke({ payload: 'ok\n', invocationId: 'stream-1' });
        expect(result.status).toBe('success');
        expect(result.streamed).toBe(true);
        expect(text(result.payload)).toBe('part one, part two');
        expect(result.contentType).toBe('text/plain');
        expect(result.requestHeaders['lambda-runtime-function-response-mode']).toBe('streaming');
        expect(result.requestHeaders['transfer-encoding']).toBe('chunked');
        expect(result.requestHeaders['lambda-runtime-invocation-id']).toBe('stream-1');
        expect(text((await sandbox.invoke({ payload: 'again\n' })).payload)).toBe(
          'part one, part two',
        );
      },
    );

    runtimeTest(
      'logs a failure after the stream began, since curl cannot send error trailers',
      async () => {
        const sandbox = await fixture().start('s.handler', {}, { 's.sh': STREAMING });
        const result = await sandbox.invoke({ payload: 'fail\n' });
        expect(text(result.payload)).toBe('part one, part two');
        await eventually(() =>
          text(sandbox.stderr).includes('the handler failed (status 1) while streaming'),
        );
        expect((await sandbox.invoke({ payload: 'ok\n' })).status).toBe('success');
      },
    );

    runtimeTest(
      'reports a failure before the first byte as an ordinary /error; an empty success streams nothing',
      async () => {
        const sandbox = await fixture().start(
          'e.handler',
          {},
          {
            'e.sh': `LSR_RESPONSE_MODE=streaming
handler() {
  read -r what
  case $what in
    fail) echo Function.EarlyFailure >"$LSR_ERROR_TYPE_FILE"; return 3 ;;
    empty) return 0 ;;
    *) printf 'streamed %s' "$what" ;;
  esac
}
`,
          },
        );
        const failed = await sandbox.invoke({ payload: 'fail\n', invocationId: 'early-1' });
        expect(failed.status).toBe('error');
        expect(failed.errorType).toBe('Function.EarlyFailure');
        expect(JSON.parse(text(failed.payload))).toEqual({
          errorMessage: 'the handler exited with status 3',
          errorType: 'Function.EarlyFailure',
          stackTrace: [],
        });
        expect(failed.requestHeaders['lambda-runtime-invocation-id']).toBe('early-1');
        const empty = await sandbox.invoke({ payload: 'empty\n' });
        expect(empty).toMatchObject({ status: 'success', streamed: true });
        expect(empty.payload.length).toBe(0);
        const streamed = await sandbox.invoke({ payload: 'ok\n' });
        expect(streamed).toMatchObject({ status: 'success', streamed: true });
        expect(text(streamed.payload)).toBe('streamed ok');
      },
    );

    // Serial: its bound on the elapsed time is what proves the lanes, and concurrent tests would stretch it.
    runtimeTest.serial(
      'runs AWS_LAMBDA_MAX_CONCURRENCY independent workers, each with its own files',
      async () => {
        const sandbox = await fixture().start(
          'w.handler',
          { maxConcurrency: 4 },
          {
            // $LSR_ERROR_TYPE_FILE is new for each invocation, in its worker's own folder
            'w.sh': 'handler() { sleep 0.5; cat; printf "|%s" "${LSR_ERROR_TYPE_FILE%/*}"; }\n',
          },
        );
        await sandbox.emulator.waitForNext();
        const started = Date.now();
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, index) => sandbox.invoke({ payload: `event-${index}` })),
        );
        const elapsed = Date.now() - started;
        expect(results.map((result) => text(result.payload).split('|')[0])).toEqual(
          Array.from({ length: 8 }, (_, index) => `event-${index}`),
        );
        const workerFolders = new Set(results.map((result) => text(result.payload).split('|')[1]));
        expect(workerFolders.size).toBe(4);
        expect(elapsed).toBeLessThan(2500); // 8 × 0.5 s in 4 lanes, not one after another (4 s)
      },
    );

    runtimeTest('stops every worker when one of them stops', async () => {
      const sandbox = await fixture().start(
        'w.handler',
        { maxConcurrency: 3 },
        {
          'w.sh': 'handler() { cat; }\n',
        },
      );
      await sandbox.emulator.waitForNext();
      sandbox.emulator.injectFault({ endpoint: 'response', status: 500 });
      void sandbox.invoke({ payload: 'x' });
      expect((await sandbox.exited()).code).toBe(1);
      expect(text(sandbox.stderr)).toContain('(HTTP 500); stopping');
    });
  },
);
