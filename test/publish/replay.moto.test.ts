import {
  GetLayerVersionCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SHA256SUMS } from '../../src/dist.js';
import { PublishError, publishLayers, type PublishOptions } from '../../src/publish/index.js';
import type { HistorySource } from '../../src/publish/replay.js';
import { runCli } from '../../src/cli.js';
import { captureWrites } from '../helpers/capture.js';
import { GitHubServer } from '../helpers/github-server.js';
import { FAST_AWS, setEnv } from '../helpers/moto.js';
import { FAST } from '../release/fixtures.js';
import {
  captureStderr,
  captureStderrFailure,
  makeDist,
  publishOptions,
  useMotoBehindProxy,
  type DistFixture,
} from './fixtures.js';

// align-versions: replay against moto (behind the fault proxy) with the earlier releases on the
// GitHub stand-in: a region that missed releases, and a new one, get the earlier releases' own
// versions, so every :N holds the same bytes in every region.
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const ARCHS = ['arm64', 'amd64'] as const;
const suite = useMotoBehindProxy();
let github: GitHubServer;
const dists = new Map<string, DistFixture>();
beforeAll(async () => {
  github = await GitHubServer.start();
  for (const version of ['1.0.0', '1.1.0', '1.2.0']) dists.set(version, await makeDist(version));
  // The earlier releases as the release step left them: zips and SHA256SUMS.
  for (const version of ['1.0.0', '1.1.0']) {
    const dist = dists.get(version)!;
    github.seedRelease({
      tag: `v${version}`,
      assets: [
        ...(await Promise.all(
          dist.zips.map(async (zip) => ({ name: zip.fileName, content: await readFile(zip.path) })),
        )),
        { name: SHA256SUMS, content: await readFile(join(dist.dir, SHA256SUMS)) },
      ],
    });
  }
});
afterAll(async () => {
  await github.close();
  for (const dist of dists.values()) await dist.remove();
});
beforeEach(() => suite.server.proxy.reset());

const lambda = (region: string) =>
  new LambdaClient({ region, endpoint: suite.server.moto.endpoint });
const history = (): HistorySource => ({
  token: github.token,
  repository: { owner: github.owner, repo: github.repo },
  apiUrl: github.apiUrl,
  tuning: FAST,
});

const publishWith = (version: string, pattern: string, overrides: Partial<PublishOptions>) => () =>
  publishLayers(
    publishOptions(dists.get(version)!, {
      version,
      regions: REGIONS,
      layerNamePattern: pattern,
      ...overrides,
    }),
  );
const publish = (version: string, pattern: string, overrides: Partial<PublishOptions> = {}) =>
  captureStderr(publishWith(version, pattern, overrides));
/** A publish that must fail: its error. */
const publishFails = (version: string, pattern: string, overrides: Partial<PublishOptions>) =>
  captureStderrFailure(publishWith(version, pattern, overrides));

/** 1.0.0 in us-east-1 and eu-west-1, 1.1.0 in us-east-1 only; ap-southeast-2 is new. */
async function drift(pattern: string): Promise<void> {
  for (const [version, regions] of [
    ['1.0.0', ['us-east-1', 'eu-west-1']],
    ['1.1.0', ['us-east-1']],
  ] as const) {
    await publish(version, pattern, { regions: [...regions] });
  }
}

/** [version, CodeSha256, description] of every version of a layer in a region. */
async function history_(region: string, layerName: string) {
  const { LayerVersions } = await lambda(region).send(
    new ListLayerVersionsCommand({ LayerName: layerName }),
  );
  const numbers = (LayerVersions ?? []).map((version) => version.Version!).sort((a, b) => a - b);
  const rows: [number, string, string][] = [];
  for (const number of numbers) {
    const got = await lambda(region).send(
      new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: number }),
    );
    rows.push([number, got.Content!.CodeSha256!, got.Description!]);
  }
  return rows;
}

const shaOf = (version: string, arch: string) =>
  dists.get(version)!.zips.find((zip) => zip.arch === arch)!.codeSha256;

/** Every region holds versions 1..3 of both layers with the bytes and description of 1.0.0, 1.1.0, 1.2.0. */
async function expectAligned(pattern: string): Promise<void> {
  for (const arch of ARCHS) {
    const layerName = pattern.replace('{arch}', arch);
    const expected = ['1.0.0', '1.1.0', '1.2.0'].map((version, index) => [
      index + 1,
      shaOf(version, arch),
      `lambda-shell-runtime ${version} (${arch})`,
    ]);
    for (const region of REGIONS)
      expect([region, await history_(region, layerName)]).toEqual([region, expected]);
  }
}

describe('align-versions: replay against moto and the GitHub stand-in', () => {
  it("replays the earlier releases' zips (checked against their SHA256SUMS) in order: :N is the same everywhere", async () => {
    await drift('rp-basic-{arch}');
    const { result, text } = await publish('1.2.0', 'rp-basic-{arch}', {
      alignVersions: true,
      alignMode: 'replay',
      history: history(),
    });
    await expectAligned('rp-basic-{arch}');
    expect(text).toMatch(
      /replay: arn:\S+:rp-basic-arm64:2 \(lambda-shell-runtime 1\.1\.0 \(arm64\)\) from GitHub release v1\.1\.0/,
    );
    expect(result.layers.map((layer) => [layer.region, layer.arch, layer.version])).toEqual(
      REGIONS.flatMap((region) => ARCHS.map((arch) => [region, arch, 3])),
    );
    // Fillers are never shared; the release's own version is.
    const { LayerVersions } = await lambda('ap-southeast-2').send(
      new ListLayerVersionsCommand({ LayerName: 'rp-basic-arm64' }),
    );
    expect(LayerVersions).toHaveLength(3);
    // Each distinct zip was downloaded once.
    const downloads = github.requests.filter((request) => request.host === 'storage');
    expect(downloads.length).toBe(2 * 2 * 2);

    // Run again: nothing to replay, every region reuses :3.
    const again = await publish('1.2.0', 'rp-basic-{arch}', {
      alignVersions: true,
      alignMode: 'replay',
      history: history(),
    });
    expect(again.result.layers.every((layer) => layer.reused && layer.version === 3)).toBe(true);
  });

  it('a dry run reads the versions and prints the replay plan, publishing nothing', async () => {
    await drift('rp-dry-{arch}');
    const { result } = await publish('1.2.0', 'rp-dry-{arch}', {
      alignVersions: true,
      alignMode: 'replay',
      history: history(),
      dryRun: true,
    });
    expect(result.plan).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^ap-southeast-2 replay rp-dry-arm64:1 from us-east-1 \("lambda-shell-runtime 1\.0\.0 \(arm64\)", CodeSha256 \S+\)$/,
        ),
        expect.stringMatching(
          /^ap-southeast-2 replay rp-dry-arm64:2 from us-east-1 \("lambda-shell-runtime 1\.1\.0 \(arm64\)"/,
        ),
        expect.stringMatching(/^eu-west-1 replay rp-dry-amd64:2 from us-east-1/),
        expect.stringMatching(
          /^ap-southeast-2 lambda:PublishLayerVersion .*"Description":"lambda-shell-runtime 1\.1\.0 \(arm64\)"/,
        ),
      ]),
    );
    expect(result.plan.filter((line) => / replay /.test(line))).toHaveLength(2 * 3);
    expect(await history_('ap-southeast-2', 'rp-dry-arm64').catch(() => [])).toEqual([]);
    expect((await history_('eu-west-1', 'rp-dry-arm64')).map((row) => row[0])).toEqual([1]);
  });

  it('resumes after a failure mid-replay: the next run publishes what is missing, and :N matches everywhere', async () => {
    await drift('rp-resume-{arch}');
    // ap-southeast-2's arm64 layer publishes :1, then every attempt at :2 is throttled.
    for (let nth = 2; nth <= 6; nth++)
      suite.server.proxy.inject({
        method: 'POST',
        path: /^\/2018-10-31\/layers\/rp-resume-arm64\/versions$/,
        region: 'ap-southeast-2',
        nth,
        fault: 'throttle',
      });
    const failed = await publishFails('1.2.0', 'rp-resume-{arch}', {
      alignVersions: true,
      alignMode: 'replay',
      history: history(),
    });
    expect(failed.error).toBeInstanceOf(PublishError);
    expect(
      (failed.error as PublishError).result.failed.map((layer) => [layer.region, layer.arch]),
    ).toEqual([['ap-southeast-2', 'arm64']]);
    expect((await history_('ap-southeast-2', 'rp-resume-arm64')).map((row) => row[0])).toEqual([1]);

    suite.server.proxy.reset();
    await publish('1.2.0', 'rp-resume-{arch}', {
      alignVersions: true,
      alignMode: 'replay',
      history: history(),
    });
    await expectAligned('rp-resume-{arch}');
  });

  it("falls back to the reference version's content when the release's zip does not match its SHA256SUMS, and names both failures", async () => {
    await drift('rp-tampered-{arch}');
    const release = github.releasesForTag('v1.1.0')[0];
    const sums = release.assets.find((asset) => asset.name === SHA256SUMS)!;
    const original = sums.bytes;
    sums.bytes = Buffer.from(
      original.toString().replace(/^[0-9a-f]/, (c) => (c === '0' ? '1' : '0')),
    );
    try {
      const { error } = await publishFails('1.2.0', 'rp-tampered-{arch}', {
        alignVersions: true,
        alignMode: 'replay',
        history: history(),
      });
      // moto's Content.Location is a bare "s3://": the fallback has nothing to download either.
      expect((error as Error).message).toMatch(
        /cannot replay \S+:rp-tampered-\w+:2 \(lambda-shell-runtime 1\.1\.0 \(\w+\)\): GitHub release v1\.1\.0: lambda-shell-runtime-\w+-1\.1\.0\.zip of v1\.1\.0 does not match its SHA256SUMS.*; us-east-1's content: its Content\.Location is no URL to download \("s3:\/\/"\); nothing was published/,
      );
      expect(await history_('ap-southeast-2', 'rp-tampered-arm64').catch(() => [])).toEqual([]);
    } finally {
      sums.bytes = original;
    }
  });

  it('the CLI: --align-versions replay with the repository and GITHUB_TOKEN; a wrong mode is refused', async () => {
    await drift('rp-cli-{arch}');
    const restore = setEnv({ GITHUB_TOKEN: github.token, GITHUB_API_URL: github.apiUrl });
    const cli = (mode: string) =>
      captureWrites(process.stdout, () =>
        captureStderr(() =>
          runCli(
            [
              'publish',
              '--dist',
              dists.get('1.2.0')!.dir,
              '--version',
              '1.2.0',
              '--regions',
              REGIONS.join(','),
              '--layer-name',
              'rp-cli-{arch}',
              '--align-versions',
              mode,
              '--repository',
              `${github.owner}/${github.repo}`,
            ],
            { aws: FAST_AWS },
          ),
        ),
      );
    try {
      const wrong = await cli('backfill');
      expect(wrong.result.result).toBe(2);
      expect(wrong.result.text).toMatch(
        /--align-versions.*backfill.*false, fill \(or true\) or replay/,
      );
      const replayed = await cli('replay');
      expect(replayed.result.result).toBe(0);
      expect(JSON.parse(replayed.text)['ap-southeast-2'].arm64).toMatch(/:rp-cli-arm64:3$/);
    } finally {
      restore();
    }
    await expectAligned('rp-cli-{arch}');
  });

  it('refuses above 50 fillers before publishing anything', async () => {
    for (let index = 0; index < 52; index++)
      await lambda('us-east-1').send(
        new PublishLayerVersionCommand({
          LayerName: 'rp-many-arm64',
          Content: { ZipFile: Buffer.from(`other ${index}`) },
        }),
      );
    const { error } = await publishFails('1.2.0', 'rp-many-{arch}', {
      alignVersions: true,
      alignMode: 'replay',
      history: history(),
    });
    expect((error as Error).message).toMatch(
      /aligning rp-many-arm64 in eu-west-1 needs 52 filler versions \(more than 50\); nothing was published/,
    );
    expect(await history_('eu-west-1', 'rp-many-arm64').catch(() => [])).toEqual([]);
  });
});
