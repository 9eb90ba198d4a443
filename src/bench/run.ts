import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../paths.js';
import { FLOOR_BOOTSTRAP } from './floor.js';
import {
  countProcessesPerInvocation,
  timeInvocations,
  type BenchTarget,
  type Timing,
} from './measure.js';
import { requireStrace } from './strace.js';

export interface BenchOptions {
  /** Timed invocations per target (default 1000). */
  invocations: number;
  /** The shell the bootstraps run under (default dash, Debian's and the CI's /bin/sh). */
  shell: string;
  /** Invocations traced with strace per target; default min(invocations, 200), strace being slow. */
  tracedInvocations?: number;
}

export interface BenchResult extends Timing {
  processesPerInvocation: number;
}

export interface BenchReport {
  invocations: number;
  tracedInvocations: number;
  shell: string;
  runtime: BenchResult;
  floor: BenchResult;
  /** runtime ms/invocation ÷ floor ms/invocation. */
  ratio: number;
}

/** The targets: one process per invocation, and within 1.15× of the floor. */
export const TARGET = { processesPerInvocation: 1, ratio: 1.15 };

/**
 * Runs the example function under the real bootstrap and the floor (a bare `curl --next` loop)
 * against the same emulator, in the same run, and compares them.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  requireStrace();
  const settings: Required<BenchOptions> = {
    ...options,
    tracedInvocations: options.tracedInvocations ?? Math.min(options.invocations, 200),
  };
  const work = mkdtempSync(join(tmpdir(), 'lsr-bench-'));
  try {
    const floorBootstrap = join(work, 'floor-bootstrap');
    writeFileSync(floorBootstrap, FLOOR_BOOTSTRAP);
    chmodSync(floorBootstrap, 0o755);
    const common = { shell: options.shell, taskRoot: paths.examples, env: { TMPDIR: work } };
    const runtimeTarget = { ...common, bootstrap: paths.bootstrap, handler: 'function.handler' };
    const floorTarget = { ...common, bootstrap: floorBootstrap, handler: 'none' };
    const [runtimeTiming, floorTiming] = await timeInvocations(
      [runtimeTarget, floorTarget],
      settings.invocations,
    );
    const count = (target: BenchTarget, name: string) =>
      countProcessesPerInvocation(target, settings.tracedInvocations, join(work, `${name}.trace`));
    const runtime = {
      ...runtimeTiming,
      processesPerInvocation: await count(runtimeTarget, 'runtime'),
    };
    const floor = { ...floorTiming, processesPerInvocation: await count(floorTarget, 'floor') };
    return {
      invocations: settings.invocations,
      tracedInvocations: settings.tracedInvocations,
      shell: options.shell,
      runtime,
      floor,
      ratio: runtime.msPerInvocation / floor.msPerInvocation,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const row = (name: string, result: BenchResult): string =>
  `${name.padEnd(9)} ${result.msPerInvocation.toFixed(2).padStart(14)} ${result.initMs.toFixed(1).padStart(8)} ${result.processesPerInvocation.toFixed(2).padStart(22)}`;

/** The report as a small table with the verdict on each target. */
export function formatBenchReport(report: BenchReport): string {
  const processesMet = report.runtime.processesPerInvocation === TARGET.processesPerInvocation;
  const ratioMet = report.ratio <= TARGET.ratio;
  return [
    `lambda-shell-runtime bench: ${report.invocations} invocations of examples/function.sh under ${report.shell} (processes counted over ${report.tracedInvocations})`,
    '',
    `${'target'.padEnd(9)} ${'ms/invocation'.padStart(14)} ${'init ms'.padStart(8)} ${'processes/invocation'.padStart(22)}`,
    row('runtime', report.runtime),
    row('floor', report.floor),
    '',
    `ratio runtime/floor: ${report.ratio.toFixed(3)} (target <= ${TARGET.ratio}: ${ratioMet ? 'met' : 'missed'})`,
    `processes per invocation: ${report.runtime.processesPerInvocation} (target ${TARGET.processesPerInvocation}: ${processesMet ? 'met' : 'missed'})`,
    `each of ${report.invocations + 1} invocations answered exactly once: ${report.runtime.answeredExactlyOnce ? 'yes' : 'NO'}`,
    '',
  ].join('\n');
}
