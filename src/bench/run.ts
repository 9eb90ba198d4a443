import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '../exec.js';
import { paths } from '../paths.js';
import { createCpuQuota, type CpuQuota } from './cgroup.js';
import { FLOOR_BOOTSTRAP } from './floor.js';
import {
  countProcessesPerInvocation,
  benchEvent,
  timeInvocations,
  type BenchTarget,
  type Timing,
} from './measure.js';
import { requireStrace } from './strace.js';

/** The shells the bench can run the runtime under; 'bash as sh' is bash started as `sh`. */
export const BENCH_SHELLS = ['dash', 'bash', 'bash as sh', 'busybox sh'] as const;
export type BenchShell = (typeof BENCH_SHELLS)[number];

/** Bytes of an event or response that the bash transport carries itself (_lsr_tcp_limit). */
export const BASH_LIMIT = 65536;

export interface BenchOptions {
  /** Timed invocations per target (default 1000). */
  invocations: number;
  /** The shells to measure, in order. */
  shells: BenchShell[];
  /** Invocations traced with strace per target; default min(invocations, 200), strace being slow. */
  tracedInvocations?: number;
  /** Run the runtimes (not the emulator) under a CPU quota of this % of one core. */
  cpuPercent?: number;
  /** Bytes of the event each invocation gets (default 1024). */
  eventBytes?: number;
}

export type Transport = 'bash' | 'curl';

export interface BenchResult extends Timing {
  processesPerInvocation: number;
}

export interface PathReport {
  /** 'bash': the /dev/tcp transport (bash's default); 'curl': curl, as under dash and busybox. */
  transport: Transport;
  result: BenchResult;
  /** ms/invocation ÷ the floor's, under the same shell in the same run. */
  ratio: number;
}

export interface ShellReport {
  shell: BenchShell;
  floor: BenchResult;
  paths: PathReport[];
}

/** Processes per invocation of the bash transport at its limit and one byte over it. */
export interface Handover {
  /** Events of BASH_LIMIT and BASH_LIMIT + 1 bytes (small responses): over it, dd copies the event. */
  event: [number, number];
  /** Responses of BASH_LIMIT and BASH_LIMIT + 1 bytes (small events): over it, curl sends it. */
  response: [number, number];
}

export interface BenchReport {
  invocations: number;
  tracedInvocations: number;
  cpuPercent?: number;
  eventBytes?: number;
  /** How the CPU quota was applied, when it was. */
  quota?: string;
  shells: ShellReport[];
  handover?: Handover;
}

/** The targets: per transport, processes per invocation and the ratio to the floor. */
export const TARGETS: Record<Transport, { processesPerInvocation: number; ratio: number }> = {
  bash: { processesPerInvocation: 0, ratio: 0.5 },
  curl: { processesPerInvocation: 1, ratio: 1.15 },
};

const isBash = (shell: BenchShell) => shell === 'bash' || shell === 'bash as sh';

/**
 * Runs examples/function.sh under the real bootstrap, by each transport the shell has, and the
 * floor (a bare `curl --next` loop) against the same emulator, in the same run, and compares them.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  requireStrace();
  const tracedInvocations = options.tracedInvocations ?? Math.min(options.invocations, 200);
  const work = mkdtempSync(join(tmpdir(), 'lsr-bench-'));
  let quota: CpuQuota | undefined;
  try {
    if (options.cpuPercent !== undefined) quota = createCpuQuota(options.cpuPercent, work);
    const floorBootstrap = join(work, 'floor-bootstrap');
    writeFileSync(floorBootstrap, FLOOR_BOOTSTRAP);
    chmodSync(floorBootstrap, 0o755);
    const shells: ShellReport[] = [];
    for (const shell of options.shells) {
      const command = shellCommand(shell, work);
      const common = {
        shell: command,
        taskRoot: paths.examples,
        env: { TMPDIR: work },
        event: benchEvent(options.eventBytes ?? 1024),
      };
      const runtime = (transport: Transport): BenchTarget => ({
        ...common,
        bootstrap: paths.bootstrap,
        handler: 'function.handler',
        env: { ...common.env, LSR_HTTP: transport === 'curl' ? 'curl' : '' },
      });
      const transports: Transport[] = isBash(shell) ? ['bash', 'curl'] : ['curl'];
      const targets = [
        ...transports.map(runtime),
        { ...common, bootstrap: floorBootstrap, handler: 'none' },
      ];
      // Timed under the quota; counted without it (strace's own cost would fall in the quota).
      const timed = targets.map((target) =>
        quota ? { ...target, shell: `${quota.wrapper} ${target.shell}` } : target,
      );
      const timings = await timeInvocations(timed, options.invocations);
      const results: BenchResult[] = [];
      for (const [index, target] of targets.entries()) {
        const trace = join(work, `${shell.replace(/\W/g, '-')}-${index}.trace`);
        const processesPerInvocation = await countProcessesPerInvocation(
          target,
          tracedInvocations,
          trace,
        );
        results.push({ ...timings[index], processesPerInvocation });
      }
      const floor = results[results.length - 1];
      shells.push({
        shell,
        floor,
        paths: transports.map((transport, index) => ({
          transport,
          result: results[index],
          ratio: results[index].msPerInvocation / floor.msPerInvocation,
        })),
      });
    }
    const bash = options.shells.find(isBash);
    return {
      invocations: options.invocations,
      tracedInvocations,
      cpuPercent: options.cpuPercent,
      eventBytes: options.eventBytes,
      quota: quota?.describe,
      shells,
      handover: bash ? await measureHandover(shellCommand(bash, work), work) : undefined,
    };
  } finally {
    quota?.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

/** The sandbox `shell` value for a bench shell: 'bash as sh' is a link named sh to bash. */
function shellCommand(shell: BenchShell, work: string): string {
  if (shell !== 'bash as sh') return shell;
  const link = join(work, 'sh');
  rmSync(link, { force: true });
  symlinkSync(which('bash') ?? '/bin/bash', link);
  return link;
}

/**
 * Where the bash transport hands over to a process: processes per invocation, with a handler of
 * builtins only, for events and for responses of exactly BASH_LIMIT bytes and of one byte more.
 */
async function measureHandover(shell: string, work: string): Promise<Handover> {
  const taskRoot = join(work, 'handover-task');
  rmSync(taskRoot, { recursive: true, force: true });
  mkdirSync(taskRoot);
  // "size N" asks for a response of N bytes; any other event is answered with its length.
  writeFileSync(
    join(taskRoot, 'size.sh'),
    `handler() { IFS= read -r -d '' e || :; case $e in 'size '*) printf "%\${e#size }s" '' ;; *) printf '%s' "\${#e}" ;; esac; }\n`,
  );
  const count = (event: string) =>
    countProcessesPerInvocation(
      {
        shell,
        taskRoot,
        bootstrap: paths.bootstrap,
        handler: 'size.handler',
        env: { TMPDIR: work },
        event,
      },
      20,
      join(work, `handover-${event.length}.trace`),
    );
  return {
    event: [await count('e'.repeat(BASH_LIMIT)), await count('e'.repeat(BASH_LIMIT + 1))],
    response: [await count(`size ${BASH_LIMIT}`), await count(`size ${BASH_LIMIT + 1}`)],
  };
}

const verdict = (met: boolean) => (met ? 'met' : 'missed');

/** The report as a table, with the verdict on each target. */
export function formatBenchReport(report: BenchReport): string {
  const cpu =
    report.cpuPercent === undefined
      ? 'a full core'
      : `${report.cpuPercent}% of one core (${report.quota ?? 'quota'})`;
  const lines = [
    `lambda-shell-runtime bench: ${report.invocations} invocations of examples/function.sh with a ${report.eventBytes ?? 1024}-byte event per target, at ${cpu}; processes counted over ${report.tracedInvocations}`,
    '',
    `${'shell'.padEnd(11)} ${'transport'.padEnd(10)} ${'ms/invocation'.padStart(13)} ${'init ms'.padStart(8)} ${'processes'.padStart(9)} ${'ratio to floor'.padStart(14)}  targets`,
  ];
  const row = (
    shell: string,
    transport: string,
    result: BenchResult,
    ratio: string,
    note: string,
  ) =>
    `${shell.padEnd(11)} ${transport.padEnd(10)} ${result.msPerInvocation.toFixed(2).padStart(13)} ${result.initMs.toFixed(1).padStart(8)} ${result.processesPerInvocation.toFixed(2).padStart(9)} ${ratio.padStart(14)}  ${note}`;
  let exact = true;
  for (const { shell, floor, paths: measured } of report.shells) {
    for (const { transport, result, ratio } of measured) {
      const target = TARGETS[transport];
      exact &&= result.answeredExactlyOnce;
      lines.push(
        row(
          shell,
          transport,
          result,
          ratio.toFixed(3),
          `processes ${target.processesPerInvocation}: ${verdict(result.processesPerInvocation === target.processesPerInvocation)}; ratio <= ${target.ratio}: ${verdict(ratio <= target.ratio)}`,
        ),
      );
    }
    lines.push(row(shell, 'floor', floor, '1.000', 'one curl --next per invocation, no handler'));
  }
  lines.push('');
  if (report.handover) {
    const { event, response } = report.handover;
    lines.push(
      `bash transport hand-over, processes per invocation at ${BASH_LIMIT} and ${BASH_LIMIT + 1} bytes: events ${event[0]} and ${event[1]} (dd copies a larger one), responses ${response[0]} and ${response[1]} (curl sends a larger one)`,
    );
  }
  lines.push(
    `every invocation answered exactly once, for its own request id: ${exact ? 'yes' : 'NO'}`,
    '',
  );
  return lines.join('\n');
}

/** Whether every invocation of every runtime target was answered exactly once. */
export const answeredExactlyOnce = (report: BenchReport): boolean =>
  report.shells.every((shell) => shell.paths.every((path) => path.result.answeredExactlyOnce));
