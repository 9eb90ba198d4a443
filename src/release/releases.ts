import { log } from '../log.js';
import { GitHubError } from './secret.js';
import { call, type Release, type RepoClient } from './client.js';

/**
 * The release of `tag`: the published one (GET /releases/tags/{tag}), else a draft from the
 * release list, since the tags endpoint never returns drafts. Undefined when there is neither.
 */
export async function findRelease(client: RepoClient, tag: string): Promise<Release | undefined> {
  const { octokit, owner, repo } = client;
  try {
    const response = await call(client, `GET the release of tag ${tag}`, () =>
      octokit.rest.repos.getReleaseByTag({ owner, repo, tag }),
    );
    return response.data;
  } catch (error) {
    if (!(error instanceof GitHubError && error.status === 404)) throw error;
  }
  return findDraft(client, tag);
}

async function findDraft(client: RepoClient, tag: string): Promise<Release | undefined> {
  const { octokit, owner, repo } = client;
  const pages = octokit.paginate.iterator(octokit.rest.repos.listReleases, {
    owner,
    repo,
    per_page: 100,
  });
  return call(client, `list the releases of ${owner}/${repo}`, async () => {
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
  });
}

export interface NewRelease {
  tag: string;
  prerelease: boolean;
  targetCommitish?: string;
}

/** Creates the release as a draft: assets are uploaded before anyone (or immutability) sees it. */
export async function createDraftRelease(
  client: RepoClient,
  release: NewRelease,
): Promise<Release> {
  const { octokit, owner, repo } = client;
  const response = await call(client, `create a draft release for ${release.tag}`, () =>
    octokit.rest.repos.createRelease({
      owner,
      repo,
      tag_name: release.tag,
      name: release.tag,
      draft: true,
      prerelease: release.prerelease,
      ...(release.targetCommitish ? { target_commitish: release.targetCommitish } : {}),
    }),
  );
  return response.data;
}

/** Publishes a draft; GitHub creates the tag then if it does not exist yet. */
export async function publishRelease(
  client: RepoClient,
  releaseId: number,
  tag: string,
): Promise<Release> {
  const { octokit, owner, repo } = client;
  const response = await call(client, `publish the release ${tag}`, () =>
    octokit.rest.repos.updateRelease({ owner, repo, release_id: releaseId, draft: false }),
  );
  return response.data;
}
