import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeEachShell, withScriptedRuntimeApi } from './support.js';

/** /next replies: each event's headers, in the cases a server may send them. */
const EVENTS: [string, string][][] = [
  [
    ['Lambda-Runtime-Aws-Request-Id', 'r1'],
    ['Lambda-Runtime-Future-Field', 'one'],
  ],
  [
    ['lambda-runtime-aws-request-id', 'r2'],
    ['lambda-runtime-future-field', 'two'],
    ['LAMBDA-RUNTIME-OTHER-THING', 'x'],
  ],
  [
    ['LAMBDA-RUNTIME-AWS-REQUEST-ID', 'r3'],
    ['Lambda-Runtime-Future-Field', 'three'],
  ],
];

// A file that sets bash's nocasematch (harmless elsewhere) must not change which variable a
// header lands in: the names Lambda sends and names the runtime has not met before, in any case.
const FILE = `shopt -s nocasematch 2>/dev/null || :
handler() { printf '%s|%s|%s' "$LAMBDA_RUNTIME_AWS_REQUEST_ID" "\${LAMBDA_RUNTIME_FUTURE_FIELD-unset}" "\${LAMBDA_RUNTIME_OTHER_THING-unset}"; }
`;

describeEachShell(
  'the bootstrap',
  'under %s: context on the hot path',
  (_shell, { runtimeTest, fixture }) => {
    runtimeTest.each([
      ["the shell's own transport", ''],
      ['LSR_HTTP=curl', 'curl'],
    ] as const)(
      'exports every Lambda-Runtime-* header by its name in upper case, each invocation afresh, on %s',
      async (_transport, http) => {
        const answers: { path: string; body: string }[] = [];
        let nexts = 0;
        const answer = (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
          if (request.method === 'POST') {
            answers.push({ path: request.url ?? '', body: body.toString() });
            response.writeHead(202).end('{"status":"OK"}');
          } else if (nexts < EVENTS.length) {
            response.writeHead(200, EVENTS[nexts++]).end('{}');
          } else {
            response.writeHead(403).end('{"errorType":"InvalidStateTransition"}'); // stops the runtime
          }
        };
        await withScriptedRuntimeApi(answer, async (runtimeApi) => {
          const sandbox = await fixture().start(
            'context.handler',
            { env: { AWS_LAMBDA_RUNTIME_API: runtimeApi, LSR_HTTP: http } },
            { 'context.sh': FILE },
          );
          expect((await sandbox.exited()).code).toBe(1);
          expect(answers).toEqual([
            { path: '/2018-06-01/runtime/invocation/r1/response', body: 'r1|one|unset' },
            { path: '/2018-06-01/runtime/invocation/r2/response', body: 'r2|two|x' },
            { path: '/2018-06-01/runtime/invocation/r3/response', body: 'r3|three|unset' },
          ]);
        });
      },
    );
  },
);
