#!/usr/bin/env python3
"""A minimal read-only registry for the redirect tests, serving an OCI layout folder.

usage: redirect_registry.py LAYOUT USER:PASSWORD
Prints "REGISTRY_PORT CDN_PORT" once both listen on 127.0.0.1.

Registry (Basic auth on every request, as registries answering `WWW-Authenticate: Basic` want):
  GET /v2/NAME/manifests/REF      the manifest (REF: a ref.name annotation or a digest)
  GET /v2/NAME/blobs/DIGEST       302 to /moved/DIGEST (same origin: needs Authorization still)
  GET /moved/DIGEST               307 to the CDN (another port: another origin)
CDN:
  GET /blob/DIGEST                the blob; answers 400 when it receives an Authorization header
  GET /seen                       JSON list of the Authorization headers the CDN received
"""
import base64
import http.server
import json
import signal
import os
import sys
import threading

# A test runner may start us with signals blocked; SIGTERM must still stop us.
signal.pthread_sigmask(signal.SIG_UNBLOCK, signal.valid_signals())
layout, credentials = sys.argv[1], sys.argv[2]
expected = "Basic " + base64.b64encode(credentials.encode()).decode()
seen = []
with open(os.path.join(layout, "index.json")) as f:
    index = json.load(f)


def blob_path(digest):
    return os.path.join(layout, "blobs", *digest.split(":", 1))


class Quiet(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def send(self, status, body=b"", headers=None):
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Registry(Quiet):
    def do_GET(self):
        if self.headers.get("Authorization") != expected:
            return self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', {"WWW-Authenticate": 'Basic realm="redirect-registry"'})
        parts = self.path.split("/")
        if self.path.startswith("/v2/") and "manifests" in parts:
            ref = parts[-1]
            entry = next((m for m in index["manifests"] if ref in (m["digest"], m.get("annotations", {}).get("org.opencontainers.image.ref.name"))), None)
            if entry is None:
                return self.send(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
            with open(blob_path(entry["digest"]), "rb") as f:
                return self.send(200, f.read(), {"Content-Type": entry["mediaType"], "Docker-Content-Digest": entry["digest"]})
        if self.path.startswith("/v2/") and "blobs" in parts:
            return self.send(302, headers={"Location": "/moved/" + parts[-1]})
        if self.path.startswith("/moved/"):
            return self.send(307, headers={"Location": "http://127.0.0.1:%d/blob/%s" % (cdn.server_address[1], parts[-1])})
        self.send(404)


class CDN(Quiet):
    def do_GET(self):
        if self.path == "/seen":
            return self.send(200, json.dumps(seen).encode())
        authorization = self.headers.get("Authorization")
        if authorization is not None:
            seen.append(authorization)
            return self.send(400, b"a second authentication mechanism is not allowed")
        with open(blob_path(self.path.split("/")[-1]), "rb") as f:
            self.send(200, f.read())


registry = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Registry)
cdn = http.server.ThreadingHTTPServer(("127.0.0.1", 0), CDN)
threading.Thread(target=cdn.serve_forever, daemon=True).start()
print(registry.server_address[1], cdn.server_address[1], flush=True)
registry.serve_forever()
