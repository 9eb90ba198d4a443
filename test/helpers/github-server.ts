import { createHash, randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for GitHub's REST API, for the release step's tests. It answers the release and
 * release-asset endpoints the way api.github.com (or GHES under /api/v3) does: the same paths,
 * status codes, bodies, Link pagination, rate-limit headers, and two hosts, like GitHub's:
 *
 * - the API host (`apiUrl`), which also takes uploads under /uploads (standing in for
 *   uploads.github.com) unless `ghes` is set;
 * - a storage host (objects.githubusercontent.com's role): signed asset downloads that need no
 *   token, and, with `ghes`, the uploads under /api/uploads, so an upload_url's host differs.
 *
 * Known GitHub behaviours it keeps: GET /releases/tags/{tag} never returns drafts (only the list
 * does); several drafts may share a tag; a published tag is unique; asset names GitHub dislikes are
 * renamed; assets carry "digest": "sha256:<hex>" (legacy ones null); an immutable release refuses
 * asset changes with 422; a token without contents: write gets 403 "Resource not accessible by
 * integration" on every write; /releases/latest is the release marked latest on publishing (or
 * the newest published non-prerelease). Every request is logged with its headers and answer.
 *
 * Faults are injected inside the real server, per route and per nth matching request: answer a
 * status without doing anything, or APPLY the write and then answer 500 or drop the connection,
 * which is what a flaky network does to a client that then retries.
 */

export interface GitHubServerOptions {
  /** The one token the server accepts (as "token X" or "Bearer X"). */
  token?: string;
  /** owner/repo that exists; others answer 404. */
  repository?: string;
  /** GHES layout: API under /api/v3, uploads under /api/uploads on the storage host. */
  ghes?: boolean;
  /** The repository's "immutable releases" setting: a release becomes immutable when published. */
  immutableReleases?: boolean;
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
  /** Milliseconds since the server started, when the request arrived. */
  at: number;
}

export interface StoredAsset {
  id: number;
  name: string;
  contentType: string;
  state: 'uploaded' | 'open';
  bytes: Buffer;
  digest: string | null;
  createdAt: string;
}

export interface StoredRelease {
  id: number;
  tagName: string;
  targetCommitish: string;
  name: string | null;
  body: string | null;
  draft: boolean;
  prerelease: boolean;
  immutable: boolean;
  untaggedSuffix: string;
  createdAt: string;
  publishedAt: string | null;
  assets: StoredAsset[];
}

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

/**
 * A fault for requests matching method and path (the path without the query): from the `nth`
 * matching request on (1, the next one), `times` requests (1) fail.
 */
export interface Fault {
  method?: string;
  path: RegExp;
  nth?: number;
  times?: number;
  /** Do what the request asks first (create the release, store the asset), then fail. */
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
}

interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  drop?: boolean;
}

interface ArmedFault extends Fault {
  /** Matching requests seen so far. */
  seen: number;
}

type Handler = (request: ParsedRequest) => Reply | Promise<Reply>;

interface ParsedRequest {
  method: string;
  url: URL;
  /** The path after the API or upload prefix. */
  route: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  params: string[];
}

const DOCS = 'https://docs.github.com/rest/releases';
const SECONDARY_RATE_LIMIT_MESSAGE =
  'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0C1A:2B3C:4D5E6F:7A8B9C:12345678.';

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const nodeId = (prefix: string, id: number): string =>
  `${prefix}_kwDO${Buffer.from(`0:${id}`).toString('base64').replace(/=+$/, '')}`;
const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({
  status,
  body,
  headers,
});
const notFound = (doc: string): Reply =>
  json(404, { message: 'Not Found', documentation_url: `${DOCS}/${doc}`, status: '404' });
const validationFailed = (resource: string, code: string, field: string, doc: string): Reply =>
  json(422, {
    message: 'Validation Failed',
    errors: [{ resource, code, field }],
    documentation_url: `${DOCS}/${doc}`,
    status: '422',
  });
const unprocessable = (message: string, doc: string): Reply =>
  json(422, { message, documentation_url: `${DOCS}/${doc}`, status: '422' });
// What GitHub answers a GITHUB_TOKEN (or app token) without the permission a write needs.
const notAccessible = (doc: string): Reply =>
  json(403, {
    message: 'Resource not accessible by integration',
    documentation_url: `${DOCS}/${doc}`,
    status: '403',
  });

// GitHub renames asset names with characters outside this set (spaces and others become dots).
const renameAsset = (name: string): string => name.replace(/[^A-Za-z0-9._+@-]/g, '.');

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

export class GitHubServer {
  readonly requests: RecordedRequest[] = [];
  readonly releases: StoredRelease[] = [];
  readonly token: string;
  readonly owner: string;
  readonly repo: string;
  private readonly faults: ArmedFault[] = [];
  /** The release last published with make_latest (GitHub's default): "Latest" while it qualifies. */
  private markedLatest: number | undefined;
  private readonly started = Date.now();
  private readonly repoId = 812_345_678;
  private nextId = 200_000_001;
  private apiOrigin = '';
  private storageOrigin = '';

  private constructor(
    private readonly options: Required<GitHubServerOptions>,
    private readonly apiServer: Server,
    private readonly storageServer: Server,
  ) {
    this.token = options.token;
    [this.owner, this.repo] = options.repository.split('/');
  }

  static async start(options: GitHubServerOptions = {}): Promise<GitHubServer> {
    const resolved: Required<GitHubServerOptions> = {
      token: options.token ?? `ghs_${randomBytes(18).toString('hex')}`,
      repository: options.repository ?? 'octo-org/lambda-shell-runtime',
      ghes: options.ghes ?? false,
      immutableReleases: options.immutableReleases ?? false,
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

  /**
   * What GET /releases/latest answers: the release marked latest when published, while it is
   * still published and not a prerelease; else the newest such release, as GitHub falls back.
   */
  get latest(): StoredRelease | undefined {
    const published = this.releases.filter((release) => !release.draft && !release.prerelease);
    return (
      published.find((release) => release.id === this.markedLatest) ??
      published.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)[0]
    );
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

  /** Puts a release (and its assets) in place, as an earlier run or a person would have. */
  seedRelease(seed: SeedRelease): StoredRelease {
    const now = new Date().toISOString();
    const release: StoredRelease = {
      id: this.nextId++,
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
        id: this.nextId++,
        name: asset.name,
        contentType: asset.contentType ?? 'application/octet-stream',
        state: asset.state ?? 'uploaded',
        bytes,
        digest: asset.digest === false ? null : `sha256:${sha256(bytes)}`,
        createdAt: now,
      });
    }
    this.releases.unshift(release);
    // Published with GitHub's default make_latest: true.
    if (!release.draft && !release.prerelease) this.markedLatest = release.id;
    return release;
  }

  releasesForTag(tag: string): StoredRelease[] {
    return this.releases.filter((release) => release.tagName === tag);
  }

  // ---- HTTP plumbing -------------------------------------------------------------------------

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
    const reply = await this.answer(host, {
      method,
      url,
      route: url.pathname,
      headers: req.headers,
      body,
      params: [],
    });
    if (!reply.drop) {
      record.status = reply.status;
      record.response = Buffer.isBuffer(reply.body) ? undefined : reply.body;
    }
    if (reply.drop) {
      res.socket?.destroy();
      return;
    }
    const headers: Record<string, string> = {
      'x-github-request-id': randomBytes(8).toString('hex').toUpperCase(),
      'x-github-api-version-selected': '2022-11-28',
      'x-ratelimit-limit': '5000',
      'x-ratelimit-remaining': String(5000 - this.requests.length),
      'x-ratelimit-reset': String(Math.floor(Date.now() / 1000) + 3600),
      'x-ratelimit-used': String(this.requests.length),
      'x-ratelimit-resource': 'core',
      ...reply.headers,
    };
    if (Buffer.isBuffer(reply.body)) {
      res.writeHead(reply.status, { 'content-length': String(reply.body.length), ...headers });
      res.end(reply.body);
    } else if (reply.body === undefined) {
      res.writeHead(reply.status, headers);
      res.end();
    } else {
      const text = JSON.stringify(reply.body);
      res.writeHead(reply.status, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': String(Buffer.byteLength(text)),
        ...headers,
      });
      res.end(text);
    }
  }

  /** The fault this request triggers, if any; every matching fault counts the request. */
  private firingFault(request: ParsedRequest): ArmedFault | undefined {
    let firing: ArmedFault | undefined;
    for (const fault of this.faults) {
      if (fault.method && fault.method !== request.method) continue;
      if (!fault.path.test(request.url.pathname)) continue;
      fault.seen++;
      const first = fault.nth ?? 1;
      if (!firing && fault.seen >= first && fault.seen < first + (fault.times ?? 1)) firing = fault;
    }
    return firing;
  }

  private async answer(host: 'api' | 'storage', request: ParsedRequest): Promise<Reply> {
    const fault = this.firingFault(request);
    if (!fault) return this.handle(host, request);
    fault.effect?.();
    if (fault.apply) await this.handle(host, request);
    if (fault.delayMs) await new Promise((resolve) => setTimeout(resolve, fault.delayMs));
    if (fault.drop) return { status: 0, drop: true };
    const status = fault.status ?? 500;
    return {
      status,
      headers: fault.headers,
      body: fault.body ?? { message: 'Server Error', status: String(status) },
    };
  }

  private async handle(host: 'api' | 'storage', request: ParsedRequest): Promise<Reply> {
    if (host === 'storage' && request.url.pathname.startsWith('/downloads/'))
      return this.download(request);
    const uploadPrefix = this.options.ghes ? '/api/uploads' : '/uploads';
    const onUploadHost = this.options.ghes ? host === 'storage' : host === 'api';
    let path: string;
    let routes: Route[];
    if (onUploadHost && request.url.pathname.startsWith(`${uploadPrefix}/`)) {
      path = request.url.pathname.slice(uploadPrefix.length);
      routes = this.uploadRoutes;
    } else if (host === 'api' && request.url.pathname.startsWith(`${this.apiPrefix}/`)) {
      path = request.url.pathname.slice(this.apiPrefix.length);
      routes = this.apiRoutes;
    } else {
      return notFound('');
    }
    if (!this.authorized(request.headers.authorization)) {
      return json(401, {
        message: request.headers.authorization ? 'Bad credentials' : 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest',
        status: '401',
      });
    }
    for (const { method, pattern, doc, handler } of routes) {
      const match = pattern.exec(path);
      if (match && method === request.method) {
        const params = match.slice(1).map(decodeURIComponent);
        if (!this.ownsRepository(params)) return notFound('');
        if (method !== 'GET' && this.options.contents !== 'write') return notAccessible(doc);
        return handler({ ...request, route: path, params: params.slice(2) });
      }
    }
    return notFound('');
  }

  private authorized(header: string | undefined): boolean {
    return header === `token ${this.token}` || header === `Bearer ${this.token}`;
  }

  /** Routes start with owner and repo (or the repository id, as GitHub's Link headers use). */
  private ownsRepository(params: string[]): boolean {
    if (params[0] === 'repositories') return params[1] === String(this.repoId);
    return params[0] === this.owner && params[1] === this.repo;
  }

  // ---- endpoints -----------------------------------------------------------------------------

  private readonly apiRoutes: Route[] = [
    route('GET', '/releases/tags/(.+)', 'releases#get-a-release-by-tag-name', (r) =>
      this.getByTag(r),
    ),
    route('GET', '/releases/latest', 'releases#get-the-latest-release', () => this.getLatest()),
    route('GET', '/releases', 'releases#list-releases', (r) => this.list(r)),
    route('POST', '/releases', 'releases#create-a-release', (r) => this.create(r)),
    route('GET', '/releases/assets/(\\d+)', 'assets#get-a-release-asset', (r) => this.getAsset(r)),
    route('DELETE', '/releases/assets/(\\d+)', 'assets#delete-a-release-asset', (r) =>
      this.deleteAsset(r),
    ),
    route('PATCH', '/releases/(\\d+)', 'releases#update-a-release', (r) => this.update(r)),
    route('GET', '/releases/(\\d+)/assets', 'assets#list-release-assets', (r) =>
      this.listAssets(r),
    ),
  ];

  private readonly uploadRoutes: Route[] = [
    route('POST', '/releases/(\\d+)/assets', 'assets#upload-a-release-asset', (r) =>
      this.upload(r),
    ),
  ];

  private getByTag(request: ParsedRequest): Reply {
    // Like GitHub: the tags endpoint only knows published releases.
    const release = this.releases.find(
      (candidate) => !candidate.draft && candidate.tagName === request.params[0],
    );
    return release
      ? json(200, this.releaseJson(release))
      : notFound('releases#get-a-release-by-tag-name');
  }

  private getLatest(): Reply {
    const latest = this.latest;
    return latest
      ? json(200, this.releaseJson(latest))
      : notFound('releases#get-the-latest-release');
  }

  private list(request: ParsedRequest): Reply {
    return this.paginate(
      request,
      this.releases.map((release) => this.releaseJson(release)),
    );
  }

  private create(request: ParsedRequest): Reply {
    const input = parseJson(request.body);
    if (typeof input.tag_name !== 'string' || !input.tag_name)
      return unprocessable(
        'Invalid request.\n\n"tag_name" wasn\'t supplied.',
        'releases#create-a-release',
      );
    const draft = input.draft === true;
    if (
      !draft &&
      this.releases.some((release) => !release.draft && release.tagName === input.tag_name)
    )
      return validationFailed('Release', 'already_exists', 'tag_name', 'releases#create-a-release');
    const release = this.seedRelease({
      tag: input.tag_name,
      draft,
      prerelease: input.prerelease === true,
    });
    release.name = typeof input.name === 'string' ? input.name : input.tag_name;
    if (typeof input.target_commitish === 'string')
      release.targetCommitish = input.target_commitish;
    if (!draft) release.immutable = this.options.immutableReleases;
    return json(201, this.releaseJson(release), {
      location: `${this.apiUrl}/repos/${this.owner}/${this.repo}/releases/${release.id}`,
    });
  }

  private update(request: ParsedRequest): Reply {
    const release = this.findRelease(request.params[0]);
    if (!release) return notFound('releases#update-a-release');
    const input = parseJson(request.body);
    if (release.immutable && typeof input.draft === 'boolean' && input.draft !== release.draft)
      return unprocessable(
        'state cannot be changed when release is immutable',
        'releases#update-a-release',
      );
    // Publishing a draft (draft: false, make_latest), or a new title and notes (retract).
    const publishing = release.draft && input.draft === false;
    if (
      publishing &&
      this.releases.some(
        (other) => other !== release && !other.draft && other.tagName === release.tagName,
      )
    )
      return validationFailed('Release', 'already_exists', 'tag_name', 'releases#update-a-release');
    if (typeof input.draft === 'boolean') release.draft = input.draft;
    // Title and notes stay editable on an immutable release (only its assets and tag are frozen).
    if (typeof input.name === 'string') release.name = input.name;
    if (typeof input.body === 'string') release.body = input.body;
    if (publishing) {
      release.publishedAt = new Date().toISOString();
      release.immutable = this.options.immutableReleases;
      // Like GitHub: make_latest defaults to true; drafts and prereleases are never latest.
      if (input.make_latest !== 'false' && !release.prerelease) this.markedLatest = release.id;
    }
    return json(200, this.releaseJson(release));
  }

  private listAssets(request: ParsedRequest): Reply {
    const release = this.findRelease(request.params[0]);
    if (!release) return notFound('assets#list-release-assets');
    return this.paginate(
      request,
      release.assets.map((asset) => this.assetJson(release, asset)),
    );
  }

  private getAsset(request: ParsedRequest): Reply {
    const found = this.findAsset(request.params[0]);
    if (!found) return notFound('assets#get-a-release-asset');
    const asset = found[1];
    // The release step only downloads (accept: application/octet-stream). Like GitHub: the bytes live elsewhere, behind a short-lived signed URL.
    const signature = randomBytes(12).toString('hex');
    return {
      status: 302,
      headers: {
        location: `${this.storageOrigin}/downloads/${asset.id}/${signature}?response-content-disposition=attachment`,
      },
    };
  }

  private download(request: ParsedRequest): Reply {
    const found = this.findAsset(request.url.pathname.split('/')[2]);
    if (!found) return { status: 404, body: Buffer.from('Not Found') };
    return {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: found[1].bytes,
    };
  }

  private deleteAsset(request: ParsedRequest): Reply {
    const found = this.findAsset(request.params[0]);
    if (!found) return notFound('assets#delete-a-release-asset');
    const [release, asset] = found;
    if (release.immutable)
      return unprocessable(
        'Cannot delete assets of an immutable release.',
        'assets#delete-a-release-asset',
      );
    release.assets.splice(release.assets.indexOf(asset), 1);
    return { status: 204 };
  }

  private upload(request: ParsedRequest): Reply {
    const release = this.findRelease(request.params[0]);
    if (!release) return notFound('assets#upload-a-release-asset');
    if (release.immutable)
      return unprocessable(
        'Cannot upload assets to an immutable release.',
        'assets#upload-a-release-asset',
      );
    const rawName = request.url.searchParams.get('name');
    if (!rawName)
      return validationFailed(
        'ReleaseAsset',
        'missing_field',
        'name',
        'assets#upload-a-release-asset',
      );
    const length = Number(request.headers['content-length']);
    if (!Number.isInteger(length) || length !== request.body.length)
      return json(400, {
        message: `Bad Content-Length: ${request.headers['content-length'] ?? ''}`,
      });
    const name = renameAsset(rawName);
    if (release.assets.some((asset) => asset.name === name))
      return validationFailed(
        'ReleaseAsset',
        'already_exists',
        'name',
        'assets#upload-a-release-asset',
      );
    const asset: StoredAsset = {
      id: this.nextId++,
      name,
      contentType: request.headers['content-type'] ?? 'application/octet-stream',
      state: 'uploaded',
      bytes: request.body,
      digest: `sha256:${sha256(request.body)}`,
      createdAt: new Date().toISOString(),
    };
    release.assets.push(asset);
    return json(201, this.assetJson(release, asset));
  }

  // ---- bodies --------------------------------------------------------------------------------

  private paginate(request: ParsedRequest, items: unknown[]): Reply {
    const perPage = Math.min(
      100,
      Math.max(1, Number(request.url.searchParams.get('per_page') ?? 30) || 30),
    );
    const page = Math.max(1, Number(request.url.searchParams.get('page') ?? 1) || 1);
    const last = Math.max(1, Math.ceil(items.length / perPage));
    // GitHub's Link headers point at /repositories/{id}/..., not /repos/{owner}/{repo}/...
    const base = `${this.apiUrl}${request.route.replace(`/repos/${this.owner}/${this.repo}/`, `/repositories/${this.repoId}/`)}`;
    const link = (n: number, rel: string): string => {
      const url = new URL(base);
      url.searchParams.set('per_page', String(perPage));
      url.searchParams.set('page', String(n));
      return `<${url.toString()}>; rel="${rel}"`;
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

  private releaseJson(release: StoredRelease) {
    const api = `${this.apiUrl}/repos/${this.owner}/${this.repo}`;
    return {
      url: `${api}/releases/${release.id}`,
      assets_url: `${api}/releases/${release.id}/assets`,
      upload_url: `${this.uploadsUrl}/repos/${this.owner}/${this.repo}/releases/${release.id}/assets{?name,label}`,
      html_url: `${this.serverUrl}/${this.owner}/${this.repo}/releases/tag/${this.webTag(release)}`,
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
      assets: release.assets.map((asset) => this.assetJson(release, asset)),
      tarball_url: `${api}/tarball/${encodeURIComponent(release.tagName)}`,
      zipball_url: `${api}/zipball/${encodeURIComponent(release.tagName)}`,
      body: release.body,
    };
  }

  private assetJson(release: StoredRelease, asset: StoredAsset) {
    return {
      url: `${this.apiUrl}/repos/${this.owner}/${this.repo}/releases/assets/${asset.id}`,
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
      browser_download_url: `${this.serverUrl}/${this.owner}/${this.repo}/releases/download/${this.webTag(release)}/${encodeURIComponent(asset.name)}`,
    };
  }

  // A draft has no tag page yet: GitHub shows it under untagged-<hex>.
  private webTag(release: StoredRelease): string {
    return release.draft
      ? `untagged-${release.untaggedSuffix}`
      : encodeURIComponent(release.tagName);
  }

  private findRelease(id: string): StoredRelease | undefined {
    return this.releases.find((release) => String(release.id) === id);
  }

  private findAsset(id: string): [StoredRelease, StoredAsset] | undefined {
    for (const release of this.releases) {
      const asset = release.assets.find((candidate) => String(candidate.id) === id);
      if (asset) return [release, asset];
    }
    return undefined;
  }
}

interface Route {
  method: string;
  pattern: RegExp;
  /** The endpoint's page under docs.github.com/rest/releases, for documentation_url. */
  doc: string;
  handler: Handler;
}

// Every route is under /repos/{owner}/{repo} or, as GitHub's Link headers use, /repositories/{id}.
const route = (method: string, suffix: string, doc: string, handler: Handler): Route => ({
  method,
  pattern: new RegExp(`^/(?:repos/)?([^/]+)/([^/]+)${suffix}$`),
  doc,
  handler,
});

function parseJson(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}');
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
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
