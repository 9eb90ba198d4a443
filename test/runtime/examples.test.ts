import { paths } from '../../src/paths.js';
import { LambdaSandbox } from '../../src/emulator/sandbox.js';
import { RuntimeFixture, runtimeShells, text } from './support.js';

/** The examples as examples/README.md shows them, run from examples/ itself. */
describe.each(runtimeShells)('the examples under %s', (shell) => {
  let fixture: RuntimeFixture;
  const sandboxes: LambdaSandbox[] = [];
  const start = async (handler: string) => {
    const sandbox = await LambdaSandbox.start({
      taskRoot: paths.examples,
      handler,
      shell: fixture.command,
      env: { TMPDIR: fixture.tmp },
    });
    sandboxes.push(sandbox);
    return sandbox;
  };
  beforeEach(() => {
    fixture = new RuntimeFixture(shell);
  });
  afterEach(async () => {
    // A runtime that crashed and was started again by the sandbox must not pass.
    for (const sandbox of sandboxes) expect(sandbox.starts).toBe(1);
    await Promise.all(sandboxes.splice(0).map((sandbox) => sandbox.stop()));
    await fixture.cleanup();
  });

  it('function.handler echoes the event and logs it', async () => {
    const sandbox = await start('function.handler');
    const result = await sandbox.invoke({ payload: '{"a":1}' });
    expect(text(result.payload)).toBe(`Echoing request: '{"a":1}'`);
    expect(text(sandbox.stderr)).toContain('{"a":1}');
  });

  it('jq.greet greets, and fails with its own error type', async () => {
    const sandbox = await start('jq.greet');
    const hello = await sandbox.invoke({ payload: '{"name":"Ada"}' });
    expect(JSON.parse(text(hello.payload))).toEqual({ greeting: 'Hello, Ada!', requestId: hello.requestId });
    const bad = await sandbox.invoke({ payload: '{"name":42}' });
    expect(bad.errorType).toBe('Function.InvalidName');
    expect(JSON.parse(text(bad.payload))).toEqual({
      errorMessage: 'name must be a string, got: {"name":42}',
      errorType: 'Function.InvalidName',
      stackTrace: [],
    });
  });

  it('api.handler answers in the API Gateway proxy shape', async () => {
    const sandbox = await start('api.handler');
    const result = await sandbox.invoke({
      payload: '{"rawPath":"/hello","requestContext":{"http":{"method":"GET"}}}',
    });
    const response = JSON.parse(text(result.payload));
    expect(response).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ method: 'GET', path: '/hello', query: {} }),
    });
  });
});
