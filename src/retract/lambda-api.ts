import {
  DeleteLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  RemoveLayerVersionPermissionCommand,
} from '@aws-sdk/client-lambda';
import { lambdaClient, type AwsTuning } from '../aws/clients.js';
import { isAwsError, withAwsErrorContext } from '../aws/errors.js';
import type { LayerVersionArn } from '../aws/layers-json.js';
import { readLayerVersion, type LayerVersionRead } from '../aws/layer-version.js';
import { recorder, type Plan } from '../aws/plan.js';

/**
 * The Lambda calls of the retract step in one region. Every write is idempotent (removing a
 * statement or deleting a version twice leaves the same state), so SDK retries may stay: a
 * retry after a lost answer that finds the statement gone counts as done.
 */
export interface RetractLambdaApi {
  readonly region: string;
  /** The version's description and hash; undefined when it does not exist (deleted). */
  version(arn: LayerVersionArn): Promise<LayerVersionRead | undefined>;
  /** Every statement id in the version's policy (none when it has no policy). */
  statementIds(arn: LayerVersionArn): Promise<string[]>;
  removeStatement(arn: LayerVersionArn, statementId: string): Promise<void>;
  deleteVersion(arn: LayerVersionArn): Promise<void>;
}

const NOT_FOUND = 'ResourceNotFoundException';

const key = (arn: LayerVersionArn) => ({ LayerName: arn.layerName, VersionNumber: arn.version });

export function awsRetractLambdaApi(region: string, tuning?: AwsTuning): RetractLambdaApi {
  const lambda: LambdaClient = withAwsErrorContext(lambdaClient(region, tuning), 'lambda', region);
  const notFoundAs = async <T>(fallback: T, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      if (isAwsError(error, NOT_FOUND)) return fallback;
      throw error;
    }
  };
  return {
    region,
    version: (arn) => readLayerVersion(lambda, arn.layerName, arn.version),
    statementIds: (arn) =>
      notFoundAs([], async () => {
        const { Policy } = await lambda.send(new GetLayerVersionPolicyCommand(key(arn)));
        const policy = JSON.parse(Policy ?? '{}') as { Statement?: { Sid?: string }[] };
        return (policy.Statement ?? []).map((statement) => statement.Sid ?? '');
      }),
    // Gone already (an earlier run, or a lost answer retried): what was asked for.
    removeStatement: (arn, statementId) =>
      notFoundAs(undefined, async () => {
        await lambda.send(
          new RemoveLayerVersionPermissionCommand({ ...key(arn), StatementId: statementId }),
        );
      }),
    deleteVersion: (arn) =>
      notFoundAs(undefined, async () => {
        await lambda.send(new DeleteLayerVersionCommand(key(arn)));
      }),
  };
}

/** Reads through `reads` (a dry run shows what it would change), records every write, makes none. */
export function dryRunRetractLambdaApi(reads: RetractLambdaApi, plan: Plan): RetractLambdaApi {
  const { region } = reads;
  const record = recorder(plan, region);
  return {
    region,
    version: (arn) => reads.version(arn),
    statementIds: (arn) => reads.statementIds(arn),
    async removeStatement(arn, statementId) {
      record('lambda:RemoveLayerVersionPermission', { ...key(arn), StatementId: statementId });
    },
    async deleteVersion(arn) {
      record('lambda:DeleteLayerVersion', key(arn));
    },
  };
}
