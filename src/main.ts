import * as core from '@actions/core';
import { getInputs } from './context.js';
import { messageOf } from './errors.js';
import { PipelineError, type PipelineResult, firstRegionArn, runPipeline } from './pipeline.js';
import { writeJobSummary } from './summary.js';

/** Every output of action.yml, from the pipeline's result. */
export function actionOutputs(result: PipelineResult): Record<string, string> {
  return {
    version: result.version,
    zips: JSON.stringify(result.zips.map((zip) => zip.path)),
    'layer-arns': JSON.stringify(result.published?.arns ?? {}),
    'layer-arn-arm64': firstRegionArn(result, 'arm64'),
    'layer-arn-amd64': firstRegionArn(result, 'amd64'),
    'sar-application-id': result.sar?.applicationId ?? '',
    'release-url': result.releaseUrl ?? '',
  };
}

/** The action: read and validate every input, run the steps, set the outputs, write the summary. */
export async function run(): Promise<void> {
  try {
    const inputs = getInputs((name) => core.getInput(name));
    const result = await runPipeline(inputs);
    for (const [name, value] of Object.entries(actionOutputs(result))) core.setOutput(name, value);
    await writeJobSummary(result);
  } catch (error) {
    // After a failed canary or SSM step, the summary still says what each region did.
    const partial = error instanceof PipelineError ? error.result : undefined;
    if (partial?.canary || partial?.ssm) await writeJobSummary(partial);
    core.setFailed(messageOf(error));
  }
}
