import type { LayerZip } from '../dist.js';
import type { AlignMode, Architecture, Share } from '../domain.js';
import type { AwsTuning } from '../aws/clients.js';
import type { HistorySource } from './replay.js';

export interface PublishOptions {
  zips: LayerZip[];
  version: string;
  regions: string[];
  share: Share;
  /** Layer name with an {arch} placeholder, e.g. lambda-shell-runtime-{arch}. */
  layerNamePattern: string;
  /** Bucket (or pattern with {region}) to publish through S3; required for zips over 50 MB. */
  s3Bucket?: string;
  alignVersions: boolean;
  /**
   * How alignment makes its fillers: `fill` (the default) publishes this release's zip again;
   * `replay` the earlier releases' own versions, from `history` or the reference region.
   */
  alignMode?: AlignMode;
  /** The GitHub repository of the earlier releases, for replay. */
  history?: HistorySource;
  dryRun: boolean;
  distDir: string;
  /** How many region × architecture publications run at once (default 4). */
  concurrency?: number;
  /** Publish zips the manifest marks non-releasable (local builder). */
  allowUnreleasable?: boolean;
  /** AWS's pacing (the SDK's unless tests shrink it). */
  tuning?: AwsTuning;
}

export interface PublishedLayer {
  region: string;
  arch: Architecture;
  layerName: string;
  version: number;
  arn: string;
  reused: boolean;
  codeSha256: string;
  /** The release that first published this version (an older one when reused). */
  firstPublishedBy: string;
}

/** A region × architecture that failed, with what exists of it (a version left unshared). */
export interface FailedLayer {
  region: string;
  arch: Architecture;
  layerName: string;
  error: string;
  arn?: string;
}

export interface PublishResult {
  layers: PublishedLayer[];
  /** Empty unless the step failed somewhere: then it throws a PublishError carrying this result. */
  failed: FailedLayer[];
  arns: Record<string, Partial<Record<Architecture, string>>>;
  /**
   * The path of layers.json written in distDir, also when some region failed (it then lists the
   * failures). A dry run writes it to a temporary folder instead, with placeholder ARNs (as if no
   * version existed), and leaves distDir alone.
   */
  layersJson: string;
  /** Dry run: every call it would make; empty otherwise. */
  plan: string[];
}
