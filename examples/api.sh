# An API Gateway / function URL handler: it answers with the proxy-integration response shape
# (statusCode, headers, body), the body itself a JSON string, built with jq.
# Run it: lambda-shell-runtime invoke --task-root examples --handler api.handler \
#   --event '{"rawPath":"/hello","requestContext":{"http":{"method":"GET"}}}'

handler() {
  jq -c '{
    statusCode: 200,
    headers: {"Content-Type": "application/json"},
    body: ({
      method: (.requestContext.http.method // .httpMethod // "GET"),
      path: (.rawPath // .path // "/"),
      query: (.queryStringParameters // {})
    } | tojson)
  }'
}
