import {
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import { readFile } from 'node:fs/promises';
import { publishLayers, PublishError, type PublishOptions } from '../../src/publish/index.js';
import type { Fault, FaultRule } from '../helpers/fault-proxy.js';
import {
  captureStderr,
  captureStderrFailure,
  createBuckets,
  makeDist,
  publishOptions,
  useMotoBehindProxy,
} from './fixtures.js';

/**
 * The publish step against moto through a proxy that applies a write and then answers 500, or
 * drops the connection, or throttles. Whatever single fault it meets, a run leaves exactly one
 * version per region × architecture, and a second run converges to what one clean run gives.
 */
const REGIONS = ['us-east-1', 'eu-west-1'];
const ARCHES = ['arm64', 'amd64'] as const;

const suite = useMotoBehindProxy();

// Checks read moto directly, past the proxy: they are neither recorded nor faulted.
const checkers = new Map<string, LambdaClient>();
const lambda = (region: string): LambdaClient => {
  if (!checkers.has(region))
    checkers.set(region, new LambdaClient({ region, endpoint: suite.server.moto.endpoint }));
  return checkers.get(region)!;
};

const options = (overrides: Partial<PublishOptions>): PublishOptions =>
  publishOptions(suite.dist, { regions: REGIONS, ...overrides });

/** Every version of a layer family: number, description, CodeSha256 and statement ids. */
async function snapshot(pattern: string): Promise<unknown> {
  const versionsOf = async (region: string, layerName: string) => {
    let listed;
    try {
      listed = await lambda(region).send(new ListLayerVersionsCommand({ LayerName: layerName }));
    } catch {
      listed = { LayerVersions: [] };
    }
    const versions = await Promise.all(
      (listed.LayerVersions ?? []).map(async ({ Version }) => {
        const got = await lambda(region).send(
          new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: Version }),
        );
        let sids: string[] = [];
        try {
          const { Policy } = await lambda(region).send(
            new GetLayerVersionPolicyCommand({ LayerName: layerName, VersionNumber: Version }),
          );
          sids = (JSON.parse(Policy ?? '{}') as { Statement: { Sid: string }[] }).Statement.map(
            (statement) => statement.Sid,
          );
        } catch {
          // No policy: never shared.
        }
        return {
          version: Version,
          description: got.Description,
          codeSha256: got.Content?.CodeSha256,
          sids,
        };
      }),
    );
    return versions.sort((a, b) => a.version! - b.version!);
  };
  // Read in parallel (the checks are reads of moto, past the proxy), keyed in a fixed order.
  const keys = REGIONS.flatMap((region) => ARCHES.map((arch) => [region, arch] as const));
  const states = await Promise.all(
    keys.map(([region, arch]) => versionsOf(region, pattern.replace('{arch}', arch))),
  );
  return Object.fromEntries(
    keys.map(([region, arch], index) => [`${region} ${arch}`, states[index]]),
  );
}

/** What an earlier, unrelated release left: eu-west-1's arm64 layer starts at version 2. */
async function drift(pattern: string): Promise<void> {
  for (let index = 0; index < 2; index++) {
    await lambda('eu-west-1').send(
      new PublishLayerVersionCommand({
        LayerName: pattern.replace('{arch}', 'arm64'),
        Content: { ZipFile: Buffer.from(`older content ${index}`) },
      }),
    );
  }
}

const PUBLISH = { method: 'POST', path: /^\/2018-10-31\/layers\/[^/]+\/versions$/ };
const PERMISSION = { method: 'POST', path: /^\/2018-10-31\/layers\/[^/]+\/versions\/\d+\/policy$/ };
const PUBLISH_ARM64 = { method: 'POST', path: /^\/2018-10-31\/layers\/[^/]+-arm64\/versions$/ };
const PUT_ZIP = { method: 'PUT', path: /^\/lsr-faults-[^/]+\/lambda-shell-runtime\// };
const FAULTS: Fault[] = ['applied-500', 'applied-drop', 'throttle'];

interface Case {
  name: string;
  rule: Omit<FaultRule, 'fault'>;
  align: boolean;
  s3: boolean;
}
const faultCase = (name: string, rule: Case['rule'], { align = false, s3 = false } = {}): Case => ({
  name,
  rule,
  align,
  s3,
});
const CASES: Case[] = [
  faultCase('PublishLayerVersion', { ...PUBLISH, region: 'eu-west-1' }),
  // With --align-versions us-east-1 publishes fillers 1 and 2, then the real version 3. (A filler
  // published twice would do no harm: it is one of the fillers the region needs anyway.)
  faultCase(
    'a filler PublishLayerVersion',
    { ...PUBLISH_ARM64, region: 'us-east-1' },
    { align: true },
  ),
  faultCase(
    'the aligned PublishLayerVersion',
    { ...PUBLISH_ARM64, region: 'us-east-1', nth: 3 },
    { align: true },
  ),
  faultCase('PublishLayerVersion through S3', { ...PUBLISH, region: 'eu-west-1' }, { s3: true }),
  faultCase('AddLayerVersionPermission', { ...PERMISSION, region: 'eu-west-1' }),
  faultCase(
    'AddLayerVersionPermission when aligning',
    { ...PERMISSION, region: 'eu-west-1' },
    { align: true },
  ),
  // Reads are retried by the SDK: nothing to look for.
  faultCase('ListLayerVersions', { method: 'GET', path: /\/versions$/, region: 'eu-west-1' }),
  faultCase(
    'GetLayerVersion when aligning',
    { method: 'GET', path: /\/versions\/\d+$/, region: 'eu-west-1' },
    { align: true },
  ),
  // PutObject to a fixed key is idempotent: the SDK's own retry is safe.
  faultCase('S3 PutObject', { ...PUT_ZIP, region: 'eu-west-1' }, { s3: true }),
];

const cleanRuns = new Map<string, unknown>();
let family = 0;

/** The state one clean run gives for this configuration, on a family of its own. */
async function cleanState(testCase: Case): Promise<unknown> {
  const key = `${testCase.align} ${testCase.s3}`;
  if (!cleanRuns.has(key)) {
    const pattern = `lsr-clean-${cleanRuns.size}-{arch}`;
    if (testCase.align) await drift(pattern);
    await publishLayers(
      options({
        layerNamePattern: pattern,
        alignVersions: testCase.align,
        s3Bucket: testCase.s3 ? 'lsr-faults-{region}' : undefined,
      }),
    );
    cleanRuns.set(key, await snapshot(pattern));
  }
  return cleanRuns.get(key);
}

beforeAll(() =>
  createBuckets(suite.server.moto.endpoint, REGIONS, (region) => `lsr-faults-${region}`),
);
beforeEach(() => suite.server.proxy.reset());

describe('publishLayers when a write is applied but its answer is lost', () => {
  describe.each(CASES)('$name', (testCase) => {
    it.each(FAULTS)(
      'after %s: one version per region × arch, and a re-run converges to a clean run',
      async (fault) => {
        const expected = await cleanState(testCase);
        const pattern = `lsr-fault-${family++}-{arch}`;
        if (testCase.align) await drift(pattern);
        const run = () =>
          publishLayers(
            options({
              layerNamePattern: pattern,
              alignVersions: testCase.align,
              s3Bucket: testCase.s3 ? 'lsr-faults-{region}' : undefined,
            }),
          );
        suite.server.proxy.inject({ ...testCase.rule, fault });
        const { result } = await captureStderr(run);
        // The fault was met: a test whose rule matched nothing would prove nothing.
        expect(suite.server.proxy.applied).toEqual([fault]);
        expect(await snapshot(pattern)).toEqual(expected);
        expect(result!.layers).toHaveLength(REGIONS.length * ARCHES.length);

        const again = await run();
        expect(again.layers.every((layer) => layer.reused)).toBe(true);
        expect(again.arns).toEqual(result!.arns);
        expect(await snapshot(pattern)).toEqual(expected);
      },
    );
  });
});

describe('publishLayers when it cannot tell what a failed write created', () => {
  it('stops that layer instead of publishing again, records it, and a re-run converges to a clean run', async () => {
    const expected = await cleanState(faultCase('clean', PUBLISH));
    const pattern = 'lsr-unknown-{arch}';
    const proxy = suite.server.proxy;
    proxy.inject({ ...PUBLISH_ARM64, region: 'eu-west-1', fault: 'applied-500' });
    // The lookup lists 50 at a time (the first read lists 1): every lookup fails (a 500: the
    // SDK's backoff for throttling would make this test slow).
    proxy.inject({
      method: 'GET',
      path: /-arm64\/versions$/,
      query: /MaxItems=50/,
      region: 'eu-west-1',
      nth: 'every',
      fault: 'applied-500',
    });
    const { error } = await captureStderrFailure(() =>
      publishLayers(options({ layerNamePattern: pattern })),
    );
    expect(error).toBeInstanceOf(PublishError);
    const { result } = error as PublishError;
    expect(result.failed).toEqual([
      {
        region: 'eu-west-1',
        arch: 'arm64',
        layerName: 'lsr-unknown-arm64',
        error: expect.stringMatching(
          /^lambda:PublishLayerVersion in eu-west-1: HTTP 500 ServiceException .*; then looking for a lsr-unknown-arm64 version in eu-west-1 that attempt may have created failed too \(lambda:ListLayerVersions in eu-west-1: HTTP 500 ServiceException .*\): run again, it finds and keeps what exists$/,
        ),
      },
    ]);
    expect(result.layers).toHaveLength(3);
    // Published once (by the attempt whose answer was lost), never twice.
    expect(await snapshot(pattern)).toMatchObject({
      'eu-west-1 arm64': [{ version: 1, sids: [] }],
    });

    proxy.reset();
    await publishLayers(options({ layerNamePattern: pattern }));
    expect(await snapshot(pattern)).toEqual(expected);
  });
});

describe('publishLayers when a region keeps failing', () => {
  it('publishes the others, records every ARN and each failure with operation, region, status, code and request id, then a re-run converges', async () => {
    const pattern = 'lsr-partial-{arch}';
    suite.server.proxy.inject({ ...PUBLISH, region: 'eu-west-1', nth: 'every', fault: 'throttle' });
    const { error, text } = await captureStderrFailure(() =>
      publishLayers(options({ layerNamePattern: pattern })),
    );
    expect(error).toBeInstanceOf(PublishError);
    const failure = error as PublishError;
    expect(failure.message).toMatch(/^publishing failed in eu-west-1:/);
    const document = JSON.parse(await readFile(failure.result.layersJson, 'utf8'));
    expect(document.layers).toEqual({
      'us-east-1': {
        arm64: 'arn:aws:lambda:us-east-1:123456789012:layer:lsr-partial-arm64:1',
        amd64: 'arn:aws:lambda:us-east-1:123456789012:layer:lsr-partial-amd64:1',
      },
    });
    expect(document.failed).toEqual(
      ARCHES.map((arch) => ({
        region: 'eu-west-1',
        arch,
        layerName: `lsr-partial-${arch}`,
        error: expect.stringMatching(
          /^lambda:PublishLayerVersion in eu-west-1: HTTP 429 TooManyRequestsException \(request id [0-9a-f-]{36}\): injected fault$/,
        ),
      })),
    );
    expect(failure.result.arns).toEqual(document.layers);
    expect(text).toMatch(
      /eu-west-1\s+arm64\s+lsr-partial-arm64\s+-\s+failed: lambda:PublishLayerVersion/,
    );
    // Throttled requests never reached moto: nothing exists there.
    expect(await snapshot(pattern)).toMatchObject({ 'eu-west-1 arm64': [], 'eu-west-1 amd64': [] });

    suite.server.proxy.reset();
    const again = await publishLayers(options({ layerNamePattern: pattern }));
    expect(again.failed).toEqual([]);
    expect(
      again.layers.map((layer) => [layer.region, layer.arch, layer.version, layer.reused]),
    ).toEqual([
      ['us-east-1', 'arm64', 1, true],
      ['us-east-1', 'amd64', 1, true],
      ['eu-west-1', 'arm64', 1, false],
      ['eu-west-1', 'amd64', 1, false],
    ]);
  });
});

describe('publishLayers across releases', () => {
  it('publishes a changed zip as a new version without version alignment, and labels a reused one with the release that published it', async () => {
    const pattern = 'lsr-releases-{arch}';
    await publishLayers(options({ layerNamePattern: pattern }));
    const changed = await makeDist('1.2.4');
    const unchanged = await makeDist('1.2.5', { contentOf: '1.2.4' });
    try {
      const second = await publishLayers(
        publishOptions(changed, { regions: REGIONS, layerNamePattern: pattern, version: '1.2.4' }),
      );
      expect(second.layers.map((layer) => [layer.version, layer.reused])).toEqual(
        REGIONS.flatMap(() => ARCHES.map(() => [2, false])),
      );
      expect(second.arns['eu-west-1'].arm64).toMatch(/:layer:lsr-releases-arm64:2$/);

      const { result, text } = await captureStderr(() =>
        publishLayers(
          publishOptions(unchanged, {
            regions: REGIONS,
            layerNamePattern: pattern,
            version: '1.2.5',
          }),
        ),
      );
      expect(result!.layers.every((layer) => layer.reused && layer.version === 2)).toBe(true);
      expect(result!.layers.map((layer) => layer.firstPublishedBy)).toEqual(
        REGIONS.flatMap(() => ARCHES.map(() => '1.2.4')),
      );
      expect(text).toMatch(
        /us-east-1\s+arm64\s+lsr-releases-arm64\s+2\s+reused: reused version 2, from 1\.2\.4/,
      );
      const document = JSON.parse(await readFile(result!.layersJson, 'utf8'));
      expect(document.versions[0]).toEqual({
        region: 'us-east-1',
        arch: 'arm64',
        layerName: 'lsr-releases-arm64',
        version: 2,
        arn: 'arn:aws:lambda:us-east-1:123456789012:layer:lsr-releases-arm64:2',
        outcome: 'reused',
        firstPublishedBy: '1.2.4',
      });
    } finally {
      await changed.remove();
      await unchanged.remove();
    }
  });
});
