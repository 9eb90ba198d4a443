import {
  parseApplicationName,
  parseAuthor,
  parseRoleArn,
  parseSourceCodeUrl,
  parseSsmPrefix,
} from './aws/parsers.js';
import { defaultCache } from './build/buildx.js';
import { hostArchitecture } from './platform.js';
import { canaryRunId } from './canary/names.js';
import { DEFAULT_DIST_DIR } from './dist.js';
import { InputError } from './errors.js';
import { log } from './log.js';
import {
  type AlignMode,
  type Architecture,
  type Builder,
  type Share,
  type Step,
  type Repository,
} from './domain.js';
import {
  parseAlignVersions,
  parseArchitectures,
  parseAwsCliVersion,
  parseBoolean,
  parseBuilder,
  parseLayerName,
  parseList,
  parseReason,
  parseRegions,
  parseRepository,
  parseS3Bucket,
  parseShare,
  parseSourceDateEpoch,
  parseSteps,
  parseVersion,
} from './parsers.js';

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
  /** How alignment makes fillers (with alignVersions): fill or replay. */
  alignMode?: AlignMode;
  awsCliVersion: string;
  githubToken: string;
  dryRun: boolean;
  distDir: string;
  draft: boolean;
  repository: Repository;
  tag: string;
  /** The commit built: where GitHub creates the tag if it does not exist yet. */
  commit: string;
  /** The canary functions' execution role; the canary step runs only with one. */
  canaryRoleArn: string;
  /** Unique to this workflow run and attempt: part of each canary function's name. */
  runId: string;
  /** SSM path of the parameters; '' turns the ssm step off. */
  ssmPrefix: string;
  /** SAR: the applications' base name, author and source (this repository on a runner). */
  applicationName: string;
  author: string;
  sourceCodeUrl: string;
  /** GitHub's API and web host (GITHUB_API_URL, GITHUB_SERVER_URL); '' for github.com. */
  githubApiUrl: string;
  githubServerUrl: string;
  /** Zip timestamps (SOURCE_DATE_EPOCH), else the build's fixed default. */
  sourceDateEpoch?: number;
  /** The build cache: GitHub's cache service when the runner exposes it, else none. */
  buildCache: { cacheFrom: string[]; cacheTo: string[] };
  /** On an Actions runner with a tool cache (RUNNER_TOOL_CACHE): tools may be installed there. */
  toolCache: boolean;
  /** retract: why (release notes, layers.json, the SSM marker). */
  reason: string;
  /** retract: delete the layer versions, not only unshare them. */
  deleteVersions: boolean;
  /** retract: also retract versions another release reused. */
  force: boolean;
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
  'dist-dir': DEFAULT_DIST_DIR,
  draft: 'false',
  'canary-role-arn': '',
  'ssm-prefix': '/lambda-shell-runtime',
  reason: '',
  delete: 'false',
  force: 'false',
};

/**
 * Checks that the chosen steps have what they need, naming the missing input. A dry run plans
 * with placeholders instead (with a warning), so it works on a runner's defaults alone.
 */
function completeForSteps(inputs: Inputs, explicitSteps: string[]): Inputs {
  const has = (step: Step): boolean => inputs.steps.includes(step);
  const missing = (input: string, allowed: string, steps: Step[]): never => {
    throw new InputError(input, '', `${allowed} when steps include ${steps.join(' or ')}`);
  };
  const completed = { ...inputs };
  if ((has('publish') || has('sar')) && completed.regions.length === 0) {
    if (!inputs.dryRun)
      missing('regions', 'at least one AWS region (or AWS_REGION set)', ['publish', 'sar']);
    log.warning(
      `dry run: no regions given (nor AWS_REGION); planning for ${DRY_RUN_PLACEHOLDERS.region}`,
    );
    completed.regions = [DRY_RUN_PLACEHOLDERS.region];
  }
  if (has('sar') && completed.s3Bucket === '') {
    if (!inputs.dryRun) missing('s3-bucket', 'an S3 bucket for the application artifacts', ['sar']);
    log.warning(
      `dry run: no s3-bucket given; planning the sar step with ${DRY_RUN_PLACEHOLDERS.s3Bucket}`,
    );
  }
  if (has('canary') && inputs.canaryRoleArn === '') {
    if (inputs.dryRun) {
      log.warning(
        `dry run: no canary-role-arn given; planning the canary with ${DRY_RUN_PLACEHOLDERS.canaryRoleArn}`,
      );
      completed.canaryRoleArn = DRY_RUN_PLACEHOLDERS.canaryRoleArn;
    } else if (explicitSteps.includes('canary')) {
      missing('canary-role-arn', "the ARN of the canary functions' execution role", ['canary']);
    } else {
      log.warning(
        'canary skipped: no canary-role-arn given, so the layer is not proven in each region',
      );
      completed.steps = completed.steps.filter((step) => step !== 'canary');
    }
  }
  if (has('ssm') && inputs.ssmPrefix === '') {
    if (explicitSteps.includes('ssm'))
      missing('ssm-prefix', 'an SSM path such as /lambda-shell-runtime', ['ssm']);
    completed.steps = completed.steps.filter((step) => step !== 'ssm');
  }
  if (has('release') && !inputs.dryRun && inputs.githubToken === '') {
    missing('github-token', 'a token with contents: write', ['release']);
  }
  if (has('retract') && inputs.githubToken === '')
    missing('github-token', 'a token that reads the release (contents: write marks it)', [
      'retract',
    ]);
  const remote = inputs.steps.filter((step) => step !== 'build' && step !== 'test');
  if (inputs.builder === 'local' && has('build') && !inputs.dryRun && remote.length > 0) {
    throw new InputError(
      'builder',
      'local',
      `docker when steps include ${remote.join(', ')}: the local builder's zips (host jq, no AWS CLI) are for rehearsals with dry-run: true`,
    );
  }
  if (inputs.builder === 'local' && has('build'))
    completed.architectures = hostOnly(inputs.architectures);
  return completed;
}

/** The local builder builds for the host only: other architectures are left out, with a warning. */
function hostOnly(architectures: Architecture[]): Architecture[] {
  const host = hostArchitecture();
  if (!host || !architectures.includes(host)) {
    throw new InputError(
      'architectures',
      architectures.join(','),
      `the host architecture (${host ?? process.arch}) with builder local`,
    );
  }
  const skipped = architectures.filter((arch) => arch !== host);
  if (skipped.length > 0)
    log.warning(
      `builder local builds only the host architecture (${host}); skipping ${skipped.join(', ')}`,
    );
  return [host];
}

/** What a dry run plans with when an input a remote step needs is empty. */
export const DRY_RUN_PLACEHOLDERS = {
  region: 'us-east-1',
  s3Bucket: 'example-bucket-{region}',
  canaryRoleArn: 'arn:aws:iam::123456789012:role/lambda-shell-runtime-canary',
};

export function getInputs(read: InputReader, env: NodeJS.ProcessEnv = process.env): Inputs {
  const input = (name: string): string => {
    const value = read(name).trim();
    return value === '' ? (INPUT_DEFAULTS[name] ?? '') : value;
  };
  // Masked the moment it is read, before anything can print it.
  log.setSecret(read('github-token'));
  const dryRun = parseBoolean(input('dry-run'), 'dry-run');
  const version = parseVersion(input('version'), env.GITHUB_REF ?? '');
  const steps = parseSteps(input('steps'));
  // retract's default is every region of the release, not the job's AWS_REGION.
  const regionsInput =
    input('regions') ||
    (steps.includes('retract') ? '' : env.AWS_REGION || env.AWS_DEFAULT_REGION || '');
  const alignMode = parseAlignVersions(input('align-versions'));
  const inputs: Inputs = {
    version,
    architectures: parseArchitectures(input('architectures')),
    builder: parseBuilder(input('builder')),
    steps,
    regions: parseRegions(regionsInput),
    layerName: parseLayerName(input('layer-name')),
    share: parseShare(input('share')),
    s3Bucket: parseS3Bucket(input('s3-bucket')),
    alignVersions: alignMode !== undefined,
    alignMode,
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
    canaryRoleArn: read('canary-role-arn').trim() ? parseRoleArn(read('canary-role-arn')) : '',
    runId: canaryRunId(env),
    // Read as given: '' turns the step off (a runner passes action.yml's default when unset).
    ssmPrefix: parseSsmPrefix(read('ssm-prefix')),
    applicationName: parseApplicationName(''),
    author: parseAuthor(''),
    // Checked only when the sar step runs: elsewhere no source is needed.
    sourceCodeUrl: steps.includes('sar') ? parseSourceCodeUrl('', env, dryRun) : '',
    githubApiUrl: env.GITHUB_API_URL ?? '',
    githubServerUrl: env.GITHUB_SERVER_URL ?? '',
    sourceDateEpoch: parseSourceDateEpoch(env.SOURCE_DATE_EPOCH ?? ''),
    buildCache: defaultCache(env),
    toolCache: Boolean(env.RUNNER_TOOL_CACHE),
    reason: parseReason(input('reason')),
    deleteVersions: parseBoolean(input('delete'), 'delete'),
    force: parseBoolean(input('force'), 'force'),
  };
  return completeForSteps(inputs, parseList(input('steps')));
}
