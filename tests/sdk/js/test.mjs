// The official Azure JavaScript SDK (@azure/keyvault-certificates) against `kvconform serve`.
//
// Run by tests/sdk/run-js.sh, which starts the server (with --self-delay short), sets
// NODE_EXTRA_CA_CERTS to its CA and passes its URL and token:
//
//     node test.mjs --url https://127.0.0.1:PORT --token TOKEN [--api-version V]
//
// Without --api-version the client uses its default (4.10.3: 2025-07-01); with it, the SDK's
// `serviceVersion` option, and every request must carry it.
//
// Each check prints `ok: …` or `FAIL: …`; an unexpected exception fails the step it happened in
// and the next step runs. The last line is `sdk-js: N passed, M failed`; the exit code is 1 when
// anything failed.

import "reflect-metadata"; // @peculiar/x509 (tsyringe) needs it, before its import
import { createHash, webcrypto } from "node:crypto";
import https from "node:https";
import { parseArgs } from "node:util";

import { DefaultAzureCredential, ManagedIdentityCredential } from "@azure/identity";
import { CertificateClient } from "@azure/keyvault-certificates";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto);

// FACTS.md cross-cutting: status_details of an inProgress operation, by issuer.
const DETAILS_MANUAL = "Pending certificate created. Please Perform Merge to complete the request.";
const HEX32 = /^[0-9a-f]{32}$/;

const { values: args } = parseArgs({
  options: { url: { type: "string" }, token: { type: "string" }, "api-version": { type: "string" } },
});
if (!args.url || !args.token) {
  console.error("usage: node test.mjs --url URL --token TOKEN");
  process.exit(2);
}
const url = args.url.replace(/\/$/, "");

// ---------------------------------------------------------------------------------------------
// Checks

let passed = 0;
let failed = 0;

function ok(what, cond, detail = "") {
  if (cond) {
    passed += 1;
    console.log(`ok: ${what}`);
  } else {
    failed += 1;
    console.log(`FAIL: ${what}: ${detail}`);
  }
  return Boolean(cond);
}

const show = (v) => (v instanceof Uint8Array ? `<${v.length} bytes>` : JSON.stringify(v));

function equal(what, actual, expected) {
  return ok(what, actual === expected, `expected ${show(expected)}, got ${show(actual)}`);
}

/** Runs `fn`, which must reject with a RestError of `status`; returns the error. */
async function rejects(what, status, fn) {
  try {
    await fn();
  } catch (e) {
    ok(what, e?.statusCode === status, `expected HTTP ${status}, got ${e?.statusCode}: ${e?.message}`);
    return e;
  }
  ok(what, false, `expected a RestError (${status}), the call succeeded`);
  return undefined;
}

/** One step of the test: an exception it throws is one failed check, and the next step runs. */
async function step(name, fn) {
  try {
    await fn();
  } catch (e) {
    failed += 1;
    console.log(`FAIL: ${name}: unexpected ${e?.name ?? "error"}: ${e?.message ?? e}`);
    if (e?.stack) console.log(e.stack.split("\n").slice(1, 6).join("\n"));
  }
}

const bytesEqual = (a, b) => a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

// ---------------------------------------------------------------------------------------------
// The client: a fixed-token credential, and a policy that records every request the SDK sends.

const credential = {
  calls: 0,
  async getToken() {
    this.calls += 1;
    return { token: args.token, expiresOnTimestamp: Date.now() + 3600_000 };
  },
};

const sent = []; // { method, path, query, status, headers, body }
const recorder = {
  name: "kvconformRecorder",
  async sendRequest(request, next) {
    const u = new URL(request.url);
    const response = await next(request);
    sent.push({
      method: request.method,
      path: u.pathname,
      query: u.searchParams,
      status: response.status,
      headers: response.headers,
      body: response.bodyAsText,
    });
    return response;
  },
};

/** The last response the SDK received for `method` on `path`. */
function lastSent(method, path) {
  return sent.findLast((r) => r.method === method && r.path === path);
}

const client = new CertificateClient(url, credential, {
  disableChallengeResourceVerification: true,
  retryOptions: { maxRetries: 1 },
  additionalPolicies: [{ policy: recorder, position: "perRetry" }],
  ...(args["api-version"] ? { serviceVersion: args["api-version"] } : {}),
});

// ---------------------------------------------------------------------------------------------
// A throwaway CA that signs the vault's CSRs as a real issuer would.

class ThrowawayCa {
  static async create() {
    const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
    const keys = await webcrypto.subtle.generateKey(alg, false, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: "01",
      name: "CN=kvconform sdk-js test CA",
      notBefore: new Date(Date.now() - 300_000),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
      keys,
      signingAlgorithm: alg,
      extensions: [new x509.BasicConstraintsExtension(true, 0, true)],
    });
    return new ThrowawayCa(keys, cert, alg);
  }

  constructor(keys, cert, alg) {
    this.keys = keys;
    this.cert = cert;
    this.alg = alg;
  }

  /** [leaf DER, CA DER] for a DER PKCS#10 request. */
  async sign(csrDer) {
    const csr = new x509.Pkcs10CertificateRequest(csrDer);
    if (!(await csr.verify())) throw new Error("the vault's CSR has an invalid signature");
    const leaf = await x509.X509CertificateGenerator.create({
      serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8))).toString("hex").replace(/^[89a-f]/, "1"),
      subject: csr.subjectName,
      issuer: this.cert.subjectName,
      notBefore: new Date(Date.now() - 300_000),
      notAfter: new Date(Date.now() + 30 * 86_400_000),
      publicKey: csr.publicKey,
      signingKey: this.keys.privateKey,
      signingAlgorithm: this.alg,
    });
    return [new Uint8Array(leaf.rawData), new Uint8Array(this.cert.rawData)];
  }
}

const manualPolicy = (name) => ({ issuerName: "Unknown", subject: `CN=${name}` });

/** The certificate operation as the SDK's operation poller sees it (one GET cert + GET pending). */
async function operationOf(name) {
  const poller = await client.getCertificateOperation(name);
  return poller.getOperationState().certificateOperation;
}

// ---------------------------------------------------------------------------------------------
// Steps

function unauthenticatedRequestIsChallenged() {
  return new Promise((resolve, reject) => {
    const req = https.get(`${url}/certificates?api-version=2025-07-01`, { timeout: 10_000 }, (res) => {
      res.resume();
      equal("a request without a token gets 401", res.statusCode, 401);
      const challenge = res.headers["www-authenticate"] ?? "";
      ok(
        "the 401 carries the Bearer challenge",
        challenge.startsWith('Bearer authorization="https://login.microsoftonline.com/') &&
          challenge.endsWith(', resource="https://vault.azure.net"'),
        challenge,
      );
      resolve();
    });
    req.on("timeout", () => req.destroy(new Error("timed out")));
    req.on("error", reject);
  });
}

async function manualLifecycle(ca, name) {
  const poller = await client.beginCreateCertificate(name, manualPolicy(name));
  ok("the 401 challenge is answered: the first SDK call succeeded", poller.getOperationState().isStarted, "not started");
  equal("manual create: the poller is not done", poller.isDone(), false);
  const wire = lastSent("POST", `/certificates/${name}/create`);
  equal("manual create: 202 on the wire", wire?.status, 202);
  const created = JSON.parse(wire?.body ?? "{}");
  equal("manual create: status", created.status, "inProgress");
  ok("manual create: request_id is 32 lowercase hex", HEX32.test(created.request_id ?? ""), created.request_id);

  const op = await operationOf(name);
  equal("get operation: status", op.status, "inProgress");
  equal("get operation: statusDetails", op.statusDetails, DETAILS_MANUAL);
  equal("get operation: issuerName", op.issuerName, "Unknown");
  equal("get operation: cancellationRequested", op.cancellationRequested, false);
  equal("get operation: same requestId", op.requestId, created.request_id);
  ok("get operation: csr present", op.csr instanceof Uint8Array && op.csr.length > 0, show(op.csr));
  equal("get operation: id", op.id, `${url}/certificates/${name}/pending`);

  const disabled = await client.getCertificate(name);
  equal("certificate made by create is disabled", disabled.properties.enabled, false);
  ok("certificate made by create has no cer", !disabled.cer, show(disabled.cer));

  const e = await rejects("create again while in progress → 409", 409, () =>
    client.beginCreateCertificate(name, manualPolicy(name)),
  );
  ok(
    "409 message says why",
    e?.message?.includes("while a pending key vault certificate's status is inProgress"),
    e?.message,
  );

  const [leaf, caDer] = await ca.sign(op.csr);
  const merged = await client.mergeCertificate(name, [leaf, caDer]);
  ok("merge: certificate is the signed leaf", bytesEqual(merged.cer, leaf), show(merged.cer));
  equal("merge: certificate is enabled", merged.properties.enabled, true);
  ok(
    "merge: versioned id",
    HEX32.test(merged.properties.version ?? "") &&
      merged.properties.id === `${url}/certificates/${name}/${merged.properties.version}`,
    `id ${merged.properties.id}, version ${merged.properties.version}`,
  );
  equal("merge: keyId", merged.keyId, `${url}/keys/${name}/${merged.properties.version}`);
  equal("merge: secretId", merged.secretId, `${url}/secrets/${name}/${merged.properties.version}`);
  equal(
    "merge: x509Thumbprint is the SHA-1 of the leaf",
    merged.properties.x509ThumbprintString,
    createHash("sha1").update(leaf).digest("hex"),
  );

  const donePoller = await client.getCertificateOperation(name);
  const done = donePoller.getOperationState().certificateOperation;
  equal("operation after merge: status", done.status, "completed");
  equal("operation after merge: target", done.target, `${url}/certificates/${name}`);
  ok("operation after merge: no statusDetails", !done.statusDetails, done.statusDetails);
  equal("operation poller after merge: done", donePoller.isDone(), true);
  equal(
    "operation poller after merge: result is the merged version",
    donePoller.getResult()?.properties.version,
    merged.properties.version,
  );

  const latest = await client.getCertificate(name);
  equal("get certificate after merge: same version", latest.properties.version, merged.properties.version);
}

async function selfIssuedPolledToCompletion(name) {
  const before = sent.length;
  const poller = await client.beginCreateCertificate(
    name,
    { issuerName: "Self", subject: `CN=${name}` },
    { intervalInMs: 100 },
  );
  equal("Self create: the poller is not done at first", poller.isDone(), false);
  // Bounded: a Self operation that never completes stops the poller (a failed step) after 20 s.
  const timer = setTimeout(() => poller.stopPolling(), 20_000);
  let cert;
  try {
    cert = await poller.pollUntilDone();
  } catch (e) {
    throw new Error(`pollUntilDone did not complete (${e?.message}); last status ${lastSent("GET", `/certificates/${name}/pending`)?.body}`);
  } finally {
    clearTimeout(timer);
  }
  equal("Self create: pollUntilDone ends with the poller done", poller.isDone(), true);
  equal("Self create: certificate is enabled", cert.properties.enabled, true);
  ok("Self create: certificate has a cer", cert.cer instanceof Uint8Array && cert.cer.length > 0, show(cert.cer));
  if (cert.cer) {
    const parsed = new x509.X509Certificate(cert.cer);
    equal("Self create: subject from the policy", parsed.subject, `CN=${name}`);
    equal("Self create: self-issued", parsed.issuer, parsed.subject);
  }
  const op = await operationOf(name);
  equal("Self create: operation completed", op?.status, "completed");
  equal("Self create: target", op?.target, `${url}/certificates/${name}`);
  ok("Self create: no statusDetails", !op?.statusDetails, op?.statusDetails);
  const ours = sent.slice(before);
  const polls = ours.filter((r) => r.method === "GET" && r.path === `/certificates/${name}/pending`);
  ok("Self create: the poller polled GET …/pending", polls.length >= 1, polls.length);
  const certGets = ours.filter((r) => r.method === "GET" && r.path.replace(/\/$/, "") === `/certificates/${name}`);
  ok(
    "Self create: the poller read GET /certificates/{name} with 200",
    certGets.length >= 1 && certGets.every((r) => r.status === 200),
    JSON.stringify(certGets.map((r) => [r.path, r.status])),
  );
}

async function cancelAndDelete(name) {
  const poller = await client.beginCreateCertificate(name, manualPolicy(name));
  await poller.cancelOperation();
  equal("cancel: PATCH …/pending → 200", lastSent("PATCH", `/certificates/${name}/pending`)?.status, 200);
  equal("cancel: the poller is cancelled", poller.getOperationState().isCancelled, true);
  const cancelled = await operationOf(name);
  equal("cancel: cancellationRequested", cancelled.cancellationRequested, true);
  equal("cancel: a manual operation stays inProgress", cancelled.status, "inProgress");
  equal("cancel: statusDetails unchanged", cancelled.statusDetails, DETAILS_MANUAL);

  const deleted = await client.deleteCertificateOperation(name);
  equal("delete operation: echoes the operation", deleted.cancellationRequested, true);
  equal("delete operation: echoes statusDetails", deleted.statusDetails, DETAILS_MANUAL);
  const e = await rejects("get operation after delete → 404", 404, () => operationOf(name));
  equal("404 code", e?.code, "PendingCertificateNotFound");
}

async function providerIssuerRefusesMerge(ca, name, issuer) {
  const stored = await client.createIssuer(issuer, "DigiCert", {
    accountId: "fake-account",
    password: "fake-password",
    organizationId: "fake-org",
    administratorContacts: [{ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", phone: "555" }],
  });
  equal("createIssuer: provider", stored.provider, "DigiCert");
  equal("getIssuer: provider", (await client.getIssuer(issuer)).provider, "DigiCert");

  await client.beginCreateCertificate(name, { issuerName: issuer, subject: `CN=${name}` });
  const op = await operationOf(name);
  equal("provider create: issuerName", op.issuerName, issuer);
  equal("provider create: inProgress", op.status, "inProgress");

  const [leaf, caDer] = await ca.sign(op.csr);
  const e = await rejects("merge on a provider-issuer operation in progress → 403", 403, () =>
    client.mergeCertificate(name, [leaf, caDer]),
  );
  ok("403 message names the issuer", e?.message?.includes(`issuer : ${issuer}`), e?.message);
}

/** @azure/identity's ManagedIdentityCredential (App Service: IDENTITY_ENDPOINT + IDENTITY_HEADER)
 * against the vault's own identity endpoint (kvconform serve --identity): its token opens the vault. */
async function managedIdentity() {
  process.env.IDENTITY_ENDPOINT = process.env.KVCONFORM_SDK_IDENTITY_ENDPOINT;
  process.env.IDENTITY_HEADER = process.env.KVCONFORM_SDK_IDENTITY_HEADER;
  const mi = new ManagedIdentityCredential();
  const token = await mi.getToken("https://vault.azure.net/.default");
  ok("ManagedIdentityCredential: a JWT from the identity endpoint", token?.token?.split(".").length === 3, token?.token);
  ok("ManagedIdentityCredential: expires in the future", token?.expiresOnTimestamp > Date.now(), token?.expiresOnTimestamp);
  const miClient = new CertificateClient(url, mi, {
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 1 },
    ...(args["api-version"] ? { serviceVersion: args["api-version"] } : {}),
  });
  const names = [];
  for await (const p of miClient.listPropertiesOfCertificates({ includePending: true })) names.push(p.name);
  ok("ManagedIdentityCredential: its token lists the certificates", names.length >= 1, JSON.stringify(names));
  // Application code that keeps DefaultAzureCredential (what lowkey-vault users ask for): with
  // IDENTITY_ENDPOINT/IDENTITY_HEADER set, its chain reaches the managed identity.
  const defaultClient = new CertificateClient(url, new DefaultAzureCredential(), {
    disableChallengeResourceVerification: true,
    retryOptions: { maxRetries: 1 },
    ...(args["api-version"] ? { serviceVersion: args["api-version"] } : {}),
  });
  const listed = [];
  for await (const p of defaultClient.listPropertiesOfCertificates({ includePending: true })) listed.push(p.name);
  equal("DefaultAzureCredential, unchanged: the same certificates", JSON.stringify(listed.sort()), JSON.stringify(names.sort()));
}

// ---------------------------------------------------------------------------------------------

const suffix = (Date.now() % 1e8).toString(16);
const ca = await ThrowawayCa.create();
await step("401 challenge", unauthenticatedRequestIsChallenged);
await step("manual lifecycle", () => manualLifecycle(ca, `sdkjs-manual-${suffix}`));
await step("Self issuer", () => selfIssuedPolledToCompletion(`sdkjs-self-${suffix}`));
await step("cancel and delete", () => cancelAndDelete(`sdkjs-cancel-${suffix}`));
await step("provider issuer", () => providerIssuerRefusesMerge(ca, `sdkjs-provider-${suffix}`, `digicert-${suffix}`));
ok("the SDK asked the credential for a token", credential.calls >= 1, credential.calls);
if (process.env.KVCONFORM_SDK_IDENTITY_ENDPOINT) {
  await step("managed identity", managedIdentity);
}
const versions = [...new Set(sent.map((r) => r.query.get("api-version")))];
console.log(`sdk-js: api-version sent: ${versions.join(", ")}; ${sent.length} requests`);
if (args["api-version"]) {
  equal("every request carried the serviceVersion asked for", versions.join(","), args["api-version"]);
}
console.log(`sdk-js: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
