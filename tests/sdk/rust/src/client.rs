//! The client under test (static token, the vault's CA, a recording policy) and a throwaway CA
//! that signs the vault's CSRs as a real issuer would.

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::http::policies::{Policy, PolicyResult};
use azure_core::http::{ClientOptions, Context, Request, RequestContent, RetryOptions, Transport};
use azure_core::time::{Duration, OffsetDateTime};
use azure_security_keyvault_certificates::models::{
    CertificatePolicy, CreateCertificateParameters, IssuerParameters, X509CertificateProperties,
};
use azure_security_keyvault_certificates::{CertificateClient, CertificateClientOptions};
use rcgen::{
    BasicConstraints, CertificateParams, CertificateSigningRequestParams, DnType, IsCa, Issuer,
    KeyPair,
};

use crate::Res;

#[derive(Debug)]
pub(crate) struct StaticToken {
    pub(crate) token: String,
    pub(crate) calls: AtomicUsize,
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
pub(crate) struct Exchange {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) api_version: String,
    pub(crate) status: u16,
}

#[derive(Debug, Default)]
pub(crate) struct Recorder {
    pub(crate) sent: Mutex<Vec<Exchange>>,
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
    pub(crate) fn last(&self, method: &str, path: &str) -> u16 {
        let sent = self.sent.lock().expect("recorder");
        sent.iter()
            .rev()
            .find(|x| x.method.eq_ignore_ascii_case(method) && x.path == path)
            .map_or(0, |x| x.status)
    }

    pub(crate) fn count(&self, method: &str, path: &str) -> usize {
        let sent = self.sent.lock().expect("recorder");
        sent.iter()
            .filter(|x| x.method.eq_ignore_ascii_case(method) && x.path == path)
            .count()
    }
}

pub(crate) struct Env {
    pub(crate) url: String,
    pub(crate) client: CertificateClient,
    pub(crate) cred: Arc<StaticToken>,
    pub(crate) rec: Arc<Recorder>,
    pub(crate) http: reqwest::Client,
}

pub(crate) fn setup() -> Res<Env> {
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

pub(crate) struct ThrowawayCa {
    pub(crate) issuer: Issuer<'static, KeyPair>,
    pub(crate) der: Vec<u8>,
}

impl ThrowawayCa {
    pub(crate) fn new() -> Res<Self> {
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
    pub(crate) fn sign(&self, csr_der: &[u8]) -> Res<Vec<Vec<u8>>> {
        let csr = CertificateSigningRequestParams::from_der(&csr_der.to_vec().into())?;
        let leaf = csr.signed_by(&self.issuer)?;
        Ok(vec![leaf.der().to_vec(), self.der.clone()])
    }
}

pub(crate) fn policy(issuer: &str, name: &str) -> CertificatePolicy {
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

pub(crate) fn create_params(
    issuer: &str,
    name: &str,
) -> Res<RequestContent<CreateCertificateParameters>> {
    Ok(CreateCertificateParameters {
        certificate_policy: Some(policy(issuer, name)),
        ..Default::default()
    }
    .try_into()?)
}
