import { parseVersion } from '../src/parsers.js';
import { decideLatest } from '../src/ssm/decide.js';
import { isLowerVersion, isPrerelease, semanticVersion } from '../src/version.js';

describe('versions read one way everywhere', () => {
  it.each([
    ['1.2.3', '1.2.3', false],
    ['v1.2.3-rc.1', '1.2.3-rc.1', true],
    ['1.2.3+build-1', '1.2.3+build-1', false],
    ['1.2.3-rc.1+build.5', '1.2.3-rc.1+build.5', true],
  ])('%s is %s, prerelease: %s', (text, version, prerelease) => {
    expect(semanticVersion(text)).toBe(version);
    expect(parseVersion(text)).toBe(version);
    expect(isPrerelease(version)).toBe(prerelease);
  });

  it.each(['1.2', '01.2.3', '1.2.3-', '1.2.3+', 'latest'])('%s is not a version', (text) => {
    expect(semanticVersion(text)).toBeUndefined();
    expect(() => parseVersion(text)).toThrow(/Invalid input "version"/);
  });

  it('orders build metadata as the release it decorates, and a prerelease below it', () => {
    expect(isLowerVersion('1.2.3+build-1', '1.2.3')).toBe(false);
    expect(isLowerVersion('1.2.3-rc.1', '1.2.3')).toBe(true);
    expect(isLowerVersion('1.2.10', '1.10.0')).toBe(true);
  });

  it('1.2.3+build-1 may become SSM latest, as a release', () => {
    expect(decideLatest(new Map(), '/lsr', 'arm64', '1.2.3+build-1').move).toBe(true);
  });
});
