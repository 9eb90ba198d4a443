import { jest } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Inputs } from '../../src/context.js';
import type { LayerZip } from '../../src/dist.js';
import { captureWrites } from '../helpers/capture.js';

// Every step is mocked at its module boundary: this suite checks the orchestration only.
const calls: string[] = [];
const record =
  <T>(name: string, value: T) =>
  async (..._args: unknown[]): Promise<T> => {
    calls.push(name);
    return value;
  };

const zip: LayerZip = {
  arch: 'arm64',
  version: '1.2.3',
  fileName: 'lambda-shell-runtime-arm64-1.2.3.zip',
  path: '/dist/lambda-shell-runtime-arm64-1.2.3.zip',
  size: 1024,
  sha256: 'ab'.repeat(32),
  codeSha256: 'q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=',
};
const arns = {
  'us-east-1': {
    arm64: 'arn:aws:lambda:us-east-1:123456789012:layer:lambda-shell-runtime-arm64:3',
  },
};

const buildLayers = jest.fn(record('build', { zips: [zip] }));
const testLayers = jest.fn(record('test', { exampleResponse: 'Echoing request: {}' }));
const prepareRelease = jest.fn(
  record('release:prepare', { id: 1, htmlUrl: 'https://github.com/o/r/releases/tag/v1.2.3' }),
);
const uploadAssets = jest.fn(record('release:upload', undefined));
const finishRelease = jest.fn(
  record('release:finish', { url: 'https://github.com/o/r/releases/tag/v1.2.3' }),
);
const publishLayers = jest.fn(
  record('publish', { layers: [], arns, layersJson: '/dist/layers.json', plan: [] }),
);
const publishSar = jest.fn(
  record('sar', {
    applicationId: 'arn:aws:serverlessrepo:us-east-1:123456789012:applications/lsr',
    url: 'https://sar',
    created: true,
    plan: [],
  }),
);
const readLayerZips = jest.fn(record('read-dist', [zip]));
const passed = {
  region: 'us-east-1',
  arch: 'arm64' as const,
  layerArn: arns['us-east-1'].arm64,
  functionName: 'lsr-canary-1-2-3-arm64-7-1',
  status: 'passed' as const,
  durationMs: 2100,
  awsVersion: 'aws-cli/2.36.5',
  jqVersion: 'jq-1.7.1',
  deleted: true,
  detail: '',
};
const runCanaries = jest.fn(record('canary', { outcomes: [passed], plan: [] }));
const writeParameters = jest.fn(
  record('ssm', {
    parameters: [
      {
        region: 'us-east-1',
        arch: 'arm64',
        name: '/lambda-shell-runtime/arm64/latest',
        value: arns['us-east-1'].arm64,
        status: 'created',
        detail: '',
      },
    ],
    plan: [],
  }),
);
const realCanary = await import('../../src/canary/index.js');
jest.unstable_mockModule('../../src/canary/index.js', () => ({ ...realCanary, runCanaries }));
const realSsm = await import('../../src/ssm/index.js');
jest.unstable_mockModule('../../src/ssm/index.js', () => ({ ...realSsm, writeParameters }));

jest.unstable_mockModule('../../src/build/index.js', () => ({ buildLayers }));
jest.unstable_mockModule('../../src/layer-test/index.js', () => ({ testLayers }));
const { releaseFiles } = await import('../../src/release/files.js');
jest.unstable_mockModule('../../src/release/index.js', () => ({
  prepareRelease,
  uploadAssets,
  finishRelease,
  releaseFiles,
}));
const { PublishError } = await import('../../src/publish/report.js');
jest.unstable_mockModule('../../src/publish/index.js', () => ({ publishLayers, PublishError }));
jest.unstable_mockModule('../../src/sar/index.js', () => ({ publishSar }));
const retractRelease = jest.fn(
  record('retract', { version: '1.2.0', layers: [], plan: ['us-east-1 lambda:Remove…'] }),
);
const realRetract = await import('../../src/retract/index.js');
jest.unstable_mockModule('../../src/retract/index.js', () => ({ ...realRetract, retractRelease }));
const realDist = await import('../../src/dist.js');
const assertReleasable = jest.fn(async () => undefined);
const readManifest = jest.fn(async () => ({
  version: '1.2.3',
  builder: 'docker',
  releasable: true,
  architectures: ['arm64'],
}));
jest.unstable_mockModule('../../src/dist.js', () => ({
  ...realDist,
  readLayerZips,
  assertReleasable,
  readManifest,
}));

const { runPipeline, PipelineError } = await import('../../src/pipeline.js');
const { run } = await import('../../src/main.js');
const { actionOutputs } = await import('../../src/outputs.js');

const inputs: Inputs = {
  version: '1.2.3',
  architectures: ['arm64'],
  builder: 'docker',
  steps: ['build', 'test', 'release', 'publish', 'sar'],
  regions: ['us-east-1'],
  layerName: 'lambda-shell-runtime-{arch}',
  share: { kind: 'public' },
  s3Bucket: 'artifacts',
  alignVersions: true,
  awsCliVersion: '2.36.5',
  githubToken: 'ghs_token',
  dryRun: false,
  distDir: '/dist',
  draft: false,
  repository: { owner: 'o', repo: 'r' },
  tag: 'v1.2.3',
  commit: 'abc123',
  canaryRoleArn: 'arn:aws:iam::123456789012:role/lambda-shell-runtime-canary',
  runId: '7-1',
  ssmPrefix: '/lambda-shell-runtime',
  applicationName: 'lambda-shell-runtime',
  author: 'lambda-shell-runtime',
  sourceCodeUrl: 'https://github.com/o/r',
  githubApiUrl: '',
  githubServerUrl: '',
  buildCache: { cacheFrom: [], cacheTo: [] },
  toolCache: false,
  reason: '',
  deleteVersions: false,
  force: false,
};
const withProof: Inputs = {
  ...inputs,
  steps: ['build', 'test', 'release', 'publish', 'canary', 'ssm', 'sar'],
};

beforeEach(() => {
  calls.length = 0;
  jest.clearAllMocks();
});

describe('runPipeline', () => {
  it('runs every step in order and finishes the release last, with layers.json', async () => {
    const result = await runPipeline(inputs);
    expect(calls).toEqual([
      'build',
      'test',
      'release:prepare',
      'publish',
      'sar',
      'release:upload',
      'release:finish',
    ]);
    expect(buildLayers).toHaveBeenCalledWith(
      expect.objectContaining({
        builder: 'docker',
        architectures: ['arm64'],
        version: '1.2.3',
        outDir: '/dist',
        awsCliVersion: '2.36.5',
      }),
    );
    expect(prepareRelease).toHaveBeenCalledWith(
      expect.objectContaining({
        tag: 'v1.2.3',
        files: [zip.path, '/dist/SHA256SUMS'],
        dryRun: false,
      }),
    );
    expect(publishLayers).toHaveBeenCalledWith(
      expect.objectContaining({
        regions: ['us-east-1'],
        alignVersions: true,
        share: { kind: 'public' },
      }),
    );
    expect(uploadAssets).toHaveBeenCalledWith(
      expect.anything(),
      ['/dist/layers.json'],
      expect.anything(),
    );
    expect(assertReleasable).toHaveBeenCalledWith('/dist', false);
    expect(result.done).toEqual(['build', 'test', 'release', 'publish', 'sar']);
    expect(actionOutputs(result)).toEqual({
      version: '1.2.3',
      zips: JSON.stringify([zip.path]),
      'layer-arns': JSON.stringify(arns),
      'layer-arn-arm64': arns['us-east-1'].arm64,
      'layer-arn-amd64': '',
      'layer-failures': '[]',
      'sar-application-id': 'arn:aws:serverlessrepo:us-east-1:123456789012:applications/lsr',
      'release-url': 'https://github.com/o/r/releases/tag/v1.2.3',
      plan: '',
    });
  });

  it('retract runs alone, on the release of version, with the token and the retract inputs; no zips read', async () => {
    const result = await runPipeline({
      ...inputs,
      version: '1.2.0',
      tag: 'v1.2.0',
      steps: ['retract'],
      regions: [],
      reason: 'bad jq',
      deleteVersions: true,
      dryRun: true,
    });
    expect(calls).toEqual(['retract']);
    expect(retractRelease).toHaveBeenCalledWith({
      version: '1.2.0',
      distDir: '',
      regions: [],
      reason: 'bad jq',
      delete: true,
      force: false,
      dryRun: true,
      ssmPrefix: '/lambda-shell-runtime',
      github: { token: 'ghs_token', repository: { owner: 'o', repo: 'r' }, tag: 'v1.2.0' },
    });
    expect(result.plan).toEqual(['us-east-1 lambda:Remove…']);
    expect(result.done).toEqual(['retract']);
  });

  it('passes align-versions replay to publish, with the repository its earlier releases are in', async () => {
    await runPipeline({ ...inputs, steps: ['publish'], alignMode: 'replay' });
    expect(publishLayers).toHaveBeenCalledWith(
      expect.objectContaining({
        alignVersions: true,
        alignMode: 'replay',
        history: { token: 'ghs_token', repository: { owner: 'o', repo: 'r' } },
      }),
    );
  });

  it('reads the dist folder when build is not a step', async () => {
    await runPipeline({ ...inputs, steps: ['publish'] });
    expect(calls).toEqual(['read-dist', 'publish']);
    expect(readLayerZips).toHaveBeenCalledWith('/dist', '1.2.3');
  });

  it('keeps only the architectures asked for when build is not a step', async () => {
    const amd64: LayerZip = {
      ...zip,
      arch: 'amd64',
      fileName: 'amd64.zip',
      path: '/dist/amd64.zip',
    };
    readLayerZips.mockImplementationOnce(async () => [zip, amd64]);
    const result = await runPipeline({ ...inputs, architectures: ['amd64'], steps: ['publish'] });
    expect(result.zips).toEqual([amd64]);
    expect(publishLayers).toHaveBeenCalledWith(expect.objectContaining({ zips: [amd64] }));
  });

  it('names dist-dir when build is not a step and the folder has no zips, and runs nothing', async () => {
    readLayerZips.mockImplementationOnce(async () => {
      throw new Error("ENOENT: no such file or directory, scandir '/dist'");
    });
    await expect(runPipeline({ ...inputs, steps: ['release', 'publish'] })).rejects.toThrow(
      /^Invalid input "dist-dir": "\/dist".*build is not among the steps.*ENOENT/,
    );
    expect(prepareRelease).not.toHaveBeenCalled();
    expect(publishLayers).not.toHaveBeenCalled();
  });

  it('stops at the first failure and says what was done and what was not', async () => {
    publishLayers.mockImplementationOnce(async () => {
      calls.push('publish');
      throw new Error('eu-west-1: AccessDenied');
    });
    const failure = runPipeline(inputs);
    await expect(failure).rejects.toThrow(PipelineError);
    await expect(failure).rejects.toThrow(
      'publish failed: eu-west-1: AccessDenied\nDone: build, test, release. Not done: publish, sar.',
    );
    expect(calls).toEqual(['build', 'test', 'release:prepare', 'publish']);
    expect(finishRelease).not.toHaveBeenCalled();
  });

  it('passes dry-run to every remote step; its outputs hold no ARN, id or URL, only the plan', async () => {
    publishLayers.mockImplementationOnce(
      record('publish', {
        layers: [],
        failed: [],
        arns: { 'us-east-1': { arm64: 'arn:aws:lambda:us-east-1:<account>:layer:x:1' } },
        layersJson: '/tmp/layers.json',
        plan: ['us-east-1 lambda:PublishLayerVersion {"LayerName":"x"}'],
      }) as never,
    );
    publishSar.mockImplementationOnce(
      record('sar', {
        applicationId: 'arn:aws:serverlessrepo:us-east-1:<account>:applications/lsr',
        url: 'https://sar',
        created: true,
        plan: ['us-east-1 serverlessrepo:CreateApplication {}'],
      }) as never,
    );
    const result = await runPipeline({ ...inputs, dryRun: true });
    for (const step of [prepareRelease, publishLayers, publishSar, finishRelease]) {
      expect(JSON.stringify(step.mock.calls)).toContain('"dryRun":true');
    }
    expect(actionOutputs(result)).toEqual({
      version: '1.2.3',
      zips: JSON.stringify([zip.path]),
      'layer-arns': '',
      'layer-arn-arm64': '',
      'layer-arn-amd64': '',
      'layer-failures': '[]',
      'sar-application-id': '',
      'release-url': '',
      plan: [
        'github o/r release v1.2.3: find it or create a draft, upload the zips, SHA256SUMS and layers.json, then publish it',
        'us-east-1 lambda:PublishLayerVersion {"LayerName":"x"}',
        'us-east-1 serverlessrepo:CreateApplication {}',
      ].join('\n'),
    });
  });

  it('proves the layer after publish: canary, then SSM, then SAR and the published release', async () => {
    const result = await runPipeline(withProof);
    expect(calls).toEqual([
      'build',
      'test',
      'release:prepare',
      'publish',
      'canary',
      'ssm',
      'sar',
      'release:upload',
      'release:finish',
    ]);
    expect(runCanaries).toHaveBeenCalledWith(
      expect.objectContaining({
        layers: arns,
        version: '1.2.3',
        roleArn: inputs.canaryRoleArn,
        runId: '7-1',
        awsCli: true,
        dryRun: false,
      }),
    );
    expect(writeParameters).toHaveBeenCalledWith(
      expect.objectContaining({ layers: arns, prefix: '/lambda-shell-runtime', version: '1.2.3' }),
    );
    expect(result.canary).toEqual([passed]);
    expect(result.ssm).toHaveLength(1);
    expect(result.done).toEqual(['build', 'test', 'release', 'publish', 'canary', 'ssm', 'sar']);
  });

  it('a failed canary stops the run before SSM, SAR and the release, with every outcome kept', async () => {
    const failed = { ...passed, region: 'eu-west-1', status: 'failed' as const, detail: 'boom' };
    runCanaries.mockImplementationOnce(async () => {
      calls.push('canary');
      throw new realCanary.CanaryError([passed, failed]);
    });
    const error = await runPipeline(withProof).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(PipelineError);
    expect((error as Error).message).toMatch(
      /^canary failed: canary failed in eu-west-1:\n {2}eu-west-1 arm64: failed \(boom\)\nothers:\n {2}us-east-1 arm64: passed\nDone: build, test, release, publish\. Not done: canary, ssm, sar\.$/,
    );
    expect((error as InstanceType<typeof PipelineError>).result?.canary).toEqual([passed, failed]);
    expect(calls).toEqual(['build', 'test', 'release:prepare', 'publish', 'canary']);
    expect(writeParameters).not.toHaveBeenCalled();
    expect(finishRelease).not.toHaveBeenCalled();
  });

  it('a failed SSM region stops the run before SAR and the release, its rows kept', async () => {
    const row = {
      region: 'us-east-1',
      arch: 'arm64' as const,
      name: '/lambda-shell-runtime/arm64/latest',
      value: arns['us-east-1'].arm64,
      status: 'failed' as const,
      detail: 'AccessDeniedException',
    };
    writeParameters.mockImplementationOnce(async () => {
      calls.push('ssm');
      throw new realSsm.SsmError([row]);
    });
    const error = await runPipeline(withProof).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect((error as Error).message).toMatch(/^ssm failed: SSM parameters failed in us-east-1:/);
    expect((error as InstanceType<typeof PipelineError>).result?.ssm).toEqual([row]);
    expect(calls).toEqual(['build', 'test', 'release:prepare', 'publish', 'canary', 'ssm']);
    expect(finishRelease).not.toHaveBeenCalled();
  });
});

describe('run (the action)', () => {
  const valid: Record<string, string> = {
    INPUT_REGIONS: 'us-east-1',
    'INPUT_S3-BUCKET': 'artifacts',
    'INPUT_GITHUB-TOKEN': 'ghs_token',
    GITHUB_REF: 'refs/tags/v1.2.3',
    GITHUB_REPOSITORY: 'o/r',
  };
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
    process.exitCode = undefined;
  });

  it.each([
    ['INPUT_REGIONS', 'us-east-1,atlantis-1', /Invalid input "regions": "atlantis-1"/],
    ['INPUT_SHARE', 'everybody', /Invalid input "share": "everybody"/],
    ['INPUT_BUILDER', 'podman', /Invalid input "builder": "podman"/],
    ['INPUT_DRY-RUN', 'perhaps', /Invalid input "dry-run": "perhaps"/],
    ['GITHUB_REF', 'refs/heads/main', /Invalid input "version"/],
  ])('fails on a bad %s before any step runs', async (name, value, message) => {
    Object.assign(process.env, valid, { [name]: value });
    const stdout = await captureWrites(process.stdout, () => run());
    expect(process.exitCode).toBe(1);
    expect(stdout.text).toMatch(new RegExp(`^::error::${message.source}`, 'm'));
    expect(calls).toEqual([]);
  });

  it('sets the outputs from what exists when publishing failed in a region, then fails', async () => {
    Object.assign(process.env, valid);
    const outputFile = `${process.env.RUNNER_TEMP ?? '/tmp'}/lsr-outputs-${process.pid}`;
    const { writeFileSync, readFileSync, rmSync } = await import('node:fs');
    writeFileSync(outputFile, '');
    process.env.GITHUB_OUTPUT = outputFile;
    const failure = {
      region: 'eu-west-1',
      arch: 'arm64' as const,
      layerName: 'lambda-shell-runtime-arm64',
      error: 'lambda:PublishLayerVersion in eu-west-1: HTTP 429 TooManyRequestsException',
    };
    publishLayers.mockImplementationOnce(async () => {
      calls.push('publish');
      throw new PublishError([{ ...failure, status: 'failed', detail: failure.error }], {
        layers: [],
        failed: [failure],
        arns,
        layersJson: '/dist/layers.json',
        plan: [],
      });
    });
    try {
      const stdout = await captureWrites(process.stdout, () => run());
      expect(process.exitCode).toBe(1);
      expect(stdout.text).toMatch(/^::error::publish failed: publishing failed in eu-west-1:/m);
      const outputs = readFileSync(outputFile, 'utf8');
      expect(outputs).toContain(`layer-arns<<`);
      expect(outputs).toContain(JSON.stringify(arns));
      expect(outputs).toContain(JSON.stringify([failure]));
      expect(calls).not.toContain('sar');
    } finally {
      rmSync(outputFile, { force: true });
    }
  });

  it('fails on a failed canary and still writes the job summary with every region’s canary', async () => {
    const failed = { ...passed, region: 'eu-west-1', status: 'failed' as const, detail: 'boom' };
    runCanaries.mockImplementationOnce(async () => {
      throw new realCanary.CanaryError([passed, failed]);
    });
    const dir = mkdtempSync(join(tmpdir(), 'lsr-pipeline-summary-'));
    try {
      Object.assign(process.env, valid, {
        'INPUT_CANARY-ROLE-ARN': inputs.canaryRoleArn,
        'INPUT_SSM-PREFIX': '/lambda-shell-runtime',
        GITHUB_STEP_SUMMARY: join(dir, 'summary'),
      });
      writeFileSync(join(dir, 'summary'), '');
      const stdout = await captureWrites(process.stdout, () => run());
      expect(process.exitCode).toBe(1);
      expect(stdout.text).toMatch(/^::error::canary failed: canary failed in eu-west-1/m);
      const html = readFileSync(join(dir, 'summary'), 'utf8');
      expect(html).toContain('<td>us-east-1</td><td>arm64</td><td>passed</td>');
      expect(html).toContain('<td>eu-west-1</td><td>arm64</td><td>failed: boom</td>');
      expect(writeParameters).not.toHaveBeenCalled();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
