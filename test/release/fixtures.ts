import { expect } from '@jest/globals';
import { writeManifest } from '../../src/dist.js';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitHubServer } from '../helpers/github-server.js';
import type { ReleaseOptions } from '../../src/release/index.js';

/** GitHub's pacing made fast: retry-after and back-off seconds become 1 ms, writes are not spaced. */
export const FAST = { msPerSecond: 1, paceWrites: false };

export interface Dist {
  dir: string;
  version: string;
  files: string[];
  zips: Record<'arm64' | 'amd64', string>;
  remove(): Promise<void>;
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** A dist folder as "build" leaves it: two zips (random bytes) and SHA256SUMS. */
export async function makeDist(version = '1.2.3', size = 4096): Promise<Dist> {
  const dir = await mkdtemp(join(tmpdir(), 'release-test-'));
  const zips = {
    arm64: join(dir, `lambda-shell-runtime-arm64-${version}.zip`),
    amd64: join(dir, `lambda-shell-runtime-amd64-${version}.zip`),
  };
  let sums = '';
  for (const path of Object.values(zips)) {
    const bytes = randomBytes(size);
    await writeFile(path, bytes);
    sums += `${sha256(bytes)}  ${path.slice(dir.length + 1)}\n`;
  }
  await writeFile(join(dir, 'SHA256SUMS'), sums);
  await writeManifest(dir, {
    version,
    builder: 'docker',
    releasable: true,
    architectures: ['arm64', 'amd64'],
  });
  return {
    dir,
    version,
    zips,
    files: [zips.arm64, zips.amd64, join(dir, 'SHA256SUMS')],
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

export const optionsFor = (
  server: GitHubServer,
  dist: Dist,
  extra: Partial<ReleaseOptions> = {},
): ReleaseOptions => ({
  token: server.token,
  repository: { owner: server.owner, repo: server.repo },
  tag: `v${dist.version}`,
  version: dist.version,
  files: dist.files,
  apiUrl: server.apiUrl,
  dryRun: false,
  tuning: FAST,
  ...extra,
});

export interface Captured {
  /** Every line written to stdout and stderr (which is where core.* and log.* write). */
  lines(): string[];
  text(): string;
  restore(): void;
}

/** Captures stdout and stderr (log.*, core.* and the CLI's result) until restore(). */
export function captureOutput(): Captured {
  const chunks: string[] = [];
  const originals = [process.stdout.write, process.stderr.write] as const;
  const capture = (chunk: string | Uint8Array): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
    return true;
  };
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  return {
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n'),
    restore: () => {
      [process.stdout.write, process.stderr.write] = originals;
    },
  };
}

/** What a release test runs against: a fresh GitHub stand-in, dist directory and captured output. */
export interface ReleaseBench {
  server: GitHubServer;
  dist: Dist;
  output: Captured;
}

export async function openBench(version?: string): Promise<ReleaseBench> {
  return {
    server: await GitHubServer.start(),
    dist: await makeDist(version),
    output: captureOutput(),
  };
}

/** Restores the output and closes the stand-in, whose answers must all have been GitHub's. */
export async function closeBench({ server, dist, output }: ReleaseBench): Promise<void> {
  output.restore();
  await server.close();
  await dist.remove();
  expect(server.violations).toEqual([]);
}

/** The error a promise rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}
