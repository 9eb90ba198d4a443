import { dirname } from 'node:path';
import { assertReleasable, type LayerZip } from '../dist.js';
import { InputError } from '../errors.js';
import { parseS3Bucket, parseVersion, type Share } from '../inputs.js';
import { validateRegions, validateShare, validateZips } from '../step-inputs.js';
import type { SarOptions } from './types.js';

// SAR's own rules (CreateApplication): Name [a-zA-Z0-9-]{1,140}, Author lowercase with single hyphens.
const APPLICATION_NAME = /^[a-zA-Z0-9-]{1,130}$/;
const AUTHOR = /^[a-z0-9](([a-z0-9]|-(?!-))*[a-z0-9])?$/;
const HTTPS_URL = /^https:\/\/[^\s]+$/;

export const DEFAULT_APPLICATION_NAME = 'lambda-shell-runtime';
export const DEFAULT_AUTHOR = 'lambda-shell-runtime';

export interface SarSettings {
  zips: LayerZip[];
  version: string;
  region: string;
  s3Bucket: string;
  share: Share;
  applicationName: string;
  author: string;
  sourceCodeUrl: string;
}

/** This repository on GitHub, from the runner's environment; '' elsewhere. */
function repositoryUrl(): string {
  const repository = process.env.GITHUB_REPOSITORY;
  if (!repository) return '';
  return `${process.env.GITHUB_SERVER_URL || 'https://github.com'}/${repository}`;
}

/** Checks every input of the sar step before the first call. */
export async function validateSarOptions(options: SarOptions): Promise<SarSettings> {
  const version = parseVersion(options.version);
  const zips = validateZips(options.zips, version);
  const [region] = validateRegions(options.region ? [options.region] : [], 'region');
  const s3Bucket = parseS3Bucket(options.s3Bucket);
  if (!s3Bucket)
    throw new InputError('s3-bucket', '', 'the bucket SAR reads the zip, README and LICENSE from');
  const share = validateShare(options.share);
  const applicationName = options.applicationName?.trim() || DEFAULT_APPLICATION_NAME;
  if (!APPLICATION_NAME.test(applicationName))
    throw new InputError('application-name', applicationName, 'letters, digits and - (1 to 130)');
  const author = options.author?.trim() || DEFAULT_AUTHOR;
  if (!AUTHOR.test(author) || author.length > 127)
    throw new InputError('author', author, 'lowercase letters, digits and single hyphens');
  // SAR requires a source code URL; a dry run can do with a placeholder.
  const sourceCodeUrl =
    options.sourceCodeUrl?.trim() ||
    repositoryUrl() ||
    (options.dryRun ? 'https://github.com/OWNER/lambda-shell-runtime' : '');
  if (!HTTPS_URL.test(sourceCodeUrl))
    throw new InputError(
      'source-code-url',
      sourceCodeUrl,
      'an https:// URL of the source code (defaults to this GitHub repository on a runner)',
    );
  await assertReleasable(
    options.distDir ?? dirname(zips[0].path),
    options.dryRun,
    options.allowUnreleasable,
  );
  return { zips, version, region, s3Bucket, share, applicationName, author, sourceCodeUrl };
}
