import { dirname } from 'node:path';
import { newLogStreamName } from './ids.js';
import type { EmulatorOptions } from './runtime-api.js';

/** What a function's environment holds besides the emulator options. */
export interface EnvironmentSource extends EmulatorOptions {
  bootstrap: string;
  taskRoot: string;
  handler: string;
  /** host:port of the Runtime API. */
  runtimeApi: string;
  env?: Record<string, string | undefined>;
}

/**
 * The environment Lambda documents for a runtime (defined runtime environment variables), with
 * the host's PATH kept so the runtime finds curl here, dummy credentials, and `env` on top.
 */
export function lambdaEnvironment(source: EnvironmentSource): Record<string, string> {
  const region = source.region ?? 'us-east-1';
  const name = source.functionName ?? 'test_function';
  const version = source.functionVersion ?? '$LATEST';
  const runtimeDir = dirname(source.bootstrap);
  const libraryPath = [
    '/lib64',
    '/usr/lib64',
    runtimeDir,
    `${runtimeDir}/lib`,
    source.taskRoot,
    `${source.taskRoot}/lib`,
    '/opt/lib',
    process.env.LD_LIBRARY_PATH,
  ];
  const env: Record<string, string | undefined> = {
    _HANDLER: source.handler,
    LAMBDA_TASK_ROOT: source.taskRoot,
    LAMBDA_RUNTIME_DIR: runtimeDir,
    AWS_LAMBDA_RUNTIME_API: source.runtimeApi,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: version,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(source.memoryMb ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: newLogStreamName(version),
    AWS_LAMBDA_INITIALIZATION_TYPE:
      source.maxConcurrency === undefined ? 'on-demand' : 'lambda-managed-instances',
    AWS_LAMBDA_MAX_CONCURRENCY:
      source.maxConcurrency === undefined ? undefined : String(source.maxConcurrency),
    AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    AWS_SESSION_TOKEN: 'local-sandbox-session-token',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LD_LIBRARY_PATH: libraryPath.filter(Boolean).join(':'),
    ...source.env,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}
