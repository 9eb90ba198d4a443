import { randomBytes } from 'node:crypto';
import type { Architecture } from '../domain.js';

/** Every canary function's name starts so: `canary --clean` finds leftovers by it. */
export const CANARY_PREFIX = 'lsr-canary-';
/** And its description so: a function of someone else's that shares the prefix is left alone. */
export const CANARY_DESCRIPTION = 'lambda-shell-runtime canary';

const MAX_FUNCTION_NAME = 64;

/**
 * This run's id: GITHUB_RUN_ID-GITHUB_RUN_ATTEMPT on a runner (so a name says which run made it),
 * else random. Read at the edges (the action's context, the CLI).
 */
export function canaryRunId(env: NodeJS.ProcessEnv): string {
  if (env.GITHUB_RUN_ID && /^\d+$/.test(env.GITHUB_RUN_ID))
    return `${env.GITHUB_RUN_ID}-${/^\d+$/.test(env.GITHUB_RUN_ATTEMPT ?? '') ? env.GITHUB_RUN_ATTEMPT : '1'}`;
  return randomBytes(4).toString('hex');
}

/** lsr-canary-<version>-<arch>-<runid>, in Lambda's name rules (64 of [A-Za-z0-9_-]). */
export function canaryFunctionName(version: string, arch: Architecture, runId: string): string {
  const tail = `-${arch}-${runId.replace(/[^a-zA-Z0-9-]/g, '-')}`;
  const room = MAX_FUNCTION_NAME - CANARY_PREFIX.length - tail.length;
  const versionPart = version.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, Math.max(0, room));
  return `${CANARY_PREFIX}${versionPart}${tail}`.slice(0, MAX_FUNCTION_NAME);
}

export const canaryDescription = (version: string, arch: Architecture, runId: string): string =>
  `${CANARY_DESCRIPTION} for ${version} (${arch}), run ${runId}: deleted when its check ends`;
