import { cp, mkdtemp, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../paths.js';

/** The example handler: examples/function.sh, the AWS tutorial's echo function. */
export const ECHO_HANDLER = 'function.handler';
/** What examples/function.sh answers to an event, as the AWS custom-runtime tutorial's does. */
export const expectedEchoResponse = (event: string): string => `Echoing request: '${event}'`;
/** A handler that always fails, written next to the examples for the error invocation. */
export const FAILING_HANDLER = 'smoke_test.fail';
export const FAILING_MESSAGE = 'lambda-shell-runtime smoke test: deliberate failure';

/** An event with bytes that break naive runtimes (quotes, backslashes, UTF-8, no final newline). */
export const SMOKE_EVENT =
  '{"smoke":"lambda-shell-runtime","quote":"\\"","backslash":"\\\\","utf8":"h\u00e9llo \u2713","n":[1,2.5,null]}';

/** A task root (LAMBDA_TASK_ROOT, /var/task) holding examples/ plus the failing handler. */
export async function createSmokeTaskRoot(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'smoke-task-'));
  if (existsSync(paths.examples)) await cp(paths.examples, dir, { recursive: true });
  await writeFile(
    join(dir, 'smoke_test.sh'),
    `# Written by the layer smoke test: a handler that fails, for the error invocation.\nfail() {\n  echo '${FAILING_MESSAGE}' >&2\n  return 3\n}\n`,
  );
  return dir;
}
