import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A CPU quota of P% of one core for the runtime under measure, as Lambda gives a function CPU in
 * proportion to its memory (1,769 MB is one vCPU): a cgroup v1 `cpu` controller
 * (cpu.cfs_quota_us over cpu.cfs_period_us) or a cgroup v2 `cpu.max`, whichever is writable.
 */
export interface CpuQuota {
  /** What the runtime is started through: it joins the cgroup, then execs its arguments. */
  wrapper: string;
  /** 'cgroup v1' or 'cgroup v2', and the folder. */
  describe: string;
  remove(): void;
}

const PERIOD_US = 100_000;
const V1_ROOT = '/sys/fs/cgroup/cpu';
const V2_ROOT = '/sys/fs/cgroup';

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

/** Creates a cgroup limited to `percent` of one core and a wrapper script (in `work`) joining it. */
export function createCpuQuota(percent: number, work: string): CpuQuota {
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
  const wrapper = join(work, 'in-cpu-quota');
  writeFileSync(wrapper, `#!/bin/sh\necho $$ >'${join(dir, 'cgroup.procs')}' && exec "$@"\n`, {
    mode: 0o755,
  });
  return {
    wrapper,
    describe: `${version} at ${dir}: ${quota} us of CPU every ${PERIOD_US} us`,
    remove: () => {
      try {
        rmdirSync(dir);
      } catch {
        // a process still in it: the kernel refuses; it goes when the host reboots
      }
    },
  };
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
