import type { SumEntry } from '../dist.js';
import type { Architecture } from '../domain.js';

export { parseSha256Sums, type SumEntry } from '../dist.js';

/** The entries for a layer zip of `arch` (all zips when the layer names no architecture). */
export function zipEntries(entries: readonly SumEntry[], arch?: Architecture): SumEntry[] {
  const name = arch ? new RegExp(`^lambda-shell-runtime-${arch}-.+\\.zip$`) : /\.zip$/;
  return entries.filter((entry) => name.test(entry.fileName));
}
