import { isRetryableAwsError } from '../../src/aws/errors.js';
import { awsSarApi } from '../../src/sar/sar-api.js';
import { startCountingServer, useAwsSuite, type CountingServer } from '../publish/fixtures.js';

// On the wire, against a server that answers every request 500 (as when SAR created something
// and the answer was lost): the SDK must send each create once, leaving the look to the step.
const suite = useAwsSuite<CountingServer>({
  start: startCountingServer,
  stop: (server) => server.close(),
});

const template = 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n';

describe('the SAR calls that create something', () => {
  it('CreateApplication is sent once, and its error names operation, region and status', async () => {
    const before = suite.server.requests();
    const created = awsSarApi('eu-west-1').createApplication({
      Name: 'lambda-shell-runtime-arm64',
      Author: 'lambda-shell-runtime',
      Description: 'x',
      SemanticVersion: '1.2.3',
      TemplateBody: template,
    });
    await expect(created).rejects.toThrow(
      /^serverlessrepo:CreateApplication in eu-west-1: HTTP 500 /,
    );
    expect(suite.server.requests() - before).toBe(1);
  });

  it('CreateApplicationVersion is sent once', async () => {
    const before = suite.server.requests();
    await expect(
      awsSarApi('eu-west-1').createApplicationVersion({
        ApplicationId: 'arn:aws:serverlessrepo:eu-west-1:123456789012:applications/x',
        SemanticVersion: '1.2.3',
        TemplateBody: template,
      }),
    ).rejects.toThrow(/^serverlessrepo:CreateApplicationVersion in eu-west-1: HTTP 500 /);
    expect(suite.server.requests() - before).toBe(1);
  });
});

describe('a create left unanswered', () => {
  it('times out as a lost answer (no HTTP answer), sent once', async () => {
    const { createServer } = await import('node:http');
    let received = 0;
    const silent = createServer((request) => {
      received++;
      request.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    process.env.AWS_ENDPOINT_URL = `http://127.0.0.1:${port}`;
    try {
      const error = await awsSarApi('eu-west-1', 300)
        .createApplicationVersion({
          ApplicationId: 'arn:aws:serverlessrepo:eu-west-1:123456789012:applications/x',
          SemanticVersion: '1.2.3',
          TemplateBody: template,
        })
        .then(
          () => undefined,
          (caught: unknown) => caught as Error,
        );
      expect(error?.message).toMatch(
        /^serverlessrepo:CreateApplicationVersion in eu-west-1: no HTTP response \(TimeoutError\)/,
      );
      expect(isRetryableAwsError(error)).toBe(true);
      expect(received).toBe(1);
    } finally {
      process.env.AWS_ENDPOINT_URL = suite.server.endpoint;
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
