import { LambdaSandbox, type SandboxOptions } from './sandbox.js';
import type { InvocationResult, InvokeOptions } from './runtime-api.js';

export interface LocalInvokeOptions extends SandboxOptions {
  /** The event; default '{}'. */
  event?: string | Buffer;
  /** Context for the one invocation (client context, trace id…), besides the event. */
  context?: Omit<InvokeOptions, 'payload'>;
}

/** The function's log lines (the bootstrap's stdout and stderr) go to our stderr, live. */
const toStderr = (chunk: Buffer): void => {
  process.stderr.write(chunk);
};

/**
 * One cold invocation, as `lambda-shell-runtime invoke` runs it: a sandbox with the bootstrap,
 * one event, the result, the sandbox torn down.
 */
export async function invokeOnce(options: LocalInvokeOptions): Promise<InvocationResult> {
  const sandbox = await LambdaSandbox.start({
    onStdout: toStderr,
    onStderr: toStderr,
    ...options,
  });
  // The bootstrap runs in its own process group, out of reach of the terminal's Ctrl-C: take it down.
  const interrupted = (signal: NodeJS.Signals): void => {
    void sandbox.stop().finally(() => process.kill(process.pid, signal));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    return await sandbox.invoke({ ...options.context, payload: options.event ?? '{}' });
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await sandbox.stop();
  }
}
