/** What the GitHub stand-in stores: repositories with their releases and their git data. */

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

export interface StoredCommit {
  tree: string;
  parents: string[];
  message: string;
  date: string;
}

export interface StoredPull {
  number: number;
  branch: string;
  base: string;
  title: string;
  body: string;
  state: 'open' | 'closed';
}

export interface StoredRepository {
  owner: string;
  name: string;
  id: number;
  /** A public repository answers anonymous reads; a private one is a 404 to them, as on GitHub. */
  visibility: 'public' | 'private';
  /** The "immutable releases" setting: a release becomes immutable when published. */
  immutableReleases: boolean;
  defaultBranch: string;
  /** Newest first, as GET /releases lists them. */
  releases: StoredRelease[];
  /** The release last published with make_latest (GitHub's default): "Latest" while it qualifies. */
  markedLatest?: number;
  tags: string[];
  blobs: Map<string, Buffer>;
  /** Flat trees: path to blob sha. */
  trees: Map<string, Map<string, string>>;
  commits: Map<string, StoredCommit>;
  /** refs/heads/main to commit sha. */
  refs: Map<string, string>;
  pulls: StoredPull[];
}

/**
 * What GET /releases/latest answers: the release marked latest when published, while it is still
 * published and not a prerelease; else the newest such release, as GitHub falls back.
 */
export function latestRelease(repo: StoredRepository): StoredRelease | undefined {
  const published = repo.releases.filter((release) => !release.draft && !release.prerelease);
  return (
    published.find((release) => release.id === repo.markedLatest) ??
    published.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id)[0]
  );
}
