import type { LayerZip } from '../dist.js';
import { lambdaArchitecture, type Share } from '../domain.js';
import { layerDescription } from '../aws/layer-description.js';
import { holdsZip } from './align.js';
import type { FillerSource } from './replay.js';
import type { LayerApi, LayerContent, LayerVersionInfo, PublishInput } from './layer-api.js';
import { ensurePermissions } from './permissions.js';
import { s3KeyFor } from '../aws/s3-upload.js';

/** One layer in one region: reuse the newest version when it holds the zip, else publish. */
export interface LayerJob {
  api: LayerApi;
  zip: LayerZip;
  layerName: string;
  share: Share;
  /** The bucket in this region to publish through; '' sends the zip directly. */
  s3Bucket: string;
  newest: LayerVersionInfo | undefined;
  /** With --align-versions: the version number this layer must end at. */
  target?: number;
  /** align-versions replay: the zip and description of each filler number (else a fill filler). */
  fillerFor?: FillerSource;
}

export interface LayerOutcome {
  version: LayerVersionInfo;
  reused: boolean;
  fillers: number;
  permissionsAdded: string[];
}

const description = (zip: LayerZip): string => layerDescription(zip.version, zip.arch);

export { releaseOf } from '../aws/layer-description.js';

function publishInput(job: LayerJob, text: string): PublishInput {
  return {
    LayerName: job.layerName,
    Description: text,
    CompatibleRuntimes: ['provided.al2023'],
    CompatibleArchitectures: [lambdaArchitecture(job.zip.arch)],
    LicenseInfo: 'Apache-2.0',
  };
}

async function content(job: LayerJob, zip = job.zip): Promise<LayerContent> {
  if (!job.s3Bucket) return { zip };
  const s3 = { bucket: job.s3Bucket, key: s3KeyFor(zip.version, zip.fileName) };
  await job.api.uploadZip(s3.bucket, s3.key, zip.path);
  return { zip, s3 };
}

async function publish(
  job: LayerJob,
  code: LayerContent,
  text: string,
  after: number,
): Promise<LayerVersionInfo> {
  const published = await job.api.publishVersion(publishInput(job, text), code, after);
  // Lambda hashes what it stored: a mismatch means a wrong or truncated S3 object.
  if (published.codeSha256 !== code.zip.codeSha256) {
    throw new Error(
      `${job.layerName} version ${published.version} has CodeSha256 ${JSON.stringify(published.codeSha256)}, expected ${code.zip.codeSha256} (${code.zip.fileName})`,
    );
  }
  return published;
}

export async function publishLayer(job: LayerJob): Promise<LayerOutcome> {
  const { newest, target } = job;
  if (holdsZip(newest, job.zip) && (target === undefined || newest!.version === target)) {
    const permissionsAdded = await ensurePermissions(
      job.api,
      job.layerName,
      newest!.version,
      job.share,
    );
    return { version: newest!, reused: true, fillers: 0, permissionsAdded };
  }
  const code = await content(job);
  let fillers = 0;
  let last = newest?.version ?? 0;
  while (target !== undefined && last + 1 < target) {
    const replayed = job.fillerFor?.(last + 1);
    const filler = replayed
      ? await publish(job, await content(job, replayed.zip), replayed.description, last)
      : await publish(
          job,
          code,
          `${description(job.zip)} filler to align version numbers across regions: use version ${target}`,
          last,
        );
    fillers++;
    // Replayed bytes belong at one number; a deleted number skipped puts them elsewhere.
    if (replayed && filler.version !== last + 1)
      throw new PublishedButFailed(
        `${job.layerName} filler landed at version ${filler.version}, not ${last + 1} (a deleted version number is never reused): run again without replay, or align by hand`,
        filler,
      );
    last = filler.version;
    if (last >= target) break;
  }
  if (target !== undefined && last >= target) throw overshoot(job, last, target);
  const published = await publish(job, code, description(job.zip), last);
  if (target !== undefined && published.version !== target)
    throw overshoot(job, published.version, target, published);
  const permissionsAdded = await ensurePermissions(
    job.api,
    job.layerName,
    published.version,
    job.share,
  );
  return { version: published, reused: false, fillers, permissionsAdded };
}

/** A layer that failed after publishing a version: the version exists (unshared). */
export class PublishedButFailed extends Error {
  constructor(
    message: string,
    readonly published: LayerVersionInfo,
  ) {
    super(message);
    this.name = 'PublishedButFailed';
  }
}

const overshoot = (
  job: LayerJob,
  reached: number,
  target: number,
  published?: LayerVersionInfo,
): Error => {
  const message = `${job.layerName} reached version ${reached} instead of ${target} (deleted version numbers are never reused); run again to align every region to the highest number`;
  return published ? new PublishedButFailed(message, published) : new Error(message);
};
