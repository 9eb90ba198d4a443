import {
  checkRegions,
  regionLayers,
  type LayerArns,
  type RegionLayer,
} from '../aws/layers-json.js';
import type { Plan } from '../aws/plan.js';
import { settleAll } from '../concurrency.js';
import { messageOf } from '../errors.js';
import { log } from '../log.js';
import { textTable } from '../table.js';
import { awsSsmApi, dryRunSsmApi, type ParameterWrite, type SsmApi } from '../aws/ssm-api.js';
import type { AwsTuning } from '../aws/clients.js';
import { retractedPath, retractedVersions } from '../aws/ssm-names.js';
import { archPath, decideLatest, latestName, versionName } from './decide.js';

export { latestName, versionName } from './decide.js';

export interface SsmOptions {
  layers: LayerArns;
  version: string;
  /** e.g. /lambda-shell-runtime (parsed: no trailing slash). */
  prefix: string;
  /** Regions to write (each in `layers`); empty: all of them. */
  regions: string[];
  dryRun: boolean;
  concurrency?: number;
  api?: (region: string) => SsmApi;
  /** AWS's pacing (the SDK's unless tests shrink it). */
  tuning?: AwsTuning;
}

/** What happened to one parameter in one region. */
export interface ParameterOutcome {
  region: string;
  arch: RegionLayer['arch'];
  name: string;
  value: string;
  status: 'created' | 'updated' | 'unchanged' | 'kept' | 'planned' | 'failed';
  detail: string;
}

export interface SsmResult {
  parameters: ParameterOutcome[];
  plan: string[];
}

export function ssmTable(outcomes: readonly ParameterOutcome[]): string {
  return textTable(
    ['region', 'parameter', 'value', 'outcome'],
    outcomes.map((outcome) => [
      outcome.region,
      outcome.name,
      outcome.value || '-',
      outcome.detail ? `${outcome.status}: ${outcome.detail}` : outcome.status,
    ]),
  );
}

export class SsmError extends Error {
  constructor(readonly outcomes: ParameterOutcome[]) {
    const failed = outcomes.filter((outcome) => outcome.status === 'failed');
    super(
      `SSM parameters failed in ${[...new Set(failed.map((outcome) => outcome.region))].join(', ')}:\n  ` +
        failed
          .map((outcome) => `${outcome.region} ${outcome.name}: ${outcome.detail}`)
          .join('\n  '),
    );
    this.name = 'SsmError';
  }
}

/** Writes `write` unless it already holds that value. */
async function ensure(
  api: SsmApi,
  existing: ReadonlyMap<string, string>,
  write: ParameterWrite,
  dryRun: boolean,
): Promise<ParameterOutcome['status']> {
  const current = existing.get(write.name);
  if (current === write.value) return 'unchanged';
  await api.put(write);
  if (dryRun) return 'planned';
  return current === undefined ? 'created' : 'updated';
}

/** The version parameter first, then latest: a failure between leaves latest where it was. */
async function writeLayer(
  api: SsmApi,
  layer: RegionLayer,
  options: SsmOptions,
): Promise<ParameterOutcome[]> {
  const { region, arch, arn } = layer;
  const row = (
    name: string,
    status: ParameterOutcome['status'],
    detail = '',
  ): ParameterOutcome => ({
    region,
    arch,
    name,
    value: arn,
    status,
    detail,
  });
  const existing = await api.parameters(archPath(options.prefix, arch));
  const rows: ParameterOutcome[] = [];
  const version = versionName(options.prefix, arch, options.version);
  rows.push(
    row(
      version,
      await ensure(
        api,
        existing,
        {
          name: version,
          value: arn,
          description: `lambda-shell-runtime ${options.version} layer version ARN (${arch}, ${region})`,
        },
        options.dryRun,
      ),
    ),
  );
  const latest = latestName(options.prefix, arch);
  // A retracted release (see the retract step) is never latest again.
  const retracted = retractedVersions(await api.parameters(retractedPath(options.prefix, arch)));
  const decision = decideLatest(existing, options.prefix, arch, options.version, retracted);
  if (!decision.move) {
    rows.push({ ...row(latest, 'kept', decision.reason), value: existing.get(latest) ?? '' });
    return rows;
  }
  rows.push(
    row(
      latest,
      await ensure(
        api,
        existing,
        {
          name: latest,
          value: arn,
          description: `lambda-shell-runtime layer version ARN of the latest release, now ${options.version} (${arch}, ${region})`,
        },
        options.dryRun,
      ),
    ),
  );
  return rows;
}

/**
 * Advertises the published layer in SSM in every region (in parallel, bounded): a String
 * parameter per version and a `latest` one per architecture, written only when they change.
 * Throws an SsmError after all regions ran when any failed.
 */
export async function writeParameters(options: SsmOptions): Promise<SsmResult> {
  const regions = checkRegions(options.layers, options.regions);
  const layers = regionLayers(options.layers, regions);
  const plans: Plan[] = layers.map(() => []);
  const settled = await settleAll([...layers.keys()], options.concurrency ?? 4, (index) => {
    const { region } = layers[index];
    const api = options.dryRun
      ? dryRunSsmApi(region, plans[index])
      : (options.api?.(region) ?? awsSsmApi(region, options.tuning));
    return writeLayer(api, layers[index], options);
  });
  const parameters = settled.flatMap((result, index): ParameterOutcome[] => {
    if (result.status === 'fulfilled') return result.value;
    const { region, arch, arn } = layers[index];
    const detail = messageOf(result.reason);
    return [
      versionName(options.prefix, arch, options.version),
      latestName(options.prefix, arch),
    ].map((name) => ({ region, arch, name, value: arn, status: 'failed' as const, detail }));
  });
  const plan = plans.flat();
  if (options.dryRun) log.info(`Dry run: the SSM calls it would make\n${plan.join('\n')}`);
  log.info(`${options.dryRun ? 'Dry run: ' : ''}SSM parameters\n${ssmTable(parameters)}`);
  if (parameters.some((outcome) => outcome.status === 'failed')) throw new SsmError(parameters);
  return { parameters, plan };
}
