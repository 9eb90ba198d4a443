import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LayerZip } from '../../src/dist.js';
import type { PipelineResult } from '../../src/pipeline.js';
import { textSummary, writeJobSummary } from '../../src/summary.js';

const zip = (arch: 'arm64' | 'amd64', byte: string): LayerZip => ({
  arch,
  version: '1.2.3',
  fileName: `lambda-shell-runtime-${arch}-1.2.3.zip`,
  path: `/dist/lambda-shell-runtime-${arch}-1.2.3.zip`,
  size: 3 * 1024 * 1024,
  sha256: byte.repeat(32),
  codeSha256: '',
});

// A real run: us-east-1 reuses an older release's versions, eu-west-1 publishes, amd64 fails there.
const layer = (region: string, arch: 'arm64' | 'amd64', version: number, from: string) => ({
  region,
  arch,
  layerName: `lambda-shell-runtime-${arch}`,
  version,
  arn: `arn:aws:lambda:${region}:123456789012:layer:lambda-shell-runtime-${arch}:${version}`,
  reused: from !== '1.2.3',
  codeSha256: '',
  firstPublishedBy: from,
});
const partial: PipelineResult = {
  version: '1.2.3',
  dryRun: false,
  zips: [zip('arm64', 'ab'), zip('amd64', 'cd')],
  published: {
    layers: [
      layer('us-east-1', 'arm64', 1, '1.2.2'),
      layer('us-east-1', 'amd64', 1, '1.2.2'),
      layer('eu-west-1', 'arm64', 2, '1.2.3'),
    ],
    failed: [
      {
        region: 'eu-west-1',
        arch: 'amd64',
        layerName: 'lambda-shell-runtime-amd64',
        error: 'lambda:PublishLayerVersion in eu-west-1: HTTP 429 TooManyRequestsException',
      },
    ],
    arns: {
      'us-east-1': {
        arm64: layer('us-east-1', 'arm64', 1, '1.2.2').arn,
        amd64: layer('us-east-1', 'amd64', 1, '1.2.2').arn,
      },
      'eu-west-1': { arm64: layer('eu-west-1', 'arm64', 2, '1.2.3').arn },
    },
    layersJson: '/dist/layers.json',
    plan: [],
  },
  done: ['build', 'test'],
};

// What a dry run produces: ARNs and the SAR page with an `<account>` placeholder, and the plan.
const dryRun: PipelineResult = {
  version: '1.2.3',
  dryRun: true,
  plan: [
    'us-east-1 lambda:ListLayerVersions {"LayerName":"lambda-shell-runtime-arm64","MaxItems":1}',
  ],
  zips: [zip('arm64', 'ab'), zip('amd64', 'cd')],
  published: {
    arns: {
      'us-east-1': {
        arm64: 'arn:aws:lambda:us-east-1:<account>:layer:lambda-shell-runtime-arm64:1',
        amd64: 'arn:aws:lambda:us-east-1:<account>:layer:lambda-shell-runtime-amd64:1',
      },
      'eu-west-1': {
        arm64: 'arn:aws:lambda:eu-west-1:<account>:layer:lambda-shell-runtime-arm64:1',
        amd64: 'arn:aws:lambda:eu-west-1:<account>:layer:lambda-shell-runtime-amd64:1',
      },
    },
    layersJson: '/dist/layers.json',
  } as unknown as PipelineResult['published'],
  releaseUrl: 'https://github.com/o/r/releases/tag/v1.2.3',
  sar: {
    applicationId: 'arn:aws:serverlessrepo:us-east-1:<account>:applications/lambda-shell-runtime',
    url: 'https://serverlessrepo.aws.amazon.com/applications/us-east-1/<account>/lambda-shell-runtime',
  } as unknown as PipelineResult['sar'],
  done: ['build', 'test', 'release', 'publish', 'sar'],
};

describe('the job summary', () => {
  // core.summary caches the file's path at its first write: one file for the suite, emptied per test.
  let dir: string;
  const saved = process.env.GITHUB_STEP_SUMMARY;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'lsr-summary-'));
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary');
  });
  beforeEach(() => writeFileSync(join(dir, 'summary'), ''));
  afterAll(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('has one row per architecture × region with ARN, outcome, zip size and sha256, then the links', async () => {
    await writeJobSummary({ ...partial, releaseUrl: 'https://github.com/o/r/releases/tag/v1.2.3' });
    const html = readFileSync(join(dir, 'summary'), 'utf8');
    const rows = html.match(/<tr>.*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(1 + 4);
    expect(rows[0]).toContain('<th>Layer version ARN</th><th>Outcome</th>');
    expect(rows[1]).toBe(
      '<tr><td>arm64</td><td>us-east-1</td>' +
        '<td><code>arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:1</code></td>' +
        '<td>reused version 1, from 1.2.2</td>' +
        `<td>3.00 MiB</td><td><code>${'ab'.repeat(32)}</code></td></tr>`,
    );
    expect(rows[2]).toContain('<td>eu-west-1</td>');
    expect(rows[2]).toContain('<td>published version 2</td>');
    expect(rows[4]).toContain(
      '<td>failed: lambda:PublishLayerVersion in eu-west-1: HTTP 429 TooManyRequestsException</td>',
    );
    expect(html).toContain(
      '<p>GitHub release: <a href="https://github.com/o/r/releases/tag/v1.2.3">https://github.com/o/r/releases/tag/v1.2.3</a></p>',
    );
  });

  it('shows a dry run as one: no ARN, no link, the plan instead', async () => {
    await writeJobSummary(dryRun);
    const html = readFileSync(join(dir, 'summary'), 'utf8');
    expect(html).toContain('lambda-shell-runtime 1.2.3 (dry run: nothing was published)');
    expect(html).not.toContain('arn:aws:lambda');
    expect(html).not.toContain('serverlessrepo.aws.amazon.com');
    expect(html).not.toContain('<a href');
    expect(html).toContain('dry run: nothing published');
    expect(html).toContain(
      '<pre>us-east-1 lambda:ListLayerVersions {&quot;LayerName&quot;:&quot;lambda-shell-runtime-arm64&quot;,&quot;MaxItems&quot;:1}</pre>',
    );
    // Rendered as HTML, a raw `<account>` would be dropped as an unknown tag.
    expect(html).not.toContain('<account>');
  });

  it('says the same in the CLI text', () => {
    const text = textSummary(partial);
    expect(text).toMatch(/arm64 +us-east-1 .*:1 +reused version 1, from 1\.2\.2/);
    expect(text).toMatch(/amd64 +eu-west-1 .* - +failed: lambda:PublishLayerVersion/);
    const dry = textSummary(dryRun);
    expect(dry).not.toContain('<account>');
    expect(dry).toContain('    us-east-1 lambda:ListLayerVersions');
  });

  const proven: PipelineResult = {
    ...dryRun,
    dryRun: false,
    canary: [
      {
        region: 'us-east-1',
        arch: 'arm64',
        layerArn: 'arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:1',
        functionName: 'lsr-canary-1-2-3-arm64-7-1',
        status: 'passed',
        durationMs: 2345,
        awsVersion: 'aws-cli/2.31.2',
        jqVersion: 'jq-1.7.1',
        deleted: true,
        detail: '',
      },
      {
        region: 'eu-west-1',
        arch: 'arm64',
        layerArn: 'arn:aws:lambda:eu-west-1:123456789012:layer:lambda-shell-runtime-arm64:1',
        functionName: 'lsr-canary-1-2-3-arm64-7-1',
        status: 'failed',
        durationMs: 1000,
        deleted: true,
        detail: 'the function answered another event: <html>',
      },
    ],
    ssm: [
      {
        region: 'us-east-1',
        arch: 'arm64',
        name: '/lambda-shell-runtime/arm64/latest',
        value: 'arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:1',
        status: 'kept',
        detail: 'kept at 1.3.0: 1.2.3 is a backport',
      },
    ],
  };

  it('adds a canary table and an SSM table when those steps ran, escaped', async () => {
    await writeJobSummary(proven);
    const html = readFileSync(join(dir, 'summary'), 'utf8');
    expect(html).toContain('<h3>Canary</h3>');
    expect(html).toContain(
      '<tr><td>us-east-1</td><td>arm64</td><td>passed</td><td>2.3 s</td><td>aws-cli/2.31.2, jq-1.7.1</td></tr>',
    );
    expect(html).toContain('<td>failed: the function answered another event: &lt;html&gt;</td>');
    expect(html).toContain('<h3>SSM parameters</h3>');
    expect(html).toContain(
      '<tr><td>us-east-1</td><td>/lambda-shell-runtime/arm64/latest</td><td>kept: kept at 1.3.0: 1.2.3 is a backport</td></tr>',
    );
  });

  it('writes no canary or SSM table when those steps did not run', async () => {
    await writeJobSummary(dryRun);
    const html = readFileSync(join(dir, 'summary'), 'utf8');
    expect(html).not.toContain('Canary');
    expect(html).not.toContain('SSM parameters');
  });

  it('lists the canaries and SSM parameters in the CLI text', () => {
    const text = textSummary(proven);
    expect(text).toContain(
      '  canary arm64  us-east-1        passed in 2.3 s (aws-cli/2.31.2, jq-1.7.1)',
    );
    expect(text).toContain(
      '  ssm    us-east-1        /lambda-shell-runtime/arm64/latest kept: kept at 1.3.0',
    );
  });

  it('lists a retraction per region × architecture, in the CLI text and the job summary', async () => {
    const arn = 'arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:4';
    const retracted: PipelineResult = {
      version: '1.2.0',
      dryRun: false,
      zips: [],
      done: ['retract'],
      retract: {
        version: '1.2.0',
        plan: [],
        layers: [
          {
            region: 'us-east-1',
            arch: 'arm64',
            arn,
            status: 'retracted',
            unshared: ['lsr-public'],
            version: 'deleted',
            latest: 'moved to 1.1.0',
            detail: '',
          },
        ],
      },
    };
    expect(textSummary(retracted)).toContain(
      `  retract arm64  us-east-1        ${arn} unshared lsr-public; deleted; moved to 1.1.0 retracted`,
    );
    await writeJobSummary(retracted);
    const html = readFileSync(join(dir, 'summary'), 'utf8');
    expect(html).toContain('<h3>Retracted</h3>');
    expect(html).toContain(`<td>${arn}</td><td>unshared lsr-public; deleted; moved to 1.1.0</td>`);
  });
});
