import type { LayerZip } from '../dist.js';
import type { Share } from '../domain.js';
import type { RetryOptions } from '../retry.js';

export interface SarOptions {
  zips: LayerZip[];
  version: string;
  /** The artifact bucket (or a pattern with {region}); SAR reads the zip, README and LICENSE there. */
  s3Bucket: string;
  region: string;
  share: Share;
  dryRun: boolean;
  /** Base name: applications <name>-arm64, <name>-amd64 and <name> (both). */
  applicationName: string;
  author: string;
  /** Required by SAR; the edges default it to this GitHub repository. */
  sourceCodeUrl: string;
  /** The dist folder, for the releasable check (default: the zips' folder). */
  distDir?: string;
  allowUnreleasable?: boolean;
  /** How PutApplicationPolicy is retried right after creation (tests shorten it). */
  policyRetry?: RetryOptions;
  /** The waits before looking for what a create whose answer was lost made (tests shorten it). */
  createRetry?: RetryOptions;
}

/** One SAR application this step created or updated. */
export interface SarApplication {
  name: string;
  applicationId: string;
  url: string;
  /** True when the application did not exist before this run. */
  created: boolean;
  /** True when this run added the version (false: it existed with the same template). */
  versionCreated: boolean;
}

export interface SarResult {
  /** The main application: both architectures when both were published, else the one. */
  applicationId: string;
  url: string;
  created: boolean;
  plan: string[];
  applications: SarApplication[];
}
