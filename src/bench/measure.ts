import { readFileSync } from 'node:fs';
import { LambdaSandbox } from '../emulator/sandbox.js';
import { countExecs, tracedShell } from './strace.js';

/** A runtime to measure: a bootstrap, its handler and task root, and the shell it runs under. */
export interface BenchTarget {
  bootstrap: string;
  taskRoot: string;
  handler: string;
  shell: string;
  env?: Record<string, string | undefined>;
  /** The event each invocation gets; default BENCH_EVENT. */
  event?: string;
}

export interface Timing {
  /** Bootstrap start → its first GET /next. */
  initMs: number;
  /** The median over blocks of invocations. */
  msPerInvocation: number;
  /** CPU time of the runtime's processes (shell, curl, handler), the median over blocks; when counted. */
  cpuMsPerInvocation?: number;
  /** Every invocation got exactly one answer, for its own request id, and no other was made. */
  answeredExactlyOnce: boolean;
}

/** A one-line JSON event of `bytes` bytes (at least 27). */
export const benchEvent = (bytes: number): string =>
  `{"bench":true,"payload":"${'x'.repeat(Math.max(0, bytes - 27))}"}`;
/** The default event: 1 KiB. */
export const BENCH_EVENT = benchEvent(1024);

async function invokeMany(
  sandbox: LambdaSandbox,
  invocations: number,
  event: string,
  ids: string[] = [],
): Promise<void> {
  for (let index = 0; index < invocations; index += 1) {
    const result = await sandbox.invoke({ payload: event });
    ids.push(result.requestId);
    if (result.status !== 'success')
      throw new Error(
        `invocation ${index} ended as ${result.status}: ${result.payload.toString()}`,
      );
  }
}

async function startTimed(
  target: BenchTarget,
): Promise<{ sandbox: LambdaSandbox; initMs: number }> {
  const started = performance.now();
  const sandbox = await LambdaSandbox.start({ ...target, timeoutSeconds: 60 });
  await sandbox.emulator.waitForNext();
  return { sandbox, initMs: performance.now() - started };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

/**
 * Init time and ms per invocation of each target over `invocations` sequential invokes. The
 * targets run side by side and take turns in blocks, and each reports its median block, so a
 * busy moment of the machine (other jobs on a shared runner) does not skew the comparison.
 * `cpuUsageNs` reads the CPU time of a cgroup every target's runtime runs in: while one target's
 * block runs the others wait for an event, using none, so each block's difference is its own.
 */
export async function timeInvocations(
  targets: BenchTarget[],
  invocations: number,
  blockSize = 50,
  cpuUsageNs?: () => number,
): Promise<Timing[]> {
  const started: { sandbox: LambdaSandbox; initMs: number }[] = [];
  try {
    for (const target of targets) started.push(await startTimed(target));
    const ids: string[][] = targets.map(() => []);
    for (const [index, { sandbox }] of started.entries())
      await invokeMany(sandbox, 1, targets[index].event ?? BENCH_EVENT, ids[index]); // warm-up
    const blocks: number[][] = targets.map(() => []);
    const cpuBlocks: number[][] = targets.map(() => []);
    for (let done = 0; done < invocations; done += blockSize) {
      const block = Math.min(blockSize, invocations - done);
      for (const [index, { sandbox }] of started.entries()) {
        const cpuBegin = cpuUsageNs?.() ?? 0;
        const begin = performance.now();
        await invokeMany(sandbox, block, targets[index].event ?? BENCH_EVENT, ids[index]);
        blocks[index].push((performance.now() - begin) / block);
        if (cpuUsageNs) cpuBlocks[index].push((cpuUsageNs() - cpuBegin) / 1e6 / block);
      }
    }
    return started.map(({ initMs, sandbox }, index) => ({
      initMs,
      msPerInvocation: median(blocks[index]),
      cpuMsPerInvocation: cpuUsageNs ? median(cpuBlocks[index]) : undefined,
      answeredExactlyOnce: answeredExactlyOnce(sandbox, ids[index]),
    }));
  } finally {
    await Promise.all(started.map(({ sandbox }) => sandbox.stop()));
  }
}

/** The answers the emulator received are one 202-accepted POST per id, in order. */
function answeredExactlyOnce(sandbox: LambdaSandbox, ids: string[]): boolean {
  const answers = sandbox.emulator.requests.filter((request) => request.method === 'POST');
  return (
    answers.length === ids.length &&
    answers.every(
      (request, index) => request.status === 202 && request.path.split('/')[4] === ids[index],
    )
  );
}

/**
 * Processes launched per invocation: the runtime runs under strace -f, and the execve calls made
 * while `invocations` events are served (after a warm-up, so init is not counted) are divided by
 * their number. Each answer's curl is launched before that invocation completes.
 */
export async function countProcessesPerInvocation(
  target: BenchTarget,
  invocations: number,
  traceFile: string,
): Promise<number> {
  const sandbox = await LambdaSandbox.start({
    ...target,
    shell: tracedShell(target.shell, traceFile),
    timeoutSeconds: 60,
  });
  try {
    const event = target.event ?? BENCH_EVENT;
    await invokeMany(sandbox, 1, event);
    const before = countExecs(readFileSync(traceFile, 'utf8'));
    await invokeMany(sandbox, invocations, event);
    const after = countExecs(readFileSync(traceFile, 'utf8'));
    return (after - before) / invocations;
  } finally {
    await sandbox.stop();
  }
}
