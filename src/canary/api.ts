import {
  CreateFunctionCommand,
  DeleteFunctionCommand,
  GetFunctionConfigurationCommand,
  InvokeCommand,
  ListFunctionsCommand,
  waitUntilFunctionActive,
  type CreateFunctionCommandInput,
} from '@aws-sdk/client-lambda';
import { lambdaClient, lambdaWriteClient } from '../aws/clients.js';
import { isAwsError } from '../aws/errors.js';
import { recorder, type Plan } from '../aws/plan.js';

/**
 * The Lambda calls of the canary in one region, behind one interface: the AWS adapter makes them,
 * the dry-run adapter records them into a plan and makes none.
 */
export type CreateInput = Omit<CreateFunctionCommandInput, 'Code'> & { Code: { ZipFile: Buffer } };

export interface InvokeAnswer {
  statusCode: number;
  functionError?: string;
  payload: string;
  /** The last 4 KB of the invocation's log, when Lambda sent it. */
  logTail: string;
}

export interface CanaryFunction {
  name: string;
  description: string;
  lastModified: string;
}

export interface CanaryApi {
  readonly region: string;
  /** One CreateFunction call, never retried: a lost answer may hide a function that exists. */
  createFunction(input: CreateInput): Promise<void>;
  /** Whether a function of this name exists (GetFunctionConfiguration). */
  exists(name: string): Promise<boolean>;
  /** Waits until the function is Active, at most `seconds`; throws on Failed or time out. */
  waitActive(name: string, seconds: number): Promise<void>;
  invoke(name: string, payload: string): Promise<InvokeAnswer>;
  /** false when there was nothing to delete. */
  deleteFunction(name: string): Promise<boolean>;
  /** Functions whose name starts with `prefix`. */
  listFunctions(prefix: string): Promise<CanaryFunction[]>;
}

export function awsCanaryApi(region: string): CanaryApi {
  const lambda = lambdaClient(region);
  const once = lambdaWriteClient(region);
  return {
    region,
    async createFunction(input) {
      await once.send(new CreateFunctionCommand(input));
    },
    async exists(name) {
      try {
        await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
        return true;
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return false;
        throw error;
      }
    },
    async waitActive(name, seconds) {
      await waitUntilFunctionActive(
        { client: lambda, maxWaitTime: seconds, minDelay: 1, maxDelay: 5 },
        { FunctionName: name },
      );
    },
    async invoke(name, payload) {
      const answer = await lambda.send(
        new InvokeCommand({
          FunctionName: name,
          InvocationType: 'RequestResponse',
          LogType: 'Tail',
          Payload: Buffer.from(payload),
        }),
      );
      return {
        statusCode: answer.StatusCode ?? 0,
        functionError: answer.FunctionError,
        payload: Buffer.from(answer.Payload ?? []).toString('utf8'),
        logTail: answer.LogResult ? Buffer.from(answer.LogResult, 'base64').toString('utf8') : '',
      };
    },
    async deleteFunction(name) {
      try {
        await lambda.send(new DeleteFunctionCommand({ FunctionName: name }));
        return true;
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return false;
        throw error;
      }
    },
    async listFunctions(prefix) {
      const found: CanaryFunction[] = [];
      let Marker: string | undefined;
      do {
        const page = await lambda.send(new ListFunctionsCommand({ Marker, MaxItems: 50 }));
        for (const fn of page.Functions ?? []) {
          if (fn.FunctionName?.startsWith(prefix))
            found.push({
              name: fn.FunctionName,
              description: fn.Description ?? '',
              lastModified: fn.LastModified ?? '',
            });
        }
        Marker = page.NextMarker;
      } while (Marker);
      return found;
    },
  };
}

/** Records every call into `plan`, makes none; answers as if the function were created and gone. */
export function dryRunCanaryApi(region: string, plan: Plan): CanaryApi {
  const record = recorder(plan, region);
  return {
    region,
    async createFunction(input) {
      const size = input.Code.ZipFile.length;
      record('lambda:CreateFunction', {
        ...input,
        Code: { ZipFile: `<handler zip, ${size} bytes>` },
      });
    },
    async exists(name) {
      record('lambda:GetFunctionConfiguration', { FunctionName: name });
      return false;
    },
    async waitActive(name) {
      record('lambda:GetFunctionConfiguration', { FunctionName: name, until: 'State=Active' });
    },
    async invoke(name, payload) {
      record('lambda:InvokeFunction', {
        FunctionName: name,
        InvocationType: 'RequestResponse',
        LogType: 'Tail',
        Payload: payload,
      });
      return { statusCode: 200, payload: '', logTail: '' };
    },
    async deleteFunction(name) {
      record('lambda:DeleteFunction', { FunctionName: name });
      return true;
    },
    async listFunctions(prefix) {
      record('lambda:ListFunctions', { prefix });
      return [];
    },
  };
}
