import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import './fast-yield.js';
import { schemaViolations } from './github-openapi.js';
import { gitEndpoints, resolveCommit, storeBlob, storeCommit, storeTree } from './github/git.js';
import {
  latestRelease,
  type StoredPull,
  type StoredRelease,
  type StoredRepository,
} from './github/model.js';
import { addRelease, download, releaseEndpoints, type SeedRelease } from './github/releases.js';
import {
  error,
  json,
  REST_DOCS,
  type Call,
  type Reply,
  type Route,
  type Site,
} from './github/wire.js';

export type { StoredAsset, StoredPull, StoredRelease } from './github/model.js';
export type { SeedAsset, SeedRelease } from './github/releases.js';

/**
 * A local stand-in for GitHub's REST API: one HTTP core (two hosts, authentication, repositories,
 * fault injection, a request log, Link pagination, GitHub's headers, every JSON answer checked
 * against GitHub's OpenAPI description) serving two families of endpoints:
 *
 * - releases and release assets (`github/releases.ts`), for the release, publish, retract and
 *   verify steps;
 * - repository data (`github/git.ts`): tags, contents, git blobs/trees/commits/refs and pull
 *   requests, for the AWS CLI bump.
 *
 * Two hosts, like GitHub's: the API host (`apiUrl`), which also takes uploads under /uploads
 * (uploads.github.com's role) unless `ghes` is set; and a storage host
 * (objects.githubusercontent.com's role): signed asset downloads that need no token, and with
 * `ghes` the uploads under /api/uploads, so an upload_url's host differs.
 *
 * Access as on GitHub: a wrong token is 401 "Bad credentials"; without a token a public
 * repository may be read (a write is 401 "Requires authentication") and a private one is a 404;
 * a token without contents: write gets 403 "Resource not accessible by integration" on every write.
 *
 * Faults are injected inside the real server, per route and per nth matching request: answer a
 * status without doing anything, or APPLY the write and then answer 500 or drop the connection,
 * which is what a flaky network does to a client that then retries.
 */

export interface GitHubServerOptions {
  /** The visibility of the repository there from the start (private). */
  visibility?: 'public' | 'private';
  /** Its "immutable releases" setting: a release becomes immutable when published. */
  immutableReleases?: boolean;
  /** GHES layout: API under /api/v3, uploads under /api/uploads on the storage host. */
  ghes?: boolean;
  /** The token's contents permission: with "read", writes answer 403 as for a read-only GITHUB_TOKEN. */
  contents?: 'read' | 'write';
}

export interface RecordedRequest {
  host: 'api' | 'storage';
  method: string;
  /** Path and query as received. */
  path: string;
  headers: IncomingHttpHeaders;
  bodyLength: number;
  /** The request body as sent (the tests' bodies are small). */
  body: Buffer;
  /** The status answered; 0 while unanswered, or when the connection was dropped instead. */
  status: number;
  /** The JSON body answered (undefined for none, bytes, or a dropped connection). */
  response: unknown;
  /** The operation answered, as GitHub's description names its path; undefined off the API. */
  template?: string;
  /** Milliseconds since the server started, when the request arrived. */
  at: number;
}

/**
 * A fault for requests matching method and path (the path without the query): from the `nth`
 * matching request on (1, the next one), `times` requests (1) fail.
 */
export interface Fault {
  method?: string;
  path: RegExp;
  nth?: number;
  times?: number;
  /** Do what the request asks first (create the release, the ref…), then fail: a lost answer. */
  apply?: boolean;
  /** Destroy the socket instead of answering (a dropped connection, a timeout cut short). */
  drop?: boolean;
  /** Hold the answer this long (after applying): a client with a shorter timeout gives up. */
  delayMs?: number;
  /** The status answered (500); ignored with `drop`. */
  status?: number;
  headers?: Record<string, string>;
  body?: unknown;
  /** Runs when the fault fires: what another client did meanwhile (a racing upload…). */
  effect?: () => void;
  /** After `effect`, answer for real: GitHub's own answer to a request that lost a race. */
  pass?: boolean;
}

interface ArmedFault extends Fault {
  /** Matching requests seen so far. */
  seen: number;
}

/** A request as it arrived. */
type Incoming = Pick<Call, 'method' | 'url' | 'headers' | 'body'>;

/** A request routed to an endpoint of a repository. */
interface Routed {
  route: Route;
  repo?: StoredRepository;
  params: string[];
}

const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0C1A:2B3C:4D5E6F:7A8B9C:12345678.';

export class GitHubServer implements Site {
  readonly requests: RecordedRequest[] = [];
  /** Answers that GitHub's OpenAPI description does not allow: a test expects none. */
  readonly violations: string[] = [];
  /** The one token the server accepts (as "token X" or "Bearer X"). */
  readonly token = `ghs_${randomBytes(18).toString('hex')}`;
  /** The repository there from the start; `repository()` and the seeds add others. */
  readonly owner = 'octo-org';
  readonly repo = 'lambda-shell-runtime';
  private readonly repos = new Map<string, StoredRepository>();
  private readonly faults: ArmedFault[] = [];
  private readonly started = Date.now();
  private lastId = 200_000_000;
  private apiOrigin = '';
  /** The storage host's origin (signed downloads; GHES uploads). */
  storageOrigin = '';
  private readonly apiRoutes: Route[];
  private readonly uploadRoutes: Route[];

  private constructor(
    private readonly options: Required<GitHubServerOptions>,
    private readonly apiServer: Server,
    private readonly storageServer: Server,
  ) {
    const releases = releaseEndpoints(this);
    this.apiRoutes = [...releases.api, ...gitEndpoints(this)];
    this.uploadRoutes = releases.uploads;
    this.repository(this.home, {
      visibility: options.visibility,
      immutableReleases: options.immutableReleases,
    });
  }

  static async start(options: GitHubServerOptions = {}): Promise<GitHubServer> {
    const resolved: Required<GitHubServerOptions> = {
      visibility: options.visibility ?? 'private',
      immutableReleases: options.immutableReleases ?? false,
      ghes: options.ghes ?? false,
      contents: options.contents ?? 'write',
    };
    const api = createServer();
    const storage = createServer();
    const server = new GitHubServer(resolved, api, storage);
    api.on('request', (req, res) => void server.serve('api', req, res));
    storage.on('request', (req, res) => void server.serve('storage', req, res));
    server.apiOrigin = await listen(api);
    server.storageOrigin = await listen(storage);
    return server;
  }

  /** What GITHUB_API_URL would be: the origin, plus /api/v3 on GHES. */
  get apiUrl(): string {
    return `${this.apiOrigin}${this.apiPrefix}`;
  }

  /** The web host (html_url, browser_download_url): GITHUB_SERVER_URL. */
  get serverUrl(): string {
    return this.apiOrigin;
  }

  get uploadsUrl(): string {
    return this.options.ghes ? `${this.storageOrigin}/api/uploads` : `${this.apiOrigin}/uploads`;
  }

  /** A fresh id for a repository, release or asset. */
  nextId(): number {
    return ++this.lastId;
  }

  private get apiPrefix(): string {
    return this.options.ghes ? '/api/v3' : '';
  }

  async close(): Promise<void> {
    for (const server of [this.apiServer, this.storageServer]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }

  /** Arms a fault (500, 502, a 403 rate limit, a dropped connection…) for matching requests. */
  failNext(fault: Fault): void {
    this.faults.push({ ...fault, seen: 0 });
  }

  /** The next `times` matching requests get GitHub's secondary rate limit: 403 with retry-after. */
  secondaryRateLimitNext(method: string, path: RegExp, times: number, retryAfterSeconds: number) {
    this.failNext({
      method,
      path,
      times,
      status: 403,
      headers: { 'retry-after': String(retryAfterSeconds) },
      body: {
        message: SECONDARY_RATE_LIMIT_MESSAGE,
        documentation_url:
          'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
        status: '403',
      },
    });
  }

  /** A repository (created on first use, private unless said otherwise). */
  repository(
    fullName: string,
    settings: Partial<Pick<StoredRepository, 'visibility' | 'immutableReleases'>> = {},
  ): StoredRepository {
    let repo = this.repos.get(fullName);
    if (!repo) {
      const [owner, name] = fullName.split('/');
      repo = {
        owner,
        name,
        id: this.nextId(),
        visibility: 'private',
        immutableReleases: false,
        defaultBranch: 'main',
        releases: [],
        tags: [],
        blobs: new Map(),
        trees: new Map(),
        commits: new Map(),
        refs: new Map(),
        pulls: [],
      };
      this.repos.set(fullName, repo);
    }
    return Object.assign(repo, settings);
  }

  private get home(): string {
    return `${this.owner}/${this.repo}`;
  }

  // ---- releases ------------------------------------------------------------------------------

  /** The releases of the repository there from the start, newest first. */
  get releases(): StoredRelease[] {
    return this.repository(this.home).releases;
  }

  /** What GET /releases/latest answers for the repository there from the start. */
  get latest(): StoredRelease | undefined {
    return latestRelease(this.repository(this.home));
  }

  /** Puts a release (and its assets) in place, as an earlier run or a person would have. */
  seedRelease(seed: SeedRelease, fullName = this.home): StoredRelease {
    return addRelease(this, this.repository(fullName), seed);
  }

  releasesForTag(tag: string): StoredRelease[] {
    return this.releases.filter((release) => release.tagName === tag);
  }

  // ---- repository data -----------------------------------------------------------------------

  /** A repository with tags only (aws/aws-cli). */
  seedTags(fullName: string, tags: string[]): void {
    this.repository(fullName).tags.push(...tags);
  }

  /** A repository whose default branch holds `files` in one commit; returns the commit. */
  seedRepository(fullName: string, files: Record<string, string>): string {
    return this.commit(fullName, this.repository(fullName).defaultBranch, files, 'Initial commit');
  }

  /** Commits `files` (changed or added) on `branch`, as a person pushing would. */
  commit(fullName: string, branch: string, files: Record<string, string>, message: string): string {
    const repo = this.repository(fullName);
    const parent = repo.refs.get(`refs/heads/${branch}`);
    const tree = new Map(parent ? repo.trees.get(repo.commits.get(parent)!.tree) : []);
    for (const [path, text] of Object.entries(files))
      tree.set(path, storeBlob(repo, Buffer.from(text)));
    const sha = storeCommit(repo, {
      tree: storeTree(repo, tree),
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
    const commit = resolveCommit(repo, ref);
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

  /** Requests that change something (POST, PATCH, DELETE), as "METHOD path", the path decoded. */
  writes(): string[] {
    return this.requests
      .filter((request) => request.method !== 'GET')
      .map((request) => `${request.method} ${decodeURIComponent(request.path)}`);
  }

  // ---- HTTP ----------------------------------------------------------------------------------

  private async serve(host: 'api' | 'storage', req: IncomingMessage, res: ServerResponse) {
    // When the request arrived: reading a large body must not shift it (pacing is by start).
    const at = Date.now() - this.started;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', host === 'api' ? this.apiOrigin : this.storageOrigin);
    const method = req.method ?? 'GET';
    // Logged on arrival (an answer held back still counts), completed once answered.
    const record: RecordedRequest = {
      host,
      method,
      path: `${url.pathname}${url.search}`,
      headers: req.headers,
      bodyLength: body.length,
      body,
      status: 0,
      response: undefined,
      at,
    };
    this.requests.push(record);
    const routed = this.route(host, method, url);
    const reply = await this.answer(routed, { method, url, headers: req.headers, body });
    if (reply.drop) {
      res.socket?.destroy();
      return;
    }
    record.status = reply.status;
    record.template = typeof routed === 'object' ? routed.route.template : undefined;
    if (!Buffer.isBuffer(reply.body)) {
      record.response = reply.body;
      if (record.template)
        for (const problem of schemaViolations(record.template, method, reply.status, reply.body))
          this.violations.push(`${method} ${record.template} ${reply.status}: ${problem}`);
    }
    const headers: Record<string, string> = {
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(5000 - this.requests.length),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(this.requests.length),
      'x-ratelimit-resource': 'core',
    };
    let payload: Buffer | undefined;
    if (Buffer.isBuffer(reply.body)) payload = reply.body;
    else if (reply.body !== undefined) {
      payload = Buffer.from(JSON.stringify(reply.body));
      headers['content-type'] = 'application/json; charset=utf-8';
    }
    if (payload) headers['content-length'] = String(payload.length);
    res.writeHead(reply.status, { ...headers, ...reply.headers });
    res.end(payload);
  }

  /** The fault this request triggers, if any; every matching fault counts the request. */
  private firingFault(method: string, url: URL): ArmedFault | undefined {
    let firing: ArmedFault | undefined;
    for (const fault of this.faults) {
      if (fault.method && fault.method !== method) continue;
      if (!fault.path.test(url.pathname)) continue;
      fault.seen++;
      const first = fault.nth ?? 1;
      if (!firing && fault.seen >= first && fault.seen < first + (fault.times ?? 1)) firing = fault;
    }
    return firing;
  }

  private async answer(routed: Routed | 'download' | undefined, request: Incoming): Promise<Reply> {
    const fault = this.firingFault(request.method, request.url);
    if (!fault) return this.handle(routed, request);
    fault.effect?.();
    const real = fault.apply || fault.pass ? this.handle(routed, request) : undefined;
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.drop) return { status: 0, drop: true };
    if (fault.pass) return real!;
    const status = fault.status ?? 500;
    return {
      status,
      headers: fault.headers,
      body: fault.body ?? { message: 'Server Error', status: String(status) },
    };
  }

  /**
   * The endpoint a request is for: a signed download, or a route with its repository (by
   * owner/name, or by id as GitHub's Link headers use); undefined when there is none.
   */
  private route(
    host: 'api' | 'storage',
    method: string,
    url: URL,
  ): Routed | 'download' | undefined {
    const { pathname } = url;
    if (host === 'storage' && pathname.startsWith('/downloads/')) return 'download';
    const uploadPrefix = this.options.ghes ? '/api/uploads' : '/uploads';
    const onUploadHost = this.options.ghes ? host === 'storage' : host === 'api';
    let path: string;
    let routes: Route[];
    if (onUploadHost && pathname.startsWith(`${uploadPrefix}/`)) {
      path = pathname.slice(uploadPrefix.length);
      routes = this.uploadRoutes;
    } else if (host === 'api' && pathname.startsWith(`${this.apiPrefix}/`)) {
      path = pathname.slice(this.apiPrefix.length);
      routes = this.apiRoutes;
    } else return undefined;
    const match = /^\/(?:repos\/([^/]+)\/([^/]+)|repositories\/(\d+))(\/.*)?$/.exec(path);
    if (!match) return undefined;
    const [, owner, name, id, rest = ''] = match;
    const repo = id
      ? [...this.repos.values()].find((candidate) => String(candidate.id) === id)
      : this.repos.get(`${decodeURIComponent(owner)}/${decodeURIComponent(name)}`);
    for (const route of routes) {
      const params = route.method === method ? route.pattern.exec(rest) : null;
      if (params) return { route, repo, params: params.slice(1).map(decodeURIComponent) };
    }
    return undefined;
  }

  private handle(routed: Routed | 'download' | undefined, request: Incoming): Reply {
    if (routed === 'download') return download(this.repos.values(), request.url.pathname);
    const { authorization } = request.headers;
    const signedIn =
      authorization === `token ${this.token}` || authorization === `Bearer ${this.token}`;
    if (authorization && !signedIn) return error(401, 'Bad credentials');
    if (!routed) return error(404, 'Not Found');
    const { route, repo, params } = routed;
    // Without a token a private repository is not there, as GitHub answers.
    if (!repo || (!signedIn && repo.visibility === 'private'))
      return error(404, 'Not Found', route.doc);
    const write = route.method !== 'GET';
    if (write && !signedIn) return error(401, 'Requires authentication', REST_DOCS);
    if (write && this.options.contents !== 'write')
      return error(403, 'Resource not accessible by integration', route.doc);
    let input: Record<string, unknown> = {};
    if (!route.raw && request.body.length) {
      try {
        input = JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
      } catch {
        return error(400, 'Problems parsing JSON', route.doc);
      }
    }
    return route.handler({
      ...request,
      input,
      repo,
      params,
      doc: route.doc,
      page: (items) => this.page(request.url, repo, items),
    });
  }

  /** One page (per_page at most 100, default 30) with GitHub's Link header, which names the repository by id. */
  private page(url: URL, repo: StoredRepository, items: unknown[]): Reply {
    const query = url.searchParams;
    const perPage = Math.min(100, Math.max(1, Number(query.get('per_page') ?? 30) || 30));
    const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    const base = new URL(
      url.toString().replace(/\/repos\/[^/]+\/[^/]+\//, `/repositories/${repo.id}/`),
    );
    const link = (n: number, rel: string): string => {
      const target = new URL(base);
      target.searchParams.set('per_page', String(perPage));
      target.searchParams.set('page', String(n));
      return `<${target.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (page > 1) links.push(link(page - 1, 'prev'));
    if (page < last) links.push(link(page + 1, 'next'), link(last, 'last'));
    if (page > 1) links.push(link(1, 'first'));
    return json(
      200,
      items.slice((page - 1) * perPage, page * perPage),
      links.length ? { link: links.join(', ') } : {},
    );
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}
