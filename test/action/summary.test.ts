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

// What a dry run produces: ARNs and the SAR page with an `<account>` placeholder.
const dryRun: PipelineResult = {
  version: '1.2.3',
  dryRun: true,
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
  let dir: string;
  const saved = process.env.GITHUB_STEP_SUMMARY;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lsr-summary-'));
    process.env.GITHUB_STEP_SUMMARY = join(dir, 'summary');
    writeFileSync(process.env.GITHUB_STEP_SUMMARY, '');
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it('has one row per architecture × region with ARN, zip size and sha256, then the links', async () => {
    await writeJobSummary(dryRun);
    const html = readFileSync(join(dir, 'summary'), 'utf8');
    const rows = html.match(/<tr>.*?<\/tr>/g) ?? [];
    expect(rows).toHaveLength(1 + 4);
    expect(rows[0]).toContain('<th>Layer version ARN</th>');
    expect(rows[1]).toBe(
      '<tr><td>arm64</td><td>us-east-1</td>' +
        '<td><code>arn:aws:lambda:us-east-1:&lt;account&gt;:layer:lambda-shell-runtime-arm64:1</code></td>' +
        `<td>3.00 MiB</td><td><code>${'ab'.repeat(32)}</code></td></tr>`,
    );
    expect(html).toContain(
      '<p>GitHub release: <a href="https://github.com/o/r/releases/tag/v1.2.3">https://github.com/o/r/releases/tag/v1.2.3</a></p>',
    );
    expect(html).toContain(
      'Serverless Application Repository: <a href="https://serverlessrepo.aws.amazon.com/applications/us-east-1/&lt;account&gt;/lambda-shell-runtime">',
    );
    // Rendered as HTML, a raw `<account>` would be dropped as an unknown tag.
    expect(html).not.toContain('<account>');
  });

  it('keeps the placeholders as they are in the CLI text', () => {
    const text = textSummary(dryRun);
    expect(text).toContain('arn:aws:lambda:eu-west-1:<account>:layer:lambda-shell-runtime-amd64:1');
    expect(text).toContain('GitHub release: https://github.com/o/r/releases/tag/v1.2.3');
  });
});
