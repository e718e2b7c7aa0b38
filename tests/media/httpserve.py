"""A real HTTP server on the loopback address for the stream tests: files of one folder,
with byte ranges (as media servers and CDNs serve them, so libmpv and PyAV can seek), and a
switch that makes it stop sending in the middle of a file (a server that goes away)."""
from __future__ import annotations

import http.server
import os
import re
import threading
from pathlib import Path


class _Handler(http.server.BaseHTTPRequestHandler):
    server_version = "a4kplay-test/1"

    def log_message(self, *args) -> None:   # quiet: pytest shows failures, not traffic
        pass

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def do_GET(self) -> None:
        self._serve(body=True)

    def _serve(self, body: bool) -> None:
        srv = self.server
        name = self.path.split("?", 1)[0].lstrip("/")
        path = (srv.root / name).resolve()
        if srv.root not in path.parents or not path.is_file():
            self.send_error(404)
            return
        size = path.stat().st_size
        start, end = 0, size - 1
        m = re.fullmatch(r"bytes=(\d*)-(\d*)", self.headers.get("Range", ""))
        if m and (m.group(1) or m.group(2)):
            if m.group(1):
                start = int(m.group(1))
                end = int(m.group(2)) if m.group(2) else size - 1
            else:
                start = max(0, size - int(m.group(2)))
            if start >= size:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{size}")
                self.end_headers()
                return
            end = min(end, size - 1)
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        else:
            self.send_response(200)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Content-Type", "application/octet-stream")
        self.end_headers()
        if not body:
            return
        limit = srv.cut_after.get(name)
        with open(path, "rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                n = min(left, 64 << 10)
                if limit is not None:
                    n = min(n, limit - f.tell())
                    if n <= 0:      # the server goes away mid-file
                        self.close_connection = True
                        return
                chunk = f.read(n)
                if not chunk:
                    return
                try:
                    self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    return
                left -= len(chunk)


class MediaServer:
    """``with MediaServer(folder) as srv: srv.url("ep.mkv")``; ``srv.cut_after[name] = N``
    stops sending that file after its first N bytes."""

    def __init__(self, root: str | os.PathLike):
        self._httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.root = Path(root).resolve()
        self._httpd.cut_after = {}
        self.cut_after = self._httpd.cut_after
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/{name}"

    def __enter__(self) -> "MediaServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
