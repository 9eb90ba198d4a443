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
import { isAwsError, lambdaClient, s3Client } from './clients.js';
import { planLine, type Plan } from './plan.js';
import { uploadFile } from './s3-upload.js';

/**
 * The Lambda and S3 calls of the publish step for one region, behind one interface, so the same
 * publishing logic drives AWS and the dry run (which records each call and makes none).
 */
export interface LayerVersionInfo {
  version: number;
  arn: string;
  codeSha256: string;
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
  publishVersion(input: PublishInput, content: LayerContent): Promise<LayerVersionInfo>;
  /** The statement ids already in a layer version's policy. */
  statementIds(layerName: string, version: number): Promise<Set<string>>;
  /** Adds a statement; false when it already existed (AWS's 409 ResourceConflictException). */
  addPermission(input: PermissionInput): Promise<boolean>;
}

export function awsLayerApi(region: string): LayerApi {
  const lambda = lambdaClient(region);
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
      };
    },
    async uploadZip(bucket, key, zipPath) {
      await uploadFile(s3Client(region), bucket, key, zipPath, 'application/zip');
    },
    async publishVersion(input, content) {
      const Content = content.s3
        ? { S3Bucket: content.s3.bucket, S3Key: content.s3.key }
        : { ZipFile: await readFile(content.zip.path) };
      const published = await lambda.send(new PublishLayerVersionCommand({ ...input, Content }));
      return {
        version: published.Version ?? 0,
        arn: published.LayerVersionArn ?? '',
        codeSha256: published.Content?.CodeSha256 ?? '',
      };
    },
    async statementIds(layerName, version) {
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
    },
    async addPermission(input) {
      try {
        await lambda.send(new AddLayerVersionPermissionCommand(input));
        return true;
      } catch (error) {
        // The statement id exists: it was added by an earlier (possibly concurrent) run.
        if (isAwsError(error, 'ResourceConflictException')) return false;
        throw error;
      }
    },
  };
}

/**
 * Records every call into `plan` and makes none. It answers as if the layer had no version yet
 * (it cannot know), so the plan shows the calls of a first publication, numbered from 1.
 */
export function dryRunLayerApi(region: string, plan: Plan): LayerApi {
  const record = (call: string, params: object): void => {
    plan.push(planLine(region, call, params));
  };
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
    async publishVersion(input, content) {
      const Content = content.s3
        ? { S3Bucket: content.s3.bucket, S3Key: content.s3.key }
        : { ZipFile: `<${content.zip.path}, ${content.zip.size} bytes>` };
      record('lambda:PublishLayerVersion', { ...input, Content });
      const name = input.LayerName ?? '';
      const version = (published.get(name) ?? 0) + 1;
      published.set(name, version);
      const arn = `arn:aws:lambda:${region}:<account>:layer:${name}:${version}`;
      return { version, arn, codeSha256: content.zip.codeSha256 };
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
