import { run, runChecked } from '../../src/exec.js';

/**
 * Parses a CloudFormation YAML template with PyYAML (short tags such as !Ref become {"Ref": …}),
 * so tests check the rendered templates' structure, not just their text. PyYAML comes with
 * moto; when missing it is installed, never skipped.
 */
const SCRIPT = `
import json, sys, yaml
class Loader(yaml.SafeLoader):
    pass
def tag(loader, suffix, node):
    name = 'Ref' if suffix == 'Ref' else 'Fn::' + suffix
    if isinstance(node, yaml.ScalarNode):
        return {name: loader.construct_scalar(node)}
    return {name: loader.construct_sequence(node)}
Loader.add_multi_constructor('!', tag)
print(json.dumps(yaml.load(sys.stdin.read(), Loader=Loader)))
`;

export async function parseCfnYaml(template: string): Promise<Record<string, unknown>> {
  if ((await run('python3', ['-c', 'import yaml'])).exitCode !== 0)
    await runChecked('python3', ['-m', 'pip', 'install', '--quiet', 'pyyaml']);
  const { stdout } = await runChecked('python3', ['-c', SCRIPT], { input: template });
  return JSON.parse(stdout) as Record<string, unknown>;
}
