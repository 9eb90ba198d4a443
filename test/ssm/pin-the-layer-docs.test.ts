import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runCanaries } from '../../src/canary/index.js';
import { CANARY_PREFIX } from '../../src/canary/names.js';
import { run, runChecked } from '../../src/exec.js';
import { writeParameters } from '../../src/ssm/index.js';
import { captureWrites } from '../helpers/capture.js';
import { parseCfnYaml } from '../sar/cfn-yaml.js';

/*
 * The README's "Pin the layer" and the IAM policies of the canary and ssm steps
 * (docs/permissions.md), held to the code: the templates pass cfn-lint (CloudFormation's own
 * linter, with SAM's transform), and every call a step's dry run plans is allowed by the policy
 * documented for it.
 */
const readme = await readFile('README.md', 'utf8');
const permissions = await readFile('docs/permissions.md', 'utf8');
const blocks = (lang: string, text = readme): string[] =>
  [...text.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map(
    (match) => match[1],
  );

interface Statement {
  Sid?: string;
  Action: string | string[];
  Resource: string;
  Condition?: unknown;
}
const policies = blocks('json', permissions)
  .map((text) => JSON.parse(text) as { Statement?: Statement[] })
  .filter((document) => document.Statement);
const statement = (sid: string): Statement => {
  const found = policies.flatMap((policy) => policy.Statement!).find((item) => item.Sid === sid);
  if (!found) throw new Error(`docs/permissions.md has no policy statement ${sid}`);
  return found;
};
const actions = (item: Statement): string[] => [item.Action].flat();
/** The service:Operation of each line of a dry-run plan. */
const planned = (plan: string[]): string[] => [...new Set(plan.map((line) => line.split(' ')[1]))];

const CFN_LINT = 'import sys; from cfnlint.runner import main; sys.argv[0] = "cfn-lint"; main()';

/** cfn-lint over the templates; installed first where python3 has none (no probe when it has). */
async function cfnLint(files: string[]) {
  const lint = await run('python3', ['-c', CFN_LINT, ...files]);
  if (!/No module named '?cfnlint\b/.test(lint.stderr)) return lint;
  await runChecked('python3', ['-m', 'pip', 'install', '--quiet', 'cfn-lint']);
  return run('python3', ['-c', CFN_LINT, ...files]);
}

describe('README: Pin the layer', () => {
  it('shows CloudFormation and SAM templates that resolve the SSM parameter and pass cfn-lint', async () => {
    const templates = blocks('yaml').filter((text) => text.startsWith('AWSTemplateFormatVersion'));
    expect(templates).toHaveLength(2);
    expect(templates[0]).toContain("'{{resolve:ssm:/lambda-shell-runtime/arm64/latest}}'");
    expect(await parseCfnYaml(templates[1])).toMatchObject({
      Transform: 'AWS::Serverless-2016-10-31',
      Parameters: { ShellRuntimeLayer: { Type: 'AWS::SSM::Parameter::Value<String>' } },
      Resources: { Hello: { Properties: { Layers: [{ Ref: 'ShellRuntimeLayer' }] } } },
    });
    const dir = await mkdtemp(join(tmpdir(), 'pin-docs-'));
    try {
      const files = await Promise.all(
        templates.map(async (text, index) => {
          const path = join(dir, `template-${index}.yaml`);
          await writeFile(path, text);
          return path;
        }),
      );
      const lint = await cfnLint(files);
      expect([lint.exitCode, lint.stdout + lint.stderr]).toEqual([0, '']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('shows Terraform reading the parameter and verify run before a deploy', () => {
    const terraform = blocks('hcl').join('\n');
    expect(terraform).toContain('data "aws_ssm_parameter" "shell_runtime"');
    expect(terraform).toContain('name = "/lambda-shell-runtime/arm64/latest"');
    const steps = parse(blocks('yaml').find((text) => text.includes(' verify '))!) as {
      run?: string;
    }[];
    const verify = steps.findIndex((step) =>
      step.run?.includes('lambda-shell-runtime@1.2.3 verify'),
    );
    const deploy = steps.findIndex((step) => step.run?.startsWith('sam deploy'));
    expect(verify).toBeGreaterThan(0);
    expect(deploy).toBeGreaterThan(verify);
  });
});

describe('docs/permissions.md: the IAM policies of canary and ssm', () => {
  const layers = {
    'us-east-1': {
      arm64: 'arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:1',
    },
  };

  it('lets the publisher make every call the canary makes, on canary functions only', async () => {
    const { result } = await captureWrites(process.stderr, () =>
      runCanaries({
        layers,
        version: '1.2.3',
        regions: [],
        roleArn: 'arn:aws:iam::123456789012:role/lambda-shell-runtime-canary',
        runId: '1-1',
        awsCli: true,
        dryRun: true,
      }),
    );
    const functions = statement('CanaryFunctions');
    expect(planned(result!.plan).sort()).toEqual([...actions(functions)].sort());
    expect(functions.Resource).toBe(`arn:aws:lambda:*:123456789012:function:${CANARY_PREFIX}*`);
    const pass = statement('PassOnlyTheCanaryRole');
    expect(pass).toMatchObject({
      Action: 'iam:PassRole',
      Resource: 'arn:aws:iam::123456789012:role/lambda-shell-runtime-canary',
      Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
    });
  });

  it('lets the publisher make every call the ssm step makes, under the prefix only', async () => {
    const { result } = await captureWrites(process.stderr, () =>
      writeParameters({
        layers,
        version: '1.2.3',
        prefix: '/lambda-shell-runtime',
        regions: [],
        dryRun: true,
      }),
    );
    const ssm = statement('AdvertiseLayerVersions');
    expect(planned(result!.plan).sort()).toEqual([...actions(ssm)].sort());
    expect(ssm.Resource).toBe('arn:aws:ssm:*:123456789012:parameter/lambda-shell-runtime/*');
  });
});
