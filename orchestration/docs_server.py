"""The reports folder (dbt docs, quality report, charts) over http on 127.0.0.1.

The dbt docs page fetches its manifest and catalog next to it, which a browser refuses
for a page opened as a file: the docs must come over http. The asset metadata in the UI
links to this address (Settings.docs_url).
"""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass  # one line per request would bury the UI's own output


def start(directory: Path, port: int) -> ThreadingHTTPServer:
    """Serve a folder over http on 127.0.0.1.

    Serve ``directory`` on 127.0.0.1:port from a daemon thread; raises OSError when
    the port is taken.
    """
    directory.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Quiet, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="docs-server").start()
    return server
