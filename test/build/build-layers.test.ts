import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCache } from '../../src/build/buildx.js';
import { buildLayers } from '../../src/build/index.js';
import { hostArchitecture } from '../../src/platform.js';
import { readLayerZips, readManifest, zipFileName } from '../../src/dist.js';
import { paths } from '../../src/paths.js';
import { createFakeBin, type FakeBin } from '../helpers/fake-bin.js';
import { fakeDocker } from './docker-fixture.js';
import { removeTempDirs, tempDir } from './tree-fixture.js';

const outDir = () => tempDir('dist-');

afterAll(removeTempDirs);

describe('buildLayers with the docker builder (fake docker)', () => {
  let bin: FakeBin;
  const saved = {
    PATH: process.env.PATH,
    token: process.env.ACTIONS_RUNTIME_TOKEN,
    cache: process.env.ACTIONS_CACHE_URL,
  };
  beforeEach(() => {
    bin = createFakeBin();
    process.env.PATH = bin.path;
    delete process.env.ACTIONS_RUNTIME_TOKEN;
    delete process.env.ACTIONS_CACHE_URL;
  });
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.token !== undefined) process.env.ACTIONS_RUNTIME_TOKEN = saved.token;
    if (saved.cache !== undefined) process.env.ACTIONS_CACHE_URL = saved.cache;
    delete process.env.FAKE_WRONG_MACHINE;
    bin.cleanup();
  });

  it('checks docker, registers nothing already supported, builds, validates and zips each arch', async () => {
    fakeDocker(bin, 'amd64', ['linux/amd64', 'linux/arm64']);
    const out = outDir();
    const result = await buildLayers({
      builder: 'docker',
      architectures: ['arm64', 'amd64'],
      version: '1.2.3',
      outDir: out,
      awsCliVersion: '2.27.0',
    });
    const calls = bin.calls('docker').map((call) => call.args.join(' '));
    expect(calls.slice(0, 4)).toEqual([
      'version --format {{.Server.Arch}}',
      'buildx version',
      expect.stringMatching(
        /^run --rm --privileged docker\.io\/tonistiigi\/binfmt:\S+@sha256:[0-9a-f]{64}$/,
      ),
      'buildx inspect lambda-shell-runtime',
    ]);
    expect(calls.slice(4)).toEqual(
      (['arm64', 'amd64'] as const).map(
        (arch) =>
          `buildx build --builder lambda-shell-runtime --platform linux/${arch} --target layer ` +
          `--build-arg AWS_CLI_VERSION=2.27.0 --provenance=false --progress plain ` +
          `--output type=local,dest=${join(out, `tree-${arch}`)} --file ${paths.dockerfile} ${paths.dockerContext}`,
      ),
    );
    expect(result.zips.map((zip) => zip.fileName)).toEqual([
      'lambda-shell-runtime-arm64-1.2.3.zip',
      'lambda-shell-runtime-amd64-1.2.3.zip',
    ]);
    expect(result.manifest).toEqual({
      version: '1.2.3',
      builder: 'docker',
      releasable: true,
      architectures: ['arm64', 'amd64'],
    });
    expect(await readManifest(out)).toEqual(result.manifest);
    expect(await readLayerZips(out, '1.2.3')).toEqual(result.zips);
    expect(result.unzippedSizes.arm64).toBeGreaterThan(0);
    const listing = execFileSync('zipinfo', ['-1', result.zips[0].path])
      .toString()
      .split('\n')
      .filter(Boolean);
    expect(listing).toEqual([
      'aws-cli/',
      'aws-cli/aws',
      'bin/',
      'bin/aws',
      'bin/jq',
      'bootstrap',
      'bootstrap.d/',
      'bootstrap.d/http-bash.sh',
    ]);
  });

  it("builds with the cache specs it is given: GitHub's on a runner, the user's otherwise", async () => {
    fakeDocker(bin);
    await buildLayers({
      builder: 'docker',
      architectures: ['arm64'],
      version: '1.0.0',
      outDir: outDir(),
      ...defaultCache({
        ACTIONS_RUNTIME_TOKEN: 'token',
        ACTIONS_CACHE_URL: 'https://cache.example/',
      }),
    });
    await buildLayers({
      builder: 'docker',
      architectures: ['arm64'],
      version: '1.0.0',
      outDir: outDir(),
      cacheFrom: ['type=registry,ref=ghcr.io/o/cache:{arch}'],
      builderName: 'mine',
    });
    const builds = bin
      .calls('docker')
      .filter((call) => call.args[1] === 'build')
      .map((call) => call.args.join(' '));
    expect(builds[0]).toContain(
      '--cache-from type=gha,scope=lambda-shell-runtime-arm64 --cache-to type=gha,mode=max,scope=lambda-shell-runtime-arm64',
    );
    expect(builds[1]).toContain('--builder mine ');
    expect(builds[1]).toContain('--cache-from type=registry,ref=ghcr.io/o/cache:arm64 --file');
    expect(builds[1]).not.toContain('--cache-to');
  });

  it('refuses a tree whose binaries are for another machine, before zipping', async () => {
    fakeDocker(bin);
    process.env.FAKE_WRONG_MACHINE = '1';
    const out = outDir();
    await expect(
      buildLayers({ builder: 'docker', architectures: ['amd64'], version: '1.0.0', outDir: out }),
    ).rejects.toThrow(/tree-amd64\/bin\/jq: is built for ARM \(32-bit\), not x86-64 \(amd64\)/);
    expect(existsSync(join(out, zipFileName('amd64', '1.0.0')))).toBe(false);
  });

  it('stops with a clear error when Docker is absent', async () => {
    process.env.PATH = tempDir('no-docker-');
    await expect(
      buildLayers({
        builder: 'docker',
        architectures: ['amd64'],
        version: '1.0.0',
        outDir: outDir(),
      }),
    ).rejects.toThrow(/Docker is not installed/);
  });
});

describe('buildLayers with the local builder (real jq, real zips)', () => {
  const host = hostArchitecture();
  if (!host) throw new Error(`these tests need an amd64 or arm64 machine, not ${process.arch}`);

  it('builds a host-arch layer, byte-identical across builds, not releasable', async () => {
    const first = outDir();
    const second = outDir();
    const result = await buildLayers({
      builder: 'local',
      architectures: [host],
      version: '0.1.0',
      outDir: first,
    });
    await buildLayers({
      builder: 'local',
      architectures: [host],
      version: '0.1.0',
      outDir: second,
    });
    const name = zipFileName(host, '0.1.0');
    expect(readFileSync(join(first, name)).equals(readFileSync(join(second, name)))).toBe(true);
    expect(result.manifest).toEqual({
      version: '0.1.0',
      builder: 'local',
      releasable: false,
      architectures: [host],
    });
    expect(readFileSync(result.sha256sums, 'utf8')).toBe(`${result.zips[0].sha256}  ${name}\n`);

    const listing = execFileSync('zipinfo', ['-1', result.zips[0].path]).toString();
    expect(listing).toMatch(/^bootstrap$/m);
    expect(listing).toMatch(/^bootstrap\.d\/http-bash\.sh$/m);
    expect(listing).toMatch(/^bin\/jq$/m);
    expect(listing).not.toMatch(/^opt\//m);
    expect(listing).not.toMatch(/aws/);
    // The zip's jq runs from its own lib/, as it would from /opt/lib.
    const unzipped = tempDir('local-layer-');
    execFileSync('unzip', ['-q', result.zips[0].path, '-d', unzipped]);
    const version = execFileSync(join(unzipped, 'bin/jq'), ['--version'], {
      env: { LD_LIBRARY_PATH: join(unzipped, 'lib') },
    }).toString();
    expect(version).toMatch(/^jq-\d/);
    expect(readFileSync(join(unzipped, 'bootstrap')).equals(readFileSync(paths.bootstrap))).toBe(
      true,
    );
  });

  it('removes a stale zip of an architecture it did not build, keeping SHA256SUMS true', async () => {
    const out = outDir();
    const other = host === 'amd64' ? 'arm64' : 'amd64';
    writeFileSync(join(out, zipFileName(other, '0.1.0')), 'stale');
    await buildLayers({ builder: 'local', architectures: [host], version: '0.1.0', outDir: out });
    expect(existsSync(join(out, zipFileName(other, '0.1.0')))).toBe(false);
    expect((await readLayerZips(out, '0.1.0')).map((zip) => zip.arch)).toEqual([host]);
  });

  it('refuses a foreign architecture clearly', async () => {
    const foreign = host === 'amd64' ? 'arm64' : 'amd64';
    await expect(
      buildLayers({
        builder: 'local',
        architectures: [foreign],
        version: '0.1.0',
        outDir: outDir(),
      }),
    ).rejects.toThrow(
      `the local builder builds for this machine's architecture only (${host}), not ${foreign}: use the docker builder`,
    );
  });
});
