import { INPUT_DEFAULTS, type InputReader, getInputs } from '../../src/context.js';
import { hostArchitecture } from '../../src/platform.js';
import { InputError } from '../../src/errors.js';

const reader =
  (values: Record<string, string>): InputReader =>
  (name) =>
    values[name] ?? '';

/** What a synchronous call writes to stderr (the logger's warnings off a runner). */
function captureSync<T>(fn: () => T): { result: T; text: string } {
  const chunks: string[] = [];
  const original = process.stderr.write;
  process.stderr.write = ((chunk: string) => (
    chunks.push(String(chunk)),
    true
  )) as typeof process.stderr.write;
  try {
    return { result: fn(), text: chunks.join('') };
  } finally {
    process.stderr.write = original;
  }
}

const env = { GITHUB_REF: 'refs/tags/v1.2.3', GITHUB_REPOSITORY: 'octo/lambda-shell-runtime' };
const valid = {
  regions: 'us-east-1',
  's3-bucket': 'artifacts-{region}',
  'github-token': 'ghs_secret',
};

describe('getInputs', () => {
  it('applies the defaults of action.yml and reads the version from the tag', () => {
    const inputs = getInputs(reader(valid), env);
    expect(inputs).toMatchObject({
      version: '1.2.3',
      tag: 'v1.2.3',
      architectures: ['arm64', 'amd64'],
      builder: 'docker',
      steps: ['build', 'test', 'release', 'publish', 'sar'],
      regions: ['us-east-1'],
      layerName: 'lambda-shell-runtime-{arch}',
      share: { kind: 'none' },
      alignVersions: false,
      dryRun: false,
      draft: false,
      distDir: INPUT_DEFAULTS['dist-dir'],
      repository: { owner: 'octo', repo: 'lambda-shell-runtime' },
    });
  });

  it('reads the runner environment once, here, for the steps', () => {
    const inputs = getInputs(reader(valid), {
      ...env,
      GITHUB_SERVER_URL: 'https://ghe.example.com',
      GITHUB_API_URL: 'https://ghe.example.com/api/v3',
      SOURCE_DATE_EPOCH: '1700000000',
      RUNNER_TOOL_CACHE: '/opt/hostedtoolcache',
      ACTIONS_RUNTIME_TOKEN: 'runtime-token',
      ACTIONS_RESULTS_URL: 'https://results.example.com',
    });
    expect(inputs).toMatchObject({
      githubApiUrl: 'https://ghe.example.com/api/v3',
      githubServerUrl: 'https://ghe.example.com',
      sourceDateEpoch: 1700000000,
      toolCache: true,
      sourceCodeUrl: 'https://ghe.example.com/octo/lambda-shell-runtime',
      applicationName: 'lambda-shell-runtime',
      author: 'lambda-shell-runtime',
      buildCache: {
        cacheFrom: ['type=gha,scope=lambda-shell-runtime-{arch}'],
        cacheTo: ['type=gha,mode=max,scope=lambda-shell-runtime-{arch}'],
      },
    });
    expect(() => getInputs(reader(valid), { ...env, SOURCE_DATE_EPOCH: 'yesterday' })).toThrow(
      /Invalid input "SOURCE_DATE_EPOCH": "yesterday"/,
    );
  });

  it('takes the region of the job when regions is empty', () => {
    const inputs = getInputs(reader({ ...valid, regions: '' }), {
      ...env,
      AWS_REGION: 'eu-west-1',
    });
    expect(inputs.regions).toEqual(['eu-west-1']);
  });

  it('retract: the release of version in every region of its layers.json (not the job region), with a token', () => {
    const inputs = getInputs(
      reader({
        steps: 'retract',
        version: '1.2.0',
        reason: 'bad jq',
        delete: 'true',
        'github-token': 't',
      }),
      { GITHUB_REF: 'refs/heads/main', GITHUB_REPOSITORY: 'octo/r', AWS_REGION: 'eu-west-1' },
    );
    expect(inputs).toMatchObject({
      steps: ['retract'],
      version: '1.2.0',
      tag: 'v1.2.0',
      regions: [],
      reason: 'bad jq',
      deleteVersions: true,
      force: false,
    });
    expect(() =>
      getInputs(reader({ steps: 'retract', version: '1.2.0' }), { GITHUB_REPOSITORY: 'octo/r' }),
    ).toThrow(/"github-token".*when steps include retract/);
  });

  it('align-versions: replay', () => {
    expect(getInputs(reader({ ...valid, 'align-versions': 'replay' }), env)).toMatchObject({
      alignVersions: true,
      alignMode: 'replay',
    });
    expect(getInputs(reader({ ...valid, 'align-versions': 'true' }), env).alignMode).toBe('fill');
  });

  const host = hostArchitecture()!;
  const foreign = host === 'amd64' ? 'arm64' : 'amd64';
  it.each([
    ['version', { version: '1.2' }, {}, /"version": "1.2"/],
    ['version from a branch', {}, { GITHUB_REF: 'refs/heads/main' }, /"version"/],
    ['architectures', { architectures: 'arm64,s390x' }, {}, /"architectures": "s390x"/],
    ['builder', { builder: 'podman' }, {}, /"builder": "podman"/],
    ['steps', { steps: 'build,deploy' }, {}, /"steps": "deploy"/],
    ['regions', { regions: 'us-east-1,moon-1' }, {}, /"regions": "moon-1"/],
    ['share', { share: 'everybody' }, {}, /"share": "everybody"/],
    ['layer-name', { 'layer-name': 'has space-{arch}' }, {}, /"layer-name"/],
    ['s3-bucket', { 's3-bucket': 'UPPER' }, {}, /"s3-bucket": "UPPER"/],
    ['align-versions', { 'align-versions': 'maybe' }, {}, /"align-versions": "maybe"/],
    ['dry-run', { 'dry-run': 'yes' }, {}, /"dry-run": "yes"/],
    ['draft', { draft: '1' }, {}, /"draft": "1"/],
    ['aws-cli-version', { 'aws-cli-version': '1.32.0' }, {}, /"aws-cli-version": "1.32.0"/],
    ['canary-role-arn', { 'canary-role-arn': 'my-role' }, {}, /"canary-role-arn": "my-role"/],
    ['ssm-prefix', { 'ssm-prefix': 'no-slash' }, {}, /"ssm-prefix": "no-slash"/],
    [
      'canary-role-arn required by an explicit canary step',
      { steps: 'publish,canary' },
      {},
      /"canary-role-arn".*when steps include canary/,
    ],
    [
      'ssm-prefix emptied while the ssm step is asked for',
      { steps: 'publish,ssm', 'ssm-prefix': '' },
      {},
      /"ssm-prefix".*when steps include ssm/,
    ],
    ['regions required by publish', { regions: '' }, {}, /"regions".*when steps include publish/],
    ['s3-bucket required by sar', { 's3-bucket': '' }, {}, /"s3-bucket".*when steps include sar/],
    [
      'token required by release',
      { 'github-token': '' },
      {},
      /"github-token".*when steps include release/,
    ],
    [
      'local builder and only a foreign arch',
      { builder: 'local', architectures: foreign, 'dry-run': 'true' },
      {},
      /"architectures"/,
    ],
  ])('rejects a bad %s, naming the input', (_name, values, extraEnv, message) => {
    const read = reader({ ...valid, ...values });
    expect(() => getInputs(read, { ...env, ...extraEnv })).toThrow(InputError);
    expect(() => getInputs(read, { ...env, ...extraEnv })).toThrow(message);
  });

  it('needs no token, bucket or region for steps that do not use them', () => {
    const inputs = getInputs(
      reader({ steps: 'build,test', builder: 'local', architectures: host }),
      env,
    );
    expect(inputs.steps).toEqual(['build', 'test']);
  });

  it('builds only the host architecture with the local builder, leaving the others out', () => {
    const inputs = getInputs(
      reader({
        ...valid,
        builder: 'local',
        architectures: `${foreign},${host}`,
        'dry-run': 'true',
      }),
      env,
    );
    expect(inputs.architectures).toEqual([host]);
  });

  it('plans a dry run on the defaults a runner passes, with placeholders for what is missing', () => {
    const inputs = getInputs(reader({ builder: 'local', 'dry-run': 'true' }), env);
    expect(inputs).toMatchObject({
      dryRun: true,
      regions: ['us-east-1'],
      s3Bucket: '',
      architectures: [host],
      githubToken: '',
    });
  });

  const role = 'arn:aws:iam::123456789012:role/lambda-shell-runtime-canary';

  it('runs canary and ssm with steps: all when their inputs are set, after publish', () => {
    const inputs = getInputs(
      reader({ ...valid, 'canary-role-arn': role, 'ssm-prefix': '/lambda-shell-runtime' }),
      { ...env, GITHUB_RUN_ID: '4242', GITHUB_RUN_ATTEMPT: '2' },
    );
    expect(inputs.steps).toEqual(['build', 'test', 'release', 'publish', 'canary', 'ssm', 'sar']);
    expect(inputs).toMatchObject({
      canaryRoleArn: role,
      ssmPrefix: '/lambda-shell-runtime',
      runId: '4242-2',
    });
  });

  it('leaves the canary out of steps: all without a role, and ssm out with an empty prefix', () => {
    const { result, text } = captureSync(() => getInputs(reader(valid), env));
    expect(result.steps).toEqual(['build', 'test', 'release', 'publish', 'sar']);
    expect(text).toContain('canary skipped: no canary-role-arn given');
  });

  it('plans the canary of a dry run with a placeholder role', () => {
    const inputs = getInputs(
      reader({ builder: 'local', 'dry-run': 'true', 'ssm-prefix': '/p' }),
      env,
    );
    expect(inputs.steps).toContain('canary');
    expect(inputs.steps).toContain('ssm');
    expect(inputs.canaryRoleArn).toBe('arn:aws:iam::123456789012:role/lambda-shell-runtime-canary');
  });
});
