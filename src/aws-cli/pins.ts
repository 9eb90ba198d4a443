import semver from 'semver';

/**
 * Every file of this project that holds the pinned AWS CLI version: the one list the bump edits
 * (a test checks that no other tracked file holds the pin). The Dockerfile comes first: its
 * `ARG AWS_CLI_VERSION` is where the pin is read. dist/index.js carries context.ts's default as a
 * literal, so editing it there gives exactly what `npm run package` would build.
 */
export const PIN_FILES = [
  'docker/Dockerfile',
  'action.yml',
  'src/context.ts',
  'dist/index.js',
  'README.md',
  'test/action/pipeline.test.ts',
  'examples/workflows/follow-aws-cli.yml',
];

// `ARG AWS_CLI_VERSION=X.Y.Z` (a Dockerfile) or `aws-cli-version: X.Y.Z` (a workflow's `with:`,
// quoted or not, or context.ts's defaults).
const NAMED_PIN = /(?:\bAWS_CLI_VERSION=|\baws-cli-version['"]?:[ \t]*['"]?)(\d+\.\d+\.\d+)\b/;

export interface PinFile {
  path: string;
  text: string;
}

/** The pinned version: the first one a file of the list names; undefined when none does. */
export function pinnedVersion(files: PinFile[]): { version: string; path: string } | undefined {
  for (const file of files) {
    const version = NAMED_PIN.exec(file.text)?.[1];
    if (version) return { version, path: file.path };
  }
  return undefined;
}

/** `version` as a whole word: not 2.3.4 inside 12.3.4 or 2.3.40, but 2.3.4 ending a sentence. */
const occurrences = (version: string): RegExp =>
  new RegExp(`(?<![\\d.])${version.replaceAll('.', '\\.')}(?!\\.?\\d)`, 'g');

export const holdsVersion = (text: string, version: string): boolean =>
  occurrences(version).test(text);

/**
 * Every file with each occurrence of `from` replaced by `to`. A listed file that does not hold
 * `from` is an error: the list (or a file) has drifted, and a partial bump would ship two versions.
 */
export function bumpFiles(files: PinFile[], from: string, to: string): PinFile[] {
  if (!semver.valid(from) || !semver.valid(to)) throw new Error(`not versions: ${from}, ${to}`);
  const stale = files.filter((file) => !holdsVersion(file.text, from));
  if (stale.length > 0)
    throw new Error(
      `${stale.map((file) => file.path).join(', ')} ${stale.length === 1 ? 'does' : 'do'} not hold the pinned AWS CLI version ${from}: bring ${stale.length === 1 ? 'it' : 'them'} in line (or fix the list of pin files) before bumping`,
    );
  return files.map((file) => ({ path: file.path, text: file.text.replace(occurrences(from), to) }));
}
