import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayerZip } from '../dist.js';
import { runChecked } from '../exec.js';

/**
 * Unzips a layer zip into a fresh temp folder, as Lambda extracts it into /opt: the smoke tests
 * run what was shipped, not the tree it came from. `unzip` keeps modes and symlinks.
 */
export async function unzipLayer(zip: LayerZip): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `layer-${zip.arch}-`));
  await runChecked('unzip', ['-q', zip.path, '-d', dir]);
  return dir;
}
