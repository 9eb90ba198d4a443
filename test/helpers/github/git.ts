import { randomBytes } from 'node:crypto';
import { sampleOf } from '../github-openapi.js';
import type { StoredCommit, StoredPull, StoredRepository } from './model.js';
import {
  error,
  gitSha,
  invalid,
  json,
  repoApi,
  repoWeb,
  route,
  type Call,
  type Reply,
  type Route,
  type Site,
} from './wire.js';

/**
 * The repository data a repository bot uses: the repository, tags, contents (raw), the git data
 * API (blobs, trees, commits, refs) and pull requests. GitHub's rules kept: content-addressed
 * blobs and trees; 422 for an existing ref, for a non-fast-forward update without force and for a
 * second open pull request from one branch.
 */

export function storeBlob(repo: StoredRepository, bytes: Buffer): string {
  const sha = gitSha('blob', bytes);
  repo.blobs.set(sha, bytes);
  return sha;
}

export function storeTree(repo: StoredRepository, tree: Map<string, string>): string {
  const listing = [...tree].sort(([a], [b]) => (a < b ? -1 : 1));
  const sha = gitSha('tree', listing.map(([path, blob]) => `100644 ${path} ${blob}`).join('\n'));
  repo.trees.set(sha, new Map(listing));
  return sha;
}

export function storeCommit(repo: StoredRepository, commit: StoredCommit): string {
  const sha = gitSha('commit', JSON.stringify(commit) + randomBytes(4).toString('hex'));
  repo.commits.set(sha, commit);
  return sha;
}

/** The commit a branch name or a sha names. */
export const resolveCommit = (repo: StoredRepository, ref: string): StoredCommit | undefined =>
  repo.commits.get(repo.refs.get(`refs/heads/${ref}`) ?? ref);

function isAncestor(repo: StoredRepository, ancestor: string, of: string): boolean {
  const queue = [of];
  for (let sha = queue.shift(); sha; sha = queue.shift()) {
    if (sha === ancestor) return true;
    queue.push(...(repo.commits.get(sha)?.parents ?? []));
  }
  return false;
}

export function gitEndpoints(site: Site): Route[] {
  const api = (repo: StoredRepository) => repoApi(site, repo);
  const notFound = (call: Call) => error(404, 'Not Found', call.doc);

  const getRepository = ({ repo }: Call): Reply =>
    json(200, {
      ...sampleOf('full-repository'),
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      private: repo.visibility === 'private',
      visibility: repo.visibility,
      default_branch: repo.defaultBranch,
      url: api(repo),
      html_url: repoWeb(site, repo),
    });

  const listTags = (call: Call): Reply =>
    call.page(
      call.repo.tags.map((name) => {
        const sha = gitSha('tag', name);
        return {
          name,
          commit: { sha, url: `${api(call.repo)}/commits/${sha}` },
          zipball_url: `${api(call.repo)}/zipball/refs/tags/${name}`,
          tarball_url: `${api(call.repo)}/tarball/refs/tags/${name}`,
          node_id: `REF_${Buffer.from(name).toString('base64url')}`,
        };
      }),
    );

  const getContent = (call: Call): Reply => {
    const { repo, params, url, headers } = call;
    const commit = resolveCommit(repo, url.searchParams.get('ref') ?? repo.defaultBranch);
    const blob = commit && repo.trees.get(commit.tree)?.get(params[0]);
    if (!blob) return notFound(call);
    if (!/\.raw\b|\.raw\+json/.test(String(headers.accept)))
      return error(415, 'This stand-in answers the raw media type only', call.doc);
    return {
      status: 200,
      headers: { 'content-type': 'application/vnd.github.raw' },
      body: repo.blobs.get(blob)!,
    };
  };

  const refJson = (repo: StoredRepository, ref: string) => {
    const sha = repo.refs.get(ref)!;
    return {
      ref,
      node_id: `REF_${Buffer.from(ref).toString('base64url')}`,
      url: `${api(repo)}/git/${ref}`,
      object: { type: 'commit', sha, url: `${api(repo)}/git/commits/${sha}` },
    };
  };

  const getRef = (call: Call): Reply => {
    const ref = `refs/${call.params[0]}`;
    return call.repo.refs.has(ref) ? json(200, refJson(call.repo, ref)) : notFound(call);
  };

  const createRef = (call: Call): Reply => {
    const { repo, input } = call;
    const ref = String(input.ref ?? '');
    const sha = String(input.sha ?? '');
    if (!/^refs\/[^/]+\/.+/.test(ref))
      return error(422, 'Reference name must start with refs/ and have two slashes', call.doc);
    if (!repo.commits.has(sha)) return error(422, 'Object does not exist', call.doc);
    if (repo.refs.has(ref)) return error(422, 'Reference already exists', call.doc);
    repo.refs.set(ref, sha);
    return json(201, refJson(repo, ref));
  };

  const updateRef = (call: Call): Reply => {
    const { repo, input } = call;
    const ref = `refs/${call.params[0]}`;
    const sha = String(input.sha ?? '');
    const current = repo.refs.get(ref);
    if (!current) return error(422, 'Reference does not exist', call.doc);
    if (!repo.commits.has(sha)) return error(422, 'Object does not exist', call.doc);
    if (input.force !== true && !isAncestor(repo, current, sha))
      return error(422, 'Update is not a fast forward', call.doc);
    repo.refs.set(ref, sha);
    return json(200, refJson(repo, ref));
  };

  const createBlob = (call: Call): Reply => {
    const { repo, input } = call;
    if (typeof input.content !== 'string')
      return invalid(call.doc, 'Blob', 'content', 'missing_field');
    // The stand-in takes text blobs only (what the bump sends).
    if ((input.encoding ?? 'utf-8') !== 'utf-8') return invalid(call.doc, 'Blob', 'encoding');
    const sha = storeBlob(repo, Buffer.from(input.content, 'utf8'));
    return json(201, { url: `${api(repo)}/git/blobs/${sha}`, sha });
  };

  const treeJson = (repo: StoredRepository, sha: string) => ({
    sha,
    url: `${api(repo)}/git/trees/${sha}`,
    truncated: false,
    tree: [...repo.trees.get(sha)!].map(([path, blob]) => ({
      path,
      mode: '100644',
      type: 'blob',
      sha: blob,
      size: repo.blobs.get(blob)!.length,
      url: `${api(repo)}/git/blobs/${blob}`,
    })),
  });

  const createTree = (call: Call): Reply => {
    const { repo, input } = call;
    const base =
      input.base_tree === undefined
        ? new Map<string, string>()
        : repo.trees.get(String(input.base_tree));
    if (!base) return error(422, 'Invalid tree info', call.doc);
    const tree = new Map(base);
    for (const entry of (input.tree ?? []) as Array<{ path: string; sha: string; mode: string }>) {
      if (!repo.blobs.has(entry.sha) || entry.mode !== '100644')
        return error(422, 'Invalid tree info', call.doc);
      tree.set(entry.path, entry.sha);
    }
    return json(201, treeJson(repo, storeTree(repo, tree)));
  };

  const commitJson = (repo: StoredRepository, sha: string) => {
    const commit = repo.commits.get(sha)!;
    const person = {
      name: 'github-actions[bot]',
      email: '41898282+github-actions[bot]@users.noreply.github.com',
      date: commit.date,
    };
    const link = (target: string) => ({
      sha: target,
      url: `${api(repo)}/git/commits/${target}`,
      html_url: `${repoWeb(site, repo)}/commit/${target}`,
    });
    return {
      ...link(sha),
      node_id: `C_${sha.slice(0, 16)}`,
      author: person,
      committer: person,
      message: commit.message,
      tree: { sha: commit.tree, url: `${api(repo)}/git/trees/${commit.tree}` },
      parents: commit.parents.map(link),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  };

  const getCommit = (call: Call): Reply =>
    call.repo.commits.has(call.params[0])
      ? json(200, commitJson(call.repo, call.params[0]))
      : notFound(call);

  const createCommit = (call: Call): Reply => {
    const { repo, input } = call;
    const tree = String(input.tree ?? '');
    const parents = (input.parents ?? []) as string[];
    if (typeof input.message !== 'string')
      return invalid(call.doc, 'Commit', 'message', 'missing_field');
    if (!repo.trees.has(tree) || !parents.every((parent) => repo.commits.has(parent)))
      return error(422, 'Tree SHA does not exist', call.doc);
    const sha = storeCommit(repo, {
      tree,
      parents,
      message: input.message,
      date: new Date().toISOString(),
    });
    return json(201, commitJson(repo, sha));
  };

  const pullJson = (repo: StoredRepository, pull: StoredPull, simple: boolean) => {
    const schema = simple ? 'pull-request-simple' : 'pull-request';
    const side = (branch: string) => ({
      ...(sampleOf(schema).head as Record<string, unknown>),
      label: `${repo.owner}:${branch}`,
      ref: branch,
      sha: repo.refs.get(`refs/heads/${branch}`) ?? '',
    });
    return {
      ...sampleOf(schema),
      id: 1_000_000 + pull.number,
      number: pull.number,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      url: `${api(repo)}/pulls/${pull.number}`,
      html_url: `${repoWeb(site, repo)}/pull/${pull.number}`,
      head: side(pull.branch),
      base: side(pull.base),
    };
  };

  const listPulls = (call: Call): Reply => {
    const { repo, url } = call;
    const state = url.searchParams.get('state') ?? 'open';
    const head = url.searchParams.get('head');
    return call.page(
      repo.pulls
        .filter(
          (pull) => pull.state === state && (!head || head === `${repo.owner}:${pull.branch}`),
        )
        .map((pull) => pullJson(repo, pull, true)),
    );
  };

  const createPull = (call: Call): Reply => {
    const { repo, input } = call;
    const branch = String(input.head ?? '').replace(`${repo.owner}:`, '');
    const base = String(input.base ?? '');
    const refused = (field: string, code?: string, message?: string) =>
      invalid(call.doc, 'PullRequest', field, code, message);
    if (typeof input.title !== 'string') return refused('title', 'missing_field');
    if (!repo.refs.has(`refs/heads/${branch}`)) return refused('head');
    if (!repo.refs.has(`refs/heads/${base}`)) return refused('base');
    if (
      repo.pulls.some(
        (pull) => pull.state === 'open' && pull.branch === branch && pull.base === base,
      )
    )
      return refused(
        'head',
        'custom',
        `A pull request already exists for ${repo.owner}:${branch}.`,
      );
    const pull: StoredPull = {
      number: repo.pulls.length + 1,
      branch,
      base,
      title: input.title,
      body: typeof input.body === 'string' ? input.body : '',
      state: 'open',
    };
    repo.pulls.push(pull);
    return json(201, pullJson(repo, pull, false));
  };

  const updatePull = (call: Call): Reply => {
    const { input } = call;
    const pull = call.repo.pulls.find((candidate) => String(candidate.number) === call.params[0]);
    if (!pull) return notFound(call);
    if (typeof input.title === 'string') pull.title = input.title;
    if (typeof input.body === 'string') pull.body = input.body;
    if (input.state === 'open' || input.state === 'closed') pull.state = input.state;
    return json(200, pullJson(call.repo, pull, false));
  };

  const repo = '/repos/{owner}/{repo}';
  return [
    route('GET', repo, getRepository),
    route('GET', `${repo}/tags`, listTags),
    route('GET', `${repo}/contents/{path}`, getContent),
    route('GET', `${repo}/git/ref/{ref}`, getRef),
    route('POST', `${repo}/git/refs`, createRef),
    route('PATCH', `${repo}/git/refs/{ref}`, updateRef),
    route('POST', `${repo}/git/blobs`, createBlob),
    route('POST', `${repo}/git/trees`, createTree),
    route('GET', `${repo}/git/commits/{commit_sha}`, getCommit),
    route('POST', `${repo}/git/commits`, createCommit),
    route('GET', `${repo}/pulls`, listPulls),
    route('POST', `${repo}/pulls`, createPull),
    route('PATCH', `${repo}/pulls/{pull_number}`, updatePull),
  ];
}
