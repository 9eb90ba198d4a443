import {
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  DeleteLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { publishLayers, PublishError, type PublishOptions } from '../../src/publish/index.js';
import { startMoto } from '../helpers/moto.js';
import {
  captureStderr,
  captureStderrFailure,
  createBuckets,
  publishOptions,
  useAwsSuite,
} from './fixtures.js';

// Lambda and S3 for real, against moto: 3 regions × 2 architectures.
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const suite = useAwsSuite({ start: startMoto, stop: (moto) => moto.stop() });

const lambda = (region: string): LambdaClient => new LambdaClient({ region });

const options = (overrides: Partial<PublishOptions>): PublishOptions =>
  publishOptions(suite.dist, { regions: REGIONS, layerNamePattern: 'lsr-{arch}', ...overrides });

async function statements(region: string, layerName: string, version: number): Promise<unknown[]> {
  try {
    const { Policy } = await lambda(region).send(
      new GetLayerVersionPolicyCommand({ LayerName: layerName, VersionNumber: version }),
    );
    return (JSON.parse(Policy ?? '{}') as { Statement: unknown[] }).Statement;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return [];
    throw error;
  }
}

async function versionNumbers(region: string, layerName: string): Promise<number[]> {
  const { LayerVersions } = await lambda(region).send(
    new ListLayerVersionsCommand({ LayerName: layerName }),
  );
  return (LayerVersions ?? []).map((version) => version.Version!).sort((a, b) => a - b);
}

/** Publishes other content n times, so a region starts at version n. */
async function publishOther(region: string, layerName: string, times: number): Promise<void> {
  for (let index = 0; index < times; index++) {
    await lambda(region).send(
      new PublishLayerVersionCommand({
        LayerName: layerName,
        Content: { ZipFile: Buffer.from(`not the layer ${index}`) },
      }),
    );
  }
}

describe('publishLayers against moto', () => {
  it('publishes every region × architecture with runtimes, architectures, license, description and a public policy', async () => {
    const { result, text } = await captureStderr(() =>
      publishLayers(options({ layerNamePattern: 'lsr-public-{arch}' })),
    );
    expect(result!.layers).toHaveLength(6);
    for (const region of REGIONS) {
      for (const [arch, lambdaArch] of [
        ['arm64', 'arm64'],
        ['amd64', 'x86_64'],
      ] as const) {
        const layerName = `lsr-public-${arch}`;
        const got = await lambda(region).send(
          new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: 1 }),
        );
        const zip = suite.dist.zips.find((candidate) => candidate.arch === arch)!;
        expect(got.Content?.CodeSha256).toBe(zip.codeSha256);
        expect(got.CompatibleRuntimes).toEqual(['provided.al2023']);
        expect(got.CompatibleArchitectures).toEqual([lambdaArch]);
        expect(got.LicenseInfo).toBe('Apache-2.0');
        expect(got.Description).toBe(`lambda-shell-runtime 1.2.3 (${arch})`);
        expect(result!.arns[region][arch]).toBe(got.LayerVersionArn);
        expect(got.LayerVersionArn).toContain(`:${region}:`);
        expect(await statements(region, layerName, 1)).toEqual([
          expect.objectContaining({
            Sid: 'lsr-public',
            Principal: '*',
            Action: 'lambda:GetLayerVersion',
          }),
        ]);
      }
    }
    const layersJson = JSON.parse(await readFile(result!.layersJson, 'utf8'));
    expect(layersJson).toEqual({
      version: '1.2.3',
      layers: result!.arns,
      sha256: { arm64: suite.dist.zips[0].sha256, amd64: suite.dist.zips[1].sha256 },
      versions: REGIONS.flatMap((region) =>
        (['arm64', 'amd64'] as const).map((arch) => ({
          region,
          arch,
          layerName: `lsr-public-${arch}`,
          version: 1,
          arn: result!.arns[region][arch],
          outcome: 'published',
          firstPublishedBy: '1.2.3',
        })),
      ),
      failed: [],
    });
    expect(Object.keys(layersJson.layers)).toEqual(REGIONS);
    expect(text).toMatch(/region\s+arch\s+layer\s+version\s+outcome/);
    expect(text).toMatch(
      /ap-southeast-2\s+amd64\s+lsr-public-amd64\s+1\s+published: added lsr-public/,
    );
  });

  it('publishes nothing on a second run and adds no duplicate statement', async () => {
    const first = await publishLayers(options({ layerNamePattern: 'lsr-rerun-{arch}' }));
    const second = await publishLayers(options({ layerNamePattern: 'lsr-rerun-{arch}' }));
    expect(second.layers.every((layer) => layer.reused)).toBe(true);
    expect(second.arns).toEqual(first.arns);
    for (const region of REGIONS) {
      expect(await versionNumbers(region, 'lsr-rerun-arm64')).toEqual([1]);
      expect(await statements(region, 'lsr-rerun-arm64', 1)).toHaveLength(1);
    }
  });

  it('shares with accounts (one statement each) and with an organization', async () => {
    await publishLayers(
      options({
        layerNamePattern: 'lsr-accounts-{arch}',
        regions: ['us-east-1'],
        share: { kind: 'accounts', accounts: ['111111111111', '222222222222'] },
      }),
    );
    expect(await statements('us-east-1', 'lsr-accounts-arm64', 1)).toEqual([
      expect.objectContaining({ Sid: 'lsr-account-111111111111' }),
      expect.objectContaining({ Sid: 'lsr-account-222222222222' }),
    ]);
    const policy = JSON.stringify(await statements('us-east-1', 'lsr-accounts-arm64', 1));
    expect(policy).toContain('111111111111');
    expect(policy).toContain('222222222222');

    await publishLayers(
      options({
        layerNamePattern: 'lsr-org-{arch}',
        regions: ['eu-west-1'],
        share: { kind: 'organization', organizationId: 'o-abcdefghij' },
      }),
    );
    const [orgStatement] = (await statements('eu-west-1', 'lsr-org-amd64', 1)) as {
      Sid: string;
      Principal: string;
    }[];
    expect(orgStatement.Sid).toBe('lsr-org-o-abcdefghij');
    expect(orgStatement.Principal).toBe('*');
    // AWS turns OrganizationId into a PrincipalOrgID condition; moto keeps the field as sent.
    expect(JSON.stringify(orgStatement)).toContain('"o-abcdefghij"');

    await publishLayers(
      options({
        layerNamePattern: 'lsr-private-{arch}',
        regions: ['eu-west-1'],
        share: { kind: 'none' },
      }),
    );
    expect(await statements('eu-west-1', 'lsr-private-arm64', 1)).toEqual([]);
  });

  it('publishes through a bucket per region when one is given', async () => {
    await createBuckets(suite.server.endpoint, REGIONS, (region) => `lsr-layers-${region}`);
    const result = await publishLayers(
      options({ layerNamePattern: 'lsr-s3-{arch}', s3Bucket: 'lsr-layers-{region}' }),
    );
    for (const region of REGIONS) {
      const head = await new S3Client({ region, forcePathStyle: true }).send(
        new HeadObjectCommand({
          Bucket: `lsr-layers-${region}`,
          Key: 'lambda-shell-runtime/1.2.3/lambda-shell-runtime-arm64-1.2.3.zip',
        }),
      );
      expect(head.ContentLength).toBe(suite.dist.zips[0].size);
      const got = await lambda(region).send(
        new GetLayerVersionCommand({ LayerName: 'lsr-s3-arm64', VersionNumber: 1 }),
      );
      // moto stores an empty CodeSha256 for a missing object: this proves the upload reached it.
      expect(got.Content?.CodeSha256).toBe(suite.dist.zips[0].codeSha256);
    }
    expect(result.layers.map((layer) => layer.version)).toEqual([1, 1, 1, 1, 1, 1]);
  });

  it('aligns version numbers across regions that start at different numbers', async () => {
    // us-east-1 starts empty, eu-west-1 at 2, ap-southeast-2 at 4 (other content).
    await publishOther('eu-west-1', 'lsr-align-arm64', 2);
    await publishOther('ap-southeast-2', 'lsr-align-arm64', 4);
    await publishOther('ap-southeast-2', 'lsr-align-amd64', 1);
    const result = await publishLayers(
      options({ layerNamePattern: 'lsr-align-{arch}', alignVersions: true }),
    );
    const byArch = (arch: string) =>
      result.layers.filter((layer) => layer.arch === arch).map((layer) => layer.version);
    expect(byArch('arm64')).toEqual([5, 5, 5]);
    expect(byArch('amd64')).toEqual([2, 2, 2]);
    for (const region of REGIONS) {
      expect(result.arns[region].arm64).toMatch(
        new RegExp(`:${region}:.*:layer:lsr-align-arm64:5$`),
      );
    }
    expect(await versionNumbers('us-east-1', 'lsr-align-arm64')).toEqual([1, 2, 3, 4, 5]);
    const filler = await lambda('us-east-1').send(
      new GetLayerVersionCommand({ LayerName: 'lsr-align-arm64', VersionNumber: 1 }),
    );
    expect(filler.Description).toMatch(/filler to align version numbers.*use version 5/);
    expect(filler.Content?.CodeSha256).toBe(suite.dist.zips[0].codeSha256);
    // Fillers are never shared; the real version is.
    expect(await statements('us-east-1', 'lsr-align-arm64', 1)).toEqual([]);
    expect(await statements('us-east-1', 'lsr-align-arm64', 5)).toHaveLength(1);

    // Aligned and holding the zip everywhere: a re-run publishes nothing.
    const again = await publishLayers(
      options({ layerNamePattern: 'lsr-align-{arch}', alignVersions: true }),
    );
    expect(again.layers.every((layer) => layer.reused)).toBe(true);
    expect(again.arns).toEqual(result.arns);
  });

  it('republishes a region that holds the zip at a lower number when aligning', async () => {
    await publishLayers(options({ layerNamePattern: 'lsr-behind-{arch}', regions: ['us-east-1'] }));
    await publishOther('eu-west-1', 'lsr-behind-arm64', 2);
    const result = await publishLayers(
      options({
        layerNamePattern: 'lsr-behind-{arch}',
        regions: ['us-east-1', 'eu-west-1'],
        alignVersions: true,
      }),
    );
    const arm = result.layers.filter((layer) => layer.arch === 'arm64');
    expect(arm.map((layer) => [layer.region, layer.version, layer.reused])).toEqual([
      ['us-east-1', 3, false],
      ['eu-west-1', 3, false],
    ]);
  });

  it('fails a region that overshoots the target (deleted numbers are skipped) and aligns on the next run', async () => {
    await publishOther('eu-west-1', 'lsr-gap-arm64', 3);
    await lambda('eu-west-1').send(
      new DeleteLayerVersionCommand({ LayerName: 'lsr-gap-arm64', VersionNumber: 3 }),
    );
    await publishOther('us-east-1', 'lsr-gap-arm64', 2);
    // eu-west-1 lists 2 as newest but its next number is 4; the target is 3.
    const regions = ['us-east-1', 'eu-west-1'];
    const { error } = await captureStderrFailure(() =>
      publishLayers(options({ layerNamePattern: 'lsr-gap-{arch}', regions, alignVersions: true })),
    );
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toMatch(
      /eu-west-1 arm64: lsr-gap-arm64 reached version 4 instead of 3/,
    );
    const next = await publishLayers(
      options({ layerNamePattern: 'lsr-gap-{arch}', regions, alignVersions: true }),
    );
    const arm = next.layers.filter((layer) => layer.arch === 'arm64');
    expect(arm.map((layer) => layer.version)).toEqual([4, 4]);
  });

  it('reports every region when one fails, then throws naming the failed region', async () => {
    // Only two of the three regions have their bucket: the third fails at the upload.
    await createBuckets(
      suite.server.endpoint,
      ['us-east-1', 'eu-west-1'],
      (region) => `lsr-partial-${region}`,
    );
    const { error, text } = await captureStderrFailure(() =>
      publishLayers(
        options({ layerNamePattern: 'lsr-partial-{arch}', s3Bucket: 'lsr-partial-{region}' }),
      ),
    );
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toMatch(/^publishing failed in ap-southeast-2:/);
    expect((error as PublishError).failures.map((failure) => failure.arch)).toEqual([
      'arm64',
      'amd64',
    ]);
    expect(text).toMatch(/us-east-1\s+arm64\s+lsr-partial-arm64\s+1\s+published/);
    expect(text).toMatch(/eu-west-1\s+amd64\s+lsr-partial-amd64\s+1\s+published/);
    expect(text).toMatch(/ap-southeast-2\s+arm64\s+lsr-partial-arm64\s+-\s+failed: /);
    expect(await versionNumbers('eu-west-1', 'lsr-partial-amd64')).toEqual([1]);
  });
});
