import { log } from '../log.js';
import { GitHubError } from './secret.js';
import { isLowerVersion, isPrerelease, semanticVersion } from '../version.js';
import { call, createOnGitHub, NO_BLIND_RETRY, type Release, type RepoClient } from './client.js';

/**
 * The release of `tag`: the published one (GET /releases/tags/{tag}), else a draft from the
 * release list, since the tags endpoint never returns drafts. Undefined when there is neither.
 */
export async function findRelease(client: RepoClient, tag: string): Promise<Release | undefined> {
  return (await findPublishedRelease(client, tag)) ?? findDraft(client, tag);
}

/** The published release of `tag` (GET /releases/tags/{tag}); undefined on GitHub's 404. */
export async function findPublishedRelease(
  client: RepoClient,
  tag: string,
): Promise<Release | undefined> {
  const { octokit, owner, repo } = client;
  try {
    const response = await call(client, `GET the release of tag ${tag}`, () =>
      octokit.rest.repos.getReleaseByTag({ owner, repo, tag }),
    );
    return response.data;
  } catch (error) {
    if (error instanceof GitHubError && error.status === 404) return undefined;
    throw error;
  }
}

async function findDraft(client: RepoClient, tag: string): Promise<Release | undefined> {
  const { octokit, owner, repo } = client;
  const pages = octokit.paginate.iterator(octokit.rest.repos.listReleases, {
    owner,
    repo,
    per_page: 100,
  });
  const list = async () => {
    // Newest first: stop at the first page holding a draft of this tag.
    for await (const page of pages) {
      const drafts = page.data.filter((release) => release.draft && release.tag_name === tag);
      if (drafts.length > 1)
        log.warning(
          `${drafts.length} draft releases for ${tag}; using the newest (id ${drafts[0].id})`,
        );
      if (drafts.length > 0) return drafts[0];
    }
    return undefined;
  };
  return call(client, `list the releases of ${owner}/${repo}`, list, { repositoryCall: true });
}

export interface NewRelease {
  tag: string;
  prerelease: boolean;
  targetCommitish?: string;
}

/**
 * Creates the release as a draft: assets are uploaded before anyone (or immutability) sees it.
 * GitHub allows many drafts per tag, so a create whose answer was lost is never sent again before
 * the release list shows no draft of the tag.
 */
export async function createDraftRelease(
  client: RepoClient,
  release: NewRelease,
): Promise<Release> {
  const { octokit, owner, repo } = client;
  const action = `create a draft release for ${release.tag}`;
  const create = async (): Promise<Release> => {
    const response = await call(
      client,
      action,
      () =>
        octokit.rest.repos.createRelease({
          owner,
          repo,
          tag_name: release.tag,
          name: release.tag,
          draft: true,
          prerelease: release.prerelease,
          ...(release.targetCommitish ? { target_commitish: release.targetCommitish } : {}),
          // A create left hanging counts as lost: looked for, then tried again.
          request: {
            ...NO_BLIND_RETRY.request,
            signal: AbortSignal.timeout(client.createTimeoutMs),
          },
        }),
      { repositoryCall: true },
    );
    return response.data;
  };
  return createOnGitHub(client, `the draft release for ${release.tag}`, create, () =>
    findDraft(client, release.tag),
  );
}

/**
 * Whether publishing `version` should make it the repository's "Latest" release: not when the
 * current latest is a higher version, so a backport (1.1.5 after 1.2.0) does not take its place.
 */
async function makeLatest(
  client: RepoClient,
  version: string,
): Promise<'true' | 'false' | undefined> {
  // A prerelease is never "Latest": leave the choice to GitHub.
  if (isPrerelease(version)) return undefined;
  const { octokit, owner, repo } = client;
  let latestTag: string;
  try {
    latestTag = (
      await call(client, 'GET the latest release', () =>
        octokit.rest.repos.getLatestRelease({ owner, repo }),
      )
    ).data.tag_name;
  } catch (error) {
    if (error instanceof GitHubError && error.status === 404) return 'true';
    throw error;
  }
  const latest = semanticVersion(latestTag);
  return latest && isLowerVersion(version, latest) ? 'false' : 'true';
}

/** Publishes a draft; GitHub creates the tag then if it does not exist yet. */
export async function publishRelease(
  client: RepoClient,
  releaseId: number,
  tag: string,
  version: string,
): Promise<Release> {
  const { octokit, owner, repo } = client;
  const make_latest = await makeLatest(client, version);
  if (make_latest === 'false')
    log.info(`${tag} is older than the latest release: it stays not "Latest"`);
  const response = await call(client, `publish the release ${tag}`, () =>
    octokit.rest.repos.updateRelease({
      owner,
      repo,
      release_id: releaseId,
      draft: false,
      make_latest,
    }),
  );
  return response.data;
}

/** Sets a release's title and notes (PATCH: the same request twice leaves the same release). */
export async function editRelease(
  client: RepoClient,
  release: Pick<Release, 'id' | 'tag_name'>,
  changes: { name: string; body: string },
): Promise<Release> {
  const { octokit, owner, repo } = client;
  const response = await call(client, `edit the release ${release.tag_name}`, () =>
    octokit.rest.repos.updateRelease({ owner, repo, release_id: release.id, ...changes }),
  );
  return response.data;
}
