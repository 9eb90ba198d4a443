import { join } from 'node:path';
import type { LayerZip } from '../dist.js';
import { s3BucketFor, type Architecture } from '../inputs.js';
import { log } from '../log.js';
import { paths } from '../paths.js';
import type { Plan } from '../publish/plan.js';
import { s3KeyFor } from '../publish/s3-upload.js';
import { ensureApplication, type ApplicationMetadata } from './application.js';
import { shareApplication } from './policy.js';
import { awsSarApi, dryRunSarApi, type SarApi } from './sar-api.js';
import { renderTemplate, yamlValue } from './template.js';
import type { SarApplication, SarOptions, SarResult } from './types.js';
import { validateSarOptions, type SarSettings } from './validate.js';

export type { SarApplication, SarOptions, SarResult } from './types.js';

/**
 * One SAR application per architecture (template-<arch>.yaml: consumers deploy only the layer
 * they need, and its output is simply LayerVersionArn), plus, when both are published, one
 * application nesting both (template.yaml) at the same version.
 */
const LABELS = ['lambda', 'layer', 'runtime', 'custom-runtime', 'shell', 'posix', 'awscli', 'jq'];

const description = (what: string): string =>
  `An AWS Lambda custom runtime in POSIX shell for provided.al2023 (${what}), as a layer with AWS CLI v2 and jq.`;

interface Uploaded {
  readmeUrl: string;
  licenseUrl: string;
  zipUris: Map<Architecture, string>;
}

/** Puts the zips, README and LICENSE in the bucket; SAR reads them from there (s3:// URLs). */
async function uploadArtifacts(
  api: SarApi,
  bucket: string,
  settings: SarSettings,
): Promise<Uploaded> {
  const upload = async (path: string, name: string, contentType: string): Promise<string> => {
    const key = s3KeyFor(settings.version, name);
    await api.upload(bucket, key, path, contentType);
    return `s3://${bucket}/${key}`;
  };
  const zipUris = new Map<Architecture, string>();
  for (const zip of settings.zips)
    zipUris.set(zip.arch, await upload(zip.path, zip.fileName, 'application/zip'));
  return {
    readmeUrl: await upload(join(paths.templates, 'README.md'), 'README.md', 'text/markdown'),
    licenseUrl: await upload(paths.license, 'LICENSE', 'text/plain'),
    zipUris,
  };
}

function metadataFor(
  settings: SarSettings,
  uploaded: Uploaded,
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

async function publishArchApplication(
  api: SarApi,
  settings: SarSettings,
  uploaded: Uploaded,
  zip: LayerZip,
): Promise<SarApplication> {
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
  return ensureApplication(api, metadata, settings.version, template);
}

async function publishCombinedApplication(
  api: SarApi,
  settings: SarSettings,
  uploaded: Uploaded,
  children: Map<Architecture, SarApplication>,
): Promise<SarApplication> {
  const metadata = metadataFor(settings, uploaded, settings.applicationName, 'arm64 and x86_64');
  const template = await renderTemplate('template.yaml', {
    ...templateValues(metadata, settings.version),
    arm64ApplicationId: yamlValue(children.get('arm64')!.applicationId),
    amd64ApplicationId: yamlValue(children.get('amd64')!.applicationId),
  });
  return ensureApplication(api, metadata, settings.version, template);
}

/**
 * Publishes the layer as Serverless Application Repository applications (created, or a new
 * version added; a re-run of the same version is success) and shares them like the layers.
 */
export async function publishSar(options: SarOptions): Promise<SarResult> {
  const settings = await validateSarOptions(options);
  const plan: Plan = [];
  const api = options.dryRun ? dryRunSarApi(settings.region, plan) : awsSarApi(settings.region);
  const bucket = s3BucketFor(settings.s3Bucket, settings.region);

  const uploaded = await uploadArtifacts(api, bucket, settings);
  const children = new Map<Architecture, SarApplication>();
  for (const zip of settings.zips)
    children.set(zip.arch, await publishArchApplication(api, settings, uploaded, zip));
  const applications = [...children.values()];
  if (children.has('arm64') && children.has('amd64'))
    applications.push(await publishCombinedApplication(api, settings, uploaded, children));

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
