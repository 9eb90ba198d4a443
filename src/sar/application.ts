import { isAwsError } from '../aws/errors.js';
import { createOnAws } from '../aws/create-once.js';
import type { RetryOptions } from '../retry.js';
import type { SarApi } from './sar-api.js';
import { sameTemplate, templateSha256 } from './template.js';
import type { SarApplication } from './types.js';

/** What a SAR application shows besides its template (sam publish reads the same from Metadata). */
export interface ApplicationMetadata {
  name: string;
  description: string;
  author: string;
  sourceCodeUrl: string;
  readmeUrl: string;
  licenseUrl: string;
  labels: string[];
}

/** What SAR holds for an application name at one version. */
export interface Existing {
  applicationId?: string;
  /** The stored template of the version; undefined when the version does not exist. */
  template?: string;
}

/** The console page of an application, from its ARN (arn:aws:serverlessrepo:REGION:ACCOUNT:applications/NAME). */
export function applicationUrl(applicationId: string): string {
  const [, , , region, account, resource] = applicationId.split(':');
  const name = resource?.replace(/^applications\//, '') ?? '';
  return `https://serverlessrepo.aws.amazon.com/applications/${region}/${account}/${name}`;
}

/** The application of this name and, if it has it, the template of this version. */
export async function inspectApplication(
  api: SarApi,
  name: string,
  version: string,
): Promise<Existing> {
  const applicationId = await api.findApplication(name);
  if (!applicationId) return {};
  return { applicationId, template: await api.versionTemplate(applicationId, version) };
}

/**
 * Refuses a version SAR already holds with another template (versions are immutable), naming
 * both stamps. Called before anything is uploaded, and again after any write.
 */
export function assertSameVersion(
  name: string,
  version: string,
  existing: Existing,
  rendered: string,
): void {
  const stored = existing.template;
  if (stored === undefined || sameTemplate(stored, rendered)) return;
  throw new Error(
    `SAR application ${name} already has version ${version} with a different template ` +
      `(published: TemplateSha256 ${templateSha256(stored) ?? 'unknown'}, this run: ${templateSha256(rendered)}). ` +
      'Versions are immutable: publish this content as a new version',
  );
}

// A create whose answer was lost is looked for after 1 s, 2 s, 4 s; 4 attempts at most.
const CREATE_RETRY_BASE_MS = 1_000;
const SAR_CREATE_ATTEMPTS = 4;

/** Runs a create so that it is never blindly retried: `find` runs after any lost answer. */
const createWithLookup = <T>(
  what: string,
  write: () => Promise<T>,
  find: () => Promise<T | undefined>,
  pacing: RetryOptions,
): Promise<T> =>
  createOnAws({
    what,
    write,
    find,
    attempts: SAR_CREATE_ATTEMPTS,
    delayMs: (failure) => (pacing.baseMs ?? CREATE_RETRY_BASE_MS) * 2 ** (failure - 1),
    sleep: pacing.sleep,
  });

/**
 * Creates the application, or adds the version to it. The same version with the same template
 * is success (a re-run); the same version with another template is an error naming both.
 * `existing` is what inspectApplication found before the uploads.
 */
export async function ensureApplication(
  api: SarApi,
  metadata: ApplicationMetadata,
  version: string,
  templateBody: string,
  existing: Existing,
  pacing: RetryOptions = {},
): Promise<SarApplication> {
  const { name } = metadata;
  const result = (applicationId: string, created: boolean, versionCreated: boolean) => ({
    name,
    applicationId,
    url: applicationUrl(applicationId),
    created,
    versionCreated,
  });
  const shown = {
    Author: metadata.author,
    Description: metadata.description,
    HomePageUrl: metadata.sourceCodeUrl,
    Labels: metadata.labels,
    ReadmeUrl: metadata.readmeUrl,
  };
  assertSameVersion(name, version, existing, templateBody);
  let current = existing;
  let created = false;
  if (!current.applicationId) {
    let direct = false;
    let applicationId: string | undefined;
    try {
      applicationId = await createWithLookup(
        `the application ${name}`,
        async () => {
          const id = await api.createApplication({
            Name: name,
            ...shown,
            SpdxLicenseId: 'Apache-2.0',
            LicenseUrl: metadata.licenseUrl,
            SemanticVersion: version,
            SourceCodeUrl: metadata.sourceCodeUrl,
            TemplateBody: templateBody,
          });
          direct = true;
          return id;
        },
        () => api.findApplication(name),
        pacing,
      );
      created = true;
    } catch (error) {
      // Another run created it since we looked: judge what it holds, below.
      if (!isAwsError(error, 'ConflictException')) throw error;
      applicationId = await api.findApplication(name);
      if (!applicationId) throw error;
    }
    if (direct) return result(applicationId, true, true);
    current = { applicationId, template: await api.versionTemplate(applicationId, version) };
    assertSameVersion(name, version, current, templateBody);
  }
  const applicationId = current.applicationId!;
  if (current.template !== undefined) return result(applicationId, created, created);

  // Found by a look after a lost answer: the attempt added it (a different one was refused).
  const foundVersion = async (): Promise<boolean | undefined> => {
    const template = await api.versionTemplate(applicationId, version);
    if (template === undefined) return undefined;
    assertSameVersion(name, version, { applicationId, template }, templateBody);
    return true;
  };
  const added = await createWithLookup(
    `version ${version} of ${name}`,
    () =>
      api.createApplicationVersion({
        ApplicationId: applicationId,
        SemanticVersion: version,
        SourceCodeUrl: metadata.sourceCodeUrl,
        TemplateBody: templateBody,
      }),
    foundVersion,
    pacing,
  );
  if (!added) {
    // A concurrent run added it between our read and our write: judge what it stored.
    if ((await foundVersion()) === undefined)
      throw new Error(
        `SAR said ${name} has version ${version}, yet GetApplication does not find it`,
      );
    return result(applicationId, created, false);
  }
  // The listing (README, description) follows the newest version.
  await api.updateApplication({ ApplicationId: applicationId, ...shown });
  return result(applicationId, created, true);
}
