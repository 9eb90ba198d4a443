"""moto's server for the tests, without two costs it pays on every request (a third of its CPU):

- werkzeug's access log: a line per request, formatted, coloured and written to a pipe that is
  read only when moto fails to start; warnings and errors still go there;
- moto's backend lookup, which lists its own package folder (a directory listing and a stat per
  service) on every request: the list is the same for the life of the server, so it is read once.

Usage: python3 moto_server.py -H 127.0.0.1 -p PORT (moto.server's own flags); with
LSR_MOTO_PARENT=PID it exits once that process has, removing the file LSR_MOTO_STATE names.
moto_lambda.py imports it.
"""

import logging
import os
import sys
import threading
import time

from moto import backends
from moto.server import main

logging.getLogger("werkzeug").setLevel(logging.WARNING)

_MOTO_MODULES = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _MOTO_MODULES  # werkzeug_app calls it by this name



def _exit_with(parent):
    """A moto the tests hand from file to file exits once the test process that started it has."""
    while True:
        time.sleep(0.5)
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            if os.environ.get("LSR_MOTO_STATE"):
                try:
                    os.remove(os.environ["LSR_MOTO_STATE"])
                except OSError:
                    pass
            os._exit(0)


if __name__ == "__main__":
    if os.environ.get("LSR_MOTO_PARENT"):
        threading.Thread(
            target=_exit_with, args=(int(os.environ["LSR_MOTO_PARENT"]),), daemon=True
        ).start()
    main(sys.argv[1:])
