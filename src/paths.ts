import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: the folder holding runtime/bootstrap. Found by walking up from this module,
 * so it is right from src/ (tests) and dist/ (the bundle the action and the CLI run) alike.
 */
function findPackageRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'runtime', 'bootstrap'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package root above ${start}`);
    dir = parent;
  }
  return dir;
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

export const paths = {
  bootstrap: join(packageRoot, 'runtime', 'bootstrap'),
  httpBash: join(packageRoot, 'runtime', 'bootstrap.d', 'http-bash.sh'),
  examples: join(packageRoot, 'examples'),
  dockerfile: join(packageRoot, 'docker', 'Dockerfile'),
  dockerContext: packageRoot,
  templates: join(packageRoot, 'template'),
  readme: join(packageRoot, 'README.md'),
  license: join(packageRoot, 'LICENSE'),
};
