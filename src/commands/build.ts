import { defaultCache } from '../build/buildx.js';
import { buildLayers } from '../build/index.js';
import { hostArchitecture } from '../platform.js';
import {
  parseArchitectures,
  parseAwsCliVersion,
  parseBuilder,
  parseSourceDateEpoch,
  parseVersion,
} from '../parsers.js';
import { stringOption, type Command, type OptionValues } from './command.js';
import { DIST_DIR, VERSION, defineOptions, describedAs, distDirOf, option } from './options.js';

const listOption = (values: OptionValues, name: string): string[] | undefined => {
  const value = values[name];
  return Array.isArray(value) && value.length > 0 ? value : undefined;
};

export const buildCommand: Command = {
  name: 'build',
  summary: 'Build the layer zips, SHA256SUMS and manifest.json (Docker, or the local builder)',
  ...defineOptions([
    option(
      'builder',
      'docker|local',
      'docker: the real layer (AWS CLI + jq) with Buildx (default);',
      "local: no Docker, the host's jq, no AWS CLI, never released",
    ),
    option('arch', 'LIST', 'arm64,amd64 (default: both for docker, the host arch for local)'),
    describedAs(VERSION, 'the layer version, in the zip names (required)'),
    DIST_DIR,
    option(
      'aws-cli-version',
      'V',
      'AWS CLI v2 version (default: the one pinned in docker/Dockerfile)',
    ),
    option(
      'cache-from',
      'SPEC',
      'Buildx cache to read, repeatable; {arch} becomes the arch',
    ).multiple(),
    option(
      'cache-to',
      'SPEC',
      'Buildx cache to write, repeatable (default on Actions: type=gha)',
    ).multiple(),
    option(
      'builder-name',
      'NAME',
      'Buildx builder to create or reuse (default: lambda-shell-runtime)',
    ),
  ]),
  async run(values) {
    const builder = parseBuilder(stringOption(values, 'builder', 'docker'), '--builder');
    const defaultArch = builder === 'local' ? (hostArchitecture() ?? process.arch) : 'arm64,amd64';
    const awsCliVersion = stringOption(values, 'aws-cli-version');
    const result = await buildLayers({
      builder,
      architectures: parseArchitectures(stringOption(values, 'arch', defaultArch), '--arch'),
      version: parseVersion(stringOption(values, 'version'), '', '--version'),
      outDir: distDirOf(values),
      awsCliVersion: awsCliVersion
        ? parseAwsCliVersion(awsCliVersion, '--aws-cli-version')
        : undefined,
      // The user's cache specs, if any, replace the default entirely.
      ...(values['cache-from'] || values['cache-to']
        ? { cacheFrom: listOption(values, 'cache-from'), cacheTo: listOption(values, 'cache-to') }
        : defaultCache(process.env)),
      sourceDateEpoch: parseSourceDateEpoch(process.env.SOURCE_DATE_EPOCH ?? ''),
      builderName: stringOption(values, 'builder-name') || undefined,
    });
    for (const zip of result.zips) process.stdout.write(`${zip.path}\n`);
    process.stdout.write(`${result.sha256sums}\n`);
    return 0;
  },
};
