import type { Architecture } from '../domain.js';

/**
 * A layer version's description, which Lambda keeps immutable: it names the release that
 * published the version, so the retract and publish steps can tell whose a version is.
 */
export const layerDescription = (version: string, arch: Architecture): string =>
  `lambda-shell-runtime ${version} (${arch})`;

/** The release a version's description names: "lambda-shell-runtime 1.2.3 (arm64)" → 1.2.3. */
export const releaseOf = (text: string): string | undefined =>
  /^lambda-shell-runtime (\S+) \((?:arm64|amd64)\)/.exec(text)?.[1];
