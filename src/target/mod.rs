//! The only place that talks HTTP to the target: one reqwest client, the credential, TLS
//! options, timeouts, size limits and retries on 429/503. It records exchanges and knows
//! nothing about pass or fail. The main type is [`Target`].
//!
//! A target is also the runner's transport: its wire is HTTP, or, for `--dry-run`, a
//! [`recording`] that answers every request without sending it. Keeping both behind the one
//! `Target::send` (an enum, not a trait: two variants, no boxing of async calls) is what lets
//! the dry run be the same runner, cleanup included, instead of a second copy of it.

pub mod azure;
mod exchange;
mod options;
pub mod pace;
mod recording;
pub(crate) mod resources;

pub use exchange::{Exchange, HttpRequest, RecordedRequest, RecordedResponse, TransportError};
pub use options::{Credential, TargetOptions};

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use recording::Recorder;

/// Largest response body read from a target; beyond it the step fails instead of eating memory.
pub const MAX_BODY: usize = 4 * 1024 * 1024;
/// Retries of a request answered 429, or of an idempotent one answered 503.
const MAX_RETRIES: u32 = 3;
/// The longest server-requested back-off honoured before a retry.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// A vault endpoint with everything needed to call it.
#[derive(Clone)]
pub struct Target {
    base: String,
    api_version: String,
    wire: Wire,
}

/// Where a target's requests go.
#[derive(Clone)]
enum Wire {
    Http(Http),
    /// Nowhere: written down and answered (`--dry-run`).
    Recording(Recorder),
}

#[derive(Clone)]
struct Http {
    client: reqwest::Client,
    credential: Credential,
    /// The request budget of a remote target (none for the embedded vault).
    pacer: Option<std::sync::Arc<pace::Pacer>>,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base", &self.base)
            .field("api_version", &self.api_version)
            .finish_non_exhaustive()
    }
}

impl Target {
    pub fn new(options: &TargetOptions) -> Result<Target, TransportError> {
        let client = options.client()?;
        let http = Http {
            client,
            credential: options.credential.clone(),
            pacer: None,
        };
        Ok(Target {
            base: options.url.trim_end_matches('/').to_string(),
            api_version: options.api_version.clone(),
            wire: Wire::Http(http),
        })
    }

    /// A target that sends nothing: every request is recorded and answered `200` with an
    /// empty body ([`Target::recorded`] returns them). `base` is what `{{vault}}` shows.
    pub fn recording(base: &str, api_version: &str) -> Target {
        Target {
            base: base.to_string(),
            api_version: api_version.to_string(),
            wire: Wire::Recording(Recorder::default()),
        }
    }

    /// Whether requests are only recorded: the runner then checks, waits for and computes
    /// nothing (see `run::step`).
    pub fn is_recording(&self) -> bool {
        matches!(self.wire, Wire::Recording(_))
    }

    /// The requests recorded since the last call, as the runner rendered them (empty for an
    /// HTTP target).
    pub fn recorded(&self) -> Vec<HttpRequest> {
        match &self.wire {
            Wire::Recording(recorder) => recorder.take(),
            Wire::Http(_) => Vec::new(),
        }
    }

    /// Spaces requests so that a run stays inside a real vault's throttling limits
    /// (see [`pace`]).
    pub fn paced(mut self) -> Target {
        if let Wire::Http(http) = &mut self.wire {
            http.pacer = Some(std::sync::Arc::new(pace::Pacer::new()));
        }
        self
    }

    /// The same target (client, credential, request budget) speaking another api-version.
    pub fn with_api_version(&self, api_version: &str) -> Target {
        Target {
            api_version: api_version.to_string(),
            ..self.clone()
        }
    }

    /// The vault URL without a trailing slash, as scenarios see it in `{{vault}}`.
    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn api_version(&self) -> &str {
        &self.api_version
    }

    /// Sends a request, retrying it on 429 and idempotent ones on 503 ([`retryable`]). Each attempt is appended to
    /// `log`; the last one is returned.
    pub async fn send(
        &self,
        request: &HttpRequest,
        log: &mut Vec<Exchange>,
    ) -> Result<Exchange, TransportError> {
        let mut attempt = 0;
        let mut challenged = false;
        loop {
            let exchange = self.send_once(request).await?;
            log.push(exchange.clone());
            let status = exchange.response.status;
            if status == 401 && request.auth && !challenged && self.relearn(&exchange).await {
                // The challenge named another resource: retry once with a token for it.
                challenged = true;
                continue;
            }
            if !retryable(status, request) || attempt >= MAX_RETRIES {
                return Ok(exchange);
            }
            attempt += 1;
            let wait = exchange
                .response
                .retry_after()
                .unwrap_or(Duration::from_secs(1 << attempt))
                .min(MAX_BACKOFF);
            tokio::time::sleep(wait).await;
        }
    }

    async fn send_once(&self, request: &HttpRequest) -> Result<Exchange, TransportError> {
        let url = self.url_for(request);
        let http = match &self.wire {
            Wire::Http(http) => http,
            Wire::Recording(recorder) => return Ok(recorder.answer(request, &url)),
        };
        if let Some(pacer) = &http.pacer {
            pacer.admit().await;
        }
        let method = reqwest::Method::from_bytes(request.method.as_bytes())
            .map_err(|_| TransportError::Other(format!("bad method {}", request.method)))?;
        let mut headers = HeaderMap::new();
        for (name, value) in &request.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| TransportError::Other(format!("bad header name {name:?}")))?;
            let value = HeaderValue::from_str(value)
                .map_err(|_| TransportError::Other(format!("bad header value for {name}")))?;
            headers.insert(name, value);
        }
        let token = match request.auth {
            true => http.credential.token().await?,
            false => None,
        };
        if let Some(token) = token {
            let value = HeaderValue::from_str(&format!("Bearer {token}"))
                .map_err(|_| TransportError::Other("token is not a valid header".into()))?;
            headers.insert(reqwest::header::AUTHORIZATION, value);
        }
        let mut builder = http.client.request(method, &url).headers(headers);
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let recorded = RecordedRequest::new(request, &url);
        let sent_at = std::time::SystemTime::now();
        let started = Instant::now();
        let response = builder
            .send()
            .await
            .map_err(|e| TransportError::from_reqwest(&url, &e))?;
        let response = RecordedResponse::read(response, MAX_BODY).await?;
        Ok(Exchange {
            request: recorded,
            response,
            started: sent_at,
            elapsed: started.elapsed(),
        })
    }

    fn url_for(&self, request: &HttpRequest) -> String {
        let mut query: Vec<(String, String)> = Vec::new();
        if request.api_version {
            query.push(("api-version".into(), self.api_version.clone()));
        }
        query.extend(request.query.iter().cloned());
        let mut url = format!("{}{}", self.base, request.path);
        if !query.is_empty() {
            let encoded = serde_urlencoded::to_string(&query).unwrap_or_default();
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&encoded);
        }
        url
    }

    /// One cheap request to tell "unreachable" apart from "answers" before any verdict.
    /// With Azure AD it goes without a token first, to learn the scope from the challenge.
    pub async fn probe(&self) -> Result<u16, TransportError> {
        let mut request = HttpRequest::get("/certificates");
        if let Wire::Http(Http {
            credential: Credential::Azure(auth),
            ..
        }) = &self.wire
            && !auth.has_scope().await
        {
            request.auth = false;
            let exchange = self.send_once(&request).await?;
            if let Some(challenge) = exchange.response.header("www-authenticate") {
                auth.learn_challenge(challenge).await;
            }
            request.auth = true;
        }
        Ok(self.send_once(&request).await?.response.status)
    }

    /// After a 401, takes the scope from its challenge; true when a retry could help.
    async fn relearn(&self, exchange: &Exchange) -> bool {
        match (&self.wire, exchange.response.header("www-authenticate")) {
            (
                Wire::Http(Http {
                    credential: Credential::Azure(auth),
                    ..
                }),
                Some(challenge),
            ) => auth.learn_challenge(challenge).await,
            _ => false,
        }
    }
}

/// Whether an answer is worth repeating the request for. A 429 is a refusal before any work
/// (Key Vault: "the request fails", and a throttled request does not count against the
/// limit), so even a create is repeated; a 503 may come after the work was done, so only
/// idempotent requests are.
fn retryable(status: u16, request: &HttpRequest) -> bool {
    match status {
        429 => true,
        503 => request.is_idempotent(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            path: "/certificates/c/create".into(),
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
            auth: true,
            api_version: true,
        }
    }

    #[test]
    fn throttling_repeats_any_request_unavailability_only_idempotent_ones() {
        assert!(retryable(429, &request("POST")));
        assert!(retryable(429, &request("GET")));
        assert!(retryable(503, &request("GET")));
        assert!(!retryable(503, &request("POST")));
        assert!(!retryable(503, &request("PATCH")));
        assert!(!retryable(500, &request("GET")));
        assert!(!retryable(409, &request("POST")));
    }
}
