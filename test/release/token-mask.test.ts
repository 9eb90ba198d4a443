import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { releaseCommand } from '../../src/commands/release.js';
import { getInputs } from '../../src/context.js';
import { connect } from '../../src/github/client.js';
import { captureOutput, makeDist, type Captured, type Dist } from './fixtures.js';

// The GitHub token is masked (core.setSecret: the runner's ::add-mask:: command) wherever it
// enters: the action's github-token input, the CLI's token variable, and the release client.

const TOKEN = 'ghs_unitlevelmask0123456789';
const MASK = `::add-mask::${TOKEN}`;
let output: Captured;

beforeEach(() => {
  process.env.GITHUB_ACTIONS = 'true';
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  delete process.env.GITHUB_ACTIONS;
  delete process.env.GITHUB_TOKEN;
});

/** Lines carrying the token: on a runner, only the mask command may. */
const tokenLines = (): string[] => output.lines().filter((line) => line.includes(TOKEN));

describe('the token is masked', () => {
  test('by the release client, as it connects', () => {
    connect(TOKEN, { owner: 'o', repo: 'r' }, 'http://127.0.0.1:9');
    expect(tokenLines()).toEqual([MASK]);
  });

  test('by the action, the moment github-token is read: before a later bad input fails', () => {
    const values: Record<string, string> = { 'github-token': TOKEN, 'dry-run': 'perhaps' };
    expect(() => getInputs((name) => values[name] ?? '', {})).toThrow(/"dry-run"/);
    expect(tokenLines()).toEqual([MASK]);
  });

  test('by the CLI, when it reads the token variable, first of all', async () => {
    const dist: Dist = await makeDist('1.4.0');
    try {
      process.env.GITHUB_TOKEN = TOKEN;
      await releaseCommand.run(
        { dist: dist.dir, version: '1.4.0', repository: 'o/r', 'dry-run': true },
        [],
      );
      expect(tokenLines()).toEqual([MASK]);
      expect(output.lines()[0]).toBe(MASK);
    } finally {
      await dist.remove();
    }
  });

  test('not off a runner, where nothing records logs (and the command would be printed)', () => {
    delete process.env.GITHUB_ACTIONS;
    connect(TOKEN, { owner: 'o', repo: 'r' }, 'http://127.0.0.1:9');
    expect(tokenLines()).toEqual([]);
  });
});
