import {
  AddLayerVersionPermissionCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import { LAYERS_JSON } from '../../src/dist.js';
import { publishLayers } from '../../src/publish/index.js';
import {
  RetractError,
  retractRelease,
  type GitHubTarget,
  type RetractOptions,
} from '../../src/retract/index.js';
import { TITLE_PREFIX } from '../../src/retract/github.js';
import { writeParameters } from '../../src/ssm/index.js';
import { captureRejection, captureWrites } from '../helpers/capture.js';
import { checkAnswers } from '../helpers/github-openapi.js';
import { GitHubServer } from '../helpers/github-server.js';
import { FAST_AWS, startMoto } from '../helpers/moto.js';
import { makeDist, publishOptions, useAwsSuite, type DistFixture } from '../publish/fixtures.js';
import { FAST } from '../release/fixtures.js';

// The retract step against moto's Lambda and SSM over HTTP, and the GitHub stand-in: releases
// published and advertised by the publish and ssm steps, then one of them retracted.
const REGIONS = ['us-east-1', 'eu-west-1'];
const ARCHS = ['arm64', 'amd64'] as const;
useAwsSuite({ start: startMoto, stop: (moto) => moto.stop() });
const dists: DistFixture[] = [];
afterAll(async () => {
  for (const dist of dists) await dist.remove();
});

const lambda = (region: string) => new LambdaClient({ region });
const quiet = <T>(fn: () => Promise<T>) => captureWrites(process.stderr, fn);

/** Publishes `version` (bytes of `contentOf`) shared publicly, and writes its SSM parameters. */
async function release(version: string, name: string, contentOf = version): Promise<DistFixture> {
  const dist = await makeDist(version, { contentOf });
  dists.push(dist);
  const published = await quiet(() =>
    publishLayers(
      publishOptions(dist, {
        version,
        regions: REGIONS,
        layerNamePattern: `${name}-{arch}`,
      }),
    ),
  );
  await quiet(() =>
    writeParameters({
      layers: published.result.arns,
      version,
      prefix: `/${name}`,
      regions: [],
      dryRun: false,
      tuning: FAST_AWS,
    }),
  );
  return dist;
}

const layersOf = async (dist: DistFixture) =>
  JSON.parse(await readFile(join(dist.dir, LAYERS_JSON), 'utf8')) as {
    layers: Record<string, Record<string, string>>;
    retracted?: { reason: string; regions: string[]; deleted: boolean };
  };

function split(arn: string): { LayerName: string; VersionNumber: number } {
  const parts = arn.split(':');
  return { LayerName: parts[6], VersionNumber: Number(parts[7]) };
}

async function statementIds(arn: string): Promise<string[]> {
  const region = arn.split(':')[3];
  try {
    const { Policy } = await lambda(region).send(new GetLayerVersionPolicyCommand(split(arn)));
    return (JSON.parse(Policy ?? '{}') as { Statement: { Sid: string }[] }).Statement.map(
      (statement) => statement.Sid,
    );
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return [];
    throw error;
  }
}

async function exists(arn: string): Promise<boolean> {
  try {
    await lambda(arn.split(':')[3]).send(new GetLayerVersionCommand(split(arn)));
    return true;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return false;
    throw error;
  }
}

async function parameter(region: string, name: string): Promise<string | undefined> {
  try {
    const { Parameter } = await new SSMClient({ region }).send(
      new GetParameterCommand({ Name: name }),
    );
    return Parameter?.Value;
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return undefined;
    throw error;
  }
}

type Overrides = Partial<RetractOptions> & Pick<RetractOptions, 'version'>;
const retracting = (overrides: Overrides) => () =>
  retractRelease({
    distDir: '',
    regions: [],
    reason: '',
    delete: false,
    force: false,
    dryRun: false,
    ssmPrefix: '',
    tuning: FAST_AWS,
    ...overrides,
  });
const retract = (overrides: Overrides) => quiet(retracting(overrides));
/** A retraction that must fail: its error and what it logged. */
const retractFails = (overrides: Overrides) =>
  captureRejection(process.stderr, retracting(overrides));

/** Every layer of a layers.json as [region, arch, arn]. */
const arnsOf = (layers: Record<string, Record<string, string>>) =>
  REGIONS.flatMap((region) => ARCHS.map((arch) => [region, arch, layers[region][arch]] as const));

describe('retract against moto', () => {
  it('unshares the release, keeps the earlier one shared, moves latest back, marks layers.json; a second run changes nothing', async () => {
    const good = await release('1.0.0', 'rt-basic');
    const bad = await release('1.1.0', 'rt-basic');
    const goodLayers = (await layersOf(good)).layers;
    const badLayers = (await layersOf(bad)).layers;
    for (const [region, arch] of arnsOf(badLayers))
      expect(await parameter(region, `/rt-basic/${arch}/latest`)).toBe(badLayers[region][arch]);

    const first = await retract({
      version: '1.1.0',
      distDir: bad.dir,
      reason: 'jq crashes on empty input',
      ssmPrefix: '/rt-basic',
    });
    expect(
      first.result.layers.map((row) => [row.region, row.arch, row.status, row.unshared]),
    ).toEqual(
      arnsOf(badLayers).map(([region, arch]) => [region, arch, 'retracted', ['lsr-public']]),
    );
    for (const [region, arch, arn] of arnsOf(badLayers)) {
      expect(await statementIds(arn)).toEqual([]);
      expect(await exists(arn)).toBe(true);
      // The earlier release is untouched and becomes latest again.
      expect(await statementIds(goodLayers[region][arch])).toEqual(['lsr-public']);
      expect(await parameter(region, `/rt-basic/${arch}/latest`)).toBe(goodLayers[region][arch]);
      expect(await parameter(region, `/rt-basic/${arch}/retracted/1.1.0`)).toBe(
        'jq crashes on empty input',
      );
      expect(await parameter(region, `/rt-basic/${arch}/1.1.0`)).toBe(arn);
    }
    expect(first.text).toMatch(
      /us-east-1\s+arm64\s+\S+:2\s+lsr-public\s+kept\s+moved to 1\.0\.0\s+retracted/,
    );
    expect((await layersOf(bad)).retracted).toMatchObject({
      reason: 'jq crashes on empty input',
      regions: ['eu-west-1', 'us-east-1'],
      deleted: false,
    });

    const second = await retract({
      version: '1.1.0',
      distDir: bad.dir,
      reason: 'jq crashes on empty input',
      ssmPrefix: '/rt-basic',
    });
    expect(second.result.layers.map((row) => [row.status, row.unshared, row.latest])).toEqual(
      arnsOf(badLayers).map(() => ['unchanged', [], 'kept']),
    );

    // The ssm step never makes a retracted release latest again, even when run for it.
    const again = await quiet(() =>
      writeParameters({
        layers: badLayers,
        version: '1.1.0',
        prefix: '/rt-basic',
        regions: [],
        dryRun: false,
        tuning: FAST_AWS,
      }),
    );
    expect(
      again.result.parameters
        .filter((row) => row.name.endsWith('/latest'))
        .map((row) => row.status),
    ).toEqual(['kept', 'kept', 'kept', 'kept']);
    expect(await parameter('eu-west-1', '/rt-basic/amd64/latest')).toBe(
      goodLayers['eu-west-1'].amd64,
    );
  });

  it('--delete deletes the versions (and warns that functions keep working); a re-run finds them gone and succeeds', async () => {
    await release('2.0.0', 'rt-delete');
    const bad = await release('2.1.0', 'rt-delete');
    const layers = (await layersOf(bad)).layers;
    const first = await retract({
      version: '2.1.0',
      distDir: bad.dir,
      delete: true,
      ssmPrefix: '/rt-delete',
    });
    expect(first.text).toMatch(/functions that already use it keep working/);
    for (const [, , arn] of arnsOf(layers)) expect(await exists(arn)).toBe(false);
    expect(first.result.layers.every((row) => row.version === 'deleted')).toBe(true);
    const second = await retract({
      version: '2.1.0',
      distDir: bad.dir,
      delete: true,
      ssmPrefix: '/rt-delete',
    });
    expect(second.result.layers.map((row) => [row.status, row.version])).toEqual(
      arnsOf(layers).map(() => ['unchanged', 'gone']),
    );
    expect((await layersOf(bad)).retracted?.deleted).toBe(true);
  });

  it('the reuse guard: a version two releases share is not unshared without --force, and the message names both', async () => {
    const first = await release('3.0.0', 'rt-reuse');
    // 3.0.1 holds the same bytes: publish reuses 3.0.0's versions.
    const reused = await release('3.0.1', 'rt-reuse', '3.0.0');
    const layers = (await layersOf(first)).layers;
    expect((await layersOf(reused)).layers).toEqual(layers);

    const older = await retractFails({
      version: '3.0.0',
      distDir: first.dir,
      ssmPrefix: '/rt-reuse',
    });
    expect(older.error).toBeInstanceOf(RetractError);
    expect((older.error as Error).message).toMatch(
      /nothing was retracted: arn:\S+:layer:rt-reuse-arm64:1 \(us-east-1 arm64\) is the layer of 3\.0\.0 and of 3\.0\.1/,
    );
    // Without the SSM parameters, the version's own description names the release that published it.
    const newer = await retractFails({ version: '3.0.1', distDir: reused.dir });
    expect((newer.error as Error).message).toMatch(/is the layer of 3\.0\.1 and of 3\.0\.0/);
    for (const [, , arn] of arnsOf(layers)) expect(await statementIds(arn)).toEqual(['lsr-public']);

    const forced = await retract({
      version: '3.0.0',
      distDir: first.dir,
      ssmPrefix: '/rt-reuse',
      force: true,
    });
    expect(forced.result.layers[0].detail).toBe("forced: also 3.0.1's");
    for (const [, , arn] of arnsOf(layers)) expect(await statementIds(arn)).toEqual([]);
  });

  it('only the regions asked for, only the lsr-* statements, and never a version of another release', async () => {
    const good = await release('4.0.0', 'rt-regions');
    const bad = await release('4.1.0', 'rt-regions');
    // A statement someone added by hand is not the publish step's: it stays.
    await lambda('eu-west-1').send(
      new AddLayerVersionPermissionCommand({
        ...split((await layersOf(bad)).layers['eu-west-1'].arm64),
        StatementId: 'partner-account',
        Action: 'lambda:GetLayerVersion',
        Principal: '210987654321',
      }),
    );
    const result = await retract({
      version: '4.1.0',
      distDir: bad.dir,
      regions: ['eu-west-1'],
      ssmPrefix: '/rt-regions',
    });
    const badLayers = (await layersOf(bad)).layers;
    const goodLayers = (await layersOf(good)).layers;
    expect(await statementIds(badLayers['us-east-1'].arm64)).toEqual(['lsr-public']);
    expect(await statementIds(badLayers['eu-west-1'].arm64)).toEqual(['partner-account']);
    expect(result.result.layers.find((row) => row.arch === 'arm64')!.detail).toBe(
      'still shared by statements publish did not add: partner-account',
    );
    expect(await statementIds(badLayers['eu-west-1'].amd64)).toEqual([]);
    for (const [, , arn] of arnsOf(goodLayers))
      expect(await statementIds(arn)).toEqual(['lsr-public']);
    expect(await parameter('us-east-1', '/rt-regions/arm64/latest')).toBe(
      badLayers['us-east-1'].arm64,
    );
    const unknown = await retractFails({
      version: '4.1.0',
      distDir: bad.dir,
      regions: ['ap-south-1'],
    });
    expect((unknown.error as Error).message).toMatch(/--regions.*ap-south-1/);
  });

  it('a dry run reads, prints the plan and changes nothing', async () => {
    await release('5.0.0', 'rt-dry');
    const bad = await release('5.1.0', 'rt-dry');
    const { result, text } = await retract({
      version: '5.1.0',
      distDir: bad.dir,
      delete: true,
      ssmPrefix: '/rt-dry',
      dryRun: true,
    });
    const layers = (await layersOf(bad)).layers;
    const arn = split(layers['us-east-1'].arm64);
    expect(result.plan).toEqual(
      expect.arrayContaining([
        `us-east-1 lambda:RemoveLayerVersionPermission ${JSON.stringify({ ...arn, StatementId: 'lsr-public' })}`,
        `us-east-1 lambda:DeleteLayerVersion ${JSON.stringify(arn)}`,
        expect.stringMatching(
          /^us-east-1 ssm:PutParameter .*"Name":"\/rt-dry\/arm64\/retracted\/5\.1\.0"/,
        ),
        expect.stringMatching(/^eu-west-1 ssm:PutParameter .*"Name":"\/rt-dry\/amd64\/latest"/),
      ]),
    );
    expect(text).toMatch(/Dry run: the writes it would make/);
    expect(result.layers.every((row) => row.status === 'planned')).toBe(true);
    for (const [, , layer] of arnsOf(layers)) {
      expect(await statementIds(layer)).toEqual(['lsr-public']);
      expect(await exists(layer)).toBe(true);
    }
    expect(await parameter('us-east-1', '/rt-dry/arm64/latest')).toBe(layers['us-east-1'].arm64);
    expect((await layersOf(bad)).retracted).toBeUndefined();
  });

  describe('with the GitHub release', () => {
    let github: GitHubServer;
    beforeEach(async () => {
      github = await GitHubServer.start();
    });
    afterEach(async () => {
      await github.close();
    });
    /** The release of `tag` on the stand-in, as retract is given it. */
    const targetFor = (tag: string): GitHubTarget => ({
      token: github.token,
      repository: { owner: github.owner, repo: github.repo },
      tag,
      apiUrl: github.apiUrl,
      tuning: FAST,
    });

    it("reads layers.json from the release's asset and marks the release: title, notes, layers.json; twice is once", async () => {
      await release('6.0.0', 'rt-github');
      const bad = await release('6.1.0', 'rt-github');
      const published = await readFile(join(bad.dir, LAYERS_JSON));
      const seeded = github.seedRelease({
        tag: 'v6.1.0',
        assets: [{ name: LAYERS_JSON, content: published, contentType: 'application/json' }],
      });
      seeded.body = 'Faster start.';
      const target = targetFor('v6.1.0');
      const options = {
        version: '6.1.0',
        reason: 'breaks handlers that read stdin twice',
        ssmPrefix: '/rt-github',
        github: target,
      };
      const first = await retract(options);
      expect(first.result.release).toEqual({ tag: 'v6.1.0', title: 'changed', asset: 'replaced' });
      expect(first.text).toMatch(/v6\.1\.0 is the repository's "Latest" release on GitHub/);
      const stored = github.releasesForTag('v6.1.0')[0];
      expect(stored.name).toBe(`${TITLE_PREFIX}v6.1.0`);
      expect(stored.body).toMatch(/\*\*Retracted\*\*: breaks handlers that read stdin twice/);
      expect(stored.body).toMatch(/Faster start\.\n$/);
      const asset = stored.assets.find((candidate) => candidate.name === LAYERS_JSON)!;
      const marked = JSON.parse(asset.bytes.toString()) as { retracted: unknown; layers: unknown };
      expect(marked.retracted).toMatchObject({
        reason: 'breaks handlers that read stdin twice',
        deleted: false,
        regions: ['eu-west-1', 'us-east-1'],
      });
      expect(marked.layers).toEqual(JSON.parse(published.toString()).layers);
      for (const [, , arn] of arnsOf((await layersOf(bad)).layers))
        expect(await statementIds(arn)).toEqual([]);

      const writes = () => github.requests.filter((request) => request.method !== 'GET').length;
      const before = writes();
      const second = await retract(options);
      expect(second.result.release).toEqual({
        tag: 'v6.1.0',
        title: 'unchanged',
        asset: 'unchanged',
      });
      expect(writes()).toBe(before);
      expect(github.releasesForTag('v6.1.0')[0].body?.match(/Retracted/g)).toHaveLength(1);

      // Every answer the stand-in gave on the way holds to GitHub's description.
      const checked = checkAnswers(github.requests);
      expect(checked.filter((check) => check.errors.length > 0)).toEqual([]);
      expect(new Set(checked.map((check) => check.operation))).toEqual(
        new Set([
          'GET /repos/{owner}/{repo}/releases/tags/{tag} 200',
          'GET /repos/{owner}/{repo}/releases 200',
          'PATCH /repos/{owner}/{repo}/releases/{release_id} 200',
          'GET /repos/{owner}/{repo}/releases/latest 200',
          'GET /repos/{owner}/{repo}/releases/{release_id}/assets 200',
          'POST /repos/{owner}/{repo}/releases/{release_id}/assets 201',
        ]),
      );
    });

    it('with --dist-dir, a release that does not exist is no reason to stop; without, it is', async () => {
      const bad = await release('9.0.0', 'rt-norelease');
      const target = targetFor('v9.0.0');
      const without = await retractFails({ version: '9.0.0', github: target });
      expect((without.error as Error).message).toMatch(
        /no release v9\.0\.0 in octo-org\/lambda-shell-runtime to read layers\.json from: give the dist folder \(dist-dir\)/,
      );
      const layers = (await layersOf(bad)).layers;
      for (const [, , arn] of arnsOf(layers))
        expect(await statementIds(arn)).toEqual(['lsr-public']);
      const withDist = await retract({ version: '9.0.0', distDir: bad.dir, github: target });
      expect(withDist.text).toMatch(/the GitHub release v9\.0\.0 is not marked: there is none/);
      for (const [, , arn] of arnsOf(layers)) expect(await statementIds(arn)).toEqual([]);
    });

    it("the reuse guard also reads later releases' layers.json (without SSM)", async () => {
      const first = await release('10.0.0', 'rt-ghreuse');
      const reused = await release('10.0.1', 'rt-ghreuse', '10.0.0');
      for (const [tag, dist] of [
        ['v10.0.0', first],
        ['v10.0.1', reused],
      ] as const)
        github.seedRelease({
          tag,
          assets: [{ name: LAYERS_JSON, content: await readFile(join(dist.dir, LAYERS_JSON)) }],
        });
      const { error } = await retractFails({ version: '10.0.0', github: targetFor('v10.0.0') });
      expect((error as Error).message).toMatch(
        /nothing was retracted: \S+:rt-ghreuse-arm64:1 \(us-east-1 arm64\) is the layer of 10\.0\.0 and of 10\.0\.1/,
      );
      for (const [, , arn] of arnsOf((await layersOf(first)).layers))
        expect(await statementIds(arn)).toEqual(['lsr-public']);
      expect(github.releasesForTag('v10.0.0')[0].name).toBe('v10.0.0');
    });

    it('an immutable release gets its title and notes; its assets stay', async () => {
      const bad = await release('7.0.0', 'rt-immutable');
      github.seedRelease({
        tag: 'v7.0.0',
        immutable: true,
        assets: [{ name: LAYERS_JSON, content: await readFile(join(bad.dir, LAYERS_JSON)) }],
      });
      const { result, text } = await retract({
        version: '7.0.0',
        github: targetFor('v7.0.0'),
      });
      expect(result.release).toMatchObject({ title: 'changed', asset: 'immutable' });
      expect(text).toMatch(/immutable: its layers.json asset stays as published/);
      expect(github.releasesForTag('v7.0.0')[0].name).toBe(`${TITLE_PREFIX}v7.0.0`);
    });

    it('the CLI: layers.json from the release, the token from GITHUB_TOKEN, each layer as JSON on stdout', async () => {
      const bad = await release('8.0.0', 'rt-cli');
      github.seedRelease({
        tag: 'v8.0.0',
        assets: [{ name: LAYERS_JSON, content: await readFile(join(bad.dir, LAYERS_JSON)) }],
      });
      process.env.GITHUB_TOKEN = github.token;
      process.env.GITHUB_API_URL = github.apiUrl;
      try {
        const out = await captureWrites(process.stdout, () =>
          quiet(() =>
            runCli(
              [
                'retract',
                '--version',
                '8.0.0',
                '--repository',
                `${github.owner}/${github.repo}`,
                '--prefix',
                '/rt-cli',
                '--reason',
                'bad',
              ],
              { github: { msPerSecond: 10, paceWrites: false }, aws: FAST_AWS },
            ),
          ),
        );
        expect(out.result?.result).toBe(0);
        const rows = JSON.parse(out.text) as { status: string }[];
        expect(rows.map((row) => row.status)).toEqual([
          'retracted',
          'retracted',
          'retracted',
          'retracted',
        ]);
        expect(github.releasesForTag('v8.0.0')[0].name).toBe(`${TITLE_PREFIX}v8.0.0`);
      } finally {
        delete process.env.GITHUB_TOKEN;
        delete process.env.GITHUB_API_URL;
      }
      const missing = await quiet(() => runCli(['retract', '--version', '8.0.0']));
      expect(missing.result).toBe(2);
      expect(missing.text).toMatch(/--dist-dir.*or --repository/);
    });
  });
});
