import { applicationUrl } from '../../src/sar/application.js';
import { renderTemplate, sameTemplate, templateSha256 } from '../../src/sar/template.js';

describe('SAR templates', () => {
  it('names every placeholder left without a value', async () => {
    await expect(renderTemplate('template.yaml', { version: '1.0.0' })).rejects.toThrow(
      /template.yaml: no value for applicationName, description, author/,
    );
  });

  it('stamps the rendered template with its own hash and compares by it in YAML or JSON', async () => {
    const values = {
      applicationName: 'lambda-shell-runtime',
      description: '"d"',
      author: 'a',
      licenseUrl: '"s3://b/LICENSE"',
      readmeUrl: '"s3://b/README.md"',
      labels: '["x"]',
      sourceCodeUrl: '"https://example.com"',
      version: '1.0.0',
      arm64ApplicationId: '"arn:1"',
      amd64ApplicationId: '"arn:2"',
    };
    const rendered = await renderTemplate('template.yaml', values);
    const sha = templateSha256(rendered)!;
    expect(sha).toMatch(/^[0-9a-f]{64}$/);
    expect(sameTemplate(JSON.stringify({ Metadata: { TemplateSha256: sha } }), rendered)).toBe(
      true,
    );
    const other = await renderTemplate('template.yaml', { ...values, version: '1.0.1' });
    expect(templateSha256(other)).not.toBe(sha);
    expect(sameTemplate(other, rendered)).toBe(false);
    // Without a stamp, the text decides.
    expect(sameTemplate('a: 1\r\n', 'a: 1\n')).toBe(true);
  });

  it('links an application ARN to its page', () => {
    expect(applicationUrl('arn:aws:serverlessrepo:us-east-1:123456789012:applications/x-y')).toBe(
      'https://serverlessrepo.aws.amazon.com/applications/us-east-1/123456789012/x-y',
    );
  });
});
