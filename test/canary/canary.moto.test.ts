import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  cleanCanaries,
  CanaryError,
  runCanaries,
  type CanaryOptions,
} from '../../src/canary/index.js';
import { canaryZip } from '../../src/canary/handler.js';
import { runCli } from '../../src/cli.js';
import { CANARY_DESCRIPTION } from '../../src/canary/names.js';
import type { LayersDocument } from '../../src/dist.js';
import { publishLayers } from '../../src/publish/index.js';
import { readLayerZips } from '../../src/dist.js';
import { removeTempDirs } from '../build/tree-fixture.js';
import { captureRejection, captureWrites } from '../helpers/capture.js';
import { setEnv } from '../helpers/moto.js';
import {
  ROLE_ARN,
  deleteAllFunctions,
  functionNames,
  host,
  lambda,
  publishZip,
  useCanarySuite,
  variantZip,
} from './fixtures.js';

/*
 * The canary against moto over HTTP, through test/helpers/moto_lambda.py: one moto backend for
 * layers and functions, and an Invoke that runs the function for real: moto hands the stored layer
 * zip and the canary's code to test/helpers/lambda-invoke-server.ts, which unzips them and runs the
 * layer's bootstrap under the project's Runtime API emulator. So CreateFunction (with Layers),
 * GetFunctionConfiguration, Invoke and DeleteFunction are real calls, and the answer checked is
 * what the local-builder layer's bootstrap, jq and handler produced. Not proved here: Amazon Linux
 * 2023, the other architecture (the host's runs), IAM beyond the role existing, Lambda's timing.
 */
const VERSION = '1.4.0';
const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-2'];
const suite = useCanarySuite(VERSION);
let layers: LayersDocument['layers'];

beforeAll(async () => {
  const published = await publishLayers({
    zips: await readLayerZips(suite.distDir, VERSION),
    version: VERSION,
    regions: REGIONS,
    share: { kind: 'none' },
    layerNamePattern: 'lsr-canary-test-{arch}',
    alignVersions: false,
    dryRun: false,
    distDir: suite.distDir,
    allowUnreleasable: true,
  });
  layers = published.arns;
}, 120_000);
afterEach(() => deleteAllFunctions(REGIONS));
afterAll(removeTempDirs);

const options = (overrides: Partial<CanaryOptions> = {}): CanaryOptions => ({
  layers,
  version: VERSION,
  regions: [],
  roleArn: ROLE_ARN,
  runId: 'test-1',
  awsCli: false,
  dryRun: false,
  sleep: async () => {},
  ...overrides,
});

const quiet = <T>(fn: () => Promise<T>) => captureWrites(process.stderr, fn);
const quietFailure = (fn: () => Promise<unknown>) => captureRejection(process.stderr, fn);

async function noFunctionsLeft(): Promise<void> {
  for (const region of REGIONS) expect(await functionNames(region)).toEqual([]);
}

describe('canary against moto, invoked through the layer', () => {
  it('runs the layer in every region: the event comes back with the layer’s own jq, and every function is deleted', async () => {
    const before = suite.invoker.invocations.length;
    const { result, text } = await quiet(() => runCanaries(options()));
    const outcomes = result.outcomes;
    expect(outcomes.map((outcome) => [outcome.region, outcome.arch, outcome.status])).toEqual(
      REGIONS.map((region) => [region, host(), 'passed']),
    );
    for (const outcome of outcomes) {
      expect(outcome.functionName).toBe(`lsr-canary-1-4-0-${host()}-test-1`);
      expect(outcome.jqVersion).toMatch(/^jq-\d+\.\d+/);
      expect(outcome.awsVersion).toBeUndefined();
      expect(outcome.deleted).toBe(true);
      expect(outcome.layerArn).toBe(layers[outcome.region][host()]);
    }
    // Each region's function ran once, on that region's layer, its jq found in the layer's bin/.
    const runs = suite.invoker.invocations.slice(before);
    expect(runs.map((run) => run.region).sort()).toEqual([...REGIONS].sort());
    for (const run of runs) {
      expect(run.status).toBe('success');
      expect(run.handler).toBe('canary.handler');
      const answer = JSON.parse(run.payload) as Record<string, unknown>;
      expect(answer.jqPath).toBe(`${run.opt}/bin/jq`);
      expect(answer.event).toMatchObject({ canary: 'lambda-shell-runtime', region: run.region });
    }
    expect(text).toMatch(/region\s+arch\s+function\s+time\s+aws\s+jq\s+outcome/);
    expect(text).toMatch(
      new RegExp(
        `eu-west-1\\s+${host()}\\s+lsr-canary-\\S+\\s+\\d+\\.\\d s\\s+-\\s+jq-\\S+\\s+passed`,
      ),
    );
    await noFunctionsLeft();
  }, 60_000);

  it('fails clearly when a layer that must carry AWS CLI v2 reports none, and still deletes the function', async () => {
    const { error } = await quietFailure(() =>
      runCanaries(options({ regions: ['us-east-1'], awsCli: true })),
    );
    expect(error).toBeInstanceOf(CanaryError);
    const [outcome] = (error as CanaryError).outcomes;
    expect(outcome.status).toBe('failed');
    expect(outcome.detail).toMatch(
      /the layer reported no AWS CLI v2 version \("aws --version" printed ""; aws at ""\)/,
    );
    expect(outcome.deleted).toBe(true);
    await noFunctionsLeft();
  }, 60_000);

  it('one failing region fails the run with every region’s outcome shown and every function deleted', async () => {
    // us-east-1: the layer plus a stand-in bin/aws (what a docker-built layer has);
    // eu-west-1: a layer whose bootstrap dies in init; ap-southeast-2: the stand-in too.
    const awsStandIn =
      '#!/bin/sh\necho "aws-cli/2.31.2 Python/3.13.7 Linux/6.1.0 exe/x86_64.amzn.2023"\n';
    const withAws = await variantZip(suite.zipPath, { 'bin/aws': awsStandIn });
    const broken = await variantZip(suite.zipPath, {
      bootstrap: '#!/bin/sh\necho "broken layer" >&2\nexit 7\n',
    });
    const mixed: LayersDocument['layers'] = {
      'us-east-1': { [host()]: await publishZip('us-east-1', 'lsr-canary-aws', withAws) },
      'eu-west-1': { [host()]: await publishZip('eu-west-1', 'lsr-canary-broken', broken) },
      'ap-southeast-2': { [host()]: await publishZip('ap-southeast-2', 'lsr-canary-aws', withAws) },
    };
    const { error, text } = await quietFailure(() =>
      runCanaries(options({ layers: mixed, awsCli: true, concurrency: 3 })),
    );
    expect(error).toBeInstanceOf(CanaryError);
    const outcomes = (error as CanaryError).outcomes;
    expect(outcomes.map((outcome) => [outcome.region, outcome.status])).toEqual([
      ['us-east-1', 'passed'],
      ['eu-west-1', 'failed'],
      ['ap-southeast-2', 'passed'],
    ]);
    expect(outcomes[0].awsVersion).toBe('aws-cli/2.31.2');
    expect(outcomes[1].detail).toMatch(/the invocation failed \(Unhandled\).*Runtime\.ExitError/);
    expect(outcomes.every((outcome) => outcome.deleted)).toBe(true);
    const message = (error as CanaryError).message;
    expect(message).toMatch(/^canary failed in eu-west-1:/);
    expect(message).toMatch(/others:\n {2}us-east-1 \S+: passed\n {2}ap-southeast-2 \S+: passed/);
    expect(text).toMatch(/us-east-1\s+\S+\s+\S+\s+[\d.]+ s\s+aws-cli\/2\.31\.2\s+jq-\S+\s+passed/);
    await noFunctionsLeft();
  }, 90_000);

  it('checks only the regions asked for, and refuses one that layers.json lacks before any call', async () => {
    const before = suite.invoker.invocations.length;
    const { error } = await quietFailure(() => runCanaries(options({ regions: ['sa-east-1'] })));
    expect(String(error)).toMatch(
      /Invalid input "--regions": "sa-east-1".*regions published in layers\.json \(us-east-1, eu-west-1, ap-southeast-2\)/,
    );
    expect(suite.invoker.invocations.length).toBe(before);
  });

  it('a dry run plans create, wait, invoke and delete per region × architecture and makes no call', async () => {
    const before = suite.invoker.invocations.length;
    const { result, text } = await quiet(() => runCanaries(options({ dryRun: true })));
    expect(result!.outcomes.every((outcome) => outcome.status === 'planned')).toBe(true);
    const calls = result!.plan.map((line) => line.split(' ').slice(0, 2).join(' '));
    expect(calls).toEqual(
      REGIONS.flatMap((region) =>
        ['CreateFunction', 'GetFunctionConfiguration', 'InvokeFunction', 'DeleteFunction'].map(
          (call) => `${region} lambda:${call}`,
        ),
      ),
    );
    expect(result!.plan[0]).toContain(`"Layers":["${layers['us-east-1'][host()]}"]`);
    expect(result!.plan[0]).toContain(`"Role":"${ROLE_ARN}"`);
    expect(text).toContain('Dry run: the canary calls it would make');
    expect(suite.invoker.invocations.length).toBe(before);
    await noFunctionsLeft();
  });
});

/** A proxy between the SDK and moto that breaks the first CreateFunction: after or instead of it. */
async function withCreateFault<T>(mode: 'after-write' | 'instead', fn: () => Promise<T>) {
  const target = new URL(suite.moto.endpoint);
  let creates = 0;
  let forwarded = 0;
  const proxy = createServer((req, res) => {
    const isCreate = req.method === 'POST' && /\/functions\/?$/.test(req.url ?? '');
    const first = isCreate && ++creates === 1;
    if (first && mode === 'instead') {
      req.resume();
      res.writeHead(500, {
        'content-type': 'application/json',
        'x-amzn-errortype': 'ServiceException',
      });
      return res.end('{"message":"injected: nothing was written"}');
    }
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        if (isCreate) forwarded++;
        if (first) {
          answer.resume();
          res.writeHead(500, {
            'content-type': 'application/json',
            'x-amzn-errortype': 'ServiceException',
          });
          return res.end('{"message":"injected: the write happened, the answer is lost"}');
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const restore = setEnv({
    AWS_ENDPOINT_URL: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
  });
  try {
    return { ...(await fn()), creates: () => creates, forwarded: () => forwarded };
  } finally {
    restore();
    proxy.closeAllConnections();
    await new Promise((resolve) => proxy.close(resolve));
  }
}

describe('CreateFunction is never blindly retried', () => {
  it.each([
    [
      'after a 500 that followed the write, it finds the function by name, no second create',
      'after-write',
      1,
    ],
    [
      'after a 500 with nothing written, it looks, finds nothing, and creates it once more',
      'instead',
      2,
    ],
  ] as const)(
    '%s',
    async (_name, mode, creates) => {
      const run = await withCreateFault(mode, () =>
        quiet(() => runCanaries(options({ regions: ['us-east-1'] }))),
      );
      expect(run.result.outcomes[0].status).toBe('passed');
      expect(run.creates()).toBe(creates);
      // Exactly one CreateFunction reached moto either way: one function, deleted at the end.
      expect(run.forwarded()).toBe(1);
      await noFunctionsLeft();
    },
    60_000,
  );
});

describe('canary --clean', () => {
  async function leaveFunction(name: string, description: string): Promise<void> {
    await lambda('eu-west-1').send(
      new CreateFunctionCommand({
        FunctionName: name,
        Description: description,
        Runtime: 'provided.al2023',
        Role: ROLE_ARN,
        Handler: 'canary.handler',
        Code: { ZipFile: await canaryZip() },
      }),
    );
  }

  it('deletes leftovers by name prefix and description, old enough, and leaves other functions alone', async () => {
    await leaveFunction(
      'lsr-canary-1-3-0-arm64-99-1',
      `${CANARY_DESCRIPTION} for 1.3.0 (arm64), run 99-1`,
    );
    await leaveFunction('lsr-canary-mine', 'not a canary of this project');
    await leaveFunction('my-function', 'unrelated');
    const young = await cleanCanaries({ regions: ['eu-west-1'], minAgeMinutes: 60, dryRun: false });
    expect(young).toEqual([]);
    const later = Date.now() + 61 * 60_000;
    const cleaned = await cleanCanaries({
      regions: ['eu-west-1', 'us-east-1'],
      minAgeMinutes: 60,
      dryRun: false,
      now: () => later,
    });
    expect(cleaned).toEqual([
      { region: 'eu-west-1', name: 'lsr-canary-1-3-0-arm64-99-1', status: 'deleted', detail: '' },
    ]);
    expect((await functionNames('eu-west-1')).sort()).toEqual(['lsr-canary-mine', 'my-function']);
  });
});

describe('lambda-shell-runtime canary', () => {
  const cli = async (...argv: string[]) => {
    const { result, text } = await captureWrites(process.stdout, () => quiet(() => runCli(argv)));
    return { code: result!.result, stdout: text, stderr: result!.text };
  };

  it("proves the layers of a dist folder's layers.json and prints every outcome", async () => {
    const run = await cli(
      'canary',
      '--dist-dir',
      suite.distDir,
      '--role-arn',
      ROLE_ARN,
      '--regions',
      'eu-west-1',
    );
    expect(run.code).toBe(0);
    const outcomes = JSON.parse(run.stdout) as {
      region: string;
      status: string;
      jqVersion: string;
    }[];
    expect(outcomes).toEqual([
      expect.objectContaining({
        region: 'eu-west-1',
        status: 'passed',
        jqVersion: expect.stringMatching(/^jq-/),
      }),
    ]);
    await noFunctionsLeft();
  }, 60_000);

  it.each([
    [['--role-arn', 'my-role'], /Invalid input "--role-arn": "my-role"/],
    [['--role-arn', ROLE_ARN, '--regions', 'mars'], /Invalid input "--regions": "mars"/],
    [['--clean', '--min-age', 'soon'], /Invalid input "--min-age": "soon"/],
  ])('refuses %j with exit 2 before any call', async (args, message) => {
    const before = suite.invoker.invocations.length;
    const run = await cli('canary', '--dist-dir', suite.distDir, ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(suite.invoker.invocations.length).toBe(before);
  });
});
