import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { invokeOnce } from '../emulator/local-invoke.js';
import { InputError } from '../errors.js';
import { paths } from '../paths.js';
import { stringOption, type Command, type OptionValues } from './command.js';

/** Lambda's limits on the settings a local invoke takes. */
const MAX_TIMEOUT_SECONDS = 900;
const MEMORY_MB = { min: 128, max: 10_240 };
const FUNCTION_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

const isKind = (path: string, kind: 'dir' | 'file'): boolean => {
  try {
    const stat = statSync(path);
    return kind === 'dir' ? stat.isDirectory() : stat.isFile();
  } catch {
    return false;
  }
};

function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS)
    throw new InputError(
      '--timeout',
      value,
      `seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS}`,
    );
  return seconds;
}

function parseMemory(value: string): number {
  const megabytes = Number(value);
  if (!/^\d+$/.test(value) || megabytes < MEMORY_MB.min || megabytes > MEMORY_MB.max)
    throw new InputError(
      '--memory',
      value,
      `whole megabytes from ${MEMORY_MB.min} to ${MEMORY_MB.max}`,
    );
  return megabytes;
}

/** The event: --event text or --event-file bytes (never both), valid JSON as Lambda's Invoke requires. */
function readEvent(values: OptionValues): string {
  const inline = values.event;
  const file = values['event-file'];
  if (typeof inline === 'string' && typeof file === 'string')
    throw new InputError('--event-file', file, 'either --event or --event-file, not both');
  let event = '{}';
  let input = '--event';
  if (typeof inline === 'string') event = inline;
  if (typeof file === 'string') {
    input = '--event-file';
    try {
      event = readFileSync(file, 'utf8');
    } catch {
      throw new InputError('--event-file', file, 'a readable file holding the JSON event');
    }
  }
  try {
    JSON.parse(event);
  } catch {
    throw new InputError(
      input,
      event.length > 200 ? `${event.slice(0, 200)}…` : event,
      'a JSON event',
    );
  }
  return event;
}

/** Parsed and checked flags of `invoke`. */
export function invokeSettings(values: OptionValues) {
  const taskRoot = stringOption(values, 'task-root');
  if (!taskRoot || !isKind(taskRoot, 'dir'))
    throw new InputError('--task-root', taskRoot, 'an existing directory holding the function');
  const handler = stringOption(values, 'handler');
  if (!handler) throw new InputError('--handler', handler, 'a handler such as function.handler');
  const bootstrap = stringOption(values, 'bootstrap', paths.bootstrap);
  if (!isKind(bootstrap, 'file'))
    throw new InputError('--bootstrap', bootstrap, 'an existing bootstrap file');
  const functionName = stringOption(values, 'function-name', 'test_function');
  if (!FUNCTION_NAME.test(functionName))
    throw new InputError('--function-name', functionName, 'letters, digits, - and _ (1 to 64)');
  const timeout = stringOption(values, 'timeout');
  const memory = stringOption(values, 'memory');
  return {
    taskRoot: resolve(taskRoot),
    handler,
    bootstrap: resolve(bootstrap),
    event: readEvent(values),
    functionName,
    timeoutSeconds: timeout ? parseTimeout(timeout) : undefined,
    memoryMb: memory ? parseMemory(memory) : undefined,
    shell: stringOption(values, 'shell') || undefined,
  };
}

const write = (stream: NodeJS.WriteStream, bytes: Buffer | string): Promise<void> =>
  new Promise((done, fail) => stream.write(bytes, (error) => (error ? fail(error) : done())));

export const invokeCommand: Command = {
  name: 'invoke',
  summary: 'Invoke a function locally: the bootstrap under the Runtime API emulator, one event',
  usage: [
    '  --task-root DIR        the function folder (LAMBDA_TASK_ROOT; required)',
    '  --handler NAME         _HANDLER, e.g. function.handler (required)',
    '  --event JSON           the event (default {})',
    '  --event-file PATH      the event, from a file (instead of --event)',
    '  --timeout S            the function timeout in seconds (default 3)',
    '  --bootstrap PATH       the runtime to run (default: runtime/bootstrap of this package)',
    "  --shell SHELL          run the bootstrap with this shell: dash, bash, 'busybox sh'",
    '  --memory MB            AWS_LAMBDA_FUNCTION_MEMORY_SIZE (default 128)',
    '  --function-name NAME   AWS_LAMBDA_FUNCTION_NAME (default test_function)',
    '',
    'The response goes to stdout byte for byte, the function logs to stderr. Exit 1 on a function',
    'error or timeout, with the error JSON on stderr.',
  ].join('\n'),
  options: {
    'task-root': { type: 'string' },
    handler: { type: 'string' },
    event: { type: 'string' },
    'event-file': { type: 'string' },
    timeout: { type: 'string' },
    bootstrap: { type: 'string' },
    shell: { type: 'string' },
    memory: { type: 'string' },
    'function-name': { type: 'string' },
  },
  async run(values) {
    const result = await invokeOnce(invokeSettings(values));
    if (result.status === 'success') {
      await write(process.stdout, result.payload);
      return 0;
    }
    await write(process.stderr, Buffer.concat([result.payload, Buffer.from('\n')]));
    return 1;
  },
};
