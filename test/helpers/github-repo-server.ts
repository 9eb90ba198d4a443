import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sampleOf, schemaViolations } from './github-openapi.js';

/**
 * A local stand-in for the parts of GitHub's REST API a repository bot uses: tags, contents,
 * the git data API (blobs, trees, commits, refs) and pull requests, for any number of
 * repositories on one host. It keeps GitHub's rules the bump relies on: content-addressed blobs
 * and trees, 422 for an existing ref, for a non-fast-forward update without force and for a second
 * open pull request from one branch, Link pagination. Every JSON answer is checked against GitHub's
 * OpenAPI description (`violations`), every request is recorded, and faults can be queued,
 * including one that applies the write and then answers an error.
 */

interface StoredCommit {
  tree: string;
  parents: string[];
  message: string;
  date: string;
}

interface StoredPull {
  number: number;
  branch: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
}

interface StoredRepository {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  tags: string[];
  blobs: Map<string, Buffer>;
  /** Flat trees: path to blob sha. */
  trees: Map<string, Map<string, string>>;
  commits: Map<string, StoredCommit>;
  /** refs/heads/main to commit sha. */
  refs: Map<string, string>;
  pulls: StoredPull[];
}

export interface RepoFault {
  method?: string;
  path: RegExp;
  status: number;
  times?: number;
  /** Carry the request out, then answer `status` anyway: a write whose answer was lost. */
  applied?: boolean;
}

interface Call {
  method: string;
  url: URL;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
  repo: StoredRepository;
  /** The path parameters after owner and repo. */
  params: string[];
}

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Raw bytes (the raw media type), not JSON and not checked against a schema. */
  raw?: Buffer;
}

const gitSha = (kind: string, content: Buffer | string): string => {
  const bytes = Buffer.from(content);
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${kind} ${bytes.length}\0`), bytes]))
    .digest('hex');
};

const error = (status: number, message: string, errors?: unknown[]): Answer => ({
  status,
  body: {
    message,
    documentation_url: 'https://docs.github.com/rest',
    ...(errors ? { errors } : {}),
    status: String(status),
  },
});
const invalid = (resource: string, field: string, code = 'invalid', message?: string): Answer =>
  error(422, 'Validation Failed', [{ resource, field, code, ...(message ? { message } : {}) }]);

export class GitHubRepoServer {
  readonly token = `ghs_${randomBytes(18).toString('hex')}`;
  readonly requests: Array<{ method: string; path: string; status: number }> = [];
  /** Answers that GitHub's OpenAPI description does not allow: a test expects none. */
  readonly violations: string[] = [];
  private readonly repos = new Map<string, StoredRepository>();
  private readonly faults: Array<Required<Omit<RepoFault, 'method'>> & { method?: string }> = [];
  private origin = '';
  private nextId = 900_000_001;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<GitHubRepoServer> {
    const server = new GitHubRepoServer(createServer());
    server.server.on('request', (req, res) => void server.serve(req, res));
    server.server.listen(0, '127.0.0.1');
    await once(server.server, 'listening');
    server.origin = `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
    return server;
  }

  get apiUrl(): string {
    return this.origin;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }

  failNext(fault: RepoFault): void {
    this.faults.push({ times: 1, applied: false, ...fault });
  }

  /** A repository with tags only (aws/aws-cli). */
  seedTags(fullName: string, tags: string[]): void {
    this.repository(fullName).tags.push(...tags);
  }

  /** A repository whose default branch holds `files` in one commit; returns the commit. */
  seedRepository(fullName: string, files: Record<string, string>, defaultBranch = 'main'): string {
    const repo = this.repository(fullName);
    repo.defaultBranch = defaultBranch;
    return this.commit(fullName, defaultBranch, files, 'Initial commit');
  }

  /** Commits `files` (changed or added) on `branch`, as a person pushing would. */
  commit(fullName: string, branch: string, files: Record<string, string>, message: string): string {
    const repo = this.repository(fullName);
    const parent = repo.refs.get(`refs/heads/${branch}`);
    const tree = new Map(parent ? repo.trees.get(repo.commits.get(parent)!.tree) : []);
    for (const [path, text] of Object.entries(files))
      tree.set(path, this.storeBlob(repo, Buffer.from(text)));
    const sha = this.storeCommit(repo, {
      tree: this.storeTree(repo, tree),
      parents: parent ? [parent] : [],
      message,
      date: new Date().toISOString(),
    });
    repo.refs.set(`refs/heads/${branch}`, sha);
    return sha;
  }

  /** A file's text on a branch (or at a commit); undefined when it is not there. */
  fileAt(fullName: string, ref: string, path: string): string | undefined {
    const repo = this.repository(fullName);
    const commit = repo.commits.get(repo.refs.get(`refs/heads/${ref}`) ?? ref);
    const blob = commit && repo.trees.get(commit.tree)?.get(path);
    return blob === undefined ? undefined : repo.blobs.get(blob)!.toString('utf8');
  }

  branch(fullName: string, name: string): string | undefined {
    return this.repository(fullName).refs.get(`refs/heads/${name}`);
  }

  commitMessage(fullName: string, sha: string): string | undefined {
    return this.repository(fullName).commits.get(sha)?.message;
  }

  parents(fullName: string, sha: string): string[] {
    return this.repository(fullName).commits.get(sha)?.parents ?? [];
  }

  pulls(fullName: string): StoredPull[] {
    return this.repository(fullName).pulls;
  }

  /** Requests that change something (POST, PATCH), as "METHOD path". */
  writes(): string[] {
    return this.requests
      .filter((request) => request.method !== 'GET')
      .map((request) => `${request.method} ${request.path}`);
  }

  private repository(fullName: string): StoredRepository {
    let repo = this.repos.get(fullName);
    if (!repo) {
      const [owner, name] = fullName.split('/');
      repo = {
        owner,
        name,
        id: this.nextId++,
        defaultBranch: 'main',
        tags: [],
        blobs: new Map(),
        trees: new Map(),
        commits: new Map(),
        refs: new Map(),
        pulls: [],
      };
      this.repos.set(fullName, repo);
    }
    return repo;
  }

  private storeBlob(repo: StoredRepository, bytes: Buffer): string {
    const sha = gitSha('blob', bytes);
    repo.blobs.set(sha, bytes);
    return sha;
  }

  private storeTree(repo: StoredRepository, tree: Map<string, string>): string {
    const listing = [...tree].sort(([a], [b]) => (a < b ? -1 : 1));
    const sha = gitSha('tree', listing.map(([path, blob]) => `100644 ${path} ${blob}`).join('\n'));
    repo.trees.set(sha, new Map(listing));
    return sha;
  }

  private storeCommit(repo: StoredRepository, commit: StoredCommit): string {
    const sha = gitSha('commit', JSON.stringify(commit) + randomBytes(4).toString('hex'));
    repo.commits.set(sha, commit);
    return sha;
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', this.origin);
    const method = req.method ?? 'GET';
    const answer = this.answer(method, url, req.headers, Buffer.concat(chunks));
    this.requests.push({
      method,
      path: decodeURIComponent(`${url.pathname}${url.search}`),
      status: answer.status,
    });
    const payload =
      answer.raw ??
      (answer.body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(answer.body)));
    res.writeHead(answer.status, {
      'content-type': answer.raw ? 'application/vnd.github.raw' : 'application/json; charset=utf-8',
      'content-length': String(payload.length),
      'x-github-api-version-selected': '2022-11-28',
      ...answer.headers,
    });
    res.end(payload);
  }

  private answer(method: string, url: URL, headers: Call['headers'], raw: Buffer): Answer {
    if (
      headers.authorization !== `token ${this.token}` &&
      headers.authorization !== `Bearer ${this.token}`
    )
      return error(401, headers.authorization ? 'Bad credentials' : 'Requires authentication');
    const fault = this.faults.find(
      (candidate) =>
        candidate.times > 0 &&
        (!candidate.method || candidate.method === method) &&
        candidate.path.test(url.pathname),
    );
    if (fault) {
      fault.times--;
      if (!fault.applied) return error(fault.status, 'Server Error');
    }
    for (const route of this.routes) {
      const match = route.pattern.exec(url.pathname);
      if (!match || route.method !== method) continue;
      const [owner, name, ...params] = match.slice(1).map(decodeURIComponent);
      const repo = this.repos.get(`${owner}/${name}`);
      if (!repo) return error(404, 'Not Found');
      let body: Record<string, unknown>;
      try {
        body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
      } catch {
        return error(400, 'Problems parsing JSON');
      }
      const answer = route.handler({ method, url, headers, body, repo, params });
      if (!answer.raw)
        for (const problem of schemaViolations(route.template, method, answer.status, answer.body))
          this.violations.push(`${method} ${route.template} ${answer.status}: ${problem}`);
      return fault ? error(fault.status, 'Server Error') : answer;
    }
    return error(404, 'Not Found');
  }

  private readonly routes = [
    route('GET', '/repos/{owner}/{repo}', (call) => this.getRepository(call)),
    route('GET', '/repos/{owner}/{repo}/tags', (call) => this.listTags(call)),
    route('GET', '/repos/{owner}/{repo}/contents/{path}', (call) => this.getContent(call)),
    route('GET', '/repos/{owner}/{repo}/git/ref/{ref}', (call) => this.getRef(call)),
    route('POST', '/repos/{owner}/{repo}/git/refs', (call) => this.createRef(call)),
    route('PATCH', '/repos/{owner}/{repo}/git/refs/{ref}', (call) => this.updateRef(call)),
    route('POST', '/repos/{owner}/{repo}/git/blobs', (call) => this.createBlob(call)),
    route('POST', '/repos/{owner}/{repo}/git/trees', (call) => this.createTree(call)),
    route('GET', '/repos/{owner}/{repo}/git/commits/{commit_sha}', (call) => this.getCommit(call)),
    route('POST', '/repos/{owner}/{repo}/git/commits', (call) => this.createCommit(call)),
    route('GET', '/repos/{owner}/{repo}/pulls', (call) => this.listPulls(call)),
    route('POST', '/repos/{owner}/{repo}/pulls', (call) => this.createPull(call)),
    route('PATCH', '/repos/{owner}/{repo}/pulls/{pull_number}', (call) => this.updatePull(call)),
  ];

  // ---- endpoints -----------------------------------------------------------------------------

  private repoUrl(repo: StoredRepository): string {
    return `${this.origin}/repos/${repo.owner}/${repo.name}`;
  }

  private getRepository({ repo }: Call): Answer {
    return {
      status: 200,
      body: {
        ...sampleOf('full-repository'),
        id: repo.id,
        name: repo.name,
        full_name: `${repo.owner}/${repo.name}`,
        default_branch: repo.defaultBranch,
        url: this.repoUrl(repo),
        html_url: `${this.origin}/${repo.owner}/${repo.name}`,
      },
    };
  }

  private listTags(call: Call): Answer {
    const { repo } = call;
    const items = repo.tags.map((name) => {
      const sha = gitSha('tag', name);
      return {
        name,
        commit: { sha, url: `${this.repoUrl(repo)}/commits/${sha}` },
        zipball_url: `${this.repoUrl(repo)}/zipball/refs/tags/${name}`,
        tarball_url: `${this.repoUrl(repo)}/tarball/refs/tags/${name}`,
        node_id: `REF_${Buffer.from(name).toString('base64url')}`,
      };
    });
    return this.page(call, items);
  }

  /** One page (per_page at most 100, default 30) with GitHub's Link header. */
  private page(call: Call, items: unknown[]): Answer {
    const query = call.url.searchParams;
    const size = Math.min(100, Number(query.get('per_page')) || 30);
    const number = Number(query.get('page')) || 1;
    const last = Math.max(1, Math.ceil(items.length / size));
    const at = (page: number, rel: string): string => {
      const url = new URL(call.url);
      url.searchParams.set('per_page', String(size));
      url.searchParams.set('page', String(page));
      return `<${url}>; rel="${rel}"`;
    };
    const links = [
      ...(number < last ? [at(number + 1, 'next'), at(last, 'last')] : []),
      ...(number > 1 ? [at(1, 'first'), at(number - 1, 'prev')] : []),
    ];
    return {
      status: 200,
      body: items.slice((number - 1) * size, number * size),
      headers: links.length ? { link: links.join(', ') } : {},
    };
  }

  private resolve(repo: StoredRepository, ref: string): StoredCommit | undefined {
    return repo.commits.get(repo.refs.get(`refs/heads/${ref}`) ?? ref);
  }

  private getContent({ repo, params, url, headers }: Call): Answer {
    const commit = this.resolve(repo, url.searchParams.get('ref') ?? repo.defaultBranch);
    const blob = commit && repo.trees.get(commit.tree)?.get(params[0]);
    if (!blob) return error(404, 'Not Found');
    if (!/\.raw\b|\.raw\+json/.test(String(headers.accept)))
      return error(415, 'This stand-in answers the raw media type only');
    return { status: 200, raw: repo.blobs.get(blob)! };
  }

  private refJson(repo: StoredRepository, ref: string) {
    const sha = repo.refs.get(ref)!;
    return {
      ref,
      node_id: `REF_${Buffer.from(ref).toString('base64url')}`,
      url: `${this.repoUrl(repo)}/git/${ref}`,
      object: { type: 'commit', sha, url: `${this.repoUrl(repo)}/git/commits/${sha}` },
    };
  }

  private getRef({ repo, params }: Call): Answer {
    const ref = `refs/${params[0]}`;
    return repo.refs.has(ref)
      ? { status: 200, body: this.refJson(repo, ref) }
      : error(404, 'Not Found');
  }

  private createRef({ repo, body }: Call): Answer {
    const ref = String(body.ref ?? '');
    const sha = String(body.sha ?? '');
    if (!/^refs\/[^/]+\/.+/.test(ref))
      return error(422, 'Reference name must start with refs/ and have two slashes');
    if (!repo.commits.has(sha)) return error(422, 'Object does not exist');
    if (repo.refs.has(ref)) return error(422, 'Reference already exists');
    repo.refs.set(ref, sha);
    return { status: 201, body: this.refJson(repo, ref) };
  }

  private isAncestor(repo: StoredRepository, ancestor: string, of: string): boolean {
    const queue = [of];
    for (let sha = queue.shift(); sha; sha = queue.shift()) {
      if (sha === ancestor) return true;
      queue.push(...(repo.commits.get(sha)?.parents ?? []));
    }
    return false;
  }

  private updateRef({ repo, params, body }: Call): Answer {
    const ref = `refs/${params[0]}`;
    const sha = String(body.sha ?? '');
    const current = repo.refs.get(ref);
    if (!current) return error(422, 'Reference does not exist');
    if (!repo.commits.has(sha)) return error(422, 'Object does not exist');
    if (body.force !== true && !this.isAncestor(repo, current, sha))
      return error(422, 'Update is not a fast forward');
    repo.refs.set(ref, sha);
    return { status: 200, body: this.refJson(repo, ref) };
  }

  private createBlob({ repo, body }: Call): Answer {
    if (typeof body.content !== 'string') return invalid('Blob', 'content', 'missing_field');
    const encoding = body.encoding ?? 'utf-8';
    if (encoding !== 'utf-8' && encoding !== 'base64') return invalid('Blob', 'encoding');
    const sha = this.storeBlob(
      repo,
      Buffer.from(body.content, encoding === 'base64' ? 'base64' : 'utf8'),
    );
    return { status: 201, body: { url: `${this.repoUrl(repo)}/git/blobs/${sha}`, sha } };
  }

  private createTree({ repo, body }: Call): Answer {
    const base =
      body.base_tree === undefined
        ? new Map<string, string>()
        : repo.trees.get(String(body.base_tree));
    if (!base) return error(422, 'Invalid tree info');
    const tree = new Map(base);
    for (const entry of (body.tree ?? []) as Array<{
      path: string;
      sha: string | null;
      mode: string;
    }>) {
      if (entry.sha === null) tree.delete(entry.path);
      else if (repo.blobs.has(entry.sha) && entry.mode === '100644')
        tree.set(entry.path, entry.sha);
      else return error(422, 'Invalid tree info');
    }
    const sha = this.storeTree(repo, tree);
    return { status: 201, body: this.treeJson(repo, sha) };
  }

  private treeJson(repo: StoredRepository, sha: string) {
    return {
      sha,
      url: `${this.repoUrl(repo)}/git/trees/${sha}`,
      truncated: false,
      tree: [...repo.trees.get(sha)!].map(([path, blob]) => ({
        path,
        mode: '100644',
        type: 'blob',
        sha: blob,
        size: repo.blobs.get(blob)!.length,
        url: `${this.repoUrl(repo)}/git/blobs/${blob}`,
      })),
    };
  }

  private commitJson(repo: StoredRepository, sha: string) {
    const commit = repo.commits.get(sha)!;
    const person = {
      name: 'github-actions[bot]',
      email: '41898282+github-actions[bot]@users.noreply.github.com',
      date: commit.date,
    };
    return {
      sha,
      node_id: `C_${sha.slice(0, 16)}`,
      url: `${this.repoUrl(repo)}/git/commits/${sha}`,
      html_url: `${this.origin}/${repo.owner}/${repo.name}/commit/${sha}`,
      author: person,
      committer: person,
      message: commit.message,
      tree: { sha: commit.tree, url: `${this.repoUrl(repo)}/git/trees/${commit.tree}` },
      parents: commit.parents.map((parent) => ({
        sha: parent,
        url: `${this.repoUrl(repo)}/git/commits/${parent}`,
        html_url: `${this.origin}/${repo.owner}/${repo.name}/commit/${parent}`,
      })),
      verification: {
        verified: false,
        reason: 'unsigned',
        signature: null,
        payload: null,
        verified_at: null,
      },
    };
  }

  private getCommit({ repo, params }: Call): Answer {
    return repo.commits.has(params[0])
      ? { status: 200, body: this.commitJson(repo, params[0]) }
      : error(404, 'Not Found');
  }

  private createCommit({ repo, body }: Call): Answer {
    const tree = String(body.tree ?? '');
    const parents = (body.parents ?? []) as string[];
    if (typeof body.message !== 'string') return invalid('Commit', 'message', 'missing_field');
    if (!repo.trees.has(tree) || !parents.every((parent) => repo.commits.has(parent)))
      return error(422, 'Tree SHA does not exist');
    const sha = this.storeCommit(repo, {
      tree,
      parents,
      message: body.message,
      date: new Date().toISOString(),
    });
    return { status: 201, body: this.commitJson(repo, sha) };
  }

  private pullJson(repo: StoredRepository, pull: StoredPull, simple: boolean) {
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
      url: `${this.repoUrl(repo)}/pulls/${pull.number}`,
      html_url: `${this.origin}/${repo.owner}/${repo.name}/pull/${pull.number}`,
      head: side(pull.branch),
      base: side(pull.base),
    };
  }

  private listPulls(call: Call): Answer {
    const { repo, url } = call;
    const state = url.searchParams.get('state') ?? 'open';
    const head = url.searchParams.get('head');
    const pulls = repo.pulls.filter(
      (pull) =>
        (state === 'all' || pull.state === state) &&
        (!head || head === `${repo.owner}:${pull.branch}`),
    );
    return this.page(
      call,
      pulls.map((pull) => this.pullJson(repo, pull, true)),
    );
  }

  private createPull({ repo, body }: Call): Answer {
    const branch = String(body.head ?? '').replace(`${repo.owner}:`, '');
    const base = String(body.base ?? '');
    if (typeof body.title !== 'string') return invalid('PullRequest', 'title', 'missing_field');
    if (!repo.refs.has(`refs/heads/${branch}`)) return invalid('PullRequest', 'head');
    if (!repo.refs.has(`refs/heads/${base}`)) return invalid('PullRequest', 'base');
    if (
      repo.pulls.some(
        (pull) => pull.state === 'open' && pull.branch === branch && pull.base === base,
      )
    )
      return invalid(
        'PullRequest',
        'head',
        'custom',
        `A pull request already exists for ${repo.owner}:${branch}.`,
      );
    const pull: StoredPull = {
      number: repo.pulls.length + 1,
      branch,
      base,
      title: body.title,
      body: typeof body.body === 'string' ? body.body : '',
      state: 'open',
    };
    repo.pulls.push(pull);
    return { status: 201, body: this.pullJson(repo, pull, false) };
  }

  private updatePull({ repo, params, body }: Call): Answer {
    const pull = repo.pulls.find((candidate) => String(candidate.number) === params[0]);
    if (!pull) return error(404, 'Not Found');
    if (typeof body.title === 'string') pull.title = body.title;
    if (typeof body.body === 'string') pull.body = body.body;
    if (body.state === 'open' || body.state === 'closed') pull.state = body.state;
    return { status: 200, body: this.pullJson(repo, pull, false) };
  }
}

interface Route {
  method: string;
  /** The path as GitHub's OpenAPI description names it. */
  template: string;
  pattern: RegExp;
  handler: (call: Call) => Answer;
}

// {path} and {ref} span slashes (a file in a folder, heads/a/b); other parameters do not.
function route(method: string, template: string, handler: (call: Call) => Answer): Route {
  const source = template.replace(/\{(\w+)\}/g, (_, name: string) =>
    name === 'path' || name === 'ref' ? '(.+)' : '([^/]+)',
  );
  return { method, template, pattern: new RegExp(`^${source}$`), handler };
}
