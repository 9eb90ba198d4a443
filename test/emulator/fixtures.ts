import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A tiny curl-based runtime for the sandbox tests (not the product's bootstrap): the event picks
 * what the "handler" does, so one script covers echo, env, sleep, exit and background children.
 */
export const TINY_BOOTSTRAP = `#!/bin/sh
api="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"
echo "init $$" >&2
case $_HANDLER in
  init-exit) exit 2 ;;
  init-error)
    curl -sS -o /dev/null -H 'Expect:' -H 'Lambda-Runtime-Function-Error-Type: Runtime.NoHandler' \\
      --data-binary '{"errorMessage":"no handler","errorType":"Runtime.NoHandler"}' "$api/init/error"
    exit 1 ;;
  init-hang) sleep 30 ;;
esac
worker() {
  dir=$(mktemp -d "$LAMBDA_TASK_ROOT/worker.XXXXXX")
  while :; do
    curl -sS -D "$dir/headers" -o "$dir/event" "$api/invocation/next" || exit 1
    id=$(sed -n 's/^[Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d: *//p' "$dir/headers" | tr -d '\\r')
    event=$(cat "$dir/event")
    what=$(printf '%s' "$event" | tr -d '"')
    echo "handling $event" >&2
    case $what in
      env) env > "$dir/out" ;;
      slow) sleep 0.3; printf slow > "$dir/out" ;;
      sleep) sleep 300 & echo $! > "\${TASK_ROOT_PIDFILE:-/dev/null}"; sleep 300 ;;
      exit*) exit "\${what#exit}" ;;
      fail)
        curl -sS -o /dev/null -H 'Expect:' -H 'Lambda-Runtime-Function-Error-Type: Function.Failed' \\
          --data-binary '{"errorMessage":"failed","errorType":"Function.Failed"}' "$api/invocation/$id/error"
        continue ;;
      *) printf 'echo:%s' "$event" > "$dir/out" ;;
    esac
    echo "stdout line"
    curl -sS -o /dev/null -H 'Expect:' --data-binary @"$dir/out" "$api/invocation/$id/response"
  done
}
# Under LMI, one worker loop per allowed concurrent invocation.
n=\${AWS_LAMBDA_MAX_CONCURRENCY:-1}
while [ "$n" -gt 1 ]; do worker & n=$((n - 1)); done
worker
`;

export interface TaskDir {
  dir: string;
  bootstrap: string;
  cleanup(): Promise<void>;
}

/** A temp folder with the tiny bootstrap (executable) to use as runtime dir and task root. */
export async function tinyRuntime(script = TINY_BOOTSTRAP): Promise<TaskDir> {
  const dir = await mkdtemp(join(tmpdir(), 'lsr-emulator-'));
  const bootstrap = join(dir, 'bootstrap');
  await writeFile(bootstrap, script);
  await chmod(bootstrap, 0o755);
  return { dir, bootstrap, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Whether a process runs (a zombie waiting for its reaper counts as gone). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}
