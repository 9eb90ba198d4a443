import { randomBytes } from 'node:crypto';
import {
  latestRelease,
  type StoredAsset,
  type StoredRelease,
  type StoredRepository,
} from './model.js';
import {
  error,
  invalid,
  json,
  repoApi,
  repoWeb,
  route,
  sha256,
  type Call,
  type Reply,
  type Route,
  type Site,
} from './wire.js';

/**
 * The release and release-asset endpoints, as api.github.com answers them. Known GitHub
 * behaviours kept: GET /releases/tags/{tag} never returns drafts (only the list does); several
 * drafts may share a tag; a published tag is unique; asset names GitHub dislikes are renamed;
 * assets carry "digest": "sha256:<hex>" (legacy ones null); an immutable release refuses asset
 * changes with 422; /releases/latest is the release marked latest on publishing (or the newest
 * published non-prerelease); an asset download is a 302 to a signed URL on the storage host.
 */

export interface SeedAsset {
  name: string;
  content: Buffer | string;
  /** false: a legacy asset without a digest. */
  digest?: boolean;
  state?: 'uploaded' | 'open';
  contentType?: string;
}

export interface SeedRelease {
  tag: string;
  draft?: boolean;
  prerelease?: boolean;
  immutable?: boolean;
  assets?: SeedAsset[];
}

const DOCS = 'https://docs.github.com/rest/releases';
const doc = (page: string) => ({ doc: `${DOCS}/${page}` });

// GitHub renames asset names with characters outside this set (spaces and others become dots).
const renameAsset = (name: string): string => name.replace(/[^A-Za-z0-9._+@-]/g, '.');
const nodeId = (prefix: string, id: number): string =>
  `${prefix}_kwDO${Buffer.from(`0:${id}`).toString('base64').replace(/=+$/, '')}`;

const BOT_URL = 'https://api.github.com/users/github-actions%5Bbot%5D';
// simple-user as GitHub sends it for the Actions bot, every required field included.
const author = {
  login: 'github-actions[bot]',
  id: 41898282,
  node_id: 'MDM6Qm90NDE4OTgyODI=',
  avatar_url: 'https://avatars.githubusercontent.com/in/15368?v=4',
  gravatar_id: '',
  url: BOT_URL,
  html_url: 'https://github.com/apps/github-actions',
  followers_url: `${BOT_URL}/followers`,
  following_url: `${BOT_URL}/following{/other_user}`,
  gists_url: `${BOT_URL}/gists{/gist_id}`,
  starred_url: `${BOT_URL}/starred{/owner}{/repo}`,
  subscriptions_url: `${BOT_URL}/subscriptions`,
  organizations_url: `${BOT_URL}/orgs`,
  repos_url: `${BOT_URL}/repos`,
  events_url: `${BOT_URL}/events{/privacy}`,
  received_events_url: `${BOT_URL}/received_events`,
  type: 'Bot',
  user_view_type: 'public',
  site_admin: false,
};

/** Puts a release (and its assets) in place, as an earlier run, a person or a create would. */
export function addRelease(site: Site, repo: StoredRepository, seed: SeedRelease): StoredRelease {
  const now = new Date().toISOString();
  const release: StoredRelease = {
    id: site.nextId(),
    tagName: seed.tag,
    targetCommitish: 'main',
    name: seed.tag,
    body: null,
    draft: seed.draft ?? false,
    prerelease: seed.prerelease ?? false,
    immutable: seed.immutable ?? false,
    untaggedSuffix: randomBytes(10).toString('hex'),
    createdAt: now,
    publishedAt: seed.draft ? null : now,
    assets: [],
  };
  for (const asset of seed.assets ?? []) {
    const bytes = Buffer.from(asset.content);
    release.assets.push({
      id: site.nextId(),
      name: asset.name,
      contentType: asset.contentType ?? 'application/octet-stream',
      state: asset.state ?? 'uploaded',
      bytes,
      digest: asset.digest === false ? null : `sha256:${sha256(bytes)}`,
      createdAt: now,
    });
  }
  repo.releases.unshift(release);
  // Published with GitHub's default make_latest: true.
  if (!release.draft && !release.prerelease) repo.markedLatest = release.id;
  return release;
}

function findAsset(
  repos: Iterable<StoredRepository>,
  id: string,
): [StoredRepository, StoredRelease, StoredAsset] | undefined {
  for (const repo of repos)
    for (const release of repo.releases) {
      const asset = release.assets.find((candidate) => String(candidate.id) === id);
      if (asset) return [repo, release, asset];
    }
  return undefined;
}

/** A signed download on the storage host (/downloads/{asset id}/{signature}): no token needed. */
export function download(repos: Iterable<StoredRepository>, path: string): Reply {
  const found = findAsset(repos, path.split('/')[2]);
  if (!found) return { status: 404, body: Buffer.from('Not Found') };
  return {
    status: 200,
    headers: { 'content-type': 'application/octet-stream' },
    body: found[2].bytes,
  };
}

export function releaseEndpoints(site: Site): { api: Route[]; uploads: Route[] } {
  const releaseUrl = (repo: StoredRepository) => `${repoApi(site, repo)}/releases`;
  // A draft has no tag page yet: GitHub shows it under untagged-<hex>.
  const webTag = (release: StoredRelease): string =>
    release.draft ? `untagged-${release.untaggedSuffix}` : encodeURIComponent(release.tagName);

  const assetJson = (repo: StoredRepository, release: StoredRelease, asset: StoredAsset) => ({
    url: `${releaseUrl(repo)}/assets/${asset.id}`,
    id: asset.id,
    node_id: nodeId('RA', asset.id),
    name: asset.name,
    label: null,
    uploader: author,
    content_type: asset.contentType,
    state: asset.state,
    size: asset.bytes.length,
    digest: asset.digest,
    download_count: 0,
    created_at: asset.createdAt,
    updated_at: asset.createdAt,
    browser_download_url: `${repoWeb(site, repo)}/releases/download/${webTag(release)}/${encodeURIComponent(asset.name)}`,
  });

  const releaseJson = (repo: StoredRepository, release: StoredRelease) => ({
    url: `${releaseUrl(repo)}/${release.id}`,
    assets_url: `${releaseUrl(repo)}/${release.id}/assets`,
    upload_url: `${site.uploadsUrl}/repos/${repo.owner}/${repo.name}/releases/${release.id}/assets{?name,label}`,
    html_url: `${repoWeb(site, repo)}/releases/tag/${webTag(release)}`,
    id: release.id,
    author,
    node_id: nodeId('RE', release.id),
    tag_name: release.tagName,
    target_commitish: release.targetCommitish,
    name: release.name,
    draft: release.draft,
    immutable: release.immutable,
    prerelease: release.prerelease,
    created_at: release.createdAt,
    updated_at: release.createdAt,
    published_at: release.publishedAt,
    assets: release.assets.map((asset) => assetJson(repo, release, asset)),
    tarball_url: `${repoApi(site, repo)}/tarball/${encodeURIComponent(release.tagName)}`,
    zipball_url: `${repoApi(site, repo)}/zipball/${encodeURIComponent(release.tagName)}`,
    body: release.body,
  });

  const findRelease = (repo: StoredRepository, id: string) =>
    repo.releases.find((release) => String(release.id) === id);
  const notFound = (call: Call) => error(404, 'Not Found', call.doc);
  const tagTaken = (call: Call) => invalid(call.doc, 'Release', 'tag_name', 'already_exists');

  const getByTag = (call: Call): Reply => {
    // Like GitHub: the tags endpoint only knows published releases.
    const release = call.repo.releases.find(
      (candidate) => !candidate.draft && candidate.tagName === call.params[0],
    );
    return release ? json(200, releaseJson(call.repo, release)) : notFound(call);
  };

  const getLatest = (call: Call): Reply => {
    const latest = latestRelease(call.repo);
    return latest ? json(200, releaseJson(call.repo, latest)) : notFound(call);
  };

  const create = (call: Call): Reply => {
    const { repo, input } = call;
    if (typeof input.tag_name !== 'string' || !input.tag_name)
      return error(422, 'Invalid request.\n\n"tag_name" wasn\'t supplied.', call.doc);
    const draft = input.draft === true;
    if (
      !draft &&
      repo.releases.some((release) => !release.draft && release.tagName === input.tag_name)
    )
      return tagTaken(call);
    const release = addRelease(site, repo, {
      tag: input.tag_name,
      draft,
      prerelease: input.prerelease === true,
    });
    release.name = typeof input.name === 'string' ? input.name : input.tag_name;
    if (typeof input.target_commitish === 'string')
      release.targetCommitish = input.target_commitish;
    if (!draft) release.immutable = repo.immutableReleases;
    return json(201, releaseJson(repo, release));
  };

  const update = (call: Call): Reply => {
    const { repo, input } = call;
    const release = findRelease(repo, call.params[0]);
    if (!release) return notFound(call);
    if (release.immutable && typeof input.draft === 'boolean' && input.draft !== release.draft)
      return error(422, 'state cannot be changed when release is immutable', call.doc);
    // Publishing a draft (draft: false, make_latest), or a new title and notes (retract).
    const publishing = release.draft && input.draft === false;
    if (
      publishing &&
      repo.releases.some(
        (other) => other !== release && !other.draft && other.tagName === release.tagName,
      )
    )
      return tagTaken(call);
    if (typeof input.draft === 'boolean') release.draft = input.draft;
    // Title and notes stay editable on an immutable release (only its assets and tag are frozen).
    if (typeof input.name === 'string') release.name = input.name;
    if (typeof input.body === 'string') release.body = input.body;
    if (publishing) {
      release.publishedAt = new Date().toISOString();
      release.immutable = repo.immutableReleases;
      // Like GitHub: make_latest defaults to true; drafts and prereleases are never latest.
      if (input.make_latest !== 'false' && !release.prerelease) repo.markedLatest = release.id;
    }
    return json(200, releaseJson(repo, release));
  };

  const listAssets = (call: Call): Reply => {
    const release = findRelease(call.repo, call.params[0]);
    if (!release) return notFound(call);
    return call.page(release.assets.map((asset) => assetJson(call.repo, release, asset)));
  };

  const assetOf = (call: Call) => {
    const found = findAsset([call.repo], call.params[0]);
    return found && ([found[1], found[2]] as const);
  };

  // The bytes live elsewhere, behind a short-lived signed URL (accept: application/octet-stream).
  const getAsset = (call: Call): Reply => {
    const found = assetOf(call);
    if (!found) return notFound(call);
    const signature = randomBytes(12).toString('hex');
    return {
      status: 302,
      headers: {
        location: `${site.storageOrigin}/downloads/${found[1].id}/${signature}?response-content-disposition=attachment`,
      },
    };
  };

  const deleteAsset = (call: Call): Reply => {
    const found = assetOf(call);
    if (!found) return notFound(call);
    const [release, asset] = found;
    if (release.immutable)
      return error(422, 'Cannot delete assets of an immutable release.', call.doc);
    release.assets.splice(release.assets.indexOf(asset), 1);
    return { status: 204 };
  };

  const upload = (call: Call): Reply => {
    const release = findRelease(call.repo, call.params[0]);
    if (!release) return notFound(call);
    if (release.immutable)
      return error(422, 'Cannot upload assets to an immutable release.', call.doc);
    const rawName = call.url.searchParams.get('name');
    if (!rawName) return invalid(call.doc, 'ReleaseAsset', 'name', 'missing_field');
    const length = Number(call.headers['content-length']);
    if (!Number.isInteger(length) || length !== call.body.length)
      return error(400, `Bad Content-Length: ${call.headers['content-length'] ?? ''}`, call.doc);
    const name = renameAsset(rawName);
    if (release.assets.some((asset) => asset.name === name))
      return invalid(call.doc, 'ReleaseAsset', 'name', 'already_exists');
    const asset: StoredAsset = {
      id: site.nextId(),
      name,
      contentType: call.headers['content-type'] ?? 'application/octet-stream',
      state: 'uploaded',
      bytes: call.body,
      digest: `sha256:${sha256(call.body)}`,
      createdAt: new Date().toISOString(),
    };
    release.assets.push(asset);
    return json(201, assetJson(call.repo, release, asset));
  };

  const base = '/repos/{owner}/{repo}/releases';
  return {
    api: [
      route('GET', `${base}/tags/{tag}`, getByTag, doc('releases#get-a-release-by-tag-name')),
      route('GET', `${base}/latest`, getLatest, doc('releases#get-the-latest-release')),
      route(
        'GET',
        base,
        (call) => call.page(call.repo.releases.map((r) => releaseJson(call.repo, r))),
        doc('releases#list-releases'),
      ),
      route('POST', base, create, doc('releases#create-a-release')),
      route('GET', `${base}/assets/{asset_id}`, getAsset, doc('assets#get-a-release-asset')),
      route(
        'DELETE',
        `${base}/assets/{asset_id}`,
        deleteAsset,
        doc('assets#delete-a-release-asset'),
      ),
      route('PATCH', `${base}/{release_id}`, update, doc('releases#update-a-release')),
      route('GET', `${base}/{release_id}/assets`, listAssets, doc('assets#list-release-assets')),
    ],
    uploads: [
      route('POST', `${base}/{release_id}/assets`, upload, {
        ...doc('assets#upload-a-release-asset'),
        raw: true,
      }),
    ],
  };
}
