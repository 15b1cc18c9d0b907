#!/usr/bin/env python3
"""A Docker registry token server for the image pull tests (distribution's `auth: token`).

usage: registry_token_server.py CERT_OUT ISSUER USERS PUBLIC_PREFIXES
  CERT_OUT         where to write the signing certificate (the registry's rootcertbundle)
  ISSUER           the `iss` claim the registry expects
  USERS            comma-separated user:password pairs, e.g. alice:secret
  PUBLIC_PREFIXES  comma-separated repository prefixes anyone may pull, e.g. public/

Listens on 127.0.0.1 on a free port and prints the port on stdout once ready.
GET /token?service=S&scope=repository:NAME:pull [Authorization: Basic ...]
  -> 200 {"token", "access_token", "expires_in", "issued_at"}; wrong credentials -> 401.
Tokens are RS256 JWTs whose header carries the certificate (`x5c`), as distribution verifies them.
"""
import base64
import datetime
import http.server
import json
import signal
import sys
import urllib.parse
import uuid

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

# A test runner may start us with signals blocked; SIGTERM must still stop us.
signal.pthread_sigmask(signal.SIG_UNBLOCK, signal.valid_signals())
cert_out, issuer, users_arg, public_arg = sys.argv[1:5]
users = dict(pair.split(":", 1) for pair in users_arg.split(",") if pair)
public_prefixes = [p for p in public_arg.split(",") if p]

key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "lilypad-test-token-signer")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (
    x509.CertificateBuilder()
    .subject_name(name)
    .issuer_name(name)
    .public_key(key.public_key())
    .serial_number(x509.random_serial_number())
    .not_valid_before(now - datetime.timedelta(days=1))
    .not_valid_after(now + datetime.timedelta(days=1))
    .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    .sign(key, hashes.SHA256())
)
with open(cert_out, "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
x5c = [base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()]
private_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/token":
            return self.reply(404, {"error": "not found"})
        query = urllib.parse.parse_qs(url.query)
        user = None
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                given_user, given_password = base64.b64decode(header[6:]).decode().split(":", 1)
            except Exception:
                return self.reply(401, {"details": "malformed credentials"})
            if users.get(given_user) != given_password:
                return self.reply(401, {"details": "incorrect username or password"})
            user = given_user
        access = []
        for scope in query.get("scope", []):
            parts = scope.split(":")
            if len(parts) != 3 or parts[0] != "repository":
                continue
            repository, actions = parts[1], [a for a in parts[2].split(",") if a == "pull"]
            if user is not None or any(repository.startswith(p) for p in public_prefixes):
                access.append({"type": "repository", "name": repository, "actions": actions})
        issued = int(datetime.datetime.now(datetime.timezone.utc).timestamp())
        claims = {
            "iss": issuer,
            "sub": user or "",
            "aud": query.get("service", [""])[0],
            "exp": issued + 300,
            "nbf": issued - 10,
            "iat": issued,
            "jti": uuid.uuid4().hex,
            "access": access,
        }
        token = jwt.encode(claims, private_pem, algorithm="RS256", headers={"x5c": x5c})
        self.reply(200, {"token": token, "access_token": token, "expires_in": 300, "issued_at": now.isoformat()})


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
