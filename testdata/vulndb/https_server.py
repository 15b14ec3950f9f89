#!/usr/bin/env python3
"""A tiny HTTPS file server for testdata/vulndb/update_test.sh (loopback only).

Serves the files under --dir with ETag / If-None-Match and Last-Modified /
If-Modified-Since (answering 304), and logs one line per request to --log:
"<method> <path> <status>", so the test can count downloads and 304s.

Paths with a behaviour prefix serve the same file misbehaving:
  /truncate/<path>  announces the full Content-Length, sends half, closes the connection
  /flaky/<path>     answers 503 to the first request for that path, then serves it
  /slow/<path>      (unused by default) sleeps 5 s before answering

Writes the bound port to --port-file once listening; runs until killed.
"""
import argparse
import email.utils
import hashlib
import http.server
import os
import ssl
import sys
import threading
import time

flaky_seen = set()
lock = threading.Lock()


def make_handler(root, log_path):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # quiet stderr; the request log is --log
            pass

        def record(self, status):
            with lock, open(log_path, "a") as log:
                log.write("%s %s %d\n" % (self.command, self.path, status))

        def send_plain(self, status, text):
            body = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            self.record(status)

        def do_HEAD(self):
            self.do_GET()

        def do_GET(self):
            path = self.path.split("?", 1)[0]
            mode = None
            for prefix in ("truncate", "flaky", "slow"):
                if path.startswith("/" + prefix + "/"):
                    mode = prefix
                    path = path[len(prefix) + 1:]
            rel = os.path.normpath(path.lstrip("/"))
            if rel.startswith("..") or os.path.isabs(rel):
                return self.send_plain(403, "forbidden\n")
            full = os.path.join(root, rel)
            if not os.path.isfile(full):
                return self.send_plain(404, "not found\n")
            if mode == "flaky":
                with lock:
                    first = self.path not in flaky_seen
                    flaky_seen.add(self.path)
                if first:
                    return self.send_plain(503, "try again later\n")
            if mode == "slow":
                time.sleep(5)
            with open(full, "rb") as f:
                data = f.read()
            etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
            mtime = int(os.path.getmtime(full))
            last_modified = email.utils.formatdate(mtime, usegmt=True)
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            not_modified = False
            if inm is not None:
                not_modified = etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
            elif ims is not None:
                try:
                    since = email.utils.parsedate_to_datetime(ims).timestamp()
                    not_modified = mtime <= since
                except (TypeError, ValueError):
                    not_modified = False
            if not_modified:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                self.end_headers()
                self.record(304)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("ETag", etag)
            self.send_header("Last-Modified", last_modified)
            if mode == "truncate":
                self.send_header("Connection", "close")
            self.end_headers()
            if self.command == "HEAD":
                self.record(200)
                return
            if mode == "truncate":
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                self.record(200)
                return
            self.wfile.write(data)
            self.record(200)

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    args = ap.parse_args()

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             make_handler(args.dir, args.log))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
