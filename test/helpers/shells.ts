import { which } from '../../src/exec.js';

/** The shells the bootstrap must run under: Debian's /bin/sh, AL2023's /bin/sh, and busybox. */
export const shells = ['dash', 'bash', 'busybox sh'] as const;
export type Shell = (typeof shells)[number];

/** Throws, naming the package to install, when a shell is missing: a suite never skips one. */
export function assertShell(shell: Shell): void {
  const program = shell.split(' ')[0];
  if (!which(program)) {
    throw new Error(
      `${program} is not installed: the runtime tests run under ${shells.join(', ')} (apt-get install -y ${program}; .ci/run does it)`,
    );
  }
}
