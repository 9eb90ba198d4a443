import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertReleasable, writeLayersJson, type LayerZip } from '../dist.js';
import { layerName, s3BucketFor } from '../domain.js';
import { log } from '../log.js';
import { InputError, messageOf } from '../errors.js';
import { DIRECT_UPLOAD_LIMIT_BYTES } from '../lambda-limits.js';
import { alignmentTargets, assertFillersBounded, type Inspected } from './align.js';
import { settleAll } from '../concurrency.js';
import { awsLayerApi, dryRunLayerApi, type LayerApi } from './layer-api.js';
import type { Plan } from '../aws/plan.js';
import { prepareReplay, readingNewest } from './replay.js';
import { httpStatusOf } from '../aws/errors.js';
import { regionInfo } from '../aws/regions.js';
import { publishLayer, PublishedButFailed, releaseOf, type LayerOutcome } from './publish-layer.js';
import { outcomeTable, PublishError, type Outcome } from './report.js';
import type { FailedLayer, PublishedLayer, PublishOptions, PublishResult } from './types.js';

export type { FailedLayer, PublishedLayer, PublishOptions, PublishResult } from './types.js';
export { PublishError } from './report.js';
export type { HistorySource } from './replay.js';

/** One layer (architecture) in one region. */
interface Task {
  region: string;
  zip: LayerZip;
  layerName: string;
  api: LayerApi;
  s3Bucket: string;
}

interface TaskResult {
  row: Outcome;
  layer?: PublishedLayer;
  failure?: FailedLayer;
}

/** A failed task: its error, with a hint for an opt-in region, and any version it left. */
function failed(task: Task, reason: unknown): TaskResult {
  // A region not enabled in the account refuses the credentials (403, invalid token).
  const status = httpStatusOf(reason);
  const optIn =
    regionInfo(task.region)?.optIn && (status === 401 || status === 403)
      ? ` (${task.region} is an opt-in region: it must be enabled in the account)`
      : '';
  const error = `${messageOf(reason)}${optIn}`;
  const arn = reason instanceof PublishedButFailed ? reason.published.arn : undefined;
  return {
    row: {
      region: task.region,
      arch: task.zip.arch,
      layerName: task.layerName,
      status: 'failed',
      version: reason instanceof PublishedButFailed ? reason.published.version : undefined,
      detail: error,
    },
    failure: {
      region: task.region,
      arch: task.zip.arch,
      layerName: task.layerName,
      error,
      ...(arn ? { arn } : {}),
    },
  };
}

function succeeded(task: Task, outcome: LayerOutcome): TaskResult {
  // A reused version's immutable description names the release that first published it.
  const firstPublishedBy = outcome.reused
    ? (releaseOf(outcome.version.description) ?? 'an unknown release')
    : task.zip.version;
  const notes = [
    outcome.reused ? `reused version ${outcome.version.version}, from ${firstPublishedBy}` : '',
    outcome.fillers ? `${outcome.fillers} filler version(s) first` : '',
    outcome.permissionsAdded.length ? `added ${outcome.permissionsAdded.join(', ')}` : '',
  ];
  return {
    row: {
      region: task.region,
      arch: task.zip.arch,
      layerName: task.layerName,
      status: outcome.reused ? 'reused' : 'published',
      version: outcome.version.version,
      detail: notes.filter(Boolean).join('; '),
    },
    layer: {
      region: task.region,
      arch: task.zip.arch,
      layerName: task.layerName,
      version: outcome.version.version,
      arn: outcome.version.arn,
      reused: outcome.reused,
      codeSha256: outcome.version.codeSha256,
      firstPublishedBy,
    },
  };
}

/** {region: {arch: arn}}, regions in the order asked for. */
function arnMap(layers: PublishedLayer[]): PublishResult['arns'] {
  const arns: PublishResult['arns'] = {};
  for (const layer of layers) (arns[layer.region] ??= {})[layer.arch] = layer.arn;
  return arns;
}

export const DEFAULT_CONCURRENCY = 4;

/**
 * What only the zips can tell, before the first AWS call (the edges parsed every input): a zip
 * over Lambda's direct upload limit needs a bucket, and local-builder zips are refused.
 */
async function checkZips(options: PublishOptions): Promise<void> {
  const tooLarge = options.zips.find((zip) => zip.size > DIRECT_UPLOAD_LIMIT_BYTES);
  if (tooLarge && !options.s3Bucket) {
    throw new InputError(
      's3-bucket',
      '',
      `a bucket: ${tooLarge.fileName} is ${tooLarge.size} bytes, over Lambda's 50 MB direct upload limit`,
    );
  }
  await assertReleasable(options.distDir, options.dryRun, options.allowUnreleasable);
}

/**
 * Publishes the layer zips in every region (in parallel, bounded), shares them, optionally aligns
 * version numbers, writes layers.json and logs a table of every region's outcome. Throws a
 * PublishError naming the failed regions after the others have run.
 */
export async function publishLayers(options: PublishOptions): Promise<PublishResult> {
  await checkZips(options);
  const settings = { ...options, s3Bucket: options.s3Bucket ?? '' };
  const optIn = settings.regions.flatMap((region) => {
    const info = regionInfo(region);
    return info?.optIn ? [`${region} (${info.description})`] : [];
  });
  if (optIn.length > 0)
    log.info(`opt-in regions (enabled in the account before use): ${optIn.join(', ')}`);
  // One plan per task, joined in task order, so a dry run prints the same plan every time.
  const plans: Plan[] = [];
  const replaying = options.alignVersions && options.alignMode === 'replay';
  const tasks: Task[] = settings.regions.flatMap((region) => {
    const regionApi = options.dryRun ? undefined : awsLayerApi(region, options.tuning);
    // A replay's plan needs the versions that exist: its dry run reads them.
    const dryRunApi = (plan: Plan): LayerApi =>
      replaying
        ? readingNewest(dryRunLayerApi(region, plan), region, options.tuning)
        : dryRunLayerApi(region, plan);
    const s3Bucket = settings.s3Bucket ? s3BucketFor(settings.s3Bucket, region) : '';
    return settings.zips.map((zip) => {
      const plan: Plan = [];
      plans.push(plan);
      return {
        region,
        zip,
        layerName: layerName(settings.layerNamePattern, zip.arch),
        api: regionApi ?? dryRunApi(plan),
        s3Bucket,
      };
    });
  });
  const limit = options.concurrency ?? DEFAULT_CONCURRENCY;

  const inspections = await settleAll(tasks, limit, (task) =>
    task.api.newestVersion(task.layerName),
  );
  const inspected: (Task & Inspected)[] = [];
  const unanswered = new Set<string>();
  tasks.forEach((task, index) => {
    const inspection = inspections[index];
    if (inspection.status === 'fulfilled') inspected.push({ ...task, newest: inspection.value });
    else unanswered.add(task.region);
  });
  const targets = options.alignVersions ? alignmentTargets(inspected) : undefined;
  if (targets) assertFillersBounded(inspected, targets);
  const replay =
    targets && replaying && unanswered.size === 0
      ? await prepareReplay({
          inspected,
          targets,
          history: options.history,
          dryRun: options.dryRun,
          tuning: options.tuning,
        })
      : undefined;

  const publishTask = async (index: number): Promise<TaskResult> => {
    const task = tasks[index];
    const inspection = inspections[index];
    if (inspection.status === 'rejected') return failed(task, inspection.reason);
    if (targets && unanswered.size > 0) {
      // A region that did not answer may hold a higher number: the target is unknown.
      const regions = [...unanswered].join(', ');
      return failed(task, `not published: aligning versions needs every region, ${regions} failed`);
    }
    const outcome = await publishLayer({
      ...task,
      share: settings.share,
      newest: inspection.value,
      target: targets?.get(task.zip.arch),
      fillerFor: replay?.fillerFor(task.region, task.layerName),
    });
    return succeeded(task, outcome);
  };
  const settled = await settleAll([...tasks.keys()], limit, publishTask).finally(() =>
    replay?.cleanup(),
  );
  const results = settled.map((result, index) =>
    result.status === 'fulfilled' ? result.value : failed(tasks[index], result.reason),
  );
  const rows = results.map((result) => result.row);

  const plan = [...(replay?.plan ?? []), ...plans.flat()];
  if (options.dryRun) log.info(`Dry run: the calls it would make\n${plan.join('\n')}`);
  log.info(
    `${options.dryRun ? (replaying ? 'Dry run: ' : 'Dry run (as if no version existed): ') : ''}layers\n${outcomeTable(rows)}`,
  );
  const layers = results.flatMap((result) => (result.layer ? [result.layer] : []));
  const failures = results.flatMap((result) => (result.failure ? [result.failure] : []));
  const arns = arnMap(layers);
  const sha256 = Object.fromEntries(settings.zips.map((zip) => [zip.arch, zip.sha256]));
  // A dry run's ARNs are placeholders: its layers.json goes to a temporary folder, never to dist.
  const layersDir = options.dryRun
    ? await mkdtemp(join(tmpdir(), 'lsr-dry-run-'))
    : options.distDir;
  // Written also when a region failed: what exists must be on record (and a re-run converges).
  const document = {
    version: settings.version,
    layers: arns,
    sha256,
    versions: layers.map((layer) => ({
      region: layer.region,
      arch: layer.arch,
      layerName: layer.layerName,
      version: layer.version,
      arn: layer.arn,
      outcome: layer.reused ? 'reused' : 'published',
      firstPublishedBy: layer.firstPublishedBy,
    })),
    failed: failures,
  };
  const layersJson = await writeLayersJson(layersDir, document);
  const result: PublishResult = { layers, failed: failures, arns, layersJson, plan };
  const failedRows = rows.filter((row) => row.status === 'failed');
  if (failedRows.length > 0) throw new PublishError(failedRows, result);
  return result;
}
