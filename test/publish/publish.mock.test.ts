import {
  AddLayerVersionPermissionCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  ResourceConflictException,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { publishLayers, PublishError, type PublishOptions } from '../../src/publish/index.js';
import { settleAll } from '../../src/concurrency.js';
import { captureStderr, captureStderrFailure, publishOptions, useAwsSuite } from './fixtures.js';

// AWS's real answers where moto is more lenient, through aws-sdk-client-mock.
const lambda = mockClient(LambdaClient);
// No endpoint answers: every call goes to the mocked client.
const suite = useAwsSuite({ start: async () => ({ endpoint: 'http://127.0.0.1:9' }) });

afterAll(() => lambda.restore());

beforeEach(() => lambda.reset());

const options = (overrides: Partial<PublishOptions> = {}): PublishOptions =>
  publishOptions(suite.dist, { zips: [suite.dist.zips[0]], regions: ['us-east-1'], ...overrides });

const notFound = () => new ResourceNotFoundException({ message: 'not found', $metadata: {} });

describe('publishLayers with AWS answers moto does not give', () => {
  it('says a region refusing the credentials may be an opt-in region not enabled', async () => {
    const refusal = Object.assign(
      new Error('The security token included in the request is invalid.'),
      {
        name: 'UnrecognizedClientException',
        $metadata: { httpStatusCode: 403, requestId: 'req-1' },
      },
    );
    lambda.on(ListLayerVersionsCommand).rejects(refusal);
    const { error } = await captureStderrFailure(() =>
      publishLayers(options({ regions: ['af-south-1', 'us-east-1'] })),
    );
    // (The mock replaces the client's send, and with it the middleware that names the operation.)
    expect((error as PublishError).result.failed.map((failure) => failure.error)).toEqual([
      'The security token included in the request is invalid. (af-south-1 is an opt-in region: it must be enabled in the account)',
      'The security token included in the request is invalid.',
    ]);
  });

  it('treats a 409 ResourceConflictException on AddLayerVersionPermission as success', async () => {
    lambda.on(ListLayerVersionsCommand).resolves({ LayerVersions: [] });
    lambda.on(PublishLayerVersionCommand).resolves({
      Version: 7,
      LayerVersionArn: 'arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:7',
      Content: { CodeSha256: suite.dist.zips[0].codeSha256 },
    });
    // The policy read misses a statement a concurrent run adds just before us.
    lambda.on(GetLayerVersionPolicyCommand).rejects(notFound());
    lambda.on(AddLayerVersionPermissionCommand).rejects(
      new ResourceConflictException({
        message: 'The statement id (lsr-public) provided already exists.',
        $metadata: { httpStatusCode: 409 },
      }),
    );
    const { result, text } = await captureStderr(() => publishLayers(options()));
    expect(result!.arns).toEqual({
      'us-east-1': {
        arm64: 'arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:7',
      },
    });
    expect(lambda.commandCalls(AddLayerVersionPermissionCommand)[0].args[0].input).toEqual({
      LayerName: 'lambda-shell-runtime-arm64',
      VersionNumber: 7,
      Action: 'lambda:GetLayerVersion',
      StatementId: 'lsr-public',
      Principal: '*',
    });
    expect(text).toMatch(/us-east-1\s+arm64\s+lambda-shell-runtime-arm64\s+7\s+published\n/);
  });

  it('fails the region when Lambda stores different bytes than the zip', async () => {
    lambda.on(ListLayerVersionsCommand).rejects(notFound());
    lambda.on(PublishLayerVersionCommand).resolves({ Version: 1, Content: { CodeSha256: '' } });
    const { error } = await captureStderrFailure(() => publishLayers(options()));
    expect(error).toBeInstanceOf(PublishError);
    expect((error as Error).message).toMatch(/version 1 has CodeSha256 "", expected/);
  });

  it('publishes nothing when aligning and a region cannot be read, and says why', async () => {
    lambda.on(ListLayerVersionsCommand).callsFake(async (_input, getClient) => {
      const region = await getClient().config.region();
      if (region === 'eu-west-1')
        throw Object.assign(new Error('denied in eu-west-1'), { name: 'AccessDeniedException' });
      return { LayerVersions: [{ Version: 3 }] };
    });
    lambda.on(GetLayerVersionCommand).resolves({ Content: { CodeSha256: 'other' } });
    const { error, text } = await captureStderrFailure(() =>
      publishLayers(options({ regions: ['us-east-1', 'eu-west-1'], alignVersions: true })),
    );
    expect(
      (error as PublishError).failures.map((failure) => [failure.region, failure.detail]),
    ).toEqual([
      ['us-east-1', 'not published: aligning versions needs every region, eu-west-1 failed'],
      ['eu-west-1', 'denied in eu-west-1'],
    ]);
    expect(lambda.commandCalls(PublishLayerVersionCommand)).toHaveLength(0);
    expect(text).toContain('failed: denied in eu-west-1');
  });
});

describe('settleAll', () => {
  it('never runs more than the limit at once and settles every item', async () => {
    let running = 0;
    let peak = 0;
    const results = await settleAll([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      if (item === 4) throw new Error('four');
      return item * 10;
    });
    expect(peak).toBe(3);
    expect(
      results.map((result) => (result.status === 'fulfilled' ? result.value : 'failed')),
    ).toEqual([10, 20, 30, 'failed', 50, 60, 70]);
  });
});
