import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostArchitecture } from '../platform.js';
import { INPUT_DEFAULTS, getInputs } from '../context.js';
import { packageRoot } from '../paths.js';
import { actionOutputs } from '../outputs.js';
import { PipelineError, type PipelineResult, runPipeline } from '../pipeline.js';
import { textSummary } from '../summary.js';
import type { Command } from './command.js';

const packageVersion = (): string =>
  (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string })
    .version;

/**
 * The embedded defaults of `npm start`: the whole release rehearsed on this machine with the local
 * builder, every remote call only planned — no AWS account, no Docker, no GitHub needed.
 */
export const embeddedDefaults = (): Record<string, string> => ({
  version: packageVersion(),
  builder: 'local',
  architectures: hostArchitecture() ?? process.arch,
  'dry-run': 'true',
  regions: 'us-east-1,eu-west-1,ap-southeast-2',
  share: 'public',
  's3-bucket': 'lambda-shell-runtime-sar-{region}',
  'ssm-prefix': INPUT_DEFAULTS['ssm-prefix'],
});

// The token is read from GITHUB_TOKEN, never from a flag that other users could see in `ps`.
const inputNames = Object.keys(INPUT_DEFAULTS).filter((name) => name !== 'github-token');

export const runCommand: Command = {
  name: 'run',
  summary:
    "Run the action's whole pipeline (build, test, release, publish, canary, ssm, sar); by default a local dry run",
  usage: [
    ...inputNames.map((name) => `  --${name.padEnd(16)} the action input "${name}"`),
    '',
    'Defaults (what `npm start` runs): a dry run with the local builder for the host architecture,',
    'every remote call printed as a plan. Pass --dry-run false --builder docker to release for real.',
  ].join('\n'),
  options: Object.fromEntries(inputNames.map((name) => [name, { type: 'string' as const }])),
  async run(values) {
    const defaults = embeddedDefaults();
    const read = (name: string): string => {
      if (name === 'github-token') return process.env.GITHUB_TOKEN ?? '';
      const flag = values[name];
      return typeof flag === 'string' ? flag : (defaults[name] ?? '');
    };
    const report = (result: PipelineResult): void => {
      process.stderr.write(textSummary(result));
      process.stdout.write(`${JSON.stringify(actionOutputs(result), null, 2)}\n`);
    };
    // A failed step still reports what exists (a partial publish's ARNs), as the action does.
    report(
      await runPipeline(getInputs(read)).catch((error: unknown) => {
        if (error instanceof PipelineError) report(error.result);
        throw error;
      }),
    );
    return 0;
  },
};
