import { readLayersJson } from './aws/layers-json.js';
import { buildLayers } from './build/index.js';
import { CanaryError, type CanaryOutcome, runCanaries } from './canary/index.js';
import { DRY_RUN_PLACEHOLDERS, type Inputs } from './context.js';
import {
  type LayerZip,
  type LayersDocument,
  SHA256SUMS,
  assertReleasable,
  readLayerZips,
  readManifest,
} from './dist.js';
import { InputError, messageOf } from './errors.js';
import type { Architecture, Step } from './domain.js';
import { testLayers } from './layer-test/index.js';
import { log } from './log.js';
import { PublishError, type PublishResult, publishLayers } from './publish/index.js';
import { finishRelease, prepareRelease, releaseFiles, uploadAssets } from './release/index.js';
import { RetractError, type RetractResult, retractRelease } from './retract/index.js';
import { type SarResult, publishSar } from './sar/index.js';
import { type ParameterOutcome, SsmError, writeParameters } from './ssm/index.js';

/** What the pipeline produced: the action's outputs and the job summary are made from it. */
export interface PipelineResult {
  version: string;
  dryRun: boolean;
  zips: LayerZip[];
  published?: PublishResult;
  releaseUrl?: string;
  sar?: SarResult;
  /** Each region × architecture's canary, when the canary step ran (also when one failed). */
  canary?: CanaryOutcome[];
  /** Each SSM parameter's outcome, when the ssm step ran. */
  ssm?: ParameterOutcome[];
  /** What the example function answered through the packaged layer, when the test step ran. */
  exampleResponse?: string;
  /** What retract did per region × architecture, when it ran. */
  retract?: RetractResult;
  /** Dry run: every remote call the steps would make, one per line; empty otherwise. */
  plan?: string[];
  done: Step[];
}

/**
 * A failed step: says what was done and what was not, so a re-run can be planned, and carries
 * what the run produced up to then (a partial publish's ARNs), for the outputs and the summary.
 */
export class PipelineError extends Error {
  constructor(
    step: Step,
    cause: unknown,
    done: Step[],
    notDone: Step[],
    /** What the steps before produced (and a failed canary's outcomes): outputs and summary. */
    readonly result: PipelineResult,
  ) {
    super(
      `${step} failed: ${messageOf(cause)}\n` +
        `Done: ${done.join(', ') || 'nothing'}. Not done: ${notDone.join(', ') || 'nothing'}.`,
    );
    this.name = 'PipelineError';
  }
}

/** Runs the chosen steps in order, each in a log group, stopping at the first failure. */
export async function runPipeline(inputs: Inputs): Promise<PipelineResult> {
  const result: PipelineResult = {
    version: inputs.version,
    dryRun: inputs.dryRun,
    zips: [],
    done: [],
  };
  const runStep = async <T>(step: Step, title: string, fn: () => Promise<T>): Promise<T> => {
    try {
      const value = await log.group(title, fn);
      if (!result.done.includes(step)) result.done.push(step);
      return value;
    } catch (error) {
      // Some regions published: their ARNs are outputs and summary rows all the same.
      if (error instanceof PublishError) result.published = error.result;
      const notDone = inputs.steps.filter((candidate) => !result.done.includes(candidate));
      throw new PipelineError(step, error, result.done, notDone, result);
    }
  };
  const has = (step: Step): boolean => inputs.steps.includes(step);
  const plan = inputs.dryRun ? ' (dry run: plan only)' : '';

  // retract runs alone, on a release published earlier: no zips to read.
  if (has('retract')) {
    result.retract = await runStep('retract', `Retract ${inputs.version}${plan}`, () =>
      retractRelease({
        version: inputs.version,
        distDir: '',
        regions: inputs.regions,
        reason: inputs.reason,
        delete: inputs.deleteVersions,
        force: inputs.force,
        dryRun: inputs.dryRun,
        ssmPrefix: inputs.ssmPrefix,
        github: {
          token: inputs.githubToken,
          repository: inputs.repository,
          tag: inputs.tag,
          apiUrl: inputs.githubApiUrl || undefined,
        },
      }).catch((error: unknown) => {
        // What was retracted before the failure: the summary's rows all the same.
        if (error instanceof RetractError) result.retract = error.result;
        throw error;
      }),
    );
    if (inputs.dryRun) result.plan = result.retract.plan;
    return result;
  }

  result.zips = has('build')
    ? await runStep(
        'build',
        `Build ${inputs.architectures.join(', ')} layers with ${inputs.builder}`,
        async () =>
          (
            await buildLayers({
              builder: inputs.builder,
              architectures: inputs.architectures,
              version: inputs.version,
              outDir: inputs.distDir,
              awsCliVersion: inputs.awsCliVersion,
              sourceDateEpoch: inputs.sourceDateEpoch,
              ...inputs.buildCache,
            })
          ).zips,
      )
    : await readDist(inputs);

  if (has('test')) {
    const report = await runStep('test', 'Test the layers (shellcheck, smoke tests)', () =>
      testLayers({
        distDir: inputs.distDir,
        version: inputs.version,
        toolCache: inputs.toolCache,
      }),
    );
    result.exampleResponse = report.exampleResponse;
  }

  const releaseOptions = {
    token: inputs.githubToken,
    repository: inputs.repository,
    tag: inputs.tag,
    version: inputs.version,
    draft: inputs.draft,
    dryRun: inputs.dryRun,
    targetCommitish: inputs.commit || undefined,
    apiUrl: inputs.githubApiUrl || undefined,
    serverUrl: inputs.githubServerUrl || undefined,
  };
  const release = has('release')
    ? await runStep('release', `Upload release assets for ${inputs.tag}${plan}`, async () => {
        // publish and sar refuse local-builder zips themselves; the release must too.
        await assertReleasable(inputs.distDir, inputs.dryRun);
        return prepareRelease({
          ...releaseOptions,
          files: await releaseFiles(inputs.distDir, inputs.version, result.zips),
        });
      })
    : undefined;

  if (has('publish')) {
    result.published = await runStep(
      'publish',
      `Publish layers in ${inputs.regions.join(', ')}${plan}`,
      () =>
        publishLayers({
          zips: result.zips,
          version: inputs.version,
          regions: inputs.regions,
          share: inputs.share,
          layerNamePattern: inputs.layerName,
          s3Bucket: inputs.s3Bucket || undefined,
          alignVersions: inputs.alignVersions,
          alignMode: inputs.alignMode,
          // replay takes the earlier releases' zips from this repository's releases.
          history: inputs.githubToken
            ? {
                token: inputs.githubToken,
                repository: inputs.repository,
                apiUrl: inputs.githubApiUrl || undefined,
              }
            : undefined,
          dryRun: inputs.dryRun,
          distDir: inputs.distDir,
        }),
    );
  }

  // The canary proves the layer before anything announces it: SSM, SAR, the published release.
  if (has('canary')) {
    result.canary = await runStep(
      'canary',
      `Canary: invoke the layer in each region${plan}`,
      async () => {
        const published = await publishedLayers(inputs, result);
        try {
          return (
            await runCanaries({
              layers: published.layers,
              version: published.version,
              regions: [],
              roleArn: inputs.canaryRoleArn,
              runId: inputs.runId,
              awsCli: (await readManifest(inputs.distDir)).releasable,
              dryRun: inputs.dryRun,
            })
          ).outcomes;
        } catch (error) {
          if (error instanceof CanaryError) result.canary = error.outcomes;
          throw error;
        }
      },
    );
  }

  if (has('ssm')) {
    result.ssm = await runStep(
      'ssm',
      `SSM parameters under ${inputs.ssmPrefix}${plan}`,
      async () => {
        const published = await publishedLayers(inputs, result);
        try {
          return (
            await writeParameters({
              layers: published.layers,
              version: published.version,
              prefix: inputs.ssmPrefix,
              regions: [],
              dryRun: inputs.dryRun,
            })
          ).parameters;
        } catch (error) {
          if (error instanceof SsmError) result.ssm = error.outcomes;
          throw error;
        }
      },
    );
  }

  if (has('sar')) {
    result.sar = await runStep(
      'sar',
      `Publish the Serverless Application Repository application${plan}`,
      () =>
        publishSar({
          zips: result.zips,
          version: inputs.version,
          s3Bucket: inputs.s3Bucket || (inputs.dryRun ? DRY_RUN_PLACEHOLDERS.s3Bucket : ''),
          region: inputs.regions[0],
          share: inputs.share,
          dryRun: inputs.dryRun,
          applicationName: inputs.applicationName,
          author: inputs.author,
          sourceCodeUrl: inputs.sourceCodeUrl,
        }),
    );
  }

  if (inputs.dryRun) {
    const { owner, repo } = inputs.repository;
    result.plan = [
      ...(release
        ? [
            `github ${owner}/${repo} release ${inputs.tag}: find it or create a draft, upload the zips, SHA256SUMS${result.published ? ' and layers.json' : ''}${inputs.draft ? '' : ', then publish it'}`,
          ]
        : []),
      ...(result.published?.plan ?? []),
      ...(result.sar?.plan ?? []),
    ];
  }

  if (release) {
    result.releaseUrl = await runStep(
      'release',
      `Publish the release ${inputs.tag}${plan}`,
      async () => {
        if (result.published)
          await uploadAssets(release, [result.published.layersJson], releaseOptions);
        return (await finishRelease(release, releaseOptions)).url;
      },
    );
  }
  return result;
}

/** The layers publish produced in this run, else the layers.json of an earlier run in dist-dir. */
async function publishedLayers(
  inputs: Inputs,
  result: PipelineResult,
): Promise<Pick<LayersDocument, 'version' | 'layers'>> {
  if (result.published) return { version: inputs.version, layers: result.published.arns };
  const document = await readLayersJson(inputs.distDir, 'dist-dir');
  if (document.version !== inputs.version)
    throw new InputError(
      'dist-dir',
      inputs.distDir,
      `a layers.json of version ${inputs.version} (publish is not among the steps); it holds ${document.version}`,
    );
  return document;
}

/**
 * The zips of an earlier build (build is not a step): only the architectures asked for, and a
 * clear error naming dist-dir when the folder does not hold this version's zips.
 */
async function readDist(inputs: Inputs): Promise<LayerZip[]> {
  let zips: LayerZip[];
  try {
    zips = await readLayerZips(inputs.distDir, inputs.version);
  } catch (error) {
    throw new InputError(
      'dist-dir',
      inputs.distDir,
      `a folder holding the zips and ${SHA256SUMS} of version ${inputs.version} from a build ` +
        `(build is not among the steps): ${messageOf(error)}`,
    );
  }
  const chosen = zips.filter((zip) => inputs.architectures.includes(zip.arch));
  const missing = inputs.architectures.filter((arch) => !zips.some((zip) => zip.arch === arch));
  if (chosen.length === 0)
    throw new InputError(
      'architectures',
      inputs.architectures.join(','),
      `architectures with a zip in ${inputs.distDir} (${zips.map((zip) => zip.arch).join(', ')})`,
    );
  if (missing.length > 0)
    log.warning(`${inputs.distDir} has no zip for ${missing.join(', ')}: left out`);
  return chosen;
}

/** The ARN of an architecture in the first region, for the single-ARN outputs. */
export function firstRegionArn(result: PipelineResult, arch: Architecture): string {
  const arns = result.published?.arns ?? {};
  const first = Object.keys(arns)[0];
  return (first && arns[first][arch]) || '';
}
