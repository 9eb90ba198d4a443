import { formatBenchReport, runBench } from '../bench/run.js';
import { InputError } from '../errors.js';
import { stringOption, type Command } from './command.js';

const SHELLS = ['dash', 'bash', 'busybox sh', 'sh'];

function parseInvocations(value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value))
    throw new InputError('--invocations', value, 'a whole number from 1 to 9999999');
  return Number(value);
}

function parseShell(value: string): string {
  if (!SHELLS.includes(value))
    throw new InputError('--shell', value, `one of ${SHELLS.join(', ')}`);
  return value;
}

/** `bench`: the runtime against the floor, in ms and processes per invocation (see src/bench). */
export const benchCommand: Command = {
  name: 'bench',
  summary: 'Measure the runtime per invocation (ms, processes) against a bare curl --next loop',
  usage: [
    '  --invocations N  invocations per target (default 1000)',
    "  --shell SHELL    dash, bash, 'busybox sh' or sh (default dash)",
  ].join('\n'),
  options: {
    invocations: { type: 'string' },
    shell: { type: 'string' },
  },
  async run(values) {
    const report = await runBench({
      invocations: parseInvocations(stringOption(values, 'invocations', '1000')),
      shell: parseShell(stringOption(values, 'shell', 'dash')),
    });
    process.stdout.write(formatBenchReport(report));
    return report.runtime.answeredExactlyOnce ? 0 : 1;
  },
};
