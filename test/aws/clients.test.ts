import { ListLayerVersionsCommand, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ListApplicationsCommand } from '@aws-sdk/client-serverlessapplicationrepository';
import { GetParametersByPathCommand } from '@aws-sdk/client-ssm';
import { createServer } from 'node:http';
import {
  lambdaClient,
  lambdaWriteClient,
  MAX_ATTEMPTS,
  s3Client,
  sarClient,
  ssmClient,
  timeScale,
} from '../../src/aws/clients.js';
import { startCountingServer, type CountingServer } from '../publish/fixtures.js';
import { awsTestEnv, FAST_AWS, setEnv } from '../helpers/moto.js';

// The tuning shrinks the pauses between attempts, never their number: against a server that
// only fails, a read is tried MAX_ATTEMPTS times and a creating write once, whatever the tuning.
let server: CountingServer;
let restore: () => void;
beforeAll(async () => {
  server = await startCountingServer();
  restore = setEnv(awsTestEnv(server.endpoint));
});
afterAll(async () => {
  restore();
  await server.close();
});

const requestsDuring = async (send: () => Promise<unknown>): Promise<number> => {
  const before = server.requests();
  await expect(send()).rejects.toMatchObject({ $metadata: { httpStatusCode: 500 } });
  return server.requests() - before;
};

describe('the AWS clients under a tuning', () => {
  it('retry a failing read MAX_ATTEMPTS times, as with no tuning', async () => {
    expect(MAX_ATTEMPTS).toBe(8);
    const list = new ListLayerVersionsCommand({ LayerName: 'lsr-arm64' });
    expect(await requestsDuring(() => lambdaClient('us-east-1', FAST_AWS).send(list))).toBe(
      MAX_ATTEMPTS,
    );
    expect(
      await requestsDuring(() =>
        ssmClient('us-east-1', FAST_AWS).send(new GetParametersByPathCommand({ Path: '/lsr' })),
      ),
    ).toBe(MAX_ATTEMPTS);
    expect(
      await requestsDuring(() =>
        s3Client('us-east-1', FAST_AWS).send(
          new PutObjectCommand({ Bucket: 'lsr', Key: 'k', Body: 'x' }),
        ),
      ),
    ).toBe(MAX_ATTEMPTS);
  });

  it('send a creating write once', async () => {
    const publish = new PublishLayerVersionCommand({
      LayerName: 'lsr-arm64',
      Content: { ZipFile: Buffer.from('zip') },
    });
    expect(await requestsDuring(() => lambdaWriteClient('us-east-1').send(publish))).toBe(1);
  });

  it('leave the SAR client (an older SDK generation) its own retry middleware, which works', async () => {
    const sar = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{"applications":[]}');
    });
    await new Promise<void>((resolve) => sar.listen(0, '127.0.0.1', resolve));
    const address = sar.address();
    const restoreSar = setEnv({
      AWS_ENDPOINT_URL: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    });
    try {
      const listed = await sarClient('us-east-1').send(new ListApplicationsCommand({}));
      expect(listed.Applications).toEqual([]);
    } finally {
      restoreSar();
      await new Promise((resolve) => sar.close(resolve));
    }
  });

  it('run at real time by default and faster only when asked', () => {
    expect(timeScale()).toBe(1);
    expect(timeScale({})).toBe(1);
    expect(timeScale(FAST_AWS)).toBe(0.01);
  });
});
