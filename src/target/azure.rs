//! Azure AD tokens for `--auth azure`: a chain of azure_identity credentials (client secret
//! from `AZURE_TENANT_ID`/`AZURE_CLIENT_ID`/`AZURE_CLIENT_SECRET`, the Azure CLI, managed
//! identity), the scope learnt from the vault's 401 challenge, and the token cached until
//! shortly before it expires. The main type is [`AzureAuth`]; tokens never leave it except
//! into an `Authorization` header.

use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{AccessToken, TokenCredential};
use azure_identity::{AzureCliCredential, ClientSecretCredential, ManagedIdentityCredential};
use time::OffsetDateTime;
use tokio::sync::Mutex;

use super::TransportError;

/// The Key Vault audience, used when the target answers without a challenge.
pub const DEFAULT_RESOURCE: &str = "https://vault.azure.net";
/// A cached token is renewed this long before it expires.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// A token source for Azure AD with a learnt scope and a cached token.
pub struct AzureAuth {
    sources: Vec<(&'static str, Arc<dyn TokenCredential>)>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// `{resource}/.default`, from the 401 challenge.
    scope: Option<String>,
    cached: Option<Cached>,
    /// The source that answered last, tried first next time.
    preferred: Option<usize>,
}

struct Cached {
    scope: String,
    token: Arc<str>,
    expires_on: OffsetDateTime,
}

impl std::fmt::Debug for AzureAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.sources.iter().map(|(n, _)| *n).collect();
        f.debug_struct("AzureAuth")
            .field("sources", &names)
            .finish_non_exhaustive()
    }
}

impl AzureAuth {
    /// The default chain: client secret (when the three variables are set), Azure CLI,
    /// managed identity.
    pub fn from_environment() -> Result<AzureAuth, TransportError> {
        let mut sources: Vec<(&'static str, Arc<dyn TokenCredential>)> = Vec::new();
        if let Some(secret) = client_secret()? {
            sources.push(("client secret (AZURE_CLIENT_SECRET)", secret));
        }
        let cli = AzureCliCredential::new(None).map_err(setup_error)?;
        sources.push(("Azure CLI", cli));
        let managed = ManagedIdentityCredential::new(None).map_err(setup_error)?;
        sources.push(("managed identity", managed));
        Ok(AzureAuth::with_sources(sources))
    }

    /// A chain of given credentials, tried in order (tests use fakes).
    pub fn with_sources(sources: Vec<(&'static str, Arc<dyn TokenCredential>)>) -> AzureAuth {
        AzureAuth {
            sources,
            state: Mutex::new(State::default()),
        }
    }

    /// Learns the scope from a `WWW-Authenticate` challenge; returns whether it changed.
    pub async fn learn_challenge(&self, challenge: &str) -> bool {
        let Some(resource) = challenge_param(challenge, "resource")
            .or_else(|| challenge_param(challenge, "scope").map(strip_default))
        else {
            return false;
        };
        let scope = scope_for(&resource);
        let mut state = self.state.lock().await;
        if state.scope.as_deref() == Some(scope.as_str()) {
            return false;
        }
        state.scope = Some(scope);
        state.cached = None;
        true
    }

    /// Whether a scope was learnt from a challenge.
    pub async fn has_scope(&self) -> bool {
        self.state.lock().await.scope.is_some()
    }

    /// A valid token for the learnt scope (or the Key Vault default), from the cache when it
    /// is still fresh.
    pub async fn token(&self) -> Result<Arc<str>, TransportError> {
        let mut state = self.state.lock().await;
        let scope = state
            .scope
            .clone()
            .unwrap_or_else(|| scope_for(DEFAULT_RESOURCE));
        let renew_at = OffsetDateTime::now_utc() + RENEW_BEFORE;
        if let Some(cached) = &state.cached
            && cached.scope == scope
            && cached.expires_on > renew_at
        {
            return Ok(cached.token.clone());
        }
        let (index, access) = self.fetch(&scope, state.preferred).await?;
        let token: Arc<str> = Arc::from(access.token.secret());
        state.preferred = Some(index);
        state.cached = Some(Cached {
            scope,
            token: token.clone(),
            expires_on: access.expires_on,
        });
        Ok(token)
    }

    /// Asks each source in turn (the preferred one first); the errors of all are reported
    /// when none answers. azure_identity's errors describe the source, never a token.
    async fn fetch(
        &self,
        scope: &str,
        preferred: Option<usize>,
    ) -> Result<(usize, AccessToken), TransportError> {
        let mut order: Vec<usize> = (0..self.sources.len()).collect();
        if let Some(first) = preferred.filter(|i| *i < order.len()) {
            order.retain(|i| *i != first);
            order.insert(0, first);
        }
        let mut errors = Vec::new();
        for index in order {
            let (name, source) = &self.sources[index];
            match source.get_token(&[scope], None).await {
                Ok(token) => return Ok((index, token)),
                Err(err) => errors.push(format!("{name}: {}", first_line(&err.to_string()))),
            }
        }
        Err(TransportError::Other(format!(
            "--auth azure: no credential could get a token for {scope} ({})",
            errors.join("; ")
        )))
    }
}

fn client_secret() -> Result<Option<Arc<dyn TokenCredential>>, TransportError> {
    let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
    let (Some(tenant), Some(client), Some(secret)) = (
        var("AZURE_TENANT_ID"),
        var("AZURE_CLIENT_ID"),
        var("AZURE_CLIENT_SECRET"),
    ) else {
        return Ok(None);
    };
    let credential =
        ClientSecretCredential::new(&tenant, client, secret.into(), None).map_err(setup_error)?;
    Ok(Some(credential))
}

fn setup_error(err: azure_core::Error) -> TransportError {
    TransportError::Other(format!(
        "--auth azure: cannot set up the credential: {}",
        first_line(&err.to_string())
    ))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default()
}

/// `https://vault.azure.net` → `https://vault.azure.net/.default`.
pub fn scope_for(resource: &str) -> String {
    format!("{}/.default", resource.trim_end_matches('/'))
}

fn strip_default(scope: String) -> String {
    scope
        .strip_suffix("/.default")
        .map(str::to_string)
        .unwrap_or(scope)
}

/// A parameter of a `Bearer k="v", k2="v2"` challenge (keys case-insensitive).
pub fn challenge_param(challenge: &str, key: &str) -> Option<String> {
    let rest = challenge.trim();
    let rest = match rest.split_once(char::is_whitespace) {
        Some((scheme, params)) if scheme.eq_ignore_ascii_case("bearer") => params,
        _ => return None,
    };
    rest.split(',').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(key)
            .then(|| v.trim().trim_matches('"').to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct Fake {
        calls: AtomicUsize,
        lifetime: time::Duration,
        scopes: std::sync::Mutex<Vec<String>>,
        fail: bool,
    }

    impl Fake {
        fn new(lifetime_s: i64, fail: bool) -> Arc<Fake> {
            Arc::new(Fake {
                calls: AtomicUsize::new(0),
                lifetime: time::Duration::seconds(lifetime_s),
                scopes: std::sync::Mutex::new(Vec::new()),
                fail,
            })
        }
    }

    #[async_trait::async_trait]
    impl TokenCredential for Fake {
        async fn get_token(
            &self,
            scopes: &[&str],
            _: Option<azure_core::credentials::TokenRequestOptions<'_>>,
        ) -> azure_core::Result<AccessToken> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            self.scopes.lock().unwrap().push(scopes.join(" "));
            if self.fail {
                return Err(azure_core::Error::with_message(
                    azure_core::error::ErrorKind::Credential,
                    "not logged in",
                ));
            }
            Ok(AccessToken {
                token: format!("tok-{n}").into(),
                expires_on: OffsetDateTime::now_utc() + self.lifetime,
            })
        }
    }

    const CHALLENGE: &str = r#"Bearer authorization="https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000", resource="https://vault.azure.net""#;

    #[test]
    fn parses_the_key_vault_challenge() {
        assert_eq!(
            challenge_param(CHALLENGE, "resource").as_deref(),
            Some("https://vault.azure.net")
        );
        assert!(challenge_param("Basic realm=x", "resource").is_none());
        assert_eq!(
            scope_for("https://vault.azure.net/"),
            "https://vault.azure.net/.default"
        );
    }

    #[tokio::test]
    async fn caches_until_expiry_and_uses_the_challenge_scope() {
        let fake = Fake::new(3600, false);
        let auth = AzureAuth::with_sources(vec![("fake", fake.clone())]);
        assert!(auth.learn_challenge(CHALLENGE).await);
        assert_eq!(&*auth.token().await.unwrap(), "tok-0");
        assert_eq!(&*auth.token().await.unwrap(), "tok-0");
        assert_eq!(fake.calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            fake.scopes.lock().unwrap().as_slice(),
            ["https://vault.azure.net/.default"]
        );
        // A different resource invalidates the cache.
        assert!(!auth.learn_challenge(CHALLENGE).await);
        assert!(
            auth.learn_challenge(r#"Bearer resource="https://vault.azure.cn""#)
                .await
        );
        assert_eq!(&*auth.token().await.unwrap(), "tok-1");
    }

    #[tokio::test]
    async fn renews_a_token_about_to_expire() {
        let fake = Fake::new(60, false);
        let auth = AzureAuth::with_sources(vec![("fake", fake.clone())]);
        auth.token().await.unwrap();
        auth.token().await.unwrap();
        assert_eq!(fake.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn falls_through_the_chain_and_reports_every_source() {
        let broken = Fake::new(3600, true);
        let good = Fake::new(3600, false);
        let auth = AzureAuth::with_sources(vec![("cli", broken.clone()), ("mi", good.clone())]);
        assert_eq!(&*auth.token().await.unwrap(), "tok-0");
        let none = AzureAuth::with_sources(vec![("cli", broken.clone())]);
        let err = none.token().await.unwrap_err().to_string();
        assert!(err.contains("cli: not logged in"), "{err}");
    }

    #[tokio::test]
    async fn the_probe_learns_the_scope_from_the_vault_challenge() {
        use crate::target::{Credential, Target, TargetOptions};
        let config = crate::vault::VaultConfig {
            token: Some("tok-0".into()),
            key_pool: 0,
            ..Default::default()
        };
        let addr = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
        let vault = crate::vault::start(config, addr, false).await.unwrap();
        let fake = Fake::new(3600, false);
        let auth = Arc::new(AzureAuth::with_sources(vec![("fake", fake.clone())]));
        let target = Target::new(&TargetOptions {
            url: vault.url.clone(),
            api_version: "2025-07-01".into(),
            ca_cert: None,
            ca_pem: None,
            insecure: false,
            timeout: Duration::from_secs(10),
            credential: Credential::Azure(auth),
        })
        .unwrap();
        // Accepted only with the fake's first token, fetched for the challenge's scope.
        assert_eq!(target.probe().await.unwrap(), 200);
        assert_eq!(
            fake.scopes.lock().unwrap().as_slice(),
            ["https://vault.azure.net/.default"]
        );
    }
}
