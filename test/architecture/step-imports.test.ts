import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/*
 * Steps do not import each other: a step folder (src/build, src/publish, src/retract, … any
 * folder of src/ not listed as shared below) imports only its own files and shared modules.
 * Only the edges, which wire steps together, import steps.
 */
const SRC = resolve('src');
/** Folders that serve several steps: they must not import a step either. */
const SHARED_FOLDERS = new Set(['aws', 'emulator', 'github']);
/** The action's and the CLI's wiring: the only modules that may import steps. */
const EDGES = [/^commands\//, /^bench\//, /^(main|cli|cli-main|index|pipeline|context)\.ts$/];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** The relative module specifiers of a source text, static and dynamic imports and re-exports. */
const specifiersIn = (text: string): string[] =>
  [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]);

/** The relative imports of a file, resolved to paths under src/ ("publish/index.ts"). */
function importsOf(file: string): string[] {
  return specifiersIn(readFileSync(file, 'utf8')).map((specifier) =>
    relative(SRC, resolve(dirname(file), specifier.replace(/\.js$/, '.ts')))
      .split(sep)
      .join('/'),
  );
}

const folderOf = (path: string): string | undefined =>
  path.includes('/') ? path.split('/')[0] : undefined;

/** The step folder a module under src/ belongs to, or undefined for shared and top-level ones. */
const stepOf = (path: string): string | undefined => {
  const folder = folderOf(path);
  return folder && !SHARED_FOLDERS.has(folder) && !EDGES.some((edge) => edge.test(path))
    ? folder
    : undefined;
};

function crossStepImports(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file).split(sep).join('/');
    if (EDGES.some((edge) => edge.test(from))) continue;
    for (const target of importsOf(file)) {
      const step = stepOf(target);
      if (step && step !== stepOf(from)) found.push(`src/${from} imports src/${target}`);
    }
  }
  return found;
}

/**
 * Step modules that touch process.env, with why: a child process inherits this process's
 * environment. Inputs (tokens, URLs, GITHUB_*, SOURCE_DATE_EPOCH…) are read at the edges only.
 */
const ENV_PASSED_TO_CHILDREN = new Set(['layer-test/smoke-local.ts']);

function stepEnvironmentReads(): string[] {
  return sourceFiles(SRC).flatMap((file) => {
    const path = relative(SRC, file).split(sep).join('/');
    if (!stepOf(path) || ENV_PASSED_TO_CHILDREN.has(path)) return [];
    return /process\.env\b/.test(readFileSync(file, 'utf8')) ? [`src/${path}`] : [];
  });
}

describe('module boundaries', () => {
  it('no step reads the environment: the edges read it once and pass typed options', () => {
    expect(stepEnvironmentReads()).toEqual([]);
  });

  it('no step folder, shared folder or shared module imports a step folder', () => {
    expect(crossStepImports()).toEqual([]);
  });

  it('treats every folder of src/ as a step unless it is shared or an edge', () => {
    // A new folder (src/retract) is a step without being listed here.
    expect(stepOf('retract/index.ts')).toBe('retract');
    expect(stepOf('aws/clients.ts')).toBeUndefined();
    expect(stepOf('github/client.ts')).toBeUndefined();
    expect(stepOf('aws-cli/index.ts')).toBe('aws-cli');
    expect(stepOf('commands/publish.ts')).toBeUndefined();
    expect(stepOf('summary.ts')).toBeUndefined();
  });

  it('sees static, type-only and dynamic imports and re-exports', () => {
    const text = [
      "import { x } from '../publish/index.js';",
      "import type { Y } from '../sar/types.js';",
      "export { z } from '../ssm/api.js';",
      "const m = await import('../build/zip.js');",
      "import { log } from 'node:fs';",
    ].join('\n');
    expect(specifiersIn(text)).toEqual([
      '../publish/index.js',
      '../sar/types.js',
      '../ssm/api.js',
      '../build/zip.js',
    ]);
  });
});
