import { ListLayerVersionsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createServer, type Server } from 'node:http';
import {
  awsCall,
  describeAwsFailure,
  httpStatusOf,
  isAwsError,
  isRetryableAwsError,
  withAwsErrorContext,
} from '../../src/aws/errors.js';

const awsError = (name: string, status?: number, requestId?: string): Error =>
  Object.assign(new Error('boom'), {
    name,
    $metadata: { httpStatusCode: status, requestId },
  });

describe('AWS errors that say what failed', () => {
  it('names operation, region, status, code and request id', () => {
    expect(
      describeAwsFailure(
        'lambda:PublishLayerVersion',
        'eu-west-1',
        awsError('ServiceException', 500, 'abc-123'),
      ),
    ).toBe(
      'lambda:PublishLayerVersion in eu-west-1: HTTP 500 ServiceException (request id abc-123)',
    );
    const dropped = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(describeAwsFailure('s3:PutObject', 'us-east-1', dropped)).toBe(
      's3:PutObject in us-east-1: no HTTP response (ECONNRESET)',
    );
  });

  it('a call outside a wrapped client is named the same, and keeps its exception name and status', async () => {
    const serviceError = awsError('InternalServerErrorException', 500, '6f2c-11aa');
    const error = await awsCall('serverlessrepo:GetApplication', 'eu-west-1', () =>
      Promise.reject(serviceError),
    ).catch((caught: Error) => caught);
    expect(error.message).toBe(
      'serverlessrepo:GetApplication in eu-west-1: HTTP 500 InternalServerErrorException (request id 6f2c-11aa): boom',
    );
    expect(isAwsError(error, 'InternalServerErrorException')).toBe(true);
    expect(httpStatusOf(error)).toBe(500);
  });

  it('retries no answer, 5xx and throttling, never another 4xx', () => {
    expect(isRetryableAwsError(new Error('socket hang up'))).toBe(true);
    expect(isRetryableAwsError(awsError('ServiceException', 500))).toBe(true);
    expect(isRetryableAwsError(awsError('TooManyRequestsException', 429))).toBe(true);
    expect(isRetryableAwsError(awsError('ThrottlingException', 400))).toBe(true);
    expect(isRetryableAwsError(awsError('AccessDeniedException', 403))).toBe(false);
    expect(isRetryableAwsError(awsError('ResourceConflictException', 409))).toBe(false);
    expect(isRetryableAwsError(awsError('BadRequestException', 400))).toBe(false);
    expect(isRetryableAwsError(awsError('CredentialsProviderError'))).toBe(false);
  });

  describe('on a real client', () => {
    let server: Server;
    let endpoint: string;
    beforeAll(async () => {
      server = createServer((request, response) => {
        request.resume();
        response.writeHead(403, {
          'content-type': 'application/json',
          'x-amzn-requestid': 'req-42',
          'x-amzn-errortype': 'AccessDeniedException',
        });
        response.end(JSON.stringify({ message: 'not allowed' }));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('prefixes the message and keeps the error name the code checks use', async () => {
      const client = withAwsErrorContext(
        new LambdaClient({
          region: 'eu-west-1',
          endpoint,
          credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        }),
        'lambda',
        'eu-west-1',
      );
      const error = await client
        .send(new ListLayerVersionsCommand({ LayerName: 'x' }))
        .catch((caught: Error) => caught);
      expect((error as Error).name).toBe('AccessDeniedException');
      expect((error as Error).message).toBe(
        'lambda:ListLayerVersions in eu-west-1: HTTP 403 AccessDeniedException (request id req-42): not allowed',
      );
    });
  });
});
