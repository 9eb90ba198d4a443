import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecked } from '../../src/exec.js';
import type { AwsTuning } from '../../src/aws/clients.js';
import { retryWithBackoff } from '../../src/retry.js';

/**
 * A moto server (python3 -m moto.server) on a free local port, for tests that run the AWS SDK
 * for real. moto is installed when missing: a test never skips for want of it.
 */
export interface MotoServer {
  endpoint: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAnswering(endpoint: string, child: ChildProcess): Promise<void> {
  await retryWithBackoff(
    async () => {
      if (child.exitCode !== null) throw new Error(`moto exited with code ${child.exitCode}`);
      const response = await fetch(`${endpoint}/moto-api/`);
      if (!response.ok) throw new Error(`moto answered ${response.status}`);
    },
    // It answers in well under a second: poll often, for up to about 15 s.
    {
      attempts: 600,
      baseMs: 50,
      maxMs: 50,
      isRetryable: () => child.exitCode === null,
    },
  );
}

/** moto.server with its per-request access log and folder listing cut (moto_server.py). */
const MOTO_SERVER = fileURLToPath(new URL('moto_server.py', import.meta.url));

/** How to start it: moto_server.py, or another wrapper taking moto.server's flags (moto_lambda.py). */
export interface MotoStart {
  script?: string;
  env?: Record<string, string>;
}

interface Launched extends MotoServer {
  child: ChildProcess;
}

async function launch({ script, env }: MotoStart): Promise<Launched> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('python3', [script ?? MOTO_SERVER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const closed = new Promise((resolve) => child.once('close', resolve));
  try {
    await waitUntilAnswering(endpoint, child);
  } catch (error) {
    child.kill('SIGKILL');
    // Its stderr is whole once its streams close: startMoto reads it for a missing moto.
    await closed;
    throw new Error(`moto did not start on ${endpoint}: ${String(error)}\n${stderr}`, {
      cause: error,
    });
  }
  return {
    endpoint,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Launches moto; where python3 has no moto, it installs it first (no probe when it has). */
async function launchInstalled(start: MotoStart): Promise<Launched> {
  try {
    return await launch(start);
  } catch (error) {
    if (!/No module named '?moto\b/.test(String(error))) throw error;
  }
  await runChecked('python3', ['-m', 'pip', 'install', '--quiet', 'moto[server]>=5']);
  return launch(start);
}

// One plain moto per jest worker, handed from test file to test file with its state reset
// (POST /moto-api/reset): moto's first requests import and load a second or two of CPU of its
// backends and service models, which a reset keeps. A worker runs its files one at a time; the
// file below names the worker's moto, which exits when the worker does (moto_server.py).
const SHARED = join(tmpdir(), `lsr-moto-${process.pid}.json`);
let sharedInUse = false;

/** The endpoint of this worker's moto, reset; undefined when there is none. */
async function sharedMoto(): Promise<string | undefined> {
  let endpoint: string;
  try {
    ({ endpoint } = JSON.parse(readFileSync(SHARED, 'utf8')) as { endpoint: string });
  } catch {
    return undefined;
  }
  const reset = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' }).catch(
    () => undefined,
  );
  return reset?.ok ? endpoint : undefined;
}

/**
 * moto, empty: this worker's moto reset, or a new one (moto_server.py, or `start`'s own script or
 * environment, which are never shared); stop() ends a moto of its own, and hands back a shared one.
 */
export async function startMoto(start: MotoStart = {}): Promise<MotoServer> {
  if (start.script || start.env || sharedInUse) return launchInstalled(start);
  let endpoint = await sharedMoto();
  if (!endpoint) {
    const { child, endpoint: launched } = await launchInstalled({
      env: { LSR_MOTO_PARENT: String(process.pid), LSR_MOTO_STATE: SHARED },
    });
    // It outlives this file: nothing of it may keep the worker alive or read into a closed file.
    child.stderr?.removeAllListeners('data').resume();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    child.unref();
    writeFileSync(SHARED, JSON.stringify({ endpoint: launched }));
    endpoint = launched;
  }
  sharedInUse = true;
  return { endpoint, stop: async () => void (sharedInUse = false) };
}

/** Sets environment variables for a test and gives back a function that restores them. */
export function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (entries: Record<string, string | undefined>): void => {
    for (const [key, value] of Object.entries(entries)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  return () => apply(saved);
}

/**
 * AWS's pacing for tests: a second of back-off lasts 10 ms. The attempts are AWS's own, so a
 * fault still meets every retry; only the waits between them shrink.
 */
export const FAST_AWS: AwsTuning = { msPerSecond: 10 };

/** The environment that points the AWS SDK at a local endpoint with dummy credentials. */
export const awsTestEnv = (endpoint: string): Record<string, string | undefined> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_SESSION_TOKEN: undefined,
  AWS_PROFILE: undefined,
  AWS_REGION: 'us-east-1',
});
