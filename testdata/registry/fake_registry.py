#!/usr/bin/env python3
"""A scripted stand-in for the parts of a registry docker-registry 2.8 cannot show us.

docker-registry 2.8 ignores `n` on tags/list and never redirects blob GETs (filesystem
storage), so paging of tags and the redirect-to-storage path are tested against this server
instead. Loopback only. Every request is logged to --log as one JSON line with its path,
Host header and whether it carried an Authorization header.

  GET /v2/                         401 Basic challenge unless USER:PASSWORD, then 200
  GET /v2/paged/tags/list?n&last   tags t00..t06 in pages of n, Link rel="next" (relative)
  GET /v2/paged/blobs/<digest>     307 to http://localhost:PORT/storage/<hex> (another host)
  GET /v2/same/blobs/<digest>      307 to /v2/same/data/<hex> on the same host (auth kept)
  GET /v2/same/data/<hex>          the blob (requires auth like everything under /v2/)
  GET /storage/<hex>               the blob; 400 if an Authorization header arrives
  GET /v2/flaky/tags/list          503 (Retry-After: 0) twice, then one tag; counts reset
                                   after the success
Blob content is --blob; its sha256 is the only digest served.
"""
import argparse
import base64
import hashlib
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

TAGS = ["t%02d" % i for i in range(7)]


class Handler(BaseHTTPRequestHandler):
    def log_message(self, fmt, *a):
        pass

    def record(self):
        with open(self.server.args.log, "a") as f:
            f.write(json.dumps({"path": self.path, "host": self.headers.get("Host", ""),
                                "auth": "Authorization" in self.headers}) + "\n")

    def send(self, code, body=b"", headers=None, ctype="application/json"):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def authorized(self):
        want = "Basic " + base64.b64encode(self.server.args.user.encode()).decode()
        return self.headers.get("Authorization", "") == want

    def do_GET(self):
        self.record()
        args = self.server.args
        url = urlparse(self.path)
        blob = args.blob.encode()
        hexd = hashlib.sha256(blob).hexdigest()
        if url.path == "/storage/" + hexd:
            if "Authorization" in self.headers:
                return self.send(400, b'{"errors":[{"code":"LEAKED_AUTHORIZATION"}]}')
            return self.send(200, blob, ctype="application/octet-stream")
        if not url.path.startswith("/v2/"):
            return self.send(404)
        if not self.authorized():
            body = b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}'
            return self.send(401, body, {"WWW-Authenticate": 'Basic realm="fake"'})
        if url.path == "/v2/":
            return self.send(200, b"{}")
        if url.path == "/v2/paged/tags/list":
            q = parse_qs(url.query)
            n = int(q.get("n", ["100"])[0])
            last = q.get("last", [""])[0]
            rest = [t for t in TAGS if t > last]
            page, more = rest[:n], len(rest) > n
            headers = {}
            if more:
                headers["Link"] = '</v2/paged/tags/list?n=%d&last=%s>; rel="next"' % (n, page[-1])
            body = json.dumps({"name": "paged", "tags": page}).encode()
            return self.send(200, body, headers)
        if url.path == "/v2/flaky/tags/list":
            self.server.flaky += 1
            if self.server.flaky <= 2:
                body = b'{"errors":[{"code":"UNAVAILABLE","message":"try again"}]}'
                return self.send(503, body, {"Retry-After": "0"})
            self.server.flaky = 0
            return self.send(200, b'{"name":"flaky","tags":["ok"]}')
        if url.path == "/v2/paged/blobs/sha256:" + hexd:
            loc = "http://localhost:%d/storage/%s" % (args.port, hexd)
            return self.send(307, b"", {"Location": loc})
        if url.path == "/v2/same/blobs/sha256:" + hexd:
            return self.send(307, b"", {"Location": "/v2/same/data/" + hexd})
        if url.path == "/v2/same/data/" + hexd:
            return self.send(200, blob, ctype="application/octet-stream")
        return self.send(404, b'{"errors":[{"code":"BLOB_UNKNOWN","message":"blob unknown"}]}')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--user", required=True, help="USER:PASSWORD")
    ap.add_argument("--blob", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.args = args
    server.flaky = 0
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
