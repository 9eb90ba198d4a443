/** What a layer tree holds, relative to its root (/opt on Lambda). */
export const LAYER_FILES = {
  bootstrap: 'bootstrap',
  /** The Runtime API over bash's /dev/tcp, sourced by the bootstrap under bash. */
  httpBash: 'bootstrap.d/http-bash.sh',
  jq: 'bin/jq',
  aws: 'bin/aws',
  awsCliDir: 'aws-cli',
  lib: 'lib',
} as const;

/** Lambda's limit on a function's unzipped code plus layers. */
export const UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024;
/** Lambda's limit on a zip uploaded directly (larger ones go through S3). */
export const DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024;

export const formatMiB = (bytes: number, decimals = 1): string =>
  `${(bytes / 1024 / 1024).toFixed(decimals)} MiB`;
