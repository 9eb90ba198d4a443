import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/**
 * Fake executables on PATH for command-level tests: each fake records every call (argv, cwd,
 * chosen environment variables and, if asked, stdin) and answers from scripted rules, so a test
 * can assert the exact command lines a module builds without the real tool (docker, shellcheck…).
 *
 *   const bin = createFakeBin();
 *   bin.add('docker', [
 *     { args: ['version'], stdout: 'amd64\n' },            // argv starts with these words
 *     { match: /^buildx inspect/, exitCode: 1 },             // or the joined argv matches
 *     { args: ['buildx', 'build'], script: 'mkdir -p "$FAKE_OUT"' }, // or run sh code
 *   ]);
 *   await somethingThatRunsDocker({ env: bin.env() });      // or process.env.PATH = bin.path
 *   expect(bin.calls('docker').map((c) => c.args)).toEqual([...]);
 *   bin.cleanup();
 *
 * Rules are tried in order; the first that matches answers (stdout, stderr, then `script` run by
 * /bin/sh with the call's arguments as "$@", then exit with exitCode, default 0). A call no rule
 * matches exits 0 silently, or with `fallback` when given. Rules can be replaced between calls
 * with add() again; the log is kept. Each fake is a sh wrapper around one shared node script.
 */
export interface FakeRule {
  /** Matches when argv starts with these words. */
  args?: string[];
  /** Matches when argv joined by single spaces matches. */
  match?: RegExp;
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Shell code run with the call's argv as "$@" (after stdout/stderr are written). */
  script?: string;
  /** Answer only this many calls, then let later rules match (default: unlimited). */
  times?: number;
}

export interface FakeCall {
  name: string;
  args: string[];
  cwd: string;
  /** The variables listed in `recordEnv` (undefined when unset). */
  env: Record<string, string | undefined>;
  /** stdin, when the fake was added with recordStdin. */
  stdin?: string;
}

export interface FakeOptions {
  /** Environment variables to record with each call. */
  recordEnv?: string[];
  /** Read and record stdin (only for callers that close stdin, or the fake would wait). */
  recordStdin?: boolean;
  /** The answer when no rule matches. */
  fallback?: Omit<FakeRule, 'args' | 'match' | 'times'>;
}

export interface FakeBin {
  /** The folder holding the fakes. */
  dir: string;
  /** PATH with the fakes first, then the current PATH. */
  path: string;
  /** process.env with PATH = path, plus extra variables. */
  env(extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Adds or replaces a fake executable named `name`. */
  add(name: string, rules?: FakeRule[], options?: FakeOptions): void;
  /** Removes a fake (so the real tool, or none, is found). */
  remove(name: string): void;
  /** Every call of `name` so far, in order. */
  calls(name: string): FakeCall[];
  /** Every call of every fake, in order. */
  allCalls(): FakeCall[];
  cleanup(): void;
}

// The fake itself: reads its rules, logs the call, answers. Plain JS for node, no dependencies.
const FAKE_SOURCE = `
const fs = require('node:fs');
const { spawnSync } = require('node:child_process');
const specPath = process.argv[2];
const spec = JSON.parse(fs.readFileSync(specPath, 'utf8'));
const args = process.argv.slice(3);
const call = { name: spec.name, args, cwd: process.cwd(), env: {} };
for (const key of spec.recordEnv || []) call.env[key] = process.env[key];
if (spec.recordStdin) { try { call.stdin = fs.readFileSync(0, 'utf8'); } catch { call.stdin = ''; } }
fs.appendFileSync(spec.log, JSON.stringify(call) + '\\n');
const joined = args.join(' ');
const counts = fs.existsSync(specPath + '.counts') ? JSON.parse(fs.readFileSync(specPath + '.counts', 'utf8')) : {};
let answer = spec.fallback || {};
for (let i = 0; i < spec.rules.length; i++) {
  const rule = spec.rules[i];
  const byArgs = !rule.args || rule.args.every((word, index) => args[index] === word);
  const byMatch = !rule.match || new RegExp(rule.match.source, rule.match.flags).test(joined);
  const used = counts[i] || 0;
  if (byArgs && byMatch && (rule.times === undefined || used < rule.times)) {
    counts[i] = used + 1;
    fs.writeFileSync(specPath + '.counts', JSON.stringify(counts));
    answer = rule;
    break;
  }
}
if (answer.stdout) fs.writeSync(1, answer.stdout);
if (answer.stderr) fs.writeSync(2, answer.stderr);
let code = answer.exitCode || 0;
if (answer.script) {
  const result = spawnSync('/bin/sh', ['-c', answer.script, spec.name, ...args], { stdio: 'inherit' });
  if (result.status !== 0 && !answer.exitCode) code = result.status === null ? 1 : result.status;
}
process.exit(code);
`;

export function createFakeBin(): FakeBin {
  const dir = mkdtempSync(join(tmpdir(), 'fake-bin-'));
  const log = join(dir, '.calls.jsonl');
  const script = join(dir, '.fake.cjs');
  writeFileSync(log, '');
  writeFileSync(script, FAKE_SOURCE);
  const path = `${dir}${delimiter}${process.env.PATH ?? ''}`;
  const readLog = (): FakeCall[] =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as FakeCall);
  return {
    dir,
    path,
    env: (extra = {}) => ({ ...process.env, PATH: path, ...extra }),
    add(name, rules = [], options = {}) {
      const file = join(dir, name);
      const spec = {
        name,
        log,
        rules: rules.map((rule) => ({
          ...rule,
          match: rule.match && { source: rule.match.source, flags: rule.match.flags },
        })),
        recordEnv: options.recordEnv ?? [],
        recordStdin: options.recordStdin ?? false,
        fallback: options.fallback,
      };
      writeFileSync(`${file}.json`, JSON.stringify(spec));
      rmSync(`${file}.json.counts`, { force: true });
      // A sh wrapper runs the shared CommonJS script whatever package.json is above the folder.
      writeFileSync(
        file,
        `#!/bin/sh\nexec '${process.execPath}' '${script}' '${file}.json' "$@"\n`,
      );
      chmodSync(file, 0o755);
    },
    remove(name) {
      for (const suffix of ['', '.json', '.json.counts'])
        rmSync(join(dir, name + suffix), { force: true });
    },
    calls: (name) => readLog().filter((call) => call.name === name),
    allCalls: readLog,
    cleanup() {
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh fake bin on PATH for each test of the suite, removed after it: `fakeBin()` is the
 * current test's.
 */
export function useFakeBinOnPath(): () => FakeBin {
  let bin: FakeBin | undefined;
  const savedPath = process.env.PATH;
  beforeEach(() => {
    bin = createFakeBin();
    process.env.PATH = bin.path;
  });
  afterEach(() => {
    process.env.PATH = savedPath;
    bin?.cleanup();
  });
  return () => bin!;
}
