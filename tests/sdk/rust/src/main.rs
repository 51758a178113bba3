//! The official Azure Rust SDK (`azure_security_keyvault_certificates`) against
//! `kvconform serve --tls --require-auth`.
//!
//! Built and run by tests/sdk/run-rust.sh, which passes the server in the environment:
//!
//! ```text
//! KVCONFORM_SDK_URL=https://127.0.0.1:PORT KVCONFORM_SDK_CA=ca.pem KVCONFORM_SDK_TOKEN=T \
//!   [KVCONFORM_SDK_API_VERSION=7.6] kvconform-sdk-rust
//! ```
//!
//! Each check prints `ok: …` or `FAIL: …`; an unexpected error fails the step it happened in
//! and the next step runs. The last line is `sdk-rust: N passed, M failed`; the exit code is 1
//! when anything failed (also when the environment is missing: it never passes by doing nothing).

use std::collections::BTreeSet;
use std::error::Error;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::poller::PollerOptions;
use azure_core::http::{ClientOptions, Context, Request, RequestContent, RetryOptions, Transport};
use azure_core::time::{Duration, OffsetDateTime};
use azure_security_keyvault_certificates::models::{
    AdministratorContact, CertificateClientCreateCertificateOptions,
    CertificateClientListCertificatePropertiesOptions, CertificatePolicy,
    CreateCertificateParameters, ImportCertificateParameters, IssuerCredentials, IssuerParameters,
    MergeCertificateParameters, OrganizationDetails, SecretProperties, SetIssuerParameters,
    UpdateCertificateOperationParameter, X509CertificateProperties,
};
use azure_security_keyvault_certificates::{
    CertificateClient, CertificateClientOptions, ResourceExt,
};
use futures_util::StreamExt;
use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DnType, IsCa, Issuer,
    KeyPair,
};
use sha1::{Digest, Sha1};

type Res<T = ()> = Result<T, Box<dyn Error>>;

/// FACTS.md cross-cutting: status_details of an inProgress manual operation.
const DETAILS_MANUAL: &str =
    "Pending certificate created. Please Perform Merge to complete the request.";

// ---------------------------------------------------------------------------------------------
// Checks

/// The checks of one step: lines are kept and printed when the step is merged, so that steps
/// running concurrently print in order.
#[derive(Default)]
struct Checks {
    passed: usize,
    failed: usize,
    lines: Vec<String>,
}

impl Checks {
    fn ok(&mut self, what: &str, cond: bool, detail: impl Debug) -> bool {
        if cond {
            self.passed += 1;
            self.lines.push(format!("ok: {what}"));
        } else {
            self.failed += 1;
            self.lines.push(format!("FAIL: {what}: {detail:?}"));
        }
        cond
    }

    fn equal<T: PartialEq + Debug>(&mut self, what: &str, actual: T, expected: T) -> bool {
        let cond = actual == expected;
        self.ok(what, cond, format!("expected {expected:?}, got {actual:?}"))
    }

    /// `result` must be an HTTP error with `status`; returns the response body.
    fn http_error<T: Debug>(
        &mut self,
        what: &str,
        result: azure_core::Result<T>,
        status: u16,
    ) -> Option<String> {
        match result {
            Ok(v) => {
                self.ok(what, false, format!("expected HTTP {status}, got {v:?}"));
                None
            }
            Err(e) => {
                let got = e.http_status().map(u16::from);
                let body = match e.kind() {
                    ErrorKind::HttpResponse {
                        raw_response: Some(raw),
                        ..
                    } => String::from_utf8_lossy(raw.body()).into_owned(),
                    _ => String::new(),
                };
                self.ok(
                    what,
                    got == Some(status),
                    format!("expected HTTP {status}, got {got:?}: {e}"),
                );
                Some(body)
            }
        }
    }

    /// Prints `other`'s lines and adds its counts.
    fn merge(&mut self, other: Checks) {
        for line in &other.lines {
            println!("{line}");
        }
        self.passed += other.passed;
        self.failed += other.failed;
    }
}

/// One step: an error it returns is one failed check (the other steps still run).
async fn step(name: &str, f: impl AsyncFnOnce(&mut Checks) -> Res) -> Checks {
    let started = Instant::now();
    let mut c = Checks::default();
    match f(&mut c).await {
        Ok(()) => c
            .lines
            .push(format!("step {name}: {} ms", started.elapsed().as_millis())),
        Err(e) => {
            c.failed += 1;
            c.lines.push(format!("FAIL: {name}: unexpected error: {e}"));
        }
    }
    c
}

fn sha1_hex(b: &[u8]) -> String {
    hex::encode(Sha1::digest(b))
}

// ---------------------------------------------------------------------------------------------
// The client: a fixed-token credential, the vault's CA, and a policy that records every request.

#[derive(Debug)]
struct StaticToken {
    token: String,
    calls: AtomicUsize,
}

#[async_trait::async_trait]
impl TokenCredential for StaticToken {
    async fn get_token(
        &self,
        _scopes: &[&str],
        _options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(AccessToken {
            token: self.token.clone().into(),
            expires_on: OffsetDateTime::now_utc() + Duration::hours(1),
        })
    }
}

#[derive(Debug, Clone)]
struct Exchange {
    method: String,
    path: String,
    api_version: String,
    status: u16,
}

#[derive(Debug, Default)]
struct Recorder {
    sent: Mutex<Vec<Exchange>>,
}

#[async_trait::async_trait]
impl Policy for Recorder {
    async fn send(
        &self,
        ctx: &Context,
        request: &mut Request,
        next: &[Arc<dyn Policy>],
    ) -> PolicyResult {
        let method = request.method().to_string();
        let url = request.url().clone();
        let response = next[0].send(ctx, request, &next[1..]).await;
        let status = response
            .as_ref()
            .map(|r| u16::from(r.status()))
            .unwrap_or(0);
        let api_version = url
            .query_pairs()
            .find(|(k, _)| k == "api-version")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        self.sent.lock().expect("recorder").push(Exchange {
            method,
            path: url.path().to_owned(),
            api_version,
            status,
        });
        response
    }
}

impl Recorder {
    /// The status of the last response to `method` on `path` (0: none).
    fn last(&self, method: &str, path: &str) -> u16 {
        let sent = self.sent.lock().expect("recorder");
        sent.iter()
            .rev()
            .find(|x| x.method.eq_ignore_ascii_case(method) && x.path == path)
            .map_or(0, |x| x.status)
    }

    fn count(&self, method: &str, path: &str) -> usize {
        let sent = self.sent.lock().expect("recorder");
        sent.iter()
            .filter(|x| x.method.eq_ignore_ascii_case(method) && x.path == path)
            .count()
    }
}

struct Env {
    url: String,
    client: CertificateClient,
    cred: Arc<StaticToken>,
    rec: Arc<Recorder>,
    http: reqwest::Client,
}

fn setup() -> Res<Env> {
    let var = |k: &str| {
        std::env::var(k).map_err(|_| format!("{k} must be set (tests/sdk/run-rust.sh sets it)"))
    };
    let url = var("KVCONFORM_SDK_URL")?.trim_end_matches('/').to_owned();
    let ca = std::fs::read(var("KVCONFORM_SDK_CA")?)?;
    let token = var("KVCONFORM_SDK_TOKEN")?;
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(&ca)?])
        .no_proxy()
        .timeout(std::time::Duration::from_secs(30))
        .build()?;
    let cred = Arc::new(StaticToken {
        token,
        calls: AtomicUsize::new(0),
    });
    let rec = Arc::new(Recorder::default());
    let mut options = CertificateClientOptions {
        client_options: ClientOptions {
            transport: Some(Transport::new(Arc::new(http.clone()))),
            per_try_policies: vec![rec.clone()],
            retry: RetryOptions::none(),
            ..ClientOptions::default()
        },
        // The vault is not *.vault.azure.net: its challenge names https://vault.azure.net.
        verify_challenge_resource: Some(false),
        ..CertificateClientOptions::default()
    };
    if let Ok(v) = std::env::var("KVCONFORM_SDK_API_VERSION")
        && !v.is_empty()
    {
        options.api_version = v;
    }
    let client = CertificateClient::new(&url, cred.clone(), Some(options))?;
    Ok(Env {
        url,
        client,
        cred,
        rec,
        http,
    })
}

// ---------------------------------------------------------------------------------------------
// A throwaway CA that signs the vault's CSRs as a real issuer would.

struct ThrowawayCa {
    issuer: Issuer<'static, KeyPair>,
    der: Vec<u8>,
}

impl ThrowawayCa {
    fn new() -> Res<Self> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params
            .distinguished_name
            .push(DnType::CommonName, "kvconform sdk-rust test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Self {
            issuer: Issuer::new(params, key),
            der: cert.der().to_vec(),
        })
    }

    /// [leaf DER, CA DER] for a DER PKCS#10 request (rcgen checks the request's signature).
    fn sign(&self, csr_der: &[u8]) -> Res<Vec<Vec<u8>>> {
        let csr = CertificateSigningRequestParams::from_der(&csr_der.to_vec().into())?;
        let leaf = csr.signed_by(&self.issuer)?;
        Ok(vec![leaf.der().to_vec(), self.der.clone()])
    }
}

fn policy(issuer: &str, name: &str) -> CertificatePolicy {
    CertificatePolicy {
        issuer_parameters: Some(IssuerParameters {
            name: Some(issuer.into()),
            ..Default::default()
        }),
        x509_certificate_properties: Some(X509CertificateProperties {
            subject: Some(format!("CN={name}")),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn create_params(issuer: &str, name: &str) -> Res<RequestContent<CreateCertificateParameters>> {
    Ok(CreateCertificateParameters {
        certificate_policy: Some(policy(issuer, name)),
        ..Default::default()
    }
    .try_into()?)
}

fn hex32(s: &str) -> bool {
    s.len() == 32
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

// ---------------------------------------------------------------------------------------------
// Steps

async fn unauthenticated_request_is_challenged(c: &mut Checks, e: &Env) -> Res {
    let res = e
        .http
        .get(format!("{}/certificates?api-version=2025-07-01", e.url))
        .send()
        .await?;
    c.equal(
        "a request without a token gets 401",
        res.status().as_u16(),
        401,
    );
    let challenge = res
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    c.ok(
        "the 401 carries the Bearer challenge",
        challenge.starts_with(r#"Bearer authorization="https://login.microsoftonline.com/"#)
            && challenge.ends_with(r#", resource="https://vault.azure.net""#),
        challenge,
    );
    Ok(())
}

async fn manual_lifecycle(c: &mut Checks, e: &Env, ca: &ThrowawayCa, name: &str) -> Res {
    // The poller's first item is the POST …/create answer; a manual operation never completes
    // by itself, so the poller is dropped after it.
    let mut poller =
        e.client
            .begin_create_certificate(name, create_params("Unknown", name)?, None)?;
    let first = poller.next().await.ok_or("the poller yielded nothing")??;
    c.equal("manual create: 202", u16::from(first.status()), 202);
    drop(poller);
    let created = first.into_model()?;
    c.equal(
        "manual create: status",
        created.status.as_deref(),
        Some("inProgress"),
    );
    let request_id = created.request_id.clone().unwrap_or_default();
    c.ok(
        "manual create: request_id is 32 lowercase hex",
        hex32(&request_id),
        &request_id,
    );

    let op = e
        .client
        .get_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "get operation: status",
        op.status.as_deref(),
        Some("inProgress"),
    );
    c.equal(
        "get operation: status_details",
        op.status_details.as_deref(),
        Some(DETAILS_MANUAL),
    );
    c.equal(
        "get operation: issuer",
        op.issuer_parameters
            .as_ref()
            .and_then(|i| i.name.as_deref()),
        Some("Unknown"),
    );
    c.equal(
        "get operation: cancellation_requested",
        op.cancellation_requested,
        Some(false),
    );
    c.equal(
        "get operation: same request_id",
        op.request_id.as_deref(),
        Some(request_id.as_str()),
    );
    c.equal(
        "get operation: id",
        op.id.clone(),
        Some(format!("{}/certificates/{name}/pending", e.url)),
    );
    let csr = op.csr.clone().unwrap_or_default();
    c.ok("get operation: csr present", !csr.is_empty(), csr.len());

    let disabled = e.client.get_certificate(name, None).await?.into_model()?;
    c.equal(
        "certificate made by create is disabled",
        disabled.attributes.as_ref().and_then(|a| a.enabled),
        Some(false),
    );
    c.ok(
        "certificate made by create has no cer",
        disabled.cer.as_ref().is_none_or(|b| b.is_empty()),
        disabled.cer.as_ref().map(Vec::len),
    );

    let mut again =
        e.client
            .begin_create_certificate(name, create_params("Unknown", name)?, None)?;
    let second = again.next().await.ok_or("the poller yielded nothing")?;
    if let Some(body) = c.http_error(
        "create again while in progress → 409",
        second.map(|r| r.status()),
        409,
    ) {
        c.ok(
            "409 message says why",
            body.contains("while a pending key vault certificate's status is inProgress"),
            &body,
        );
    }
    drop(again);

    let chain = ca.sign(&csr)?;
    let merged = e
        .client
        .merge_certificate(
            name,
            MergeCertificateParameters {
                x509_certificates: Some(chain.clone()),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    c.ok(
        "merge: certificate is the signed leaf",
        merged.cer.as_deref() == Some(chain[0].as_slice()),
        merged.cer.as_ref().map(Vec::len),
    );
    c.equal(
        "merge: certificate is enabled",
        merged.attributes.as_ref().and_then(|a| a.enabled),
        Some(true),
    );
    let version = merged.resource_id()?.version.unwrap_or_default();
    c.ok(
        "merge: versioned id",
        hex32(&version)
            && merged.id.as_deref()
                == Some(format!("{}/certificates/{name}/{version}", e.url).as_str()),
        &merged.id,
    );
    c.equal(
        "merge: kid",
        merged.kid.clone(),
        Some(format!("{}/keys/{name}/{version}", e.url)),
    );
    c.equal(
        "merge: sid",
        merged.sid.clone(),
        Some(format!("{}/secrets/{name}/{version}", e.url)),
    );
    c.equal(
        "merge: x5t is the SHA-1 of the leaf",
        merged.x509_thumbprint.as_deref().map(hex::encode),
        Some(sha1_hex(&chain[0])),
    );

    let done = e
        .client
        .get_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "operation after merge: status",
        done.status.as_deref(),
        Some("completed"),
    );
    c.equal(
        "operation after merge: target",
        done.target.clone(),
        Some(format!("{}/certificates/{name}", e.url)),
    );
    c.ok(
        "operation after merge: no status_details",
        done.status_details.as_deref().is_none_or(str::is_empty),
        &done.status_details,
    );

    let latest = e.client.get_certificate(name, None).await?.into_model()?;
    c.equal(
        "get certificate after merge: same version",
        latest.resource_id()?.version,
        Some(version),
    );
    Ok(())
}

async fn self_issued_polled_to_completion(c: &mut Checks, e: &Env, name: &str) -> Res {
    let options = CertificateClientCreateCertificateOptions {
        method_options: PollerOptions {
            frequency: Duration::seconds(1),
            ..Default::default()
        },
    };
    let poller =
        e.client
            .begin_create_certificate(name, create_params("Self", name)?, Some(options))?;
    // Bounded: the vault's Retry-After (10 s, as the service sends) paces the poller.
    let cert = tokio::time::timeout(
        std::time::Duration::from_secs(40),
        std::future::IntoFuture::into_future(poller),
    )
    .await
    .map_err(|_| "the poller did not complete in 40 s")??
    .into_model()?;
    let pending = format!("/certificates/{name}/pending");
    c.ok(
        "Self create: the poller polled GET …/pending",
        e.rec.count("GET", &pending) >= 1,
        e.rec.count("GET", &pending),
    );
    c.equal(
        "Self create: the poller read the target with 200",
        e.rec.last("GET", &format!("/certificates/{name}")),
        200,
    );
    c.equal(
        "Self create: certificate is enabled",
        cert.attributes.as_ref().and_then(|a| a.enabled),
        Some(true),
    );
    let der = cert.cer.clone().unwrap_or_default();
    let (_, parsed) = x509_parser::parse_x509_certificate(&der)?;
    c.equal(
        "Self create: subject from the policy",
        parsed.subject().to_string(),
        format!("CN={name}"),
    );
    c.equal(
        "Self create: self-issued",
        parsed.issuer().to_string(),
        parsed.subject().to_string(),
    );
    let op = e
        .client
        .get_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "Self create: operation completed",
        op.status.as_deref(),
        Some("completed"),
    );
    c.equal(
        "Self create: target",
        op.target.clone(),
        Some(format!("{}/certificates/{name}", e.url)),
    );
    Ok(())
}

async fn cancel_and_delete(c: &mut Checks, e: &Env, name: &str) -> Res {
    let mut poller =
        e.client
            .begin_create_certificate(name, create_params("Unknown", name)?, None)?;
    poller.next().await.ok_or("the poller yielded nothing")??;
    drop(poller);
    let cancelled = e
        .client
        .update_certificate_operation(
            name,
            UpdateCertificateOperationParameter {
                cancellation_requested: Some(true),
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    c.equal(
        "cancel: PATCH …/pending → 200",
        e.rec
            .last("PATCH", &format!("/certificates/{name}/pending")),
        200,
    );
    c.equal(
        "cancel: cancellation_requested",
        cancelled.cancellation_requested,
        Some(true),
    );
    c.equal(
        "cancel: a manual operation stays inProgress",
        cancelled.status.as_deref(),
        Some("inProgress"),
    );
    c.equal(
        "cancel: status_details unchanged",
        cancelled.status_details.as_deref(),
        Some(DETAILS_MANUAL),
    );

    let deleted = e
        .client
        .delete_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "delete operation: echoes the operation",
        deleted.cancellation_requested,
        Some(true),
    );
    c.equal(
        "delete operation: echoes status_details",
        deleted.status_details.as_deref(),
        Some(DETAILS_MANUAL),
    );
    let after = e.client.get_certificate_operation(name, None).await;
    if let Some(body) = c.http_error(
        "get operation after delete → 404",
        after.map(|r| r.status()),
        404,
    ) {
        c.ok(
            "404 code",
            body.contains("\"PendingCertificateNotFound\""),
            &body,
        );
    }
    Ok(())
}

async fn provider_issuer_refuses_merge(
    c: &mut Checks,
    e: &Env,
    ca: &ThrowawayCa,
    name: &str,
    issuer: &str,
) -> Res {
    let stored = e
        .client
        .set_issuer(
            issuer,
            SetIssuerParameters {
                provider: Some("DigiCert".into()),
                credentials: Some(IssuerCredentials {
                    account_id: Some("fake-account".into()),
                    password: Some("fake-password".into()),
                }),
                organization_details: Some(OrganizationDetails {
                    id: Some("fake-org".into()),
                    admin_contacts: Some(vec![AdministratorContact {
                        first_name: Some("Ada".into()),
                        last_name: Some("Lovelace".into()),
                        email: Some("ada@example.com".into()),
                        phone: Some("555".into()),
                    }]),
                }),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    c.equal(
        "set issuer: provider",
        stored.provider.as_deref(),
        Some("DigiCert"),
    );
    let got = e.client.get_issuer(issuer, None).await?.into_model()?;
    c.equal(
        "get issuer: provider",
        got.provider.as_deref(),
        Some("DigiCert"),
    );
    c.equal(
        "get issuer: account id",
        got.credentials
            .as_ref()
            .and_then(|x| x.account_id.as_deref()),
        Some("fake-account"),
    );

    let mut poller = e
        .client
        .begin_create_certificate(name, create_params(issuer, name)?, None)?;
    poller.next().await.ok_or("the poller yielded nothing")??;
    drop(poller);
    let op = e
        .client
        .get_certificate_operation(name, None)
        .await?
        .into_model()?;
    c.equal(
        "provider create: issuer",
        op.issuer_parameters
            .as_ref()
            .and_then(|i| i.name.as_deref()),
        Some(issuer),
    );
    c.equal(
        "provider create: inProgress",
        op.status.as_deref(),
        Some("inProgress"),
    );

    let chain = ca.sign(op.csr.as_deref().unwrap_or_default())?;
    let merge = e
        .client
        .merge_certificate(
            name,
            MergeCertificateParameters {
                x509_certificates: Some(chain),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await;
    if let Some(body) = c.http_error(
        "merge on a provider-issuer operation in progress → 403",
        merge.map(|r| r.status()),
        403,
    ) {
        c.ok(
            "403 message names the issuer",
            body.contains(&format!("issuer : {issuer}")),
            &body,
        );
    }
    Ok(())
}

/// Imports a self-signed certificate and its PKCS#8 key as PEM text.
async fn import_pem(c: &mut Checks, e: &Env, name: &str) -> Res {
    let key = KeyPair::generate()?;
    let mut params = CertificateParams::new(vec![format!("{name}.example.com")])?;
    params.distinguished_name.push(DnType::CommonName, name);
    let cert = params.self_signed(&key)?;
    let der = cert.der().to_vec();
    let imported = e
        .client
        .import_certificate(
            name,
            ImportCertificateParameters {
                base64_encoded_certificate: Some(format!("{}{}", cert.pem(), key.serialize_pem())),
                certificate_policy: Some(CertificatePolicy {
                    secret_properties: Some(SecretProperties {
                        content_type: Some("application/x-pem-file".into()),
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }
            .try_into()?,
            None,
        )
        .await?
        .into_model()?;
    c.ok(
        "import: cer is the imported certificate",
        imported.cer.as_deref() == Some(der.as_slice()),
        imported.cer.as_ref().map(Vec::len),
    );
    c.equal(
        "import: enabled",
        imported.attributes.as_ref().and_then(|a| a.enabled),
        Some(true),
    );
    c.equal(
        "import: x5t",
        imported.x509_thumbprint.as_deref().map(hex::encode),
        Some(sha1_hex(&der)),
    );
    let version = imported.resource_id()?.version.unwrap_or_default();
    c.ok("import: versioned id", hex32(&version), &imported.id);
    c.equal(
        "import: policy content type",
        imported
            .policy
            .as_ref()
            .and_then(|p| p.secret_properties.as_ref())
            .and_then(|s| s.content_type.as_deref()),
        Some("application/x-pem-file"),
    );
    let got = e.client.get_certificate(name, None).await?.into_model()?;
    c.equal(
        "get imported: same version",
        got.resource_id()?.version,
        Some(version),
    );
    c.ok(
        "get imported: same cer",
        got.cer.as_deref() == Some(der.as_slice()),
        "differs",
    );
    Ok(())
}

async fn listed(e: &Env, include_pending: bool) -> Res<BTreeSet<String>> {
    let mut pager = e.client.list_certificate_properties(Some(
        CertificateClientListCertificatePropertiesOptions {
            include_pending: Some(include_pending),
            ..Default::default()
        },
    ))?;
    let mut names = BTreeSet::new();
    while let Some(item) = pager.next().await {
        names.insert(item?.resource_id()?.name);
    }
    Ok(names)
}

async fn list(c: &mut Checks, e: &Env, issued: &[&str], pending: &str) -> Res {
    let all = listed(e, true).await?;
    for n in issued {
        c.ok(
            &format!("list (includePending): has {n}"),
            all.contains(*n),
            "not listed",
        );
    }
    c.ok(
        &format!("list (includePending): has the pending {pending}"),
        all.contains(pending),
        "not listed",
    );
    let plain = listed(e, false).await?;
    for n in issued {
        c.ok(&format!("list: has {n}"), plain.contains(*n), "not listed");
    }
    c.ok(
        &format!("list: leaves out the pending {pending}"),
        !plain.contains(pending),
        "listed",
    );
    Ok(())
}

async fn delete_and_purge(c: &mut Checks, e: &Env, name: &str) -> Res {
    let deleted = e
        .client
        .delete_certificate(name, None)
        .await?
        .into_model()?;
    c.equal(
        "delete: recoveryId",
        deleted.recovery_id.clone(),
        Some(format!("{}/deletedcertificates/{name}", e.url)),
    );
    c.ok(
        "delete: deletedDate and scheduledPurgeDate",
        matches!((deleted.deleted_date, deleted.scheduled_purge_date), (Some(d), Some(p)) if p > d),
        (deleted.deleted_date, deleted.scheduled_purge_date),
    );
    let after = e.client.get_certificate(name, None).await;
    c.http_error("get after delete → 404", after.map(|r| r.status()), 404);

    // The service deletes in the background: wait (bounded) for the deleted certificate.
    let mut got = e.client.get_deleted_certificate(name, None).await;
    for _ in 0..50 {
        if got.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        got = e.client.get_deleted_certificate(name, None).await;
    }
    let got = got?.into_model()?;
    c.equal(
        "get deleted: recoveryId",
        got.recovery_id,
        deleted.recovery_id,
    );
    let mut pager = e.client.list_deleted_certificate_properties(None)?;
    let mut found = false;
    while let Some(item) = pager.next().await {
        found |= item?.resource_id()?.name == name;
    }
    c.ok(&format!("list deleted: has {name}"), found, "not listed");

    let purged = e.client.purge_deleted_certificate(name, None).await?;
    c.equal("purge: 204", u16::from(purged.status()), 204);
    let mut after = e
        .client
        .get_deleted_certificate(name, None)
        .await
        .map(|r| r.status());
    for _ in 0..50 {
        if after.is_err() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        after = e
            .client
            .get_deleted_certificate(name, None)
            .await
            .map(|r| r.status());
    }
    c.http_error("get deleted after purge → 404", after, 404);
    Ok(())
}

// ---------------------------------------------------------------------------------------------

#[tokio::main]
async fn main() {
    let mut c = Checks::default();
    let (e, ca) = match setup().and_then(|e| Ok((e, ThrowawayCa::new()?))) {
        Ok(x) => x,
        Err(err) => {
            println!("FAIL: setup: {err}");
            println!("sdk-rust: 0 passed, 1 failed");
            std::process::exit(1);
        }
    };
    let millis = OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000 % 100_000_000;
    let suffix = format!("{millis:x}");
    let manual = format!("sdkrust-manual-{suffix}");
    let selfie = format!("sdkrust-self-{suffix}");
    let provider = format!("sdkrust-provider-{suffix}");
    let imported = format!("sdkrust-import-{suffix}");

    c.merge(
        step("401 challenge", async |c| {
            unauthenticated_request_is_challenged(c, &e).await
        })
        .await,
    );
    // azure_core's poller sleeps the vault's Retry-After (10 s, as the service sends) before it
    // yields an in-progress status, so every create costs 10 s: the four creating steps run
    // concurrently (different certificate names), as an application may.
    let cancel = format!("sdkrust-cancel-{suffix}");
    let issuer = format!("digicert-rust-{suffix}");
    let (a, b, d, f) = tokio::join!(
        step("manual lifecycle", async |c| manual_lifecycle(
            c, &e, &ca, &manual
        )
        .await),
        step("Self issuer", async |c| self_issued_polled_to_completion(
            c, &e, &selfie
        )
        .await),
        step("cancel and delete", async |c| cancel_and_delete(
            c, &e, &cancel
        )
        .await),
        step("provider issuer", async |c| {
            provider_issuer_refuses_merge(c, &e, &ca, &provider, &issuer).await
        }),
    );
    for s in [a, b, d, f] {
        c.merge(s);
    }
    c.merge(step("import", async |c| import_pem(c, &e, &imported).await).await);
    c.merge(
        step("list", async |c| {
            list(c, &e, &[&manual, &selfie, &imported], &provider).await
        })
        .await,
    );
    c.merge(
        step("delete and purge", async |c| {
            delete_and_purge(c, &e, &imported).await
        })
        .await,
    );
    let calls = e.cred.calls.load(Ordering::SeqCst);
    c.ok(
        "the SDK asked the credential for a token",
        calls >= 1,
        calls,
    );
    let tail = std::mem::take(&mut c.lines);
    tail.iter().for_each(|l| println!("{l}"));

    let sent = e.rec.sent.lock().expect("recorder").clone();
    let versions: BTreeSet<&str> = sent.iter().map(|x| x.api_version.as_str()).collect();
    let versions: Vec<&str> = versions.into_iter().collect();
    println!(
        "sdk-rust: api-version sent: {}; {} requests",
        versions.join(", "),
        sent.len()
    );
    if let Ok(v) = std::env::var("KVCONFORM_SDK_API_VERSION")
        && !v.is_empty()
    {
        c.equal(
            &format!("every request sent api-version {v}"),
            versions.join(","),
            v.clone(),
        );
        c.lines.iter().for_each(|l| println!("{l}"));
    }
    println!("sdk-rust: {} passed, {} failed", c.passed, c.failed);
    std::process::exit(if c.failed == 0 { 0 } else { 1 });
}
