import { downloadAsset } from '../github/assets.js';
import { connect, type ClientTuning } from '../github/client.js';
import { findPublishedRelease } from '../github/releases.js';
import type { Repository } from '../domain.js';

/**
 * SHA256SUMS of a GitHub release, read with the project's GitHub client: the release by tag, then
 * its asset through the API (which redirects to storage), so a GHES URL and a private repository
 * with a token both work, and a public one without. Read-only: the client retries 5xx, 429 and
 * dropped connections.
 */
export interface ReleaseSource {
  repository: Repository;
  tag: string;
  /** GITHUB_API_URL, e.g. https://api.github.com or https://host/api/v3. */
  apiUrl: string;
  /** A token, for private repositories and higher rate limits; '' for anonymous requests. */
  token: string;
  tuning?: ClientTuning;
}

export const SHA256SUMS_ASSET = 'SHA256SUMS';

export async function downloadSha256Sums(source: ReleaseSource): Promise<string> {
  const { tag, token } = source;
  const client = connect(token, source.repository, source.apiUrl, source.tuning);
  const name = `${client.owner}/${client.repo}`;
  const release = await findPublishedRelease(client, tag);
  // GitHub answers 404 for a private repository to a reader without a token, as for no release.
  if (!release)
    throw new Error(
      `no published release ${tag} in ${name} (GitHub answered 404${token ? '' : '; a private repository needs GITHUB_TOKEN'})`,
    );
  const asset = release.assets.find((candidate) => candidate.name === SHA256SUMS_ASSET);
  if (!asset) throw new Error(`the release ${tag} of ${name} has no ${SHA256SUMS_ASSET} asset`);
  const bytes = await downloadAsset(client, asset, `download ${SHA256SUMS_ASSET} of ${tag}`);
  return bytes.toString('utf8');
}
