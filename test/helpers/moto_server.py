"""moto's server for the tests, without two costs it pays on every request (a third of its CPU):

- werkzeug's access log: a line per request, formatted, coloured and written to a pipe that is
  read only when moto fails to start; warnings and errors still go there;
- moto's backend lookup, which lists its own package folder (a directory listing and a stat per
  service) on every request: the list is the same for the life of the server, so it is read once.

Usage: python3 moto_server.py -H 127.0.0.1 -p PORT (moto.server's own flags). moto_lambda.py
imports it.
"""

import logging
import sys

from moto import backends
from moto.server import main

logging.getLogger("werkzeug").setLevel(logging.WARNING)

_MOTO_MODULES = tuple(backends.list_of_moto_modules())
backends.list_of_moto_modules = lambda: _MOTO_MODULES  # werkzeug_app calls it by this name

if __name__ == "__main__":
    main(sys.argv[1:])
