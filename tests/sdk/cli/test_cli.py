"""The Azure CLI (`az`, from PyPI) against `kvconform serve --tls --require-auth --identity`.

Run by tests/sdk/run-cli.sh, which installs the CLI in a virtualenv, starts the server and passes
what its banner printed:

    python test_cli.py --az AZ --vault-url https://127.0.0.1:PORT --ca CA.pem \
        --identity-endpoint http://127.0.0.1:PORT2/msi/token --identity-header HEADER

Nothing but the server is involved: `az login --identity` gets its token from the server's App
Service endpoint, and the subscription from its Resource Manager answers, through a custom cloud
whose resource manager is the vault and whose Key Vault DNS suffix is `:PORT` (vault name
`localhost`, so the CLI's `https://{vault}{suffix}` is `https://localhost:PORT`).

Each check prints `ok: …`; the first failure prints `FAILED: …` and exits 1. The last line is
`sdk-cli: N passed, M failed`.
"""

import argparse
import base64
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

# The shared checks live one folder up (tests/sdk/checks.py).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from checks import Checks  # noqa: E402

VAULT = "localhost"
DETAILS_MANUAL = "Pending certificate created. Please Perform Merge to complete the request."


class Az:
    """Runs `az` with an isolated configuration directory; every call is timed."""

    def __init__(self, exe, env):
        self.exe = exe
        self.env = env
        self.calls = 0

    def run(self, *args, expect_ok=True):
        self.calls += 1
        proc = subprocess.run(
            [self.exe, *args, "--only-show-errors"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if expect_ok and proc.returncode != 0:
            raise AssertionError(f"az {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()}")
        return proc

    def json(self, *args):
        out = self.run(*args, "-o", "json").stdout
        return json.loads(out) if out.strip() else None

    def fails(self, c, what, *args, needle):
        proc = self.run(*args, expect_ok=False)
        c.ok(what, proc.returncode != 0, f"exit 0, stdout {proc.stdout.strip()[:300]}")
        c.ok(f"{what}: the error says {needle!r}", needle in proc.stderr, proc.stderr.strip()[:400])
        return proc.stderr


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def identity_endpoint_checks(c, args):
    """The App Service endpoint as MSAL calls it, and the vault accepting what it hands out."""
    url = f"{args.identity_endpoint}?api-version=2019-08-01&resource=https%3A%2F%2Fvault.azure.net"
    try:
        urllib.request.urlopen(urllib.request.Request(url, headers={"X-IDENTITY-HEADER": "wrong"}), timeout=10)
        c.ok("a wrong X-IDENTITY-HEADER is refused", False, "it was answered 2xx")
    except urllib.error.HTTPError as e:
        c.equal("a wrong X-IDENTITY-HEADER gets 401", e.code, 401)
    request = urllib.request.Request(url, headers={"X-IDENTITY-HEADER": args.identity_header, "Metadata": "true"})
    body = json.load(urllib.request.urlopen(request, timeout=10))
    c.equal("identity endpoint: token_type", body.get("token_type"), "Bearer")
    c.equal("identity endpoint: resource echoed", body.get("resource"), "https://vault.azure.net")
    c.ok("identity endpoint: expires_on is unix seconds in the future",
         int(body.get("expires_on", 0)) > time.time(), body.get("expires_on"))
    context = ssl.create_default_context(cafile=args.ca)
    vault = f"{args.vault_url}/certificates?api-version=7.4"
    listing = urllib.request.Request(vault, headers={"Authorization": f"Bearer {body['access_token']}"})
    c.equal("the vault accepts the issued token", urllib.request.urlopen(listing, context=context, timeout=10).status, 200)
    forged = urllib.request.Request(vault, headers={"Authorization": "Bearer " + body["access_token"][:-4] + "AAAA"})
    try:
        urllib.request.urlopen(forged, context=context, timeout=10)
        c.ok("the vault refuses a token the endpoint never issued", False, "it was answered 2xx")
    except urllib.error.HTTPError as e:
        c.equal("the vault refuses a token the endpoint never issued (401)", e.code, 401)


def login(c, az, port):
    arm = f"https://localhost:{port}/"
    az.run("cloud", "register", "-n", "kvconform", "--endpoint-resource-manager", arm,
           "--suffix-keyvault-dns", f":{port}")
    az.run("cloud", "set", "-n", "kvconform")
    cloud = az.json("cloud", "show")
    c.equal("cloud register: resource manager is the vault", cloud["endpoints"]["resourceManager"], arm)
    c.equal("cloud register: Key Vault DNS suffix carries the port", cloud["suffixes"]["keyvaultDns"], f":{port}")
    accounts = az.json("login", "--identity")
    c.equal("az login --identity: one subscription", len(accounts), 1)
    c.equal("az login --identity: a managed identity", accounts[0]["user"]["assignedIdentityInfo"], "MSI")
    c.equal("az login --identity: the cloud", accounts[0]["environmentName"], "kvconform")
    token = az.json("account", "get-access-token", "--resource", "https://vault.azure.net")
    c.ok("az account get-access-token: a JWT", token["accessToken"].count(".") == 2, token["accessToken"][:20])


def manual_lifecycle(c, az, work, name, vault_url):
    policy = os.path.join(work, "manual.json")
    with open(policy, "w") as f:
        json.dump({"issuer_parameters": {"name": "Unknown"},
                   "x509_certificate_properties": {"subject": f"CN={name}", "validity_in_months": 12},
                   "key_properties": {"key_type": "RSA", "key_size": 2048, "exportable": True, "reuse_key": False},
                   "secret_properties": {"content_type": "application/x-pkcs12"}}, f)
    created = az.json("keyvault", "certificate", "create", "--vault-name", VAULT, "-n", name, "-p", f"@{policy}")
    c.equal("create (issuer Unknown): status", created["status"], "inProgress")
    c.ok("create: the CSR is there", bool(created.get("csr")), created)

    op = az.json("keyvault", "certificate", "pending", "show", "--vault-name", VAULT, "-n", name)
    c.equal("pending show: status", op["status"], "inProgress")
    c.equal("pending show: statusDetails", op["statusDetails"], DETAILS_MANUAL)
    c.equal("pending show: issuer", op["issuerParameters"]["name"], "Unknown")
    c.equal("pending show: same requestId", op["requestId"], created["requestId"])

    az.fails(c, "create again while in progress → 409", "keyvault", "certificate", "create",
             "--vault-name", VAULT, "-n", name, "-p", f"@{policy}",
             needle="while a pending key vault certificate's status is inProgress")

    with open(os.path.join(work, "req.der"), "wb") as f:
        f.write(base64.b64decode(op["csr"]))
    openssl("req", "-inform", "DER", "-in", "req.der", "-out", "req.pem", cwd=work)
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-subj", "/CN=kvconform cli test CA", "-days", "30", cwd=work)
    openssl("x509", "-req", "-in", "req.pem", "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", "7",
            "-out", "leaf.pem", "-days", "30", cwd=work)
    openssl("x509", "-in", "leaf.pem", "-outform", "DER", "-out", "leaf.der", cwd=work)
    with open(os.path.join(work, "chain.pem"), "w") as out:
        for part in ("leaf.pem", "ca.pem"):
            with open(os.path.join(work, part)) as f:
                out.write(f.read())
    merged = az.json("keyvault", "certificate", "pending", "merge", "--vault-name", VAULT, "-n", name,
                     "--file", os.path.join(work, "chain.pem"))
    with open(os.path.join(work, "leaf.der"), "rb") as f:
        leaf = f.read()
    c.equal("pending merge: the certificate is the signed leaf", base64.b64decode(merged["cer"]), leaf)
    c.equal("pending merge: enabled", merged["attributes"]["enabled"], True)

    done = az.json("keyvault", "certificate", "pending", "show", "--vault-name", VAULT, "-n", name)
    c.equal("pending show after merge: completed", done["status"], "completed")
    c.equal("pending show after merge: target", done["target"], f"{vault_url}/certificates/{name}")
    shown = az.json("keyvault", "certificate", "show", "--vault-name", VAULT, "-n", name)
    c.equal("certificate show: the merged version", shown["id"], merged["id"])


def cancel_and_delete(c, az, work, name, port):
    policy = os.path.join(work, "manual2.json")
    with open(policy, "w") as f:
        json.dump({"issuer_parameters": {"name": "Unknown"}, "x509_certificate_properties": {"subject": f"CN={name}"}}, f)
    az.json("keyvault", "certificate", "create", "--vault-name", VAULT, "-n", name, "-p", f"@{policy}")
    # The CLI has no command for PATCH …/pending (cancel): `az rest` sends it with the CLI's own
    # login (a token for https://vault.azure.net from the identity endpoint).
    cancelled = az.json("rest", "--method", "patch", "--resource", "https://vault.azure.net",
                        "--url", f"https://localhost:{port}/certificates/{name}/pending?api-version=7.4",
                        "--headers", "Content-Type=application/json",
                        "--body", json.dumps({"cancellation_requested": True}))
    c.equal("cancel (az rest PATCH …/pending): cancellation_requested", cancelled["cancellation_requested"], True)
    c.equal("cancel: a manual operation stays inProgress", cancelled["status"], "inProgress")
    deleted = az.json("keyvault", "certificate", "pending", "delete", "--vault-name", VAULT, "-n", name)
    c.equal("pending delete: echoes the cancelled operation", deleted["cancellationRequested"], True)
    az.fails(c, "pending show after delete → 404", "keyvault", "certificate", "pending", "show",
             "--vault-name", VAULT, "-n", name, needle="PendingCertificateNotFound")


def import_list_delete_purge(c, az, work, imported, pending, merged):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "imp.key", "-out", "imp.crt",
            "-subj", f"/CN={imported}", "-days", "30", cwd=work)
    with open(os.path.join(work, "imp.pem"), "w") as out:
        for part in ("imp.crt", "imp.key"):
            with open(os.path.join(work, part)) as f:
                out.write(f.read())
    result = az.json("keyvault", "certificate", "import", "--vault-name", VAULT, "-n", imported,
                     "-f", os.path.join(work, "imp.pem"))
    c.equal("import (PEM, no policy): enabled", result["attributes"]["enabled"], True)
    c.equal("import: policy subject from the certificate", result["policy"]["x509CertificateProperties"]["subject"],
            f"CN={imported}")
    c.equal("import: content type from the data (PEM)", result["policy"]["secretProperties"]["contentType"],
            "application/x-pem-file")

    policy = os.path.join(work, "manual3.json")
    with open(policy, "w") as f:
        json.dump({"issuer_parameters": {"name": "Unknown"}, "x509_certificate_properties": {"subject": f"CN={pending}"}}, f)
    az.json("keyvault", "certificate", "create", "--vault-name", VAULT, "-n", pending, "-p", f"@{policy}")
    listed = az.json("keyvault", "certificate", "list", "--vault-name", VAULT, "--include-pending", "true")
    names = {item["name"] for item in listed}
    c.ok("list --include-pending: the pending, merged and imported certificates",
         {pending, merged, imported} <= names, sorted(names))
    plain = {item["name"] for item in az.json("keyvault", "certificate", "list", "--vault-name", VAULT)}
    c.ok("list without --include-pending: no pending certificate", pending not in plain and imported in plain,
         sorted(plain))

    az.json("keyvault", "certificate", "delete", "--vault-name", VAULT, "-n", imported)
    deleted = az.json("keyvault", "certificate", "show-deleted", "--vault-name", VAULT, "-n", imported)
    c.ok("delete: show-deleted has a recoveryId", bool(deleted.get("recoveryId")), deleted)
    az.run("keyvault", "certificate", "purge", "--vault-name", VAULT, "-n", imported)
    az.fails(c, "show-deleted after purge → not found", "keyvault", "certificate", "show-deleted",
             "--vault-name", VAULT, "-n", imported, needle="not found")


def main():
    parser = argparse.ArgumentParser()
    for arg in ("--az", "--vault-url", "--ca", "--identity-endpoint", "--identity-header"):
        parser.add_argument(arg, required=True)
    args = parser.parse_args()
    port = args.vault_url.rsplit(":", 1)[1]

    config = tempfile.mkdtemp(prefix="kvconform-az-")
    work = tempfile.mkdtemp(prefix="kvconform-az-work-")
    env = dict(os.environ)
    env.update({
        "AZURE_CONFIG_DIR": config,
        "AZURE_CORE_COLLECT_TELEMETRY": "no",
        "AZURE_CORE_NO_COLOR": "true",
        "AZURE_CORE_SURVEY_MESSAGE": "false",
        "IDENTITY_ENDPOINT": args.identity_endpoint,
        "IDENTITY_HEADER": args.identity_header,
        "REQUESTS_CA_BUNDLE": args.ca,
    })
    az = Az(args.az, env)
    c = Checks()
    suffix = format(int(time.time() * 1000) % 10**8, "x")
    started = time.monotonic()
    try:
        version = az.json("version")["azure-cli"]
        print(f"sdk-cli: azure-cli {version}; certificates api-version 7.4 (fixed by the CLI's client factory)",
              flush=True)
        identity_endpoint_checks(c, args)
        login(c, az, port)
        manual_lifecycle(c, az, work, f"cli-manual-{suffix}", f"https://localhost:{port}")
        cancel_and_delete(c, az, work, f"cli-cancel-{suffix}", port)
        import_list_delete_purge(c, az, work, f"cli-import-{suffix}", f"cli-pending-{suffix}", f"cli-manual-{suffix}")
    except Exception as e:  # noqa: BLE001 — report any failure as one failed check
        print(f"FAILED: {e}", flush=True)
        print(f"sdk-cli: {c.passed} passed, 1 failed ({az.calls} az calls, {time.monotonic() - started:.0f} s)",
              flush=True)
        return 1
    finally:
        shutil.rmtree(config, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    print(f"sdk-cli: {c.passed} passed, 0 failed ({az.calls} az calls, {time.monotonic() - started:.0f} s)",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
