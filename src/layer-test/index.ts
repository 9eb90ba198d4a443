import { rm } from 'node:fs/promises';
import { readLayerZips, readManifest, type LayerZip } from '../dist.js';
import type { Builder } from '../domain.js';
import { log } from '../log.js';
import { checkDocker, ensureEmulation } from '../docker.js';
import type { SmokeResult } from './checks.js';
import { findShellcheck, runShellcheck, shellFiles, type ShellcheckFinding } from './shellcheck.js';
import { smokeTestDocker } from './smoke-docker.js';
import { smokeTestLocal } from './smoke-local.js';
import { createSmokeTaskRoot } from './smoke-task.js';
import { unzipLayer } from './unzip-layer.js';

export interface LayerTestOptions {
  distDir: string;
  /** Default: the version in manifest.json. */
  version?: string;
  /** A runner's tool cache is there: shellcheck may be installed into it when missing. */
  toolCache?: boolean;
}

export interface LayerTestReport {
  shellcheck: { files: string[]; findings: ShellcheckFinding[] };
  smoke: SmokeResult[];
  /** The example function's answer to the smoke event (the first zip's). */
  exampleResponse?: string;
}

/** shellcheck of runtime/bootstrap and examples/*.sh; any finding fails the step. */
async function lintShell(toolCache: boolean): Promise<LayerTestReport['shellcheck']> {
  return log.group('shellcheck -s sh', async () => {
    const files = await shellFiles();
    const findings = await runShellcheck(await findShellcheck(toolCache), files);
    if (findings.length > 0)
      throw new Error(
        `shellcheck found ${findings.length} problem(s) in ${[...new Set(findings.map((f) => f.file))].join(', ')}`,
      );
    log.info(`shellcheck: ${files.join(', ')} clean`);
    return { files, findings };
  });
}

/** One zip, unzipped as Lambda would: in the Lambda image (docker) or under our emulator (local). */
async function smokeTest(
  zip: LayerZip,
  builder: Builder,
  taskRoot: string,
  daemonArch: string,
): Promise<SmokeResult> {
  const layer = await unzipLayer(zip);
  try {
    if (builder === 'local') return await smokeTestLocal(zip, layer, taskRoot);
    await ensureEmulation(zip.arch, daemonArch);
    return await smokeTestDocker(zip, { arch: zip.arch, layer, taskRoot });
  } finally {
    await rm(layer, { recursive: true, force: true });
  }
}

/**
 * The test step: shellcheck, then a smoke test of every zip in the dist folder, in AWS's
 * provided.al2023 image for Docker-built zips, under the project's emulator for local ones
 * (manifest.json says which). Throws with a message naming the zip and what failed.
 */
export async function testLayers(options: LayerTestOptions): Promise<LayerTestReport> {
  const manifest = await readManifest(options.distDir);
  const zips = await readLayerZips(options.distDir, options.version ?? manifest.version);
  const shellcheck = await lintShell(options.toolCache ?? false);
  const daemonArch = manifest.builder === 'docker' ? await checkDocker() : '';
  const taskRoot = await createSmokeTaskRoot();
  const smoke: SmokeResult[] = [];
  try {
    for (const zip of zips) {
      const result = await log.group(`smoke test ${zip.fileName}`, () =>
        smokeTest(zip, manifest.builder, taskRoot, daemonArch),
      );
      const versions = [result.awsVersion, result.jqVersion].filter(Boolean).join(', ');
      log.info(`${result.zip}: ${versions}; echo ok; error invocation → ${result.errorType}`);
      smoke.push(result);
    }
  } finally {
    await rm(taskRoot, { recursive: true, force: true });
  }
  return { shellcheck, smoke, exampleResponse: smoke[0]?.echoResponse };
}
