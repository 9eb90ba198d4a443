import { run, which } from '../exec.js';
import { docker, DOCKER_MISSING } from '../docker.js';
import { dockerPlatform, type Architecture } from '../domain.js';
import { log } from '../log.js';

/** The layer build with Docker Buildx (see src/docker.ts for why plain docker command lines). */

export const DEFAULT_BUILDER_NAME = 'lambda-shell-runtime';

/**
 * Reuses the named Buildx builder, or creates it with the docker-container driver: the default
 * "docker" driver cannot export a build cache (cache-to), the container driver can.
 */
export async function ensureBuilder(name: string): Promise<'reused' | 'created'> {
  if (!which('docker')) throw new Error(DOCKER_MISSING);
  const inspect = await run('docker', ['buildx', 'inspect', name]);
  if (inspect.exitCode === 0) return 'reused';
  await docker(
    ['buildx', 'create', '--name', name, '--driver', 'docker-container', '--bootstrap'],
    `cannot create the Buildx builder ${name}`,
    true,
  );
  return 'created';
}

export interface BuildxBuildOptions {
  arch: Architecture;
  /** The folder that receives the layer tree. */
  dest: string;
  dockerfile: string;
  context: string;
  builderName: string;
  awsCliVersion?: string;
  cacheFrom?: string[];
  cacheTo?: string[];
}

/** `{arch}` in a cache spec becomes the architecture, so each one can keep its own scope. */
const forArch = (specs: string[] | undefined, arch: Architecture): string[] =>
  (specs ?? []).map((spec) => spec.replaceAll('{arch}', arch));

/** The argv (after `docker`) of one layer build. */
export function buildxBuildArgs(options: BuildxBuildOptions): string[] {
  const { arch } = options;
  return [
    'buildx',
    'build',
    '--builder',
    options.builderName,
    '--platform',
    dockerPlatform(arch),
    '--target',
    'layer',
    ...(options.awsCliVersion ? ['--build-arg', `AWS_CLI_VERSION=${options.awsCliVersion}`] : []),
    // Buildx adds a provenance attestation by default, and the local exporter writes it INTO
    // the output folder: it would end up in the layer.
    '--provenance=false',
    '--progress',
    'plain',
    '--output',
    `type=local,dest=${options.dest}`,
    ...forArch(options.cacheFrom, arch).flatMap((spec) => ['--cache-from', spec]),
    ...forArch(options.cacheTo, arch).flatMap((spec) => ['--cache-to', spec]),
    '--file',
    options.dockerfile,
    options.context,
  ];
}

/**
 * The cache when the user gives none: GitHub's cache service (type=gha, one scope per arch) when
 * the runner exposes it to this process, else no cache.
 */
export function defaultCache(env: NodeJS.ProcessEnv): {
  cacheFrom: string[];
  cacheTo: string[];
} {
  const onActionsCache =
    Boolean(env.ACTIONS_RUNTIME_TOKEN) && Boolean(env.ACTIONS_CACHE_URL || env.ACTIONS_RESULTS_URL);
  if (!onActionsCache) return { cacheFrom: [], cacheTo: [] };
  return {
    cacheFrom: ['type=gha,scope=lambda-shell-runtime-{arch}'],
    cacheTo: ['type=gha,mode=max,scope=lambda-shell-runtime-{arch}'],
  };
}

/** Runs one layer build, its log streamed into a collapsible group. */
export async function buildxBuild(options: BuildxBuildOptions): Promise<void> {
  await log.group(`docker buildx build ${dockerPlatform(options.arch)}`, () =>
    docker(buildxBuildArgs(options), `the ${options.arch} layer build failed`, true),
  );
}
