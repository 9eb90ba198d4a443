import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LambdaSandbox, type SandboxOptions } from '../../src/emulator/sandbox.js';
import { alive, tinyRuntime, type TaskDir } from './fixtures.js';

interface SandboxWorld {
  /** The test's own tiny runtime: bootstrap and task root. */
  task: TaskDir;
  /** A sandbox of the tiny runtime, stopped after the test. */
  startSandbox(options?: Partial<SandboxOptions>): Promise<LambdaSandbox>;
}

/** A test run concurrently with the file's others (most of them wait on timers), in its own world. */
function sandboxTest(name: string, body: (world: SandboxWorld) => Promise<void>): void {
  it.concurrent(name, async () => {
    const task = await tinyRuntime();
    const boxes: LambdaSandbox[] = [];
    const startSandbox = async (options: Partial<SandboxOptions> = {}) => {
      const box = await LambdaSandbox.start({
        bootstrap: task.bootstrap,
        taskRoot: task.dir,
        handler: 'function.handler',
        ...options,
      });
      boxes.push(box);
      return box;
    };
    try {
      await body({ task, startSandbox });
    } finally {
      await Promise.all(boxes.map((box) => box.stop()));
      await task.cleanup();
    }
  });
}

const inits = (box: LambdaSandbox): number =>
  (box.stderr.toString().match(/^init /gm) ?? []).length;

describe('LambdaSandbox', () => {
  sandboxTest(
    'counts the runtimes it started, so a crash and restart shows',
    async ({ startSandbox }) => {
      const box = await startSandbox();
      expect((await box.invoke({ payload: 'one' })).status).toBe('success');
      expect(box.starts).toBe(1);
      expect((await box.invoke({ payload: 'exit3' })).status).toBe('error');
      expect((await box.invoke({ payload: 'two' })).payload.toString()).toBe('echo:two');
      expect(box.starts).toBe(2);
      expect(box.starts).toBe(inits(box));
    },
  );

  sandboxTest(
    'records the processes still in the runtime group when it exited',
    async ({ task, startSandbox }) => {
      const pidFile = join(task.dir, 'sleeper.pid');
      const box = await startSandbox({ env: { TASK_ROOT_PIDFILE: pidFile } });
      void box.invoke({ payload: 'sleep' });
      let pid = '';
      while (!pid) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        pid = await readFile(pidFile, 'utf8').catch(() => '');
      }
      process.kill(box.pid!, 'SIGKILL');
      await box.exited();
      expect(box.leftovers.map((process) => process.pid)).toContain(Number(pid.trim()));
    },
  );

  sandboxTest(
    'runs a bootstrap that answers events, with its output collected and streamed',
    async ({ startSandbox }) => {
      const live: string[] = [];
      const box = await startSandbox({ onStderr: (chunk) => live.push(chunk.toString()) });
      const first = await box.invoke({ payload: 'one' });
      expect(first.status).toBe('success');
      expect(first.payload.toString()).toBe('echo:one');
      expect((await box.invoke({ payload: 'two' })).payload.toString()).toBe('echo:two');
      expect(box.stdout.toString()).toBe('stdout line\nstdout line\n');
      expect(live.join('')).toContain('handling two');
      expect(inits(box)).toBe(1);
    },
  );

  sandboxTest(
    'gives the bootstrap the environment Lambda documents',
    async ({ task, startSandbox }) => {
      const box = await startSandbox({
        functionName: 'my-fn',
        region: 'eu-central-1',
        memoryMb: 512,
        env: { EXTRA: 'yes', LANG: undefined },
      });
      const env = Object.fromEntries(
        (await box.invoke({ payload: 'env' })).payload
          .toString()
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      expect(env).toMatchObject({
        _HANDLER: 'function.handler',
        LAMBDA_TASK_ROOT: task.dir,
        LAMBDA_RUNTIME_DIR: task.dir,
        AWS_LAMBDA_RUNTIME_API: box.emulator.address,
        AWS_REGION: 'eu-central-1',
        AWS_DEFAULT_REGION: 'eu-central-1',
        AWS_LAMBDA_FUNCTION_NAME: 'my-fn',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/my-fn',
        AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
        TZ: ':UTC',
        PATH: process.env.PATH,
        EXTRA: 'yes',
        PWD: task.dir,
      });
      expect(env.AWS_LAMBDA_LOG_STREAM_NAME).toMatch(
        /^\d{4}\/\d\d\/\d\d\/\[\$LATEST\][0-9a-f]{32}$/,
      );
      expect(env.LD_LIBRARY_PATH).toContain('/opt/lib');
      expect(env.AWS_ACCESS_KEY_ID).toBeTruthy();
      expect(env.AWS_SECRET_ACCESS_KEY).toBeTruthy();
      expect(env.AWS_SESSION_TOKEN).toBeTruthy();
      expect(env).not.toHaveProperty('LANG');
      expect(env).not.toHaveProperty('AWS_LAMBDA_MAX_CONCURRENCY');
    },
  );

  sandboxTest(
    'sets the LMI variables under maxConcurrency and runs through a given shell',
    async ({ startSandbox }) => {
      const box = await startSandbox({ maxConcurrency: 4, shell: 'dash' });
      const env = (await box.invoke({ payload: 'env' })).payload.toString();
      expect(env).toContain('AWS_LAMBDA_INITIALIZATION_TYPE=lambda-managed-instances\n');
      expect(env).toContain('AWS_LAMBDA_MAX_CONCURRENCY=4\n');
    },
  );

  sandboxTest(
    'runs up to maxConcurrency invocations at once under LMI',
    async ({ startSandbox }) => {
      const box = await startSandbox({ maxConcurrency: 3 });
      let most = 0;
      const sampler = setInterval(() => (most = Math.max(most, box.emulator.running)), 5);
      const results = await Promise.all(
        Array.from({ length: 9 }, () => box.invoke({ payload: '"slow"' })),
      );
      clearInterval(sampler);
      expect(results.every((r) => r.status === 'success' && r.payload.toString() === 'slow')).toBe(
        true,
      );
      expect(most).toBe(3);
    },
  );

  sandboxTest(
    'on timeout kills the whole process group and starts a fresh runtime for the next event',
    async ({ task, startSandbox }) => {
      const pidFile = join(task.dir, 'child.pid');
      const box = await startSandbox({ timeoutSeconds: 1, env: { TASK_ROOT_PIDFILE: pidFile } });
      const bootstrapExit = box.exited();
      const result = await box.invoke({ payload: 'sleep', requestId: 'slow-1' });
      expect(result.status).toBe('timeout');
      expect(result.errorType).toBe('Sandbox.Timedout');
      expect(JSON.parse(result.payload.toString()).errorMessage).toMatch(
        /Z slow-1 Task timed out after 1\.00 seconds$/,
      );
      expect(await bootstrapExit).toEqual({ code: null, signal: 'SIGKILL' });
      const child = Number(await readFile(pidFile, 'utf8'));
      for (let i = 0; i < 50 && alive(child); i++) await new Promise((r) => setTimeout(r, 20));
      expect(alive(child)).toBe(false);

      const next = await box.invoke({ payload: 'after' });
      expect(next.payload.toString()).toBe('echo:after');
      expect(inits(box)).toBe(2);
    },
  );

  sandboxTest(
    'fails the invocation running when the bootstrap exits, then restarts it',
    async ({ startSandbox }) => {
      const box = await startSandbox();
      const result = await box.invoke({ payload: 'exit3', requestId: 'dies' });
      expect(result.status).toBe('error');
      expect(result.errorType).toBe('Runtime.ExitError');
      expect(JSON.parse(result.payload.toString()).errorMessage).toBe(
        'RequestId: dies Error: Runtime exited with error: exit status 3',
      );
      expect(await box.exited()).toEqual({ code: 3, signal: null });
      expect((await box.invoke({ payload: 'again' })).payload.toString()).toBe('echo:again');
      expect(inits(box)).toBe(2);
    },
  );

  sandboxTest('reports a function error the bootstrap posts', async ({ startSandbox }) => {
    const box = await startSandbox();
    const result = await box.invoke({ payload: 'fail' });
    expect(result).toMatchObject({ status: 'error', errorType: 'Function.Failed' });
  });

  sandboxTest('fails the invoke when the bootstrap dies during init', async ({ startSandbox }) => {
    const box = await startSandbox({ handler: 'init-exit' });
    const result = await box.invoke();
    expect(result.errorType).toBe('Runtime.ExitError');
    expect(result.payload.toString()).toContain('exit status 2');
  });

  sandboxTest(
    'fails every invoke with the init error the bootstrap reported',
    async ({ startSandbox }) => {
      const box = await startSandbox({ handler: 'init-error' });
      const result = await box.invoke();
      expect(result).toMatchObject({ status: 'error', errorType: 'Runtime.NoHandler' });
      expect(box.emulator.initError()?.payload.toString()).toContain('no handler');
      expect((await box.invoke()).errorType).toBe('Runtime.NoHandler');
      expect(inits(box)).toBe(1);
    },
  );

  sandboxTest(
    'fails the invoke with Runtime.InvalidEntrypoint when the bootstrap cannot start',
    async ({ task, startSandbox }) => {
      await chmod(task.bootstrap, 0o644);
      const box = await startSandbox();
      const result = await box.invoke();
      expect(result.errorType).toBe('Runtime.InvalidEntrypoint');
      expect(result.payload.toString()).toContain('EACCES');
      expect((await box.exited()).error).toMatch(/EACCES/);
    },
  );

  sandboxTest(
    'has all of the output of a runtime that exited by the time exited() resolves',
    async ({ task, startSandbox }) => {
      // Output can come after 'exit': here from a process of another group that holds the pipe.
      await writeFile(
        task.bootstrap,
        `#!/bin/sh\nsetsid sh -c 'sleep 0.2; echo "a late line" >&2' &\necho "the last line" >&2\nexit 4\n`,
      );
      const box = await startSandbox();
      expect(await box.exited()).toEqual({ code: 4, signal: null });
      expect(box.stderr.toString()).toBe('the last line\na late line\n');
    },
  );

  sandboxTest(
    'waits a second at most for the output of a runtime that exited',
    async ({ task, startSandbox }) => {
      await writeFile(
        task.bootstrap,
        `#!/bin/sh\nsetsid sleep 5 &\necho $! >"$TASK_ROOT_PIDFILE"\nexit 4\n`,
      );
      const pidFile = join(task.dir, 'holder.pid');
      const box = await startSandbox({ env: { TASK_ROOT_PIDFILE: pidFile } });
      const started = Date.now();
      expect(await box.exited()).toEqual({ code: 4, signal: null });
      expect(Date.now() - started).toBeLessThan(3000);
      process.kill(Number(await readFile(pidFile, 'utf8')), 'SIGKILL');
    },
  );

  sandboxTest('kills a runtime that never finishes init', async ({ startSandbox }) => {
    const box = await startSandbox({ handler: 'init-hang', initTimeoutSeconds: 1 });
    const result = await box.invoke();
    expect(result.status).toBe('timeout');
    expect(result.payload.toString()).toContain('Init timed out after 1.00 seconds');
    expect((await box.exited()).signal).toBe('SIGKILL');
  });
});

describe('LambdaSandbox /tmp', () => {
  it('gives each sandbox its own TMPDIR, kept across restarts and removed on stop', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { existsSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const root = await mkdtemp(join(tmpdir(), 'lsr-two-sandboxes-'));
    await writeFile(join(root, 'function.sh'), 'handler() { printf "%s:" "$TMPDIR"; cat; }\n');
    const boxes = await Promise.all(
      [0, 1].map(() => LambdaSandbox.start({ taskRoot: root, handler: 'function.handler' })),
    );
    try {
      // Both real bootstraps clear their working directory at start: in a shared TMPDIR the
      // second would remove the first one's files mid-invocation.
      const answers = await Promise.all(
        [0, 1, 2, 3, 4, 5].map(async (n) => {
          const result = await boxes[n % 2].invoke({ payload: `event-${n}` });
          return result.payload.toString();
        }),
      );
      const dirs = answers.map((answer) => answer.split(':')[0]);
      expect(answers.map((answer) => answer.split(':')[1])).toEqual(
        [0, 1, 2, 3, 4, 5].map((n) => `event-${n}`),
      );
      expect(new Set(dirs).size).toBe(2);
      expect(dirs.every((dir) => existsSync(dir))).toBe(true);
      expect(boxes.map((box) => box.starts)).toEqual([1, 1]);
      await Promise.all(boxes.map((box) => box.stop()));
      expect(dirs.some((dir) => existsSync(dir))).toBe(false);
    } finally {
      await Promise.all(boxes.map((box) => box.stop()));
      await rm(root, { recursive: true, force: true });
    }
  });
});
