import type { Repository } from '../domain.js';
import { retryWithBackoff } from '../retry.js';

/**
 * SHA256SUMS of a GitHub release, read with GitHub's REST API: the release by tag, then its asset
 * through the API (which redirects to storage), so a GHES URL and a private repository with a
 * token both work. Read-only: every request may be retried.
 */
export interface ReleaseSource {
  repository: Repository;
  tag: string;
  /** GITHUB_API_URL, e.g. https://api.github.com or https://host/api/v3. */
  apiUrl: string;
  /** A token, for private repositories and higher rate limits; '' for anonymous requests. */
  token: string;
  /** Retries of a request that failed on the wire or with a 5xx (default 3). */
  retries?: number;
}

export const SHA256SUMS_ASSET = 'SHA256SUMS';

/** A GitHub answer that is no use to ask again (404, 401…): says what was asked. */
export class GitHubReadError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'GitHubReadError';
  }
}

async function get(source: ReleaseSource, url: string, accept: string): Promise<Response> {
  const headers: Record<string, string> = {
    accept,
    'x-github-api-version': '2022-11-28',
    'user-agent': 'lambda-shell-runtime-verify',
  };
  if (source.token) headers.authorization = `Bearer ${source.token}`;
  return retryWithBackoff(
    async () => {
      const response = await fetch(url, { headers, redirect: 'follow' });
      if (response.status >= 500 || response.status === 429)
        throw new Error(`GitHub answered ${response.status} to GET ${url}`);
      return response;
    },
    {
      attempts: (source.retries ?? 3) + 1,
      isRetryable: (error) => !(error instanceof GitHubReadError),
    },
  );
}

export async function downloadSha256Sums(source: ReleaseSource): Promise<string> {
  const { owner, repo } = source.repository;
  const base = source.apiUrl.replace(/\/+$/, '');
  const releaseUrl = `${base}/repos/${owner}/${repo}/releases/tags/${encodeURIComponent(source.tag)}`;
  const release = await get(source, releaseUrl, 'application/vnd.github+json');
  if (!release.ok)
    throw new GitHubReadError(
      `no published release ${source.tag} in ${owner}/${repo} (GitHub answered ${release.status}${source.token ? '' : '; a private repository needs GITHUB_TOKEN'})`,
      release.status,
    );
  const { assets } = (await release.json()) as { assets?: { name: string; url: string }[] };
  const asset = assets?.find((candidate) => candidate.name === SHA256SUMS_ASSET);
  if (!asset)
    throw new GitHubReadError(
      `the release ${source.tag} of ${owner}/${repo} has no ${SHA256SUMS_ASSET} asset`,
      404,
    );
  const download = await get(source, asset.url, 'application/octet-stream');
  if (!download.ok)
    throw new GitHubReadError(
      `cannot download ${SHA256SUMS_ASSET} of ${source.tag} (GitHub answered ${download.status})`,
      download.status,
    );
  return download.text();
}
