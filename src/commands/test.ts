import { testLayers } from '../layer-test/index.js';
import { parseVersion } from '../parsers.js';
import { stringOption, type Command } from './command.js';

export const testCommand: Command = {
  name: 'test',
  summary: 'shellcheck the runtime, then smoke-test every layer zip of a dist folder',
  usage: [
    '  --dist DIR                 the dist folder written by build (default: out)',
    '  --version X.Y.Z            the zips to test (default: the version in DIR/manifest.json)',
  ].join('\n'),
  options: {
    dist: { type: 'string' },
    version: { type: 'string' },
  },
  async run(values) {
    const version = stringOption(values, 'version');
    const report = await testLayers({
      distDir: stringOption(values, 'dist', 'out'),
      version: version ? parseVersion(version, '', '--version') : undefined,
      toolCache: Boolean(process.env.RUNNER_TOOL_CACHE),
    });
    for (const result of report.smoke)
      process.stdout.write(
        `${result.zip}: ok (${[result.awsVersion, result.jqVersion].filter(Boolean).join(', ')})\n`,
      );
    return 0;
  },
};
