//! One recorded request/response pair, secrets redacted at capture time so nothing downstream
//! (reports, HAR, snapshots) can leak a token.

use std::time::{Duration, SystemTime};

use serde::Serialize;
use serde_json::Value;

/// What the runner asks to send.
#[derive(Clone, Debug, Default)]
pub struct HttpRequest {
    pub method: String,
    /// Path below the vault URL, starting with `/`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
    /// Attach the credential.
    pub auth: bool,
    /// Add `api-version`.
    pub api_version: bool,
}

impl HttpRequest {
    pub fn get(path: &str) -> HttpRequest {
        HttpRequest::new("GET", path)
    }

    pub fn new(method: &str, path: &str) -> HttpRequest {
        HttpRequest {
            method: method.into(),
            path: path.into(),
            auth: true,
            api_version: true,
            ..HttpRequest::default()
        }
    }

    pub fn with_json(mut self, body: &Value) -> HttpRequest {
        self.body = Some(body.to_string().into_bytes());
        self.headers
            .push(("content-type".into(), "application/json".into()));
        self
    }

    /// Safe to repeat after a 429/503 (POST and PATCH are not).
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self.method.as_str(),
            "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS"
        )
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RecordedRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// Whether a credential was attached (shown as `Authorization: Bearer [redacted]`).
    pub authorized: bool,
}

impl RecordedRequest {
    pub(crate) fn new(request: &HttpRequest, url: &str) -> RecordedRequest {
        RecordedRequest {
            method: request.method.clone(),
            url: url.to_string(),
            headers: request
                .headers
                .iter()
                .filter(|(k, _)| !k.eq_ignore_ascii_case("authorization"))
                .cloned()
                .collect(),
            body: request
                .body
                .as_ref()
                .map(|b| String::from_utf8_lossy(b).into_owned()),
            authorized: request.auth,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct RecordedResponse {
    pub status: u16,
    /// Lower-case names, in arrival order.
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// The body parsed as JSON, when it is JSON.
    #[serde(skip)]
    pub json: Option<Value>,
}

impl RecordedResponse {
    pub(crate) async fn read(
        mut response: reqwest::Response,
        limit: usize,
    ) -> Result<RecordedResponse, TransportError> {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let url = response.url().to_string();
        let mut bytes = Vec::new();
        loop {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > limit {
                        return Err(TransportError::TooLarge { url, limit });
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(TransportError::from_reqwest(&url, &e)),
            }
        }
        let body = String::from_utf8_lossy(&bytes).into_owned();
        let json = serde_json::from_slice(&bytes).ok();
        Ok(RecordedResponse {
            status,
            headers,
            body,
            json,
        })
    }

    /// First value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `Retry-After` in seconds, when present and numeric.
    pub fn retry_after(&self) -> Option<Duration> {
        let secs: f64 = self.header("retry-after")?.trim().parse().ok()?;
        (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs))
    }
}

/// A request and what came back.
#[derive(Clone, Debug, Serialize)]
pub struct Exchange {
    pub request: RecordedRequest,
    pub response: RecordedResponse,
    /// When the request was sent (wall clock, for HAR).
    #[serde(skip)]
    pub started: SystemTime,
    #[serde(skip)]
    pub elapsed: Duration,
}

impl Exchange {
    /// The exchange as text for failure messages: request line, headers, body (truncated).
    pub fn render(&self) -> String {
        let mut out = format!("> {} {}\n", self.request.method, self.request.url);
        if self.request.authorized {
            out.push_str("> authorization: Bearer [redacted]\n");
        }
        for (k, v) in &self.request.headers {
            out.push_str(&format!("> {k}: {v}\n"));
        }
        if let Some(body) = &self.request.body {
            out.push_str(&format!("> {}\n", truncate(body, 600)));
        }
        out.push_str(&format!("< {}\n", self.response.status));
        for (k, v) in &self.response.headers {
            out.push_str(&format!("< {k}: {v}\n"));
        }
        if !self.response.body.is_empty() {
            out.push_str(&format!("< {}\n", truncate(&self.response.body, 1500)));
        }
        out
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}… ({} bytes in all)", &text[..cut], text.len())
}

/// The request did not produce a response the checks can judge: a harness or network error,
/// never a conformance verdict.
#[derive(Debug, thiserror::Error, Clone)]
pub enum TransportError {
    #[error("cannot connect to {url}: {reason}")]
    Connect { url: String, reason: String },
    #[error("no response from {url} within the request timeout")]
    Timeout { url: String },
    #[error("response from {url} is larger than {limit} bytes")]
    TooLarge { url: String, limit: usize },
    #[error("{0}")]
    Other(String),
}

impl TransportError {
    pub(crate) fn from_reqwest(url: &str, err: &reqwest::Error) -> TransportError {
        let url = url.to_string();
        if err.is_timeout() {
            TransportError::Timeout { url }
        } else if err.is_connect() {
            TransportError::Connect {
                url,
                reason: error_chain(err),
            }
        } else {
            TransportError::Other(format!("request to {url} failed: {}", error_chain(err)))
        }
    }
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}
