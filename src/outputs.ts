import { firstRegionArn, type PipelineResult } from './pipeline.js';

/**
 * Every output of action.yml, from the pipeline's result. A dry run's ARNs, application id and
 * release URL are placeholders: those outputs stay empty, and `plan` lists the calls instead.
 */
export function actionOutputs(result: PipelineResult): Record<string, string> {
  const real = (value: string): string => (result.dryRun ? '' : value);
  return {
    version: result.version,
    zips: JSON.stringify(result.zips.map((zip) => zip.path)),
    'layer-arns': real(JSON.stringify(result.published?.arns ?? {})),
    'layer-arn-arm64': real(firstRegionArn(result, 'arm64')),
    'layer-arn-amd64': real(firstRegionArn(result, 'amd64')),
    'layer-failures': JSON.stringify(result.published?.failed ?? []),
    'sar-application-id': real(result.sar?.applicationId ?? ''),
    'release-url': real(result.releaseUrl ?? ''),
    plan: (result.plan ?? []).join('\n'),
  };
}
