import { readFile } from 'node:fs/promises';
import {
  AddLayerVersionPermissionCommand,
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  type AddLayerVersionPermissionCommandInput,
  type PublishLayerVersionCommandInput,
} from '@aws-sdk/client-lambda';
import type { LayerZip } from '../dist.js';
import { createOnAws } from '../aws/create-once.js';
import { partitionOf } from '../aws/regions.js';
import { lambdaClient, lambdaWriteClient, s3Client, type AwsTuning } from '../aws/clients.js';
import { isAwsError } from '../aws/errors.js';
import { recorder, type Plan } from '../aws/plan.js';
import { uploadFile } from '../aws/s3-upload.js';

/**
 * The Lambda and S3 calls of the publish step for one region, behind one interface, so the same
 * publishing logic drives AWS and the dry run (which records each call and makes none).
 */
export interface LayerVersionInfo {
  version: number;
  arn: string;
  codeSha256: string;
  /** Immutable: names the release that published the version. */
  description: string;
}

/** A layer's code: the zip's bytes sent directly, or the same zip already uploaded to S3. */
export interface LayerContent {
  zip: LayerZip;
  s3?: { bucket: string; key: string };
}

export type PublishInput = Omit<PublishLayerVersionCommandInput, 'Content'>;
export type PermissionInput = AddLayerVersionPermissionCommandInput;

export interface LayerApi {
  readonly region: string;
  /** The newest version of a layer with its CodeSha256, or undefined when it has none. */
  newestVersion(layerName: string): Promise<LayerVersionInfo | undefined>;
  uploadZip(bucket: string, key: string, zipPath: string): Promise<void>;
  /**
   * Publishes a version once: after a failed attempt it looks for a version newer than `after`
   * with this description and CodeSha256 (what the attempt may have created) before retrying.
   */
  publishVersion(
    input: PublishInput,
    content: LayerContent,
    after: number,
  ): Promise<LayerVersionInfo>;
  /** The statement ids already in a layer version's policy. */
  statementIds(layerName: string, version: number): Promise<Set<string>>;
  /** Adds a statement; false when it already existed (AWS's 409 ResourceConflictException). */
  addPermission(input: PermissionInput): Promise<boolean>;
}

export function awsLayerApi(region: string, tuning?: AwsTuning): LayerApi {
  const lambda = lambdaClient(region, tuning);
  const writer = lambdaWriteClient(region);

  /** The newest version above `after` whose description and CodeSha256 are these. */
  async function findVersion(
    layerName: string,
    description: string,
    codeSha256: string,
    after: number,
  ): Promise<LayerVersionInfo | undefined> {
    const candidates: number[] = [];
    let Marker: string | undefined;
    do {
      let page;
      try {
        page = await lambda.send(
          new ListLayerVersionsCommand({ LayerName: layerName, Marker, MaxItems: 50 }),
        );
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
      for (const listed of page.LayerVersions ?? [])
        if (listed.Version && listed.Version > after && listed.Description === description)
          candidates.push(listed.Version);
      Marker = page.NextMarker;
    } while (Marker);
    // ListLayerVersions has no CodeSha256: read the candidates, newest first.
    for (const version of candidates.sort((a, b) => b - a)) {
      const got = await lambda.send(
        new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: version }),
      );
      if (got.Content?.CodeSha256 === codeSha256)
        return { version, arn: got.LayerVersionArn ?? '', codeSha256, description };
    }
    return undefined;
  }

  async function statementIds(layerName: string, version: number): Promise<Set<string>> {
    try {
      const { Policy } = await lambda.send(
        new GetLayerVersionPolicyCommand({ LayerName: layerName, VersionNumber: version }),
      );
      const statements = (JSON.parse(Policy ?? '{}') as { Statement?: { Sid?: string }[] })
        .Statement;
      return new Set((statements ?? []).map((statement) => statement.Sid ?? ''));
    } catch (error) {
      if (isAwsError(error, 'ResourceNotFoundException')) return new Set();
      throw error;
    }
  }

  return {
    region,
    async newestVersion(layerName) {
      let newest;
      try {
        // Newest first, per the API; one item is enough.
        const list = await lambda.send(
          new ListLayerVersionsCommand({ LayerName: layerName, MaxItems: 1 }),
        );
        newest = list.LayerVersions?.[0];
      } catch (error) {
        if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
        throw error;
      }
      if (!newest?.Version) return undefined;
      // ListLayerVersions has no CodeSha256; GetLayerVersion has.
      const got = await lambda.send(
        new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: newest.Version }),
      );
      return {
        version: newest.Version,
        arn: got.LayerVersionArn ?? newest.LayerVersionArn ?? '',
        codeSha256: got.Content?.CodeSha256 ?? '',
        description: got.Description ?? '',
      };
    },
    async uploadZip(bucket, key, zipPath) {
      await uploadFile(s3Client(region, tuning), bucket, key, zipPath, 'application/zip');
    },
    async publishVersion(input, content, after) {
      const Content = content.s3
        ? { S3Bucket: content.s3.bucket, S3Key: content.s3.key }
        : { ZipFile: await readFile(content.zip.path) };
      const layerName = input.LayerName ?? '';
      return createOnAws({
        what: `a ${layerName} version in ${region}`,
        tuning,
        write: async () => {
          const published = await writer.send(
            new PublishLayerVersionCommand({ ...input, Content }),
          );
          return {
            version: published.Version ?? 0,
            arn: published.LayerVersionArn ?? '',
            codeSha256: published.Content?.CodeSha256 ?? '',
            description: published.Description ?? input.Description ?? '',
          };
        },
        find: () => findVersion(layerName, input.Description ?? '', content.zip.codeSha256, after),
      });
    },
    statementIds,
    async addPermission(input) {
      // AWS refuses a second statement with the same id, but not every endpoint does (moto adds
      // it twice): after a failed attempt, the policy is read again before retrying.
      return createOnAws({
        what: `the statement ${input.StatementId} on ${input.LayerName}:${input.VersionNumber} in ${region}`,
        tuning,
        write: async () => {
          try {
            await writer.send(new AddLayerVersionPermissionCommand(input));
            return true;
          } catch (error) {
            // The statement id exists: it was added by an earlier (possibly concurrent) run.
            if (isAwsError(error, 'ResourceConflictException')) return false;
            throw error;
          }
        },
        find: async () =>
          (await statementIds(input.LayerName ?? '', input.VersionNumber ?? 0)).has(
            input.StatementId ?? '',
          )
            ? true
            : undefined,
      });
    },
  };
}

/**
 * Records every call into `plan` and makes none. It answers as if the layer had no version yet
 * (it cannot know), so the plan shows the calls of a first publication, numbered from 1.
 */
export function dryRunLayerApi(region: string, plan: Plan): LayerApi {
  const record = recorder(plan, region);
  const published = new Map<string, number>();
  return {
    region,
    async newestVersion(layerName) {
      record('lambda:ListLayerVersions', { LayerName: layerName, MaxItems: 1 });
      return undefined;
    },
    async uploadZip(bucket, key, zipPath) {
      record('s3:PutObject', { Bucket: bucket, Key: key, Body: zipPath });
    },
    async publishVersion(input, content, after) {
      const Content = content.s3
        ? { S3Bucket: content.s3.bucket, S3Key: content.s3.key }
        : { ZipFile: `<${content.zip.path}, ${content.zip.size} bytes>` };
      record('lambda:PublishLayerVersion', { ...input, Content });
      const name = input.LayerName ?? '';
      // After the newest version, when the caller read it (a replay's dry run does).
      const version = Math.max(published.get(name) ?? 0, after) + 1;
      published.set(name, version);
      const arn = `arn:${partitionOf(region)}:lambda:${region}:<account>:layer:${name}:${version}`;
      return {
        version,
        arn,
        codeSha256: content.zip.codeSha256,
        description: input.Description ?? '',
      };
    },
    async statementIds(layerName, version) {
      record('lambda:GetLayerVersionPolicy', { LayerName: layerName, VersionNumber: version });
      return new Set();
    },
    async addPermission(input) {
      record('lambda:AddLayerVersionPermission', input);
      return true;
    },
  };
}
