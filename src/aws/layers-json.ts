import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYERS_JSON, type LayersDocument } from '../dist.js';
import { InputError } from '../errors.js';
import { ARCHITECTURES, type Architecture } from '../domain.js';

/** {region: {arch: layer version ARN}}, as publish writes it into layers.json. */
export type LayerArns = LayersDocument['layers'];

/** One published layer version: the unit the canary and ssm steps work on. */
export interface RegionLayer {
  region: string;
  arch: Architecture;
  arn: string;
}

// arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>
const LAYER_VERSION_ARN =
  /^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]{1,140}):([1-9]\d*)$/;

export interface LayerVersionArn {
  partition: string;
  region: string;
  account: string;
  layerName: string;
  /** The layer's ARN without the version: GetLayerVersion's LayerName for a shared layer. */
  layerArn: string;
  version: number;
}

/** Splits a layer version ARN; undefined when it is not one. */
export function parseLayerVersionArn(arn: string): LayerVersionArn | undefined {
  const match = LAYER_VERSION_ARN.exec(arn.trim());
  if (!match) return undefined;
  const [, partition, region, account, layerName, version] = match;
  return {
    partition,
    region,
    account,
    layerName,
    layerArn: `arn:${partition}:lambda:${region}:${account}:layer:${layerName}`,
    version: Number(version),
  };
}

/** The layers of a document as a flat list, regions in document order, arm64 before amd64. */
export function regionLayers(arns: LayerArns, regions?: readonly string[]): RegionLayer[] {
  const chosen = regions && regions.length > 0 ? regions : Object.keys(arns);
  return chosen.flatMap((region) =>
    ARCHITECTURES.flatMap((arch) => {
      const arn = arns[region]?.[arch];
      return arn ? [{ region, arch, arn }] : [];
    }),
  );
}

/**
 * Regions asked for that layers.json lacks are a bad input, named before anything remote happens;
 * no regions means every region of the document.
 */
export function checkRegions(
  arns: LayerArns,
  regions: readonly string[],
  input = '--regions',
): string[] {
  const known = Object.keys(arns);
  const unknown = regions.filter((region) => !known.includes(region));
  if (unknown.length > 0)
    throw new InputError(
      input,
      unknown.join(','),
      `regions published in ${LAYERS_JSON} (${known.join(', ') || 'none'})`,
    );
  return regions.length > 0 ? [...regions] : known;
}

/** layers.json of a dist folder, checked: a version, and a layer version ARN per region and arch. */
export async function readLayersJson(
  distDir: string,
  input = '--dist-dir',
): Promise<LayersDocument> {
  const path = join(distDir, LAYERS_JSON);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InputError(
      input,
      distDir,
      `a folder holding ${LAYERS_JSON} from the publish step (${String(error)})`,
    );
  }
  return parseLayersJson(text, path, input, distDir);
}

/** layers.json's text (from a file or a release asset at `where`), checked as readLayersJson does. */
export function parseLayersJson(
  text: string,
  where: string,
  input: string,
  inputValue: string,
): LayersDocument {
  let document: LayersDocument;
  try {
    document = JSON.parse(text) as LayersDocument;
  } catch (error) {
    throw new InputError(
      input,
      inputValue,
      `a ${LAYERS_JSON} from "lambda-shell-runtime publish" (${where}: ${String(error)})`,
    );
  }
  const layers = document?.layers;
  if (typeof document?.version !== 'string' || typeof layers !== 'object' || layers === null)
    throw new Error(`${where} has no "version" and "layers": not written by publish`);
  for (const [region, byArch] of Object.entries(layers)) {
    for (const [arch, arn] of Object.entries(byArch ?? {})) {
      if (!ARCHITECTURES.includes(arch as Architecture) || !parseLayerVersionArn(String(arn)))
        throw new Error(`${where}: ${region}.${arch} is not a layer version ARN: ${String(arn)}`);
    }
  }
  return document;
}

/** What publish records of each layer version in layers.json's "versions". */
export interface VersionRecord {
  region: string;
  arch: Architecture;
  layerName: string;
  version: number;
  arn: string;
  outcome: 'published' | 'reused';
  /** The release that first published the version (an older one when reused). */
  firstPublishedBy: string;
}

/** What the retract step adds to layers.json: the release must not be used. */
export interface RetractedRecord {
  reason: string;
  /** When it was first retracted (ISO 8601); kept by later runs. */
  at: string;
  /** Regions where it was retracted. */
  regions: string[];
  /** Whether the layer versions were deleted (else only unshared). */
  deleted: boolean;
}

/** layers.json with what publish and retract add to the core document. */
export interface LayersRecord extends LayersDocument {
  versions?: VersionRecord[];
  retracted?: RetractedRecord;
}
