import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import yazl from 'yazl';
import type { TreeEntry } from './tree-walk.js';

const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;

/**
 * The zip timestamp: SOURCE_DATE_EPOCH (seconds) when given, else 1980-01-01 00:00:00, the
 * earliest DOS time. yazl writes DOS fields from the Date's LOCAL parts, so the UTC parts are
 * copied into a local Date: the bytes are then the same in every time zone.
 */
export function zipTimestamp(sourceDateEpoch?: number): Date {
  const utc = new Date(
    sourceDateEpoch !== undefined ? sourceDateEpoch * 1000 : Date.UTC(1980, 0, 1),
  );
  const clamped = utc.getUTCFullYear() < 1980 ? new Date(Date.UTC(1980, 0, 1)) : utc;
  return new Date(
    clamped.getUTCFullYear(),
    clamped.getUTCMonth(),
    clamped.getUTCDate(),
    clamped.getUTCHours(),
    clamped.getUTCMinutes(),
    clamped.getUTCSeconds(),
  );
}

/**
 * Normalised unix modes: what a layer needs and nothing that depends on the builder's umask.
 * Executables (any x bit) and directories 0755, other files 0644, symlinks 0777.
 */
export function zipMode(entry: TreeEntry): number {
  if (entry.type === 'symlink') return S_IFLNK | 0o777;
  if (entry.type === 'directory') return S_IFDIR | 0o755;
  return S_IFREG | (entry.mode & 0o111 ? 0o755 : 0o644);
}

/**
 * Zips a tree deterministically: entries in the given (sorted) order with no prefix, one fixed
 * timestamp and no extended-time field, normalised modes, symlinks stored as links (their
 * target as content, mode S_IFLNK|0777, as Info-ZIP's `zip -y` does), folders as entries.
 * The same tree therefore gives the same bytes, and Lambda's CodeSha256 stays stable.
 */
export async function zipTree(
  root: string,
  entries: TreeEntry[],
  zipPath: string,
  mtime: Date = zipTimestamp(),
): Promise<void> {
  const zip = new yazl.ZipFile();
  const common = { mtime, forceDosTimestamp: true };
  for (const entry of entries) {
    const mode = zipMode(entry);
    if (entry.type === 'directory') {
      zip.addEmptyDirectory(entry.path, { ...common, mode });
    } else if (entry.type === 'symlink') {
      zip.addBuffer(Buffer.from(entry.target ?? ''), entry.path, {
        ...common,
        mode,
        compress: false,
      });
    } else {
      zip.addFile(join(root, entry.path), entry.path, { ...common, mode, compress: true });
    }
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath));
}
