import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A CPU quota of P% of one core for the runtime under measure, as Lambda gives a function CPU in
 * proportion to its memory (1,769 MB is one vCPU): a cgroup v1 `cpu` controller
 * (cpu.cfs_quota_us over cpu.cfs_period_us) or a cgroup v2 `cpu.max`, whichever is writable.
 */
export interface CpuQuota {
  /** The cgroup's cgroup.procs: a process that writes its pid there joins it. */
  procs: string;
  /** 'cgroup v1' or 'cgroup v2', and the folder. */
  describe: string;
  /** The CPU its processes used so far, in ns (cgroup v2's cpu.stat); undefined under v1. */
  usageNs?: () => number;
  remove(): void;
}

/**
 * CPU time used by the processes under measure, from a cgroup they join: cgroup v1 `cpuacct`
 * (cpuacct.usage, ns). Wall time on a shared machine includes waiting for a core; CPU time
 * does not, so it is the steadier measure of what an invocation costs.
 */
export interface CpuAccount {
  procs: string;
  usageNs(): number;
  remove(): void;
}

const PERIOD_US = 100_000;
const V1_ROOT = '/sys/fs/cgroup/cpu';
const V2_ROOT = '/sys/fs/cgroup';
const V1_ACCOUNT_ROOT = '/sys/fs/cgroup/cpuacct';

export class CpuQuotaError extends Error {}

/** Runs `make`; false when the kernel or permissions refuse (not a CPU controller we can use). */
function attempt(make: () => void): boolean {
  try {
    make();
    return true;
  } catch {
    return false;
  }
}

/** Creates a cgroup limited to `percent` of one core. */
export function createCpuQuota(percent: number): CpuQuota {
  const quota = Math.round((percent / 100) * PERIOD_US);
  const name = `lambda-shell-runtime-bench-${process.pid}`;
  let dir = join(V1_ROOT, name);
  let version = 'cgroup v1';
  const v1 =
    existsSync(join(V1_ROOT, 'cpu.cfs_quota_us')) &&
    attempt(() => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
      writeFileSync(join(dir, 'cpu.cfs_quota_us'), String(quota));
    });
  const v2 =
    !v1 &&
    readIfExists(join(V2_ROOT, 'cgroup.controllers')).split(/\s+/).includes('cpu') &&
    attempt(() => {
      writeFileSync(join(V2_ROOT, 'cgroup.subtree_control'), '+cpu');
      dir = join(V2_ROOT, name);
      version = 'cgroup v2';
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
    });
  if (!v1 && !v2) {
    throw new CpuQuotaError(
      `--cpu-percent needs a writable CPU controller: neither cgroup v1 (${V1_ROOT}/cpu.cfs_quota_us) nor cgroup v2 (cpu in ${V2_ROOT}/cgroup.controllers, a writable ${V2_ROOT}/cgroup.subtree_control) is available here; run as root on a host (or a container with --cgroupns=host and a writable /sys/fs/cgroup)`,
    );
  }
  return {
    procs: join(dir, 'cgroup.procs'),
    describe: `${version} at ${dir}: ${quota} us of CPU every ${PERIOD_US} us`,
    usageNs: v2 ? () => v2UsageNs(dir) : undefined,
    remove: () => removeCgroup(dir),
  };
}

/** A cgroup v1 cpuacct group to count CPU time in, or undefined where there is none to write. */
export function createCpuAccount(): CpuAccount | undefined {
  const dir = join(V1_ACCOUNT_ROOT, `lambda-shell-runtime-bench-${process.pid}`);
  const usage = join(dir, 'cpuacct.usage');
  if (
    !existsSync(join(V1_ACCOUNT_ROOT, 'cpuacct.usage')) ||
    !attempt(() => mkdirSync(dir, { recursive: true }))
  )
    return undefined;
  return {
    procs: join(dir, 'cgroup.procs'),
    usageNs: () => Number(readFileSync(usage, 'utf8')),
    remove: () => removeCgroup(dir),
  };
}

/** A script (in `work`) that joins the cgroups whose cgroup.procs are given, then execs its arguments. */
export function writeCgroupWrapper(work: string, procs: string[]): string {
  const wrapper = join(work, 'in-cgroups');
  const joins = procs.map((file) => `echo $$ >'${file}' && `).join('');
  writeFileSync(wrapper, `#!/bin/sh\n${joins}exec "$@"\n`, { mode: 0o755 });
  return wrapper;
}

function v2UsageNs(dir: string): number {
  const usec = /^usage_usec (\d+)$/m.exec(readIfExists(join(dir, 'cpu.stat')))?.[1];
  return Number(usec ?? 0) * 1000;
}

function removeCgroup(dir: string): void {
  try {
    rmdirSync(dir);
  } catch {
    // a process still in it: the kernel refuses; it goes when the host reboots
  }
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
