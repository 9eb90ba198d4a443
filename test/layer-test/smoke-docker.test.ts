import { buildLayers } from '../../src/build/index.js';
import { BINFMT_IMAGE } from '../../src/docker.js';
import { testLayers } from '../../src/layer-test/index.js';
import { shellFiles } from '../../src/layer-test/shellcheck.js';
import {
  LAMBDA_BASE_IMAGE,
  LAMBDA_LD_LIBRARY_PATH,
  emulatorArgs,
  invokeArgs,
  versionArgs,
} from '../../src/layer-test/smoke-docker.js';
import { SMOKE_EVENT, expectedEchoResponse } from '../../src/layer-test/smoke-task.js';
import { useFakeBinOnPath, type FakeBin, type FakeRule } from '../helpers/fake-bin.js';
import { fakeDocker } from '../build/docker-fixture.js';
import { removeTempDirs, tempDir } from '../build/tree-fixture.js';

const ERROR_DOCUMENT =
  '{"errorMessage":"deliberate failure","errorType":"Function.Unhandled","stackTrace":[]}';
const AWS_VERSION = 'aws-cli/2.27.0 Python/3.13.7 Linux/6.8.0 exe/aarch64.amzn.2023';

/**
 * A docker that also answers the smoke test's runs, a curl that answers the two invocations, and
 * a shellcheck that finds nothing (the real one lints the real files in shellcheck.test.ts and
 * test-layers-local.test.ts; here it would only add half a second per test).
 */
function fakeSmokeTools(
  bin: FakeBin,
  daemonArch: string,
  supported: string[],
  curl: FakeRule[],
): void {
  fakeDocker(bin, daemonArch, supported, [
    { match: /--entrypoint \/opt\/bin\/aws /, stdout: `${AWS_VERSION}\n` },
    { match: /--entrypoint \/opt\/bin\/jq /, stdout: 'jq-1.7.1\n' },
    { args: ['run', '--detach'], stdout: 'c0ffee\n' },
    { args: ['logs'], stdout: 'INIT_START Runtime Version: provided:al2023\n' },
    { match: /--install/, stdout: JSON.stringify({ supported: ['linux/amd64', 'linux/arm64'] }) },
  ]);
  bin.add('curl', curl, { recordStdin: true });
  bin.add('shellcheck', [{ stdout: '{"comments":[]}' }]);
}

afterAll(removeTempDirs);

describe('Docker smoke test commands', () => {
  const target = { arch: 'arm64' as const, layer: '/tmp/layer-arm64', taskRoot: '/tmp/task' };

  it('runs aws and jq from the layer at /opt in the pinned provided.al2023 image', () => {
    expect(LAMBDA_BASE_IMAGE).toMatch(
      /^public\.ecr\.aws\/lambda\/provided:al2023@sha256:[0-9a-f]{64}$/,
    );
    expect(versionArgs(target, 'aws')).toEqual([
      'run',
      '--rm',
      '--platform',
      'linux/arm64',
      '--volume',
      '/tmp/layer-arm64:/opt:ro',
      '--env',
      `LD_LIBRARY_PATH=${LAMBDA_LD_LIBRARY_PATH}`,
      '--entrypoint',
      '/opt/bin/aws',
      LAMBDA_BASE_IMAGE,
      '--version',
    ]);
  });

  it("starts the image's emulator on the layer's bootstrap with the examples at /var/task", () => {
    expect(emulatorArgs({ ...target, port: 9123 }, 'function.handler')).toEqual([
      'run',
      '--detach',
      '--rm',
      '--platform',
      'linux/arm64',
      '--volume',
      '/tmp/layer-arm64:/opt:ro',
      '--env',
      `LD_LIBRARY_PATH=${LAMBDA_LD_LIBRARY_PATH}`,
      '--volume',
      '/tmp/task:/var/task:ro',
      '--env',
      '_HANDLER=function.handler',
      '--publish',
      '127.0.0.1:9123:8080',
      '--entrypoint',
      '/usr/local/bin/aws-lambda-rie',
      LAMBDA_BASE_IMAGE,
      '/opt/bootstrap',
    ]);
    expect(invokeArgs().slice(-3)).toEqual([
      '--data-binary',
      '@-',
      'http://localhost:9000/2015-03-31/functions/function/invocations',
    ]);
  });
});

describe('testLayers on a docker-builder dist folder (fake docker and curl)', () => {
  const fakeBin = useFakeBinOnPath();

  // The smoke test only reads the dist folder: the first test to need it builds it, once.
  let built: Promise<string> | undefined;
  const dockerDist = (): Promise<string> =>
    (built ??= (async () => {
      fakeDocker(fakeBin(), 'amd64');
      const distDir = tempDir('dist-');
      await buildLayers({
        builder: 'docker',
        architectures: ['arm64'],
        version: '3.0.0',
        outDir: distDir,
      });
      return distDir;
    })());

  it('registers QEMU, checks aws and jq, invokes the echo and the failing handler', async () => {
    const distDir = await dockerDist();
    fakeSmokeTools(
      fakeBin(),
      'amd64',
      ['linux/amd64'],
      [{ times: 1, stdout: expectedEchoResponse(SMOKE_EVENT) }, { stdout: ERROR_DOCUMENT }],
    );
    const before = fakeBin().calls('docker').length; // the build's calls
    const report = await testLayers({ distDir });
    expect(report.smoke).toEqual([
      {
        arch: 'arm64',
        zip: 'lambda-shell-runtime-arm64-3.0.0.zip',
        awsVersion: AWS_VERSION,
        jqVersion: 'jq-1.7.1',
        echoResponse: expectedEchoResponse(SMOKE_EVENT),
        errorType: 'Function.Unhandled',
      },
    ]);
    const docker = fakeBin()
      .calls('docker')
      .slice(before)
      .map((call) => call.args);
    const layerMount = docker.find((args) => args[0] === 'run' && args.includes('--entrypoint'))!;
    const layer = layerMount[layerMount.indexOf('--volume') + 1].replace(/:\/opt:ro$/, '');
    expect(docker).toEqual([
      ['version', '--format', '{{.Server.Arch}}'],
      ['run', '--rm', '--privileged', BINFMT_IMAGE],
      ['run', '--rm', '--privileged', BINFMT_IMAGE, '--install', 'arm64'],
      versionArgs({ arch: 'arm64', layer, taskRoot: '' }, 'aws'),
      versionArgs({ arch: 'arm64', layer, taskRoot: '' }, 'jq'),
      expect.arrayContaining(['run', '--detach', '_HANDLER=function.handler', '/opt/bootstrap']),
      ['rm', '--force', 'c0ffee'],
      expect.arrayContaining(['run', '--detach', '_HANDLER=smoke_test.fail', '/opt/bootstrap']),
      ['rm', '--force', 'c0ffee'],
    ]);
    const curl = fakeBin().calls('curl');
    expect(curl.map((call) => call.args)).toEqual([invokeArgs(), invokeArgs()]);
    expect(curl.map((call) => call.stdin)).toEqual([SMOKE_EVENT, SMOKE_EVENT]);
    // shellcheck first, on the bootstrap and the examples, as the test step runs it.
    expect(
      fakeBin()
        .calls('shellcheck')
        .map((call) => call.args),
    ).toEqual([['-s', 'sh', '-f', 'json1', ...(await shellFiles())]]);
  });

  it('fails naming the zip when the echo is not byte for byte', async () => {
    const distDir = await dockerDist();
    fakeSmokeTools(
      fakeBin(),
      'amd64',
      ['linux/amd64', 'linux/arm64'],
      [{ stdout: `${expectedEchoResponse(SMOKE_EVENT)}\n` }],
    );
    await expect(testLayers({ distDir })).rejects.toThrow(
      /lambda-shell-runtime-arm64-3\.0\.0\.zip: the echo invocation answered .*\\n", expected/,
    );
    // The container is removed even when the check fails.
    expect(fakeBin().calls('docker').at(-1)?.args).toEqual(['rm', '--force', 'c0ffee']);
  });

  it('shows the container log when the emulator never answers', async () => {
    const distDir = await dockerDist();
    fakeSmokeTools(
      fakeBin(),
      'amd64',
      ['linux/amd64', 'linux/arm64'],
      [{ exitCode: 7, stderr: 'curl: (7) Failed to connect to localhost port 9000\n' }],
    );
    await expect(testLayers({ distDir })).rejects.toThrow(
      /the invocation of function\.handler failed \(curl exit 7: curl: \(7\) Failed to connect.*\n.*INIT_START Runtime Version/,
    );
  });

  it('fails when the failing handler does not come back as an error document', async () => {
    const distDir = await dockerDist();
    fakeSmokeTools(
      fakeBin(),
      'amd64',
      ['linux/amd64', 'linux/arm64'],
      [{ times: 1, stdout: expectedEchoResponse(SMOKE_EVENT) }, { stdout: 'null' }],
    );
    await expect(testLayers({ distDir })).rejects.toThrow(
      /answered null, without errorType and errorMessage/,
    );
  });
});
