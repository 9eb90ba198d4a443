import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DeleteFunctionCommand,
  LambdaClient,
  ListFunctionsCommand,
  PublishLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import { buildLayers } from '../../src/build/index.js';
import { hostArchitecture } from '../../src/platform.js';
import { walkTree } from '../../src/build/tree-walk.js';
import { zipTree } from '../../src/build/zip.js';
import { runChecked } from '../../src/exec.js';
import type { Architecture } from '../../src/domain.js';
import { tempDir } from '../build/tree-fixture.js';
import { awsTestEnv, setEnv, startMoto, type MotoServer } from '../helpers/moto.js';
import { startInvokeServer, type InvokeServer } from '../helpers/lambda-invoke-server.js';

export const MOTO_LAMBDA = join(
  fileURLToPath(new URL('.', import.meta.url)),
  '..',
  'helpers',
  'moto_lambda.py',
);
export const ACCOUNT = '123456789012';
export const ROLE_NAME = 'lambda-shell-runtime-canary';
export const ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${ROLE_NAME}`;

export const lambda = (region: string): LambdaClient => new LambdaClient({ region });

export function host(): Architecture {
  const arch = hostArchitecture();
  if (!arch) throw new Error(`these tests need an amd64 or arm64 machine, not ${process.arch}`);
  return arch;
}

/**
 * moto's IAM over its query API: Lambda's CreateFunction needs the role to exist there. moto
 * routes a request by the service in its signature's scope and does not check the signature.
 */
export async function createRole(endpoint: string, name = ROLE_NAME): Promise<void> {
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ],
  });
  const body = new URLSearchParams({
    Action: 'CreateRole',
    Version: '2010-05-08',
    RoleName: name,
    AssumeRolePolicyDocument: trust,
  });
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0',
    },
    body,
  });
  if (!response.ok)
    throw new Error(`CreateRole answered ${response.status}: ${await response.text()}`);
}

/** Names of the functions in a region. */
export async function functionNames(region: string): Promise<string[]> {
  const { Functions } = await lambda(region).send(new ListFunctionsCommand({}));
  return (Functions ?? []).map((fn) => fn.FunctionName ?? '');
}

export async function deleteAllFunctions(regions: readonly string[]): Promise<void> {
  for (const region of regions)
    for (const name of await functionNames(region))
      await lambda(region).send(new DeleteFunctionCommand({ FunctionName: name }));
}

/** The layer zip with files added or replaced (a stand-in bin/aws, a broken bootstrap…). */
export async function variantZip(source: string, files: Record<string, string>): Promise<Buffer> {
  const root = tempDir('canary-variant-');
  const tree = join(root, 'tree');
  await runChecked('unzip', ['-q', source, '-d', tree]);
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(tree, name)), { recursive: true });
    await writeFile(join(tree, name), text, { mode: 0o755 });
  }
  const target = join(root, 'variant.zip');
  await zipTree(tree, await walkTree(tree), target);
  return readFile(target);
}

/** Publishes a zip's bytes as a layer version in a region; its ARN. */
export async function publishZip(
  region: string,
  layerName: string,
  bytes: Buffer,
): Promise<string> {
  const published = await lambda(region).send(
    new PublishLayerVersionCommand({
      LayerName: layerName,
      Content: { ZipFile: bytes },
      CompatibleRuntimes: ['provided.al2023'],
    }),
  );
  return published.LayerVersionArn!;
}

export interface CanarySuite {
  readonly moto: MotoServer;
  readonly invoker: InvokeServer;
  /** A dist folder from the local builder: the host's zip, SHA256SUMS, manifest.json. */
  readonly distDir: string;
  readonly zipPath: string;
}

/**
 * One suite's stand-ins: the invoke helper, moto through moto_lambda.py calling it, the role, a
 * local-builder dist folder; the AWS environment pointing at moto until the suite ends.
 */
export function useCanarySuite(version: string): CanarySuite {
  let moto: MotoServer | undefined;
  let invoker: InvokeServer | undefined;
  let restore: (() => void) | undefined;
  let distDir = '';
  let zipPath = '';
  beforeAll(async () => {
    invoker = await startInvokeServer();
    moto = await startMoto({ script: MOTO_LAMBDA, env: { LSR_INVOKE_URL: invoker.url } });
    restore = setEnv({ ...awsTestEnv(moto.endpoint), GITHUB_ACTIONS: undefined });
    await createRole(moto.endpoint);
    distDir = tempDir('canary-dist-');
    const built = await buildLayers({
      builder: 'local',
      architectures: [host()],
      version,
      outDir: distDir,
    });
    zipPath = built.zips[0].path;
  }, 120_000);
  afterAll(async () => {
    restore?.();
    await moto?.stop();
    await invoker?.close();
  });
  return {
    get moto() {
      return moto!;
    },
    get invoker() {
      return invoker!;
    },
    get distDir() {
      return distDir;
    },
    get zipPath() {
      return zipPath;
    },
  };
}
