import { CommandError, runChecked, which } from './exec.js';
import { dockerPlatform, type Architecture } from './domain.js';
import { log } from './log.js';

/*
 * Docker as the build and the smoke tests use it, as hand-built `docker` command lines rather than
 * @docker/actions-toolkit: the toolkit is not a dependency here (and is large), every line below
 * is what docker's own actions run, and plain argv lists are easy to read, to run the same way
 * from the CLI on a laptop, and to assert exactly in tests with a fake `docker` on PATH.
 */

/** tonistiigi/binfmt, the image docker/setup-qemu-action runs, pinned by digest. */
export const BINFMT_IMAGE =
  'docker.io/tonistiigi/binfmt:qemu-v10.2.3@sha256:400a4873b838d1b89194d982c45e5fb3cda4593fbfd7e08a02e76b03b21166f0';

export const DOCKER_MISSING =
  'Docker is not installed (no "docker" on PATH). Install Docker with Buildx, or build with the local builder (no AWS CLI, not releasable).';

/** Runs `docker args`; a failure names `what` was being done. */
export async function docker(args: string[], what: string, stream = false): Promise<string> {
  if (!which('docker')) throw new Error(DOCKER_MISSING);
  try {
    return (await runChecked('docker', args, { stream })).stdout;
  } catch (error) {
    if (error instanceof CommandError)
      throw new Error(`${what}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** Checks that the Docker daemon answers; resolves to its architecture (amd64, arm64, …). */
export async function checkDocker(): Promise<string> {
  const arch = await docker(
    ['version', '--format', '{{.Server.Arch}}'],
    'Docker is installed but its daemon does not answer (is it running, and may this user use it?)',
  );
  return arch.trim();
}

/** Checks that the Buildx plugin is installed; resolves to its version line. */
export async function checkBuildx(): Promise<string> {
  const version = await docker(
    ['buildx', 'version'],
    'Docker Buildx is missing (install the docker-buildx plugin, or docker/setup-buildx-action on Actions)',
  );
  return version.trim();
}

interface BinfmtStatus {
  supported?: string[];
}

const parseBinfmt = (stdout: string): string[] => {
  try {
    return (JSON.parse(stdout) as BinfmtStatus).supported ?? [];
  } catch {
    throw new Error(`cannot read the platforms ${BINFMT_IMAGE} reports: ${stdout.slice(0, 200)}`);
  }
};

/**
 * Makes the daemon able to run `arch` containers (the smoke tests do; the build itself runs
 * nothing of the target arch). Like docker/setup-qemu-action: ask the binfmt image which
 * platforms the kernel runs, and register QEMU for this one only when it is missing (a
 * privileged container writes /proc/sys/fs/binfmt_misc, so the daemon's kernel is the one
 * asked, also on Docker Desktop). Resolves to true when it registered an emulator.
 */
export async function ensureEmulation(arch: Architecture, daemonArch: string): Promise<boolean> {
  if (arch === daemonArch) return false;
  const platform = dockerPlatform(arch);
  const current = await docker(
    ['run', '--rm', '--privileged', BINFMT_IMAGE],
    `cannot inspect binfmt with ${BINFMT_IMAGE}`,
  );
  if (parseBinfmt(current).includes(platform)) {
    log.info(`${platform} already runs on this ${daemonArch} Docker host`);
    return false;
  }
  log.info(`registering QEMU for ${platform} on this ${daemonArch} Docker host`);
  const installed = await docker(
    ['run', '--rm', '--privileged', BINFMT_IMAGE, '--install', arch],
    `cannot register QEMU for ${platform}`,
  );
  if (!parseBinfmt(installed).includes(platform))
    throw new Error(`QEMU for ${platform} was installed but ${platform} is still not supported`);
  return true;
}
