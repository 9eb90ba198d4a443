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

/** The console page of an application, from its ARN (arn:aws:serverlessrepo:REGION:ACCOUNT:applications/NAME). */
export function applicationUrl(applicationId: string): string {
  const [, , , region, account, resource] = applicationId.split(':');
  const name = resource?.replace(/^applications\//, '') ?? '';
  return `https://serverlessrepo.aws.amazon.com/applications/${region}/${account}/${name}`;
}

function conflict(name: string, version: string, stored: string, rendered: string): Error {
  return new Error(
    `SAR application ${name} already has version ${version} with a different template ` +
      `(published: TemplateSha256 ${templateSha256(stored) ?? 'unknown'}, this run: ${templateSha256(rendered)}). ` +
      'Versions are immutable: publish this content as a new version',
  );
}

/**
 * Creates the application, or adds the version to it. The same version with the same template
 * is success (a re-run); the same version with another template is an error naming both.
 */
export async function ensureApplication(
  api: SarApi,
  metadata: ApplicationMetadata,
  version: string,
  templateBody: string,
): Promise<SarApplication> {
  const found = await api.findApplication(metadata.name);
  const result = (applicationId: string, created: boolean, versionCreated: boolean) => ({
    name: metadata.name,
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
  if (!found) {
    const applicationId = await api.createApplication({
      Name: metadata.name,
      ...shown,
      SpdxLicenseId: 'Apache-2.0',
      LicenseUrl: metadata.licenseUrl,
      SemanticVersion: version,
      SourceCodeUrl: metadata.sourceCodeUrl,
      TemplateBody: templateBody,
    });
    return result(applicationId, true, true);
  }
  const stored = await api.versionTemplate(found, version);
  if (stored !== undefined) {
    if (!sameTemplate(stored, templateBody))
      throw conflict(metadata.name, version, stored, templateBody);
    return result(found, false, false);
  }
  const added = await api.createApplicationVersion({
    ApplicationId: found,
    SemanticVersion: version,
    SourceCodeUrl: metadata.sourceCodeUrl,
    TemplateBody: templateBody,
  });
  if (!added) {
    // A concurrent run added it between our read and our write: judge what it stored.
    const raced = (await api.versionTemplate(found, version)) ?? '';
    if (!sameTemplate(raced, templateBody))
      throw conflict(metadata.name, version, raced, templateBody);
    return result(found, false, false);
  }
  // The listing (README, description) follows the newest version.
  await api.updateApplication({ ApplicationId: found, ...shown });
  return result(found, false, true);
}
