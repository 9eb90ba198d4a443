import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { run, which } from '../../src/exec.js';
import { paths } from '../../src/paths.js';

describe('shellcheck', () => {
  it('finds nothing in runtime/bootstrap and examples/*.sh (POSIX sh)', async () => {
    if (!which('shellcheck'))
      throw new Error('shellcheck is not installed (apt-get install -y shellcheck)');
    const examples = readdirSync(paths.examples)
      .filter((name) => name.endsWith('.sh'))
      .map((name) => join(paths.examples, name));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    const result = await run('shellcheck', ['-s', 'sh', paths.bootstrap, ...examples]);
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });

  it('finds nothing in runtime/bootstrap.d/http-bash.sh (bash)', async () => {
    const result = await run('shellcheck', ['-s', 'bash', paths.httpBash]);
    expect(result.stdout).toBe('');
    expect(result.exitCode).toBe(0);
  });
});
