import { createHash } from 'node:crypto';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from './errors.js';
import { ARCHITECTURES, type Architecture, type Builder } from './domain.js';

/**
 * The dist folder is the contract between the steps: build writes it, test, release, publish and
 * sar read it. It holds lambda-shell-runtime-<arch>-<version>.zip per architecture, SHA256SUMS,
 * manifest.json (who built it and whether it may be released) and, after publish, layers.json.
 */

export const SHA256SUMS = 'SHA256SUMS';
/** The dist folder of the action (dist-dir) and of every CLI command (--dist-dir) by default. */
export const DEFAULT_DIST_DIR = 'lambda-shell-runtime-dist';
export const MANIFEST = 'manifest.json';
export const LAYERS_JSON = 'layers.json';

export const zipFileName = (arch: Architecture, version: string): string =>
  `lambda-shell-runtime-${arch}-${version}.zip`;

export interface LayerZip {
  arch: Architecture;
  version: string;
  fileName: string;
  path: string;
  size: number;
  /** Hex SHA-256, as in SHA256SUMS. */
  sha256: string;
  /** Base64 SHA-256: Lambda's CodeSha256 for this zip. */
  codeSha256: string;
}

export interface Manifest {
  version: string;
  builder: Builder;
  /** False for the local builder: its zips carry the host's jq and no AWS CLI, never a release. */
  releasable: boolean;
  architectures: Architecture[];
}

export async function describeZip(
  path: string,
  fileName: string,
  arch: Architecture,
  version: string,
): Promise<LayerZip> {
  const bytes = await readFile(path);
  const digest = createHash('sha256').update(bytes).digest();
  return {
    arch,
    version,
    fileName,
    path,
    size: bytes.length,
    sha256: digest.toString('hex'),
    codeSha256: digest.toString('base64'),
  };
}

/** One line of SHA256SUMS (sha256sum's format: hex, two spaces or " *", the file name). */
export interface SumEntry {
  sha256: string;
  fileName: string;
}

export function parseSha256Sums(text: string): SumEntry[] {
  const entries: SumEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+?)\r?$/.exec(line);
    if (match) entries.push({ sha256: match[1].toLowerCase(), fileName: match[2] });
  }
  return entries;
}

export const sha256sumsText = (zips: LayerZip[]): string =>
  zips.map((zip) => `${zip.sha256}  ${zip.fileName}\n`).join('');

export async function writeManifest(distDir: string, manifest: Manifest): Promise<void> {
  await writeFile(join(distDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}

export async function readManifest(distDir: string): Promise<Manifest> {
  try {
    return JSON.parse(await readFile(join(distDir, MANIFEST), 'utf8')) as Manifest;
  } catch (error) {
    throw new Error(
      `${join(distDir, MANIFEST)} is missing or unreadable: build the layers first (${String(error)})`,
      { cause: error },
    );
  }
}

/** Zips from the local builder carry the host's jq and no AWS CLI: never ship them by accident. */
export async function assertReleasable(
  distDir: string,
  dryRun: boolean,
  allowUnreleasable = false,
): Promise<void> {
  if (dryRun || allowUnreleasable) return;
  const manifest = await readManifest(distDir);
  if (!manifest.releasable) throw new UnreleasableError(distDir, manifest.builder);
}

/** Local-builder zips where a release needs real ones; the CLI adds how to ship them anyway. */
export class UnreleasableError extends InputError {
  constructor(distDir: string, builder: string) {
    super(
      'dist-dir',
      distDir,
      `zips from a releasable build; these come from the ${builder} builder (host jq, no AWS CLI). Rebuild with the docker builder`,
    );
  }
}

/**
 * The layer zips of a dist folder for `version` (every architecture present), each checked
 * against SHA256SUMS, so a step never ships a file that changed after the build.
 */
export async function readLayerZips(distDir: string, version: string): Promise<LayerZip[]> {
  const names = new Set(await readdir(distDir));
  const sums = new Map<string, string>();
  if (names.has(SHA256SUMS))
    for (const entry of parseSha256Sums(await readFile(join(distDir, SHA256SUMS), 'utf8')))
      sums.set(entry.fileName, entry.sha256);
  const zips: LayerZip[] = [];
  for (const arch of ARCHITECTURES) {
    const fileName = zipFileName(arch, version);
    if (!names.has(fileName)) continue;
    const zip = await describeZip(join(distDir, fileName), fileName, arch, version);
    const expected = sums.get(fileName);
    if (!expected) throw new Error(`${fileName} has no line in ${join(distDir, SHA256SUMS)}`);
    if (expected !== zip.sha256)
      throw new Error(`${fileName} does not match ${SHA256SUMS}: ${zip.sha256} != ${expected}`);
    zips.push(zip);
  }
  if (zips.length === 0)
    throw new Error(`no ${zipFileName('<arch>' as Architecture, version)} in ${distDir}`);
  return zips;
}

/** layers.json: what consumers pin, {region: {arch: arn}} plus the version and each zip's sha256. */
export interface LayersDocument {
  version: string;
  layers: Record<string, Partial<Record<Architecture, string>>>;
  sha256: Partial<Record<Architecture, string>>;
}

export async function writeLayersJson(distDir: string, document: LayersDocument): Promise<string> {
  const path = join(distDir, LAYERS_JSON);
  await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
  return path;
}
