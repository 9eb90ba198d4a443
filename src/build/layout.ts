/** What a layer tree holds, relative to its root (/opt on Lambda). */
export const LAYER_FILES = {
  bootstrap: 'bootstrap',
  jq: 'bin/jq',
  aws: 'bin/aws',
  awsCliDir: 'aws-cli',
  lib: 'lib',
} as const;
