import {
  BENCH_SHELLS,
  answeredExactlyOnce,
  formatBenchReport,
  runBench,
  type BenchShell,
} from '../bench/run.js';
import { InputError } from '../errors.js';
import { stringOption, type Command } from './command.js';

function parseInvocations(value: string): number {
  if (!/^[1-9]\d{0,6}$/.test(value))
    throw new InputError('--invocations', value, 'a whole number from 1 to 9999999');
  return Number(value);
}

function parseShells(value: string): BenchShell[] {
  if (value === '') return [...BENCH_SHELLS];
  // `sh` was this flag's name for the system's sh; under test it is dash (Debian) or bash (AL2023).
  const shell = value === 'sh' ? 'bash as sh' : value;
  if (!(BENCH_SHELLS as readonly string[]).includes(shell))
    throw new InputError(
      '--shell',
      value,
      `one of ${BENCH_SHELLS.map((name) => `'${name}'`).join(', ')} (default: all)`,
    );
  return [shell as BenchShell];
}

function parseCpuPercent(value: string): number | undefined {
  if (value === '') return undefined;
  const percent = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || percent < 1 || percent > 100)
    throw new InputError(
      '--cpu-percent',
      value,
      'a number from 1 to 100 (% of one core; memory MB / 1769 x 100)',
    );
  return percent;
}

function parseEventBytes(value: string): number {
  if (!/^\d{2,7}$/.test(value) || Number(value) < 27 || Number(value) > 6 * 1024 * 1024)
    throw new InputError('--event-bytes', value, 'a whole number of bytes from 27 to 6291456');
  return Number(value);
}

/** `bench`: the runtime against the floor, in ms and processes per invocation (see src/bench). */
export const benchCommand: Command = {
  name: 'bench',
  summary:
    'Measure the runtime per invocation (ms, processes) by each transport against a bare curl --next loop',
  usage: [
    '  --invocations N    invocations per target (default 1000)',
    "  --shell SHELL      dash, bash, 'bash as sh' or 'busybox sh' (default: all four)",
    '  --cpu-percent P    run the runtimes under a CPU quota of P% of one core (cgroup v1 or v2),',
    '                     as Lambda gives a function of P x 17.69 MB',
    '  --event-bytes N    the size of each JSON event (default 1024)',
  ].join('\n'),
  options: {
    invocations: { type: 'string' },
    shell: { type: 'string' },
    'cpu-percent': { type: 'string' },
    'event-bytes': { type: 'string' },
  },
  async run(values) {
    const report = await runBench({
      invocations: parseInvocations(stringOption(values, 'invocations', '1000')),
      shells: parseShells(stringOption(values, 'shell')),
      cpuPercent: parseCpuPercent(stringOption(values, 'cpu-percent')),
      eventBytes: parseEventBytes(stringOption(values, 'event-bytes', '1024')),
    });
    process.stdout.write(formatBenchReport(report));
    return answeredExactlyOnce(report) ? 0 : 1;
  },
};
