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
