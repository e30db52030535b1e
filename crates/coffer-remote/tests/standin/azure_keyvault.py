#!/usr/bin/env python3
"""Azure Key Vault stand-in for Coffer's tests.

No Azure Key Vault emulator can be installed here, so this is a fake of the
parts Coffer uses: the Entra ID token endpoint (client-credentials flow) and
the Key Vault secrets data plane, over HTTPS with a test CA and a separate
leaf for 127.0.0.1. It is proven against Microsoft's own Python SDK
(check_azure_standin.py) before the Rust tests rely on it.

Implements:
  GET  /{tenant}/v2.0/.well-known/openid-configuration   (MSAL's discovery)
  POST /{tenant}/oauth2/v2.0/token                        (client credentials)
  the 401 bearer challenge on every data-plane request without a valid token
  PUT    /secrets/{name}                  set (value, contentType, tags, attributes)
  GET    /secrets/{name}[/{version}]      get
  PATCH  /secrets/{name}[/{version}]      update properties
  GET    /secrets                         list (maxresults, nextLink paging)
  GET    /secrets/{name}/versions         versions (paged the same way)
  DELETE /secrets/{name}                  soft delete
  GET    /deletedsecrets[/{name}]         deleted secrets
  POST   /deletedsecrets/{name}/recover   recover
  DELETE /deletedsecrets/{name}           purge
and the service's rules: names [0-9A-Za-z-]{1,127}, values up to 25 KB,
api-version required.

Not implemented: certificates and keys, backup/restore, managed HSM, RBAC
and access policies (any valid token may do anything), outContentType,
purge protection, the service's real throttling limits (faults are injected).

Test controls (not part of Azure), on the same port:
  POST /_standin/faults  {"throttle": N, "retry_after": S}  next N data-plane
                          requests answer 429 with Retry-After: S
                         {"cut": N}  next N data-plane requests: the
                          connection is closed without an answer
                         {"cut_after": N}  next N data-plane requests take
                          effect, then the connection is closed unanswered
                         {"echo": N}  next N authorized data-plane requests get
                          a 502 HTML page quoting the request body (a proxy)
                         {"method": "PUT"}  faults apply to that method only
                         {"reset": true}  clears the faults
  POST /_standin/clock   {"advance": S}  moves the stand-in's clock
                          (issued tokens expire by it)
  POST /_standin/tokens  {"lifetime": S}  lifetime of tokens issued next;
                         {"revoke": true} forgets every issued token
  GET  /_standin/stats   request counts

Start: azure_keyvault.py --dir DIR --tenant T --client-id C --client-secret S
(the secret may instead come from the COFFER_STANDIN_CLIENT_SECRET variable).
When ready it prints one JSON line: {"port": P, "ca": "DIR/ca.pem", ...}.
"""

import argparse
import base64
import datetime
import ipaddress
import json
import os
import re
import secrets
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

NAME_RULE = re.compile(r"^[0-9A-Za-z-]{1,127}$")
MAX_VALUE_BYTES = 25 * 1024
MAX_PAGE = 25
API_VERSION_RULE = re.compile(r"^\d{4}-\d{2}-\d{2}(-preview)?$|^\d+\.\d+(-preview)?$")
KEYVAULT_RESOURCE = "https://vault.azure.net"


def make_certificates(directory):
    """A test CA and a leaf for 127.0.0.1 signed by it (rustls refuses a
    self-signed leaf as its own root)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Coffer test CA (Azure stand-in)")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True,
                crl_sign=True, encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf_key = ec.generate_private_key(ec.SECP256R1())

    leaf = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_path = os.path.join(directory, "ca.pem")
    leaf_path = os.path.join(directory, "leaf.pem")
    key_path = os.path.join(directory, "leaf.key")
    with open(ca_path, "wb") as f:
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(leaf_path, "wb") as f:
        f.write(leaf.public_bytes(serialization.Encoding.PEM))
        f.write(ca.public_bytes(serialization.Encoding.PEM))
    with open(key_path, "wb") as f:
        f.write(
            leaf_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return ca_path, leaf_path, key_path


class ServiceError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


class State:
    """The vault, the issued tokens and the faults, behind one lock."""

    def __init__(self, tenant, client_id, client_secret, token_lifetime):
        self.lock = threading.Lock()
        self.tenant = tenant
        self.client_id = client_id
        self.client_secret = client_secret
        self.token_lifetime = token_lifetime
        self.clock_offset = 0
        self.tokens = {}  # token -> expiry (stand-in clock)
        self.secrets = {}  # name -> [version dicts], oldest first
        self.deleted = {}  # name -> {"versions": [...], "deleted": t, "purge": t}
        self.throttle = 0
        self.retry_after = 1
        self.cut = 0
        self.cut_after = 0
        self.echo = 0
        self.fault_method = None
        self.stats = {}

    def now(self):
        return int(time.time()) + self.clock_offset

    def count(self, key):
        self.stats[key] = self.stats.get(key, 0) + 1


def attributes_of(version):
    attrs = {
        "enabled": version["enabled"],
        "created": version["created"],
        "updated": version["updated"],
        "recoveryLevel": "Recoverable+Purgeable",
        "recoverableDays": 90,
    }
    if version.get("exp") is not None:
        attrs["exp"] = version["exp"]
    if version.get("nbf") is not None:
        attrs["nbf"] = version["nbf"]
    return attrs


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CofferAzureKeyVaultStandIn/1"

    # The base class logs every request to stderr; keep the test output clean.
    def log_message(self, format, *args):  # noqa: A002
        pass

    @property
    def state(self):
        return self.server.state

    @property
    def base(self):
        return f"https://127.0.0.1:{self.server.server_address[1]}"

    # ---- plumbing ----------------------------------------------------------

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(self, status, payload, headers=None):
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", secrets.token_hex(8))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if data:
            self.wfile.write(data)

    def send_error_json(self, err):
        self.send_json(err.status, {"error": {"code": err.code, "message": err.message}}, err.headers)

    def handle_any(self, method):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        parts = [urllib.parse.unquote(p) for p in url.path.split("/") if p]
        raw = self.body()
        try:
            if parts and parts[0] == "_standin":
                return self.control(method, parts[1:], raw)
            if len(parts) >= 3 and parts[1:3] == ["v2.0", ".well-known"]:
                return self.discovery(parts[0])
            if len(parts) == 4 and parts[1:] == ["oauth2", "v2.0", "token"] and method == "POST":
                return self.token(parts[0], raw)
            return self.data_plane(method, parts, query, raw)
        except ServiceError as err:
            self.send_error_json(err)
        except (ConnectionError, ssl.SSLError):
            self.close_connection = True

    def do_GET(self):  # noqa: N802
        self.handle_any("GET")

    def do_POST(self):  # noqa: N802
        self.handle_any("POST")

    def do_PUT(self):  # noqa: N802
        self.handle_any("PUT")

    def do_PATCH(self):  # noqa: N802
        self.handle_any("PATCH")

    def do_DELETE(self):  # noqa: N802
        self.handle_any("DELETE")

    # ---- test controls -----------------------------------------------------

    def control(self, method, parts, raw):
        st = self.state
        body = json.loads(raw or b"{}")
        with st.lock:
            if parts == ["faults"] and method == "POST":
                if body.get("reset"):
                    st.throttle, st.cut, st.cut_after, st.echo, st.fault_method = 0, 0, 0, 0, None
                st.throttle = int(body.get("throttle", st.throttle))
                st.retry_after = int(body.get("retry_after", st.retry_after))
                st.cut = int(body.get("cut", st.cut))
                st.cut_after = int(body.get("cut_after", st.cut_after))
                st.echo = int(body.get("echo", st.echo))
                st.fault_method = body.get("method", st.fault_method)
            elif parts == ["clock"] and method == "POST":
                st.clock_offset += int(body.get("advance", 0))
            elif parts == ["tokens"] and method == "POST":
                if "lifetime" in body:
                    st.token_lifetime = int(body["lifetime"])
                if body.get("revoke"):
                    st.tokens.clear()
            elif parts == ["stats"] and method == "GET":
                return self.send_json(200, dict(st.stats))
            else:
                raise ServiceError(404, "NotFound", "no such stand-in control")
        self.send_json(200, {"ok": True})

    # ---- Entra ID ----------------------------------------------------------

    def discovery(self, tenant):
        st = self.state
        with st.lock:
            st.count("discovery")
        if tenant != st.tenant:
            raise ServiceError(400, "invalid_tenant", f"AADSTS90002: Tenant '{tenant}' not found.")
        root = f"{self.base}/{tenant}"
        self.send_json(
            200,
            {
                "token_endpoint": f"{root}/oauth2/v2.0/token",
                "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{root}/oauth2/v2.0/devicecode",
                "issuer": f"{root}/v2.0",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "tenant_region_scope": None,
            },
        )

    def entra_error(self, status, error, code, description):
        now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ")
        self.send_json(
            status,
            {
                "error": error,
                "error_description": f"AADSTS{code}: {description} Trace ID: {secrets.token_hex(8)} Timestamp: {now}",
                "error_codes": [code],
                "timestamp": now,
                "trace_id": secrets.token_hex(16),
                "correlation_id": secrets.token_hex(16),
            },
        )

    def token(self, tenant, raw):
        st = self.state
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        with st.lock:
            st.count("token_requests")
            if tenant != st.tenant:
                return self.entra_error(400, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
            if form.get("grant_type") != "client_credentials":
                return self.entra_error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
            if form.get("client_id") != st.client_id:
                return self.entra_error(
                    400, "unauthorized_client", 700016,
                    f"Application with identifier '{form.get('client_id')}' was not found in the directory.",
                )
            if not secrets.compare_digest(form.get("client_secret", ""), st.client_secret):
                st.count("token_refused")
                return self.entra_error(
                    401, "invalid_client", 7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.",
                )
            scope = form.get("scope", "")
            if scope.rstrip("/") not in (KEYVAULT_RESOURCE + "/.default", KEYVAULT_RESOURCE + "//.default"):
                return self.entra_error(400, "invalid_scope", 70011, f"The provided value for scope {scope} is not valid.")
            token = secrets.token_urlsafe(32)
            st.tokens[token] = st.now() + st.token_lifetime
            lifetime = st.token_lifetime
            st.count("tokens_issued")
        self.send_json(
            200,
            {
                "token_type": "Bearer",
                "expires_in": lifetime,
                "ext_expires_in": lifetime,
                "access_token": token,
            },
        )

    # ---- Key Vault ---------------------------------------------------------

    def authorized(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return False
        expiry = self.state.tokens.get(header[len("Bearer "):])
        return expiry is not None and expiry > self.state.now()

    def challenge(self):
        st = self.state
        st.count("challenges")
        www = f'Bearer authorization="{self.base}/{st.tenant}", resource="{KEYVAULT_RESOURCE}"'
        raise ServiceError(
            401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
            {"WWW-Authenticate": www},
        )

    def cut_connection(self):
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def data_plane(self, method, parts, query, raw):
        st = self.state
        with st.lock:
            st.count("data_requests")
            faulty = st.fault_method in (None, method)
            if faulty and st.cut > 0:
                st.cut -= 1
                st.count("cut")
                return self.cut_connection()
            if faulty and st.throttle > 0:
                st.throttle -= 1
                st.count("throttled")
                raise ServiceError(
                    429, "Throttled", "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached",
                    {"Retry-After": str(st.retry_after)},
                )
            if not self.authorized():
                self.challenge()
            if faulty and st.echo > 0:
                # A proxy's error page that quotes the request it refused.
                st.echo -= 1
                st.count("echoed")
                page = b"<html><body>Bad gateway for request: " + raw + b"</body></html>"
                self.send_response(502)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
                return None
            version = query.get("api-version")
            if not version:
                raise ServiceError(400, "BadParameter", "The 'api-version' query parameter is missing.")
            if not API_VERSION_RULE.match(version):
                raise ServiceError(400, "BadParameter", f"The specified version ({version}) is not recognized.")
            st.count(f"{method} {parts[0] if parts else ''}")
            payload = self.route(method, parts, query, raw)
            if faulty and st.cut_after > 0:
                # The request took effect; its answer is lost.
                st.cut_after -= 1
                st.count("cut_after")
                return self.cut_connection()
        if payload is None:
            return self.send_json(204, None)
        return self.send_json(200, payload)

    def route(self, method, parts, query, raw):
        if not parts:
            raise ServiceError(404, "NotFound", "no such operation")
        kind, rest = parts[0], parts[1:]
        if kind == "secrets":
            if not rest and method == "GET":
                return self.list_secrets(query)
            name = self.check_name(rest[0])
            if len(rest) == 1 and method == "PUT":
                return self.set_secret(name, raw)
            if len(rest) == 1 and method == "DELETE":
                return self.delete_secret(name)
            if len(rest) == 2 and rest[1] == "versions" and method == "GET":
                return self.list_versions(name, query)
            if len(rest) <= 2 and method == "GET":
                return self.bundle(name, self.version_of(name, rest[1] if len(rest) == 2 else ""), True)
            if len(rest) <= 2 and method == "PATCH":
                return self.update(name, rest[1] if len(rest) == 2 else "", raw)
        if kind == "deletedsecrets":
            if not rest and method == "GET":
                return self.list_deleted(query)
            name = self.check_name(rest[0])
            if len(rest) == 1 and method == "GET":
                return self.deleted_bundle(name, self.deleted_of(name))
            if len(rest) == 1 and method == "DELETE":
                self.deleted_of(name)
                del self.state.deleted[name]
                return None
            if len(rest) == 2 and rest[1] == "recover" and method == "POST":
                entry = self.deleted_of(name)
                del self.state.deleted[name]
                self.state.secrets[name] = entry["versions"]
                return self.bundle(name, entry["versions"][-1], False)
        raise ServiceError(405, "MethodNotAllowed", f"{method} is not allowed here")

    def check_name(self, name):
        if not NAME_RULE.match(name):
            raise ServiceError(400, "BadParameter", f"The request URI contains an invalid name: {name}")
        return name

    def secret_id(self, name, version=None):
        return f"{self.base}/secrets/{name}" + (f"/{version}" if version else "")

    def version_of(self, name, version_id):
        versions = self.state.secrets.get(name)
        if not versions:
            if name in self.state.deleted:
                raise ServiceError(
                    404, "SecretNotFound",
                    f"Secret not found: {name}. It is in a deleted state; recover it or purge it.",
                )
            raise ServiceError(404, "SecretNotFound", f"A secret with (name/id) {name} was not found in this key vault.")
        if not version_id:
            return versions[-1]
        for v in versions:
            if v["id"] == version_id:
                return v
        raise ServiceError(
            404, "SecretNotFound", f"A secret with (name/id) {name}/{version_id} was not found in this key vault."
        )

    def deleted_of(self, name):
        entry = self.state.deleted.get(name)
        if entry is None:
            raise ServiceError(404, "SecretNotFound", f"Deleted Secret not found: {name}")
        return entry

    def bundle(self, name, version, with_value):
        out = {
            "id": self.secret_id(name, version["id"]),
            "attributes": attributes_of(version),
            "tags": dict(version["tags"]),
        }
        if with_value:
            out["value"] = version["value"]
        if version.get("contentType") is not None:
            out["contentType"] = version["contentType"]
        return out

    def deleted_bundle(self, name, entry):
        out = self.bundle(name, entry["versions"][-1], False)
        out["recoveryId"] = f"{self.base}/deletedsecrets/{name}"
        out["deletedDate"] = entry["deleted"]
        out["scheduledPurgeDate"] = entry["purge"]
        return out

    def set_secret(self, name, raw):
        st = self.state
        try:
            body = json.loads(raw or b"null")
        except ValueError:
            raise ServiceError(400, "BadParameter", "The request body is not valid JSON.")
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            raise ServiceError(400, "BadParameter", "Property 'value' is required and must be a string.")
        if len(body["value"].encode()) > MAX_VALUE_BYTES:
            raise ServiceError(
                400, "BadParameter",
                f"Property value has invalid value: a secret value is at most {MAX_VALUE_BYTES} bytes.",
            )
        tags = body.get("tags") or {}
        if not isinstance(tags, dict) or len(tags) > 15:
            raise ServiceError(400, "BadParameter", "Tags must be an object of at most 15 string values.")
        if name in st.deleted:
            raise ServiceError(
                409, "Conflict",
                f"Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, the secret can only be recovered or purged.",
            )
        attrs = body.get("attributes") or {}
        now = st.now()
        version = {
            "id": secrets.token_hex(16),
            "value": body["value"],
            "contentType": body.get("contentType"),
            "tags": {str(k): str(v) for k, v in tags.items()},
            "enabled": bool(attrs.get("enabled", True)),
            "exp": attrs.get("exp"),
            "nbf": attrs.get("nbf"),
            "created": now,
            "updated": now,
        }
        st.secrets.setdefault(name, []).append(version)
        return self.bundle(name, version, True)

    def update(self, name, version_id, raw):
        version = self.version_of(name, version_id)
        body = json.loads(raw or b"{}")
        if "contentType" in body:
            version["contentType"] = body["contentType"]
        if "tags" in body and body["tags"] is not None:
            version["tags"] = {str(k): str(v) for k, v in body["tags"].items()}
        for key in ("enabled", "exp", "nbf"):
            if key in (body.get("attributes") or {}):
                version[key] = body["attributes"][key]
        version["updated"] = self.state.now()
        return self.bundle(name, version, False)

    def delete_secret(self, name):
        st = self.state
        versions = st.secrets.get(name)
        if not versions:
            self.version_of(name, "")
        del st.secrets[name]
        now = st.now()
        st.deleted[name] = {"versions": versions, "deleted": now, "purge": now + 90 * 86400}
        return self.deleted_bundle(name, st.deleted[name])

    def page(self, items, query, path):
        try:
            size = int(query.get("maxresults", MAX_PAGE))
        except ValueError:
            raise ServiceError(400, "BadParameter", "maxresults must be an integer.")
        if not 1 <= size <= MAX_PAGE:
            raise ServiceError(400, "BadParameter", f"Invalid value for maxresults: must be between 1 and {MAX_PAGE}.")
        start = 0
        if "$skiptoken" in query:
            try:
                start = int(base64.urlsafe_b64decode(query["$skiptoken"].encode()).decode())
            except (ValueError, UnicodeDecodeError):
                raise ServiceError(400, "BadParameter", "Invalid $skiptoken.")
        chunk = items[start:start + size]
        following = start + size
        next_link = None
        if following < len(items):
            token = base64.urlsafe_b64encode(str(following).encode()).decode()
            next_link = (
                f"{self.base}{path}?api-version={query['api-version']}"
                f"&$skiptoken={urllib.parse.quote(token)}&maxresults={size}"
            )
        return {"value": chunk, "nextLink": next_link}

    def item(self, name, version, with_version):
        out = {
            "id": self.secret_id(name, version["id"] if with_version else None),
            "attributes": attributes_of(version),
            "tags": dict(version["tags"]),
        }
        if version.get("contentType") is not None:
            out["contentType"] = version["contentType"]
        return out

    def list_secrets(self, query):
        items = [self.item(n, vs[-1], False) for n, vs in sorted(self.state.secrets.items())]
        return self.page(items, query, "/secrets")

    def list_versions(self, name, query):
        versions = self.state.secrets.get(name)
        if not versions:
            self.version_of(name, "")
        items = [self.item(name, v, True) for v in versions]
        return self.page(items, query, f"/secrets/{name}/versions")

    def list_deleted(self, query):
        items = []
        for name, entry in sorted(self.state.deleted.items()):
            out = self.item(name, entry["versions"][-1], False)
            out["recoveryId"] = f"{self.base}/deletedsecrets/{name}"
            out["deletedDate"] = entry["deleted"]
            out["scheduledPurgeDate"] = entry["purge"]
            items.append(out)
        return self.page(items, query, "/deletedsecrets")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    # A client that does not trust the test CA aborts the handshake: that is
    # a test's expected outcome, not a stand-in failure worth a traceback.
    def handle_error(self, request, client_address):
        pass


def main():
    parser = argparse.ArgumentParser(description="Azure Key Vault stand-in (tests only)")
    parser.add_argument("--dir", required=True, help="where the test CA and leaf are written")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", default=os.environ.get("COFFER_STANDIN_CLIENT_SECRET"))
    parser.add_argument("--token-lifetime", type=int, default=3600)
    parser.add_argument("--port", type=int, default=0, help="0: a free port")
    args = parser.parse_args()
    if not args.client_secret:
        parser.error("--client-secret or COFFER_STANDIN_CLIENT_SECRET is required")

    ca_path, leaf_path, key_path = make_certificates(args.dir)
    server = Server(("127.0.0.1", args.port), Handler)
    server.state = State(args.tenant, args.client_id, args.client_secret, args.token_lifetime)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(leaf_path, key_path)
    # The handshake happens in the request's thread, on its first read.
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    port = server.server_address[1]
    print(
        json.dumps(
            {
                "port": port,
                "ca": ca_path,
                "vault_uri": f"https://127.0.0.1:{port}/",
                "authority_host": f"https://127.0.0.1:{port}",
                "tenant": args.tenant,
            }
        ),
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
