import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  LAYERS_JSON,
  SHA256SUMS,
  readLayerZips,
  type LayerZip,
  type LayersDocument,
} from '../dist.js';
import { log } from '../log.js';

/** layers.json when it belongs to this version: an older publish's file must not ship with it. */
async function layersJsonFor(distDir: string, version: string): Promise<string[]> {
  const path = join(distDir, LAYERS_JSON);
  let document: LayersDocument;
  try {
    document = JSON.parse(await readFile(path, 'utf8')) as LayersDocument;
  } catch {
    return [];
  }
  if (document.version === version) return [path];
  log.warning(`${path} is for version ${document.version}, not ${version}: not attached`);
  return [];
}

/**
 * What a release holds, for the action and the CLI alike: the layer zips (every zip of the
 * version, checked against SHA256SUMS, unless the caller has them), SHA256SUMS, and the version's
 * layers.json once publish has written it.
 */
export async function releaseFiles(
  distDir: string,
  version: string,
  zips?: LayerZip[],
): Promise<string[]> {
  zips ??= await readLayerZips(distDir, version);
  return [
    ...zips.map((zip) => zip.path),
    join(distDir, SHA256SUMS),
    ...(await layersJsonFor(distDir, version)),
  ];
}
