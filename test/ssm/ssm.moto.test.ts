import { DescribeParametersCommand, GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli.js';
import type { LayersDocument } from '../../src/dist.js';
import { awsSsmApi } from '../../src/aws/ssm-api.js';
import { SsmError, writeParameters, type SsmOptions } from '../../src/ssm/index.js';
import { captureRejection, captureWrites } from '../helpers/capture.js';
import { awsTestEnv, setEnv, startMoto, type MotoServer } from '../helpers/moto.js';

// The ssm step against moto's SSM over HTTP: parameters written, read back, written again.
const REGIONS = ['us-east-1', 'eu-west-1'];
let moto: MotoServer;
let restore: () => void;
beforeAll(async () => {
  moto = await startMoto();
  restore = setEnv({ ...awsTestEnv(moto.endpoint), GITHUB_ACTIONS: undefined });
});
afterAll(async () => {
  restore();
  await moto.stop();
});

const ssm = (region: string): SSMClient => new SSMClient({ region });
const arn = (region: string, arch: string, version: number): string =>
  `arn:aws:lambda:${region}:123456789012:layer:lambda-shell-runtime-${arch}:${version}`;
/** The layers of a release whose layer versions are number `n` everywhere. */
const layersAt = (n: number): LayersDocument['layers'] =>
  Object.fromEntries(
    REGIONS.map((region) => [
      region,
      { arm64: arn(region, 'arm64', n), amd64: arn(region, 'amd64', n) },
    ]),
  );

const writeOptions = (
  prefix: string,
  version: string,
  n: number,
  extra: Partial<SsmOptions> = {},
): SsmOptions => ({ layers: layersAt(n), version, prefix, regions: [], dryRun: false, ...extra });
const write = (...args: Parameters<typeof writeOptions>) =>
  captureWrites(process.stderr, () => writeParameters(writeOptions(...args)));
const writeFailure = (...args: Parameters<typeof writeOptions>) =>
  captureRejection(process.stderr, () => writeParameters(writeOptions(...args)));

async function value(region: string, name: string): Promise<{ value?: string; version?: number }> {
  try {
    const { Parameter } = await ssm(region).send(new GetParameterCommand({ Name: name }));
    return { value: Parameter?.Value, version: Parameter?.Version };
  } catch (error) {
    if ((error as Error).name === 'ParameterNotFound') return {};
    throw error;
  }
}

describe('ssm parameters against moto', () => {
  it('writes <prefix>/<arch>/<version> and latest in every region: String, the region’s ARN, a description', async () => {
    const { result, text } = await write('/lsr-first', '1.2.0', 3);
    expect(result!.parameters.map((row) => [row.region, row.name, row.status])).toEqual(
      REGIONS.flatMap((region) =>
        ['arm64', 'amd64'].flatMap((arch) => [
          [region, `/lsr-first/${arch}/1.2.0`, 'created'],
          [region, `/lsr-first/${arch}/latest`, 'created'],
        ]),
      ),
    );
    for (const region of REGIONS) {
      expect(await value(region, '/lsr-first/arm64/latest')).toEqual({
        value: arn(region, 'arm64', 3),
        version: 1,
      });
      expect((await value(region, '/lsr-first/amd64/1.2.0')).value).toBe(arn(region, 'amd64', 3));
      const { Parameters } = await ssm(region).send(
        new DescribeParametersCommand({
          ParameterFilters: [{ Key: 'Name', Values: ['/lsr-first/arm64/1.2.0'] }],
        }),
      );
      expect(Parameters?.[0]).toMatchObject({
        Type: 'String',
        Description: `lambda-shell-runtime 1.2.0 layer version ARN (arm64, ${region})`,
      });
    }
    expect(text).toMatch(/region\s+parameter\s+value\s+outcome/);
    expect(text).toMatch(
      /eu-west-1\s+\/lsr-first\/amd64\/latest\s+arn:aws:lambda:eu-west-1:\S+:3\s+created/,
    );
  });

  it('changes nothing on a re-run: no write, the parameters keep their version 1', async () => {
    await write('/lsr-rerun', '1.2.0', 3);
    const { result } = await write('/lsr-rerun', '1.2.0', 3);
    expect(result!.parameters.every((row) => row.status === 'unchanged')).toBe(true);
    expect(await value('eu-west-1', '/lsr-rerun/arm64/latest')).toMatchObject({ version: 1 });
    expect(await value('eu-west-1', '/lsr-rerun/arm64/1.2.0')).toMatchObject({ version: 1 });
  });

  it('moves latest forward for a higher release, never back for a backport or to a prerelease', async () => {
    await write('/lsr-order', '1.2.0', 1);
    const newer = await write('/lsr-order', '1.3.0', 2);
    expect(
      newer
        .result!.parameters.filter((row) => row.name.endsWith('/latest'))
        .map((row) => row.status),
    ).toEqual(['updated', 'updated', 'updated', 'updated']);
    const backport = await write('/lsr-order', '1.2.1', 3);
    const latestRows = backport.result!.parameters.filter((row) => row.name.endsWith('/latest'));
    expect(latestRows.map((row) => [row.status, row.detail, row.value])).toEqual(
      REGIONS.flatMap((region) =>
        ['arm64', 'amd64'].map((arch) => [
          'kept',
          'kept at 1.3.0: 1.2.1 is a backport',
          arn(region, arch, 2),
        ]),
      ),
    );
    expect((await value('us-east-1', '/lsr-order/arm64/1.2.1')).value).toBe(
      arn('us-east-1', 'arm64', 3),
    );
    expect(await value('us-east-1', '/lsr-order/arm64/latest')).toEqual({
      value: arn('us-east-1', 'arm64', 2),
      version: 2,
    });

    const rc = await write('/lsr-order', '2.0.0-rc.1', 4);
    expect(
      rc.result!.parameters.find((row) => row.name === '/lsr-order/arm64/latest'),
    ).toMatchObject({
      status: 'kept',
      detail: '2.0.0-rc.1 is a prerelease: latest is for releases',
    });
    expect((await value('us-east-1', '/lsr-order/arm64/2.0.0-rc.1')).value).toBe(
      arn('us-east-1', 'arm64', 4),
    );

    // SSM names have no "+": build metadata's becomes "_"; 1.3.1+build.7 is a release above 1.3.0.
    const build = await write('/lsr-order', '1.3.1+build.7', 5);
    expect(
      build.result!.parameters.filter((row) => row.region === 'us-east-1' && row.arch === 'arm64'),
    ).toEqual([
      expect.objectContaining({ name: '/lsr-order/arm64/1.3.1_build.7', status: 'created' }),
      expect.objectContaining({ name: '/lsr-order/arm64/latest', status: 'updated' }),
    ]);
    // And a backport after it still sees 1.3.1+build.7 as the latest release.
    const late = await write('/lsr-order', '1.3.0', 2);
    expect(
      late.result!.parameters.find((row) => row.name === '/lsr-order/amd64/latest'),
    ).toMatchObject({
      status: 'kept',
      detail: 'kept at 1.3.1+build.7: 1.3.0 is a backport',
    });
  });

  it('a failing region fails the step after the others are written, each outcome shown', async () => {
    const { error, text } = await writeFailure('/lsr-partial', '1.0.0', 1, {
      api: (region) =>
        region === 'eu-west-1'
          ? {
              region,
              parameters: async () => {
                throw new Error('AccessDeniedException: ssm:GetParametersByPath');
              },
              put: async () => {},
            }
          : awsSsmApi(region),
    });
    expect(error).toBeInstanceOf(SsmError);
    expect((error as Error).message).toMatch(
      /^SSM parameters failed in eu-west-1:\n {2}eu-west-1 \/lsr-partial\/arm64\/1\.0\.0: AccessDeniedException/,
    );
    expect((await value('us-east-1', '/lsr-partial/amd64/latest')).value).toBe(
      arn('us-east-1', 'amd64', 1),
    );
    expect(text).toMatch(/us-east-1\s+\/lsr-partial\/arm64\/latest\s+\S+\s+created/);
    expect(text).toMatch(
      /eu-west-1\s+\/lsr-partial\/arm64\/latest\s+\S+\s+failed: AccessDeniedException/,
    );
  });

  it('a dry run plans the reads and writes and writes nothing', async () => {
    const { result } = await write('/lsr-dry', '1.0.0', 1, {
      dryRun: true,
      regions: ['us-east-1'],
    });
    expect(result!.plan).toEqual([
      'us-east-1 ssm:GetParametersByPath {"Path":"/lsr-dry/arm64","Recursive":false}',
      expect.stringMatching(
        /^us-east-1 ssm:PutParameter \{"Name":"\/lsr-dry\/arm64\/1\.0\.0","Value":"arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:1","Description":".*","Type":"String","DataType":"text","Overwrite":true\}$/,
      ),
      // The retract step's markers: a retracted release never becomes latest.
      'us-east-1 ssm:GetParametersByPath {"Path":"/lsr-dry/arm64/retracted","Recursive":false}',
      expect.stringMatching(/^us-east-1 ssm:PutParameter \{"Name":"\/lsr-dry\/arm64\/latest"/),
      'us-east-1 ssm:GetParametersByPath {"Path":"/lsr-dry/amd64","Recursive":false}',
      expect.stringMatching(/amd64\/1\.0\.0/),
      'us-east-1 ssm:GetParametersByPath {"Path":"/lsr-dry/amd64/retracted","Recursive":false}',
      expect.stringMatching(/amd64\/latest/),
    ]);
    expect(result!.parameters.every((row) => row.status === 'planned')).toBe(true);
    expect(await value('us-east-1', '/lsr-dry/arm64/latest')).toEqual({});
  });
});

describe('lambda-shell-runtime ssm', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ssm-cli-'));
    await writeFile(
      join(dir, 'layers.json'),
      JSON.stringify({ version: '3.0.0', layers: layersAt(9), sha256: {} }),
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('writes the parameters of layers.json and prints their outcomes as JSON', async () => {
    const { result, text } = await captureWrites(process.stdout, () =>
      captureWrites(process.stderr, () =>
        runCli(['ssm', '--dist-dir', dir, '--prefix', '/lsr-cli', '--regions', 'eu-west-1']),
      ),
    );
    expect(result!.result).toBe(0);
    const printed = JSON.parse(text) as { name: string; status: string }[];
    expect(printed.map((row) => `${row.name} ${row.status}`)).toEqual([
      '/lsr-cli/arm64/3.0.0 created',
      '/lsr-cli/arm64/latest created',
      '/lsr-cli/amd64/3.0.0 created',
      '/lsr-cli/amd64/latest created',
    ]);
    expect((await value('eu-west-1', '/lsr-cli/amd64/3.0.0')).value).toBe(
      arn('eu-west-1', 'amd64', 9),
    );
  });

  it.each([
    [['--prefix', 'lambda-shell-runtime'], /Invalid input "--prefix": "lambda-shell-runtime"/],
    [['--prefix', '/aws/service/x'], /not under \/aws or \/ssm/],
    [['--prefix', '/lsr/'], /no trailing \//],
    [['--regions', 'mars-1'], /Invalid input "--regions": "mars-1"/],
    [['--regions', 'sa-east-1'], /regions published in layers\.json \(us-east-1, eu-west-1\)/],
  ])('refuses %j with exit 2 before any call', async (args, message) => {
    const { result, text } = await captureWrites(process.stderr, () =>
      runCli(['ssm', '--dist-dir', dir, ...args]),
    );
    expect(result).toBe(2);
    expect(text).toMatch(message);
  });
});
