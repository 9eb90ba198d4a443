import { posix } from 'node:path';
import { join } from 'node:path';
import type { Architecture } from '../domain.js';
import { ELF_MACHINE, machineName, readElfMachine } from './elf.js';
import { formatMiB } from '../format.js';
import { UNZIPPED_LIMIT_BYTES } from '../lambda-limits.js';
import { LAYER_FILES } from './layout.js';
import type { TreeEntry } from './tree-walk.js';

/** A layer tree that must not be zipped; the message names the file. */
export class LayerTreeError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(`${file}: ${message}`);
    this.name = 'LayerTreeError';
  }
}

export interface ValidateOptions {
  /** False for the local builder, whose tree has no AWS CLI. */
  requireAwsCli: boolean;
}

export interface TreeReport {
  unzippedBytes: number;
}

/**
 * Follows a symlink chain inside the tree. Layers are mounted at /opt, so an absolute target
 * under /opt/ is read as a path in the tree; anything else that leaves the tree is an error.
 */
function resolveInTree(byPath: Map<string, TreeEntry>, start: string, root: string): TreeEntry {
  let path = start;
  for (let hops = 0; hops < 40; hops++) {
    const entry = byPath.get(path);
    if (!entry)
      throw new LayerTreeError(join(root, start), `points to ${path}, which is not in the layer`);
    if (entry.type !== 'symlink') return entry;
    const target = entry.target ?? '';
    const next = target.startsWith('/')
      ? target.startsWith('/opt/')
        ? target.slice('/opt/'.length)
        : undefined
      : posix.normalize(posix.join(posix.dirname(path), target));
    if (next === undefined || next.startsWith('../') || next === '..')
      throw new LayerTreeError(join(root, start), `symlink to ${target} leaves the layer`);
    path = next;
  }
  throw new LayerTreeError(join(root, start), 'symlink loop');
}

async function checkBinary(
  root: string,
  byPath: Map<string, TreeEntry>,
  relative: string,
  arch: Architecture,
): Promise<void> {
  const file = join(root, relative);
  if (!byPath.has(relative)) throw new LayerTreeError(file, 'missing from the layer tree');
  const entry = resolveInTree(byPath, relative, root);
  if (entry.type !== 'file') throw new LayerTreeError(file, `is a ${entry.type}, not a program`);
  const machine = await readElfMachine(join(root, entry.path));
  if (machine === undefined) throw new LayerTreeError(file, 'is not an ELF executable');
  if (machine !== ELF_MACHINE[arch])
    throw new LayerTreeError(
      file,
      `is built for ${machineName(machine)}, not ${machineName(ELF_MACHINE[arch])} (${arch})`,
    );
}

/**
 * Checks a layer tree before it is zipped, each failure naming the file: bootstrap present and
 * executable, bootstrap.d/http-bash.sh beside it, no top-level opt/ (Lambda extracts layers INTO /opt), jq and the aws binary
 * present and built for `arch`, every symlink resolving inside the layer, and the unzipped size
 * under Lambda's 250 MB limit.
 */
export async function validateLayerTree(
  root: string,
  entries: TreeEntry[],
  arch: Architecture,
  options: ValidateOptions,
): Promise<TreeReport> {
  const byPath = new Map(entries.map((entry) => [entry.path, entry]));
  const bootstrap = byPath.get(LAYER_FILES.bootstrap);
  const bootstrapFile = join(root, LAYER_FILES.bootstrap);
  if (!bootstrap)
    throw new LayerTreeError(bootstrapFile, 'missing: the layer must have bootstrap at its root');
  if (bootstrap.type !== 'file')
    throw new LayerTreeError(bootstrapFile, `is a ${bootstrap.type}, not a file`);
  if ((bootstrap.mode & 0o100) === 0)
    throw new LayerTreeError(
      bootstrapFile,
      `is not executable (mode ${bootstrap.mode.toString(8).padStart(4, '0')})`,
    );
  if (byPath.get(LAYER_FILES.httpBash)?.type !== 'file')
    throw new LayerTreeError(
      join(root, LAYER_FILES.httpBash),
      'missing: the bootstrap sources it under bash (the Runtime API over /dev/tcp)',
    );
  if (byPath.has('opt'))
    throw new LayerTreeError(
      join(root, 'opt'),
      'a top-level opt/ folder would end up at /opt/opt on Lambda; export the layer tree itself',
    );
  await checkBinary(root, byPath, LAYER_FILES.jq, arch);
  if (options.requireAwsCli) {
    if (byPath.get(LAYER_FILES.awsCliDir)?.type !== 'directory')
      throw new LayerTreeError(
        join(root, LAYER_FILES.awsCliDir),
        'missing: the AWS CLI is not in the layer',
      );
    await checkBinary(root, byPath, LAYER_FILES.aws, arch);
  }
  for (const entry of entries)
    if (entry.type === 'symlink') resolveInTree(byPath, entry.path, root);
  const unzippedBytes = entries.reduce((sum, entry) => sum + entry.size, 0);
  if (unzippedBytes > UNZIPPED_LIMIT_BYTES)
    throw new LayerTreeError(
      root,
      `unzipped size ${formatMiB(unzippedBytes)} is over Lambda's 250 MB limit for a function and its layers`,
    );
  return { unzippedBytes };
}
