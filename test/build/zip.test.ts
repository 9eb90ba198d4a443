import { chmodSync, lstatSync, readFileSync, readlinkSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import yauzl from 'yauzl';
import { walkTree } from '../../src/build/tree-walk.js';
import { zipTimestamp, zipTree } from '../../src/build/zip.js';
import { makeLayerTree, tempDir, removeTempDirs } from './tree-fixture.js';

interface ZipEntryInfo {
  name: string;
  mode: number;
  madeBy: number;
  content: string;
  extraFields: number;
  dosDate: number;
  dosTime: number;
}

function readZip(path: string): Promise<ZipEntryInfo[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, zip) => {
      if (error || !zip) return reject(error);
      const entries: ZipEntryInfo[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        const info = {
          name: entry.fileName,
          mode: entry.externalFileAttributes >>> 16,
          madeBy: entry.versionMadeBy >> 8,
          extraFields: entry.extraFields.length,
          dosDate: entry.lastModFileDate,
          dosTime: entry.lastModFileTime,
        };
        if (entry.fileName.endsWith('/')) {
          entries.push({ ...info, content: '' });
          return zip.readEntry();
        }
        zip.openReadStream(entry, (streamError, stream) => {
          if (streamError || !stream) return reject(streamError);
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('end', () => {
            entries.push({ ...info, content: Buffer.concat(chunks).toString('latin1') });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(entries));
      zip.readEntry();
    });
  });
}

async function zipOf(root: string, name: string, mtime?: Date): Promise<string> {
  const path = join(tempDir('zip-'), name);
  await zipTree(root, await walkTree(root), path, mtime);
  return path;
}

afterAll(removeTempDirs);

describe('deterministic layer zips', () => {
  it('gives byte-identical zips for the same tree, whatever the mtimes and umask', async () => {
    const first = makeLayerTree();
    const second = makeLayerTree();
    // Same content, different metadata: times, group/other bits, and creation order.
    utimesSync(join(second, 'bootstrap'), new Date('2024-05-06'), new Date('2024-05-06'));
    chmodSync(join(second, 'bootstrap'), 0o700);
    chmodSync(join(second, 'aws-cli/_internal/base_library.zip'), 0o600);
    const a = readFileSync(await zipOf(first, 'a.zip'));
    const b = readFileSync(await zipOf(second, 'b.zip'));
    const again = readFileSync(await zipOf(first, 'c.zip'));
    expect(a.equals(again)).toBe(true);
    expect(a.equals(b)).toBe(true);
  });

  it('stores sorted entries without prefix, normalised modes, symlinks as links, one DOS time', async () => {
    const entries = await readZip(await zipOf(makeLayerTree(), 'layer.zip'));
    const modes = Object.fromEntries(entries.map((entry) => [entry.name, entry.mode.toString(8)]));
    expect(entries.map((entry) => entry.name)).toEqual([
      'aws-cli/',
      'aws-cli/_internal/',
      'aws-cli/_internal/base_library.zip',
      'aws-cli/aws',
      'bin/',
      'bin/aws',
      'bin/jq',
      'bootstrap',
      'bootstrap.d/',
      'bootstrap.d/http-bash.sh',
      'lib/',
      'lib/libonig.so.5',
      'lib/libonig.so.5.4.0',
    ]);
    expect(modes).toMatchObject({
      'aws-cli/': '40755',
      'aws-cli/_internal/base_library.zip': '100644',
      'bin/aws': '120777',
      'bin/jq': '100755',
      bootstrap: '100755',
      'bootstrap.d/http-bash.sh': '100644',
      'lib/libonig.so.5': '120777',
    });
    expect(entries.find((entry) => entry.name === 'bin/aws')?.content).toBe('../aws-cli/aws');
    for (const entry of entries) {
      expect(entry.madeBy).toBe(3); // unix, so unzip honours the modes
      expect(entry.extraFields).toBe(0); // no extended timestamp: no wall-clock time leaks in
      expect(entry.dosDate).toBe((0 << 9) | (1 << 5) | 1); // 1980-01-01
      expect(entry.dosTime).toBe(0);
    }
  });

  it('unzips with modes and symlinks intact', async () => {
    const zip = await zipOf(makeLayerTree(0xb7), 'layer.zip');
    const out = tempDir('unzipped-');
    execFileSync('unzip', ['-q', zip, '-d', out]);
    expect(lstatSync(join(out, 'bin/aws')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'bin/aws'))).toBe('../aws-cli/aws');
    expect(lstatSync(join(out, 'bootstrap')).mode & 0o777).toBe(0o755);
    expect(lstatSync(join(out, 'aws-cli/_internal/base_library.zip')).mode & 0o777).toBe(0o644);
    const listing = execFileSync('zipinfo', [zip]).toString();
    expect(listing).toMatch(/^lrwxrwxrwx .* bin\/aws$/m);
  });

  it('takes SOURCE_DATE_EPOCH as UTC and clamps to the DOS epoch', () => {
    const stamp = zipTimestamp(Date.UTC(2024, 1, 3, 4, 5, 6) / 1000);
    expect([stamp.getFullYear(), stamp.getMonth(), stamp.getDate(), stamp.getHours()]).toEqual([
      2024, 1, 3, 4,
    ]);
    const early = zipTimestamp(0);
    expect([early.getFullYear(), early.getMonth(), early.getDate(), early.getHours()]).toEqual([
      1980, 0, 1, 0,
    ]);
  });

  it('gives the same bytes in another time zone', async () => {
    const tree = makeLayerTree();
    const saved = process.env.TZ;
    try {
      process.env.TZ = 'UTC';
      const utc = readFileSync(await zipOf(tree, 'utc.zip', zipTimestamp()));
      process.env.TZ = 'Pacific/Kiritimati'; // UTC+14: a different calendar day
      const far = readFileSync(await zipOf(tree, 'far.zip', zipTimestamp()));
      expect(far.equals(utc)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.TZ;
      else process.env.TZ = saved;
    }
  });
});
