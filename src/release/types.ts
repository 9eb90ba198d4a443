import type { AssetOutcome } from '../github/assets.js';
import type { ClientTuning, Repository } from '../github/client.js';

/** Everything but the files: what uploadAssets and finishRelease need. */
export interface ReleaseSettings {
  token: string;
  repository: Repository;
  tag: string;
  version: string;
  /** The edges pass GITHUB_API_URL; default https://api.github.com (GHES: https://host/api/v3). */
  apiUrl?: string;
  /** The web host (the edges pass GITHUB_SERVER_URL); default derived from apiUrl. */
  serverUrl?: string;
  /** Leave the release a draft at the end. */
  draft?: boolean;
  /** Default: the version has a pre-release part (1.2.3-rc.1). */
  prerelease?: boolean;
  /** Print the plan and make no request. */
  dryRun: boolean;
  /** Where GitHub creates the tag when publishing, if the tag does not exist yet. */
  targetCommitish?: string;
  /** GitHub's pacing; tests shrink it. */
  tuning?: ClientTuning;
}

export interface ReleaseOptions extends ReleaseSettings {
  /** Absolute paths of the files to attach. */
  files: string[];
}

export interface ReleaseAssetSummary {
  id: number;
  name: string;
  size: number;
  digest: string | null;
}

export interface ReleaseHandle {
  id: number;
  tag: string;
  htmlUrl: string;
  /** upload_url without its {?name,label} template. */
  uploadUrl: string;
  draft: boolean;
  immutable: boolean;
  /** Created by this run (else found). */
  created: boolean;
  /** The assets the release had when found. */
  assets: ReleaseAssetSummary[];
  /** What prepareRelease did with its files (empty in a dry run). */
  outcome: AssetOutcome;
  /** A plan only: nothing was asked of GitHub. */
  dryRun: boolean;
}

export interface ReleaseResult extends AssetOutcome {
  url: string;
}
