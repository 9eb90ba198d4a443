/**
 * The GitHub release step: find or create the release of a tag (a draft while assets upload),
 * attach the layer zips, SHA256SUMS and layers.json idempotently, and publish it at the end.
 */

import { log } from '../log.js';
import {
  connect,
  resolveApiUrl,
  type ClientTuning,
  type Release,
  type RepoClient,
  type Repository,
} from '../github/client.js';
import {
  describeAssets,
  syncAssets,
  type AssetOutcome,
  type LocalAsset,
} from '../github/assets.js';
import { createDraftRelease, findRelease, publishRelease } from '../github/releases.js';

export type { AssetOutcome } from '../github/assets.js';
export type { ClientTuning, Repository } from '../github/client.js';

/** Everything but the files: what uploadAssets and finishRelease need. */
export interface ReleaseSettings {
  token: string;
  repository: Repository;
  tag: string;
  version: string;
  /** Default GITHUB_API_URL, else https://api.github.com (GHES: https://host/api/v3). */
  apiUrl?: string;
  /** Leave the release a draft at the end. */
  draft?: boolean;
  /** Default: the version has a pre-release part (1.2.3-rc.1). */
  prerelease?: boolean;
  /** Print the plan and make no request. */
  dryRun: boolean;
  /** Where GitHub creates the tag when publishing, if the tag does not exist yet. */
  targetCommitish?: string;
  /** GitHub's pacing; tests shrink it. */
  tuning?: ClientTuning;
}

export interface ReleaseOptions extends ReleaseSettings {
  /** Absolute paths of the files to attach. */
  files: string[];
}

export interface ReleaseAssetSummary {
  id: number;
  name: string;
  size: number;
  digest: string | null;
}

export interface ReleaseHandle {
  id: number;
  tag: string;
  htmlUrl: string;
  /** upload_url without its {?name,label} template. */
  uploadUrl: string;
  draft: boolean;
  immutable: boolean;
  /** Created by this run (else found). */
  created: boolean;
  /** The assets the release had when found. */
  assets: ReleaseAssetSummary[];
  /** What prepareRelease did with its files (empty in a dry run). */
  outcome: AssetOutcome;
  /** A plan only: nothing was asked of GitHub. */
  dryRun: boolean;
}

export interface ReleaseResult extends AssetOutcome {
  url: string;
}

/** 1.2.3-rc.1 is a pre-release; build metadata (1.2.3+build-1) is not. */
export const isPrerelease = (version: string): boolean => /^\d+\.\d+\.\d+-/.test(version);

/** The web page of a tag's release, for plans: GITHUB_SERVER_URL, else derived from the API URL. */
function releasePageUrl(options: ReleaseSettings): string {
  const apiUrl = resolveApiUrl(options.apiUrl);
  const server =
    process.env.GITHUB_SERVER_URL?.replace(/\/+$/, '') ||
    (apiUrl === 'https://api.github.com' ? 'https://github.com' : apiUrl.replace(/\/api\/v3$/, ''));
  const { owner, repo } = options.repository;
  return `${server}/${owner}/${repo}/releases/tag/${encodeURIComponent(options.tag)}`;
}

function checkOptions(options: ReleaseSettings): void {
  const { owner, repo } = options.repository;
  if (!owner || !repo) throw new Error('the release step needs a repository (owner/repo)');
  if (!options.tag) throw new Error('the release step needs a tag');
  if (!options.token && !options.dryRun)
    throw new Error('the release step needs a GitHub token with contents: write');
}

const toHandle = (release: Release, created: boolean): ReleaseHandle => ({
  id: release.id,
  tag: release.tag_name,
  htmlUrl: release.html_url,
  uploadUrl: release.upload_url.replace(/\{[^}]*\}$/, ''),
  draft: release.draft,
  immutable: release.immutable === true,
  created,
  assets: release.assets.map(({ id, name, size, digest }) => ({ id, name, size, digest })),
  outcome: emptyOutcome(),
  dryRun: false,
});

const emptyOutcome = (): AssetOutcome => ({ uploaded: [], replaced: [], kept: [] });

const clientFor = (options: ReleaseSettings): RepoClient =>
  connect(options.token, options.repository, options.apiUrl, options.tuning);

async function openRelease(client: RepoClient, options: ReleaseSettings): Promise<ReleaseHandle> {
  const found = await findRelease(client, options.tag);
  if (found) {
    log.info(
      `release ${options.tag}: found ${found.draft ? 'a draft' : 'the published release'} (id ${found.id})`,
    );
    return toHandle(found, false);
  }
  const prerelease = options.prerelease ?? isPrerelease(options.version);
  const created = await createDraftRelease(client, {
    tag: options.tag,
    prerelease,
    targetCommitish: options.targetCommitish,
  });
  log.info(
    `release ${options.tag}: created a draft${prerelease ? ' pre-release' : ''} (id ${created.id})`,
  );
  return toHandle(created, true);
}

function planRelease(options: ReleaseSettings): ReleaseHandle {
  const { owner, repo } = options.repository;
  const prerelease = options.prerelease ?? isPrerelease(options.version);
  log.info(
    `dry run: would find the release of ${options.tag} in ${owner}/${repo} ` +
      `(GET ${resolveApiUrl(options.apiUrl)}/repos/${owner}/${repo}/releases/tags/${options.tag}, ` +
      `then the release list for a draft), else create a draft${prerelease ? ' pre-release' : ''} named ${options.tag}`,
  );
  return {
    id: 0,
    tag: options.tag,
    htmlUrl: releasePageUrl(options),
    uploadUrl: '',
    draft: true,
    immutable: false,
    created: false,
    assets: [],
    outcome: emptyOutcome(),
    dryRun: true,
  };
}

function planAssets(locals: LocalAsset[]): AssetOutcome {
  for (const local of locals)
    log.info(
      `dry run: would upload ${local.name} (${local.size} bytes, sha256 ${local.sha256}) ` +
        `through upload_url, or keep it if the release has the same content`,
    );
  return emptyOutcome();
}

/**
 * Finds the release of the tag, or creates it as a draft, and attaches `options.files`
 * idempotently. The files are checked before any request.
 */
export async function prepareRelease(options: ReleaseOptions): Promise<ReleaseHandle> {
  checkOptions(options);
  const locals = await describeAssets(options.files);
  if (options.dryRun) {
    const handle = planRelease(options);
    planAssets(locals);
    return handle;
  }
  const client = clientFor(options);
  const handle = await openRelease(client, options);
  handle.outcome = await syncAssets(client, handle, locals);
  return handle;
}

/** Attaches more files (layers.json): same name and content kept, changed ones replaced. */
export async function uploadAssets(
  handle: ReleaseHandle,
  files: string[],
  options: ReleaseSettings,
): Promise<AssetOutcome> {
  const locals = await describeAssets(files);
  if (options.dryRun || handle.dryRun) return planAssets(locals);
  return syncAssets(clientFor(options), handle, locals);
}

async function finish(
  client: RepoClient | undefined,
  handle: ReleaseHandle,
  options: ReleaseSettings,
): Promise<{ url: string }> {
  // A published release stays published: GitHub (and immutability) would not take it back.
  if (!handle.draft) return { url: handle.htmlUrl };
  if (options.draft) {
    log.info(`release ${handle.tag}: left a draft, as asked`);
    return { url: handle.htmlUrl };
  }
  if (!client) {
    log.info(`dry run: would publish the release ${handle.tag}`);
    return { url: handle.htmlUrl };
  }
  const published = await publishRelease(client, handle.id, handle.tag, options.version);
  log.info(`release ${handle.tag}: published ${published.html_url}`);
  return { url: published.html_url };
}

/** Publishes the draft, unless a draft was asked for; resolves to the release page. */
export function finishRelease(
  handle: ReleaseHandle,
  options: ReleaseSettings,
): Promise<{ url: string }> {
  const dryRun = options.dryRun || handle.dryRun;
  return finish(dryRun ? undefined : clientFor(options), handle, options);
}

/** The whole step, for the CLI: prepare (with the uploads), then publish. */
export async function releaseAssets(options: ReleaseOptions): Promise<ReleaseResult> {
  const handle = await prepareRelease(options);
  return { ...(await finishRelease(handle, options)), ...handle.outcome };
}
