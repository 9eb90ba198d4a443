import { text, describeEachShell } from './support.js';

// Counting processes (strace) and 1,000-invocation runs are the benchmark's job: npm run bench.
describeEachShell('the bootstrap', 'under %s: exactly once', (_shell, { fixture, runtimeTest }) => {
  runtimeTest(
    'answers each of 100 invocations once, with its own response, failures included',
    async () => {
      const sandbox = await fixture().start(
        'echo.handler',
        {},
        {
          'echo.sh':
            'handler() { read -r n; [ $((n % 10)) -ne 7 ] || return 1; printf "answer %s" "$n"; }\n',
        },
      );
      const ids: string[] = [];
      for (let n = 0; n < 100; n += 1) {
        const result = await sandbox.invoke({ payload: `${n}\n`, invocationId: `inv-${n}` });
        ids.push(result.requestId);
        if (n % 10 === 7) expect(result.status).toBe('error');
        else expect(text(result.payload)).toBe(`answer ${n}`);
      }
      const answers = sandbox.emulator.requests.filter((request) => request.method === 'POST');
      expect(answers.map((request) => request.path.split('/')[4])).toEqual(ids);
      expect(answers.every((request) => request.status === 202)).toBe(true);
      expect(answers.map((request) => request.headers['lambda-runtime-invocation-id'])).toEqual(
        ids.map((_, n) => `inv-${n}`),
      );
      await sandbox.emulator.waitForNext();
      const nexts = sandbox.emulator.requests.filter((request) => request.path.endsWith('/next'));
      expect(nexts).toHaveLength(101); // one per event, and the one now waiting for the next
    },
  );
});
