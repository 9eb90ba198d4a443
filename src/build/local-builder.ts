import { chmod, copyFile, mkdir, realpath } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { run, which } from '../exec.js';
import type { Architecture } from '../domain.js';
import { paths } from '../paths.js';
import { hostArchitecture } from '../platform.js';
import { LAYER_FILES } from './layout.js';

/**
 * Libraries every Lambda host has (glibc and its loader): jq links them from the system, and a
 * copy from this machine's glibc would clash with the host's own loader. Everything else jq
 * needs (libjq, libonig on Debian and AL2023) goes to lib/, which Lambda puts on LD_LIBRARY_PATH.
 */
const SYSTEM_LIBRARY =
  /^(linux-vdso\.so|linux-gate\.so|ld-linux[^/]*\.so|libc\.so|libm\.so|libpthread\.so|libdl\.so|librt\.so|libresolv\.so|libutil\.so)/;

export interface SharedLibrary {
  name: string;
  path: string;
}

/** The `name => path` lines of `ldd` output, without the system libraries. */
export function parseLdd(output: string): SharedLibrary[] {
  const libraries: SharedLibrary[] = [];
  for (const line of output.split('\n')) {
    const match = /^\s*(\S+)\s+=>\s+(\/\S+)\s+\(0x[0-9a-f]+\)/.exec(line);
    if (match && !SYSTEM_LIBRARY.test(basename(match[1])))
      libraries.push({ name: match[1], path: match[2] });
    if (/=>\s+not found/.test(line))
      throw new Error(`ldd cannot find a library jq needs: ${line.trim()}`);
  }
  return libraries;
}

/** The non-system shared libraries of a program, from ldd ([] for a static program). */
async function sharedLibraries(program: string): Promise<SharedLibrary[]> {
  const ldd = await run('ldd', [await realpath(program)]).catch((error: unknown) => {
    throw new Error(
      `cannot list the libraries of ${program}: ldd failed to start (${String(error)})`,
    );
  });
  if (ldd.exitCode === 0) return parseLdd(ldd.stdout);
  if (/not a dynamic executable|statically linked/.test(ldd.stdout + ldd.stderr)) return [];
  throw new Error(`cannot list the libraries of ${program}: ldd: ${ldd.stderr.trim()}`);
}

async function copyExecutable(from: string, to: string): Promise<void> {
  await mkdir(join(to, '..'), { recursive: true });
  await copyFile(await realpath(from), to);
  await chmod(to, 0o755);
}

/**
 * Assembles the layer tree without Docker, for machines without it and for this repo's tests:
 * runtime/bootstrap with bootstrap.d/http-bash.sh, the host's jq and the shared libraries it needs under lib/. Host
 * architecture only, and no AWS CLI: its zips are marked not releasable in manifest.json.
 */
export async function assembleLocalTree(tree: string, arch: Architecture): Promise<void> {
  const host = hostArchitecture();
  if (arch !== host)
    throw new Error(
      `the local builder builds for this machine's architecture only (${host ?? process.arch}), not ${arch}: use the docker builder for ${arch}`,
    );
  const jq = which('jq');
  if (!jq)
    throw new Error(
      'the local builder copies the host\'s jq, and there is no "jq" on PATH: install jq',
    );
  await mkdir(tree, { recursive: true });
  await copyExecutable(paths.bootstrap, join(tree, LAYER_FILES.bootstrap));
  await mkdir(join(tree, LAYER_FILES.httpBash, '..'), { recursive: true });
  await copyFile(paths.httpBash, join(tree, LAYER_FILES.httpBash));
  await chmod(join(tree, LAYER_FILES.httpBash), 0o644);
  await copyExecutable(jq, join(tree, LAYER_FILES.jq));
  const libraries = await sharedLibraries(jq);
  if (libraries.length > 0) await mkdir(join(tree, LAYER_FILES.lib), { recursive: true });
  for (const library of libraries) {
    // Under the soname the loader asks for, with the content of the file it points to.
    const target = join(tree, LAYER_FILES.lib, basename(library.name));
    await copyFile(await realpath(library.path), target);
    await chmod(target, 0o644);
  }
}
