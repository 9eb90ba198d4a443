import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LAYERS_JSON } from '../dist.js';
import { parseLayersJson, type LayersRecord, type RetractedRecord } from '../aws/layers-json.js';
import { describeAssets, downloadAsset, syncAssets } from '../github/assets.js';
import {
  call,
  connect,
  type ClientTuning,
  type Release,
  type RepoClient,
} from '../github/client.js';
import { editRelease, findRelease } from '../github/releases.js';
import type { Repository } from '../domain.js';
import { log } from '../log.js';

/** The GitHub release of the version: where layers.json may come from, and what gets marked. */
export interface GitHubTarget {
  token: string;
  repository: Repository;
  tag: string;
  apiUrl?: string;
  tuning?: ClientTuning;
}

export const TITLE_PREFIX = '[retracted] ';
const NOTE_START = '<!-- lambda-shell-runtime:retracted -->';
const NOTE_END = '<!-- /lambda-shell-runtime:retracted -->';

export interface OpenedRelease {
  client: RepoClient;
  release: Release;
}

/** The release of the tag (a draft too); undefined when there is none. */
export async function openRelease(target: GitHubTarget): Promise<OpenedRelease | undefined> {
  const client = connect(target.token, target.repository, target.apiUrl, target.tuning);
  const release = await findRelease(client, target.tag);
  return release ? { client, release } : undefined;
}

/** layers.json of the release, from its asset. */
export async function releaseLayersJson({ client, release }: OpenedRelease): Promise<LayersRecord> {
  const asset = release.assets.find((candidate) => candidate.name === LAYERS_JSON);
  if (!asset)
    throw new Error(
      `the release ${release.tag_name} has no ${LAYERS_JSON} asset: give the dist folder (dist-dir) that holds the layers.json publish wrote`,
    );
  const text = (await downloadAsset(client, asset)).toString('utf8');
  return parseLayersJson(
    text,
    `${LAYERS_JSON} of release ${release.tag_name}`,
    'version',
    release.tag_name,
  );
}

/**
 * Which later releases list these layer version ARNs in their layers.json (they reused the
 * versions: the same bytes): ARN → versions of those releases. Releases created before this one
 * cannot have reused its versions (a reused version names its first release, caught elsewhere).
 */
export async function laterReleasesSharing(
  { client, release }: OpenedRelease,
  arns: ReadonlySet<string>,
): Promise<Map<string, string[]>> {
  const { octokit, owner, repo } = client;
  const releases = await call(client, `list the releases of ${owner}/${repo}`, () =>
    octokit.paginate(octokit.rest.repos.listReleases, { owner, repo, per_page: 100 }),
  );
  const sharing = new Map<string, string[]>();
  for (const other of releases) {
    if (other.id === release.id || other.created_at < release.created_at) continue;
    const asset = other.assets.find((candidate) => candidate.name === LAYERS_JSON);
    if (!asset) continue;
    let document: Partial<LayersRecord>;
    try {
      document = JSON.parse((await downloadAsset(client, asset)).toString('utf8')) as LayersRecord;
    } catch (error) {
      log.warning(
        `the ${LAYERS_JSON} of release ${other.tag_name} is unreadable: ${String(error)}`,
      );
      continue;
    }
    for (const byArch of Object.values(document.layers ?? {}))
      for (const arn of Object.values(byArch ?? {}))
        if (arn && arns.has(arn) && document.version)
          sharing.set(arn, [...(sharing.get(arn) ?? []), document.version]);
  }
  return sharing;
}

/** GitHub's "Latest" badge is not ours to move: say so when it is on the retracted release. */
async function warnIfLatest({ client, release }: OpenedRelease): Promise<void> {
  const { octokit, owner, repo } = client;
  try {
    const latest = await octokit.rest.repos.getLatestRelease({ owner, repo });
    if (latest.data.id === release.id)
      log.warning(
        `${release.tag_name} is the repository's "Latest" release on GitHub: mark another release as latest (Edit release > Set as the latest release)`,
      );
  } catch {
    // No latest release (404), or it cannot be read: nothing to warn about.
  }
}

/** The title with the prefix once. */
export const retractedTitle = (title: string): string =>
  title.startsWith(TITLE_PREFIX) ? title : `${TITLE_PREFIX}${title}`;

/** The notes with one retraction note at the top (an earlier note replaced, not repeated). */
export function retractedBody(body: string, record: RetractedRecord): string {
  const start = body.indexOf(NOTE_START);
  const end = body.indexOf(NOTE_END);
  const rest =
    start >= 0 && end > start ? body.slice(0, start) + body.slice(end + NOTE_END.length) : body;
  const action = record.deleted
    ? 'Its layer versions were deleted; functions that use them keep working, new deployments fail.'
    : 'Its layer versions are no longer shared; functions that use them keep working.';
  const note = [
    NOTE_START,
    `> [!CAUTION]`,
    // One line: a line break would end the quote.
    `> **Retracted**${record.reason ? `: ${record.reason.replace(/\s+/g, ' ')}` : ''}`,
    `> ${action} Use another release.`,
    NOTE_END,
  ].join('\n');
  return `${note}\n\n${rest.trim()}`.trimEnd() + '\n';
}

/** The record to write: an earlier one's date kept, regions and deletion added up. */
export function mergeRetracted(
  earlier: RetractedRecord | undefined,
  reason: string,
  regions: readonly string[],
  deleted: boolean,
): RetractedRecord {
  return {
    reason: reason || earlier?.reason || '',
    at: earlier?.at ?? new Date().toISOString(),
    regions: [...new Set([...(earlier?.regions ?? []), ...regions])].sort(),
    deleted: deleted || earlier?.deleted === true,
  };
}

export interface MarkOutcome {
  title: 'changed' | 'unchanged' | 'planned';
  asset: 'replaced' | 'unchanged' | 'planned' | 'immutable';
}

/**
 * Marks the release: title prefix, the note in its body, layers.json with `retracted`. An
 * immutable release keeps its assets (GitHub refuses to change them): only title and notes.
 */
export async function markRelease(
  opened: OpenedRelease,
  document: LayersRecord,
  dryRun: boolean,
  plan: string[],
): Promise<MarkOutcome> {
  const { client, release } = opened;
  const record = document.retracted!;
  const name = retractedTitle(release.name || release.tag_name);
  const body = retractedBody(release.body ?? '', record);
  const titleChanges = name !== release.name || body !== (release.body ?? '');
  const outcome: MarkOutcome = { title: 'unchanged', asset: 'unchanged' };
  if (titleChanges) {
    if (dryRun) {
      plan.push(
        `github PATCH release ${release.tag_name} (id ${release.id}) ${JSON.stringify({ name })}`,
      );
      outcome.title = 'planned';
    } else {
      await editRelease(client, release, { name, body });
      outcome.title = 'changed';
    }
  }
  await warnIfLatest(opened);
  if (release.immutable) {
    log.warning(
      `the release ${release.tag_name} is immutable: its ${LAYERS_JSON} asset stays as published (title and notes say it is retracted)`,
    );
    outcome.asset = 'immutable';
    return outcome;
  }
  const dir = await mkdtemp(join(tmpdir(), 'lsr-retract-'));
  try {
    const path = join(dir, LAYERS_JSON);
    await writeFile(path, `${JSON.stringify(document, null, 2)}\n`);
    const locals = await describeAssets([path]);
    const current = release.assets.find((asset) => asset.name === LAYERS_JSON);
    if (current?.digest === `sha256:${locals[0].sha256}`) return outcome;
    if (dryRun) {
      plan.push(
        `github replace ${LAYERS_JSON} of release ${release.tag_name} (sha256 ${locals[0].sha256})`,
      );
      outcome.asset = 'planned';
      return outcome;
    }
    const target = {
      id: release.id,
      tag: release.tag_name,
      uploadUrl: release.upload_url.replace(/\{[^}]*\}$/, ''),
      immutable: false,
    };
    const synced = await syncAssets(client, target, locals);
    outcome.asset = synced.uploaded.length > 0 ? 'replaced' : 'unchanged';
    return outcome;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
