import { testLayers } from '../layer-test/index.js';
import { parseVersion } from '../parsers.js';
import { stringOption, type Command } from './command.js';
import { DIST_DIR, VERSION, defineOptions, describedAs, distDirOf } from './options.js';

export const testCommand: Command = {
  name: 'test',
  summary: 'shellcheck the runtime, then smoke-test every layer zip of a dist folder',
  ...defineOptions([
    DIST_DIR,
    describedAs(VERSION, 'the zips to test (default: the version in the manifest.json)'),
  ]),
  async run(values) {
    const version = stringOption(values, 'version');
    const report = await testLayers({
      distDir: distDirOf(values),
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
