import { NO_BLIND_RETRY, type RepoClient, call, createOnGitHub } from '../github/client.js';
import type { GitHubError } from '../github/secret.js';

// The GitHub calls of the bump, each named for the error it may raise. Creating POSTs go through
// createOnGitHub: never sent again before looking for what a failed attempt may have made.

/** GitHub's 422 for a ref or an open pull request that is already there (a parallel run's). */
const alreadyExists = (error: GitHubError): boolean =>
  error.status === 422 && /already exists/i.test(error.message);

const isNotFound = (error: unknown): boolean =>
  (error as { status?: number } | null)?.status === 404;

/** Every tag name of the repository, through all pages. */
export async function listTagNames(client: RepoClient): Promise<string[]> {
  const { octokit, owner, repo } = client;
  return call(client, `list the tags of ${owner}/${repo}`, () =>
    octokit.paginate(octokit.rest.repos.listTags, { owner, repo, per_page: 100 }, (response) =>
      response.data.map((tag) => tag.name),
    ),
  );
}

export async function defaultBranch(client: RepoClient): Promise<string> {
  const { octokit, owner, repo } = client;
  const response = await call(client, `read the repository ${owner}/${repo}`, () =>
    octokit.rest.repos.get({ owner, repo }),
  );
  return response.data.default_branch;
}

/** The commit a branch points at; undefined when there is no such branch. */
export async function branchHead(client: RepoClient, branch: string): Promise<string | undefined> {
  const { octokit, owner, repo } = client;
  try {
    const response = await octokit.rest.git.getRef({ owner, repo, ref: `heads/${branch}` });
    return response.data.object.sha;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    return call(client, `read the branch ${branch}`, () => Promise.reject(error));
  }
}

export interface Commit {
  sha: string;
  tree: string;
  parents: string[];
  message: string;
}

export async function readCommit(client: RepoClient, sha: string): Promise<Commit> {
  const { octokit, owner, repo } = client;
  const { data } = await call(client, `read the commit ${sha}`, () =>
    octokit.rest.git.getCommit({ owner, repo, commit_sha: sha }),
  );
  return {
    sha: data.sha,
    tree: data.tree.sha,
    parents: data.parents.map((parent) => parent.sha),
    message: data.message,
  };
}

/** A file's text at a commit (the raw media type: no 1 MB limit as with the JSON form). */
export async function readFileAt(client: RepoClient, path: string, ref: string): Promise<string> {
  const { octokit, owner, repo } = client;
  const response = await call(client, `read ${path} at ${ref}`, () =>
    octokit.rest.repos.getContent({ owner, repo, path, ref, mediaType: { format: 'raw' } }),
  );
  // octokit hands raw bodies over as text or as bytes, depending on the content type GitHub sends.
  const data: unknown = response.data;
  return typeof data === 'string' ? data : Buffer.from(data as ArrayBuffer).toString('utf8');
}

/** A tree: `base` with the files replaced (blobs and trees are content-addressed: safe to resend). */
export async function writeTree(
  client: RepoClient,
  base: string,
  files: Array<{ path: string; text: string }>,
): Promise<string> {
  const { octokit, owner, repo } = client;
  const entries: Array<{ path: string; mode: '100644'; type: 'blob'; sha: string }> = [];
  for (const file of files) {
    const blob = await call(client, `upload ${file.path}`, () =>
      octokit.rest.git.createBlob({ owner, repo, content: file.text, encoding: 'utf-8' }),
    );
    entries.push({ path: file.path, mode: '100644', type: 'blob', sha: blob.data.sha });
  }
  const tree = await call(client, 'write the tree', () =>
    octokit.rest.git.createTree({ owner, repo, base_tree: base, tree: entries }),
  );
  return tree.data.sha;
}

export async function writeCommit(
  client: RepoClient,
  commit: Omit<Commit, 'sha'>,
): Promise<string> {
  const { octokit, owner, repo } = client;
  const response = await call(client, 'write the commit', () =>
    octokit.rest.git.createCommit({ owner, repo, ...commit }),
  );
  return response.data.sha;
}

/**
 * Creates the branch at `sha`; returns the commit it points at: `sha`, or, when a parallel run
 * made the branch first, that run's commit.
 */
export async function createBranch(
  client: RepoClient,
  branch: string,
  sha: string,
): Promise<string> {
  const { octokit, owner, repo } = client;
  const create = async () => {
    await call(client, `create the branch ${branch}`, () =>
      octokit.rest.git.createRef({
        owner,
        repo,
        ref: `refs/heads/${branch}`,
        sha,
        ...NO_BLIND_RETRY,
      }),
    );
    return sha;
  };
  return createOnGitHub(
    client,
    `the branch ${branch}`,
    create,
    () => branchHead(client, branch),
    alreadyExists,
  );
}

/** Points the branch at `sha`, replacing what it held (the bump branch is this command's own). */
export async function moveBranch(client: RepoClient, branch: string, sha: string): Promise<void> {
  const { octokit, owner, repo } = client;
  await call(client, `update the branch ${branch}`, () =>
    octokit.rest.git.updateRef({ owner, repo, ref: `heads/${branch}`, sha, force: true }),
  );
}

export interface PullRequest {
  number: number;
  url: string;
  title: string;
  body: string;
}

/** The open pull request from `branch` of this repository, if any. */
export async function findOpenPull(
  client: RepoClient,
  branch: string,
): Promise<PullRequest | undefined> {
  const { octokit, owner, repo } = client;
  const pulls = await call(client, `look for an open pull request from ${branch}`, () =>
    octokit.paginate(octokit.rest.pulls.list, {
      owner,
      repo,
      head: `${owner}:${branch}`,
      state: 'open',
      per_page: 100,
    }),
  );
  const pull = pulls[0];
  return (
    pull && { number: pull.number, url: pull.html_url, title: pull.title, body: pull.body ?? '' }
  );
}

/** Opens the pull request; one a failed attempt or a parallel run opened is found and returned. */
export async function openPull(
  client: RepoClient,
  pull: { branch: string; base: string; title: string; body: string },
): Promise<PullRequest> {
  const { octokit, owner, repo } = client;
  const open = async (): Promise<PullRequest> => {
    const { data } = await call(client, `open the pull request from ${pull.branch}`, () =>
      octokit.rest.pulls.create({
        owner,
        repo,
        head: pull.branch,
        base: pull.base,
        title: pull.title,
        body: pull.body,
        ...NO_BLIND_RETRY,
      }),
    );
    return { number: data.number, url: data.html_url, title: data.title, body: data.body ?? '' };
  };
  return createOnGitHub(
    client,
    `the pull request from ${pull.branch}`,
    open,
    () => findOpenPull(client, pull.branch),
    alreadyExists,
  );
}

export async function editPull(
  client: RepoClient,
  number: number,
  text: { title: string; body: string } | { state: 'closed' },
): Promise<void> {
  const { octokit, owner, repo } = client;
  await call(client, `update pull request #${number}`, () =>
    octokit.rest.pulls.update({ owner, repo, pull_number: number, ...text }),
  );
}
