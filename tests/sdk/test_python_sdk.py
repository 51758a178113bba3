"""The real Azure Python SDK (azure-keyvault-certificates) against `kvconform serve`.

Run by tests/sdk/run.sh, which starts the server and passes its URL, CA file and token:

    python test_python_sdk.py --url https://127.0.0.1:PORT --ca CA.pem --token TOKEN [--api-version V]

Without --api-version the client uses its default (4.12.0: 2026-04-01); with it, the SDK's
`api_version` option, and every request must carry it.

Each check prints `ok: …`; the first failure prints `FAILED: …` and exits 1. The last line is
`sdk: N passed, M failed`.
"""

import argparse
import datetime
import os
import re
import ssl
import sys
import time
import traceback
import urllib.error
import urllib.request

from azure.core.credentials import AccessToken
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.keyvault.certificates import (
    AdministratorContact,
    CertificateClient,
    CertificatePolicy,
    WellKnownIssuerNames,
)
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from checks import Checks

# FACTS.md cross-cutting: status_details of an inProgress manual operation.
DETAILS_MANUAL = "Pending certificate created. Please Perform Merge to complete the request."
HEX32 = re.compile(r"^[0-9a-f]{32}$")


class StaticToken:
    """A credential that hands out one fixed token (the vault accepts only that one)."""

    def __init__(self, token):
        self.token = token
        self.calls = 0

    def get_token(self, *scopes, **kwargs):
        self.calls += 1
        return AccessToken(self.token, int(time.time()) + 3600)


class ThrowawayCa:
    """A CA made with `cryptography`, to sign the vault's CSRs as a real issuer would."""

    def __init__(self):
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kvconform sdk test CA")])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(self.key, hashes.SHA256())
        )

    def sign(self, csr_der):
        """(leaf DER, CA DER) for a DER PKCS#10 request."""
        csr = x509.load_der_x509_csr(csr_der)
        if not csr.is_signature_valid:
            raise AssertionError("the vault's CSR has an invalid signature")
        now = datetime.datetime.now(datetime.timezone.utc)
        leaf = (
            x509.CertificateBuilder()
            .subject_name(csr.subject)
            .issuer_name(self.cert.subject)
            .public_key(csr.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        der = serialization.Encoding.DER
        return leaf.public_bytes(der), self.cert.public_bytes(der)


def manual_policy(name):
    return CertificatePolicy(issuer_name=WellKnownIssuerNames.unknown, subject=f"CN={name}")


def unauthenticated_request_is_challenged(c, url, ca):
    context = ssl.create_default_context(cafile=ca)
    request = urllib.request.Request(f"{url}/certificates?api-version=2026-04-01")
    try:
        urllib.request.urlopen(request, context=context, timeout=10)
        c.ok("a request without a token is refused", False, "it was answered 2xx")
    except urllib.error.HTTPError as e:
        c.equal("a request without a token gets 401", e.code, 401)
        challenge = e.headers.get("WWW-Authenticate", "")
        c.ok(
            "the 401 carries the Bearer challenge",
            challenge.startswith('Bearer authorization="https://login.microsoftonline.com/'),
            challenge,
        )


def manual_lifecycle(c, client, ca, name):
    poller = client.begin_create_certificate(name, policy=manual_policy(name))
    created = poller.result()
    c.equal("manual create: status", created.status, "inProgress")
    c.ok("manual create: request_id is 32 lowercase hex", HEX32.match(created.request_id or ""), created.request_id)

    op = client.get_certificate_operation(name)
    c.equal("get operation: status", op.status, "inProgress")
    c.equal("get operation: status_details", op.status_details, DETAILS_MANUAL)
    c.equal("get operation: issuer", op.issuer_name, "Unknown")
    c.equal("get operation: cancellation_requested", op.cancellation_requested, False)
    c.equal("get operation: same request_id", op.request_id, created.request_id)
    c.ok("get operation: csr present", bool(op.csr), op.csr)

    disabled = client.get_certificate(name)
    c.equal("certificate made by create is disabled", disabled.properties.enabled, False)
    c.ok("certificate made by create has no cer", not disabled.cer, disabled.cer)

    e = c.raises(
        "create again while in progress → 409",
        HttpResponseError,
        409,
        lambda: client.begin_create_certificate(name, policy=manual_policy(name)),
    )
    c.ok(
        "409 message says why",
        "while a pending key vault certificate's status is inProgress" in str(e),
        str(e),
    )

    leaf, ca_der = ca.sign(op.csr)
    merged = client.merge_certificate(name, [leaf, ca_der])
    c.equal("merge: certificate is the signed leaf", bytes(merged.cer), leaf)
    c.equal("merge: certificate is enabled", merged.properties.enabled, True)
    c.ok("merge: versioned id", merged.id and merged.properties.version, merged.id)

    done = client.get_certificate_operation(name)
    c.equal("operation after merge: status", done.status, "completed")
    c.equal("operation after merge: target", done.target, f"{client.vault_url}/certificates/{name}")
    c.ok("operation after merge: no status_details", not done.status_details, done.status_details)

    latest = client.get_certificate(name)
    c.equal("get certificate after merge: same version", latest.properties.version, merged.properties.version)


def cancel_and_delete(c, client, name):
    client.begin_create_certificate(name, policy=manual_policy(name)).result()
    cancelled = client.cancel_certificate_operation(name)
    c.equal("cancel: cancellation_requested", cancelled.cancellation_requested, True)
    c.equal("cancel: a manual operation stays inProgress", cancelled.status, "inProgress")

    deleted = client.delete_certificate_operation(name)
    c.equal("delete operation: echoes the operation", deleted.cancellation_requested, True)
    c.raises(
        "get operation after delete → 404",
        ResourceNotFoundError,
        404,
        lambda: client.get_certificate_operation(name),
    )


def provider_issuer_refuses_merge(c, client, ca, name, issuer):
    stored = client.create_issuer(
        issuer,
        provider="DigiCert",
        account_id="fake-account",
        password="fake-password",
        organization_id="fake-org",
        admin_contacts=[AdministratorContact(first_name="Ada", last_name="Lovelace", email="ada@example.com", phone="555")],
    )
    c.equal("create_issuer: provider", stored.provider, "DigiCert")
    c.equal("get_issuer: provider", client.get_issuer(issuer).provider, "DigiCert")

    policy = CertificatePolicy(issuer_name=issuer, subject=f"CN={name}")
    # The SDK polls non-manual operations in a daemon thread; keep it from polling during the test.
    client.begin_create_certificate(name, policy=policy, _polling_interval=3600)
    op = client.get_certificate_operation(name)
    c.equal("provider create: issuer", op.issuer_name, issuer)
    c.equal("provider create: inProgress", op.status, "inProgress")

    leaf, ca_der = ca.sign(op.csr)
    e = c.raises(
        "merge on a provider-issuer operation in progress → 403",
        HttpResponseError,
        403,
        lambda: client.merge_certificate(name, [leaf, ca_der]),
    )
    c.ok("403 message names the issuer", f"issuer : {issuer}" in str(e), str(e))


def managed_identity(c, args, options):
    """azure-identity's ManagedIdentityCredential (App Service: IDENTITY_ENDPOINT + IDENTITY_HEADER)
    against the vault's own identity endpoint: its token opens the vault."""
    os.environ["IDENTITY_ENDPOINT"] = args.identity_endpoint
    os.environ["IDENTITY_HEADER"] = args.identity_header
    from azure.identity import DefaultAzureCredential, ManagedIdentityCredential

    credential = ManagedIdentityCredential()
    token = credential.get_token("https://vault.azure.net/.default")
    c.ok("ManagedIdentityCredential: a JWT from the identity endpoint", token.token.count(".") == 2, token.token[:16])
    c.ok("ManagedIdentityCredential: expires in the future", token.expires_on > time.time(), token.expires_on)
    client = CertificateClient(
        args.url, credential, verify_challenge_resource=False, connection_verify=args.ca, retry_total=1, **options
    )
    names = [p.name for p in client.list_properties_of_certificates(include_pending=True)]
    c.ok("ManagedIdentityCredential: its token lists the certificates", len(names) >= 1, names)
    # What lowkey-vault users ask for (nagyesta/lowkey-vault#611): application code that keeps
    # DefaultAzureCredential; with IDENTITY_ENDPOINT/IDENTITY_HEADER set its chain reaches the
    # managed identity and gets a JWT (#109 there: a "dummy" token breaks JWT validators).
    default = DefaultAzureCredential(exclude_cli_credential=True, exclude_developer_cli_credential=True,
                                     exclude_powershell_credential=True)
    client = CertificateClient(
        args.url, default, verify_challenge_resource=False, connection_verify=args.ca, retry_total=1, **options
    )
    listed = [p.name for p in client.list_properties_of_certificates(include_pending=True)]
    c.equal("DefaultAzureCredential, unchanged: the same certificates", sorted(listed), sorted(names))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--ca", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--api-version", help="the SDK's api_version option (default: the SDK's own)")
    parser.add_argument("--identity-endpoint", help="kvconform serve --identity: IDENTITY_ENDPOINT")
    parser.add_argument("--identity-header", help="kvconform serve --identity: IDENTITY_HEADER")
    args = parser.parse_args()

    c = Checks()
    credential = StaticToken(args.token)
    sent_versions = set()

    def record_api_version(request):
        query = request.http_request.query
        sent_versions.add(query.get("api-version") if hasattr(query, "get") else None)

    options = {"api_version": args.api_version} if args.api_version else {}
    client = CertificateClient(
        args.url,
        credential,
        raw_request_hook=record_api_version,
        **options,
        verify_challenge_resource=False,
        connection_verify=args.ca,
        retry_total=1,
        connection_timeout=10,
        read_timeout=30,
    )
    suffix = format(int(time.time() * 1000) % 10**8, "x")
    try:
        unauthenticated_request_is_challenged(c, args.url, args.ca)
        manual_lifecycle(c, client, ThrowawayCa(), f"sdk-manual-{suffix}")
        cancel_and_delete(c, client, f"sdk-cancel-{suffix}")
        provider_issuer_refuses_merge(c, client, ThrowawayCa(), f"sdk-provider-{suffix}", f"digicert-{suffix}")
        c.ok("the SDK asked the credential for a token", credential.calls >= 1, credential.calls)
        if args.identity_endpoint:
            managed_identity(c, args, options)
        print(f"sdk: api-version sent: {', '.join(sorted(map(str, sent_versions)))}", flush=True)
        if args.api_version:
            c.equal("every request carried the api_version asked for", sent_versions, {args.api_version})
    except Exception as e:  # noqa: BLE001 — report any failure as one failed check
        print(f"FAILED: {e}", flush=True)
        traceback.print_exc()
        print(f"sdk: {c.passed} passed, 1 failed", flush=True)
        return 1
    print(f"sdk: {c.passed} passed, 0 failed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
