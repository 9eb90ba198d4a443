import type { LayerZip } from '../dist.js';
import { run, runChecked } from '../exec.js';
import { dockerPlatform, type Architecture } from '../domain.js';
import { checkEcho, checkErrorDocument, checkVersionLine, type SmokeResult } from './checks.js';
import { ECHO_HANDLER, FAILING_HANDLER, SMOKE_EVENT, expectedEchoResponse } from './smoke-task.js';

/** AWS's base image of provided.al2023 functions, with its runtime interface emulator, pinned. */
export const LAMBDA_BASE_IMAGE =
  'public.ecr.aws/lambda/provided:al2023@sha256:c6a2e7cb103884b785ebce3ce826c7cfd68e9843d8d5e6773a53e902ced83a19';
/** Lambda's LD_LIBRARY_PATH for provided runtimes (docs: defined runtime environment variables). */
export const LAMBDA_LD_LIBRARY_PATH =
  '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib';
export const RIE_PORT = 9000;

export interface DockerSmokeTarget {
  arch: Architecture;
  /** The unzipped layer, mounted at /opt. */
  layer: string;
  /** The task root, mounted at /var/task. */
  taskRoot: string;
  port?: number;
}

const common = (target: DockerSmokeTarget): string[] => [
  '--platform',
  dockerPlatform(target.arch),
  '--volume',
  `${target.layer}:/opt:ro`,
  '--env',
  `LD_LIBRARY_PATH=${LAMBDA_LD_LIBRARY_PATH}`,
];

/** `docker run` of one of the layer's programs (/opt/bin/aws, /opt/bin/jq) with --version. */
export const versionArgs = (target: DockerSmokeTarget, tool: 'aws' | 'jq'): string[] => [
  'run',
  '--rm',
  ...common(target),
  '--entrypoint',
  `/opt/bin/${tool}`,
  LAMBDA_BASE_IMAGE,
  '--version',
];

/** `docker run` of the image's runtime interface emulator with the layer's bootstrap. */
export const emulatorArgs = (target: DockerSmokeTarget, handler: string): string[] => [
  'run',
  '--detach',
  '--rm',
  ...common(target),
  '--volume',
  `${target.taskRoot}:/var/task:ro`,
  '--env',
  `_HANDLER=${handler}`,
  '--publish',
  `127.0.0.1:${target.port ?? RIE_PORT}:8080`,
  '--entrypoint',
  '/usr/local/bin/aws-lambda-rie',
  LAMBDA_BASE_IMAGE,
  '/opt/bootstrap',
];

/** curl's POST to the emulator's invoke endpoint; the event on stdin, sent byte for byte. */
export const invokeArgs = (port: number = RIE_PORT): string[] => [
  '--silent',
  '--show-error',
  // The port is published before the emulator listens: retry until it answers.
  '--retry',
  '30',
  '--retry-all-errors',
  '--retry-delay',
  '1',
  '--max-time',
  '120',
  '--header',
  'Content-Type: application/json',
  '--data-binary',
  '@-',
  `http://localhost:${port}/2015-03-31/functions/function/invocations`,
];

/** Starts the emulator with `handler`, POSTs the smoke event, always removes the container. */
async function invokeInContainer(target: DockerSmokeTarget, handler: string): Promise<Buffer> {
  const container = (await runChecked('docker', emulatorArgs(target, handler))).stdout.trim();
  try {
    const answer = await run('curl', invokeArgs(target.port), { input: SMOKE_EVENT });
    if (answer.exitCode !== 0) {
      const logs = await run('docker', ['logs', container]);
      throw new Error(
        `the invocation of ${handler} failed (curl exit ${answer.exitCode}: ${answer.stderr.trim()}); container log:\n${logs.stdout}${logs.stderr}`,
      );
    }
    return Buffer.from(answer.stdout);
  } finally {
    await run('docker', ['rm', '--force', container]);
  }
}

/**
 * Smoke test of a Docker-built zip inside AWS's provided.al2023 image (under QEMU for a foreign
 * arch): the layer at /opt, the examples at /var/task; aws and jq run, the example function
 * echoes an event byte for byte through the image's emulator, a failing handler gives an error.
 */
export async function smokeTestDocker(
  zip: LayerZip,
  target: DockerSmokeTarget,
): Promise<SmokeResult> {
  const aws = await runChecked('docker', versionArgs(target, 'aws'));
  const awsVersion = checkVersionLine(
    zip.fileName,
    'aws',
    aws.stdout + aws.stderr,
    /^aws-cli\/2\./,
  );
  const jq = await runChecked('docker', versionArgs(target, 'jq'));
  const jqVersion = checkVersionLine(zip.fileName, 'jq', jq.stdout, /^jq-\d/);
  const echoResponse = checkEcho(
    zip.fileName,
    expectedEchoResponse(SMOKE_EVENT),
    await invokeInContainer(target, ECHO_HANDLER),
  );
  const errorType = checkErrorDocument(
    zip.fileName,
    await invokeInContainer(target, FAILING_HANDLER),
  );
  return { arch: zip.arch, zip: zip.fileName, jqVersion, awsVersion, echoResponse, errorType };
}
