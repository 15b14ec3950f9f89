#!/usr/bin/env python3
"""A docker-distribution token server for the registry tests (loopback only).

Implements the "token" auth of docker-registry: GET /token?service=..&scope=.. (optionally
with HTTP basic credentials) and POST /token with grant_type=refresh_token (identity
tokens), answering {"token": JWT, "access_token": JWT}. The JWT is RS256, signed with
`openssl dgst -sha256 -sign KEY` (no python JWT library needed), and carries the signing
certificate in its x5c header; the registry trusts that certificate (rootcertbundle).

Policy, chosen to exercise the client's flows:
  - anonymous: "pull" on any repository, nothing else (so _catalog is refused);
  - USER:PASSWORD (--user) or the refresh token (--refresh-token): everything asked for;
  - wrong credentials: 401 with a registry-style JSON error.
Every request is appended to --log as one JSON line (method, path, account, authorized).
"""
import argparse
import base64
import json
import subprocess
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_jwt(args, access, subject):
    with open(args.cert, "rb") as f:
        pem = f.read().decode()
    der_b64 = "".join(l for l in pem.splitlines() if l and not l.startswith("-----"))
    header = {"typ": "JWT", "alg": "RS256", "x5c": [der_b64]}
    now = int(time.time())
    claims = {"iss": args.issuer, "sub": subject, "aud": args.service, "exp": now + 300,
              "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode())).encode()
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", args.key],
                         input=signing_input, capture_output=True, check=True).stdout
    return signing_input.decode() + "." + b64url(sig)


def parse_scope(scope):
    # "repository:vigil/small:pull,push" / "registry:catalog:*"
    parts = scope.split(":")
    if len(parts) < 3:
        return None
    return {"type": parts[0], "name": ":".join(parts[1:-1]), "actions": parts[-1].split(",")}


class Handler(BaseHTTPRequestHandler):
    server_version = "vigil-token-server"

    def log_message(self, fmt, *a):  # quiet; the JSON log is the record
        pass

    def record(self, account, authorized):
        with open(self.server.args.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": self.path,
                                "account": account, "authorized": authorized}) + "\n")

    def reply(self, code, doc):
        body = json.dumps(doc).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def deny(self, account):
        self.record(account, False)
        self.reply(401, {"errors": [{"code": "UNAUTHORIZED",
                                     "message": "invalid credentials for token server"}]})

    def grant(self, scopes, account, authenticated, service):
        args = self.server.args
        if service and service != args.service:
            self.record(account, False)
            return self.reply(400, {"errors": [{"code": "DENIED", "message": "bad service"}]})
        access = []
        for s in scopes:
            p = parse_scope(s)
            if p is None:
                continue
            if not authenticated:
                if p["type"] != "repository":
                    continue
                p["actions"] = [a for a in p["actions"] if a == "pull"]
            access.append(p)
        self.record(account, authenticated)
        token = make_jwt(args, access, account or "anonymous")
        self.reply(200, {"token": token, "access_token": token, "expires_in": 300})

    def do_GET(self):
        url = urlparse(self.path)
        if url.path != "/token":
            return self.reply(404, {"errors": [{"code": "NOT_FOUND"}]})
        q = parse_qs(url.query)
        account, authenticated = "", False
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            account = user
            if f"{user}:{password}" != self.server.args.user:
                return self.deny(account)
            authenticated = True
        self.grant(q.get("scope", []), account, authenticated, q.get("service", [""])[0])

    def do_POST(self):
        url = urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = parse_qs(self.rfile.read(length).decode())
        if url.path != "/token" or form.get("grant_type", [""])[0] != "refresh_token":
            return self.reply(400, {"errors": [{"code": "UNSUPPORTED"}]})
        if form.get("refresh_token", [""])[0] != self.server.args.refresh_token:
            return self.deny("refresh-token")
        self.grant(form.get("scope", []), "refresh-token", True, form.get("service", [""])[0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--issuer", required=True)
    ap.add_argument("--service", required=True)
    ap.add_argument("--user", required=True, help="USER:PASSWORD accepted")
    ap.add_argument("--refresh-token", required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.args = args
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
