"""moto's server with Lambda's Invoke replaced, for the canary's tests.

moto 5's Invoke runs the function in Docker, and its no-Docker mode keeps functions and layers in
a backend of their own (CreateFunction with a Layers list that moto published then fails). This
keeps moto's one Lambda backend and replaces only Invoke:

- with LSR_INVOKE_URL set, it posts the function's configuration, its code zip, its layers' zips
  (in order) and the event to that URL, and answers with what comes back: the test's own helper
  unzips them and runs the layer's bootstrap under the project's Runtime API emulator;
- without it, it echoes the event.

Either way an unknown function answers 404 ResourceNotFoundException, as Lambda does, and a
function error comes back as X-Amz-Function-Error: Unhandled with status 200.

Usage: python3 moto_lambda.py -H 127.0.0.1 -p PORT (moto.server's own flags).
"""

import base64
import json
import os
import sys
import urllib.request

from moto.awslambda.models import LambdaBackend
from moto_server import main

INVOKE_URL = os.environ.get("LSR_INVOKE_URL", "")


def _b64(data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    return base64.b64encode(data or b"").decode("ascii")


def invoke(self, function_name, qualifier, body, headers, response_headers):
    fn = self.get_function(function_name, qualifier)  # raises 404 for an unknown function
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not INVOKE_URL:
        payload = body or b"{}"
    else:
        layers = [self.layers_versions_by_arn(layer["Arn"]) for layer in fn.layers]
        request = {
            "functionName": fn.function_name,
            "functionArn": fn.function_arn,
            "region": self.region_name,
            "handler": fn.handler,
            "runtime": fn.run_time,
            "architectures": fn.architectures,
            "memorySize": int(fn.memory_size),
            "timeout": int(fn.timeout),
            "environment": fn.environment_vars or {},
            "code": _b64(fn.code_bytes),
            "layers": [_b64(layer.code_bytes) for layer in layers],
            "payload": _b64(body or b"{}"),
        }
        http_request = urllib.request.Request(
            INVOKE_URL,
            data=json.dumps(request).encode("utf-8"),
            headers={"content-type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(http_request, timeout=120) as response:
            answer = json.loads(response.read())
        payload = base64.b64decode(answer["payload"])
        if answer.get("functionError"):
            response_headers["x-amz-function-error"] = answer["functionError"]
        if answer.get("log"):
            response_headers["x-amz-log-result"] = _b64(answer["log"][-4096:])
    response_headers["Content-Length"] = str(len(payload))
    return payload


LambdaBackend.invoke = invoke

if __name__ == "__main__":
    main(sys.argv[1:])
