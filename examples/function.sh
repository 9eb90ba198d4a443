# The AWS custom-runtime tutorial's echo handler, adapted to this runtime's contract: the event
# arrives on stdin, the response is what the function prints on stdout, logs go to stderr.
# Builtins only (read, printf), so an invocation costs no process beyond the runtime's one curl.
# Run it: lambda-shell-runtime invoke --task-root examples --handler function.handler --event '{"a":1}'

handler() {
  event=''
  while IFS= read -r line; do
    event="$event$line
"
  done
  event="$event$line" # the last line, when it has no newline
  printf '%s\n' "$event" >&2
  printf "Echoing request: '%s'" "$event"
}
