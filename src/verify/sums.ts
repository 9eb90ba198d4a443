import type { Architecture } from '../domain.js';

/** One line of SHA256SUMS (sha256sum's format: hex, two spaces or " *", the file name). */
export interface SumEntry {
  sha256: string;
  fileName: string;
}

export function parseSha256Sums(text: string): SumEntry[] {
  const entries: SumEntry[] = [];
  for (const line of text.split('\n')) {
    const match = /^([0-9a-fA-F]{64}) [ *](.+?)\r?$/.exec(line);
    if (match) entries.push({ sha256: match[1].toLowerCase(), fileName: match[2] });
  }
  return entries;
}

/** The entries for a layer zip of `arch` (all zips when the layer names no architecture). */
export function zipEntries(entries: readonly SumEntry[], arch?: Architecture): SumEntry[] {
  const name = arch ? new RegExp(`^lambda-shell-runtime-${arch}-.+\\.zip$`) : /\.zip$/;
  return entries.filter((entry) => name.test(entry.fileName));
}
