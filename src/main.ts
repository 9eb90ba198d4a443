import * as core from '@actions/core';
import { getInputs } from './context.js';
import { messageOf } from './errors.js';
import { PipelineError, type PipelineResult, firstRegionArn, runPipeline } from './pipeline.js';
import { writeJobSummary } from './summary.js';

/**
 * Every output of action.yml, from the pipeline's result. A dry run's ARNs, application id and
 * release URL are placeholders: those outputs stay empty, and `plan` lists the calls instead.
 */
export function actionOutputs(result: PipelineResult): Record<string, string> {
  const real = (value: string): string => (result.dryRun ? '' : value);
  return {
    version: result.version,
    zips: JSON.stringify(result.zips.map((zip) => zip.path)),
    'layer-arns': real(JSON.stringify(result.published?.arns ?? {})),
    'layer-arn-arm64': real(firstRegionArn(result, 'arm64')),
    'layer-arn-amd64': real(firstRegionArn(result, 'amd64')),
    'layer-failures': JSON.stringify(result.published?.failed ?? []),
    'sar-application-id': real(result.sar?.applicationId ?? ''),
    'release-url': real(result.releaseUrl ?? ''),
    plan: (result.plan ?? []).join('\n'),
  };
}

const report = async (result: PipelineResult): Promise<void> => {
  for (const [name, value] of Object.entries(actionOutputs(result))) core.setOutput(name, value);
  await writeJobSummary(result);
};

/**
 * The action: read and validate every input, run the steps, set the outputs, write the summary.
 * A failed step still sets the outputs and the summary from what exists (a partial publish).
 */
export async function run(): Promise<void> {
  try {
    const inputs = getInputs((name) => core.getInput(name));
    await report(await runPipeline(inputs));
  } catch (error) {
    if (error instanceof PipelineError)
      await report(error.result).catch((reportError: unknown) =>
        core.warning(`could not set the outputs of the partial run: ${messageOf(reportError)}`),
      );
    core.setFailed(messageOf(error));
  }
}
