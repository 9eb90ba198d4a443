import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  input?: string | Buffer;
  /** Copy the command's output live to our stderr (build logs), besides capturing it. */
  stream?: boolean;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Thrown by {@link runChecked}: names the command and carries its last stderr line. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const last = result.stderr.trim().split('\n').pop() ?? '';
    super(`${command} failed with exit code ${result.exitCode}${last ? `: ${last}` : ''}`);
    this.name = 'CommandError';
  }
}

/** Runs a command without a shell (arguments are never re-parsed) and captures its output. */
export function run(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: 'pipe',
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      if (options.stream) process.stderr.write(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr.push(chunk);
      if (options.stream) process.stderr.write(chunk);
    });
    child.on('error', reject);
    // A command that exits without reading its stdin (unzip, docker…) must not crash us with EPIPE.
    child.stdin.on('error', () => {});
    child.on('close', (code, signal) =>
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(stdout).toString(),
        stderr: Buffer.concat(stderr).toString(),
      }),
    );
    child.stdin.end(options.input ?? '');
  });
}

/** {@link run}, throwing a CommandError on a non-zero exit. */
export async function runChecked(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<RunResult> {
  const result = await run(command, args, options);
  if (result.exitCode !== 0) throw new CommandError([command, ...args].join(' '), result);
  return result;
}

/** The path of an executable on PATH, or undefined. */
export function which(command: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter).filter(Boolean)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}
