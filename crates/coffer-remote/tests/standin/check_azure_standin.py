#!/usr/bin/env python3
"""Proves the Azure Key Vault stand-in speaks the real protocol: Microsoft's
own Python SDK (azure-identity's ClientSecretCredential, azure-keyvault-
secrets' SecretClient) drives it through set, get, list with paging,
versions, update, delete, recover and purge, and through a refused client
secret. Exits non-zero on the first mismatch.

Usage: check_azure_standin.py   (starts its own stand-in on a free port)
"""

import datetime
import json
import logging
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request

from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.identity import ClientSecretCredential
from azure.keyvault.secrets import SecretClient

HERE = os.path.dirname(os.path.abspath(__file__))
TENANT = "8f2a4d1c-0000-4000-8000-00000000c0ff"
CLIENT_ID = "coffer-check"
CLIENT_SECRET = "check-secret-" + os.urandom(8).hex()


def expect(condition, what):
    if not condition:
        print(f"MISMATCH: {what}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {what}")


def main():
    with tempfile.TemporaryDirectory() as directory:
        env = dict(os.environ, COFFER_STANDIN_CLIENT_SECRET=CLIENT_SECRET)
        server = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "azure_keyvault.py"), "--dir", directory,
             "--tenant", TENANT, "--client-id", CLIENT_ID],
            stdout=subprocess.PIPE, env=env, text=True,
        )
        try:
            ready = json.loads(server.stdout.readline())
            run(ready)
        finally:
            server.kill()
            server.wait()


def client_for(ready, secret):
    authority = f"127.0.0.1:{ready['port']}"
    credential = ClientSecretCredential(
        TENANT, CLIENT_ID, secret, authority=authority,
        disable_instance_discovery=True, connection_verify=ready["ca"],
    )
    return SecretClient(
        ready["vault_uri"], credential, verify_challenge_resource=False,
        connection_verify=ready["ca"],
    )


def control(ready, what, body):
    context = ssl.create_default_context(cafile=ready["ca"])
    request = urllib.request.Request(
        f"{ready['vault_uri']}_standin/{what}",
        data=None if body is None else json.dumps(body).encode(),
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, context=context) as response:
        return json.loads(response.read())


def run(ready):
    client = client_for(ready, CLIENT_SECRET)

    # set and get, with tags, content type and attributes
    first = client.set_secret(
        "db-password", "s3cret-one", content_type="text/plain",
        tags={"managed-by": "coffer", "coffer-version": "v1"},
    )
    expect(first.value == "s3cret-one", "set returns the value")
    expect(first.properties.version and len(first.properties.version) == 32, "set returns a version id")
    expect(first.properties.tags == {"managed-by": "coffer", "coffer-version": "v1"}, "set keeps tags")
    expect(first.properties.content_type == "text/plain", "set keeps the content type")
    expect(first.properties.enabled is True, "a new version is enabled")
    got = client.get_secret("db-password")
    expect(got.value == "s3cret-one" and got.properties.version == first.properties.version, "get returns the latest")

    expiry = datetime.datetime(2030, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    second = client.set_secret("db-password", "s3cret-two", expires_on=expiry, tags={"coffer-version": "v2"})
    expect(second.properties.expires_on == expiry, "set keeps the expiry (exp)")
    expect(client.get_secret("db-password").value == "s3cret-two", "get follows the new version")
    expect(
        client.get_secret("db-password", first.properties.version).value == "s3cret-one",
        "get by version returns the old value",
    )

    # versions
    versions = list(client.list_properties_of_secret_versions("db-password"))
    expect(
        {v.version for v in versions} == {first.properties.version, second.properties.version},
        "versions lists both versions",
    )

    # update properties
    updated = client.update_secret_properties("db-password", second.properties.version, tags={"coffer-version": "v2", "x": "y"})
    expect(updated.tags == {"coffer-version": "v2", "x": "y"}, "update sets tags")

    # list with paging (maxresults 3 over 8 secrets: nextLink three times)
    for i in range(7):
        client.set_secret(f"app-{i:02d}", f"value-{i}")
    pages = list(client.list_properties_of_secrets(max_page_size=3).by_page())
    page_lists = [list(p) for p in pages]
    names = [s.name for page in page_lists for s in page]
    expect(len(page_lists) == 3, f"list pages by maxresults (3 pages, got {len(page_lists)})")
    expect(sorted(names) == sorted(["db-password"] + [f"app-{i:02d}" for i in range(7)]), "list returns every name once")
    expect(all(not hasattr(s, "value") for page in page_lists for s in page), "list carries no values")

    # errors: not found, bad name, oversize
    try:
        client.get_secret("no-such-secret")
        expect(False, "a missing secret is 404")
    except ResourceNotFoundError as err:
        expect(err.status_code == 404 and "SecretNotFound" in str(err), "a missing secret is 404 SecretNotFound")
    try:
        client.set_secret("bad_name", "x")
        expect(False, "an invalid name is refused")
    except HttpResponseError as err:
        expect(err.status_code == 400 and "BadParameter" in str(err), "an invalid name is 400 BadParameter")
    try:
        client.set_secret("big", "x" * (25 * 1024 + 1))
        expect(False, "a value over 25 KB is refused")
    except HttpResponseError as err:
        expect(err.status_code == 400 and "BadParameter" in str(err), "a value over 25 KB is 400 BadParameter")
    client.set_secret("just-fits", "x" * (25 * 1024))
    expect(len(client.get_secret("just-fits").value) == 25 * 1024, "a value of exactly 25 KB is accepted")

    # soft delete, deleted get, recover
    deleted = client.begin_delete_secret("db-password").result()
    expect(deleted.name == "db-password" and deleted.recovery_id.endswith("/deletedsecrets/db-password"), "delete is soft")
    expect(client.get_deleted_secret("db-password").name == "db-password", "the deleted secret can be read")
    try:
        client.get_secret("db-password")
        expect(False, "a deleted secret is not live")
    except ResourceNotFoundError:
        expect(True, "a deleted secret is not live")
    try:
        client.set_secret("db-password", "again")
        expect(False, "a deleted name cannot be reused")
    except HttpResponseError as err:
        expect(err.status_code == 409, "a deleted name cannot be reused (409)")
    expect(
        "db-password" in [d.name for d in client.list_deleted_secrets()], "deleted secrets are listed"
    )
    recovered = client.begin_recover_deleted_secret("db-password").result()
    expect(recovered.name == "db-password", "recover returns the secret")
    expect(client.get_secret("db-password").value == "s3cret-two", "a recovered secret has its value")
    expect(len(list(client.list_properties_of_secret_versions("db-password"))) == 2, "a recovered secret keeps its versions")

    # purge
    client.begin_delete_secret("app-00").result()
    client.purge_deleted_secret("app-00")
    try:
        client.get_deleted_secret("app-00")
        expect(False, "a purged secret is gone")
    except ResourceNotFoundError:
        expect(True, "a purged secret is gone")
    client.set_secret("app-00", "reborn")
    expect(client.get_secret("app-00").value == "reborn", "a purged name can be reused")

    # throttling: 429 with Retry-After, which the SDK's retry policy honours
    control(ready, "faults", {"throttle": 2, "retry_after": 1})
    started = time.monotonic()
    expect(client.get_secret("app-01").value == "value-1", "a throttled read succeeds after the retries")
    expect(time.monotonic() - started >= 2, "the SDK waited Retry-After (1 s) twice")
    expect(control(ready, "stats", None)["throttled"] == 2, "the stand-in throttled twice")

    # a wrong client secret is refused with an AADSTS error
    # (azure-identity logs the refusal as a warning: expected here)
    logging.getLogger("azure.identity").setLevel(logging.CRITICAL)
    wrong = client_for(ready, "not-the-secret")
    try:
        wrong.get_secret("app-01")
        expect(False, "a wrong client secret is refused")
    except ClientAuthenticationError as err:
        expect("AADSTS7000215" in str(err), "a wrong client secret is refused (AADSTS7000215)")
    print("the Azure Key Vault stand-in passed Microsoft's Python SDK check")


if __name__ == "__main__":
    main()
