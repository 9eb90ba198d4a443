import type { LayerZip } from '../dist.js';
import type { Architecture } from '../domain.js';
import type { LayerVersionInfo } from './layer-api.js';

/**
 * --align-versions: the same layer version number in every region, so consumers' ARNs differ
 * only by region.
 *
 * Two known approaches:
 * - Powertools' layer balancer replays the version history of a source region (us-east-1) into a
 *   new, empty region: each version republished in order with the same content, so the numbers
 *   line up. Never publishes anything odd, but it refuses a region that already has versions
 *   (drift after a failed run), and someone must align that by hand.
 * - Datadog backfills: publishes again and again until the target number is reached ("AWS skips
 *   deleted numbers", so it checks every returned number and errors on overshoot).
 *
 * We backfill, because it converges on its own: target = the highest over regions of (the
 * newest version if it already holds this zip, else newest + 1). A region behind publishes
 * "filler" versions up to target - 1 and then the real one at target. Fillers carry the same zip
 * (so any number a user picks works) but say "filler" in their description and are never shared.
 * The costs: extra versions in lagging regions (bounded by MAX_FILLERS, checked before anything
 * is published), and a region holding the zip at a lower number publishes it again. Deleted
 * version numbers are never reused, so a region can overshoot the target; that region fails with
 * a clear message, and the next run aligns every region to its number.
 */
export const MAX_FILLERS = 50;

export const holdsZip = (newest: LayerVersionInfo | undefined, zip: LayerZip): boolean =>
  newest !== undefined && newest.codeSha256 === zip.codeSha256;

/** The version number a region would end at on its own: the reusable newest, or the next one. */
export const naturalVersion = (newest: LayerVersionInfo | undefined, zip: LayerZip): number =>
  holdsZip(newest, zip) ? newest!.version : (newest?.version ?? 0) + 1;

/** The version every region must reach: the highest any region would reach on its own. */
export const alignedTarget = (naturals: readonly number[]): number => Math.max(...naturals);

/** Filler versions a region publishes before the real one to land on `target`. */
export const fillersNeeded = (newest: LayerVersionInfo | undefined, target: number): number =>
  Math.max(0, target - 1 - (newest?.version ?? 0));

/** A layer in one region whose newest version was read. */
export interface Inspected {
  region: string;
  layerName: string;
  zip: LayerZip;
  newest: LayerVersionInfo | undefined;
}

/** Per architecture, the number every region must end at. */
export function alignmentTargets(inspected: readonly Inspected[]): Map<Architecture, number> {
  const naturals = new Map<Architecture, number[]>();
  for (const { zip, newest } of inspected)
    naturals.set(zip.arch, [...(naturals.get(zip.arch) ?? []), naturalVersion(newest, zip)]);
  return new Map([...naturals].map(([arch, list]) => [arch, alignedTarget(list)]));
}

/** Refuses, before anything is published, an alignment that needs too many fillers. */
export function assertFillersBounded(
  inspected: readonly Inspected[],
  targets: Map<Architecture, number>,
): void {
  for (const { region, layerName, zip, newest } of inspected) {
    const fillers = fillersNeeded(newest, targets.get(zip.arch)!);
    if (fillers > MAX_FILLERS) {
      throw new Error(
        `aligning ${layerName} in ${region} needs ${fillers} filler versions (more than ${MAX_FILLERS}); nothing was published. Publish without version alignment (align-versions), or align that region by hand`,
      );
    }
  }
}
