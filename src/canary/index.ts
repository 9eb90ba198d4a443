import { checkRegions, regionLayers, type LayerArns } from '../aws/layers-json.js';
import type { Plan } from '../aws/plan.js';
import { settleAll } from '../concurrency.js';
import { messageOf } from '../errors.js';
import { log } from '../log.js';
import { textTable } from '../table.js';
import { awsCanaryApi, dryRunCanaryApi, type CanaryApi } from './api.js';
import { canaryZip } from './handler.js';
import { CANARY_DESCRIPTION, CANARY_PREFIX } from './names.js';
import { runCanary, type CanaryOutcome } from './run-canary.js';

export type { CanaryOutcome } from './run-canary.js';
export { canaryRunId } from './names.js';

export interface CanaryOptions {
  /** {region: {arch: layer version ARN}}: what publish wrote into layers.json. */
  layers: LayerArns;
  version: string;
  /** Regions to check (each must be in `layers`); empty: all of them. */
  regions: string[];
  /** The canary functions' execution role (AWSLambdaBasicExecutionRole is enough). */
  roleArn: string;
  /** Unique to this run; part of each function's name. */
  runId: string;
  /** The layer must report AWS CLI v2: true for docker-built layers. */
  awsCli: boolean;
  dryRun: boolean;
  /** Region × architecture canaries at once (default 4). */
  concurrency?: number;
  activeTimeoutSeconds?: number;
  /** Injectable for tests: pauses between CreateFunction attempts. */
  sleep?: (ms: number) => Promise<void>;
  /** Injectable for tests: the Lambda API of a region. */
  api?: (region: string) => CanaryApi;
}

export interface CanaryResult {
  outcomes: CanaryOutcome[];
  /** Dry run: every call it would make; empty otherwise. */
  plan: string[];
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function canaryTable(outcomes: readonly CanaryOutcome[]): string {
  return textTable(
    ['region', 'arch', 'function', 'time', 'aws', 'jq', 'outcome'],
    outcomes.map((outcome) => [
      outcome.region,
      outcome.arch,
      outcome.functionName,
      outcome.status === 'planned' ? '-' : seconds(outcome.durationMs),
      outcome.awsVersion ?? '-',
      outcome.jqVersion ?? '-',
      outcome.detail ? `${outcome.status}: ${outcome.detail}` : outcome.status,
    ]),
  );
}

/** Thrown after every canary ran and the table was logged, when any failed; carries them all. */
export class CanaryError extends Error {
  constructor(readonly outcomes: CanaryOutcome[]) {
    const failed = outcomes.filter((outcome) => outcome.status === 'failed');
    const others = outcomes.filter((outcome) => outcome.status !== 'failed');
    const line = (outcome: CanaryOutcome): string =>
      `${outcome.region} ${outcome.arch}: ${outcome.status}${outcome.detail ? ` (${outcome.detail})` : ''}${outcome.deleted ? '' : ' [function left behind]'}`;
    super(
      `canary failed in ${[...new Set(failed.map((outcome) => outcome.region))].join(', ')}:\n  ` +
        `${failed.map(line).join('\n  ')}` +
        (others.length ? `\nothers:\n  ${others.map(line).join('\n  ')}` : ''),
    );
    this.name = 'CanaryError';
  }
}

/**
 * A canary per region × architecture of the published layer, in parallel (bounded): each creates a
 * function on the layer, invokes it, checks the answer and deletes it. Throws a CanaryError after
 * all have run when any failed.
 */
export async function runCanaries(options: CanaryOptions): Promise<CanaryResult> {
  const regions = checkRegions(options.layers, options.regions);
  const layers = regionLayers(options.layers, regions);
  const code = await canaryZip();
  const plans: Plan[] = layers.map(() => []);
  const apis = new Map<string, CanaryApi>();
  const apiFor = (region: string, plan: Plan): CanaryApi => {
    if (options.dryRun) return dryRunCanaryApi(region, plan);
    if (!apis.has(region)) apis.set(region, (options.api ?? awsCanaryApi)(region));
    return apis.get(region)!;
  };
  const settled = await settleAll([...layers.keys()], options.concurrency ?? 4, (index) =>
    runCanary({
      api: apiFor(layers[index].region, plans[index]),
      layer: layers[index],
      version: options.version,
      roleArn: options.roleArn,
      runId: options.runId,
      code,
      awsCli: options.awsCli,
      dryRun: options.dryRun,
      activeTimeoutSeconds: options.activeTimeoutSeconds,
      sleep: options.sleep,
    }),
  );
  // runCanary reports its failures as outcomes; a rejection here is a bug, still reported.
  const outcomes = settled.map((result, index): CanaryOutcome =>
    result.status === 'fulfilled'
      ? result.value
      : {
          region: layers[index].region,
          arch: layers[index].arch,
          layerArn: layers[index].arn,
          functionName: '',
          status: 'failed',
          durationMs: 0,
          deleted: false,
          detail: messageOf(result.reason),
        },
  );
  const plan = plans.flat();
  if (options.dryRun) log.info(`Dry run: the canary calls it would make\n${plan.join('\n')}`);
  log.info(`${options.dryRun ? 'Dry run: ' : ''}canaries\n${canaryTable(outcomes)}`);
  if (outcomes.some((outcome) => outcome.status === 'failed')) throw new CanaryError(outcomes);
  return { outcomes, plan };
}

export interface CleanOptions {
  regions: string[];
  /** Only functions last modified at least this many minutes ago: a running canary is spared. */
  minAgeMinutes: number;
  dryRun: boolean;
  api?: (region: string) => CanaryApi;
  now?: () => number;
}

export interface CleanedFunction {
  region: string;
  name: string;
  status: 'deleted' | 'planned' | 'failed';
  detail: string;
}

/** Deletes canary functions left behind (by a crashed run): name prefix and description both. */
export async function cleanCanaries(options: CleanOptions): Promise<CleanedFunction[]> {
  const now = (options.now ?? Date.now)();
  const plan: Plan = [];
  const perRegion = await settleAll(options.regions, 4, async (region) => {
    const api = options.dryRun
      ? dryRunCanaryApi(region, plan)
      : (options.api ?? awsCanaryApi)(region);
    const leftovers = (await api.listFunctions(CANARY_PREFIX)).filter(
      (fn) =>
        fn.description.startsWith(CANARY_DESCRIPTION) &&
        now - Date.parse(fn.lastModified) >= options.minAgeMinutes * 60_000,
    );
    const cleaned: CleanedFunction[] = [];
    for (const fn of leftovers) {
      try {
        await api.deleteFunction(fn.name);
        cleaned.push({
          region,
          name: fn.name,
          status: options.dryRun ? 'planned' : 'deleted',
          detail: '',
        });
      } catch (error) {
        cleaned.push({ region, name: fn.name, status: 'failed', detail: messageOf(error) });
      }
    }
    return cleaned;
  });
  const rows = perRegion.flatMap((result, index): CleanedFunction[] =>
    result.status === 'fulfilled'
      ? result.value
      : [
          {
            region: options.regions[index],
            name: '',
            status: 'failed',
            detail: messageOf(result.reason),
          },
        ],
  );
  if (options.dryRun) log.info(`Dry run: the calls it would make\n${plan.join('\n')}`);
  return rows;
}
