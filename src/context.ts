import { arch as hostArch } from 'node:process';
import { InputError } from './errors.js';
import { log } from './log.js';
import {
  type Architecture,
  type Builder,
  type Share,
  type Step,
  parseArchitectures,
  parseAwsCliVersion,
  parseBoolean,
  parseBuilder,
  parseLayerName,
  parseRegions,
  parseRepository,
  type Repository,
  parseS3Bucket,
  parseShare,
  parseSteps,
  parseVersion,
} from './inputs.js';

/**
 * Every input of the action, read and validated in one place before any step runs (as
 * docker/build-push-action's context.ts does). The CLI's `run` command reads the same inputs
 * from flags through the same function.
 */
export interface Inputs {
  version: string;
  architectures: Architecture[];
  builder: Builder;
  steps: Step[];
  regions: string[];
  layerName: string;
  share: Share;
  s3Bucket: string;
  alignVersions: boolean;
  awsCliVersion: string;
  githubToken: string;
  dryRun: boolean;
  distDir: string;
  draft: boolean;
  repository: Repository;
  tag: string;
  /** The commit built: where GitHub creates the tag if it does not exist yet. */
  commit: string;
}

/** Reads one raw input by its action.yml name ('' when unset). */
export type InputReader = (name: string) => string;

/** The defaults of action.yml (a test keeps the two equal); `github-token` defaults to the job token there. */
export const INPUT_DEFAULTS: Record<string, string> = {
  version: '',
  architectures: 'arm64,amd64',
  builder: 'docker',
  steps: 'all',
  regions: '',
  'layer-name': 'lambda-shell-runtime-{arch}',
  share: 'none',
  's3-bucket': '',
  'align-versions': 'false',
  'aws-cli-version': '2.36.5',
  'github-token': '',
  'dry-run': 'false',
  'dist-dir': 'lambda-shell-runtime-dist',
  draft: 'false',
};

/** The host's architecture in Docker's naming, for the local builder. */
export const hostArchitecture = (): Architecture => (hostArch === 'arm64' ? 'arm64' : 'amd64');

/** Checks that the chosen steps have what they need, naming the missing input. */
function requireForSteps(inputs: Inputs): void {
  const need = (step: Step, input: string, ok: boolean, allowed: string): void => {
    if (inputs.steps.includes(step) && !ok)
      throw new InputError(input, '', `${allowed} when steps include ${step}`);
  };
  need(
    'publish',
    'regions',
    inputs.regions.length > 0,
    'at least one AWS region (or AWS_REGION set)',
  );
  need('sar', 's3-bucket', inputs.s3Bucket !== '', 'an S3 bucket for the application artifacts');
  need('sar', 'regions', inputs.regions.length > 0, 'an AWS region for the application');
  need(
    'release',
    'github-token',
    inputs.dryRun || inputs.githubToken !== '',
    'a token with contents: write',
  );
  if (inputs.builder === 'local' && inputs.steps.includes('build')) {
    const foreign = inputs.architectures.filter((arch) => arch !== hostArchitecture());
    if (foreign.length > 0) {
      throw new InputError(
        'architectures',
        foreign.join(','),
        `only the host architecture (${hostArchitecture()}) with builder local`,
      );
    }
  }
}

export function getInputs(read: InputReader, env: NodeJS.ProcessEnv = process.env): Inputs {
  const input = (name: string): string => {
    const value = read(name).trim();
    return value === '' ? (INPUT_DEFAULTS[name] ?? '') : value;
  };
  // Masked the moment it is read, before anything can print it.
  log.setSecret(read('github-token'));
  const dryRun = parseBoolean(input('dry-run'), 'dry-run');
  const version = parseVersion(input('version'), env.GITHUB_REF ?? '');
  const regionsInput = input('regions') || env.AWS_REGION || env.AWS_DEFAULT_REGION || '';
  const inputs: Inputs = {
    version,
    architectures: parseArchitectures(input('architectures')),
    builder: parseBuilder(input('builder')),
    steps: parseSteps(input('steps')),
    regions: parseRegions(regionsInput),
    layerName: parseLayerName(input('layer-name')),
    share: parseShare(input('share')),
    s3Bucket: parseS3Bucket(input('s3-bucket')),
    alignVersions: parseBoolean(input('align-versions'), 'align-versions'),
    awsCliVersion: parseAwsCliVersion(input('aws-cli-version')),
    githubToken: input('github-token'),
    dryRun,
    distDir: input('dist-dir'),
    draft: parseBoolean(input('draft'), 'draft'),
    repository: parseRepository(
      env.GITHUB_REPOSITORY || 'local/lambda-shell-runtime',
      'GITHUB_REPOSITORY',
    ),
    commit: env.GITHUB_SHA ?? '',
    tag: env.GITHUB_REF?.startsWith('refs/tags/')
      ? env.GITHUB_REF.slice('refs/tags/'.length)
      : `v${version}`,
  };
  requireForSteps(inputs);
  return inputs;
}
