import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { releaseOf } from '../aws/layer-description.js';
import {
  checkRegions,
  parseLayerVersionArn,
  readLayersJson,
  regionLayers,
  type LayersRecord,
  type RegionLayer,
} from '../aws/layers-json.js';
import type { Plan } from '../aws/plan.js';
import type { AwsTuning } from '../aws/clients.js';
import { awsSsmApi, dryRunSsmApi, type SsmApi } from '../aws/ssm-api.js';
import {
  archPath,
  latestName,
  releaseParameters,
  retractedName,
  retractedPath,
  retractedVersions,
} from '../aws/ssm-names.js';
import { settleAll } from '../concurrency.js';
import { LAYERS_JSON } from '../dist.js';
import { InputError, messageOf } from '../errors.js';
import { log } from '../log.js';
import { textTable } from '../table.js';
import {
  laterReleasesSharing,
  markRelease,
  mergeRetracted,
  openRelease,
  releaseLayersJson,
  type GitHubTarget,
  type MarkOutcome,
  type OpenedRelease,
} from './github.js';
import {
  awsRetractLambdaApi,
  dryRunRetractLambdaApi,
  type RetractLambdaApi,
} from './lambda-api.js';
import { latestAfterRetract } from './latest.js';

export type { GitHubTarget } from './github.js';

/**
 * Retracts a release: its layer versions unshared (the publish step's lsr-* statements removed)
 * or deleted, SSM latest moved back to the newest release not retracted, the GitHub release
 * marked. A release is known to be retracted by the SSM marker <prefix>/<arch>/retracted/<version>
 * in each region (what the ssm and retract steps read, next to the ARNs they compare) and, for
 * people, by the GitHub release's title, notes and layers.json "retracted".
 */
export interface RetractOptions {
  version: string;
  /** A folder with the release's layers.json; '' takes it from the GitHub release's asset. */
  distDir: string;
  /** Regions to retract (each in layers.json); empty: every region of layers.json. */
  regions: string[];
  reason: string;
  /** Delete the layer versions too (else only unshare them). */
  delete: boolean;
  /** Unshare a version another release shares (the same bytes, reused). */
  force: boolean;
  dryRun: boolean;
  /** The SSM prefix of the ssm step; '' leaves SSM alone. */
  ssmPrefix: string;
  /** The GitHub release to read layers.json from and mark; undefined: not marked. */
  github?: GitHubTarget;
  concurrency?: number;
  lambdaApi?: (region: string) => RetractLambdaApi;
  ssmApi?: (region: string) => SsmApi;
  /** AWS's pacing (the SDK's unless tests shrink it). */
  tuning?: AwsTuning;
}

/** One region × architecture. */
export interface RetractOutcome {
  region: string;
  arch: RegionLayer['arch'];
  arn: string;
  status: 'retracted' | 'unchanged' | 'planned' | 'failed';
  /** Statement ids removed (or, in a dry run, to remove). */
  unshared: string[];
  version: 'kept' | 'deleted' | 'gone';
  /** What happened to <prefix>/<arch>/latest. */
  latest: string;
  detail: string;
}

export interface RetractResult {
  version: string;
  layers: RetractOutcome[];
  release?: MarkOutcome & { tag: string };
  plan: string[];
}

export class RetractError extends Error {
  constructor(
    message: string,
    readonly result?: RetractResult,
  ) {
    super(message);
    this.name = 'RetractError';
  }
}

const SHARED_PREFIX = 'lsr-';
const DELETE_WARNING =
  'Deleting a layer version stops new functions (and updates) from using it; functions that already use it keep working, as AWS documents: a deleted version cannot be restored.';

export function retractTable(outcomes: readonly RetractOutcome[]): string {
  return textTable(
    ['region', 'arch', 'layer version', 'unshared', 'version', 'latest', 'outcome'],
    outcomes.map((row) => [
      row.region,
      row.arch,
      row.arn,
      row.unshared.join(',') || '-',
      row.version,
      row.latest || '-',
      row.detail ? `${row.status}: ${row.detail}` : row.status,
    ]),
  );
}

/** What the reads found of one layer: its facts, and who else uses the version. */
interface Inspection {
  layer: RegionLayer;
  api: RetractLambdaApi;
  ssm?: SsmApi;
  exists: boolean;
  /** Other releases whose layers are this very version. */
  sharedWith: string[];
}

async function loadDocument(
  options: RetractOptions,
  opened: OpenedRelease | undefined,
): Promise<LayersRecord> {
  if (options.distDir) {
    const document: LayersRecord = await readLayersJson(options.distDir);
    if (document.version !== options.version)
      throw new InputError(
        'dist-dir',
        options.distDir,
        `the ${LAYERS_JSON} of ${options.version} (it is of ${document.version})`,
      );
    return document;
  }
  if (!options.github)
    throw new InputError(
      'dist-dir',
      '',
      `a folder with the ${LAYERS_JSON} of ${options.version}, or a GitHub repository and token to read it from the release`,
    );
  if (!opened) {
    const { owner, repo } = options.github.repository;
    throw new Error(
      `no release ${options.github.tag} in ${owner}/${repo} to read ${LAYERS_JSON} from: give the dist folder (dist-dir) that holds the ${LAYERS_JSON} publish wrote`,
    );
  }
  const document = await releaseLayersJson(opened);
  if (document.version !== options.version)
    throw new Error(
      `the ${LAYERS_JSON} of release ${opened.release.tag_name} is of version ${document.version}, not ${options.version}`,
    );
  return document;
}

async function inspect(
  layer: RegionLayer,
  options: RetractOptions,
  document: LayersRecord,
  apis: { lambda: RetractLambdaApi; ssm?: SsmApi },
  laterReleases: ReadonlyMap<string, string[]>,
): Promise<Inspection> {
  const arn = parseLayerVersionArn(layer.arn)!;
  const facts = await apis.lambda.version(arn);
  const sharedWith = new Set<string>();
  // Who first published it: the version's own description, else what publish recorded.
  const recorded = document.versions?.find(
    (entry) => entry.region === layer.region && entry.arch === layer.arch,
  )?.firstPublishedBy;
  const owner = (facts && releaseOf(facts.description)) ?? recorded;
  if (owner && owner !== options.version) sharedWith.add(owner);
  for (const version of laterReleases.get(layer.arn) ?? [])
    if (version !== options.version) sharedWith.add(version);
  if (apis.ssm) {
    const parameters = await apis.ssm.parameters(archPath(options.ssmPrefix, layer.arch));
    for (const entry of releaseParameters(parameters, options.ssmPrefix, layer.arch))
      if (entry.value === layer.arn && entry.version !== options.version)
        sharedWith.add(entry.version);
  }
  return {
    layer,
    api: apis.lambda,
    ssm: apis.ssm,
    exists: facts !== undefined,
    sharedWith: [...sharedWith],
  };
}

/** Removes every lsr-* statement; reads the policy again, since an endpoint may hold duplicates. */
async function unshare(
  inspection: Inspection,
  dryRun: boolean,
): Promise<{ removed: string[]; others: string[] }> {
  const arn = parseLayerVersionArn(inspection.layer.arn)!;
  const removed: string[] = [];
  for (let round = 0; round < 3; round++) {
    const all = await inspection.api.statementIds(arn);
    // Statements the publish step did not add (someone shared it by hand) are not ours to remove.
    const others = all.filter((id) => !id.startsWith(SHARED_PREFIX));
    const ids = all.filter((id) => id.startsWith(SHARED_PREFIX));
    if (ids.length === 0) return { removed, others };
    for (const id of ids) {
      await inspection.api.removeStatement(arn, id);
      if (!removed.includes(id)) removed.push(id);
    }
    if (dryRun) return { removed, others };
  }
  throw new Error(
    `${inspection.layer.arn} still holds ${SHARED_PREFIX}* statements after 3 rounds of removal`,
  );
}

async function moveLatest(
  inspection: Inspection,
  options: RetractOptions,
): Promise<{ latest: string; changed: boolean }> {
  const ssm = inspection.ssm;
  if (!ssm) return { latest: '', changed: false };
  const { arch, region } = inspection.layer;
  const prefix = options.ssmPrefix;
  // The marker first: a failure before latest moves leaves a record a re-run completes.
  const markers = await ssm.parameters(retractedPath(prefix, arch));
  const marker = retractedName(prefix, arch, options.version);
  const value = options.reason || 'retracted';
  let changed = false;
  if (markers.get(marker) !== value) {
    await ssm.put({
      name: marker,
      value,
      description: `lambda-shell-runtime ${options.version} is retracted (${arch}, ${region}): the value says why`,
    });
    changed = true;
  }
  const retracted = retractedVersions(markers);
  retracted.add(options.version);
  const parameters = await ssm.parameters(archPath(prefix, arch));
  const latest = latestName(prefix, arch);
  const move = latestAfterRetract(parameters, parameters.get(latest), prefix, arch, retracted);
  if (move.kind === 'move') {
    await ssm.put({
      name: latest,
      value: move.value,
      description: `lambda-shell-runtime layer version ARN of the latest release, now ${move.to} (${arch}, ${region})`,
    });
    return { latest: `moved to ${move.to}`, changed: true };
  }
  if (move.kind === 'orphan') log.warning(`${region} ${latest}: ${move.reason}`);
  return { latest: move.kind === 'orphan' ? `kept: ${move.reason}` : 'kept', changed };
}

async function retractLayer(
  inspection: Inspection,
  options: RetractOptions,
): Promise<RetractOutcome> {
  const { layer } = inspection;
  const arn = parseLayerVersionArn(layer.arn)!;
  let unshared: string[] = [];
  let others: string[] = [];
  let version: RetractOutcome['version'] = inspection.exists ? 'kept' : 'gone';
  if (inspection.exists) {
    ({ removed: unshared, others } = await unshare(inspection, options.dryRun));
    if (options.delete) {
      await inspection.api.deleteVersion(arn);
      version = 'deleted';
    }
  }
  const latest = await moveLatest(inspection, options);
  const changed = unshared.length > 0 || version === 'deleted' || latest.changed;
  const notes = [
    inspection.exists ? '' : 'the version no longer exists',
    inspection.sharedWith.length ? `forced: also ${inspection.sharedWith.join(', ')}'s` : '',
    others.length && version !== 'deleted'
      ? `still shared by statements publish did not add: ${others.join(', ')}`
      : '',
  ];
  return {
    region: layer.region,
    arch: layer.arch,
    arn: layer.arn,
    status: !changed ? 'unchanged' : options.dryRun ? 'planned' : 'retracted',
    unshared,
    version,
    latest: latest.latest,
    detail: notes.filter(Boolean).join('; '),
  };
}

const failedRow = (layer: RegionLayer, error: unknown): RetractOutcome => ({
  region: layer.region,
  arch: layer.arch,
  arn: layer.arn,
  status: 'failed',
  unshared: [],
  version: 'kept',
  latest: '',
  detail: messageOf(error),
});

/**
 * The reuse guard: versions other releases share are refused, naming both, before any write.
 * Sharing shows in the version's description (it names its first release), another release's
 * SSM version parameter holding the same ARN, or a later GitHub release's layers.json.
 */
function refusals(inspections: readonly Inspection[], version: string): string[] {
  return inspections
    .filter((inspection) => inspection.sharedWith.length > 0)
    .map(
      ({ layer, sharedWith }) =>
        `${layer.arn} (${layer.region} ${layer.arch}) is the layer of ${version} and of ${sharedWith.join(', ')} (the same bytes, reused): retracting ${version} would take it from ${sharedWith.join(', ')} too`,
    );
}

/** Retracts `options.version` (a parsed version; the reason checked by parseReason). */
export async function retractRelease(options: RetractOptions): Promise<RetractResult> {
  const { version } = options;
  const opened = options.github ? await openRelease(options.github) : undefined;
  const document = await loadDocument(options, opened);
  const regions = checkRegions(document.layers, options.regions);
  const layers = regionLayers(document.layers, regions);
  const plans: Plan[] = layers.map(() => []);
  const limit = options.concurrency ?? 4;
  if (options.delete) log.warning(DELETE_WARNING);
  // Later releases that reused these versions, from their layers.json (SSM may be off).
  const laterReleases = opened
    ? await laterReleasesSharing(opened, new Set(layers.map((layer) => layer.arn)))
    : new Map<string, string[]>();

  const inspected = await settleAll([...layers.keys()], limit, (index) => {
    const { region } = layers[index];
    const lambda = options.lambdaApi?.(region) ?? awsRetractLambdaApi(region, options.tuning);
    const ssmReads = options.ssmPrefix
      ? (options.ssmApi?.(region) ?? awsSsmApi(region, options.tuning))
      : undefined;
    return inspect(
      layers[index],
      options,
      document,
      {
        lambda: options.dryRun ? dryRunRetractLambdaApi(lambda, plans[index]) : lambda,
        ssm: ssmReads && options.dryRun ? dryRunSsmApi(region, plans[index], ssmReads) : ssmReads,
      },
      laterReleases,
    );
  });
  const found = inspected.flatMap((result) =>
    result.status === 'fulfilled' ? [result.value] : [],
  );
  const refused = refusals(found, version);
  if (refused.length > 0 && !options.force)
    throw new RetractError(
      `nothing was retracted: ${refused.join('; ')}. Pass --force to retract it anyway, or retract only the regions where the version is ${version}'s alone`,
    );
  for (const message of refused) log.warning(`--force: ${message}`);

  const settled = await settleAll([...layers.keys()], limit, async (index) => {
    const inspection = inspected[index];
    if (inspection.status === 'rejected') throw inspection.reason;
    return retractLayer(inspection.value, options);
  });
  const rows = settled.map((result, index) =>
    result.status === 'fulfilled' ? result.value : failedRow(layers[index], result.reason),
  );
  const plan = plans.flat();
  const result: RetractResult = { version, layers: rows, plan };

  const retractedRegions = [
    ...new Set(rows.filter((row) => row.status !== 'failed').map((row) => row.region)),
  ];
  const record: LayersRecord = {
    ...document,
    retracted: mergeRetracted(document.retracted, options.reason, retractedRegions, options.delete),
  };
  if (options.distDir && !options.dryRun)
    await writeFile(join(options.distDir, LAYERS_JSON), `${JSON.stringify(record, null, 2)}\n`);
  let releaseFailure = '';
  if (opened) {
    const tag = opened.release.tag_name;
    try {
      result.release = { tag, ...(await markRelease(opened, record, options.dryRun, plan)) };
    } catch (error) {
      releaseFailure = `marking the release ${tag}: ${messageOf(error)}`;
      log.error(releaseFailure);
    }
  } else
    log.warning(
      options.github
        ? `the GitHub release ${options.github.tag} is not marked: there is none`
        : `the GitHub release of ${version} is not marked: no repository and token given`,
    );

  if (options.dryRun) log.info(`Dry run: the writes it would make\n${plan.join('\n') || '(none)'}`);
  log.info(`${options.dryRun ? 'Dry run: ' : ''}retract ${version}\n${retractTable(rows)}`);
  if (result.release)
    log.info(
      `release ${result.release.tag}: title and notes ${result.release.title}, ${LAYERS_JSON} ${result.release.asset}`,
    );
  const failures = [
    ...rows
      .filter((row) => row.status === 'failed')
      .map((row) => `${row.region} ${row.arch}: ${row.detail}`),
    ...(releaseFailure ? [releaseFailure] : []),
  ];
  if (failures.length > 0)
    throw new RetractError(
      `retracting ${version} failed (${failures.join('; ')}); run again: what is done stays done`,
      result,
    );
  return result;
}
