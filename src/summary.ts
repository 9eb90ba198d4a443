import * as core from '@actions/core';
import { formatMiB } from './format.js';
import type { PipelineResult } from './pipeline.js';

/**
 * The job summary: one row per architecture × region with its ARN, what happened to it
 * (published, reused from an older release, failed), zip size and sha256, then the release and
 * SAR links. A dry run shows no ARN (it has none) but the plan of its calls. The same rows render
 * as HTML on a runner and as text in the CLI.
 */
export interface SummaryRow {
  arch: string;
  region: string;
  arn: string;
  /** "published version 3", "reused version 1, from 1.2.3", "failed: …". */
  outcome: string;
  size: string;
  sha256: string;
}

// core.summary writes cells and raw HTML as given: a dry run's `<account>` would vanish as a tag.
const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  );

export function summaryRows(result: PipelineResult): SummaryRow[] {
  const published = result.published;
  const regions = [
    ...new Set([
      ...Object.keys(published?.arns ?? {}),
      ...(published?.failed ?? []).map((failure) => failure.region),
    ]),
  ];
  return result.zips.flatMap((zip) =>
    (regions.length > 0 ? regions : ['']).map((region) => {
      const layer = published?.layers?.find(
        (candidate) => candidate.region === region && candidate.arch === zip.arch,
      );
      const failure = published?.failed?.find(
        (candidate) => candidate.region === region && candidate.arch === zip.arch,
      );
      let outcome = '';
      if (failure) outcome = `failed: ${failure.error}`;
      else if (layer?.reused)
        outcome = `reused version ${layer.version}, from ${layer.firstPublishedBy}`;
      else if (layer) outcome = `published version ${layer.version}`;
      if (result.dryRun && region) outcome = 'dry run: nothing published';
      return {
        arch: zip.arch,
        region: region || '(not published)',
        arn: result.dryRun ? '' : (layer?.arn ?? failure?.arn ?? ''),
        outcome,
        size: formatMiB(zip.size, 2),
        sha256: zip.sha256,
      };
    }),
  );
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** The canary table: one row per region × architecture, with what the layer reported. */
export function canaryRows(result: PipelineResult): string[][] {
  return (result.canary ?? []).map((outcome) => [
    outcome.region,
    outcome.arch,
    outcome.detail ? `${outcome.status}: ${outcome.detail}` : outcome.status,
    outcome.status === 'planned' ? '' : seconds(outcome.durationMs),
    [outcome.awsVersion, outcome.jqVersion].filter(Boolean).join(', '),
  ]);
}

/** The SSM table: one row per parameter and region. */
export function ssmRows(result: PipelineResult): string[][] {
  return (result.ssm ?? []).map((outcome) => [
    outcome.region,
    outcome.name,
    outcome.detail ? `${outcome.status}: ${outcome.detail}` : outcome.status,
  ]);
}

/** The retract table: one row per region × architecture of the retracted release. */
export function retractRows(result: PipelineResult): string[][] {
  return (result.retract?.layers ?? []).map((row) => [
    row.region,
    row.arch,
    row.arn,
    [row.unshared.length ? `unshared ${row.unshared.join(', ')}` : '', row.version, row.latest]
      .filter(Boolean)
      .join('; '),
    row.detail ? `${row.status}: ${row.detail}` : row.status,
  ]);
}

function links(result: PipelineResult): [string, string][] {
  // A dry run's links are placeholders (an <account> in them): never shown as links.
  if (result.dryRun) return [];
  const found: [string, string][] = [];
  if (result.releaseUrl) found.push(['GitHub release', result.releaseUrl]);
  if (result.sar?.url) found.push(['Serverless Application Repository', result.sar.url]);
  return found;
}

const title = (result: PipelineResult): string =>
  `lambda-shell-runtime ${result.version}${result.dryRun ? ' (dry run: nothing was published)' : ''}`;

export async function writeJobSummary(result: PipelineResult): Promise<void> {
  // Outside a runner (or on a runner without summaries) there is no file to write: log it instead.
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info(textSummary(result));
    return;
  }
  const header = [
    'Architecture',
    'Region',
    'Layer version ARN',
    'Outcome',
    'Zip size',
    'sha256',
  ].map((data) => ({ data, header: true }));
  const rows = summaryRows(result).map((row) => [
    escapeHtml(row.arch),
    escapeHtml(row.region),
    row.arn && `<code>${escapeHtml(row.arn)}</code>`,
    escapeHtml(row.outcome),
    row.size,
    `<code>${escapeHtml(row.sha256)}</code>`,
  ]);
  core.summary.addHeading(escapeHtml(title(result)), 2).addTable([header, ...rows]);
  const extraTables: [string, string[], string[][]][] = [
    [
      'Canary',
      ['Region', 'Architecture', 'Outcome', 'Duration', 'Layer reported'],
      canaryRows(result),
    ],
    ['SSM parameters', ['Region', 'Parameter', 'Outcome'], ssmRows(result)],
    [
      'Retracted',
      ['Region', 'Architecture', 'Layer version ARN', 'Changes', 'Outcome'],
      retractRows(result),
    ],
  ];
  for (const [title, titles, cells] of extraTables) {
    if (cells.length === 0) continue;
    core.summary
      .addHeading(title, 3)
      .addTable([
        titles.map((data) => ({ data, header: true })),
        ...cells.map((row) => row.map(escapeHtml)),
      ]);
  }
  for (const [label, url] of links(result))
    core.summary.addRaw(
      `<p>${label}: <a href="${escapeHtml(url)}">${escapeHtml(url)}</a></p>`,
      true,
    );
  if (result.plan?.length)
    core.summary
      .addRaw('<p>The calls a real run would make:</p>', true)
      .addRaw(`<pre>${escapeHtml(result.plan.join('\n'))}</pre>`, true);
  await core.summary.write();
}

/** The same summary as plain text, for the CLI. */
export function textSummary(result: PipelineResult): string {
  const lines = [title(result)];
  for (const row of summaryRows(result)) {
    lines.push(
      `  ${row.arch.padEnd(6)} ${row.region.padEnd(16)} ${row.size.padStart(10)}  ${row.arn || '-'}  ${row.outcome ? `${row.outcome}  ` : ''}sha256:${row.sha256}`,
    );
  }
  for (const [region, arch, outcome, duration, versions] of canaryRows(result))
    lines.push(
      `  canary ${arch.padEnd(6)} ${region.padEnd(16)} ${outcome}${duration ? ` in ${duration}` : ''}${versions ? ` (${versions})` : ''}`,
    );
  for (const [region, name, outcome] of ssmRows(result))
    lines.push(`  ssm    ${region.padEnd(16)} ${name} ${outcome}`);
  for (const [region, arch, arn, changes, outcome] of retractRows(result))
    lines.push(`  retract ${arch.padEnd(6)} ${region.padEnd(16)} ${arn} ${changes} ${outcome}`);
  for (const [label, url] of links(result)) lines.push(`  ${label}: ${url}`);
  if (result.exampleResponse !== undefined)
    lines.push(`  example function answered: ${result.exampleResponse}`);
  if (result.plan?.length)
    lines.push('  the calls a real run would make:', ...result.plan.map((line) => `    ${line}`));
  return `${lines.join('\n')}\n`;
}
