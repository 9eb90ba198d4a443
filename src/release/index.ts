/**
 * The GitHub release step: find or create the release of a tag (a draft while assets upload),
 * attach the layer zips, SHA256SUMS and layers.json idempotently, and publish it at the end.
 * Its GitHub calls go through a ReleaseApi: octokit's, or the dry run's that records them.
 */

import { log } from '../log.js';
import { describeAssets, type AssetOutcome } from '../github/assets.js';
import { dryRunReleaseApi, octokitReleaseApi, type ReleaseApi } from './api.js';
import type { ReleaseHandle, ReleaseOptions, ReleaseResult, ReleaseSettings } from './types.js';

export type { AssetOutcome } from '../github/assets.js';
export type { ClientTuning, Repository } from '../github/client.js';
export type * from './types.js';
export { releaseFiles } from './files.js';

/** The recording adapter for a dry run (or a handle a dry run made), else octokit's. */
const apiFor = (options: ReleaseSettings, handle?: ReleaseHandle): ReleaseApi =>
  options.dryRun || handle?.dryRun ? dryRunReleaseApi(options) : octokitReleaseApi(options);

/**
 * Finds the release of the tag, or creates it as a draft, and attaches `options.files`
 * idempotently. The files are checked before any request.
 */
export async function prepareRelease(options: ReleaseOptions): Promise<ReleaseHandle> {
  const locals = await describeAssets(options.files);
  const api = apiFor(options);
  const handle = await api.open();
  handle.outcome = await api.sync(handle, locals);
  return handle;
}

/** Attaches more files (layers.json): same name and content kept, changed ones replaced. */
export async function uploadAssets(
  handle: ReleaseHandle,
  files: string[],
  options: ReleaseSettings,
): Promise<AssetOutcome> {
  const locals = await describeAssets(files);
  return apiFor(options, handle).sync(handle, locals);
}

/** Publishes the draft, unless a draft was asked for; resolves to the release page. */
export async function finishRelease(
  handle: ReleaseHandle,
  options: ReleaseSettings,
): Promise<{ url: string }> {
  // A published release stays published: GitHub (and immutability) would not take it back.
  if (!handle.draft) return { url: handle.htmlUrl };
  if (options.draft) {
    log.info(`release ${handle.tag}: left a draft, as asked`);
    return { url: handle.htmlUrl };
  }
  return { url: await apiFor(options, handle).publish(handle) };
}

/** The whole step, for the CLI: prepare (with the uploads), then publish. */
export async function releaseAssets(options: ReleaseOptions): Promise<ReleaseResult> {
  const handle = await prepareRelease(options);
  return { ...(await finishRelease(handle, options)), ...handle.outcome };
}
