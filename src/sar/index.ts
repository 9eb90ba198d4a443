import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { assertReleasable, type LayerZip } from '../dist.js';
import { s3BucketFor, type Architecture } from '../domain.js';
import { log } from '../log.js';
import { paths } from '../paths.js';
import type { Plan } from '../aws/plan.js';
import { s3KeyFor } from '../aws/s3-upload.js';
import {
  assertSameVersion,
  ensureApplication,
  inspectApplication,
  type ApplicationMetadata,
  type Existing,
} from './application.js';
import { shareApplication } from './policy.js';
import { awsSarApi, dryRunSarApi, type SarApi } from './sar-api.js';
import { renderTemplate, sha256Hex, yamlValue } from './template.js';
import type { SarApplication, SarOptions, SarResult } from './types.js';

export type { SarApplication, SarOptions, SarResult } from './types.js';

/**
 * One SAR application per architecture (template-<arch>.yaml: consumers deploy only the layer
 * they need, and its output is simply LayerVersionArn), plus, when both are published, one
 * application nesting both (template.yaml) at the same version.
 */
const LABELS = ['lambda', 'layer', 'runtime', 'custom-runtime', 'shell', 'posix', 'awscli', 'jq'];

const description = (what: string): string =>
  `An AWS Lambda custom runtime in POSIX shell for provided.al2023 (${what}), as a layer with AWS CLI v2 and jq.`;

interface S3Object {
  key: string;
  path: string;
  contentType: string;
}

/** Where SAR reads the zips, README and LICENSE (s3:// URLs), and the objects to put there. */
interface Artifacts {
  readmeUrl: string;
  licenseUrl: string;
  zipUris: Map<Architecture, string>;
  objects: S3Object[];
}

/**
 * Content-addressed keys (lambda-shell-runtime/<version>/<sha256>/<name>): other bytes get
 * another key, so an upload can never change an object a published template points at.
 */
async function locateArtifacts(bucket: string, settings: SarOptions): Promise<Artifacts> {
  const objects: S3Object[] = [];
  const place = (path: string, name: string, sha256: string, contentType: string): string => {
    const key = s3KeyFor(settings.version, `${sha256}/${name}`);
    objects.push({ key, path, contentType });
    return `s3://${bucket}/${key}`;
  };
  const placeFile = async (path: string, name: string, contentType: string): Promise<string> =>
    place(path, name, sha256Hex(await readFile(path)), contentType);
  const zipUris = new Map<Architecture, string>();
  for (const zip of settings.zips)
    zipUris.set(zip.arch, place(zip.path, zip.fileName, zip.sha256, 'application/zip'));
  return {
    readmeUrl: await placeFile(join(paths.templates, 'README.md'), 'README.md', 'text/markdown'),
    licenseUrl: await placeFile(paths.license, 'LICENSE', 'text/plain'),
    zipUris,
    objects,
  };
}

/** One application to publish: what it shows, its template, and what SAR held before uploads. */
interface Planned {
  metadata: ApplicationMetadata;
  template: string;
  existing: Existing;
}

function metadataFor(
  settings: SarOptions,
  uploaded: Artifacts,
  name: string,
  what: string,
): ApplicationMetadata {
  return {
    name,
    description: description(what),
    author: settings.author,
    sourceCodeUrl: settings.sourceCodeUrl,
    readmeUrl: uploaded.readmeUrl,
    licenseUrl: uploaded.licenseUrl,
    labels: LABELS,
  };
}

/** The template values shared by every application, formatted for YAML. */
const templateValues = (
  metadata: ApplicationMetadata,
  version: string,
): Record<string, string> => ({
  applicationName: metadata.name,
  description: yamlValue(metadata.description),
  author: metadata.author,
  sourceCodeUrl: yamlValue(metadata.sourceCodeUrl),
  readmeUrl: yamlValue(metadata.readmeUrl),
  licenseUrl: yamlValue(metadata.licenseUrl),
  labels: yamlValue(metadata.labels),
  version,
});

/** An architecture's application, inspected: refused here if its version holds another template. */
async function planArchApplication(
  api: SarApi,
  settings: SarOptions,
  uploaded: Artifacts,
  zip: LayerZip,
): Promise<Planned> {
  const metadata = metadataFor(
    settings,
    uploaded,
    `${settings.applicationName}-${zip.arch}`,
    zip.arch,
  );
  const template = await renderTemplate(`template-${zip.arch}.yaml`, {
    ...templateValues(metadata, settings.version),
    contentUri: yamlValue(uploaded.zipUris.get(zip.arch)!),
    zipSha256: zip.sha256,
  });
  const existing = await inspectApplication(api, metadata.name, settings.version);
  assertSameVersion(metadata.name, settings.version, existing, template);
  return { metadata, template, existing };
}

/** The application nesting both, whose template names the children's ids. */
const combinedTemplate = (
  settings: SarOptions,
  metadata: ApplicationMetadata,
  arm64ApplicationId: string,
  amd64ApplicationId: string,
): Promise<string> =>
  renderTemplate('template.yaml', {
    ...templateValues(metadata, settings.version),
    arm64ApplicationId: yamlValue(arm64ApplicationId),
    amd64ApplicationId: yamlValue(amd64ApplicationId),
  });

/**
 * Publishes the layer as Serverless Application Repository applications (created, or a new
 * version added; a re-run of the same version is success) and shares them like the layers.
 */
export async function publishSar(options: SarOptions): Promise<SarResult> {
  // The edges parsed every input; only the dist can tell whether the local builder made it.
  await assertReleasable(
    options.distDir ?? dirname(options.zips[0].path),
    options.dryRun,
    options.allowUnreleasable,
  );
  const settings = options;
  const plan: Plan = [];
  const api = options.dryRun ? dryRunSarApi(settings.region, plan) : awsSarApi(settings.region);
  const bucket = s3BucketFor(settings.s3Bucket, settings.region);

  const artifacts = await locateArtifacts(bucket, settings);

  // Before any upload: a version that SAR holds with other content is refused.
  const planned = new Map<Architecture, Planned>();
  for (const zip of settings.zips)
    planned.set(zip.arch, await planArchApplication(api, settings, artifacts, zip));
  const [arm64, amd64] = [planned.get('arm64'), planned.get('amd64')];
  const both = arm64 && amd64;
  const combined = metadataFor(settings, artifacts, settings.applicationName, 'arm64 and x86_64');
  const combinedExisting = both
    ? await inspectApplication(api, combined.name, settings.version)
    : {};
  if (arm64?.existing.applicationId && amd64?.existing.applicationId)
    assertSameVersion(
      combined.name,
      settings.version,
      combinedExisting,
      await combinedTemplate(
        settings,
        combined,
        arm64.existing.applicationId,
        amd64.existing.applicationId,
      ),
    );

  for (const object of artifacts.objects)
    await api.upload(bucket, object.key, object.path, object.contentType);
  const publish = (application: Planned, template = application.template) =>
    ensureApplication(
      api,
      application.metadata,
      settings.version,
      template,
      application.existing,
      options.createRetry,
    );
  const children = new Map<Architecture, SarApplication>();
  for (const [arch, application] of planned) children.set(arch, await publish(application));
  const applications = [...children.values()];
  if (both) {
    const template = await combinedTemplate(
      settings,
      combined,
      children.get('arm64')!.applicationId,
      children.get('amd64')!.applicationId,
    );
    applications.push(await publish({ metadata: combined, template, existing: combinedExisting }));
  }

  // Nested applications are deployed with the consumer's rights: children are shared too.
  for (const application of applications)
    await shareApplication(api, application.applicationId, settings.share, options.policyRetry);

  if (options.dryRun) log.info(`Dry run: the calls it would make\n${plan.join('\n')}`);
  for (const application of applications) {
    const what = application.created
      ? 'created'
      : application.versionCreated
        ? `version ${settings.version} added`
        : `version ${settings.version} already published`;
    log.info(`SAR ${application.name}: ${what} ${application.url}`);
  }
  const main = applications[applications.length - 1];
  return {
    applicationId: main.applicationId,
    url: main.url,
    created: main.created,
    plan,
    applications,
  };
}
