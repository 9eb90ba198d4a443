# shellcheck shell=bash
# shellcheck disable=SC2154 # the bootstrap's globals (_lsr_dir, _lsr_host, _lsr_dd…) and read targets
# lambda-shell-runtime: the Runtime API over bash's /dev/tcp, with no process per invocation.
# Sourced by the bootstrap only under bash (also bash started as sh), after the handler file.
#
# It provides the transport the worker loop calls, _lsr_tcp_fetch_next and
# _lsr_tcp_answer_and_fetch_next, leaving their outcome in the same globals as the curl
# functions they stand in for (_lsr_answer_*, _lsr_next_*, the event in $_lsr_event, the
# context exported). What bash cannot carry without a process goes to curl, per invocation and
# with builtins only to decide: a response over _lsr_tcp_limit bytes or with a NUL byte, an
# event that held a NUL (it is fetched again with curl). An event over the limit is copied by one
# dd. Streaming and /init/error always use curl.
#
# HTTP/1.1, one request per connection (Connection: close), so no state of one exchange can
# reach the next and a server that closes idle connections never meets a reused one. Replies:
# Content-Length, chunked (extensions and trailers skipped) or until EOF; header names in any
# case; HTTP/1.0 too. Each request is one printf (one write). The connection is fd 201, open only
# inside an exchange, never while the handler runs.

_lsr_tcp_limit=65536 # bytes of an event or response body that bash carries; beyond, a process

# Whether this shell can reach the API at AWS_LAMBDA_RUNTIME_API: sets _lsr_tcp_host/_port, or
# fails with the reason in _lsr_tcp_why. One connection is made to find out.
_lsr_tcp_init() {
  _lsr_tcp_host=${_lsr_host%:*} _lsr_tcp_port=${_lsr_host##*:}
  case $_lsr_host in
    *:*:* | :* | *: | *[!ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.:-]*)
      _lsr_tcp_why="AWS_LAMBDA_RUNTIME_API '$_lsr_host' is not host:port"
      command return 1
      ;;
  esac
  case $_lsr_tcp_port in
    *[!0123456789]* | 0*)
      _lsr_tcp_why="AWS_LAMBDA_RUNTIME_API '$_lsr_host' has no valid port"
      command return 1
      ;;
  esac
  case $_lsr_content_type in
    *[$'\r\n']*)
      _lsr_tcp_why="LSR_CONTENT_TYPE holds a line break"
      command return 1
      ;;
  esac
  if command [ -z "$_lsr_dd" ] || command [ -z "$_lsr_cat" ]; then
    _lsr_tcp_why="dd or cat is not on PATH (large events need them)"
    command return 1
  fi
  if ! { command exec 201<>"/dev/tcp/$_lsr_tcp_host/$_lsr_tcp_port"; } 2>/dev/null; then
    _lsr_tcp_why="this bash cannot connect through /dev/tcp/$_lsr_tcp_host/$_lsr_tcp_port"
    command return 1
  fi
  command exec 201<&-
  _lsr_tcp_curl_next='' # set when an event must be fetched again with curl
  # A closed connection then fails the write (EPIPE) instead of killing the runtime. A caught
  # signal is reset in every subshell, so handlers keep the disposition they inherited.
  command [ -n "$_lsr_pipe_trap" ] || command trap : PIPE
}

# Runs "$@" with POSIX mode off: in it bash reads a socket or file one byte per system call, in
# blocks otherwise. The bootstrap calls the transport through this.
_lsr_tcp_unposix() {
  if command shopt -qo posix; then
    command set +o posix
    "$@"
    command set -o posix
  else
    "$@"
  fi
}

# GET /next.
_lsr_tcp_fetch_next() {
  if command [ -n "$_lsr_tcp_curl_next" ]; then
    _lsr_tcp_curl_next=''
    _lsr_curl_fetch_next
    command return
  fi
  _lsr_forget_context
  _lsr_answer_status='' _lsr_answer_reply=''
  _lsr_tcp_get_next
}

# POST /invocation/<id>/$1 with the body in file $2 ('-': _lsr_body), error type $3; then GET
# /next unless the POST failed, as curl --fail-early does.
_lsr_tcp_answer_and_fetch_next() {
  local LC_ALL=C _lsr_tcp_data
  if command [ "$2" = - ]; then
    _lsr_tcp_data=$_lsr_body
  # Status 1 is the end of the file before a NUL or the limit: only then can bash send it.
  elif IFS= command read -r -d '' -n "$((_lsr_tcp_limit + 1))" _lsr_tcp_data <"$2"; then
    _lsr_curl_answer_and_fetch_next "$@"
    command return
  fi
  _lsr_tcp_head="POST /2018-06-01/runtime/invocation/$_lsr_request_path/$1 HTTP/1.1"
  case $1 in
    error) _lsr_tcp_head=$_lsr_tcp_head$'\r\nContent-Type: application/json' ;;
    *) _lsr_tcp_head=$_lsr_tcp_head$'\r\nContent-Type: '$_lsr_content_type ;;
  esac
  command [ -z "${3-}" ] || _lsr_tcp_head=$_lsr_tcp_head$'\r\nLambda-Runtime-Function-Error-Type: '$3
  command [ -z "${LAMBDA_RUNTIME_INVOCATION_ID-}" ] ||
    _lsr_tcp_head=$_lsr_tcp_head$'\r\nLambda-Runtime-Invocation-Id: '$LAMBDA_RUNTIME_INVOCATION_ID
  _lsr_forget_context
  _lsr_next_status='' _lsr_next_exit='' _lsr_next_note=''
  _lsr_tcp_exchange "$_lsr_tcp_head"$'\r\nContent-Length: '${#_lsr_tcp_data} "$_lsr_tcp_data" reply
  _lsr_answer_status=$_lsr_tcp_status _lsr_answer_reply=$_lsr_tcp_reply
  case $_lsr_answer_status in
    [45]??) ;;
    [123]??) _lsr_tcp_get_next ;;
    *) _lsr_answer_status=000 ;; # no reply: the runtime stops, as after curl's failed POST
  esac
}

# GET /next into the event file, its headers exported. A status of 000 is no whole event.
_lsr_tcp_get_next() {
  local LC_ALL=C
  _lsr_tcp_exchange 'GET /2018-06-01/runtime/invocation/next HTTP/1.1' '' event
  _lsr_next_status=$_lsr_tcp_status _lsr_next_exit=0 _lsr_next_note=''
  case $_lsr_tcp_status in
    000)
      _lsr_next_note="; $_lsr_tcp_why"
      # An event cut short (or with NULs, which bash drops) may come whole to curl.
      _lsr_tcp_curl_next=yes
      ;;
    tmp) _lsr_next_status=200 _lsr_next_exit=23 ;;
  esac
  if command [ -n "${LAMBDA_RUNTIME_TRACE_ID+set}" ]; then
    _X_AMZN_TRACE_ID=$LAMBDA_RUNTIME_TRACE_ID
    command export _X_AMZN_TRACE_ID
  fi
}

# One request ($1: its request line and headers, $2: its body) and its reply, on a connection of
# its own. $3 says where the reply body goes: reply (_lsr_tcp_reply) or event (the event file,
# Lambda-Runtime-* headers exported). Sets _lsr_tcp_status: the HTTP status, 000 when no whole
# reply came (why in _lsr_tcp_why), tmp when the event did not fit in TMPDIR. Runs with LC_ALL=C
# (its caller's local), so lengths and reads count bytes.
_lsr_tcp_exchange() {
  _lsr_tcp_status=000 _lsr_tcp_reply='' _lsr_tcp_why='' _lsr_tcp_event=''
  _lsr_tcp_talk "$@"
  command exec 201<&-
}

_lsr_tcp_talk() {
  if ! { command exec 201<>"/dev/tcp/$_lsr_tcp_host/$_lsr_tcp_port"; } 2>/dev/null; then
    _lsr_tcp_why="cannot connect to $_lsr_host"
    command return
  fi
  if ! command printf '%s' "$1"$'\r\nHost: '"$_lsr_host"$'\r\nConnection: close\r\n\r\n'"$2" >&201 2>/dev/null; then
    _lsr_tcp_why="the connection to $_lsr_host closed while sending"
    command return
  fi
  _lsr_tcp_read_head "$3" || command return
  _lsr_tcp_read_body "$3" || command return
  if command [ "$3" = event ]; then
    command [ "$_lsr_tcp_code" = tmp ] || { command printf '%s' "$_lsr_tcp_event" >>"$_lsr_event"; } 2>/dev/null || _lsr_tcp_code=tmp
  else
    _lsr_tcp_reply=${_lsr_tcp_event%$'\n'}
  fi
  _lsr_tcp_status=$_lsr_tcp_code
}

# The status line and headers: _lsr_tcp_code, _lsr_tcp_length ('' when none), _lsr_tcp_chunked.
_lsr_tcp_read_head() {
  _lsr_tcp_why="no HTTP reply from $_lsr_host"
  IFS= command read -r _lsr_tcp_line <&201 || command return 1
  case $_lsr_tcp_line in
    HTTP/1.[01]\ [0123456789][0123456789][0123456789]*) ;;
    *) command return 1 ;;
  esac
  _lsr_tcp_code=${_lsr_tcp_line#HTTP/1.? } _lsr_tcp_length='' _lsr_tcp_chunked=''
  _lsr_tcp_code=${_lsr_tcp_code%"${_lsr_tcp_code#???}"}
  _lsr_tcp_why="the reply from $_lsr_host ended in its headers"
  while IFS= command read -r _lsr_tcp_line <&201; do
    _lsr_tcp_line=${_lsr_tcp_line%$'\r'}
    case $_lsr_tcp_line in
      '') command return 0 ;;
      [Cc][Oo][Nn][Tt][Ee][Nn][Tt]-[Ll][Ee][Nn][Gg][Tt][Hh]:*)
        _lsr_tcp_length=${_lsr_tcp_line#*:}
        _lsr_tcp_length=${_lsr_tcp_length//[ $'\t']/}
        case $_lsr_tcp_length in
          '' | *[!0123456789]*)
            _lsr_tcp_why="the reply from $_lsr_host has Content-Length '$_lsr_tcp_length'"
            command return 1
            ;;
        esac
        ;;
      [Tt][Rr][Aa][Nn][Ss][Ff][Ee][Rr]-[Ee][Nn][Cc][Oo][Dd][Ii][Nn][Gg]:*[Cc][Hh][Uu][Nn][Kk][Ee][Dd]*) _lsr_tcp_chunked=yes ;;
      [Ll][Aa][Mm][Bb][Dd][Aa]-[Rr][Uu][Nn][Tt][Ii][Mm][Ee]-?*:*)
        command [ "$1" != event ] || _lsr_export_header "${_lsr_tcp_line%%:*}" "${_lsr_tcp_line#*:}"
        ;;
    esac
  done
  command return 1
}

# The body, as framed, into _lsr_tcp_event; pieces over the limit of an event go through dd.
_lsr_tcp_read_body() {
  command [ "$1" != event ] || : >"$_lsr_event" 2>/dev/null
  if command [ -n "$_lsr_tcp_chunked" ]; then
    while :; do
      _lsr_tcp_why="the chunked reply from $_lsr_host broke off"
      IFS= command read -r _lsr_tcp_line <&201 || command return 1
      _lsr_tcp_line=${_lsr_tcp_line%%;*}
      _lsr_tcp_line=${_lsr_tcp_line//[ $'\t\r']/}
      case $_lsr_tcp_line in
        '' | *[!0123456789abcdefABCDEF]* | ?????????*) command return 1 ;;
      esac
      _lsr_tcp_size=$((16#$_lsr_tcp_line))
      if command [ "$_lsr_tcp_size" -eq 0 ]; then
        # Trailers, up to the empty line.
        while IFS= command read -r _lsr_tcp_line <&201; do
          command [ -n "${_lsr_tcp_line%$'\r'}" ] || command return 0
        done
        command return 1
      fi
      _lsr_tcp_read_piece "$1" "$_lsr_tcp_size" || command return 1
      IFS= command read -r _lsr_tcp_line <&201 && command [ "$_lsr_tcp_line" = $'\r' ] || command return 1
    done
  elif command [ -n "$_lsr_tcp_length" ]; then
    _lsr_tcp_why="the reply from $_lsr_host ended before its Content-Length"
    command [ "$_lsr_tcp_length" -eq 0 ] || _lsr_tcp_read_piece "$1" "$_lsr_tcp_length"
  else
    case $_lsr_tcp_code in 1?? | 204 | 304) command return 0 ;; esac
    # Until the server closes: only curl or cat could tell NULs, so the event is copied by cat.
    if command [ "$1" = event ]; then
      { "$_lsr_cat" <&201 >"$_lsr_event"; } 2>/dev/null || _lsr_tcp_code=tmp
    else
      IFS= command read -r -d '' -N "$_lsr_tcp_limit" _lsr_tcp_event <&201
      command return 0
    fi
  fi
}

# $2 bytes of body: read into _lsr_tcp_event when they fit under the limit (a NUL, which bash
# drops, shows as bytes missing), else copied to the event file by dd (a reply is drained).
_lsr_tcp_read_piece() {
  if command [ $((${#_lsr_tcp_event} + $2)) -le "$_lsr_tcp_limit" ]; then
    IFS= command read -r -d '' -N "$2" _lsr_tcp_piece <&201 || command return 1
    command [ "${#_lsr_tcp_piece}" -eq "$2" ] || command return 1
    _lsr_tcp_event=$_lsr_tcp_event$_lsr_tcp_piece
    command return 0
  fi
  _lsr_tcp_to=/dev/null
  if command [ "$1" = event ]; then
    _lsr_tcp_to=$_lsr_event
    { command printf '%s' "$_lsr_tcp_event" >>"$_lsr_tcp_to"; } 2>/dev/null || _lsr_tcp_code=tmp
    _lsr_tcp_event=''
  fi
  # fullblock: dd reads until it has all $2 bytes (never more), or the connection ends. Its
  # report is read from memory: a full TMPDIR would swallow it.
  _lsr_tcp_report=$("$_lsr_dd" bs="$2" count=1 iflag=fullblock <&201 2>&1 >>"$_lsr_tcp_to")
  case $_lsr_tcp_report in
    *"1+0 records in"*) ;;
    *) command return 1 ;;
  esac
  case $_lsr_tcp_report in
    *"1+0 records out"*) ;;
    *) _lsr_tcp_code=tmp ;; # all read, not all written: TMPDIR is full
  esac
}
