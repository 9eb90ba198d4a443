import { run } from '../../src/exec.js';
import { createFakeBin } from '../helpers/fake-bin.js';

describe('fake executables (test/helpers/fake-bin.ts)', () => {
  const bin = createFakeBin();
  afterAll(() => bin.cleanup());

  it('records argv, cwd, chosen env and stdin, and answers from the first matching rule', async () => {
    bin.add(
      'tool',
      [
        { args: ['greet'], times: 1, stdout: 'hello\n' },
        { args: ['greet'], stdout: 'again\n', stderr: 'note\n', exitCode: 3 },
        { match: /--count \d+$/, script: 'printf "%s|" "$@"' },
      ],
      { recordEnv: ['FAKE_TEST_VAR', 'UNSET_VAR'], recordStdin: true, fallback: { exitCode: 9 } },
    );
    const env = bin.env({ FAKE_TEST_VAR: 'x y' });
    expect(await run('tool', ['greet'], { env, input: 'in' })).toEqual({
      exitCode: 0,
      stdout: 'hello\n',
      stderr: '',
    });
    expect(await run('tool', ['greet'], { env })).toEqual({
      exitCode: 3,
      stdout: 'again\n',
      stderr: 'note\n',
    });
    expect((await run('tool', ['a b', '--count', '2'], { env, cwd: '/tmp' })).stdout).toBe(
      'a b|--count|2|',
    );
    expect((await run('tool', ['other'], { env })).exitCode).toBe(9);
    expect(bin.calls('tool')).toEqual([
      {
        name: 'tool',
        args: ['greet'],
        cwd: process.cwd(),
        env: { FAKE_TEST_VAR: 'x y' },
        stdin: 'in',
      },
      {
        name: 'tool',
        args: ['greet'],
        cwd: process.cwd(),
        env: { FAKE_TEST_VAR: 'x y' },
        stdin: '',
      },
      {
        name: 'tool',
        args: ['a b', '--count', '2'],
        cwd: '/tmp',
        env: { FAKE_TEST_VAR: 'x y' },
        stdin: '',
      },
      {
        name: 'tool',
        args: ['other'],
        cwd: process.cwd(),
        env: { FAKE_TEST_VAR: 'x y' },
        stdin: '',
      },
    ]);
  });

  it('can be replaced and removed', async () => {
    bin.add('other', [{ stdout: 'one' }]);
    expect((await run('other', [], { env: bin.env() })).stdout).toBe('one');
    bin.add('other', [{ stdout: 'two' }]);
    expect((await run('other', [], { env: bin.env() })).stdout).toBe('two');
    bin.remove('other');
    await expect(run('other', [], { env: { PATH: bin.dir } })).rejects.toThrow(/ENOENT/);
    expect(bin.allCalls().filter((call) => call.name === 'other')).toHaveLength(2);
  });
});
