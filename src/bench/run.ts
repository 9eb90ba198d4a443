import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from '../exec.js';
import { paths } from '../paths.js';
import {
  createCpuAccount,
  createCpuQuota,
  writeCgroupWrapper,
  type CpuAccount,
  type CpuQuota,
} from './cgroup.js';
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

/**
 * What each invocation runs: 'example' is examples/function.sh (the targets' handler: it reads the
 * event with `read`, logs it and echoes it); 'no-op' is `handler() { :; }`, so its row is the
 * runtime's own cost, comparable with the floor, which runs no handler at all.
 */
export type BenchHandler = 'example' | 'no-op';

export interface BenchResult extends Timing {
  processesPerInvocation: number;
}

export interface PathReport {
  /** 'bash': the /dev/tcp transport (bash's default); 'curl': curl, as under dash and busybox. */
  transport: Transport;
  handler: BenchHandler;
  result: BenchResult;
  /** ms/invocation ÷ the floor's, under the same shell in the same run. */
  ratio: number;
  /** CPU ms/invocation ÷ the floor's, when CPU time was counted. */
  cpuRatio?: number;
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

/** The no-op handler's file, in its own task root. */
const NO_OP_HANDLER = 'handler() { :; }\n';

/**
 * Runs examples/function.sh and a no-op handler under the real bootstrap, by each transport the
 * shell has, and the floor (a bare `curl --next` loop) against the same emulator, in the same run,
 * and compares them.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  requireStrace();
  const tracedInvocations = options.tracedInvocations ?? Math.min(options.invocations, 200);
  const work = mkdtempSync(join(tmpdir(), 'lsr-bench-'));
  let quota: CpuQuota | undefined;
  let account: CpuAccount | undefined;
  try {
    if (options.cpuPercent !== undefined) quota = createCpuQuota(options.cpuPercent);
    if (!quota?.usageNs) account = createCpuAccount();
    const cpuUsageNs = quota?.usageNs ?? account?.usageNs;
    const procs = [quota?.procs, account?.procs].filter((file): file is string => !!file);
    const wrapper = procs.length ? writeCgroupWrapper(work, procs) : undefined;
    const floorBootstrap = join(work, 'floor-bootstrap');
    writeFileSync(floorBootstrap, FLOOR_BOOTSTRAP);
    chmodSync(floorBootstrap, 0o755);
    const noOpTask = join(work, 'no-op-task');
    mkdirSync(noOpTask);
    writeFileSync(join(noOpTask, 'no-op.sh'), NO_OP_HANDLER);
    const shells: ShellReport[] = [];
    for (const shell of options.shells) {
      const command = shellCommand(shell, work);
      const slug = shell.replace(/\W/g, '-');
      const common = {
        shell: command,
        taskRoot: paths.examples,
        event: benchEvent(options.eventBytes ?? 1024),
      };
      const transports: Transport[] = isBash(shell) ? ['bash', 'curl'] : ['curl'];
      const runs = (['example', 'no-op'] as const).flatMap((handler) =>
        transports.map((transport) => ({ transport, handler })),
      );
      const runtime = ({ transport, handler }: (typeof runs)[number]): BenchTarget => ({
        ...common,
        bootstrap: paths.bootstrap,
        ...(handler === 'example'
          ? { handler: 'function.handler' }
          : { handler: 'no-op.handler', taskRoot: noOpTask }),
        env: { LSR_HTTP: transport === 'curl' ? 'curl' : '' },
      });
      // Each target its own TMPDIR, as each Lambda environment has its own /tmp: runtimes side
      // by side in one would clear and share one fixed working directory.
      const targets = [
        ...runs.map(runtime),
        { ...common, bootstrap: floorBootstrap, handler: 'none' },
      ].map((target, index) => ({
        ...target,
        env: { ...target.env, TMPDIR: ownDir(work, `${slug}-tmp-${index}`) },
      }));
      // Timed in the cgroups (quota, CPU count); processes counted outside them (strace's own
      // cost would fall in the quota).
      const timed = targets.map((target) =>
        wrapper ? { ...target, shell: `${wrapper} ${target.shell}` } : target,
      );
      const timings = await timeInvocations(timed, options.invocations, 50, cpuUsageNs);
      const results: BenchResult[] = [];
      for (const [index, target] of targets.entries()) {
        const trace = join(work, `${slug}-${index}.trace`);
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
        paths: runs.map(({ transport, handler }, index) => ({
          transport,
          handler,
          result: results[index],
          ratio: results[index].msPerInvocation / floor.msPerInvocation,
          cpuRatio:
            results[index].cpuMsPerInvocation !== undefined && floor.cpuMsPerInvocation
              ? results[index].cpuMsPerInvocation / floor.cpuMsPerInvocation
              : undefined,
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
    account?.remove();
    rmSync(work, { recursive: true, force: true });
  }
}

/** A new empty folder `name` in `work`. */
function ownDir(work: string, name: string): string {
  const dir = join(work, name);
  mkdirSync(dir);
  return dir;
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
    `lambda-shell-runtime bench: ${report.invocations} invocations per target with a ${report.eventBytes ?? 1024}-byte event, at ${cpu}; processes counted over ${report.tracedInvocations}`,
    'handler example: examples/function.sh (reads the event with read, logs it, echoes it), the one the targets name; no-op: handler() { :; }, the runtime alone',
    '',
    `${'shell'.padEnd(11)} ${'transport'.padEnd(10)} ${'handler'.padEnd(8)} ${'ms/invocation'.padStart(13)} ${'init ms'.padStart(8)} ${'processes'.padStart(9)} ${'ratio to floor'.padStart(14)} ${'cpu ms'.padStart(7)} ${'cpu ratio'.padStart(9)}  targets (on ms/invocation)`,
  ];
  const fixed = (value: number | undefined, digits: number) =>
    value === undefined ? '-' : value.toFixed(digits);
  const row = (
    shell: string,
    transport: string,
    handler: string,
    result: BenchResult,
    ratio: string,
    cpuRatio: string,
    note: string,
  ) =>
    `${shell.padEnd(11)} ${transport.padEnd(10)} ${handler.padEnd(8)} ${result.msPerInvocation.toFixed(2).padStart(13)} ${result.initMs.toFixed(1).padStart(8)} ${result.processesPerInvocation.toFixed(2).padStart(9)} ${ratio.padStart(14)} ${fixed(result.cpuMsPerInvocation, 2).padStart(7)} ${cpuRatio.padStart(9)}  ${note}`;
  let exact = true;
  for (const { shell, floor, paths: measured } of report.shells) {
    for (const { transport, handler, result, ratio, cpuRatio } of measured) {
      const target = TARGETS[transport];
      exact &&= result.answeredExactlyOnce;
      lines.push(
        row(
          shell,
          transport,
          handler,
          result,
          ratio.toFixed(3),
          fixed(cpuRatio, 3),
          `processes ${target.processesPerInvocation}: ${verdict(result.processesPerInvocation === target.processesPerInvocation)}; ratio <= ${target.ratio}: ${verdict(ratio <= target.ratio)}${handler === 'no-op' ? ' (the runtime alone)' : ''}`,
        ),
      );
    }
    const floorCpu = floor.cpuMsPerInvocation === undefined ? '-' : '1.000';
    lines.push(
      row(
        shell,
        'floor',
        '-',
        floor,
        '1.000',
        floorCpu,
        'one curl --next per invocation, no handler',
      ),
    );
  }
  lines.push('');
  if (report.handover) {
    const { event, response } = report.handover;
    lines.push(
      `bash transport hand-over, processes per invocation at ${BASH_LIMIT} and ${BASH_LIMIT + 1} bytes: events ${event[0]} and ${event[1]} (dd copies a larger one), responses ${response[0]} and ${response[1]} (curl sends a larger one)`,
    );
  }
  lines.push(
    report.shells.some((shell) => shell.floor.cpuMsPerInvocation !== undefined)
      ? "cpu ms: CPU time of the runtime's processes (shell, curl, handler) per invocation, from cgroup accounting: steadier than ms/invocation on a shared machine"
      : 'cpu ms: not counted (no writable cgroup v1 cpuacct, nor a cgroup v2 quota)',
    `every invocation answered exactly once, for its own request id: ${exact ? 'yes' : 'NO'}`,
    '',
  );
  return lines.join('\n');
}

/** Whether every invocation of every runtime target was answered exactly once. */
export const answeredExactlyOnce = (report: BenchReport): boolean =>
  report.shells.every((shell) => shell.paths.every((path) => path.result.answeredExactlyOnce));
