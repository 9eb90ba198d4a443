import { which } from '../exec.js';

/**
 * Process counting as the benchmark defines it: every successful execve in the runtime's process
 * tree, recorded by `strace -f`. A fork without an exec (a subshell) is not a process launch.
 */

/** The strace binary, or a clear error naming how to get it. */
export function requireStrace(): string {
  const strace = which('strace');
  if (!strace)
    throw new Error(
      'strace is not installed: counting processes needs it (apt-get install -y strace)',
    );
  return strace;
}

/** A sandbox `shell` value that runs `<shell> <bootstrap>` under strace, tracing into traceFile. */
export function tracedShell(shell: string, traceFile: string): string {
  if (/\s/.test(traceFile))
    throw new Error(`the trace file path must have no spaces: ${traceFile}`);
  return `${requireStrace()} -f -qq -z -e trace=execve -e signal=none -o ${traceFile} ${shell}`;
}

/** Successful execve calls in an strace -f log (an interrupted call is counted once, when resumed). */
export function countExecs(trace: string): number {
  return trace
    .split('\n')
    .filter((line) => /(^\d+ +execve\(|<\.\.\. execve resumed>).* = 0$/.test(line)).length;
}
