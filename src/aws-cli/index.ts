import type { RepoClient } from '../github/client.js';
import { log } from '../log.js';
import {
  branchHead,
  createBranch,
  defaultBranch,
  editPull,
  findOpenPull,
  listTagNames,
  moveBranch,
  openPull,
  readCommit,
  readFileAt,
  writeCommit,
  writeTree,
  type Commit,
  type PullRequest,
} from './github.js';
import { isNewer, newestV2 } from './latest.js';
import { bumpFiles, pinnedVersion, type PinFile } from './pins.js';

export { AWS_CLI_REPOSITORY, isNewer, newestV2 } from './latest.js';
export { PIN_FILES, pinnedVersion, type PinFile } from './pins.js';

/** The one branch every bump is pushed to, so there is never more than one bump pull request. */
export const BUMP_BRANCH = 'lambda-shell-runtime/aws-cli';
const COMMIT_PREFIX = 'Bump the bundled AWS CLI to ';

/** The newest AWS CLI v2 release, from the tags of the AWS CLI repository. */
export async function latestAwsCli(source: RepoClient): Promise<string> {
  const tags = await listTagNames(source);
  const latest = newestV2(tags);
  if (!latest)
    throw new Error(
      `no AWS CLI v2 release (a 2.x.y tag) among the ${tags.length} tags of ${source.owner}/${source.repo}`,
    );
  return latest;
}

export interface BumpOptions {
  /** The repository whose pin is bumped. */
  client: RepoClient;
  latest: string;
  /** The files holding the pin (PIN_FILES for this project). */
  files: string[];
  /** The branch the pull request goes to (default: the repository's default branch). */
  base?: string;
  branch?: string;
  dryRun?: boolean;
}

export interface BumpResult {
  pinned: string;
  /** Where the pin was read. */
  pinnedIn: string;
  base: string;
  action: 'up-to-date' | 'created' | 'updated' | 'unchanged' | 'closed' | 'planned';
  pullRequest?: PullRequest;
}

const titleFor = (version: string): string => `${COMMIT_PREFIX}${version}`;

/** The commit at the head of the bump branch; an error when this command did not make it. */
async function readBumpCommit(client: RepoClient, branch: string, head: string): Promise<Commit> {
  const commit = await readCommit(client, head);
  if (!commit.message.startsWith(COMMIT_PREFIX))
    throw new Error(
      `the branch ${branch} ends in a commit this command did not make (${head.slice(0, 12)}: "${commit.message.split('\n')[0]}"); not overwriting it: merge or delete that branch`,
    );
  return commit;
}

function bodyFor(from: string, to: string, files: string[]): string {
  return [
    `The newest AWS CLI v2 release is [${to}](https://github.com/aws/aws-cli/blob/${to}/CHANGELOG.rst); the layer bundles ${from}.`,
    '',
    `This bumps the pinned version in: ${files.map((file) => `\`${file}\``).join(', ')}.`,
    '',
    'The build verifies the installer against its PGP signature (`docker/aws-cli-public-key.asc`, fingerprint pinned in `docker/Dockerfile`), so there is no checksum to update. Merge, then push a version tag to release the layer.',
    '',
    `_Opened by \`lambda-shell-runtime aws-cli-latest --open-pr\`; a later AWS CLI release updates this pull request (branch \`${BUMP_BRANCH}\` is rewritten), it does not open another._`,
  ].join('\n');
}

/**
 * Opens, or updates, the one pull request that bumps the pinned AWS CLI to `latest` in every pin
 * file, on one fixed branch rebuilt on the base branch each time. Nothing is written when the pin
 * is current, except to close a bump left open once the base holds the version. A bump branch
 * whose head another author committed is left alone (an error).
 */
export async function bumpAwsCli(options: BumpOptions): Promise<BumpResult> {
  const { client, latest } = options;
  const branch = options.branch ?? BUMP_BRANCH;
  const base = options.base || (await defaultBranch(client));
  const baseHead = await branchHead(client, base);
  if (!baseHead) throw new Error(`${client.owner}/${client.repo} has no branch ${base}`);
  const files: PinFile[] = [];
  for (const path of options.files)
    files.push({ path, text: await readFileAt(client, path, baseHead) });
  const pin = pinnedVersion(files);
  if (!pin)
    throw new Error(
      `none of ${options.files.join(', ')} names an AWS CLI version (AWS_CLI_VERSION=X.Y.Z or aws-cli-version: X.Y.Z) on ${base}`,
    );
  const result = { pinned: pin.version, pinnedIn: pin.path, base };
  if (!isNewer(latest, pin.version)) {
    // A bump left open after the base got the version another way has nothing left to do.
    const stale = await findOpenPull(client, branch);
    if (!stale) return { ...result, action: 'up-to-date' };
    if (options.dryRun) log.info(`dry run: would close pull request #${stale.number}`);
    else await editPull(client, stale.number, { state: 'closed' });
    return { ...result, action: options.dryRun ? 'planned' : 'closed', pullRequest: stale };
  }

  const bumped = bumpFiles(files, pin.version, latest);
  const title = titleFor(latest);
  const body = bodyFor(pin.version, latest, options.files);
  const existing = await findOpenPull(client, branch);
  if (options.dryRun) {
    log.info(
      `dry run: would commit ${options.files.length} files to ${branch} (on ${base} at ${baseHead.slice(0, 12)}) and ${existing ? `update pull request #${existing.number}` : 'open a pull request'}: "${title}"`,
    );
    return { ...result, action: 'planned', pullRequest: existing };
  }

  const baseCommit = await readCommit(client, baseHead);
  const tree = await writeTree(client, baseCommit.tree, bumped);
  const head = await branchHead(client, branch);
  let changed = true;
  if (head) {
    const current = await readBumpCommit(client, branch, head);
    changed = current.tree !== tree || current.parents[0] !== baseHead;
    if (changed) {
      const commit = await writeCommit(client, { tree, parents: [baseHead], message: title });
      await moveBranch(client, branch, commit);
    }
  } else {
    const commit = await writeCommit(client, { tree, parents: [baseHead], message: title });
    const made = await createBranch(client, branch, commit);
    // A parallel run made the branch first: its bump stands, another author's branch does not.
    if (made !== commit) await readBumpCommit(client, branch, made);
  }

  if (existing) {
    if (existing.title === title && existing.body === body)
      return { ...result, action: changed ? 'updated' : 'unchanged', pullRequest: existing };
    await editPull(client, existing.number, { title, body });
    return { ...result, action: 'updated', pullRequest: { ...existing, title, body } };
  }
  const opened = await openPull(client, { branch, base, title, body });
  return { ...result, action: 'created', pullRequest: opened };
}
