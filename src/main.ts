import * as core from '@actions/core';
import { getInputs } from './context.js';
import { messageOf } from './errors.js';
import { actionOutputs } from './outputs.js';
import { PipelineError, type PipelineResult, runPipeline } from './pipeline.js';
import { writeJobSummary } from './summary.js';

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
