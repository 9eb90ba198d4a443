import type { LayerZip } from './dist.js';
import { InputError } from './errors.js';
import { parseRegions, parseShare, type Share } from './inputs.js';

/** Checks of typed values the remote steps (publish, sar) share. */

export function validateRegions(regions: readonly string[], input = 'regions'): string[] {
  if (regions.length === 0) throw new InputError(input, '', 'one or more AWS region codes');
  return parseRegions(regions.join(','), input);
}

/** A Share built in code gets the same checks as one parsed from text. */
export function validateShare(share: Share, input = 'share'): Share {
  const text =
    share.kind === 'accounts'
      ? share.accounts.join(',')
      : share.kind === 'organization'
        ? share.organizationId
        : share.kind;
  const parsed = parseShare(text, input);
  if (parsed.kind !== share.kind) throw new InputError(input, text, `a valid ${share.kind} share`);
  return parsed;
}

export function validateZips(zips: readonly LayerZip[], version: string): LayerZip[] {
  if (zips.length === 0) throw new InputError('dist', '', `layer zips for version ${version}`);
  for (const zip of zips) {
    if (zip.version !== version)
      throw new InputError('version', version, `the version of the zips (${zip.fileName})`);
  }
  if (new Set(zips.map((zip) => zip.arch)).size !== zips.length)
    throw new InputError(
      'dist',
      zips.map((zip) => zip.fileName).join(','),
      'one zip per architecture',
    );
  return [...zips];
}
