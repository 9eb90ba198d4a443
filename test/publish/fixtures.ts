import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWriteStream } from 'node:fs';
import { ZipFile } from 'yazl';
import {
  describeZip,
  readLayerZips,
  sha256sumsText,
  SHA256SUMS,
  writeManifest,
  zipFileName,
  type LayerZip,
} from '../../src/dist.js';
import { ARCHITECTURES } from '../../src/domain.js';
import type { PublishOptions } from '../../src/publish/index.js';
import { captureRejection, captureWrites } from '../helpers/capture.js';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { startFaultProxy, type FaultProxy } from '../helpers/fault-proxy.js';
import { awsTestEnv, FAST_AWS, setEnv, startMoto, type MotoServer } from '../helpers/moto.js';

/** A dist folder as the build step leaves it: a small zip per architecture, SHA256SUMS, manifest. */
export interface DistFixture {
  dir: string;
  zips: LayerZip[];
  remove(): Promise<void>;
}

function writeZip(path: string, files: Record<string, string>): Promise<void> {
  return new Promise((resolve, reject) => {
    const zip = new ZipFile();
    // A fixed mtime: the same content gives the same bytes, so the same CodeSha256.
    const mtime = new Date('2026-01-01T00:00:00Z');
    for (const [name, text] of Object.entries(files))
      zip.addBuffer(Buffer.from(text), name, { mtime, mode: 0o100755 });
    zip.end();
    zip.outputStream.pipe(createWriteStream(path)).on('close', resolve).on('error', reject);
  });
}

export async function makeDist(
  version = '1.2.3',
  {
    releasable = true,
    salt = '',
    contentOf = version,
  }: {
    releasable?: boolean;
    salt?: string;
    /** The version the zips' content names: another release's gives that release's bytes. */
    contentOf?: string;
  } = {},
): Promise<DistFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'lsr-dist-'));
  const zips: LayerZip[] = [];
  for (const arch of ARCHITECTURES) {
    const fileName = zipFileName(arch, version);
    const path = join(dir, fileName);
    await writeZip(path, { bootstrap: `#!/bin/sh\n# ${arch} ${contentOf} ${salt}\n` });
    zips.push(await describeZip(path, fileName, arch, version));
  }
  await writeFile(join(dir, SHA256SUMS), sha256sumsText(zips));
  await writeManifest(dir, {
    version,
    builder: releasable ? 'docker' : 'local',
    releasable,
    architectures: [...ARCHITECTURES],
  });
  return {
    dir,
    zips: await readLayerZips(dir, version),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** An HTTP server that counts the requests it gets: the proof that a step made no call. */
export interface CountingServer {
  endpoint: string;
  requests: () => number;
  close(): Promise<void>;
}

export async function startCountingServer(): Promise<CountingServer> {
  const { createServer } = await import('node:http');
  let count = 0;
  const server = createServer((request, response) => {
    count++;
    request.resume();
    response.statusCode = 500;
    response.end('{"message":"this server only counts"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Captures what the logger writes (stderr off a runner) while `fn` runs. */
/** What a step logs (stderr off a runner) and its result; its failure is thrown. */
export const captureStderr = <T>(fn: () => Promise<T>) => captureWrites(process.stderr, fn);

/** What a step logs before it fails, and the error it must fail with. */
export const captureStderrFailure = (fn: () => Promise<unknown>) =>
  captureRejection(process.stderr, fn);

export interface AwsSuite<S> {
  readonly server: S;
  readonly dist: DistFixture;
}

/**
 * One suite's AWS stand-in (moto, the counting server, or none for aws-sdk-client-mock) and dist
 * folder: started before the suite with the AWS environment pointing at it, all undone after.
 */
export function useAwsSuite<S extends { endpoint: string }>(setup: {
  start: () => Promise<S>;
  stop?: (server: S) => Promise<void>;
  version?: string;
  env?: Record<string, string | undefined>;
}): AwsSuite<S> {
  let server: S | undefined;
  let dist: DistFixture | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    server = await setup.start();
    restoreEnv = setEnv({
      ...awsTestEnv(server.endpoint),
      GITHUB_ACTIONS: undefined,
      ...setup.env,
    });
    dist = await makeDist(setup.version ?? '1.2.3');
  });
  afterAll(async () => {
    restoreEnv?.();
    await dist?.remove();
    if (server) await setup.stop?.(server);
  });
  return {
    get server() {
      return server!;
    },
    get dist() {
      return dist!;
    },
  };
}

/** publishLayers options for a dist fixture: two regions, public, no alignment. */
export const publishOptions = (
  dist: DistFixture,
  overrides: Partial<PublishOptions> = {},
): PublishOptions => ({
  zips: dist.zips,
  version: '1.2.3',
  regions: ['us-east-1', 'eu-west-1'],
  share: { kind: 'public' },
  layerNamePattern: 'lambda-shell-runtime-{arch}',
  alignVersions: false,
  dryRun: false,
  distDir: dist.dir,
  tuning: FAST_AWS,
  ...overrides,
});

/** moto behind the fault proxy: the SDK talks to `endpoint` (the proxy), checks to `moto`. */
export interface MotoBehindProxy {
  endpoint: string;
  moto: MotoServer;
  proxy: FaultProxy;
}

export const useMotoBehindProxy = (): AwsSuite<MotoBehindProxy> =>
  useAwsSuite<MotoBehindProxy>({
    start: async () => {
      const moto = await startMoto();
      const proxy = await startFaultProxy(moto.endpoint);
      return { endpoint: proxy.endpoint, moto, proxy };
    },
    stop: async ({ moto, proxy }) => {
      await proxy.close();
      await moto.stop();
    },
  });

/** Creates `bucketFor(region)` in each region, directly in moto at `endpoint`. */
export async function createBuckets(
  endpoint: string,
  regions: readonly string[],
  bucketFor: (region: string) => string,
): Promise<void> {
  for (const region of regions) {
    await new S3Client({ region, endpoint, forcePathStyle: true }).send(
      new CreateBucketCommand({
        Bucket: bucketFor(region),
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }),
      }),
    );
  }
}
