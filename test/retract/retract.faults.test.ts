import {
  GetLayerVersionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
} from '@aws-sdk/client-lambda';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LAYERS_JSON } from '../../src/dist.js';
import { publishLayers } from '../../src/publish/index.js';
import { retractRelease } from '../../src/retract/index.js';
import { writeParameters } from '../../src/ssm/index.js';
import type { Fault, FaultRule } from '../helpers/fault-proxy.js';
import { FAST_AWS } from '../helpers/moto.js';
import {
  captureStderr,
  makeDist,
  publishOptions,
  useMotoBehindProxy,
  type DistFixture,
} from '../publish/fixtures.js';

// Retract's writes when the wire fails: each is applied and its answer lost (a 500, a dropped
// connection). Every write of retract is idempotent, so the SDK's own retry converges: the run
// succeeds and leaves what a clean run leaves.
const REGIONS = ['us-east-1', 'eu-west-1'];
const suite = useMotoBehindProxy();
const dists: DistFixture[] = [];
afterAll(async () => {
  for (const dist of dists) await dist.remove();
});
beforeEach(() => suite.server.proxy.reset());

const moto = () => suite.server.moto.endpoint;
let family = 0;

async function publishTwo(name: string): Promise<{ good: DistFixture; bad: DistFixture }> {
  const made: DistFixture[] = [];
  for (const version of ['1.0.0', '1.1.0']) {
    const dist = await makeDist(version);
    dists.push(dist);
    made.push(dist);
    const { result } = await captureStderr(() =>
      publishLayers(
        publishOptions(dist, { version, regions: REGIONS, layerNamePattern: `${name}-{arch}` }),
      ),
    );
    await captureStderr(() =>
      writeParameters({
        layers: result.arns,
        version,
        prefix: `/${name}`,
        regions: [],
        dryRun: false,
        tuning: FAST_AWS,
      }),
    );
  }
  return { good: made[0], bad: made[1] };
}

const WRITES: [string, Omit<FaultRule, 'fault'>][] = [
  [
    'RemoveLayerVersionPermission',
    { method: 'DELETE', path: /\/versions\/\d+\/policy\/[^/]+$/, region: 'eu-west-1' },
  ],
  ['DeleteLayerVersion', { method: 'DELETE', path: /\/versions\/\d+$/, region: 'eu-west-1' }],
  ['PutParameter', { method: 'POST', target: 'AmazonSSM.PutParameter', region: 'eu-west-1' }],
];
const FAULTS: Fault[] = ['applied-500', 'applied-drop'];

describe('retract when a write is applied but its answer is lost', () => {
  describe.each(WRITES)('%s', (_name, rule) => {
    it.each(FAULTS)('after %s: the run succeeds with the state of a clean run', async (fault) => {
      const name = `rtf-${family++}`;
      const { good, bad } = await publishTwo(name);
      suite.server.proxy.inject({ ...rule, fault });
      await captureStderr(() =>
        retractRelease({
          version: '1.1.0',
          distDir: bad.dir,
          regions: [],
          reason: 'bad',
          delete: true,
          force: false,
          dryRun: false,
          ssmPrefix: `/${name}`,
          tuning: FAST_AWS,
        }),
      );
      expect(suite.server.proxy.applied).toEqual([fault]);
      const layersOf = async (dist: DistFixture) =>
        (
          JSON.parse(await readFile(join(dist.dir, LAYERS_JSON), 'utf8')) as {
            layers: Record<string, Record<string, string>>;
          }
        ).layers;
      const [goodLayers, badLayers] = [await layersOf(good), await layersOf(bad)];
      for (const region of REGIONS) {
        const lambda = new LambdaClient({ region, endpoint: moto() });
        for (const arch of ['arm64', 'amd64']) {
          const [, , , , , , layerName, version] = badLayers[region][arch].split(':');
          await expect(
            lambda.send(
              new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: Number(version) }),
            ),
          ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
          const goodVersion = Number(goodLayers[region][arch].split(':')[7]);
          const { Policy } = await lambda.send(
            new GetLayerVersionPolicyCommand({ LayerName: layerName, VersionNumber: goodVersion }),
          );
          expect(JSON.parse(Policy!).Statement).toHaveLength(1);
          const { Parameter } = await new SSMClient({ region, endpoint: moto() }).send(
            new GetParameterCommand({ Name: `/${name}/${arch}/latest` }),
          );
          expect(Parameter?.Value).toBe(goodLayers[region][arch]);
        }
      }
    });
  });
});
