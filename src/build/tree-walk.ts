import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeEntry {
  /** Path relative to the root, '/'-separated, no leading './'. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  /** Permission bits (mode & 0o7777). */
  mode: number;
  /** Bytes on disk for files; the target's length for symlinks; 0 for directories. */
  size: number;
  /** Symlinks only: the link text, unchanged. */
  target?: string;
}

/**
 * Every entry under root (root itself excluded), sorted by path in byte order, so anything built
 * from the list (a zip, a size) depends only on the tree, never on readdir order.
 */
export async function walkTree(root: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  async function visit(relative: string): Promise<void> {
    for (const name of await readdir(join(root, relative))) {
      const path = relative ? `${relative}/${name}` : name;
      const stats = await lstat(join(root, path));
      const mode = stats.mode & 0o7777;
      if (stats.isSymbolicLink()) {
        const target = await readlink(join(root, path));
        entries.push({ path, type: 'symlink', mode, size: Buffer.byteLength(target), target });
      } else if (stats.isDirectory()) {
        entries.push({ path, type: 'directory', mode, size: 0 });
        await visit(path);
      } else if (stats.isFile()) {
        entries.push({ path, type: 'file', mode, size: stats.size });
      } else {
        throw new Error(
          `${join(root, path)}: not a file, folder or symlink; a layer cannot hold it`,
        );
      }
    }
  }
  await visit('');
  return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
