# A handler that uses jq (the layer ships it at /opt/bin/jq): it greets the event's "name" and
# fails, with its own error type, when the name is not a string.
# Run it: lambda-shell-runtime invoke --task-root examples --handler jq.greet --event '{"name":"Ada"}'

greet() {
  event=$(jq -c .) || {
    printf 'the event is not JSON'
    echo Function.InvalidEvent >"$LSR_ERROR_TYPE_FILE"
    return 1
  }
  if ! printf '%s' "$event" | jq -e '(.name // "world") | type == "string"' >/dev/null; then
    printf 'name must be a string, got: %s' "$event"
    echo Function.InvalidName >"$LSR_ERROR_TYPE_FILE"
    return 1
  fi
  printf '%s' "$event" | jq -c '{greeting: "Hello, \(.name // "world")!", requestId: env.LAMBDA_RUNTIME_AWS_REQUEST_ID}'
}
