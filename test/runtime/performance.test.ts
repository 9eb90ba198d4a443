import { join } from 'node:path';
import { countProcessesPerInvocation } from '../../src/bench/measure.js';
import { paths } from '../../src/paths.js';
import { shells } from '../helpers/shells.js';
import { RuntimeFixture, useRuntimeFixture, text } from './support.js';

describe.each(shells)('the bootstrap under %s: processes per invocation', (shell) => {
  const fixture = useRuntimeFixture(shell);

  it('launches exactly one process (its curl) per invocation of the example function', async () => {
    const perInvocation = await countProcessesPerInvocation(
      {
        bootstrap: paths.bootstrap,
        taskRoot: paths.examples,
        handler: 'function.handler',
        shell,
        env: { TMPDIR: fixture().tmp },
      },
      50,
      join(fixture().root, 'execve.trace'),
    );
    expect(perInvocation).toBe(1);
  });
});

describe('exactly once (dash)', () => {
  let fixture: RuntimeFixture;
  beforeAll(() => {
    fixture = new RuntimeFixture('dash');
  });
  afterAll(() => fixture.cleanup());

  it('answers each of 1,000 invocations once, with its own response', async () => {
    const sandbox = await fixture.start('echo.handler', {}, {
      'echo.sh': 'handler() { read -r n; [ $((n % 10)) -ne 7 ] || return 1; printf "answer %s" "$n"; }\n',
    });
    const ids: string[] = [];
    for (let n = 0; n < 1000; n += 1) {
      const result = await sandbox.invoke({ payload: `${n}\n`, invocationId: `inv-${n}` });
      ids.push(result.requestId);
      if (n % 10 === 7) expect(result.status).toBe('error');
      else expect(text(result.payload)).toBe(`answer ${n}`);
    }
    const answers = sandbox.emulator.requests.filter((request) => request.method === 'POST');
    expect(answers).toHaveLength(1000);
    expect(answers.map((request) => request.path.split('/')[4])).toEqual(ids);
    expect(answers.every((request) => request.status === 202)).toBe(true);
    await sandbox.emulator.waitForNext();
    const nexts = sandbox.emulator.requests.filter((request) => request.path.endsWith('/next'));
    expect(nexts).toHaveLength(1001); // one per event, and the one now waiting for the next
    expect(answers.map((request) => request.headers['lambda-runtime-invocation-id'])).toEqual(
      ids.map((_, n) => `inv-${n}`),
    );
  }, 120_000);
});
