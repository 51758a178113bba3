// The official Azure Key Vault certificates Java SDK (com.azure:azure-security-keyvault-certificates)
// against `kvconform serve --tls --require-auth`.
//
// Run by tests/sdk/run-java.sh, which resolves the pinned client with Maven, compiles this file
// and passes the server in the environment:
//
//     KVCONFORM_SDK_URL=https://127.0.0.1:PORT KVCONFORM_SDK_CA=ca.pem KVCONFORM_SDK_TOKEN=T \
//       [KVCONFORM_SDK_API_VERSION=V7_6] java -cp … kvconform.SdkTest
//
// The vault's CA is trusted through the JVM's standard trust-store property (a PKCS#12 store made
// here from the PEM), so the client's default HTTP stack (Netty) is what is tested. The CSRs are
// signed, and the certificate to import made, with the openssl command (the JDK has no public
// X.509 builder). Each check prints `ok: …` or `FAIL: …`; an unexpected exception fails the step
// it happened in and the next step runs. The last line is `sdk-java: N passed, M failed`; the exit
// code is 1 when anything failed.
package kvconform;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.FixedDelayOptions;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import com.azure.core.http.policy.RetryOptions;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.security.keyvault.certificates.CertificateClient;
import com.azure.security.keyvault.certificates.CertificateClientBuilder;
import com.azure.security.keyvault.certificates.CertificateServiceVersion;
import com.azure.security.keyvault.certificates.models.AdministratorContact;
import com.azure.security.keyvault.certificates.models.CertificateContentType;
import com.azure.security.keyvault.certificates.models.CertificateIssuer;
import com.azure.security.keyvault.certificates.models.CertificateOperation;
import com.azure.security.keyvault.certificates.models.CertificatePolicy;
import com.azure.security.keyvault.certificates.models.CertificateProperties;
import com.azure.security.keyvault.certificates.models.DeletedCertificate;
import com.azure.security.keyvault.certificates.models.ImportCertificateOptions;
import com.azure.security.keyvault.certificates.models.KeyVaultCertificateWithPolicy;
import com.azure.security.keyvault.certificates.models.MergeCertificateOptions;
import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import reactor.core.publisher.Mono;

public final class SdkTest {
    // FACTS.md cross-cutting: status_details of an inProgress manual operation.
    static final String DETAILS_MANUAL = "Pending certificate created. Please Perform Merge to complete the request.";
    static final Pattern HEX32 = Pattern.compile("^[0-9a-f]{32}$");

    // -----------------------------------------------------------------------------------------
    // Checks

    static int passed = 0;
    static int failed = 0;

    static boolean ok(String what, boolean cond, Object detail) {
        if (cond) {
            passed++;
            System.out.println("ok: " + what);
        } else {
            failed++;
            System.out.println("FAIL: " + what + ": " + detail);
        }
        return cond;
    }

    static boolean equal(String what, Object actual, Object expected) {
        return ok(what, Objects.equals(actual, expected), "expected " + expected + ", got " + actual);
    }

    interface Call {
        void run() throws Exception;
    }

    /** Runs `call`, which must throw an HttpResponseException with `status`; returns it. */
    static HttpResponseException throwsStatus(String what, int status, Call call) {
        try {
            call.run();
        } catch (HttpResponseException e) {
            int got = e.getResponse() == null ? -1 : e.getResponse().getStatusCode();
            ok(what, got == status, "expected HTTP " + status + ", got " + got + ": " + e.getMessage());
            return e;
        } catch (Exception e) {
            ok(what, false, "expected HTTP " + status + ", got " + e);
            return null;
        }
        ok(what, false, "expected HTTP " + status + ", the call succeeded");
        return null;
    }

    /** One step: an exception it throws is one failed check, and the next step runs. */
    static void step(String name, Call call) {
        long started = System.nanoTime();
        try {
            call.run();
            System.out.printf("step %s: %d ms%n", name, (System.nanoTime() - started) / 1_000_000);
        } catch (Throwable e) {
            failed++;
            System.out.println("FAIL: " + name + ": unexpected " + e);
            Arrays.stream(e.getStackTrace()).limit(5).forEach(f -> System.out.println("    at " + f));
        }
    }

    static String sha1Hex(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }

    // -----------------------------------------------------------------------------------------
    // The client: a fixed-token credential and a policy that records every exchange.

    record Exchange(String method, String path, String apiVersion, int status) {}

    static final List<Exchange> SENT = new ArrayList<>();
    static final AtomicInteger TOKEN_CALLS = new AtomicInteger();

    static final class Recorder extends HttpPipelineSyncPolicy {
        @Override
        protected HttpResponse afterReceivedResponse(HttpPipelineCallContext context, HttpResponse response) {
            var url = context.getHttpRequest().getUrl();
            String api = null;
            for (String kv : Objects.toString(url.getQuery(), "").split("&")) {
                if (kv.startsWith("api-version=")) {
                    api = kv.substring("api-version=".length());
                }
            }
            synchronized (SENT) {
                SENT.add(new Exchange(context.getHttpRequest().getHttpMethod().toString(), url.getPath(), api,
                        response.getStatusCode()));
            }
            return response;
        }
    }

    /** The status of the last response to `method` on `path` (0: none). */
    static int last(String method, String path) {
        synchronized (SENT) {
            for (int i = SENT.size() - 1; i >= 0; i--) {
                var x = SENT.get(i);
                if (x.method().equals(method) && x.path().equals(path)) {
                    return x.status();
                }
            }
        }
        return 0;
    }

    /** A PKCS#12 trust store holding the PEM CA, set as the JVM's default trust store. */
    static void trust(Path caPem, Path dir) throws Exception {
        var cf = CertificateFactory.getInstance("X.509");
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caPem)) {
            int i = 0;
            for (var cert : cf.generateCertificates(in)) {
                store.setCertificateEntry("kvconform-" + i++, cert);
            }
        }
        Path file = dir.resolve("truststore.p12");
        try (var out = new FileOutputStream(file.toFile())) {
            store.store(out, "changeit".toCharArray());
        }
        System.setProperty("javax.net.ssl.trustStore", file.toString());
        System.setProperty("javax.net.ssl.trustStorePassword", "changeit");
        System.setProperty("javax.net.ssl.trustStoreType", "PKCS12");
    }

    // -----------------------------------------------------------------------------------------
    // openssl: a throwaway CA, CSR signing, and the certificate to import.

    static Path work;

    static byte[] openssl(String... args) throws Exception {
        var cmd = new ArrayList<String>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        var p = new ProcessBuilder(cmd).directory(work.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: "
                    + new String(out, StandardCharsets.UTF_8));
        }
        return out;
    }

    static void makeCa() throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca.key", "-out", "ca.pem", "-days", "30", "-subj", "/CN=kvconform sdk-java test CA",
                "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0", "-addext", "keyUsage=critical,keyCertSign");
        openssl("x509", "-in", "ca.pem", "-outform", "DER", "-out", "ca.der");
    }

    /** [leaf DER, CA DER] for a DER PKCS#10 request; openssl checks the request's signature. */
    static List<byte[]> sign(byte[] csrDer, String name) throws Exception {
        Files.write(work.resolve(name + ".csr.der"), csrDer);
        openssl("req", "-inform", "DER", "-in", name + ".csr.der", "-verify", "-noout");
        openssl("x509", "-req", "-inform", "DER", "-in", name + ".csr.der", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "30", "-outform", "DER", "-out", name + ".leaf.der");
        return List.of(Files.readAllBytes(work.resolve(name + ".leaf.der")), Files.readAllBytes(work.resolve("ca.der")));
    }

    static X509Certificate parse(byte[] der) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(der));
    }

    // -----------------------------------------------------------------------------------------
    // Steps

    static void unauthenticatedRequestIsChallenged(String url) throws Exception {
        // java.net.http reads the same trust-store properties.
        var http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        var res = http.send(HttpRequest.newBuilder(URI.create(url + "/certificates?api-version=7.6")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        equal("a request without a token gets 401", res.statusCode(), 401);
        String challenge = res.headers().firstValue("WWW-Authenticate").orElse("");
        ok("the 401 carries the Bearer challenge",
                challenge.startsWith("Bearer authorization=\"https://login.microsoftonline.com/")
                        && challenge.endsWith(", resource=\"https://vault.azure.net\""),
                challenge);
    }

    static CertificatePolicy policy(String issuer, String name) {
        return new CertificatePolicy(issuer, "CN=" + name);
    }

    static void manualLifecycle(CertificateClient client, String url, String name) throws Exception {
        SyncPoller<CertificateOperation, KeyVaultCertificateWithPolicy> poller =
                client.beginCreateCertificate(name, policy("Unknown", name));
        equal("manual create: 202 on the wire", last("POST", "/certificates/" + name + "/create"), 202);
        PollResponse<CertificateOperation> first = poller.poll();
        equal("manual create: the poller is in progress", first.getStatus(), LongRunningOperationStatus.IN_PROGRESS);
        CertificateOperation created = first.getValue();
        ok("manual create: request_id is 32 lowercase hex", HEX32.matcher(Objects.toString(created.getRequestId())).matches(),
                created.getRequestId());

        CertificateOperation op = client.getCertificateOperation(name).poll().getValue();
        equal("get operation: status", op.getStatus(), "inProgress");
        equal("get operation: status_details", op.getStatusDetails(), DETAILS_MANUAL);
        equal("get operation: issuer", op.getIssuerName(), "Unknown");
        equal("get operation: cancellation_requested", op.getCancellationRequested(), false);
        equal("get operation: same request_id", op.getRequestId(), created.getRequestId());
        ok("get operation: csr present", op.getCsr() != null && op.getCsr().length > 0, "empty");
        equal("get operation: id", op.getId(), url + "/certificates/" + name + "/pending");

        var disabled = client.getCertificate(name);
        equal("certificate made by create is disabled", disabled.getProperties().isEnabled(), false);
        ok("certificate made by create has no cer", disabled.getCer() == null || disabled.getCer().length == 0,
                disabled.getCer() == null ? null : disabled.getCer().length + " bytes");

        var e = throwsStatus("create again while in progress → 409", 409,
                () -> client.beginCreateCertificate(name, policy("Unknown", name)));
        if (e != null) {
            ok("409 message says why",
                    e.getMessage().contains("while a pending key vault certificate's status is inProgress"), e.getMessage());
        }

        List<byte[]> chain = sign(op.getCsr(), name);
        // MergeCertificateOptions.enabled is a primitive boolean: without setEnabled(true) the SDK
        // sends "attributes": {"enabled": false} and the merged certificate is disabled.
        var merged = client.mergeCertificate(new MergeCertificateOptions(name, chain).setEnabled(true));
        ok("merge: certificate is the signed leaf", Arrays.equals(merged.getCer(), chain.get(0)),
                merged.getCer() == null ? null : merged.getCer().length + " bytes");
        equal("merge: certificate is enabled", merged.getProperties().isEnabled(), true);
        String version = merged.getProperties().getVersion();
        ok("merge: versioned id", version != null && HEX32.matcher(version).matches()
                && merged.getId().equals(url + "/certificates/" + name + "/" + version), merged.getId());
        equal("merge: keyId", merged.getKeyId(), url + "/keys/" + name + "/" + version);
        equal("merge: secretId", merged.getSecretId(), url + "/secrets/" + name + "/" + version);
        equal("merge: x5t is the SHA-1 of the leaf", merged.getProperties().getX509ThumbprintAsString(),
                sha1Hex(chain.get(0)));

        SyncPoller<CertificateOperation, KeyVaultCertificateWithPolicy> donePoller = client.getCertificateOperation(name);
        PollResponse<CertificateOperation> done = donePoller.poll();
        equal("operation after merge: status", done.getValue().getStatus(), "completed");
        equal("operation after merge: target", done.getValue().getTarget(), url + "/certificates/" + name);
        ok("operation after merge: no status_details",
                done.getValue().getStatusDetails() == null || done.getValue().getStatusDetails().isEmpty(),
                done.getValue().getStatusDetails());
        equal("operation poller after merge: completed", done.getStatus(),
                LongRunningOperationStatus.SUCCESSFULLY_COMPLETED);
        equal("operation poller after merge: final result is the merged version",
                donePoller.getFinalResult().getProperties().getVersion(), version);

        equal("get certificate after merge: same version", client.getCertificate(name).getProperties().getVersion(),
                version);
    }

    static void selfIssuedPolledToCompletion(CertificateClient client, String url, String name) throws Exception {
        SyncPoller<CertificateOperation, KeyVaultCertificateWithPolicy> poller =
                client.beginCreateCertificate(name, policy("Self", name));
        poller.setPollInterval(Duration.ofMillis(100));
        int before;
        synchronized (SENT) {
            before = SENT.size();
        }
        PollResponse<CertificateOperation> end = poller.waitForCompletion(Duration.ofSeconds(20));
        equal("Self create: waitForCompletion ends completed", end.getStatus(),
                LongRunningOperationStatus.SUCCESSFULLY_COMPLETED);
        long polls;
        synchronized (SENT) {
            polls = SENT.subList(before, SENT.size()).stream()
                    .filter(x -> x.method().equals("GET") && x.path().equals("/certificates/" + name + "/pending"))
                    .count();
        }
        ok("Self create: the poller polled GET …/pending", polls >= 1, polls);
        KeyVaultCertificateWithPolicy cert = poller.getFinalResult();
        equal("Self create: certificate is enabled", cert.getProperties().isEnabled(), true);
        X509Certificate parsed = parse(cert.getCer());
        equal("Self create: subject from the policy", parsed.getSubjectX500Principal().getName(), "CN=" + name);
        equal("Self create: self-issued", parsed.getIssuerX500Principal(), parsed.getSubjectX500Principal());
        parsed.verify(parsed.getPublicKey());
        ok("Self create: self-signed", true, "");
        CertificateOperation op = client.getCertificateOperation(name).poll().getValue();
        equal("Self create: operation completed", op.getStatus(), "completed");
        equal("Self create: target", op.getTarget(), url + "/certificates/" + name);
    }

    static void cancelAndDelete(CertificateClient client, String name) {
        client.beginCreateCertificate(name, policy("Unknown", name));
        CertificateOperation cancelled = client.cancelCertificateOperation(name);
        equal("cancel: PATCH …/pending → 200", last("PATCH", "/certificates/" + name + "/pending"), 200);
        equal("cancel: cancellation_requested", cancelled.getCancellationRequested(), true);
        equal("cancel: a manual operation stays inProgress", cancelled.getStatus(), "inProgress");
        equal("cancel: status_details unchanged", cancelled.getStatusDetails(), DETAILS_MANUAL);

        CertificateOperation deleted = client.deleteCertificateOperation(name);
        equal("delete operation: echoes the operation", deleted.getCancellationRequested(), true);
        equal("delete operation: echoes status_details", deleted.getStatusDetails(), DETAILS_MANUAL);
        var e = throwsStatus("get operation after delete → 404", 404,
                () -> client.getCertificateOperation(name).poll());
        if (e != null) {
            ok("404 code", e.getMessage().contains("PendingCertificateNotFound"), e.getMessage());
        }
    }

    static void providerIssuerRefusesMerge(CertificateClient client, String name, String issuer) throws Exception {
        var stored = client.createIssuer(new CertificateIssuer(issuer, "DigiCert")
                .setAccountId("fake-account")
                .setPassword("fake-password")
                .setOrganizationId("fake-org")
                .setAdministratorContacts(List.of(new AdministratorContact()
                        .setFirstName("Ada").setLastName("Lovelace").setEmail("ada@example.com").setPhone("555"))));
        equal("createIssuer: provider", stored.getProvider(), "DigiCert");
        var got = client.getIssuer(issuer);
        equal("getIssuer: provider", got.getProvider(), "DigiCert");
        equal("getIssuer: account id", got.getAccountId(), "fake-account");

        client.beginCreateCertificate(name, policy(issuer, name));
        CertificateOperation op = client.getCertificateOperation(name).poll().getValue();
        equal("provider create: issuer", op.getIssuerName(), issuer);
        equal("provider create: inProgress", op.getStatus(), "inProgress");

        List<byte[]> chain = sign(op.getCsr(), name);
        var e = throwsStatus("merge on a provider-issuer operation in progress → 403", 403,
                () -> client.mergeCertificate(new MergeCertificateOptions(name, chain)));
        if (e != null) {
            ok("403 message names the issuer", e.getMessage().contains("issuer : " + issuer), e.getMessage());
        }
    }

    /** Imports a PKCS#12 (made by openssl from a self-signed certificate and its key). */
    static void importPfx(CertificateClient client, String name) throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".pem", "-days", "30", "-subj", "/CN=" + name,
                "-addext", "subjectAltName=DNS:" + name + ".example.com");
        openssl("pkcs12", "-export", "-in", name + ".pem", "-inkey", name + ".key", "-out", name + ".pfx",
                "-passout", "pass:kvconform");
        openssl("x509", "-in", name + ".pem", "-outform", "DER", "-out", name + ".der");
        byte[] der = Files.readAllBytes(work.resolve(name + ".der"));
        byte[] pfx = Files.readAllBytes(work.resolve(name + ".pfx"));

        var imported = client.importCertificate(new ImportCertificateOptions(name, pfx)
                .setPassword("kvconform")
                .setPolicy(new CertificatePolicy("Unknown", "CN=" + name).setContentType(CertificateContentType.PKCS12)));
        ok("import: cer is the imported certificate", Arrays.equals(imported.getCer(), der),
                imported.getCer() == null ? null : imported.getCer().length + " bytes");
        equal("import: enabled", imported.getProperties().isEnabled(), true);
        equal("import: x5t", imported.getProperties().getX509ThumbprintAsString(), sha1Hex(der));
        ok("import: versioned id", HEX32.matcher(Objects.toString(imported.getProperties().getVersion())).matches(),
                imported.getId());
        equal("import: policy content type", imported.getPolicy().getContentType(), CertificateContentType.PKCS12);
        var got = client.getCertificate(name);
        equal("get imported: same version", got.getProperties().getVersion(), imported.getProperties().getVersion());
        ok("get imported: same cer", Arrays.equals(got.getCer(), der), "differs");
    }

    static Set<String> listed(CertificateClient client, boolean includePending) {
        return client.listPropertiesOfCertificates(includePending, Context.NONE).stream()
                .map(CertificateProperties::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    static void list(CertificateClient client, List<String> issued, String pending) {
        Set<String> all = listed(client, true);
        for (String n : issued) {
            ok("list (includePending): has " + n, all.contains(n), "not listed");
        }
        ok("list (includePending): has the pending " + pending, all.contains(pending), "not listed");
        Set<String> plain = listed(client, false);
        for (String n : issued) {
            ok("list: has " + n, plain.contains(n), "not listed");
        }
        ok("list: leaves out the pending " + pending, !plain.contains(pending), "listed");
    }

    static void deleteAndPurge(CertificateClient client, String url, String name) {
        SyncPoller<DeletedCertificate, Void> poller = client.beginDeleteCertificate(name);
        poller.setPollInterval(Duration.ofMillis(200));
        DeletedCertificate deleted = poller.poll().getValue();
        PollResponse<DeletedCertificate> end = poller.waitForCompletion(Duration.ofSeconds(20));
        equal("delete: the poller completes", end.getStatus(), LongRunningOperationStatus.SUCCESSFULLY_COMPLETED);
        equal("delete: recoveryId", deleted.getRecoveryId(), url + "/deletedcertificates/" + name);
        ok("delete: deletedOn and scheduledPurgeDate", deleted.getDeletedOn() != null
                && deleted.getScheduledPurgeDate() != null
                && deleted.getScheduledPurgeDate().isAfter(deleted.getDeletedOn()),
                deleted.getDeletedOn() + " / " + deleted.getScheduledPurgeDate());
        throwsStatus("get after delete → 404", 404, () -> client.getCertificate(name));
        equal("get deleted: recoveryId", client.getDeletedCertificate(name).getRecoveryId(), deleted.getRecoveryId());
        ok("list deleted: has " + name, client.listDeletedCertificates().stream()
                .anyMatch(d -> name.equals(d.getName())), "not listed");

        var purged = client.purgeDeletedCertificateWithResponse(name, Context.NONE);
        equal("purge: 204", purged.getStatusCode(), 204);
        throwsStatus("get deleted after purge → 404", 404, () -> client.getDeletedCertificate(name));
    }

    // -----------------------------------------------------------------------------------------

    public static void main(String[] args) throws Exception {
        String url = System.getenv("KVCONFORM_SDK_URL");
        String ca = System.getenv("KVCONFORM_SDK_CA");
        String token = System.getenv("KVCONFORM_SDK_TOKEN");
        String api = System.getenv("KVCONFORM_SDK_API_VERSION");
        if (url == null || ca == null || token == null) {
            System.out.println("FAIL: KVCONFORM_SDK_URL, KVCONFORM_SDK_CA and KVCONFORM_SDK_TOKEN must be set"
                    + " (tests/sdk/run-java.sh sets them)");
            System.out.println("sdk-java: 0 passed, 1 failed");
            System.exit(1);
        }
        url = url.replaceAll("/$", "");
        work = Files.createTempDirectory("kvconform-sdk-java");
        trust(Path.of(ca), work);
        makeCa();

        TokenCredential credential = request -> {
            TOKEN_CALLS.incrementAndGet();
            return Mono.just(new AccessToken(token, OffsetDateTime.now().plusHours(1)));
        };
        var builder = new CertificateClientBuilder()
                .vaultUrl(url)
                .credential(credential)
                // The vault is not *.vault.azure.net: its challenge names https://vault.azure.net.
                .disableChallengeResourceVerification()
                .retryOptions(new RetryOptions(new FixedDelayOptions(1, Duration.ofMillis(100))))
                .addPolicy(new Recorder());
        if (api != null && !api.isEmpty()) {
            builder.serviceVersion(CertificateServiceVersion.valueOf(api));
        }
        CertificateClient client = builder.buildClient();

        String suffix = Long.toHexString(System.currentTimeMillis() % 100_000_000L);
        String manual = "sdkjava-manual-" + suffix, self = "sdkjava-self-" + suffix;
        String provider = "sdkjava-provider-" + suffix, imported = "sdkjava-import-" + suffix;
        final String u = url;
        step("401 challenge", () -> unauthenticatedRequestIsChallenged(u));
        step("manual lifecycle", () -> manualLifecycle(client, u, manual));
        step("Self issuer", () -> selfIssuedPolledToCompletion(client, u, self));
        step("cancel and delete", () -> cancelAndDelete(client, "sdkjava-cancel-" + suffix));
        step("provider issuer", () -> providerIssuerRefusesMerge(client, provider, "digicert-java-" + suffix));
        step("import", () -> importPfx(client, imported));
        step("list", () -> list(client, List.of(manual, self, imported), provider));
        step("delete and purge", () -> deleteAndPurge(client, u, imported));
        ok("the SDK asked the credential for a token", TOKEN_CALLS.get() >= 1, TOKEN_CALLS.get());

        Set<String> versions;
        synchronized (SENT) {
            versions = SENT.stream().map(x -> Objects.toString(x.apiVersion()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
        String sdkVersion = CertificateClient.class.getPackage().getImplementationVersion();
        System.out.println("sdk-java: azure-security-keyvault-certificates " + sdkVersion + ", api-version sent: "
                + String.join(", ", versions) + "; " + SENT.size() + " requests; java "
                + System.getProperty("java.version"));
        if (api != null && !api.isEmpty()) {
            equal("every request sent api-version " + CertificateServiceVersion.valueOf(api).getVersion(),
                    String.join(",", versions), CertificateServiceVersion.valueOf(api).getVersion());
        }
        System.out.println("sdk-java: " + passed + " passed, " + failed + " failed");
        System.exit(failed == 0 ? 0 : 1);
    }
}
