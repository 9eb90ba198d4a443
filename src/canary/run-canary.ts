import { randomBytes } from 'node:crypto';
import { createOnAws } from '../aws/create-once.js';
import { isAwsError, isRetryableAwsError } from '../aws/errors.js';
import type { RegionLayer } from '../aws/layers-json.js';
import { messageOf } from '../errors.js';
import { lambdaArchitecture } from '../domain.js';
import type { CanaryApi, CreateInput } from './api.js';
import { checkCanaryAnswer } from './check.js';
import { CANARY_HANDLER } from './handler.js';
import { canaryDescription, canaryFunctionName } from './names.js';

/** One canary in one region for one architecture: every one is reported, passed or not. */
export interface CanaryOutcome {
  region: string;
  arch: RegionLayer['arch'];
  layerArn: string;
  functionName: string;
  status: 'passed' | 'failed' | 'planned';
  /** From CreateFunction to the end of DeleteFunction. */
  durationMs: number;
  awsVersion?: string;
  jqVersion?: string;
  /** Whether the function is gone at the end (false: `canary --clean` removes it). */
  deleted: boolean;
  detail: string;
}

export interface CanaryJob {
  api: CanaryApi;
  layer: RegionLayer;
  version: string;
  roleArn: string;
  runId: string;
  code: Buffer;
  /** The layer must report AWS CLI v2 (a docker-built layer). */
  awsCli: boolean;
  dryRun: boolean;
  /** Bound on the wait for Active, in seconds (default 120). */
  activeTimeoutSeconds?: number;
  /** Injectable for tests: the pause between CreateFunction attempts. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * CreateFunction attempts at most; each after the first only once the last left no function.
 * The pauses (1, 2, 4, 8, 8 s) also cover a new role reaching Lambda, which IAM says takes seconds.
 */
export const CREATE_ATTEMPTS = 6;
/** Lambda's own answer while a new role has not reached it yet: nothing was created, try again. */
const ROLE_NOT_READY = /cannot be assumed by Lambda/;

function createInput(job: CanaryJob, name: string): CreateInput {
  return {
    FunctionName: name,
    Description: canaryDescription(job.version, job.layer.arch, job.runId),
    Runtime: 'provided.al2023',
    Architectures: [lambdaArchitecture(job.layer.arch)],
    Handler: CANARY_HANDLER,
    Role: job.roleArn,
    Code: { ZipFile: job.code },
    Layers: [job.layer.arn],
    // The AWS CLI starts in about a second at 512 MB; at 128 MB it can take several.
    MemorySize: 512,
    Timeout: 30,
    // One log group for every canary, instead of one left behind per function.
    LoggingConfig: { LogFormat: 'Text', LogGroup: '/aws/lambda/lambda-shell-runtime-canary' },
  };
}

const roleNotReady = (error: unknown): boolean =>
  isAwsError(error, 'InvalidParameterValueException') && ROLE_NOT_READY.test(messageOf(error));

/**
 * Creates the function; never blindly again: after a lost answer it looks for the function by
 * its name (unique to this run), and only when there is none does it try again. A role not yet
 * usable by Lambda created nothing: tried again without looking.
 */
const createFunction = (job: CanaryJob, input: CreateInput): Promise<true> =>
  createOnAws({
    what: `the function ${input.FunctionName}`,
    write: async (attempt) => {
      try {
        await job.api.createFunction(input);
      } catch (error) {
        // The name is this run's: a conflict after a lost answer is our own earlier attempt.
        if (attempt === 1 || !isAwsError(error, 'ResourceConflictException')) throw error;
      }
      return true as const;
    },
    find: async () => ((await job.api.exists(input.FunctionName ?? '')) ? true : undefined),
    retryable: (error) => roleNotReady(error) || isRetryableAwsError(error),
    attempts: CREATE_ATTEMPTS,
    delayMs: (failure) => Math.min(8000, 1000 * 2 ** (failure - 1)),
    sleep: job.sleep,
  });

function invocationFailure(answer: {
  functionError?: string;
  statusCode: number;
  payload: string;
  logTail: string;
}): string {
  const tail = answer.logTail.trim().split('\n').slice(-5).join(' | ');
  const what = answer.functionError
    ? `the invocation failed (${answer.functionError})`
    : `Invoke answered status ${answer.statusCode}`;
  return `${what}: ${answer.payload.slice(0, 300)}${tail ? `; log: ${tail.slice(0, 500)}` : ''}`;
}

/**
 * Creates a function on the layer, waits until it is Active, invokes it once with a test event,
 * checks the answer, and deletes the function in every case, also when a step before failed.
 */
export async function runCanary(job: CanaryJob): Promise<CanaryOutcome> {
  const started = Date.now();
  const { region, arch, arn } = job.layer;
  const functionName = canaryFunctionName(job.version, arch, job.runId);
  const outcome: CanaryOutcome = {
    region,
    arch,
    layerArn: arn,
    functionName,
    status: job.dryRun ? 'planned' : 'failed',
    durationMs: 0,
    deleted: false,
    detail: '',
  };
  const event = {
    canary: 'lambda-shell-runtime',
    version: job.version,
    region,
    arch,
    nonce: randomBytes(8).toString('hex'),
  };
  try {
    await createFunction(job, createInput(job, functionName));
    await job.api.waitActive(functionName, job.activeTimeoutSeconds ?? 120);
    const answer = await job.api.invoke(functionName, JSON.stringify(event));
    if (!job.dryRun) {
      if (answer.functionError || answer.statusCode !== 200)
        throw new Error(invocationFailure(answer));
      const versions = checkCanaryAnswer(answer.payload, { event, awsCli: job.awsCli });
      Object.assign(outcome, versions, { status: 'passed' });
    }
  } catch (error) {
    outcome.status = 'failed';
    outcome.detail = messageOf(error);
  } finally {
    // Also after a failed CreateFunction: its answer may have been lost after the function was made.
    try {
      await job.api.deleteFunction(functionName);
      outcome.deleted = true;
    } catch (error) {
      outcome.status = 'failed';
      const note = `not deleted (${messageOf(error)}): remove it with "lambda-shell-runtime canary --clean"`;
      outcome.detail = outcome.detail ? `${outcome.detail}; ${note}` : note;
    }
    outcome.durationMs = Date.now() - started;
  }
  return outcome;
}
