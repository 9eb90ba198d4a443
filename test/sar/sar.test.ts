import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  CreateApplicationCommand as CreateApplication,
  CreateApplicationVersionCommand as CreateApplicationVersion,
  GetApplicationCommand as GetApplication,
  ListApplicationsCommand as ListApplications,
  NotFoundException,
  BadRequestException,
  ConflictException,
  ForbiddenException,
  InternalServerErrorException,
  PutApplicationPolicyCommand as PutApplicationPolicy,
  ServerlessApplicationRepositoryClient,
  UpdateApplicationCommand as UpdateApplication,
  type CreateApplicationRequest,
  type CreateApplicationResponse,
  type CreateApplicationVersionRequest,
  type GetApplicationRequest,
  type GetApplicationResponse,
  type ListApplicationsRequest,
  type ListApplicationsResponse,
  type PutApplicationPolicyRequest,
  type UpdateApplicationRequest,
} from '@aws-sdk/client-serverlessapplicationrepository';
import { jest } from '@jest/globals';
import { mockClient, type AwsCommand, type AwsStub } from 'aws-sdk-client-mock';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PLACEHOLDER_SOURCE_CODE_URL } from '../../src/aws/parsers.js';
import type { OptionValues } from '../../src/commands/command.js';
import { sarCommand } from '../../src/commands/sar.js';
import { InputError } from '../../src/errors.js';
import { paths } from '../../src/paths.js';
import { publishSar, type SarOptions } from '../../src/sar/index.js';
import { parseCfnYaml } from './cfn-yaml.js';
import { awsTestEnv, setEnv, startMoto, type MotoServer } from '../helpers/moto.js';
import {
  captureStderr,
  captureStderrFailure,
  makeDist,
  startCountingServer,
  type DistFixture,
} from '../publish/fixtures.js';

// SAR through aws-sdk-client-mock (moto has no SAR); the S3 uploads for real against moto.
// client-serverlessapplicationrepository 3.668 is built on an older @smithy/types than
// aws-sdk-client-mock: the mock works on it at run time, and these casts bridge the types.
type Metadata = { $metadata: object };
type Stub = AwsStub<object, Metadata, unknown>;
const sar = mockClient(ServerlessApplicationRepositoryClient as never) as unknown as Stub;
const command = <I extends object, O extends object = object>(constructor: unknown) =>
  constructor as new (input: I) => AwsCommand<I, O & Metadata>;
const ListApplicationsCommand = command<ListApplicationsRequest, ListApplicationsResponse>(
  ListApplications,
);
const CreateApplicationCommand = command<CreateApplicationRequest, CreateApplicationResponse>(
  CreateApplication,
);
const CreateApplicationVersionCommand =
  command<CreateApplicationVersionRequest>(CreateApplicationVersion);
const GetApplicationCommand = command<GetApplicationRequest, GetApplicationResponse>(
  GetApplication,
);
const PutApplicationPolicyCommand = command<PutApplicationPolicyRequest>(PutApplicationPolicy);
const UpdateApplicationCommand = command<UpdateApplicationRequest>(UpdateApplication);
const REGION = 'eu-west-1';
const BUCKET = `lsr-sar-${REGION}`;
const ACCOUNT_ARN = `arn:aws:serverlessrepo:${REGION}:123456789012:applications`;
let moto: MotoServer;
let dist: DistFixture;
let restoreEnv: () => void;
const noWait = { sleep: async () => {} };

beforeAll(async () => {
  moto = await startMoto();
  restoreEnv = setEnv({
    ...awsTestEnv(moto.endpoint),
    GITHUB_ACTIONS: undefined,
    GITHUB_REPOSITORY: undefined,
  });
  dist = await makeDist('1.2.3');
  await new S3Client({ region: REGION }).send(
    new CreateBucketCommand({
      Bucket: BUCKET,
      CreateBucketConfiguration: { LocationConstraint: REGION },
    }),
  );
});

afterAll(async () => {
  sar.restore();
  restoreEnv?.();
  await dist?.remove();
  await moto?.stop();
});

beforeEach(() => sar.reset());

const options = (overrides: Partial<SarOptions> = {}): SarOptions => ({
  zips: dist.zips,
  version: '1.2.3',
  s3Bucket: 'lsr-sar-{region}',
  region: REGION,
  share: { kind: 'public' },
  dryRun: false,
  applicationName: 'lambda-shell-runtime',
  author: 'lambda-shell-runtime',
  sourceCodeUrl: 'https://github.com/example/lambda-shell-runtime',
  policyRetry: noWait,
  ...overrides,
});

const NAMES = ['lambda-shell-runtime-arm64', 'lambda-shell-runtime-amd64', 'lambda-shell-runtime'];
const existingApplications = () =>
  sar.on(ListApplicationsCommand).resolves({
    Applications: NAMES.map((name) => ({
      Name: name,
      ApplicationId: `${ACCOUNT_ARN}/${name}`,
      Author: 'lambda-shell-runtime',
      Description: 'x',
    })),
  });
const dataUrl = (text: string): string =>
  `data:text/plain;base64,${Buffer.from(text).toString('base64')}`;
const notFound = () =>
  new NotFoundException({ message: 'no such version', $metadata: { httpStatusCode: 404 } });
const fileSha256 = async (path: string): Promise<string> =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** The templates a first publication sends, by application name. */
async function firstTemplates(): Promise<Map<string, string>> {
  sar.on(ListApplicationsCommand).resolves({ Applications: [] });
  sar
    .on(CreateApplicationCommand)
    .callsFake(async (input) => ({ ApplicationId: `${ACCOUNT_ARN}/${input.Name}` }));
  sar.on(PutApplicationPolicyCommand).resolves({});
  await captureStderr(() => publishSar(options()));
  const templates = new Map(
    sar
      .commandCalls(CreateApplicationCommand)
      .map((call) => [call.args[0].input.Name!, call.args[0].input.TemplateBody!]),
  );
  sar.reset();
  return templates;
}

async function s3Text(key: string): Promise<Buffer> {
  const got = await new S3Client({ region: REGION }).send(
    new GetObjectCommand({ Bucket: BUCKET, Key: key }),
  );
  return Buffer.from(await got.Body!.transformToByteArray());
}

describe('publishSar', () => {
  it('creates an application per architecture and one nesting both, uploads the artifacts and makes them public', async () => {
    sar.on(ListApplicationsCommand).resolves({ Applications: [] });
    sar
      .on(CreateApplicationCommand)
      .callsFake(async (input) => ({ ApplicationId: `${ACCOUNT_ARN}/${input.Name}` }));
    sar.on(PutApplicationPolicyCommand).resolves({});
    const { result } = await captureStderr(() => publishSar(options()));

    expect(result!.created).toBe(true);
    expect(result!.applicationId).toBe(`${ACCOUNT_ARN}/lambda-shell-runtime`);
    expect(result!.url).toBe(
      `https://serverlessrepo.aws.amazon.com/applications/${REGION}/123456789012/lambda-shell-runtime`,
    );
    expect(result!.applications.map((application) => application.name)).toEqual(NAMES);

    const readmeKey = `lambda-shell-runtime/1.2.3/${await fileSha256(join(paths.templates, 'README.md'))}/README.md`;
    const licenseKey = `lambda-shell-runtime/1.2.3/${await fileSha256(paths.license)}/LICENSE`;
    const arm64Key = `lambda-shell-runtime/1.2.3/${dist.zips[0].sha256}/lambda-shell-runtime-arm64-1.2.3.zip`;
    const creates = sar.commandCalls(CreateApplicationCommand).map((call) => call.args[0].input);
    expect(creates[0]).toEqual(
      expect.objectContaining({
        Name: 'lambda-shell-runtime-arm64',
        Author: 'lambda-shell-runtime',
        SemanticVersion: '1.2.3',
        SpdxLicenseId: 'Apache-2.0',
        ReadmeUrl: `s3://${BUCKET}/${readmeKey}`,
        LicenseUrl: `s3://${BUCKET}/${licenseKey}`,
        SourceCodeUrl: 'https://github.com/example/lambda-shell-runtime',
      }),
    );
    const arm64Template = creates[0].TemplateBody!;
    expect(arm64Template).toContain(`ContentUri: "s3://${BUCKET}/${arm64Key}"`);
    expect(arm64Template).toContain('SemanticVersion: 1.2.3');
    expect(arm64Template).toContain(`ZipSha256: ${dist.zips[0].sha256}`);
    expect(arm64Template).toMatch(/TemplateSha256: [0-9a-f]{64}\n/);
    expect(arm64Template).toContain('- arm64');
    expect(creates[1].TemplateBody).toContain('- x86_64');
    for (const create of creates) expect(create.TemplateBody).not.toMatch(/__[a-zA-Z0-9]+__/);
    expect(await parseCfnYaml(arm64Template)).toMatchObject({
      Transform: 'AWS::Serverless-2016-10-31',
      Metadata: {
        'AWS::ServerlessRepo::Application': {
          Name: 'lambda-shell-runtime-arm64',
          Author: 'lambda-shell-runtime',
          SemanticVersion: '1.2.3',
          ReadmeUrl: `s3://${BUCKET}/${readmeKey}`,
          LicenseUrl: `s3://${BUCKET}/${licenseKey}`,
          SourceCodeUrl: 'https://github.com/example/lambda-shell-runtime',
          Labels: expect.arrayContaining(['lambda', 'layer']),
        },
      },
      Resources: {
        Layer: {
          Type: 'AWS::Serverless::LayerVersion',
          Properties: {
            ContentUri: `s3://${BUCKET}/${arm64Key}`,
            CompatibleRuntimes: ['provided.al2023'],
            CompatibleArchitectures: ['arm64'],
            LicenseInfo: 'Apache-2.0',
          },
        },
      },
      Outputs: { LayerVersionArn: { Value: { Ref: 'Layer' } } },
    });
    expect(await parseCfnYaml(creates[2].TemplateBody!)).toMatchObject({
      Resources: {
        Amd64: {
          Type: 'AWS::Serverless::Application',
          Properties: {
            Location: {
              ApplicationId: `${ACCOUNT_ARN}/lambda-shell-runtime-amd64`,
              SemanticVersion: '1.2.3',
            },
          },
        },
      },
      Outputs: {
        LayerVersionArnArm64: { Value: { 'Fn::GetAtt': 'Arm64.Outputs.LayerVersionArn' } },
      },
    });
    expect(creates[2].TemplateBody).toContain(
      `ApplicationId: "${ACCOUNT_ARN}/lambda-shell-runtime-arm64"`,
    );
    expect(creates[2].TemplateBody).toContain(
      `ApplicationId: "${ACCOUNT_ARN}/lambda-shell-runtime-amd64"`,
    );

    const policies = sar
      .commandCalls(PutApplicationPolicyCommand)
      .map((call) => call.args[0].input);
    expect(policies.map((policy) => policy.ApplicationId)).toEqual(
      NAMES.map((name) => `${ACCOUNT_ARN}/${name}`),
    );
    expect(policies[0].Statements).toEqual([
      { StatementId: 'lsr-public', Principals: ['*'], Actions: ['Deploy'] },
    ]);

    expect(await s3Text(arm64Key)).toEqual(await readFile(dist.zips[0].path));
    expect((await s3Text(readmeKey)).toString()).toBe(
      await readFile(join(paths.templates, 'README.md'), 'utf8'),
    );
    expect((await s3Text(licenseKey)).toString()).toBe(await readFile(paths.license, 'utf8'));
  });

  it('adds a new version to existing applications', async () => {
    existingApplications();
    sar.on(GetApplicationCommand).rejects(notFound());
    sar.on(CreateApplicationVersionCommand).resolves({});
    sar.on(UpdateApplicationCommand).resolves({});
    const { result } = await captureStderr(() =>
      publishSar(options({ version: '1.2.3', share: { kind: 'none' } })),
    );
    expect(result!.created).toBe(false);
    expect(result!.applications.every((application) => application.versionCreated)).toBe(true);
    const versions = sar
      .commandCalls(CreateApplicationVersionCommand)
      .map((call) => call.args[0].input);
    expect(versions.map((input) => [input.ApplicationId, input.SemanticVersion])).toEqual(
      NAMES.map((name) => [`${ACCOUNT_ARN}/${name}`, '1.2.3']),
    );
    expect(versions[0].TemplateBody).toContain('lambda-shell-runtime-arm64-1.2.3.zip');
    expect(sar.commandCalls(UpdateApplicationCommand)[0].args[0].input).toEqual(
      expect.objectContaining({
        ApplicationId: `${ACCOUNT_ARN}/lambda-shell-runtime-arm64`,
        ReadmeUrl: `s3://${BUCKET}/lambda-shell-runtime/1.2.3/${await fileSha256(join(paths.templates, 'README.md'))}/README.md`,
      }),
    );
    expect(sar.commandCalls(CreateApplicationCommand)).toHaveLength(0);
    // share none: no policy is set.
    expect(sar.commandCalls(PutApplicationPolicyCommand)).toHaveLength(0);
  });

  it('succeeds without a call that changes anything when the version exists with the same template', async () => {
    const templates = await firstTemplates();
    existingApplications();
    sar.on(GetApplicationCommand).callsFake(async (input) => {
      const name = input.ApplicationId.split('/').pop()!;
      // SAR may hand the template back in another form: the stamp decides, not the layout.
      const reformatted = templates.get(name)!.replace(/\n\n/g, '\n').replace(/: /g, ':  ');
      return { Version: { SemanticVersion: '1.2.3', TemplateUrl: dataUrl(reformatted) } };
    });
    sar.on(PutApplicationPolicyCommand).resolves({});
    const { result } = await captureStderr(() => publishSar(options()));
    expect(result!.applications.map((application) => application.versionCreated)).toEqual([
      false,
      false,
      false,
    ]);
    expect(sar.commandCalls(CreateApplicationVersionCommand)).toHaveLength(0);
    expect(sar.commandCalls(CreateApplicationCommand)).toHaveLength(0);
    expect(sar.commandCalls(UpdateApplicationCommand)).toHaveLength(0);
  });

  it('refuses a version that exists with a different template, naming both', async () => {
    const templates = await firstTemplates();
    existingApplications();
    const other = await makeDist('1.2.3', { salt: 'different content' });
    try {
      sar.on(GetApplicationCommand).callsFake(async (input) => ({
        Version: {
          SemanticVersion: '1.2.3',
          TemplateUrl: dataUrl(templates.get(input.ApplicationId.split('/').pop()!)!),
        },
      }));
      const stored = /TemplateSha256: ([0-9a-f]{64})/.exec(
        templates.get('lambda-shell-runtime-arm64')!,
      )![1];
      const { error } = await captureStderrFailure(() => publishSar(options({ zips: other.zips })));
      expect((error as Error).message).toMatch(
        new RegExp(
          `SAR application lambda-shell-runtime-arm64 already has version 1.2.3 with a different template \\(published: TemplateSha256 ${stored}, this run: [0-9a-f]{64}\\)`,
        ),
      );
      expect(sar.commandCalls(CreateApplicationVersionCommand)).toHaveLength(0);
    } finally {
      await other.remove();
    }
  });

  it('retries the public policy while SAR refuses it right after creation', async () => {
    sar.on(ListApplicationsCommand).resolves({ Applications: [] });
    sar
      .on(CreateApplicationCommand)
      .callsFake(async (input) => ({ ApplicationId: `${ACCOUNT_ARN}/${input.Name}` }));
    sar
      .on(PutApplicationPolicyCommand)
      .rejectsOnce(
        new BadRequestException({
          message: 'not ready',
          $metadata: { httpStatusCode: 400, requestId: 'req-1' },
        }),
      )
      .rejectsOnce(notFound())
      .resolves({});
    const sleep = jest.fn(async (_ms: number) => {});
    const { result, text } = await captureStderr(() =>
      publishSar(options({ zips: [dist.zips[0]], policyRetry: { sleep } })),
    );
    expect(result!.applicationId).toBe(`${ACCOUNT_ARN}/lambda-shell-runtime-arm64`);
    expect(sar.commandCalls(PutApplicationPolicyCommand)).toHaveLength(3);
    expect(sleep).toHaveBeenCalledTimes(2);
    expect(text).toMatch(
      /PutApplicationPolicy for \S+-arm64 failed: serverlessrepo:PutApplicationPolicy in eu-west-1: HTTP 400 BadRequestException \(request id req-1\): not ready; attempt 2/,
    );
  });

  it('does not retry a policy it is forbidden to set', async () => {
    sar.on(ListApplicationsCommand).resolves({ Applications: [] });
    sar
      .on(CreateApplicationCommand)
      .callsFake(async (input) => ({ ApplicationId: `${ACCOUNT_ARN}/${input.Name}` }));
    sar.on(PutApplicationPolicyCommand).rejects(
      new ForbiddenException({
        message: 'no serverlessrepo:PutApplicationPolicy',
        $metadata: {},
      }),
    );
    const { error } = await captureStderrFailure(() =>
      publishSar(options({ zips: [dist.zips[0]] })),
    );
    expect((error as Error).message).toContain('no serverlessrepo:PutApplicationPolicy');
    expect(sar.commandCalls(PutApplicationPolicyCommand)).toHaveLength(1);
  });

  it('shares with accounts and organizations through the policy', async () => {
    sar.on(ListApplicationsCommand).resolves({ Applications: [] });
    sar
      .on(CreateApplicationCommand)
      .callsFake(async (input) => ({ ApplicationId: `${ACCOUNT_ARN}/${input.Name}` }));
    sar.on(PutApplicationPolicyCommand).resolves({});
    await captureStderr(() =>
      publishSar(
        options({
          zips: [dist.zips[1]],
          share: { kind: 'organization', organizationId: 'o-abcdefghij' },
        }),
      ),
    );
    expect(sar.commandCalls(PutApplicationPolicyCommand)[0].args[0].input.Statements).toEqual([
      {
        StatementId: 'lsr-org',
        Principals: ['*'],
        PrincipalOrgIDs: ['o-abcdefghij'],
        Actions: ['Deploy'],
      },
    ]);
  });
});

type Lost = 'HTTP 500' | 'a dropped connection';
const LOST: Lost[] = ['HTTP 500', 'a dropped connection'];

/** The error the SDK gives when SAR's answer is lost: a 500, or no answer at all. */
const lostAnswer = (kind: Lost): Error =>
  kind === 'HTTP 500'
    ? new InternalServerErrorException({
        message: 'We encountered an internal error. Please try again.',
        $metadata: { httpStatusCode: 500, requestId: 'req-500' },
      })
    : Object.assign(new Error('socket hang up'), { code: 'ECONNRESET', $metadata: {} });

type CreateOperation = 'CreateApplication' | 'CreateApplicationVersion';

/**
 * SAR as a store of applications and their versions' templates. `lose` makes the first create of
 * each application fail: after storing it (apply), or before (a create SAR never received).
 */
function fakeSar(lose: { operation?: CreateOperation; kind?: Lost; apply?: boolean } = {}) {
  const applications = new Map<string, Map<string, string>>();
  const lostOnce = new Set<string>();
  const nameOf = (applicationId: string): string => applicationId.split('/').pop()!;
  const create = (operation: CreateOperation, name: string, version: string, template: string) => {
    const fails = lose.operation === operation && !lostOnce.has(name);
    if (fails) lostOnce.add(name);
    if (fails && !lose.apply) throw lostAnswer(lose.kind ?? 'HTTP 500');
    const versions = applications.get(name);
    if (operation === 'CreateApplication' ? versions : versions?.has(version))
      throw new ConflictException({ message: 'exists', $metadata: { httpStatusCode: 409 } });
    if (versions) versions.set(version, template);
    else applications.set(name, new Map([[version, template]]));
    if (fails) throw lostAnswer(lose.kind ?? 'HTTP 500');
  };
  sar.on(ListApplicationsCommand).callsFake(async () => ({
    Applications: [...applications.keys()].map((name) => ({
      Name: name,
      ApplicationId: `${ACCOUNT_ARN}/${name}`,
      Author: 'lambda-shell-runtime',
      Description: 'x',
    })),
  }));
  sar.on(GetApplicationCommand).callsFake(async (input) => {
    const template = applications.get(nameOf(input.ApplicationId))?.get(input.SemanticVersion!);
    if (template === undefined) throw notFound();
    return { Version: { SemanticVersion: input.SemanticVersion, TemplateUrl: dataUrl(template) } };
  });
  sar.on(CreateApplicationCommand).callsFake(async (input) => {
    create('CreateApplication', input.Name, input.SemanticVersion!, input.TemplateBody!);
    return { ApplicationId: `${ACCOUNT_ARN}/${input.Name}` };
  });
  sar.on(CreateApplicationVersionCommand).callsFake(async (input) => {
    create(
      'CreateApplicationVersion',
      nameOf(input.ApplicationId),
      input.SemanticVersion,
      input.TemplateBody!,
    );
    return {};
  });
  sar.on(UpdateApplicationCommand).resolves({});
  sar.on(PutApplicationPolicyCommand).resolves({});
  return applications;
}

const createCalls = (operation: CreateOperation): string[] =>
  (operation === 'CreateApplication'
    ? sar.commandCalls(CreateApplicationCommand).map((call) => call.args[0].input.Name!)
    : sar
        .commandCalls(CreateApplicationVersionCommand)
        .map((call) => call.args[0].input.ApplicationId!.split('/').pop()!)
  ).sort();

describe('publishSar when an answer is lost (SAR created it, then 500 or a dropped connection)', () => {
  const retry = { createRetry: noWait };

  it.each(LOST)('CreateApplication, then %s: one application each, created once', async (kind) => {
    const applications = fakeSar({ operation: 'CreateApplication', kind, apply: true });
    const { result, text } = await captureStderr(() => publishSar(options(retry)));

    expect([...applications.keys()].sort()).toEqual([...NAMES].sort());
    for (const versions of applications.values()) expect([...versions.keys()]).toEqual(['1.2.3']);
    expect(createCalls('CreateApplication')).toEqual([...NAMES].sort());
    expect(sar.commandCalls(CreateApplicationVersionCommand)).toHaveLength(0);
    expect(result!.applications.map((a) => [a.created, a.versionCreated])).toEqual(
      NAMES.map(() => [true, true]),
    );
    expect(text).toContain(
      'looking for the application lambda-shell-runtime-arm64 that attempt may have created',
    );
  });

  it.each(LOST)('CreateApplicationVersion, then %s: one version each, added once', async (kind) => {
    const applications = fakeSar({ operation: 'CreateApplicationVersion', kind, apply: true });
    for (const name of NAMES) applications.set(name, new Map([['1.2.2', 'an older template']]));
    const { result } = await captureStderr(() => publishSar(options(retry)));

    for (const versions of applications.values())
      expect([...versions.keys()]).toEqual(['1.2.2', '1.2.3']);
    expect(createCalls('CreateApplicationVersion')).toEqual([...NAMES].sort());
    expect(result!.applications.every((a) => a.versionCreated && !a.created)).toBe(true);
    expect(sar.commandCalls(UpdateApplicationCommand)).toHaveLength(3);
  });

  it.each<CreateOperation>(['CreateApplication', 'CreateApplicationVersion'])(
    '%s that SAR never received is sent again once the look finds nothing',
    async (operation) => {
      const applications = fakeSar({ operation, kind: 'HTTP 500', apply: false });
      if (operation === 'CreateApplicationVersion')
        for (const name of NAMES) applications.set(name, new Map([['1.2.2', 'older']]));
      await captureStderr(() => publishSar(options(retry)));

      expect(createCalls(operation)).toEqual([...NAMES, ...NAMES].sort());
      for (const versions of applications.values()) expect(versions.has('1.2.3')).toBe(true);
    },
  );

  it.each(LOST)('after %s, a second run creates nothing', async (kind) => {
    const applications = fakeSar({ operation: 'CreateApplication', kind, apply: true });
    await captureStderr(() => publishSar(options(retry)));
    const before = sar.calls().length;
    const { result } = await captureStderr(() => publishSar(options(retry)));

    const later = sar.calls().slice(before);
    expect(later.filter((call) => /^Create/.test(call.args[0].constructor.name)).length).toBe(0);
    expect(result!.applications.every((a) => !a.created && !a.versionCreated)).toBe(true);
    expect(applications.size).toBe(3);
  });

  it('a lasting 5xx on CreateApplication fails after 4 attempts, naming operation, region and status', async () => {
    fakeSar();
    sar.on(CreateApplicationCommand).rejects(lostAnswer('HTTP 500'));
    const { error } = await captureStderrFailure(() => publishSar(options(retry)));
    expect((error as Error).message).toBe(
      'serverlessrepo:CreateApplication in eu-west-1: HTTP 500 InternalServerErrorException (request id req-500): We encountered an internal error. Please try again.',
    );
    expect(sar.commandCalls(CreateApplicationCommand)).toHaveLength(4);
  });
});

describe('publishSar never changes a published artifact', () => {
  async function bucketObjects(): Promise<string[]> {
    const listed = await new S3Client({ region: REGION }).send(
      new ListObjectsV2Command({ Bucket: BUCKET }),
    );
    return (listed.Contents ?? [])
      .map((object) => `${object.Key} ${object.ETag} ${object.LastModified?.toISOString()}`)
      .sort();
  }

  it('a re-run of a version with a changed zip is refused before any upload: no object added or changed', async () => {
    const other = await makeDist('1.2.3', { salt: 'a changed build' });
    try {
      fakeSar();
      await captureStderr(() => publishSar(options({ version: '1.2.3' })));
      const published = await bucketObjects();
      const calls = sar.calls().length;

      const { error } = await captureStderrFailure(() => publishSar(options({ zips: other.zips })));

      expect((error as Error).message).toMatch(
        /SAR application lambda-shell-runtime-arm64 already has version 1\.2\.3 with a different template/,
      );
      expect(await bucketObjects()).toEqual(published);
      // Only reads were made: ListApplications and GetApplication.
      expect(
        sar
          .calls()
          .slice(calls)
          .map((call) => call.args[0].constructor.name)
          .filter((name) => !/^(ListApplications|GetApplication)Command$/.test(name)),
      ).toEqual([]);
    } finally {
      await other.remove();
    }
  });

  it('the objects a template points at are content-addressed: the sha256 is in each key', async () => {
    fakeSar();
    await captureStderr(() => publishSar(options()));
    const template = sar.commandCalls(CreateApplicationCommand)[0].args[0].input.TemplateBody!;
    const uri = /ContentUri: "s3:\/\/[^/]+\/([^"]+)"/.exec(template)![1];
    expect(uri).toBe(
      `lambda-shell-runtime/1.2.3/${dist.zips[0].sha256}/lambda-shell-runtime-arm64-1.2.3.zip`,
    );
    expect(
      createHash('sha256')
        .update(await s3Text(uri))
        .digest('hex'),
    ).toBe(dist.zips[0].sha256);
  });
});

describe('lambda-shell-runtime sar refuses bad input before any call', () => {
  const flags = (overrides: Record<string, string>): OptionValues => ({
    dist: dist.dir,
    version: '1.2.3',
    's3-bucket': 'lsr-sar-{region}',
    region: REGION,
    share: 'public',
    'source-code-url': 'https://github.com/example/lambda-shell-runtime',
    ...overrides,
  });

  it.each<[string, Record<string, string>, RegExp]>([
    ['no bucket', { 's3-bucket': '' }, /"s3-bucket"/],
    ['a bad region', { region: 'moon-1' }, /"region": "moon-1"/],
    ['two regions', { region: 'eu-west-1,us-east-1' }, /"region".*one AWS region code/],
    ['a bad share', { share: '1' }, /"share": "1"/],
    ['a bad application name', { 'application-name': 'no spaces' }, /"application-name"/],
    ['a bad author', { author: 'Not Valid' }, /"author"/],
    ['a source code URL that is not https', { 'source-code-url': 'ftp://x' }, /"source-code-url"/],
    ['a bad version', { version: 'one' }, /"version": "one"/],
  ])('rejects %s', async (_name, overrides, message) => {
    const error = await sarCommand.run(flags(overrides), []).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InputError);
    expect((error as Error).message).toMatch(message);
    expect(sar.calls()).toHaveLength(0);
  });
});

describe('publishSar in a dry run', () => {
  it('dry run: prints the plan and makes no call at all', async () => {
    const server = await startCountingServer();
    const restore = setEnv({ AWS_ENDPOINT_URL: server.endpoint });
    try {
      const { result } = await captureStderr(() =>
        publishSar(options({ dryRun: true, sourceCodeUrl: PLACEHOLDER_SOURCE_CODE_URL })),
      );
      expect(server.requests()).toBe(0);
      expect(sar.calls()).toHaveLength(0);
      const calls = result!.plan.map((line) => line.split(' ')[1]);
      // Every application is looked up before anything is uploaded.
      expect(calls).toEqual([
        'serverlessrepo:ListApplications',
        'serverlessrepo:ListApplications',
        'serverlessrepo:ListApplications',
        's3:PutObject',
        's3:PutObject',
        's3:PutObject',
        's3:PutObject',
        'serverlessrepo:CreateApplication',
        'serverlessrepo:CreateApplication',
        'serverlessrepo:CreateApplication',
        'serverlessrepo:PutApplicationPolicy',
        'serverlessrepo:PutApplicationPolicy',
        'serverlessrepo:PutApplicationPolicy',
      ]);
      expect(result!.plan.every((line) => line.startsWith(`${REGION} `))).toBe(true);
      expect(result!.plan[7]).toContain('"TemplateBody":"<template, ');
      expect(result!.applicationId).toBe(
        `arn:aws:serverlessrepo:${REGION}:<account>:applications/lambda-shell-runtime`,
      );
    } finally {
      restore();
      await server.close();
    }
  });
});
