/**
 * The floor: the least a curl-based runtime can do per invocation, one `curl --next` that POSTs
 * the previous answer (here the event itself) and GETs the next event, and the request id read
 * with builtins. Anything the real runtime spends beyond this is its own overhead.
 */
export const FLOOR_BOOTSTRAP = `#!/bin/sh
api=http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime
dir=$(mktemp -d)
curl -sS -o "$dir/event" -D "$dir/headers" "$api/invocation/next"
while :; do
  while IFS=': ' read -r name value; do
    case $name in [Ll]ambda-[Rr]untime-[Aa]ws-[Rr]equest-[Ii]d) id=\${value%?} ;; esac
  done <"$dir/headers"
  curl -sS -H 'Expect:' --data-binary "@$dir/event" -o /dev/null "$api/invocation/$id/response" \\
    --next -o "$dir/event" -D "$dir/headers" "$api/invocation/next"
done
`;
