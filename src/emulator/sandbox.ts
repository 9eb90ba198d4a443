import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { paths } from '../paths.js';
import { lambdaEnvironment } from './environment.js';
import { errorEnding, timeoutEnding } from './invocation.js';
import { RuntimeApiEmulator } from './runtime-api.js';
import type { EmulatorOptions, Ending, InvocationResult, InvokeOptions } from './types.js';

export interface SandboxOptions extends EmulatorOptions {
  /** Path of the bootstrap; default runtime/bootstrap of this package. */
  bootstrap?: string;
  /** LAMBDA_TASK_ROOT, and the bootstrap's working directory. */
  taskRoot: string;
  /** _HANDLER. */
  handler: string;
  /** Run as `<shell> <bootstrap>` ('dash', 'bash', 'busybox sh'); default: exec the bootstrap. */
  shell?: string;
  /** AWS_LAMBDA_RUNTIME_API from the emulator's host:port; default that address itself. */
  runtimeApi?: (address: string) => string;
  /** Extra or overriding environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Lambda's init phase limit (10 s on demand): a runtime that never asks for an event is killed. */
  initTimeoutSeconds?: number;
  /** The bootstrap's output, live. */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
}

export interface ExitStatus {
  code: number | null;
  signal: string | null;
  /** Why the bootstrap could not be started at all (not found, not executable). */
  error?: string;
}

/** One bootstrap process: an execution environment's runtime. */
interface Runtime {
  child: ChildProcess;
  exit: Promise<ExitStatus>;
  initTimer?: NodeJS.Timeout;
  /** Why we killed it, when we did. */
  killedFor?: 'timeout' | 'init-timeout' | 'stop';
}

/**
 * A bootstrap under the Runtime API emulator, as in a Lambda execution environment: Lambda's
 * environment variables, the function timeout enforced by killing the runtime's process group,
 * and a fresh runtime (a new init) for the next event after a timeout or a crash.
 */
export class LambdaSandbox {
  private runtime?: Runtime;
  private last?: Runtime;
  private stopped = false;
  private startCount = 0;
  private leftoverProcesses: LeftoverProcess[] = [];
  private readonly out: Buffer[] = [];
  private readonly err: Buffer[] = [];
  /**
   * The sandbox's own /tmp, kept across runtime restarts and removed on stop, as Lambda gives each
   * execution environment its own: runtimes in parallel sandboxes never share a working directory.
   * Not made when the caller sets TMPDIR itself.
   */
  private readonly ownTmp?: string;

  private constructor(
    readonly emulator: RuntimeApiEmulator,
    private readonly options: SandboxOptions,
  ) {
    if (!options.env || !('TMPDIR' in options.env))
      this.ownTmp = mkdtempSync(join(tmpdir(), 'lsr-sandbox-tmp-'));
  }

  /** Starts the emulator and the bootstrap (its init runs right away). */
  static async start(options: SandboxOptions): Promise<LambdaSandbox> {
    const emulator = await RuntimeApiEmulator.start(options);
    const sandbox = new LambdaSandbox(emulator, options);
    emulator.on('timeout', () => sandbox.kill('timeout'));
    sandbox.spawnRuntime();
    return sandbox;
  }

  /**
   * How many times a runtime was started: 1 unless one exited (a crash, a timeout) and the
   * sandbox started another, which would hide a runtime that dies after each invocation.
   */
  get starts(): number {
    return this.startCount;
  }

  /** The pid of the current (or last) bootstrap process. */
  get pid(): number | undefined {
    return (this.runtime ?? this.last)?.child.pid;
  }

  /** Processes still in the last runtime's process group after it exited (see EXIT_GRACE_MS). */
  get leftovers(): LeftoverProcess[] {
    return this.leftoverProcesses;
  }

  get stdout(): Buffer {
    return Buffer.concat(this.out);
  }

  get stderr(): Buffer {
    return Buffer.concat(this.err);
  }

  /** Sends one event; starts a fresh runtime first if the last one is gone. */
  invoke(options?: InvokeOptions): Promise<InvocationResult> {
    const result = this.emulator.invoke(options);
    if (!this.runtime && !this.stopped && !this.emulator.initError()) this.spawnRuntime();
    return result;
  }

  /** The exit of the current (or last) bootstrap process. */
  exited(): Promise<ExitStatus> {
    const runtime = this.runtime ?? this.last;
    return runtime ? runtime.exit : Promise.resolve({ code: null, signal: null });
  }

  /** Kills the runtime's process group and closes the emulator. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    const runtime = this.runtime;
    if (runtime) {
      this.kill('stop');
      await runtime.exit;
    }
    await this.emulator.close();
    if (this.ownTmp) rmSync(this.ownTmp, { recursive: true, force: true });
  }

  private spawnRuntime(): void {
    const { options } = this;
    const bootstrap = options.bootstrap ?? paths.bootstrap;
    const [command, ...args] = options.shell
      ? [...options.shell.trim().split(/\s+/), bootstrap]
      : [bootstrap];
    const { address } = this.emulator;
    const runtimeApi = options.runtimeApi?.(address) ?? address;
    const env = lambdaEnvironment({
      ...options,
      env: this.ownTmp ? { ...options.env, TMPDIR: this.ownTmp } : options.env,
      bootstrap,
      runtimeApi,
    });
    // Its own process group, so a timeout kills the handler's children too.
    const child = spawn(command, args, {
      cwd: options.taskRoot,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      this.out.push(chunk);
      options.onStdout?.(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.err.push(chunk);
      options.onStderr?.(chunk);
    });
    const exited = new Promise<ExitStatus>((resolve) => {
      child.once('exit', (code, signal) => resolve({ code, signal }));
      child.once('error', (error) => resolve({ code: null, signal: null, error: error.message }));
    });
    this.startCount += 1;
    // exited() resolves once the leftovers are known, so a caller reads them right after.
    const runtime: Runtime = {
      child,
      exit: exited.then(async (status) => {
        await this.ended(runtime, status);
        return status;
      }),
    };
    this.runtime = runtime;
    this.last = runtime;
    const initSeconds = options.initTimeoutSeconds ?? 10;
    runtime.initTimer = setTimeout(() => {
      if (this.runtime === runtime && !this.emulator.initialized) this.kill('init-timeout');
    }, initSeconds * 1000);
    // Only a guard: it must not keep a process alive whose runtime finished init long ago.
    runtime.initTimer.unref();
  }

  /** Kills the current runtime's whole process group; the emulator forgets its pollers at once. */
  private kill(why: NonNullable<Runtime['killedFor']>): void {
    const runtime = this.runtime;
    if (!runtime) return;
    runtime.killedFor = why;
    killGroup(runtime.child);
    this.detach(runtime, `signal: killed`);
  }

  /** The runtime is gone (or as good as): end what it was running, maybe start the next. */
  private detach(runtime: Runtime, exitText: string, errorType = 'Runtime.ExitError'): void {
    if (this.runtime !== runtime) return;
    clearTimeout(runtime.initTimer);
    this.runtime = undefined;
    const initialized = this.emulator.initialized;
    const failed = (requestId: string): Ending => exitError(requestId, exitText, errorType);
    this.emulator.resetEnvironment(failed);
    if (this.stopped || this.emulator.initError()) return;
    if (runtime.killedFor === 'init-timeout') {
      const seconds = (this.options.initTimeoutSeconds ?? 10).toFixed(2);
      this.emulator.failQueued((requestId) =>
        timeoutEnding(requestId, `Init timed out after ${seconds} seconds`),
      );
    } else if (!initialized && runtime.killedFor !== 'timeout') {
      // It died in init: the waiting events fail, as the invoke that triggered init does on Lambda.
      this.emulator.failQueued(failed);
    } else if (this.emulator.queued > 0) {
      this.spawnRuntime();
    }
  }

  private async ended(runtime: Runtime, status: ExitStatus): Promise<void> {
    if (runtime.child.pid !== undefined)
      this.leftoverProcesses = await settledGroup(runtime.child.pid);
    // Whatever it left behind (background jobs of a handler) goes with it, as the sandbox would.
    killGroup(runtime.child);
    // 'exit' can come before the last of its output: collect that first, so that a caller of
    // exited() reads all of it (a process outside the group that holds a pipe is not waited for).
    await Promise.all([closed(runtime.child.stdout), closed(runtime.child.stderr)]);
    if (status.error) {
      this.err.push(Buffer.from(`${status.error}\n`));
      return this.detach(runtime, status.error, 'Runtime.InvalidEntrypoint');
    }
    const text = status.signal ? `signal: ${status.signal}` : `exit status ${status.code}`;
    this.detach(runtime, text);
  }
}

export interface LeftoverProcess {
  pid: number;
  command: string;
}

/** The live (not zombie) processes of process group `group`, read from /proc. */
export function processesInGroup(group: number): LeftoverProcess[] {
  const found: LeftoverProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || Number(fields[2]) !== group) continue;
      const command = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      if (!command) continue; // exiting: its memory, and so its command line, is already gone
      found.push({ pid: Number(entry), command });
    } catch {
      // gone while we looked
    }
  }
  return found;
}

/**
 * A process that was signalled as the runtime exited may need a moment to be scheduled and die:
 * the group counts as left behind only when processes are still in it EXIT_GRACE_MS later.
 */
const EXIT_GRACE_MS = 250;

async function settledGroup(group: number): Promise<LeftoverProcess[]> {
  const deadline = Date.now() + EXIT_GRACE_MS;
  let found = processesInGroup(group);
  while (found.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    found = processesInGroup(group);
  }
  return found;
}

/** How long the output of a runtime that exited may take to arrive: past that, it is not waited for. */
const OUTPUT_GRACE_MS = 1000;

/** Resolves when `stream` is closed, or OUTPUT_GRACE_MS from now. */
function closed(stream: Readable | null): Promise<void> {
  if (!stream || stream.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, OUTPUT_GRACE_MS);
    stream.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

/** What Lambda answers when the runtime process exits during an invocation. */
const exitError = (requestId: string, exitText: string, errorType: string): Ending =>
  errorEnding(
    requestId,
    errorType,
    JSON.stringify({
      errorType,
      errorMessage:
        errorType === 'Runtime.ExitError'
          ? `RequestId: ${requestId} Error: Runtime exited with error: ${exitText}`
          : `RequestId: ${requestId} Error: ${exitText}`,
    }),
  );
