import { jest } from '@jest/globals';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invokeCommand } from '../../src/commands/invoke.js';
import { invokeOnce } from '../../src/emulator/local-invoke.js';
import { InputError } from '../../src/errors.js';
import { tinyRuntime, type TaskDir } from './fixtures.js';

let task: TaskDir;
let stdout: Buffer[];
let stderr: Buffer[];

/** Captures what a stream gets, calling write's callback as a real stream would. */
function capture(stream: NodeJS.WriteStream, into: Buffer[]): void {
  jest.spyOn(stream, 'write').mockImplementation((chunk: unknown, ...rest: unknown[]) => {
    into.push(Buffer.from(chunk as Buffer));
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  });
}

beforeEach(async () => {
  task = await tinyRuntime();
  stdout = [];
  stderr = [];
  capture(process.stdout, stdout);
  capture(process.stderr, stderr);
});
afterEach(async () => {
  jest.restoreAllMocks();
  await task.cleanup();
});

const run = (flags: Record<string, string>): Promise<number> =>
  invokeCommand.run(
    { 'task-root': task.dir, handler: 'f.h', bootstrap: task.bootstrap, ...flags },
    [],
  );
const text = (chunks: Buffer[]): string => Buffer.concat(chunks).toString();

describe('lambda-shell-runtime invoke', () => {
  it('prints the response exactly on stdout and the function logs on stderr', async () => {
    expect(await run({ event: '{"a": 1}' })).toBe(0);
    expect(text(stdout)).toBe('echo:{"a": 1}');
    expect(text(stderr)).toContain('handling {"a": 1}');
    expect(text(stderr)).toContain('stdout line');
  });

  it('reads the event from a file and defaults to {}', async () => {
    const file = join(task.dir, 'event.json');
    await writeFile(file, '["from", "file"]\n');
    expect(await run({ 'event-file': file })).toBe(0);
    expect(text(stdout)).toBe('echo:["from", "file"]');
    stdout.length = 0;
    expect(await run({})).toBe(0);
    expect(text(stdout)).toBe('echo:{}');
  });

  it('exits 1 with the error JSON on stderr for a function error', async () => {
    expect(await run({ event: '"fail"' })).toBe(1);
    expect(text(stdout)).toBe('');
    expect(text(stderr)).toContain('{"errorMessage":"failed","errorType":"Function.Failed"}\n');
  });

  it('exits 1 on a timeout, with the runtime killed', async () => {
    expect(await run({ event: '"sleep"', timeout: '1' })).toBe(1);
    expect(text(stderr)).toMatch(/Task timed out after 1\.00 seconds/);
  });

  it('throws an InputError on bad flags', async () => {
    const file = join(task.dir, 'event.json');
    await writeFile(file, '{}');
    const cases: [Record<string, string>, RegExp][] = [
      [{ event: '{}', 'event-file': file }, /"--event-file".*either --event or --event-file/],
      [{ 'event-file': join(task.dir, 'missing.json') }, /"--event-file".*readable file/],
      [{ event: 'not json' }, /"--event": "not json".*JSON event/],
      [{ 'task-root': join(task.dir, 'nope') }, /"--task-root"/],
      [{ handler: '' }, /"--handler"/],
      [{ bootstrap: join(task.dir, 'none') }, /"--bootstrap"/],
      [{ timeout: '0' }, /"--timeout"/],
      [{ timeout: 'soon' }, /"--timeout"/],
      [{ memory: '64' }, /"--memory"/],
      [{ 'function-name': 'bad name' }, /"--function-name"/],
    ];
    for (const [flags, message] of cases) {
      const attempt = run(flags);
      await expect(attempt).rejects.toThrow(InputError);
      await expect(attempt).rejects.toThrow(message);
    }
  });

  it('passes memory, function name and shell to the sandbox', async () => {
    expect(
      await run({ event: '"env"', memory: '256', 'function-name': 'named', shell: 'bash' }),
    ).toBe(0);
    expect(text(stdout)).toContain('AWS_LAMBDA_FUNCTION_MEMORY_SIZE=256\n');
    expect(text(stdout)).toContain('AWS_LAMBDA_FUNCTION_NAME=named\n');
  });
});

describe('invokeOnce', () => {
  it('runs one cold invocation and tears the sandbox down', async () => {
    const logs: string[] = [];
    const result = await invokeOnce({
      bootstrap: task.bootstrap,
      taskRoot: task.dir,
      handler: 'f.h',
      event: '{"k":"v"}',
      context: { requestId: 'one-shot' },
      onStderr: (chunk) => logs.push(chunk.toString()),
    });
    expect(result).toMatchObject({ requestId: 'one-shot', status: 'success' });
    expect(result.payload.toString()).toBe('echo:{"k":"v"}');
    expect(logs.join('')).toMatch(/^init \d+\n/);
  });
});
