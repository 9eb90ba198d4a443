import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaSandbox, type SandboxOptions } from '../../src/emulator/sandbox.js';
import { which } from '../../src/exec.js';
import { paths } from '../../src/paths.js';
import { assertShell, type Shell } from '../helpers/shells.js';

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

  constructor(readonly shell: Shell) {
    assertShell(shell);
    mkdirSync(this.taskRoot);
    mkdirSync(this.tmp);
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
      shell: this.shell,
      timeoutSeconds: 10,
      ...options,
      env: { TMPDIR: this.tmp, ...options.env },
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
export const BASE_TOOLS = ['sh', 'dash', 'bash', 'busybox', 'mktemp', 'rm', 'mkdir', 'head', 'od', 'sleep', 'kill'];

export const text = (buffer: Buffer): string => buffer.toString('utf8');

/** Resolves when `predicate` holds, polling; rejects after `ms`. */
export async function eventually(predicate: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A fresh RuntimeFixture under `shell` for each test of the suite, cleaned up after it. */
export function useRuntimeFixture(shell: Shell): () => RuntimeFixture {
  let fixture: RuntimeFixture | undefined;
  beforeEach(() => {
    fixture = new RuntimeFixture(shell);
  });
  afterEach(() => fixture?.cleanup());
  return () => fixture!;
}
