import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SHA256SUMS,
  describeZip,
  sha256sumsText,
  writeManifest,
  zipFileName,
  type LayerZip,
  type Manifest,
} from '../dist.js';
import { ARCHITECTURES, type Architecture, type Builder } from '../domain.js';
import { log } from '../log.js';
import { paths } from '../paths.js';
import { checkBuildx, checkDocker, ensureEmulation } from '../docker.js';
import { DEFAULT_BUILDER_NAME, buildxBuild, ensureBuilder } from './buildx.js';
import { formatMiB } from '../format.js';
import { DIRECT_UPLOAD_LIMIT_BYTES } from '../lambda-limits.js';
import { assembleLocalTree } from './local-builder.js';
import { walkTree } from './tree-walk.js';
import { validateLayerTree } from './validate.js';
import { zipTimestamp, zipTree } from './zip.js';

export interface BuildOptions {
  builder: Builder;
  architectures: Architecture[];
  version: string;
  /** The dist folder: zips, SHA256SUMS, manifest.json, and the trees under tree-<arch>/. */
  outDir: string;
  /** AWS CLI v2 version (docker builder); default: the Dockerfile's pinned AWS_CLI_VERSION. */
  awsCliVersion?: string;
  /** Buildx cache specs; `{arch}` becomes the architecture (the edges pick type=gha on Actions). */
  cacheFrom?: string[];
  cacheTo?: string[];
  /** The Buildx builder to create or reuse (default lambda-shell-runtime). */
  builderName?: string;
  /** Zip timestamps (seconds; the edges read SOURCE_DATE_EPOCH); default 1980-01-01. */
  sourceDateEpoch?: number;
}

export interface BuildResult {
  zips: LayerZip[];
  /** Path of SHA256SUMS. */
  sha256sums: string;
  manifest: Manifest;
  unzippedSizes: Partial<Record<Architecture, number>>;
  /** The validated tree of each architecture (what each zip holds). */
  trees: Partial<Record<Architecture, string>>;
}

export const treeDir = (outDir: string, arch: Architecture): string => join(outDir, `tree-${arch}`);

/** Checks Docker, Buildx, emulation and the builder once, before any architecture builds. */
async function prepareDocker(options: BuildOptions): Promise<string> {
  const daemonArch = await checkDocker();
  log.info(`Docker daemon: ${daemonArch}; ${await checkBuildx()}`);
  // The build itself runs no target-arch code (see docker/Dockerfile); QEMU is registered here
  // so the smoke tests that follow can run the foreign-arch layer.
  for (const arch of options.architectures) await ensureEmulation(arch, daemonArch);
  const name = options.builderName ?? DEFAULT_BUILDER_NAME;
  log.info(`Buildx builder ${name}: ${await ensureBuilder(name)}`);
  return name;
}

/** Builds the tree of one architecture into `tree` with the chosen builder. */
async function buildTree(
  options: BuildOptions,
  arch: Architecture,
  tree: string,
  builderName: string,
): Promise<void> {
  await rm(tree, { recursive: true, force: true });
  if (options.builder === 'local') {
    await assembleLocalTree(tree, arch);
    return;
  }
  const cache = { cacheFrom: options.cacheFrom ?? [], cacheTo: options.cacheTo ?? [] };
  await buildxBuild({
    arch,
    dest: tree,
    dockerfile: paths.dockerfile,
    context: paths.dockerContext,
    builderName,
    awsCliVersion: options.awsCliVersion,
    ...cache,
  });
}

interface BuiltLayer {
  zip: LayerZip;
  tree: string;
  unzippedBytes: number;
}

/** One architecture: build the tree, validate it, zip it, report the sizes. */
async function buildArchitecture(
  options: BuildOptions,
  arch: Architecture,
  builderName: string,
  mtime: Date,
): Promise<BuiltLayer> {
  const tree = treeDir(options.outDir, arch);
  await buildTree(options, arch, tree, builderName);
  const entries = await walkTree(tree);
  const { unzippedBytes } = await validateLayerTree(tree, entries, arch, {
    requireAwsCli: options.builder === 'docker',
  });
  const fileName = zipFileName(arch, options.version);
  const zipPath = join(options.outDir, fileName);
  await zipTree(tree, entries, zipPath, mtime);
  const zip = await describeZip(zipPath, fileName, arch, options.version);
  log.info(
    `${fileName}: ${formatMiB(zip.size)} zipped, ${formatMiB(unzippedBytes)} unzipped, sha256 ${zip.sha256}`,
  );
  if (zip.size > DIRECT_UPLOAD_LIMIT_BYTES)
    log.warning(
      `${fileName} is ${formatMiB(zip.size)}, over Lambda's 50 MB direct-upload limit: publish it through S3`,
      { file: zipPath },
    );
  return { zip, tree, unzippedBytes };
}

/**
 * Builds, validates and zips the layer of each architecture into outDir, then writes
 * SHA256SUMS and manifest.json (the dist-folder contract of src/dist.ts).
 */
export async function buildLayers(options: BuildOptions): Promise<BuildResult> {
  await mkdir(options.outDir, { recursive: true });
  const mtime = zipTimestamp(options.sourceDateEpoch);
  const builderName = options.builder === 'docker' ? await prepareDocker(options) : '';
  const zips: LayerZip[] = [];
  const unzippedSizes: BuildResult['unzippedSizes'] = {};
  const trees: BuildResult['trees'] = {};
  for (const arch of options.architectures) {
    const built = await log.group(`build the ${arch} layer (${options.builder} builder)`, () =>
      buildArchitecture(options, arch, builderName, mtime),
    );
    zips.push(built.zip);
    unzippedSizes[arch] = built.unzippedBytes;
    trees[arch] = built.tree;
  }
  // A zip of an architecture not built now would not match the new SHA256SUMS.
  for (const arch of ARCHITECTURES.filter(
    (candidate) => !options.architectures.includes(candidate),
  ))
    await rm(join(options.outDir, zipFileName(arch, options.version)), { force: true });
  const sha256sums = join(options.outDir, SHA256SUMS);
  await writeFile(sha256sums, sha256sumsText(zips));
  const manifest: Manifest = {
    version: options.version,
    builder: options.builder,
    releasable: options.builder === 'docker',
    architectures: options.architectures,
  };
  await writeManifest(options.outDir, manifest);
  return { zips, sha256sums, manifest, unzippedSizes, trees };
}
