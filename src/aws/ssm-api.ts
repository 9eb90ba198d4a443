import { GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import { ssmClient, type AwsTuning } from './clients.js';
import { recorder, type Plan } from './plan.js';

/** A parameter as the ssm step writes it. */
export interface ParameterWrite {
  name: string;
  value: string;
  description: string;
}

/** The SSM calls of the ssm step in one region: AWS, or a dry run that records them. */
export interface SsmApi {
  readonly region: string;
  /** Name → value of the parameters directly under `path`. */
  parameters(path: string): Promise<Map<string, string>>;
  put(write: ParameterWrite): Promise<void>;
}

const putInput = (write: ParameterWrite) => ({
  Name: write.name,
  Value: write.value,
  Description: write.description,
  Type: 'String' as const,
  DataType: 'text',
  Overwrite: true,
});

export function awsSsmApi(region: string, tuning?: AwsTuning): SsmApi {
  const ssm = ssmClient(region, tuning);
  return {
    region,
    async parameters(path) {
      const found = new Map<string, string>();
      let NextToken: string | undefined;
      do {
        const page = await ssm.send(
          new GetParametersByPathCommand({
            Path: path,
            Recursive: false,
            NextToken,
            MaxResults: 10,
          }),
        );
        for (const parameter of page.Parameters ?? [])
          if (parameter.Name) found.set(parameter.Name, parameter.Value ?? '');
        NextToken = page.NextToken;
      } while (NextToken);
      return found;
    },
    async put(write) {
      // Overwrite makes a repeat harmless: a lost answer retried writes the same value again.
      await ssm.send(new PutParameterCommand(putInput(write)));
    },
  };
}

/**
 * Records every write, makes none. Reads go through `reads` when given (the retract step's dry
 * run shows what it would change); else they are recorded and answered as if no parameter
 * existed yet.
 */
export function dryRunSsmApi(region: string, plan: Plan, reads?: SsmApi): SsmApi {
  const record = recorder(plan, region);
  return {
    region,
    async parameters(path) {
      if (reads) return reads.parameters(path);
      record('ssm:GetParametersByPath', { Path: path, Recursive: false });
      return new Map();
    },
    async put(write) {
      record('ssm:PutParameter', putInput(write));
    },
  };
}
