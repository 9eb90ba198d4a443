import { log } from '../log.js';
import { isPrerelease } from '../version.js';
import { syncAssets, type AssetOutcome, type LocalAsset } from '../github/assets.js';
import { connect, resolveApiUrl, type Release } from '../github/client.js';
import { createDraftRelease, findRelease, publishRelease } from '../github/releases.js';
import type { ReleaseHandle, ReleaseSettings } from './types.js';

/**
 * The GitHub calls of the release step behind one interface, as publish and sar have theirs:
 * the octokit adapter makes them, the dry-run adapter records them and makes none, so both runs
 * follow the same step logic.
 */
export interface ReleaseApi {
  /** The release of the tag (published, or a draft), else a new draft. */
  open(): Promise<ReleaseHandle>;
  /** Makes the release hold these files' contents under their names; other assets stay. */
  sync(handle: ReleaseHandle, locals: LocalAsset[]): Promise<AssetOutcome>;
  /** Publishes the draft; resolves to the release page. */
  publish(handle: ReleaseHandle): Promise<string>;
}

const prereleaseOf = (options: ReleaseSettings): boolean =>
  options.prerelease ?? isPrerelease(options.version);

const emptyOutcome = (): AssetOutcome => ({ uploaded: [], replaced: [], kept: [] });

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

/** GitHub through octokit; connecting masks the token first. */
export function octokitReleaseApi(options: ReleaseSettings): ReleaseApi {
  const client = connect(options.token, options.repository, options.apiUrl, options.tuning);
  return {
    async open() {
      const found = await findRelease(client, options.tag);
      if (found) {
        log.info(
          `release ${options.tag}: found ${found.draft ? 'a draft' : 'the published release'} (id ${found.id})`,
        );
        return toHandle(found, false);
      }
      const prerelease = prereleaseOf(options);
      const created = await createDraftRelease(client, {
        tag: options.tag,
        prerelease,
        targetCommitish: options.targetCommitish,
      });
      log.info(
        `release ${options.tag}: created a draft${prerelease ? ' pre-release' : ''} (id ${created.id})`,
      );
      return toHandle(created, true);
    },
    sync: (handle, locals) => syncAssets(client, handle, locals),
    async publish(handle) {
      const published = await publishRelease(client, handle.id, handle.tag, options.version);
      log.info(`release ${handle.tag}: published ${published.html_url}`);
      return published.html_url;
    },
  };
}

/** The web page of a tag's release, for plans: the server URL, else derived from the API URL. */
function releasePageUrl(options: ReleaseSettings): string {
  const apiUrl = resolveApiUrl(options.apiUrl);
  const server =
    options.serverUrl?.replace(/\/+$/, '') ||
    (apiUrl === 'https://api.github.com' ? 'https://github.com' : apiUrl.replace(/\/api\/v3$/, ''));
  const { owner, repo } = options.repository;
  return `${server}/${owner}/${repo}/releases/tag/${encodeURIComponent(options.tag)}`;
}

/**
 * Records every call it would make ("dry run: would …" in the log) and makes none; answers as
 * if the tag had no release yet, so the plan shows a first publication.
 */
export function dryRunReleaseApi(
  options: ReleaseSettings,
  record: (line: string) => void = (line) => log.info(`dry run: would ${line}`),
): ReleaseApi {
  const { owner, repo } = options.repository;
  return {
    async open() {
      record(
        `find the release of ${options.tag} in ${owner}/${repo} ` +
          `(GET ${resolveApiUrl(options.apiUrl)}/repos/${owner}/${repo}/releases/tags/${options.tag}, ` +
          `then the release list for a draft), else create a draft${prereleaseOf(options) ? ' pre-release' : ''} named ${options.tag}`,
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
    },
    async sync(_handle, locals) {
      for (const local of locals)
        record(
          `upload ${local.name} (${local.size} bytes, sha256 ${local.sha256}) ` +
            `through upload_url, or keep it if the release has the same content`,
        );
      return emptyOutcome();
    },
    async publish(handle) {
      record(`publish the release ${handle.tag}`);
      return handle.htmlUrl;
    },
  };
}
