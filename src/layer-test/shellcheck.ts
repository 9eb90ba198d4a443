import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as tc from '@actions/tool-cache';
import { run, which } from '../exec.js';
import { log } from '../log.js';
import { packageRoot, paths } from '../paths.js';

/** The shellcheck release installed when the runner has none. */
export const SHELLCHECK_VERSION = '0.10.0';

const releaseCpu = (nodeArch: string): string => {
  if (nodeArch === 'x64') return 'x86_64';
  if (nodeArch === 'arm64') return 'aarch64';
  throw new Error(`no shellcheck release for ${nodeArch}: install shellcheck on PATH`);
};

export const shellcheckUrl = (version: string, nodeArch: string): string =>
  `https://github.com/koalaman/shellcheck/releases/download/v${version}/shellcheck-v${version}.linux.${releaseCpu(nodeArch)}.tar.xz`;

/** shellcheck from the runner's tool cache, downloading the pinned release once. */
async function installShellcheck(): Promise<string> {
  const cached = tc.find('shellcheck', SHELLCHECK_VERSION);
  if (cached) return join(cached, 'shellcheck');
  const url = shellcheckUrl(SHELLCHECK_VERSION, process.arch);
  log.info(`installing shellcheck ${SHELLCHECK_VERSION} from ${url}`);
  const archive = await tc.downloadTool(url);
  const extracted = await tc.extractTar(archive, undefined, 'xJ');
  const dir = await tc.cacheDir(
    join(extracted, `shellcheck-v${SHELLCHECK_VERSION}`),
    'shellcheck',
    SHELLCHECK_VERSION,
  );
  return join(dir, 'shellcheck');
}

/**
 * shellcheck from PATH; else, on an Actions runner with a tool cache (the edges read
 * RUNNER_TOOL_CACHE), the pinned release via @actions/tool-cache; elsewhere a clear error, since
 * we do not install tools on a laptop.
 */
export async function findShellcheck(toolCache = false): Promise<string> {
  const onPath = which('shellcheck');
  if (onPath) return onPath;
  if (!toolCache)
    throw new Error(
      'shellcheck is not on PATH: install it (apt-get install shellcheck, brew install shellcheck)',
    );
  return installShellcheck();
}

/** The shell files the test step lints: runtime/bootstrap and examples/*.sh, relative to the package. */
export async function shellFiles(): Promise<string[]> {
  const examples = existsSync(paths.examples)
    ? (await readdir(paths.examples)).filter((name) => name.endsWith('.sh')).sort()
    : [];
  return [paths.bootstrap, ...examples.map((name) => join(paths.examples, name))].map((file) =>
    relative(packageRoot, file),
  );
}

export interface ShellcheckFinding {
  file: string;
  line: number;
  endLine: number;
  column: number;
  endColumn: number;
  level: 'error' | 'warning' | 'info' | 'style';
  code: number;
  message: string;
}

/** Turns a finding into a file/line annotation: errors as errors, the rest as warnings. */
export function annotate(finding: ShellcheckFinding): void {
  const text = `SC${finding.code} (${finding.level}): ${finding.message}`;
  const props = {
    file: finding.file,
    startLine: finding.line,
    startColumn: finding.column,
    title: `shellcheck SC${finding.code}`,
  };
  if (finding.level === 'error') log.error(text, props);
  else log.warning(text, props);
}

/**
 * Runs `shellcheck -s sh -f json1` on files (relative to cwd) and annotates every finding.
 * Exit 0 is clean and 1 means findings; anything else (a missing file, bad options) throws.
 */
export async function runShellcheck(
  shellcheck: string,
  files: string[],
  cwd: string = packageRoot,
): Promise<ShellcheckFinding[]> {
  const result = await run(shellcheck, ['-s', 'sh', '-f', 'json1', ...files], { cwd });
  if (result.exitCode !== 0 && result.exitCode !== 1)
    throw new Error(
      `shellcheck failed with exit code ${result.exitCode}: ${result.stderr.trim() || result.stdout.trim()}`,
    );
  const findings = (
    JSON.parse(result.stdout || '{"comments":[]}') as { comments: ShellcheckFinding[] }
  ).comments;
  findings.forEach(annotate);
  return findings;
}
