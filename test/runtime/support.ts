import { AsyncLocalStorage } from 'node:async_hooks';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  LambdaSandbox,
  processesInGroup,
  type ExitStatus,
  type SandboxOptions,
} from '../../src/emulator/sandbox.js';
import { which } from '../../src/exec.js';
import { paths } from '../../src/paths.js';
import { assertShell, shells } from '../helpers/shells.js';

/** The shells the runtime tests run the bootstrap under: shells.ts's, and bash started as `sh`
 * (POSIX mode: how provided.al2023 runs `#!/bin/sh`). */
export const runtimeShells = [...shells, 'bash as sh'] as const;
export type RuntimeShell = (typeof runtimeShells)[number];

/** Handler files keyed by their name in the task root; a leading `#!` file is made executable. */
export type TaskFiles = Record<string, string | { content: string | Buffer; mode: number }>;

/**
 * One runtime test's world: a task root with the handler files, a private TMPDIR for the
 * bootstrap's temp dir, and every sandbox started through it, all removed by `cleanup()`.
 */
export class RuntimeFixture {
  readonly root = mkdtempSync(join(tmpdir(), 'lsr-runtime-'));
  readonly taskRoot = join(this.root, 'task');
  readonly tmp = join(this.root, 'tmp');
  private readonly sandboxes: LambdaSandbox[] = [];
  private readonly expectedStarts = new Map<LambdaSandbox, number>();
  /** What the sandbox runs: the shell's name, or for bash as sh a link named sh to bash. */
  readonly command: string;

  constructor(readonly shell: RuntimeShell) {
    assertShell(shell === 'bash as sh' ? 'bash' : shell);
    mkdirSync(this.taskRoot);
    mkdirSync(this.tmp);
    this.command = shell;
    if (shell === 'bash as sh') {
      this.command = join(this.root, 'sh');
      symlinkSync(which('bash')!, this.command);
    }
  }

  /** A sandbox whose runtime is meant to be started `count` times (a crash test); default 1. */
  expectStarts(sandbox: LambdaSandbox, count: number): void {
    this.expectedStarts.set(sandbox, count);
  }

  /**
   * Why a sandbox started its runtime other than as often as expected (once by default), if one
   * did: a runtime that dies and is restarted by the sandbox cannot pass a test.
   */
  unexpectedStarts(): string | undefined {
    for (const [index, sandbox] of this.sandboxes.entries()) {
      const expected = this.expectedStarts.get(sandbox) ?? 1;
      if (sandbox.starts !== expected)
        return `sandbox ${index + 1}: the runtime was started ${sandbox.starts} times, expected ${expected}\n${text(sandbox.stderr)}`;
    }
    return undefined;
  }

  write(files: TaskFiles): this {
    for (const [name, file] of Object.entries(files)) {
      const path = join(this.taskRoot, name);
      if (typeof file === 'string') {
        writeFileSync(path, file);
        if (file.startsWith('#!')) chmodSync(path, 0o755);
      } else {
        writeFileSync(path, file.content);
        chmodSync(path, file.mode);
      }
    }
    return this;
  }

  async start(
    handler: string,
    options: Partial<SandboxOptions> = {},
    files: TaskFiles = {},
  ): Promise<LambdaSandbox> {
    this.write(files);
    const sandbox = await LambdaSandbox.start({
      bootstrap: paths.bootstrap,
      taskRoot: this.taskRoot,
      handler,
      shell: this.command,
      timeoutSeconds: 10,
      ...options,
      // LSR_TEST_HTTP=curl runs a suite under bash on the curl transport (LSR_HTTP=curl).
      env: { TMPDIR: this.tmp, LSR_HTTP: process.env.LSR_TEST_HTTP, ...options.env },
    });
    this.sandboxes.push(sandbox);
    return sandbox;
  }

  /** A PATH directory holding only the named host tools (to run without curl or jq). */
  toolDir(tools: string[]): string {
    const dir = mkdtempSync(join(this.root, 'bin-'));
    for (const tool of tools) {
      const path = which(tool);
      if (!path) throw new Error(`${tool} is not installed`);
      symlinkSync(path, join(dir, tool));
    }
    return dir;
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.sandboxes.map((sandbox) => sandbox.stop()));
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** Tools the bootstrap's error paths use, besides the shells the sandbox starts. */
export const BASE_TOOLS = [
  'sh',
  'dash',
  'bash',
  'busybox',
  'rm',
  'mkdir',
  'head',
  'od',
  'dd',
  'sleep',
  'kill',
  'readlink',
];

/** The environment of a runtime whose PATH has no jq: the runtime's own encoder makes every error body. */
export const withoutJq = (f: RuntimeFixture): { PATH: string } => ({
  PATH: f.toolDir([...BASE_TOOLS, 'curl', 'cat', 'tr']),
});

export const text = (buffer: Buffer): string => buffer.toString('utf8');

/**
 * Shell for a handler file that waits (10 s at most) until the file `path` exists: a handler
 * marks a step with `: >path`, so a test orders its background jobs and invocations by marks
 * rather than by sleeps a busy machine would stretch.
 */
export const waitForFile = (path: string): string =>
  `i=0; until [ -e "${path}" ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done`;

/**
 * A Runtime API scripted by the test, on 127.0.0.1: `answer` gets each request once its whole
 * body is in. `use` gets the address to put in AWS_LAMBDA_RUNTIME_API; the server is closed
 * after it, open connections (GETs left waiting) included.
 */
export async function withScriptedRuntimeApi(
  answer: (request: IncomingMessage, body: Buffer, response: ServerResponse) => void,
  use: (runtimeApi: string) => Promise<void>,
): Promise<void> {
  const api = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, Buffer.concat(chunks), response));
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  try {
    await use(`127.0.0.1:${(api.address() as AddressInfo).port}`);
  } finally {
    api.closeAllConnections();
    await new Promise((resolve) => api.close(resolve));
  }
}

/** Resolves when `predicate` holds, polling; rejects after `ms`. */
export async function eventually(
  predicate: () => boolean,
  ms = 5000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Whether a process sleeps in a system call (/proc/<pid>/syscall names one, not "running"). */
function blockedInSyscall(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/syscall`, 'utf8').startsWith('running');
  } catch {
    return true; // gone
  }
}

/**
 * Resolves once every process of the runtime's group sleeps in a system call: idle in its read
 * or wait for the next event, not on the way into it. Under bash, a TERM that lands between the
 * read builtin's check for signals and its read(2) is handled only when data arrives (bash's own
 * race); Lambda's SIGTERM comes long after the runtime's GET /next, so a test of the idle runtime
 * signals it once it is there.
 */
export async function untilIdle(sandbox: LambdaSandbox): Promise<void> {
  const blocked = () => processesInGroup(sandbox.pid!).every(({ pid }) => blockedInSyscall(pid));
  await eventually(() => blocked() && blocked(), 5000, 'the runtime to wait for an event');
}

/**
 * Sends the runtime SIGTERM, as Lambda does at shutdown; resolves with its exit and the ms it took.
 * Fails after 5 s, naming the processes still running, rather than wait for the test's timeout.
 */
export async function terminate(sandbox: LambdaSandbox): Promise<{ exit: ExitStatus; ms: number }> {
  const sent = Date.now();
  process.kill(sandbox.pid!, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const running = execFileSync('ps', [
        '-o',
        'pid,ppid,args',
        '-s',
        String(sandbox.pid),
      ]).toString();
      reject(
        new Error(`the runtime did not exit within 5 s of SIGTERM; still running:\n${running}`),
      );
    }, 5000);
  });
  try {
    const exit = await Promise.race([sandbox.exited(), stuck]);
    return { exit, ms: Date.now() - sent };
  } finally {
    clearTimeout(timer);
  }
}

const current = new AsyncLocalStorage<RuntimeFixture>();

/**
 * Runs `body` with a fresh RuntimeFixture under `shell` as the current one, then cleans it up;
 * fails if a sandbox started its runtime other than as often as the test expected, and says so
 * on a test that failed anyway.
 */
async function withRuntimeFixture(
  shell: RuntimeShell,
  body: () => Promise<unknown>,
): Promise<void> {
  const fixture = new RuntimeFixture(shell);
  try {
    let failure: { error: unknown } | undefined;
    await current.run(fixture, body).catch((error: unknown) => (failure = { error }));
    const restarts = fixture.unexpectedStarts();
    if (failure) {
      if (restarts && failure.error instanceof Error) failure.error.message += `\n${restarts}`;
      throw failure.error;
    }
    if (restarts) throw new Error(restarts);
  } finally {
    await fixture.cleanup();
  }
}

type Body<A extends unknown[]> = (...args: A) => Promise<unknown>;

/** A test's name after the title of the suite it is in, as jest joins describe names. */
const under = (title: string, name: string) => (title ? `${title} ${name}` : name);

/** Declares tests that each get their own RuntimeFixture; `each` as jest's `it.each`. */
export interface RuntimeTest {
  (name: string, body: Body<[]>, timeout?: number): void;
  each<T extends readonly unknown[] | [unknown]>(
    table: readonly T[],
  ): (name: string, body: Body<[...T]>, timeout?: number) => void;
  each<T>(table: readonly T[]): (name: string, body: Body<[T]>, timeout?: number) => void;
}

function runtimeTestWith(
  shell: RuntimeShell,
  title: string,
  declare: typeof it | typeof it.concurrent,
): RuntimeTest {
  const wrap =
    <A extends unknown[]>(body: Body<A>) =>
    (...args: A) =>
      withRuntimeFixture(shell, () => body(...args));
  const test = (name: string, body: Body<[]>, timeout?: number) =>
    declare(under(title, name), wrap(body), timeout);
  test.each =
    (table: readonly unknown[]) => (name: string, body: Body<unknown[]>, timeout?: number) =>
      declare.each(table as unknown[][])(under(title, name), wrap(body), timeout);
  return test as RuntimeTest;
}

/** The runtime tests of a suite under one shell. */
export interface RuntimeSuite {
  /** The running test's RuntimeFixture. */
  fixture: () => RuntimeFixture;
  /**
   * Declares a test run concurrently with the other concurrent tests of its describe block
   * (jest's maxConcurrency at a time): most of a runtime test is waiting on shells, sleeps and
   * backoffs. `runtimeTest.serial` runs one on its own, for a test whose timing a busy machine
   * would distort. Each test has its own RuntimeFixture, checked for restarts and cleaned up.
   */
  runtimeTest: RuntimeTest & { serial: RuntimeTest };
  /** Declares the tests of `body` named under `name` too, as a nested describe would, but in the same describe block. */
  within(name: string, body: (suite: RuntimeSuite) => void): void;
}

/** The runtime tests under `shell`, each test's name after `title` (the shell's part of the name). */
export function runtimeSuite(shell: RuntimeShell, title = ''): RuntimeSuite {
  const runtimeTest = Object.assign(runtimeTestWith(shell, title, it.concurrent), {
    serial: runtimeTestWith(shell, title, it),
  });
  const within = (name: string, body: (suite: RuntimeSuite) => void) =>
    body(runtimeSuite(shell, under(title, name)));
  return { fixture: currentFixture, runtimeTest, within };
}

/**
 * What describe.each(shells)(testsTitle, body) declares, in the caller's describe block instead of
 * one block per shell: the tests keep the names describe.each would give them (`testsTitle`'s %s
 * is the shell), and the concurrent tests of every shell run as one pool, so a test waiting under
 * one shell overlaps the tests of the others rather than holding up the next shell's.
 */
export function eachShell(
  testsTitle: string,
  body: (shell: RuntimeShell, suite: RuntimeSuite) => void,
  shells: readonly RuntimeShell[] = runtimeShells,
): void {
  for (const shell of shells) body(shell, runtimeSuite(shell, testsTitle.replace('%s', shell)));
}

/** eachShell in a describe block of its own, named `describeName`. */
export function describeEachShell(
  describeName: string,
  testsTitle: string,
  body: (shell: RuntimeShell, suite: RuntimeSuite) => void,
  shells: readonly RuntimeShell[] = runtimeShells,
): void {
  describe(describeName, () => eachShell(testsTitle, body, shells));
}

/** The RuntimeFixture of the runtime test now running. */
function currentFixture(): RuntimeFixture {
  const fixture = current.getStore();
  if (!fixture) throw new Error('fixture() is only available inside a runtimeTest');
  return fixture;
}

/**
 * Starts `handler` with TMPDIR on its own tmpfs of `size` (the tests run as root), runs `use`,
 * then stops the sandbox and unmounts.
 */
export async function withSmallTmpdir(
  fixture: RuntimeFixture,
  size: string,
  handler: string,
  files: TaskFiles,
  use: (sandbox: LambdaSandbox) => Promise<void>,
): Promise<void> {
  const dir = join(fixture.root, 'small-tmp');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=1777`, 'tmpfs', dir]);
  let sandbox: LambdaSandbox | undefined;
  try {
    sandbox = await fixture.start(handler, { env: { TMPDIR: dir } }, files);
    await use(sandbox);
  } finally {
    await sandbox?.stop();
    execFileSync('umount', ['-l', dir]);
  }
}

/**
 * Invokes with "big", for a handler that then writes more than TMPDIR holds and "small" on any
 * other event: the answer is a Runtime.TmpDirFull /error naming the cause, and the next event is
 * served.
 */
export async function expectTmpdirFullThenServes(sandbox: LambdaSandbox): Promise<void> {
  const big = await sandbox.invoke({ payload: 'big\n' });
  expect(big.status).toBe('error');
  expect(big.errorType).toBe('Runtime.TmpDirFull');
  expect(errorBody(big.payload).errorMessage).toContain('no space left in TMPDIR');
  expect(text((await sandbox.invoke({ payload: 'x\n' })).payload)).toBe('small');
}

/** The runtime stopped at init with a HandlerLoadError that names the file's CRLF line endings. */
export async function expectCrlfInitError(sandbox: LambdaSandbox): Promise<void> {
  expect((await sandbox.exited()).code).toBe(1);
  const report = sandbox.emulator.initError();
  expect(report?.errorType).toBe('Runtime.HandlerLoadError');
  expect(errorBody(report!.payload).errorMessage).toMatch(
    /has CRLF \(Windows\) line endings.*sed -i/,
  );
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
/** The JSON body of an /error (or /init/error) report, which must be valid UTF-8. */
export const errorBody = (payload: Buffer) =>
  JSON.parse(strictUtf8.decode(payload)) as {
    errorMessage: string;
    errorType: string;
    stackTrace: string[];
  };
