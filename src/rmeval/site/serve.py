"""Preview a built site on localhost (the files are static: this is only a convenience for a browser)."""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["make_server", "serve"]


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site folder; no request log on the terminal."""

    def log_message(self, format: str, *args: Any) -> None:
        return


def make_server(site_dir: Path, port: int = 8000, host: str = "127.0.0.1") -> ThreadingHTTPServer:
    """A server for `site_dir` bound to `host:port` (port 0 picks a free one); call `serve_forever` to run it."""
    if not (site_dir / "index.html").is_file():
        raise FileNotFoundError(f"{site_dir}: no index.html; build the site first")
    handler = functools.partial(_QuietHandler, directory=str(site_dir))
    return ThreadingHTTPServer((host, port), handler)


def serve(site_dir: Path, port: int = 8000, host: str = "127.0.0.1") -> None:
    """Serve until interrupted (Ctrl-C)."""
    server = make_server(site_dir, port, host)
    try:
        print(f"serving {site_dir} at http://{host}:{server.server_address[1]}/ (Ctrl-C stops)", flush=True)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
