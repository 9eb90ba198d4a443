import { GetLayerVersionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { prepareReplay } from '../../src/publish/replay.js';
import { captureStderr, captureStderrFailure, makeDist, type DistFixture } from './fixtures.js';

// The replay's second source: the reference version's own content, through Content.Location (a
// presigned URL on AWS; moto's is a bare "s3://", so GetLayerVersion is mocked here and the URL
// served locally).
const lambda = mockClient(LambdaClient);
let server: Server;
let served: Buffer;
let url: string;
let earlier: DistFixture;
let current: DistFixture;
beforeAll(async () => {
  earlier = await makeDist('1.0.0');
  current = await makeDist('1.1.0');
  server = createServer((request, response) => {
    response.writeHead(request.url === '/layer.zip' ? 200 : 404);
    response.end(request.url === '/layer.zip' ? served : '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/layer.zip`;
});
afterAll(async () => {
  lambda.restore();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await earlier.remove();
  await current.remove();
});

/** us-east-1 holds 1.0.0 at :1; eu-west-1 holds nothing: it needs :1 before 1.1.0 lands at :2. */
function layers() {
  const zip = current.zips.find((candidate) => candidate.arch === 'arm64')!;
  const old = earlier.zips.find((candidate) => candidate.arch === 'arm64')!;
  lambda.reset();
  lambda.on(GetLayerVersionCommand, { LayerName: 'lsr-arm64', VersionNumber: 1 }).resolves({
    LayerVersionArn: 'arn:aws:lambda:us-east-1:123456789012:layer:lsr-arm64:1',
    Description: 'lambda-shell-runtime 1.0.0 (arm64)',
    Content: { CodeSha256: old.codeSha256, Location: url },
  });
  const newest = { version: 1, arn: '', codeSha256: old.codeSha256, description: '' };
  return {
    old,
    inspected: [
      { region: 'us-east-1', layerName: 'lsr-arm64', zip, newest },
      { region: 'eu-west-1', layerName: 'lsr-arm64', zip, newest: undefined },
    ],
    targets: new Map([['arm64' as const, 2]]),
  };
}

describe("replay from the reference version's content", () => {
  it('downloads Content.Location, checks it against CodeSha256 and publishes it with its description', async () => {
    const { old, inspected, targets } = layers();
    served = await readFile(old.path);
    const { result, text } = await captureStderr(() =>
      prepareReplay({ inspected, targets, dryRun: false }),
    );
    try {
      expect(result!.fillers.map((filler) => [filler.region, filler.number])).toEqual([
        ['eu-west-1', 1],
      ]);
      const filler = result!.fillerFor('eu-west-1', 'lsr-arm64')(1)!;
      expect(filler.description).toBe('lambda-shell-runtime 1.0.0 (arm64)');
      expect(filler.zip.codeSha256).toBe(old.codeSha256);
      expect(
        createHash('sha256')
          .update(await readFile(filler.zip.path))
          .digest('base64'),
      ).toBe(old.codeSha256);
      expect(result!.fillerFor('us-east-1', 'lsr-arm64')(1)).toBeUndefined();
      expect(text).toMatch(/from us-east-1's content/);
    } finally {
      await result?.cleanup();
    }
  });

  it('refuses content that does not hash to the version’s CodeSha256', async () => {
    const { inspected, targets } = layers();
    served = Buffer.from('not the layer');
    const { error } = await captureStderrFailure(() =>
      prepareReplay({ inspected, targets, dryRun: false }),
    );
    expect((error as Error).message).toMatch(
      /cannot replay arn:aws:lambda:us-east-1:123456789012:layer:lsr-arm64:1 \(lambda-shell-runtime 1\.0\.0 \(arm64\)\): GitHub: no token; us-east-1's content: it hashes to \S+, the version to \S+; nothing was published/,
    );
  });
});
