import { buildLayers } from '../../src/build/index.js';
import { hostArchitecture } from '../../src/platform.js';
import { testLayers } from '../../src/layer-test/index.js';
import { SMOKE_EVENT, expectedEchoResponse } from '../../src/layer-test/smoke-task.js';
import { removeTempDirs, tempDir } from '../build/tree-fixture.js';

// The local builder end to end, as `npm start` and a fresh clone use it: the real
// runtime/bootstrap, the host's jq, the project's emulator, the real examples.
afterAll(removeTempDirs);

describe('testLayers on a local-builder dist folder', () => {
  const host = hostArchitecture();
  if (!host) throw new Error(`these tests need an amd64 or arm64 machine, not ${process.arch}`);

  it('shellchecks, then runs the zip: jq, an echo byte for byte, an error', async () => {
    const distDir = tempDir('dist-');
    await buildLayers({
      builder: 'local',
      architectures: [host],
      version: '0.2.0',
      outDir: distDir,
    });
    const report = await testLayers({ distDir });
    expect(report.shellcheck.files).toContain('runtime/bootstrap');
    expect(report.shellcheck.findings).toEqual([]);
    expect(report.smoke).toHaveLength(1);
    const [smoke] = report.smoke;
    expect(smoke.arch).toBe(host);
    expect(smoke.zip).toBe(`lambda-shell-runtime-${host}-0.2.0.zip`);
    expect(smoke.jqVersion).toMatch(/^jq-\d/);
    expect(smoke.awsVersion).toBeUndefined();
    expect(smoke.echoResponse).toBe(expectedEchoResponse(SMOKE_EVENT));
    expect(smoke.errorType).toMatch(/^(Runtime|Function)\.[A-Z][a-zA-Z]+$/);
    expect(report.exampleResponse).toBe(smoke.echoResponse);
  });

  it('fails clearly on a dist folder without a build', async () => {
    await expect(testLayers({ distDir: tempDir('empty-dist-') })).rejects.toThrow(
      /manifest\.json is missing or unreadable: build the layers first/,
    );
  });
});
