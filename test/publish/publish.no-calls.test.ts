import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OptionValues } from '../../src/commands/command.js';
import { publishCommand } from '../../src/commands/publish.js';
import { InputError } from '../../src/errors.js';
import { publishLayers, type PublishOptions } from '../../src/publish/index.js';
import {
  captureStderr,
  captureStderrFailure,
  makeDist,
  publishOptions,
  startCountingServer,
  useAwsSuite,
} from './fixtures.js';

// Every AWS call would reach the counting server: these tests prove none is made.
const suite = useAwsSuite({ start: startCountingServer, stop: (server) => server.close() });

const options = (overrides: Partial<PublishOptions>): PublishOptions =>
  publishOptions(suite.dist, overrides);

/** The publish command's flags for the suite's dist, with some replaced. */
const flags = (overrides: Record<string, string>): OptionValues => ({
  dist: suite.dist.dir,
  version: '1.2.3',
  regions: 'us-east-1,eu-west-1',
  share: 'public',
  ...overrides,
});

describe('lambda-shell-runtime publish refuses bad input before any call', () => {
  it.each<[string, Record<string, string>, RegExp]>([
    ['a bad region', { regions: 'us-east-1,mars-north-1' }, /"regions": "mars-north-1"/],
    ['a region the SDK does not know', { regions: 'us-east-10' }, /"regions": "us-east-10"/],
    ['a region code with a zero', { regions: 'eu-west-0' }, /"regions": "eu-west-0"/],
    ['a region with a suffix', { regions: 'us-east-1x' }, /"regions": "us-east-1x"/],
    [
      'regions of two partitions',
      { regions: 'us-east-1,us-gov-west-1' },
      /"regions".*one AWS partition per run/,
    ],
    ['an 11-digit account id', { share: '12345678901' }, /"share": "12345678901"/],
    ['a 13-digit account id', { share: '1234567890123' }, /"share": "1234567890123"/],
    ['no region', { regions: '' }, /"regions": "" is not allowed; expected one or more AWS region/],
    ['a bad account id in share', { share: '12345' }, /"share": "12345"/],
    ['a bad organization id', { share: 'org-1' }, /"share": "org-1"/],
    ['a layer name without {arch}', { 'layer-name': 'my-layer' }, /"layer-name"/],
    ['a bad bucket', { 's3-bucket': 'Bad_Bucket' }, /"s3-bucket"/],
    ['a version that is not semver', { version: '1.2' }, /"version": "1.2"/],
    ['a concurrency of 0', { concurrency: '0' }, /"concurrency": "0"/],
  ])('rejects %s', async (_name, overrides, message) => {
    const error = await publishCommand.run(flags(overrides), []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect(suite.server.requests()).toBe(0);
  });

  it('refuses a version the dist folder has no zips of', async () => {
    await expect(publishCommand.run(flags({ version: '2.0.0' }), [])).rejects.toThrow(
      /no lambda-shell-runtime-<arch>-2\.0\.0\.zip in /,
    );
    expect(suite.server.requests()).toBe(0);
  });
});

describe('publishLayers checks the zips before any call', () => {
  it('asks for a bucket when a zip is over the 50 MB direct upload limit', async () => {
    const big = { ...suite.dist.zips[0], size: 50 * 1024 * 1024 + 1 };
    await expect(publishLayers(options({ zips: [big, suite.dist.zips[1]] }))).rejects.toThrow(
      /"s3-bucket".*lambda-shell-runtime-arm64-1.2.3.zip is 52428801 bytes, over Lambda's 50 MB/,
    );
    expect(suite.server.requests()).toBe(0);
  });

  it('refuses zips from the local builder unless told to publish them anyway', async () => {
    const local = await makeDist('1.2.3', { releasable: false });
    try {
      await expect(
        publishLayers(options({ zips: local.zips, distDir: local.dir })),
      ).rejects.toThrow(/"dist-dir".*local builder.*Rebuild with the docker builder$/);
      expect(suite.server.requests()).toBe(0);
      // The override passes validation: the first call then reaches the (failing) suite.server.
      const { error } = await captureStderrFailure(() =>
        publishLayers(
          options({
            zips: local.zips,
            distDir: local.dir,
            allowUnreleasable: true,
            regions: ['us-east-1'],
          }),
        ),
      );
      expect((error as Error).name).toBe('PublishError');
      expect(suite.server.requests()).toBeGreaterThan(0);
    } finally {
      await local.remove();
    }
  });
});

describe('publishLayers in a dry run', () => {
  it('returns the plan of every call and makes none', async () => {
    const before = suite.server.requests();
    const { result, text } = await captureStderr(() =>
      publishLayers(
        options({
          dryRun: true,
          s3Bucket: 'layers-{region}',
          alignVersions: true,
          share: { kind: 'accounts', accounts: ['111111111111'] },
        }),
      ),
    );
    expect(suite.server.requests()).toBe(before);
    expect(result!.arns['eu-west-1']).toEqual({
      arm64: 'arn:aws:lambda:eu-west-1:<account>:layer:lambda-shell-runtime-arm64:1',
      amd64: 'arn:aws:lambda:eu-west-1:<account>:layer:lambda-shell-runtime-amd64:1',
    });
    // Its layers.json (placeholder ARNs) stays out of the dist folder.
    expect(result!.layersJson.startsWith(suite.dist.dir)).toBe(false);
    expect(JSON.parse(await readFile(result!.layersJson, 'utf8')).layers).toEqual(result!.arns);
    expect(existsSync(join(suite.dist.dir, 'layers.json'))).toBe(false);
    const plan = result!.plan;
    expect(plan.filter((line) => line.startsWith('us-east-1 '))).toEqual([
      'us-east-1 lambda:ListLayerVersions {"LayerName":"lambda-shell-runtime-arm64","MaxItems":1}',
      'us-east-1 s3:PutObject {"Bucket":"layers-us-east-1","Key":"lambda-shell-runtime/1.2.3/lambda-shell-runtime-arm64-1.2.3.zip","Body":"' +
        suite.dist.zips[0].path +
        '"}',
      'us-east-1 lambda:PublishLayerVersion {"LayerName":"lambda-shell-runtime-arm64","Description":"lambda-shell-runtime 1.2.3 (arm64)","CompatibleRuntimes":["provided.al2023"],"CompatibleArchitectures":["arm64"],"LicenseInfo":"Apache-2.0","Content":{"S3Bucket":"layers-us-east-1","S3Key":"lambda-shell-runtime/1.2.3/lambda-shell-runtime-arm64-1.2.3.zip"}}',
      'us-east-1 lambda:GetLayerVersionPolicy {"LayerName":"lambda-shell-runtime-arm64","VersionNumber":1}',
      'us-east-1 lambda:AddLayerVersionPermission {"LayerName":"lambda-shell-runtime-arm64","VersionNumber":1,"Action":"lambda:GetLayerVersion","StatementId":"lsr-account-111111111111","Principal":"111111111111"}',
      'us-east-1 lambda:ListLayerVersions {"LayerName":"lambda-shell-runtime-amd64","MaxItems":1}',
      expect.stringMatching(/^us-east-1 s3:PutObject .*amd64/),
      expect.stringMatching(
        /^us-east-1 lambda:PublishLayerVersion .*"CompatibleArchitectures":\["x86_64"\]/,
      ),
      expect.stringMatching(/^us-east-1 lambda:GetLayerVersionPolicy /),
      expect.stringMatching(/^us-east-1 lambda:AddLayerVersionPermission /),
    ]);
    expect(plan.filter((line) => line.startsWith('eu-west-1 '))).toHaveLength(10);
    expect(text).toContain('Dry run: the calls it would make');
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['eusc-de-east-1', 'aws-eusc'],
  ])('plans %s with its partition in the ARNs (%s)', async (region, partition) => {
    const { result } = await captureStderr(() =>
      publishLayers(options({ dryRun: true, regions: [region] })),
    );
    expect(result!.arns[region].arm64).toBe(
      `arn:${partition}:lambda:${region}:<account>:layer:lambda-shell-runtime-arm64:1`,
    );
  });

  it('says which regions are opt-in before publishing', async () => {
    const { text } = await captureStderr(() =>
      publishLayers(options({ dryRun: true, regions: ['us-east-1', 'af-south-1', 'me-south-1'] })),
    );
    expect(text).toContain(
      'opt-in regions (enabled in the account before use): af-south-1 (Africa (Cape Town)), me-south-1 (Middle East (Bahrain))',
    );
  });

  it('sends small zips directly when no bucket is given', async () => {
    const before = suite.server.requests();
    const { result } = await captureStderr(() =>
      publishLayers(options({ dryRun: true, regions: ['eu-west-1'] })),
    );
    expect(result!.plan[1]).toContain(
      `"Content":{"ZipFile":"<${suite.dist.zips[0].path}, ${suite.dist.zips[0].size} bytes>"}`,
    );
    expect(suite.server.requests()).toBe(before);
  });
});
