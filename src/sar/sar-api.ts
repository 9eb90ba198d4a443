import {
  CreateApplicationCommand,
  CreateApplicationVersionCommand,
  GetApplicationCommand,
  ListApplicationsCommand,
  PutApplicationPolicyCommand,
  UpdateApplicationCommand,
  type ApplicationPolicyStatement,
  type CreateApplicationRequest,
  type CreateApplicationVersionRequest,
  type UpdateApplicationRequest,
} from '@aws-sdk/client-serverlessapplicationrepository';
import { s3Client, sarClient, sarWriteClient } from '../aws/clients.js';
import { awsCall, isAwsError } from '../aws/errors.js';
import { recorder, type Plan } from '../aws/plan.js';
import { uploadFile } from '../aws/s3-upload.js';

/**
 * The Serverless Application Repository and S3 calls of the sar step, behind one interface so
 * the dry run (which records each call and makes none) follows the same logic as a real run.
 */
export interface SarApi {
  readonly region: string;
  upload(bucket: string, key: string, path: string, contentType: string): Promise<void>;
  /** The ApplicationId of the caller's application with this name, or undefined. */
  findApplication(name: string): Promise<string | undefined>;
  /** The stored template of a version, or undefined when the version does not exist. */
  versionTemplate(applicationId: string, version: string): Promise<string | undefined>;
  /** Creates the application with its first version, sent once (see ensureApplication). */
  createApplication(input: CreateApplicationRequest): Promise<string>;
  /** Adds a version, sent once; false when it already exists (ConflictException). */
  createApplicationVersion(input: CreateApplicationVersionRequest): Promise<boolean>;
  updateApplication(input: UpdateApplicationRequest): Promise<void>;
  putPolicy(applicationId: string, statements: ApplicationPolicyStatement[]): Promise<void>;
}

/**
 * Reads and idempotent writes go through a client that retries; the two calls that create
 * something (CreateApplication, CreateApplicationVersion) through one that never does, since a
 * 5xx or a dropped connection may come after SAR created it: ensureApplication looks first.
 */
export function awsSarApi(region: string, createTimeoutMs = 60_000): SarApi {
  const sar = sarClient(region);
  // A create left unanswered counts as lost too: looked for, then tried again.
  const sarOnce = sarWriteClient(region, createTimeoutMs);
  // The client names every call in its errors; awsCall also names those of a stubbed client.
  const call = <T>(operation: string, fn: () => Promise<T>): Promise<T> =>
    awsCall(`serverlessrepo:${operation}`, region, fn);
  return {
    region,
    async upload(bucket, key, path, contentType) {
      await awsCall('s3:PutObject', region, () =>
        uploadFile(s3Client(region), bucket, key, path, contentType),
      );
    },
    async findApplication(name) {
      let NextToken: string | undefined;
      do {
        const page = await call('ListApplications', () =>
          sar.send(new ListApplicationsCommand({ NextToken, MaxItems: 100 })),
        );
        const found = page.Applications?.find((application) => application.Name === name);
        if (found?.ApplicationId) return found.ApplicationId;
        NextToken = page.NextToken;
      } while (NextToken);
      return undefined;
    },
    async createApplication(input) {
      const created = await call('CreateApplication', () =>
        sarOnce.send(new CreateApplicationCommand(input)),
      );
      if (!created.ApplicationId)
        throw new Error(`CreateApplication ${input.Name}: no ApplicationId`);
      return created.ApplicationId;
    },
    async versionTemplate(applicationId, version) {
      let got;
      try {
        got = await call('GetApplication', () =>
          sar.send(
            new GetApplicationCommand({ ApplicationId: applicationId, SemanticVersion: version }),
          ),
        );
      } catch (error) {
        if (isAwsError(error, 'NotFoundException')) return undefined;
        throw error;
      }
      const url = got.Version?.TemplateUrl;
      if (!got.Version || got.Version.SemanticVersion !== version) return undefined;
      if (!url) throw new Error(`${applicationId} ${version}: GetApplication gave no TemplateUrl`);
      const response = await fetch(url);
      if (!response.ok)
        throw new Error(
          `${applicationId} ${version}: template download answered ${response.status}`,
        );
      return response.text();
    },
    async createApplicationVersion(input) {
      try {
        await call('CreateApplicationVersion', () =>
          sarOnce.send(new CreateApplicationVersionCommand(input)),
        );
        return true;
      } catch (error) {
        if (isAwsError(error, 'ConflictException')) return false;
        throw error;
      }
    },
    async updateApplication(input) {
      await call('UpdateApplication', () => sar.send(new UpdateApplicationCommand(input)));
    },
    async putPolicy(applicationId, statements) {
      await call('PutApplicationPolicy', () =>
        sar.send(
          new PutApplicationPolicyCommand({ ApplicationId: applicationId, Statements: statements }),
        ),
      );
    },
  };
}

/** Shortens a template in the plan: its size and stamp say which one it is. */
const describeTemplate = (body: string | undefined): string =>
  `<template, ${body?.length ?? 0} characters>`;

/**
 * Records every call into `plan` and makes none, answering as if no application existed yet,
 * so the plan shows a first publication.
 */
export function dryRunSarApi(region: string, plan: Plan): SarApi {
  const record = recorder(plan, region);
  return {
    region,
    async upload(bucket, key, path) {
      record('s3:PutObject', { Bucket: bucket, Key: key, Body: path });
    },
    async findApplication() {
      record('serverlessrepo:ListApplications', {});
      return undefined;
    },
    async createApplication(input) {
      record('serverlessrepo:CreateApplication', {
        ...input,
        TemplateBody: describeTemplate(input.TemplateBody),
      });
      return `arn:aws:serverlessrepo:${region}:<account>:applications/${input.Name}`;
    },
    async versionTemplate(applicationId, version) {
      record('serverlessrepo:GetApplication', {
        ApplicationId: applicationId,
        SemanticVersion: version,
      });
      return undefined;
    },
    async createApplicationVersion(input) {
      record('serverlessrepo:CreateApplicationVersion', {
        ...input,
        TemplateBody: describeTemplate(input.TemplateBody),
      });
      return true;
    },
    async updateApplication(input) {
      record('serverlessrepo:UpdateApplication', input);
    },
    async putPolicy(applicationId, statements) {
      record('serverlessrepo:PutApplicationPolicy', {
        ApplicationId: applicationId,
        Statements: statements,
      });
    },
  };
}
