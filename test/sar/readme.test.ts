import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LambdaSandbox } from '../../src/emulator/sandbox.js';
import { paths } from '../../src/paths.js';

/** The handler the SAR README (template/README.md) shows its consumers. */
async function readmeHandler(): Promise<string> {
  const readme = await readFile(join(paths.templates, 'README.md'), 'utf8');
  const block = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)]
    .map((match) => match[1])
    .find((code) => code.includes('handler()'));
  if (!block) throw new Error('template/README.md has no sh block with a handler');
  return block;
}

describe('the SAR README', () => {
  let taskRoot: string;
  beforeAll(async () => {
    taskRoot = await mkdtemp(join(tmpdir(), 'sar-readme-'));
  });
  afterAll(() => rm(taskRoot, { recursive: true, force: true }));

  it('shows a handler that answers JSON for any event, a multi-line one too', async () => {
    await writeFile(join(taskRoot, 'function.sh'), await readmeHandler());
    const sandbox = await LambdaSandbox.start({
      bootstrap: paths.bootstrap,
      taskRoot,
      handler: 'function.handler',
      timeoutSeconds: 10,
    });
    try {
      const answers = [];
      for (const payload of ['{"name":"sar"}', '{\n  "name": "sar"\n}\n']) {
        const result = await sandbox.invoke({ payload });
        expect(result.status).toBe('success');
        answers.push(JSON.parse(result.payload.toString()) as unknown);
      }
      // The same event, pretty-printed, gets the same answer.
      expect(answers[1]).toEqual(answers[0]);
      expect(answers[0]).toMatchObject({ statusCode: 200 });
    } finally {
      await sandbox.stop();
    }
  });
});
