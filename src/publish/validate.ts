import { DIRECT_UPLOAD_LIMIT_BYTES } from '../lambda-limits.js';
import { assertReleasable, type LayerZip } from '../dist.js';
import { InputError } from '../errors.js';
import { parseLayerName, parseS3Bucket, parseVersion, type Share } from '../inputs.js';
import { validateRegions, validateShare, validateZips } from '../step-inputs.js';
import type { PublishOptions } from './types.js';

/**
 * Checks every input of the remote steps before the first AWS call, so a typo never leaves a
 * half-published release behind. Shared by publish and sar.
 */

export const DEFAULT_CONCURRENCY = 4;

export interface PublishSettings {
  zips: LayerZip[];
  version: string;
  regions: string[];
  share: Share;
  layerNamePattern: string;
  s3Bucket: string;
  concurrency: number;
}

export async function validatePublishOptions(options: PublishOptions): Promise<PublishSettings> {
  const version = parseVersion(options.version);
  const zips = validateZips(options.zips, version);
  const regions = validateRegions(options.regions);
  const share = validateShare(options.share);
  const layerNamePattern = parseLayerName(options.layerNamePattern);
  const s3Bucket = parseS3Bucket(options.s3Bucket ?? '');
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new InputError('concurrency', String(concurrency), 'a whole number of at least 1');
  const tooLarge = zips.find((zip) => zip.size > DIRECT_UPLOAD_LIMIT_BYTES);
  if (tooLarge && !s3Bucket) {
    throw new InputError(
      's3-bucket',
      '',
      `a bucket: ${tooLarge.fileName} is ${tooLarge.size} bytes, over Lambda's 50 MB direct upload limit`,
    );
  }
  await assertReleasable(options.distDir, options.dryRun, options.allowUnreleasable);
  return { zips, version, regions, share, layerNamePattern, s3Bucket, concurrency };
}
