//! The `api-version` query parameter: required on every request (after auth, before routing).

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::errors::KvError;
use super::http::query_of;
use super::quirks::Quirk;
use super::state::AppState;

/// The newest stable version (FACTS: source index).
pub(crate) const LATEST: &str = "2025-07-01";

pub(crate) async fn require_api_version(
    State(vault): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let query = match query_of(request.uri()) {
        Ok(q) => q,
        Err(e) => return e.into_response(),
    };
    match query.get("api-version") {
        None if vault.quirks.has(Quirk::ApiVersionOptional) => next.run(request).await,
        None => KvError::bad_parameter("The 'api-version' query parameter is missing.")
            .into_response(),
        Some(v) if is_supported(v) => next.run(request).await,
        Some(v) => KvError::bad_parameter(format!(
            "The specified version ({v}) is not recognized. Consider using the latest supported version ({LATEST})."
        ))
        .into_response(),
    }
}

/// 7.0–7.6 and the dated versions (2016-10-01, and 2025-06-01 onwards), each optionally with
/// `-preview` or `-preview.N`.
pub fn is_supported(version: &str) -> bool {
    let (base, suffix) = match version.find("-preview") {
        Some(i) => version.split_at(i),
        None => (version, ""),
    };
    suffix_ok(suffix) && (numbered_ok(base) || dated_ok(base))
}

fn suffix_ok(suffix: &str) -> bool {
    match suffix.strip_prefix("-preview") {
        None => suffix.is_empty(),
        Some("") => true,
        Some(rest) => rest
            .strip_prefix('.')
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())),
    }
}

fn numbered_ok(base: &str) -> bool {
    matches!(base, "7.0" | "7.1" | "7.2" | "7.3" | "7.4" | "7.5" | "7.6")
}

fn dated_ok(base: &str) -> bool {
    let parts: Vec<&str> = base.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return false;
    }
    let valid = match (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) {
        (Ok(y), Ok(m), Ok(d)) => {
            time::Month::try_from(m).is_ok_and(|m| time::Date::from_calendar_date(y, m, d).is_ok())
        }
        _ => false,
    };
    // Fixed-width digits compare correctly as strings.
    valid && (base == "2016-10-01" || base >= "2025-06-01")
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case("7.0", true)]
    #[case("7.4-preview.1", true)]
    #[case("7.6-preview.2", true)]
    #[case("7.6", true)]
    #[case("2025-07-01", true)]
    #[case("2026-04-01", true)]
    #[case("2026-03-01-preview", true)]
    #[case("2016-10-01", true)]
    #[case("7.7", false)]
    #[case("6.0", false)]
    #[case("2025-13-01", false)]
    #[case("2024-01-01", false)]
    #[case("7.4-previewx", false)]
    #[case("", false)]
    fn versions(#[case] v: &str, #[case] ok: bool) {
        assert_eq!(is_supported(v), ok, "{v}");
    }
}
