import { buildxBuildArgs, defaultCache, ensureBuilder } from '../../src/build/buildx.js';
import { BINFMT_IMAGE, checkBuildx, checkDocker, ensureEmulation } from '../../src/docker.js';
import { useFakeBinOnPath } from '../helpers/fake-bin.js';
import { BUILDX_VERSION, fakeDocker } from './docker-fixture.js';
import { removeTempDirs, tempDir } from './tree-fixture.js';

afterAll(removeTempDirs);

describe('docker and buildx commands', () => {
  const fakeBin = useFakeBinOnPath();
  const dockerArgs = () =>
    fakeBin()
      .calls('docker')
      .map((call) => call.args);

  it('says clearly when Docker is not installed', async () => {
    process.env.PATH = tempDir('empty-path-');
    await expect(checkDocker()).rejects.toThrow(
      /Docker is not installed \(no "docker" on PATH\).*the local builder/,
    );
    await expect(ensureBuilder('x')).rejects.toThrow(/Docker is not installed/);
  });

  it('says clearly when the daemon does not answer', async () => {
    fakeBin().add('docker', [
      {
        args: ['version'],
        exitCode: 1,
        stderr:
          'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n',
      },
    ]);
    await expect(checkDocker()).rejects.toThrow(
      /daemon does not answer.*Cannot connect to the Docker daemon/,
    );
    expect(dockerArgs()).toEqual([['version', '--format', '{{.Server.Arch}}']]);
  });

  it('reads the daemon architecture and the buildx version', async () => {
    fakeDocker(fakeBin(), 'arm64');
    expect(await checkDocker()).toBe('arm64');
    expect(await checkBuildx()).toBe(BUILDX_VERSION.trim());
    expect(dockerArgs()).toEqual([
      ['version', '--format', '{{.Server.Arch}}'],
      ['buildx', 'version'],
    ]);
  });

  it('says clearly when buildx is missing', async () => {
    fakeBin().add('docker', [
      { args: ['buildx'], exitCode: 1, stderr: "docker: 'buildx' is not a docker command.\n" },
    ]);
    await expect(checkBuildx()).rejects.toThrow(
      /Docker Buildx is missing.*'buildx' is not a docker command/,
    );
  });

  describe('QEMU binfmt', () => {
    it('does nothing for the daemon architecture', async () => {
      fakeDocker(fakeBin(), 'amd64');
      expect(await ensureEmulation('amd64', 'amd64')).toBe(false);
      expect(dockerArgs()).toEqual([]);
    });

    it('only inspects when the foreign platform already runs', async () => {
      fakeDocker(fakeBin(), 'amd64', ['linux/amd64', 'linux/arm64']);
      expect(await ensureEmulation('arm64', 'amd64')).toBe(false);
      expect(dockerArgs()).toEqual([['run', '--rm', '--privileged', BINFMT_IMAGE]]);
    });

    it('registers QEMU for a missing platform, as setup-qemu-action does', async () => {
      fakeDocker(
        fakeBin(),
        'arm64',
        ['linux/arm64'],
        [
          {
            match: /--install amd64$/,
            stdout: JSON.stringify({ supported: ['linux/arm64', 'linux/amd64'] }),
          },
        ],
      );
      expect(await ensureEmulation('amd64', 'arm64')).toBe(true);
      expect(dockerArgs()).toEqual([
        ['run', '--rm', '--privileged', BINFMT_IMAGE],
        ['run', '--rm', '--privileged', BINFMT_IMAGE, '--install', 'amd64'],
      ]);
    });

    it('fails when registration does not take', async () => {
      fakeDocker(
        fakeBin(),
        'amd64',
        ['linux/amd64'],
        [{ match: /--install arm64$/, stdout: JSON.stringify({ supported: ['linux/amd64'] }) }],
      );
      await expect(ensureEmulation('arm64', 'amd64')).rejects.toThrow(
        /QEMU for linux\/arm64 was installed but linux\/arm64 is still not supported/,
      );
    });

    it('pins the binfmt image by digest', () => {
      expect(BINFMT_IMAGE).toMatch(
        /^docker\.io\/tonistiigi\/binfmt:qemu-v[\d.]+@sha256:[0-9a-f]{64}$/,
      );
    });
  });

  describe('buildx builder', () => {
    it('reuses an existing builder', async () => {
      fakeDocker(fakeBin());
      expect(await ensureBuilder('lambda-shell-runtime')).toBe('reused');
      expect(dockerArgs()).toEqual([['buildx', 'inspect', 'lambda-shell-runtime']]);
    });

    it('creates a docker-container builder when there is none', async () => {
      fakeDocker(
        fakeBin(),
        'amd64',
        [],
        [{ args: ['buildx', 'inspect'], exitCode: 1, stderr: 'ERROR: no builder "b1" found\n' }],
      );
      expect(await ensureBuilder('b1')).toBe('created');
      expect(dockerArgs()).toEqual([
        ['buildx', 'inspect', 'b1'],
        ['buildx', 'create', '--name', 'b1', '--driver', 'docker-container', '--bootstrap'],
      ]);
    });
  });

  describe('buildx build', () => {
    const base = {
      dest: '/out/tree-arm64',
      dockerfile: '/repo/docker/Dockerfile',
      context: '/repo',
      builderName: 'lambda-shell-runtime',
    };

    it('builds the layer target of one platform into a local folder', () => {
      expect(buildxBuildArgs({ ...base, arch: 'arm64' })).toEqual([
        'buildx',
        'build',
        '--builder',
        'lambda-shell-runtime',
        '--platform',
        'linux/arm64',
        '--target',
        'layer',
        '--provenance=false',
        '--progress',
        'plain',
        '--output',
        'type=local,dest=/out/tree-arm64',
        '--file',
        '/repo/docker/Dockerfile',
        '/repo',
      ]);
    });

    it('passes the AWS CLI version and the caches, with {arch} filled in', () => {
      const args = buildxBuildArgs({
        ...base,
        arch: 'amd64',
        awsCliVersion: '2.27.0',
        cacheFrom: ['type=gha,scope=layer-{arch}', 'type=local,src=/cache'],
        cacheTo: ['type=gha,mode=max,scope=layer-{arch}'],
      });
      expect(args.join(' ')).toContain(
        '--build-arg AWS_CLI_VERSION=2.27.0 --provenance=false --progress plain --output type=local,dest=/out/tree-arm64 ' +
          '--cache-from type=gha,scope=layer-amd64 --cache-from type=local,src=/cache ' +
          '--cache-to type=gha,mode=max,scope=layer-amd64 --file',
      );
    });

    it('defaults to the GitHub Actions cache only where the runner exposes it', () => {
      expect(defaultCache({})).toEqual({ cacheFrom: [], cacheTo: [] });
      expect(defaultCache({ ACTIONS_CACHE_URL: 'https://cache/' })).toEqual({
        cacheFrom: [],
        cacheTo: [],
      });
      expect(
        defaultCache({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'https://results/' }),
      ).toEqual({
        cacheFrom: ['type=gha,scope=lambda-shell-runtime-{arch}'],
        cacheTo: ['type=gha,mode=max,scope=lambda-shell-runtime-{arch}'],
      });
    });
  });
});
