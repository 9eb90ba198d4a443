import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { StoredRepository } from './model.js';

/** What an endpoint answers: a JSON body, raw bytes (a Buffer), or nothing; or a dropped connection. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
  drop?: boolean;
}

/** One request as an endpoint sees it, routed to its repository. */
export interface Call {
  method: string;
  url: URL;
  headers: IncomingHttpHeaders;
  /** The request body as sent. */
  body: Buffer;
  /** The body as JSON ({} for none; raw routes get {}). */
  input: Record<string, unknown>;
  repo: StoredRepository;
  /** The path parameters after owner and repo, decoded. */
  params: string[];
  /** The endpoint's documentation URL, for documentation_url. */
  doc: string;
  /** One page of `items` (per_page at most 100, default 30) with GitHub's Link header. */
  page(items: unknown[]): Reply;
}

export interface Route {
  method: string;
  /** The path as GitHub's OpenAPI description names it, from /repos/{owner}/{repo} on. */
  template: string;
  /** The path after /repos/{owner}/{repo}. */
  pattern: RegExp;
  doc: string;
  /** The body is bytes (an upload), not JSON. */
  raw: boolean;
  handler: (call: Call) => Reply;
}

/** The URLs and ids an endpoint builds its bodies from. */
export interface Site {
  /** GITHUB_API_URL: the origin, plus /api/v3 on GHES. */
  apiUrl: string;
  /** The web host (html_url, browser_download_url). */
  serverUrl: string;
  /** Where upload_url points (uploads.github.com's role). */
  uploadsUrl: string;
  /** The storage host's origin (signed downloads). */
  storageOrigin: string;
  nextId(): number;
}

export const REST_DOCS = 'https://docs.github.com/rest';

/**
 * A route of a repository's API: `template` as GitHub's description names it. {path} and {ref}
 * span slashes (a file in a folder, heads/a/b); other parameters do not.
 */
export function route(
  method: string,
  template: string,
  handler: (call: Call) => Reply,
  options: { doc?: string; raw?: boolean } = {},
): Route {
  const suffix = template
    .replace('/repos/{owner}/{repo}', '')
    .replace(/\{(\w+)\}/g, (_, name: string) =>
      name === 'path' || name === 'ref' ? '(.+)' : '([^/]+)',
    );
  return {
    method,
    template,
    pattern: new RegExp(`^${suffix}$`),
    doc: options.doc ?? REST_DOCS,
    raw: options.raw ?? false,
    handler,
  };
}

export const json = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Reply => ({
  status,
  body,
  headers,
});

/** GitHub's error body: basic-error, or validation-error with `errors`. */
export const error = (
  status: number,
  message: string,
  doc = REST_DOCS,
  errors?: unknown[],
): Reply =>
  json(status, {
    message,
    documentation_url: doc,
    ...(errors ? { errors } : {}),
    status: String(status),
  });

/** 422 Validation Failed for one field. */
export const invalid = (
  doc: string,
  resource: string,
  field: string,
  code = 'invalid',
  message?: string,
): Reply =>
  error(422, 'Validation Failed', doc, [
    { resource, field, code, ...(message ? { message } : {}) },
  ]);

export const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A git object id, as git computes it: sha1 of "<kind> <length>\0<content>". */
export const gitSha = (kind: string, content: Buffer | string): string => {
  const bytes = Buffer.from(content);
  return createHash('sha1')
    .update(Buffer.concat([Buffer.from(`${kind} ${bytes.length}\0`), bytes]))
    .digest('hex');
};

/** The full URL of a repository under the API, and of its web page. */
export const repoApi = (site: Site, repo: StoredRepository): string =>
  `${site.apiUrl}/repos/${repo.owner}/${repo.name}`;
export const repoWeb = (site: Site, repo: StoredRepository): string =>
  `${site.serverUrl}/${repo.owner}/${repo.name}`;
