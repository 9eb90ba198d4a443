import { jest } from '@jest/globals';
import { removeTempDirs, tempDir } from '../build/tree-fixture.js';

// The runner path: no shellcheck on PATH, so it comes from @actions/tool-cache (mocked: no
// network here). ESM mocks must be registered before the module under test is imported.
const find = jest.fn<(tool: string, version: string) => string>();
const downloadTool = jest.fn<(url: string) => Promise<string>>();
const extractTar = jest.fn<(file: string, dest?: string, flags?: string) => Promise<string>>();
const cacheDir = jest.fn<(dir: string, tool: string, version: string) => Promise<string>>();
jest.unstable_mockModule('@actions/tool-cache', () => ({
  find,
  downloadTool,
  extractTar,
  cacheDir,
}));
const { findShellcheck, SHELLCHECK_VERSION, shellcheckUrl } =
  await import('../../src/layer-test/shellcheck.js');

afterAll(removeTempDirs);

describe('shellcheck from the tool cache', () => {
  const saved = { PATH: process.env.PATH, cache: process.env.RUNNER_TOOL_CACHE };
  beforeEach(() => {
    process.env.PATH = tempDir('no-shellcheck-');
    process.env.RUNNER_TOOL_CACHE = '/opt/hostedtoolcache';
    jest.clearAllMocks();
  });
  afterEach(() => {
    process.env.PATH = saved.PATH;
    if (saved.cache === undefined) delete process.env.RUNNER_TOOL_CACHE;
    else process.env.RUNNER_TOOL_CACHE = saved.cache;
  });

  it('downloads, unpacks and caches the pinned release', async () => {
    find.mockReturnValue('');
    downloadTool.mockResolvedValue('/runner/temp/dl');
    extractTar.mockResolvedValue('/runner/temp/x');
    cacheDir.mockResolvedValue('/opt/hostedtoolcache/shellcheck/0.10.0/x64');
    expect(await findShellcheck(true)).toBe(
      '/opt/hostedtoolcache/shellcheck/0.10.0/x64/shellcheck',
    );
    expect(find).toHaveBeenCalledWith('shellcheck', SHELLCHECK_VERSION);
    expect(downloadTool).toHaveBeenCalledWith(shellcheckUrl(SHELLCHECK_VERSION, process.arch));
    expect(extractTar).toHaveBeenCalledWith('/runner/temp/dl', undefined, 'xJ');
    expect(cacheDir).toHaveBeenCalledWith(
      `/runner/temp/x/shellcheck-v${SHELLCHECK_VERSION}`,
      'shellcheck',
      SHELLCHECK_VERSION,
    );
  });

  it('reuses a cached release without downloading', async () => {
    find.mockReturnValue('/opt/hostedtoolcache/shellcheck/0.10.0/x64');
    expect(await findShellcheck(true)).toBe(
      '/opt/hostedtoolcache/shellcheck/0.10.0/x64/shellcheck',
    );
    expect(downloadTool).not.toHaveBeenCalled();
  });
});
