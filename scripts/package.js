// Bundles the action (dist/index.js) and the CLI (dist/cli/index.js) with ncc in ESM mode,
// each with the licenses of what it bundles.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

const ncc = (entry, out) =>
  execFileSync(
    'npx',
    [
      'ncc',
      'build',
      entry,
      '-o',
      out,
      '--license',
      'licenses.txt',
      '--quiet',
      '--target',
      'es2022',
    ],
    { stdio: 'inherit' },
  );

rmSync('dist', { recursive: true, force: true });
ncc('src/index.ts', 'dist');
ncc('src/cli-main.ts', 'dist/cli');
