import { paths } from '../../src/paths.js';
import { describeEachShell, text } from './support.js';

/** The examples as examples/README.md shows them, run from examples/ itself. */
describeEachShell('the examples', 'under %s', (_shell, { fixture, runtimeTest }) => {
  const start = (handler: string) => fixture().start(handler, { taskRoot: paths.examples });

  runtimeTest('function.handler echoes the event and logs it', async () => {
    const sandbox = await start('function.handler');
    const result = await sandbox.invoke({ payload: '{"a":1}' });
    expect(text(result.payload)).toBe(`Echoing request: '{"a":1}'`);
    expect(text(sandbox.stderr)).toContain('{"a":1}');
  });

  runtimeTest('jq.greet greets, and fails with its own error type', async () => {
    const sandbox = await start('jq.greet');
    const hello = await sandbox.invoke({ payload: '{"name":"Ada"}' });
    expect(JSON.parse(text(hello.payload))).toEqual({
      greeting: 'Hello, Ada!',
      requestId: hello.requestId,
    });
    const bad = await sandbox.invoke({ payload: '{"name":42}' });
    expect(bad.errorType).toBe('Function.InvalidName');
    expect(JSON.parse(text(bad.payload))).toEqual({
      errorMessage: 'name must be a string, got: {"name":42}',
      errorType: 'Function.InvalidName',
      stackTrace: [],
    });
  });

  runtimeTest('api.handler answers in the API Gateway proxy shape', async () => {
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
