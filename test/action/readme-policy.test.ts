import {
  CreateApplicationCommand,
  ListApplicationsCommand,
  ServerlessApplicationRepositoryClient,
} from '@aws-sdk/client-serverlessapplicationrepository';
import { mockClient } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { parseShare } from '../../src/parsers.js';
import { publishLayers } from '../../src/publish/index.js';
import { retractRelease } from '../../src/retract/index.js';
import { publishSar } from '../../src/sar/index.js';
import { writeParameters } from '../../src/ssm/index.js';
import type { RecordedRequest } from '../helpers/fault-proxy.js';
import {
  captureStderr,
  createBuckets,
  publishOptions,
  useMotoBehindProxy,
} from '../publish/fixtures.js';

/**
 * The docs are copy-paste true: the README workflow's inputs, run against moto (SAR through
 * aws-sdk-client-mock, which moto lacks), make only calls the least-privilege policies of
 * docs/permissions.md allow.
 * Each call is mapped to its IAM action and resource, and evaluated as IAM does: an Allow
 * statement whose Action and Resource patterns (`*` and `?` wildcards) both match.
 */
const README = readFileSync('README.md', 'utf8');
const PERMISSIONS = readFileSync('docs/permissions.md', 'utf8');
const ACCOUNT = '123456789012'; // moto's account, and the README's placeholder

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}
interface Call {
  action: string;
  resource: string;
}

/** The JSON block under a heading of docs/permissions.md. */
function policyUnder(heading: string): Statement[] {
  const start = PERMISSIONS.indexOf(heading);
  expect(start).toBeGreaterThan(-1);
  const block = /```json\n([\s\S]*?)\n```/.exec(PERMISSIONS.slice(start))![1];
  return (JSON.parse(block) as { Statement: Statement[] }).Statement;
}

/** The workflow step's `with:` inputs in the README's release.yml example. */
function workflowInput(name: string): string {
  const match = new RegExp(`^ {10}${name}: (.+)$`, 'm').exec(README);
  expect([name, match?.[1]]).toEqual([name, expect.any(String)]);
  return match![1].trim();
}

const wildcard = (pattern: string, flags = ''): RegExp =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
    flags,
  );
const list = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

function allowed(policy: Statement[], call: Call): boolean {
  return policy.some(
    (statement) =>
      statement.Effect === 'Allow' &&
      // Actions are case-insensitive in IAM, resources are not.
      list(statement.Action).some((action) => wildcard(action, 'i').test(call.action)) &&
      list(statement.Resource).some((resource) => wildcard(resource).test(call.resource)),
  );
}

/** The IAM action and resource of a request the proxy recorded. */
function iamCall(request: RecordedRequest): Call {
  const { method, path, region, service } = request;
  if (service === 's3') {
    const [, bucket, key] = /^\/([^/]+)\/(.+)$/.exec(path) ?? [];
    const action = { PUT: 's3:PutObject', GET: 's3:GetObject', HEAD: 's3:GetObject' }[method];
    if (action && key) return { action, resource: `arn:aws:s3:::${bucket}/${key}` };
  }
  if (service === 'lambda') {
    const layer = (name: string) => `arn:aws:lambda:${region}:${ACCOUNT}:layer:${name}`;
    const routes: [string, RegExp, (match: RegExpExecArray) => Call][] = [
      // ListLayerVersions has no resource-level permission: IAM evaluates it against "*".
      [
        'GET',
        /^\/2018-10-31\/layers\/([^/]+)\/versions$/,
        () => ({ action: 'lambda:ListLayerVersions', resource: '*' }),
      ],
      [
        'POST',
        /^\/2018-10-31\/layers\/([^/]+)\/versions$/,
        (m) => ({ action: 'lambda:PublishLayerVersion', resource: layer(m[1]) }),
      ],
      [
        'GET',
        /^\/2018-10-31\/layers\/([^/]+)\/versions\/(\d+)$/,
        (m) => ({ action: 'lambda:GetLayerVersion', resource: `${layer(m[1])}:${m[2]}` }),
      ],
      [
        'GET',
        /^\/2018-10-31\/layers\/([^/]+)\/versions\/(\d+)\/policy$/,
        (m) => ({ action: 'lambda:GetLayerVersionPolicy', resource: `${layer(m[1])}:${m[2]}` }),
      ],
      [
        'POST',
        /^\/2018-10-31\/layers\/([^/]+)\/versions\/(\d+)\/policy$/,
        (m) => ({ action: 'lambda:AddLayerVersionPermission', resource: `${layer(m[1])}:${m[2]}` }),
      ],
      [
        'DELETE',
        /^\/2018-10-31\/layers\/([^/]+)\/versions\/(\d+)\/policy\/[^/]+$/,
        (m) => ({
          action: 'lambda:RemoveLayerVersionPermission',
          resource: `${layer(m[1])}:${m[2]}`,
        }),
      ],
      [
        'DELETE',
        /^\/2018-10-31\/layers\/([^/]+)\/versions\/(\d+)$/,
        (m) => ({ action: 'lambda:DeleteLayerVersion', resource: `${layer(m[1])}:${m[2]}` }),
      ],
    ];
    for (const [routeMethod, pattern, toCall] of routes) {
      const match = pattern.exec(path);
      if (method === routeMethod && match) return toCall(match);
    }
  }
  // SSM acts on the parameter (or, for GetParametersByPath, the path) its body names.
  if (service === 'ssm' && request.target && request.json) {
    const name = String(request.json.Name ?? request.json.Path ?? '');
    return {
      action: `ssm:${request.target.replace(/^AmazonSSM\./, '')}`,
      resource: `arn:aws:ssm:${region}:${ACCOUNT}:parameter${name}`,
    };
  }
  throw new Error(`a call this test cannot map to IAM: ${service} ${method} ${path}`);
}

const suite = useMotoBehindProxy();

const regions = () => workflowInput('regions').split(',');
const bucketPattern = () => workflowInput('s3-bucket');

beforeAll(() =>
  createBuckets(suite.server.moto.endpoint, regions(), (region) =>
    bucketPattern().replace('{region}', region),
  ),
);
beforeEach(() => suite.server.proxy.reset());

const refused = (policy: Statement[], calls: Call[]): Call[] =>
  calls.filter((call) => !allowed(policy, call));

describe("the documented IAM policies allow every call the README's workflow makes", () => {
  it('publish, through the one s3-bucket, with align-versions and share as in the workflow', async () => {
    const run = () =>
      publishLayers(
        publishOptions(suite.dist, {
          regions: regions(),
          share: parseShare(workflowInput('share')),
          s3Bucket: bucketPattern(),
          alignVersions: workflowInput('align-versions') === 'true',
        }),
      );
    await captureStderr(run);
    await captureStderr(run); // a re-run reads and reuses: its calls count too
    const calls = suite.server.proxy.requests.map(iamCall);
    // Lambda reads the S3 object with the caller's rights when it publishes from S3.
    for (const call of calls.filter((candidate) => candidate.action === 's3:PutObject'))
      calls.push({ action: 's3:GetObject', resource: call.resource });
    expect(new Set(calls.map((call) => call.action))).toEqual(
      new Set([
        'lambda:ListLayerVersions',
        'lambda:GetLayerVersion',
        'lambda:PublishLayerVersion',
        'lambda:GetLayerVersionPolicy',
        'lambda:AddLayerVersionPermission',
        's3:PutObject',
        's3:GetObject',
      ]),
    );
    expect(refused(policyUnder('### Least-privilege IAM policy: `publish`'), calls)).toEqual([]);
  });

  it('sar, with the same s3-bucket input, in the first region', async () => {
    // Typed loosely: the SAR client's SDK types differ from the mock library's.
    const sar = mockClient(ServerlessApplicationRepositoryClient as never);
    const region = regions()[0];
    sar.onAnyCommand().resolves({});
    sar.on(ListApplicationsCommand as never).resolves({ Applications: [] } as never);
    sar.on(CreateApplicationCommand as never).callsFake(async (input: { Name: string }) => ({
      ApplicationId: `arn:aws:serverlessrepo:${region}:${ACCOUNT}:applications/${input.Name}`,
    }));
    try {
      await captureStderr(() =>
        publishSar({
          zips: suite.dist.zips,
          version: '1.2.3',
          s3Bucket: bucketPattern(),
          region,
          share: parseShare(workflowInput('share')),
          dryRun: false,
          applicationName: 'lambda-shell-runtime',
          author: 'lambda-shell-runtime',
          sourceCodeUrl: 'https://github.com/OWNER/lambda-shell-runtime',
          policyRetry: { sleep: async () => undefined },
        }),
      );
      const calls = suite.server.proxy.requests.map(iamCall);
      for (const call of sar.calls()) {
        const command = call.args[0] as {
          constructor: { name: string };
          input: { ApplicationId?: string };
        };
        calls.push({
          action: `serverlessrepo:${command.constructor.name.replace(/Command$/, '')}`,
          // Calls on an application act on its ARN (its id); listing and creating on "*".
          resource: command.input.ApplicationId ?? '*',
        });
      }
      expect(calls.map((call) => call.action)).toEqual(
        expect.arrayContaining(['s3:PutObject', 'serverlessrepo:CreateApplication']),
      );
      expect(refused(policyUnder('### Least-privilege IAM policy: `sar`'), calls)).toEqual([]);
    } finally {
      sar.restore();
    }
  });

  it('retract, with delete, after publish and ssm', async () => {
    const published = await captureStderr(() =>
      publishLayers(
        publishOptions(suite.dist, { regions: regions(), share: parseShare('public') }),
      ),
    );
    await captureStderr(() =>
      writeParameters({
        layers: published.result!.arns,
        version: '1.2.3',
        prefix: '/lambda-shell-runtime',
        regions: [],
        dryRun: false,
      }),
    );
    suite.server.proxy.reset();
    await captureStderr(() =>
      retractRelease({
        version: '1.2.3',
        distDir: suite.dist.dir,
        regions: [],
        reason: 'policy check',
        delete: true,
        force: false,
        dryRun: false,
        ssmPrefix: '/lambda-shell-runtime',
      }),
    );
    const calls = suite.server.proxy.requests.map(iamCall);
    expect(new Set(calls.map((call) => call.action))).toEqual(
      new Set([
        'lambda:GetLayerVersion',
        'lambda:GetLayerVersionPolicy',
        'lambda:RemoveLayerVersionPermission',
        'lambda:DeleteLayerVersion',
        'ssm:GetParametersByPath',
        'ssm:PutParameter',
      ]),
    );
    expect(refused(policyUnder('### Least-privilege IAM policy: `retract`'), calls)).toEqual([]);
  });

  it('refuses what the policies do not allow (the evaluation can fail)', () => {
    const publish = policyUnder('### Least-privilege IAM policy: `publish`');
    expect(
      refused(publish, [
        {
          action: 'lambda:DeleteLayerVersion',
          resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:lambda-shell-runtime-arm64:1`,
        },
        {
          action: 'lambda:PublishLayerVersion',
          resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:layer:other-arm64`,
        },
        {
          action: 's3:PutObject',
          resource: 'arn:aws:s3:::another-bucket/lambda-shell-runtime/1.2.3/x.zip',
        },
        { action: 'lambda:ListLayerVersions', resource: '*' },
      ]).map((call) => call.action),
    ).toEqual(['lambda:DeleteLayerVersion', 'lambda:PublishLayerVersion', 's3:PutObject']);
  });
});
