import { parseSsmPrefix } from '../../src/aws/parsers.js';
import { retractedVersions } from '../../src/aws/ssm-names.js';
import { latestAfterRetract } from '../../src/retract/latest.js';
import { decideLatest } from '../../src/ssm/decide.js';

const P = '/p';
const parameters = (entries: Record<string, string>): Map<string, string> =>
  new Map(Object.entries(entries).map(([name, value]) => [`${P}/arm64/${name}`, value]));

describe('whether latest moves', () => {
  it('moves when there is nothing yet, or for the same or a higher release', () => {
    expect(decideLatest(new Map(), P, 'arm64', '1.0.0')).toEqual({
      move: true,
      current: undefined,
      reason: '',
    });
    const existing = parameters({ latest: 'A', '1.0.0': 'A', '0.9.0': 'Z' });
    expect(decideLatest(existing, P, 'arm64', '1.0.0').move).toBe(true);
    expect(decideLatest(existing, P, 'arm64', '1.0.1')).toMatchObject({
      move: true,
      current: '1.0.0',
    });
  });

  it('reads the release latest holds from the version parameter with the same ARN', () => {
    // 2.0.0 exists but latest was left on 1.5.0 (2.0.0 was a prerelease-like manual write): 1.6.0 moves it.
    const existing = parameters({ latest: 'B', '1.5.0': 'B', '2.0.0': 'C' });
    expect(decideLatest(existing, P, 'arm64', '1.6.0')).toMatchObject({
      move: true,
      current: '1.5.0',
    });
    expect(decideLatest(existing, P, 'arm64', '1.4.9')).toMatchObject({
      move: false,
      current: '1.5.0',
    });
  });

  it('falls back to the highest release there is when latest matches none, or is gone', () => {
    expect(decideLatest(parameters({ latest: 'X', '1.5.0': 'B' }), P, 'arm64', '1.4.0').move).toBe(
      false,
    );
    expect(decideLatest(parameters({ '1.5.0': 'B' }), P, 'arm64', '1.4.0')).toMatchObject({
      move: false,
      current: '1.5.0',
    });
  });

  it('ignores prereleases and other names when finding the current release', () => {
    const existing = parameters({ latest: 'A', '1.0.0': 'A', '2.0.0-rc.1': 'R', notes: 'x' });
    expect(decideLatest(existing, P, 'arm64', '1.1.0')).toMatchObject({
      move: true,
      current: '1.0.0',
    });
  });
});

describe('latest and retracted releases', () => {
  it('never moves to a retracted release, and a retracted release never holds latest back', () => {
    const existing = parameters({ latest: 'A', '1.0.0': 'A', '2.0.0': 'B' });
    expect(decideLatest(existing, P, 'arm64', '2.0.0', new Set(['2.0.0']))).toEqual({
      move: false,
      reason: '2.0.0 is retracted: latest is for releases in use',
    });
    // latest names none of them: without the retracted 2.0.0, the backport 1.0.1 is the newest.
    const orphan = parameters({ latest: 'X', '1.0.0': 'A', '2.0.0': 'B' });
    expect(decideLatest(orphan, P, 'arm64', '1.0.1').move).toBe(false);
    expect(decideLatest(orphan, P, 'arm64', '1.0.1', new Set(['2.0.0']))).toMatchObject({
      move: true,
      current: '1.0.0',
    });
  });

  it('retract moves latest back to the newest release not retracted, and only off a retracted one', () => {
    const existing = parameters({
      latest: 'C',
      '1.0.0': 'A',
      '1.1.0': 'B',
      '1.2.0': 'C',
      '1.3.0-rc.1': 'R',
    });
    expect(latestAfterRetract(existing, 'C', P, 'arm64', new Set(['1.2.0']))).toEqual({
      kind: 'move',
      to: '1.1.0',
      value: 'B',
    });
    expect(latestAfterRetract(existing, 'C', P, 'arm64', new Set(['1.2.0', '1.1.0']))).toEqual({
      kind: 'move',
      to: '1.0.0',
      value: 'A',
    });
    expect(latestAfterRetract(existing, 'C', P, 'arm64', new Set(['1.1.0'])).kind).toBe('stay');
    expect(
      latestAfterRetract(existing, 'C', P, 'arm64', new Set(['1.0.0', '1.1.0', '1.2.0'])).kind,
    ).toBe('orphan');
    // 1.2.1 reused 1.2.0's version (the same ARN): it is no way back.
    const reused = parameters({ latest: 'C', '1.1.0': 'B', '1.2.0': 'C', '1.2.1': 'C' });
    expect(latestAfterRetract(reused, 'C', P, 'arm64', new Set(['1.2.0']))).toMatchObject({
      to: '1.1.0',
    });
  });

  it('reads the versions the markers name, build metadata included', () => {
    const markers = new Map([
      ['/p/arm64/retracted/1.2.0', 'bad'],
      ['/p/arm64/retracted/1.3.0_build.5', 'worse'],
      ['/p/arm64/retracted/notes', 'x'],
    ]);
    expect([...retractedVersions(markers)]).toEqual(['1.2.0', '1.3.0+build.5']);
  });
});

describe('the ssm prefix', () => {
  it.each(['/lambda-shell-runtime', '/org/team.layers/lsr_1'])('accepts %s', (prefix) => {
    expect(parseSsmPrefix(prefix)).toBe(prefix);
  });
  it('is off when empty', () => {
    expect(parseSsmPrefix('  ')).toBe('');
  });
  it.each(['lsr', '/lsr/', '/a b', '/AWS/x', '/ssm', '//x', `/${'a/'.repeat(14)}b`])(
    'refuses %j',
    (prefix) => {
      expect(() => parseSsmPrefix(prefix)).toThrow(/Invalid input "ssm-prefix"/);
    },
  );
});
