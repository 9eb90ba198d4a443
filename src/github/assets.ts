import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InputError } from '../errors.js';
import { log } from '../log.js';
import {
  call,
  createOnGitHub,
  NO_BLIND_RETRY,
  type ReleaseAsset,
  type RepoClient,
} from './client.js';
import { GitHubError } from './secret.js';

/** A file to attach to the release. */
export interface LocalAsset {
  name: string;
  path: string;
  size: number;
  /** Hex SHA-256, compared with GitHub's "digest": "sha256:<hex>". */
  sha256: string;
  contentType: string;
}

/** Where assets go: the release id and its upload_url without the {?name,label} template. */
export interface UploadTarget {
  id: number;
  tag: string;
  uploadUrl: string;
  /** Published and immutable: GitHub refuses any asset change. */
  immutable: boolean;
}

export type AssetDecision = 'keep' | 'replace' | 'upload';

export interface AssetOutcome {
  /** Every asset sent: new ones and replaced ones. */
  uploaded: string[];
  /** Assets deleted and sent again because their content changed. */
  replaced: string[];
  /** Assets already there with the same content. */
  kept: string[];
}

// GitHub renames other characters (ncipollo/release-action#33), so a re-run would not find the asset.
const ASSET_NAME = /^[A-Za-z0-9._-]+$/;
const CONTENT_TYPES: Record<string, string> = {
  '.zip': 'application/zip',
  '.json': 'application/json',
};

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Reads and checks the files before any request: names GitHub keeps as they are, no duplicates. */
export async function describeAssets(files: string[]): Promise<LocalAsset[]> {
  const assets: LocalAsset[] = [];
  for (const path of files) {
    const name = basename(path);
    if (!ASSET_NAME.test(name))
      throw new InputError(
        'files',
        path,
        'asset names of letters, digits, ".", "_" and "-" (GitHub renames other characters, so re-runs could not match them)',
      );
    if (assets.some((asset) => asset.name === name))
      throw new InputError('files', path, 'one file per asset name');
    const bytes = await readFile(path);
    assets.push({
      name,
      path,
      size: bytes.length,
      sha256: sha256(bytes),
      contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream',
    });
  }
  return assets;
}

/** Every asset of the release (paginated: the embedded list in a release may be cut short). */
export async function listAssets(
  client: RepoClient,
  target: UploadTarget,
): Promise<ReleaseAsset[]> {
  const { octokit, owner, repo } = client;
  return call(client, `list the assets of release ${target.tag}`, () =>
    octokit.paginate(octokit.rest.repos.listReleaseAssets, {
      owner,
      repo,
      release_id: target.id,
      per_page: 100,
    }),
  );
}

/** Same bytes: GitHub's digest when it has one, else size and then the downloaded bytes. */
async function sameContent(
  client: RepoClient,
  remote: ReleaseAsset,
  local: LocalAsset,
): Promise<boolean> {
  // "open" (GitHub also says "starter") is an upload that never finished.
  if (remote.state !== 'uploaded' || remote.size !== local.size) return false;
  if (remote.digest) return remote.digest === `sha256:${local.sha256}`;
  const bytes = await downloadAsset(client, remote, `download ${remote.name} to compare it`);
  return sha256(bytes) === local.sha256;
}

/** An asset's bytes, through the API (which redirects to storage): works for private repositories. */
export async function downloadAsset(
  client: RepoClient,
  remote: Pick<ReleaseAsset, 'id' | 'name'>,
  action = `download ${remote.name}`,
): Promise<Buffer> {
  const { octokit, owner, repo } = client;
  const response = await call(client, action, () =>
    octokit.request('GET /repos/{owner}/{repo}/releases/assets/{asset_id}', {
      owner,
      repo,
      asset_id: remote.id,
      headers: { accept: 'application/octet-stream' },
    }),
  );
  return Buffer.from(response.data as unknown as ArrayBuffer);
}

async function decideAsset(
  client: RepoClient,
  local: LocalAsset,
  remote: ReleaseAsset | undefined,
): Promise<AssetDecision> {
  if (!remote) return 'upload';
  return (await sameContent(client, remote, local)) ? 'keep' : 'replace';
}

async function deleteAsset(client: RepoClient, target: UploadTarget, remote: ReleaseAsset) {
  const { octokit, owner, repo } = client;
  try {
    await guardImmutable(target, remote.name, () =>
      call(client, `delete the old ${remote.name}`, () =>
        octokit.rest.repos.deleteReleaseAsset({ owner, repo, asset_id: remote.id }),
      ),
    );
  } catch (error) {
    // A retried DELETE whose first attempt went through: the asset is gone, as asked.
    if (!(error instanceof GitHubError && error.status === 404)) throw error;
  }
}

/** Sends the file to upload_url (uploads.github.com, or GHES's /api/uploads), never the API host. */
async function sendAsset(client: RepoClient, target: UploadTarget, local: LocalAsset) {
  const data = await readFile(local.path);
  const url = new URL(target.uploadUrl);
  url.searchParams.set('name', local.name);
  await guardImmutable(target, local.name, () =>
    call(client, `upload ${local.name}`, () =>
      client.octokit.request({
        method: 'POST',
        url: url.toString(),
        data,
        headers: { 'content-type': local.contentType, 'content-length': String(data.length) },
        ...NO_BLIND_RETRY,
      }),
    ),
  );
}

/**
 * After an upload whose answer was lost: true when the release holds the file whole under its
 * name (the attempt went through); a partial or different asset of that name is deleted.
 */
async function findUploaded(
  client: RepoClient,
  target: UploadTarget,
  local: LocalAsset,
): Promise<true | undefined> {
  const remote = (await listAssets(client, target)).find((asset) => asset.name === local.name);
  if (!remote) return undefined;
  if (await sameContent(client, remote, local)) return true;
  await deleteAsset(client, target, remote);
  return undefined;
}

/** Uploads once per attempt: after a lost answer, the release is looked at before sending again. */
const uploadOnce = (client: RepoClient, target: UploadTarget, local: LocalAsset) =>
  createOnGitHub(
    client,
    `the asset ${local.name}`,
    async () => {
      await sendAsset(client, target, local);
      return true as const;
    },
    () => findUploaded(client, target, local),
  );

const immutableMessage = (tag: string, names: string[]): string =>
  `The release ${tag} is published and immutable, so GitHub refuses to change its assets ` +
  `(${names.join(', ')}). Release a new version and let this step create its release: it uploads ` +
  `every asset to a draft and publishes only at the end.`;

// GitHub answers 422 "Cannot upload assets to an immutable release." (older GHES omit `immutable`).
async function guardImmutable<T>(
  target: UploadTarget,
  name: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof GitHubError && error.status === 422 && /immutable/i.test(error.message))
      throw new Error(`${immutableMessage(target.tag, [name])} (GitHub: ${error.message})`, {
        cause: error,
      });
    throw error;
  }
}

/**
 * Brings one asset in line: keep, or delete then upload. A 422 already_exists means another run
 * uploaded the name since we listed: look again and decide once more, once.
 */
async function applyDecision(
  client: RepoClient,
  target: UploadTarget,
  local: LocalAsset,
  remote: ReleaseAsset | undefined,
  decision: AssetDecision,
  raceRetry = true,
): Promise<AssetDecision> {
  if (decision === 'keep') return decision;
  if (remote && decision === 'replace') await deleteAsset(client, target, remote);
  try {
    await uploadOnce(client, target, local);
    return decision;
  } catch (error) {
    if (!(raceRetry && error instanceof GitHubError && error.codes.includes('already_exists')))
      throw error;
    log.warning(`${local.name} appeared on release ${target.tag} meanwhile; comparing it again`);
    const fresh = (await listAssets(client, target)).find((asset) => asset.name === local.name);
    const again = await decideAsset(client, local, fresh);
    return applyDecision(client, target, local, fresh, again, false);
  }
}

/** Makes the release hold exactly these files' contents under their names; other assets stay. */
export async function syncAssets(
  client: RepoClient,
  target: UploadTarget,
  locals: LocalAsset[],
): Promise<AssetOutcome> {
  const remotes = await listAssets(client, target);
  const plan: Array<{ local: LocalAsset; remote?: ReleaseAsset; decision: AssetDecision }> = [];
  for (const local of locals) {
    const remote = remotes.find((asset) => asset.name === local.name);
    plan.push({ local, remote, decision: await decideAsset(client, local, remote) });
  }
  const changes = plan.filter((step) => step.decision !== 'keep').map((step) => step.local.name);
  if (target.immutable && changes.length > 0)
    throw new Error(immutableMessage(target.tag, changes));

  const outcome: AssetOutcome = { uploaded: [], replaced: [], kept: [] };
  for (const { local, remote, decision } of plan) {
    const done = await applyDecision(client, target, local, remote, decision);
    if (done === 'keep') outcome.kept.push(local.name);
    else outcome.uploaded.push(local.name);
    if (done === 'replace') outcome.replaced.push(local.name);
    log.info(
      {
        keep: `kept ${local.name}: the release has the same content`,
        replace: `replaced ${local.name}: its content changed (${local.size} bytes, sha256 ${local.sha256})`,
        upload: `uploaded ${local.name} (${local.size} bytes, sha256 ${local.sha256})`,
      }[done],
    );
  }
  return outcome;
}
