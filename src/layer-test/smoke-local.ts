import { delimiter, join } from 'node:path';
import type { LayerZip } from '../dist.js';
import { runChecked } from '../exec.js';
import { LambdaSandbox } from '../emulator/sandbox.js';
import { checkEcho, checkErrorDocument, checkVersionLine, type SmokeResult } from './checks.js';
import { ECHO_HANDLER, FAILING_HANDLER, SMOKE_EVENT, expectedEchoResponse } from './smoke-task.js';

/** Lambda's /opt/bin and /opt/lib, pointed at the unzipped layer instead. */
const layerEnv = (layer: string): Record<string, string> => ({
  PATH: `${join(layer, 'bin')}${delimiter}${process.env.PATH ?? ''}`,
  LD_LIBRARY_PATH: join(layer, 'lib'),
});

async function invokeOnce(layer: string, taskRoot: string, handler: string) {
  const sandbox = await LambdaSandbox.start({
    bootstrap: join(layer, 'bootstrap'),
    taskRoot,
    handler,
    env: layerEnv(layer),
    timeoutSeconds: 10,
  });
  try {
    return await sandbox.invoke({ payload: SMOKE_EVENT });
  } finally {
    await sandbox.stop();
  }
}

/**
 * Smoke test of a local-builder zip, unzipped in `layer`: its jq runs with its own lib/, and its
 * bootstrap, under the project's Runtime API emulator, echoes an event byte for byte and reports
 * a failing handler as an error.
 */
export async function smokeTestLocal(
  zip: LayerZip,
  layer: string,
  taskRoot: string,
): Promise<SmokeResult> {
  const jq = await runChecked(join(layer, 'bin', 'jq'), ['--version'], {
    env: { ...process.env, ...layerEnv(layer) },
  });
  const jqVersion = checkVersionLine(zip.fileName, 'jq', jq.stdout, /^jq-\d/);
  const echo = await invokeOnce(layer, taskRoot, ECHO_HANDLER);
  if (echo.status !== 'success')
    throw new Error(
      `${zip.fileName}: the echo invocation ended in ${echo.status}: ${echo.payload.toString().slice(0, 300)}`,
    );
  const echoResponse = checkEcho(zip.fileName, expectedEchoResponse(SMOKE_EVENT), echo.payload);
  const failure = await invokeOnce(layer, taskRoot, FAILING_HANDLER);
  if (failure.status !== 'error')
    throw new Error(
      `${zip.fileName}: the failing handler's invocation ended in ${failure.status}, not error`,
    );
  const errorType = checkErrorDocument(zip.fileName, failure.payload);
  return { arch: zip.arch, zip: zip.fileName, jqVersion, echoResponse, errorType };
}
