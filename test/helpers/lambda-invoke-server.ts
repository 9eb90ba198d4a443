import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaSandbox } from '../../src/emulator/sandbox.js';
import { runChecked } from '../../src/exec.js';

/**
 * The other half of moto_lambda.py: moto posts each Invoke here with the function's code and its
 * layers' zips, and this runs it the way Lambda's provided.al2023 does, on this machine: the layers
 * unzipped in order into one folder (Lambda's /opt), the code into another (/var/task), the
 * bootstrap (the code's own, else the layer's) under the project's Runtime API emulator, the event
 * sent once, the answer returned with X-Amz-Function-Error on a function error.
 *
 * What it proves: the call sequence runs over HTTP against one moto backend; the layer zip that
 * moto stored is the one that runs; its bootstrap answers through the Runtime API; the tools the
 * handler finds come from the layer's bin/ (PATH puts it first; Lambda puts /opt/bin last, after
 * an Amazon Linux that has neither jq nor the AWS CLI). What it does not: Amazon Linux 2023 itself,
 * the architecture (it runs the host's), IAM (moto checks only that the role exists), Lambda's
 * scaling, its real timing, or the function's /opt being read-only.
 */
export interface InvokeRecord {
  functionName: string;
  region: string;
  handler: string;
  /** Where the layers were unzipped (the invocation's /opt). */
  opt: string;
  status: string;
  payload: string;
}

export interface InvokeServer {
  /** What moto_lambda.py needs in LSR_INVOKE_URL. */
  url: string;
  readonly invocations: InvokeRecord[];
  close(): Promise<void>;
}

interface InvokeRequest {
  functionName: string;
  region: string;
  handler: string;
  memorySize: number;
  timeout: number;
  environment: Record<string, string>;
  code: string;
  layers: string[];
  payload: string;
}

async function unzipInto(dir: string, zipBase64: string, name: string): Promise<void> {
  const zip = join(dir, '..', `${name}.zip`);
  await writeFile(zip, Buffer.from(zipBase64, 'base64'));
  // -o: a later layer's file replaces an earlier one's, as Lambda merges layers into /opt.
  await runChecked('unzip', ['-q', '-o', zip, '-d', dir]);
}

async function runInvocation(request: InvokeRequest, records: InvokeRecord[]) {
  const root = await mkdtemp(join(tmpdir(), 'lsr-invoke-'));
  const opt = join(root, 'opt');
  const task = join(root, 'task');
  try {
    for (const [index, layer] of request.layers.entries())
      await unzipInto(opt, layer, `layer-${index}`);
    await unzipInto(task, request.code, 'code');
    const bootstrap = existsSync(join(task, 'bootstrap'))
      ? join(task, 'bootstrap')
      : join(opt, 'bootstrap');
    const sandbox = await LambdaSandbox.start({
      bootstrap,
      taskRoot: task,
      handler: request.handler,
      functionName: request.functionName,
      region: request.region,
      memoryMb: request.memorySize,
      timeoutSeconds: request.timeout,
      env: {
        ...request.environment,
        PATH: `${join(opt, 'bin')}:/usr/local/bin:/usr/bin:/bin`,
      },
    });
    let result;
    try {
      result = await sandbox.invoke({ payload: Buffer.from(request.payload, 'base64') });
    } finally {
      await sandbox.stop();
    }
    const payload = result.payload.toString('utf8');
    records.push({
      functionName: request.functionName,
      region: request.region,
      handler: request.handler,
      opt,
      status: result.status,
      payload,
    });
    return {
      payload: result.payload.toString('base64'),
      functionError: result.status === 'success' ? '' : 'Unhandled',
      log: Buffer.concat([sandbox.stdout, sandbox.stderr]).toString('utf8'),
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export async function startInvokeServer(): Promise<InvokeServer> {
  const invocations: InvokeRecord[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request = JSON.parse(Buffer.concat(chunks).toString('utf8')) as InvokeRequest;
      runInvocation(request, invocations).then(
        (answer) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(answer));
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/invoke`,
    invocations,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
