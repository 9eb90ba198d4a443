import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaClient, type AwsTuning } from '../aws/clients.js';
import { withAwsErrorContext } from '../aws/errors.js';
import { releaseOf } from '../aws/layer-description.js';
import { readLayerVersion, type LayerVersionRead } from '../aws/layer-version.js';
import { describeZip, parseSha256Sums, SHA256SUMS, zipFileName, type LayerZip } from '../dist.js';
import { messageOf } from '../errors.js';
import { downloadAsset } from '../github/assets.js';
import { connect, type ClientTuning, type RepoClient } from '../github/client.js';
import { findRelease } from '../github/releases.js';
import type { Architecture, Repository } from '../domain.js';
import { log } from '../log.js';
import { fillersNeeded, type Inspected } from './align.js';
import { awsLayerApi, type LayerApi } from './layer-api.js';

/**
 * Alignment by replaying history (align-versions: replay), as Powertools' layer balancer and
 * Datadog's add-region script do: a region behind gets, as versions newest+1 … target-1, the very
 * versions another region (the reference: the one with the most versions) holds at those
 * numbers, the same bytes and the same description, so `:N` is one thing in every region. The
 * bytes come from the GitHub release the description names (its zip checked against its
 * SHA256SUMS), else from the reference version's own content (GetLayerVersion's Content.Location);
 * either way they must hash to the reference's CodeSha256. Every source is fetched before
 * anything is published. A run that fails part way is resumed by running it again: each region
 * starts from its newest version, and the target does not move.
 */

/** Where earlier releases' zips are: the repository the release step publishes to. */
export interface HistorySource {
  token: string;
  repository: Repository;
  apiUrl?: string;
  tuning?: ClientTuning;
}

/** Version `number` of a lagging region's layer, and the reference version it copies. */
export interface ReplayFiller {
  region: string;
  layerName: string;
  arch: Architecture;
  number: number;
  /** The reference version; undefined when no region holds that number any more (deleted). */
  from?: LayerVersionRead & { region: string };
}

/** A filler to publish: its zip and description; undefined publishes a `fill` filler instead. */
export type FillerSource = (number: number) => { zip: LayerZip; description: string } | undefined;

export interface Replay {
  fillers: ReplayFiller[];
  /** The plan of a dry run: one line per filler, with its reference. */
  plan: string[];
  fillerFor(region: string, layerName: string): FillerSource;
  /** Removes the downloaded zips. */
  cleanup(): Promise<void>;
}

type Lagging = Inspected & { region: string };

const clientFor = (region: string, tuning?: AwsTuning): LambdaClient =>
  withAwsErrorContext(lambdaClient(region, tuning), 'lambda', region);

/** Reads, per lagging layer, the reference version of every number it lacks. */
export async function planReplay(
  inspected: readonly Lagging[],
  targets: ReadonlyMap<Architecture, number>,
  clients: (region: string) => LambdaClient = clientFor,
): Promise<ReplayFiller[]> {
  const reads = new Map<string, Promise<LayerVersionRead | undefined>>();
  const read = (layer: Lagging, number: number) => {
    const key = `${layer.region} ${layer.layerName} ${number}`;
    if (!reads.has(key))
      reads.set(key, readLayerVersion(clients(layer.region), layer.layerName, number));
    return reads.get(key)!;
  };
  const fillers: ReplayFiller[] = [];
  for (const layer of inspected) {
    const target = targets.get(layer.zip.arch)!;
    const first = (layer.newest?.version ?? 0) + 1;
    // The regions with the most versions first: they hold the history.
    const references = inspected
      .filter((other) => other !== layer && other.zip.arch === layer.zip.arch)
      .sort((a, b) => (b.newest?.version ?? 0) - (a.newest?.version ?? 0));
    for (let number = first; number < first + fillersNeeded(layer.newest, target); number++) {
      let from: ReplayFiller['from'];
      for (const reference of references) {
        if ((reference.newest?.version ?? 0) < number) break;
        const found = await read(reference, number);
        if (found) {
          from = { ...found, region: reference.region };
          break;
        }
      }
      fillers.push({
        region: layer.region,
        layerName: layer.layerName,
        arch: layer.zip.arch,
        number,
        from,
      });
    }
  }
  return fillers;
}

const sha256 = (bytes: Buffer): Buffer => createHash('sha256').update(bytes).digest();

/** The zip of `release` from its GitHub release, checked against the release's SHA256SUMS. */
async function fromGitHub(
  client: RepoClient,
  release: string,
  arch: Architecture,
): Promise<Buffer> {
  const fileName = zipFileName(arch, release);
  const found = (await findRelease(client, `v${release}`)) ?? (await findRelease(client, release));
  if (!found) throw new Error(`no release v${release}`);
  const zip = found.assets.find((asset) => asset.name === fileName);
  const sums = found.assets.find((asset) => asset.name === SHA256SUMS);
  if (!zip || !sums)
    throw new Error(`release ${found.tag_name} lacks ${zip ? SHA256SUMS : fileName}`);
  const bytes = await downloadAsset(client, zip);
  const listed = parseSha256Sums((await downloadAsset(client, sums)).toString('utf8')).find(
    (entry) => entry.fileName === fileName,
  );
  const actual = sha256(bytes).toString('hex');
  if (!listed) throw new Error(`${SHA256SUMS} of ${found.tag_name} has no line for ${fileName}`);
  if (listed.sha256 !== actual)
    throw new Error(
      `${fileName} of ${found.tag_name} does not match its ${SHA256SUMS} (${actual} != ${listed.sha256})`,
    );
  return bytes;
}

/** The reference version's own zip, from Content.Location (a presigned URL). */
async function fromLocation(location: string): Promise<Buffer> {
  if (!/^https?:\/\//.test(location))
    throw new Error(`its Content.Location is no URL to download (${JSON.stringify(location)})`);
  const response = await fetch(location, { signal: AbortSignal.timeout(300_000) });
  if (!response.ok) throw new Error(`downloading its Content.Location answered ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** A reference's zip, from GitHub else from its content, hashed to the reference's CodeSha256. */
async function fetchSource(
  from: NonNullable<ReplayFiller['from']>,
  arch: Architecture,
  github: RepoClient | undefined,
  dir: string,
): Promise<LayerZip> {
  const release = releaseOf(from.description);
  const failures: string[] = [];
  const sources: [string, () => Promise<Buffer>][] = [];
  if (github && release)
    sources.push([`GitHub release v${release}`, () => fromGitHub(github, release, arch)]);
  else failures.push(github ? 'GitHub: the description names no release' : 'GitHub: no token');
  sources.push([`${from.region}'s content`, () => fromLocation(from.location)]);
  for (const [name, fetchBytes] of sources) {
    try {
      const bytes = await fetchBytes();
      const codeSha256 = sha256(bytes).toString('base64');
      if (codeSha256 !== from.codeSha256)
        throw new Error(`it hashes to ${codeSha256}, the version to ${from.codeSha256}`);
      const fileName = zipFileName(arch, release ?? 'replayed');
      const folder = join(dir, Buffer.from(codeSha256, 'base64').toString('hex').slice(0, 16));
      await mkdir(folder, { recursive: true });
      await writeFile(join(folder, fileName), bytes);
      log.info(`replay: ${from.arn} (${from.description}) from ${name}`);
      return describeZip(join(folder, fileName), fileName, arch, release ?? 'replayed');
    } catch (error) {
      failures.push(`${name}: ${messageOf(error)}`);
    }
  }
  throw new Error(
    `cannot replay ${from.arn} (${from.description}): ${failures.join('; ')}; nothing was published`,
  );
}

/** A dry run's stand-in for a zip it does not download. */
const plannedZip = (from: NonNullable<ReplayFiller['from']>, arch: Architecture): LayerZip => {
  const release = releaseOf(from.description) ?? 'replayed';
  const fileName = zipFileName(arch, release);
  return {
    arch,
    version: release,
    fileName,
    path: `${fileName} of release v${release} (else ${from.region}'s content)`,
    size: 0,
    sha256: Buffer.from(from.codeSha256, 'base64').toString('hex'),
    codeSha256: from.codeSha256,
  };
};

/**
 * Plans the replay and, unless a dry run, fetches every zip it needs (once per distinct zip)
 * before anything is published.
 */
export async function prepareReplay(options: {
  inspected: readonly Lagging[];
  targets: ReadonlyMap<Architecture, number>;
  history?: HistorySource;
  dryRun: boolean;
  tuning?: AwsTuning;
}): Promise<Replay> {
  const fillers = await planReplay(options.inspected, options.targets, (region) =>
    clientFor(region, options.tuning),
  );
  const dir = await mkdtemp(join(tmpdir(), 'lsr-replay-'));
  const zips = new Map<string, LayerZip>();
  const github = options.history
    ? connect(
        options.history.token,
        options.history.repository,
        options.history.apiUrl,
        options.history.tuning,
      )
    : undefined;
  const plan: string[] = [];
  try {
    for (const filler of fillers) {
      const { from } = filler;
      if (!from) {
        log.warning(
          `replay: no region holds ${filler.layerName}:${filler.number} any more (deleted): ${filler.region} gets a fill filler there`,
        );
        plan.push(
          `${filler.region} replay ${filler.layerName}:${filler.number} as a fill filler (no region holds it)`,
        );
        continue;
      }
      plan.push(
        `${filler.region} replay ${filler.layerName}:${filler.number} from ${from.region} (${JSON.stringify(from.description)}, CodeSha256 ${from.codeSha256})`,
      );
      const key = `${filler.arch} ${from.codeSha256}`;
      if (!zips.has(key))
        zips.set(
          key,
          options.dryRun
            ? plannedZip(from, filler.arch)
            : await fetchSource(from, filler.arch, github, dir),
        );
    }
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    fillers,
    plan,
    fillerFor: (region, layerName) => (number) => {
      const filler = fillers.find(
        (candidate) =>
          candidate.region === region &&
          candidate.layerName === layerName &&
          candidate.number === number,
      );
      if (!filler?.from) return undefined;
      return {
        zip: zips.get(`${filler.arch} ${filler.from.codeSha256}`)!,
        description: filler.from.description,
      };
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A dry run's layer API that reads the newest versions for real, so replay can be planned. */
export const readingNewest = (dryRun: LayerApi, region: string, tuning?: AwsTuning): LayerApi => {
  const reads = awsLayerApi(region, tuning);
  return { ...dryRun, newestVersion: (layerName) => reads.newestVersion(layerName) };
};
