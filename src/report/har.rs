//! `--har FILE`: every exchange of every scenario (steps, retries, polls and cleanup) as
//! HAR 1.2, one page per scenario. Exchanges are redacted at capture, so an attached
//! credential shows as `Bearer [redacted]`.

use std::path::Path;
use std::time::SystemTime;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::run::ScenarioReport;
use crate::target::Exchange;

/// The HAR document of a run.
pub fn render_har(reports: &[ScenarioReport]) -> Value {
    let pages: Vec<Value> = reports
        .iter()
        .map(|r| {
            let started = r.exchanges.first().map(|e| e.started);
            json!({
                "startedDateTime": timestamp(started.unwrap_or_else(SystemTime::now)),
                "id": r.id,
                "title": format!("{} ({})", r.id, r.outcome.as_str()),
                "pageTimings": {},
            })
        })
        .collect();
    let entries: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.exchanges.iter().map(move |e| entry(&r.id, e)))
        .collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": { "name": "kvconform", "version": env!("CARGO_PKG_VERSION") },
            "pages": pages,
            "entries": entries,
        }
    })
}

pub fn write_har(path: &Path, reports: &[ScenarioReport]) -> std::io::Result<()> {
    let mut text =
        serde_json::to_string_pretty(&render_har(reports)).map_err(std::io::Error::other)?;
    text.push('\n');
    std::fs::write(path, text)
}

fn entry(page: &str, exchange: &Exchange) -> Value {
    let request = &exchange.request;
    let response = &exchange.response;
    let ms = exchange.elapsed.as_secs_f64() * 1000.0;
    let mut request_headers: Vec<Value> = Vec::new();
    if request.authorized {
        request_headers.push(pair("authorization", "Bearer [redacted]"));
    }
    request_headers.extend(request.headers.iter().map(|(k, v)| pair(k, v)));
    let mut har_request = json!({
        "method": request.method,
        "url": request.url,
        "httpVersion": "HTTP/1.1",
        "cookies": [],
        "headers": request_headers,
        "queryString": query_string(&request.url),
        "headersSize": -1,
        "bodySize": request.body.as_ref().map_or(0, |b| b.len() as i64),
    });
    if let Some(body) = &request.body {
        let mime = header(&request.headers, "content-type").unwrap_or("application/json");
        har_request["postData"] = json!({ "mimeType": mime, "text": body });
    }
    let mime = response.header("content-type").unwrap_or("");
    json!({
        "pageref": page,
        "startedDateTime": timestamp(exchange.started),
        "time": ms,
        "request": har_request,
        "response": {
            "status": response.status,
            "statusText": reason(response.status),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": response.headers.iter().map(|(k, v)| pair(k, v)).collect::<Vec<_>>(),
            "content": { "size": response.body.len(), "mimeType": mime, "text": response.body },
            "redirectURL": response.header("location").unwrap_or(""),
            "headersSize": -1,
            "bodySize": response.body.len(),
        },
        "cache": {},
        "timings": { "send": 0, "wait": ms, "receive": 0 },
    })
}

fn pair(name: &str, value: &str) -> Value {
    json!({ "name": name, "value": value })
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

fn query_string(url: &str) -> Vec<Value> {
    reqwest::Url::parse(url)
        .map(|u| u.query_pairs().map(|(k, v)| pair(&k, &v)).collect())
        .unwrap_or_default()
}

fn reason(status: u16) -> &'static str {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("")
}

fn timestamp(at: SystemTime) -> String {
    OffsetDateTime::from(at)
        .format(&Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}
