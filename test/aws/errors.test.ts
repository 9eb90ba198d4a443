import { ListLayerVersionsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { createServer, type Server } from 'node:http';
import { createOnce, UnknownOutcomeError } from '../../src/aws/create-once.js';
import {
  describeAwsFailure,
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

  it('retries no answer, 5xx and throttling, never another 4xx', () => {
    expect(isRetryableAwsError(new Error('socket hang up'))).toBe(true);
    expect(isRetryableAwsError(awsError('ServiceException', 500))).toBe(true);
    expect(isRetryableAwsError(awsError('TooManyRequestsException', 429))).toBe(true);
    expect(isRetryableAwsError(awsError('ThrottlingException', 400))).toBe(true);
    expect(isRetryableAwsError(awsError('AccessDeniedException', 403))).toBe(false);
    expect(isRetryableAwsError(awsError('ResourceConflictException', 409))).toBe(false);
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

describe('createOnce: a creating write is never blindly retried', () => {
  const noWait = { sleep: async () => undefined };

  it('keeps what a failed attempt created instead of writing again', async () => {
    let writes = 0;
    const created = await createOnce({
      what: 'a thing',
      write: async () => {
        writes++;
        throw awsError('ServiceException', 500);
      },
      find: async () => 'the thing',
      retry: noWait,
    });
    expect([created, writes]).toEqual(['the thing', 1]);
  });

  it('writes again only after looking, and only when the failure is retryable', async () => {
    const calls: string[] = [];
    const created = await createOnce({
      what: 'a thing',
      write: async () => {
        calls.push('write');
        if (calls.length === 1) throw awsError('TooManyRequestsException', 429);
        return 'new';
      },
      find: async () => {
        calls.push('find');
        return undefined;
      },
      retry: noWait,
    });
    expect([created, calls]).toEqual(['new', ['write', 'find', 'write']]);

    let writes = 0;
    await expect(
      createOnce({
        what: 'a thing',
        write: async () => {
          writes++;
          throw awsError('AccessDeniedException', 403);
        },
        find: async () => undefined,
        retry: noWait,
      }),
    ).rejects.toThrow('boom');
    expect(writes).toBe(1);
  });

  it('stops when it cannot tell whether the attempt created something', async () => {
    let writes = 0;
    const error = await createOnce({
      what: 'lsr-arm64 version in eu-west-1',
      write: async () => {
        writes++;
        throw new Error('socket hang up');
      },
      find: async () => {
        throw new Error('lookup refused');
      },
      retry: noWait,
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnknownOutcomeError);
    expect((error as Error).message).toBe(
      'socket hang up; then looking for a lsr-arm64 version in eu-west-1 that attempt may have created failed too (lookup refused): run again, it finds and keeps what exists',
    );
    expect(writes).toBe(1);
  });
});
