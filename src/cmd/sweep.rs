//! `kvconform sweep`: leftovers of crashed or interrupted runs. Lists certificates (pending
//! ones included), deleted certificates and issuers whose names start with the prefix and
//! that are older than `--older-than`; removes them only with `--yes`. It never touches a
//! name without the prefix, and refuses an empty one.

use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use super::fail;
use crate::cli::SweepArgs;
use crate::connect::Connection;
use crate::exit;
use crate::target::resources::{self, Resource};
use crate::target::{HttpRequest, Target, TransportError};

/// Pages followed per listing, so a misbehaving target cannot loop forever.
const MAX_PAGES: usize = 1000;

/// Why the leftovers could not be listed.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("GET {path} answered {status}: {body}")]
    Status {
        path: String,
        status: u16,
        body: String,
    },
    #[error("GET {0}: the body is not JSON")]
    NotJson(String),
    #[error("nextLink {0} points outside the target")]
    Outside(String),
    /// The list path.
    #[error("{0}: more than {MAX_PAGES} pages")]
    TooManyPages(String),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Certificate,
    Deleted,
    Issuer,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Certificate => "certificate",
            Kind::Deleted => "deleted certificate",
            Kind::Issuer => "issuer",
        }
    }
}

/// One object left behind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Leftover {
    pub kind: Kind,
    pub name: String,
    /// Seconds since the epoch, from `attributes.created`.
    pub created: Option<i64>,
}

pub fn sweep(args: &SweepArgs) -> ExitCode {
    match super::runtime(None) {
        Ok(runtime) => runtime.block_on(sweep_inner(args)),
        Err(message) => fail(exit::HARNESS, &message),
    }
}

async fn sweep_inner(args: &SweepArgs) -> ExitCode {
    if args.prefix.trim().is_empty() {
        return fail(
            exit::USAGE,
            "--prefix must not be empty: sweep removes by prefix only",
        );
    }
    let mut connection = Connection::from(&args.connect);
    match crate::api_versions::parse_list(&connection.api_version).as_deref() {
        Ok([one]) => connection.api_version.clone_from(one),
        Ok(_) => {
            return fail(
                exit::USAGE,
                "sweep takes one --api-version (the objects are the same on every version)",
            );
        }
        Err(e) => return fail(exit::USAGE, e),
    }
    let target = match connection
        .credential()
        .and_then(|c| connection.target(args.target.clone(), c, None))
    {
        Ok(t) => t,
        Err(e) => return fail(exit::USAGE, &e),
    };
    if let Err(e) = target.probe().await {
        return fail(exit::HARNESS, format!("target unreachable: {e}"));
    }
    let found = match list_leftovers(&target, &args.prefix).await {
        Ok(found) => found,
        Err(e) => return fail(exit::HARNESS, &e),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let (old, young): (Vec<Leftover>, Vec<Leftover>) = found
        .into_iter()
        .partition(|l| is_old(l, now, args.older_than));
    let mut out = render_listing(&old, &young, now, args);
    let problems = match args.yes {
        true => remove(&target, &old).await,
        false => Vec::new(),
    };
    out.push_str(&render_removal(args.yes, &old, &problems));
    let _ = write!(std::io::stdout(), "{out}");
    ExitCode::from(if problems.is_empty() {
        exit::SUCCESS
    } else {
        exit::HARNESS
    })
}

/// What `--yes` removed, or how to remove what was listed.
fn render_removal(yes: bool, old: &[Leftover], problems: &[String]) -> String {
    let mut out = String::new();
    if yes {
        let _ = writeln!(
            out,
            "removed {} of {}",
            old.len() - problems.len(),
            old.len()
        );
        for problem in problems {
            let _ = writeln!(out, "  not removed: {problem}");
        }
    } else if !old.is_empty() {
        out.push_str("nothing removed: run again with --yes to remove them\n");
    }
    out
}

/// Old enough to remove. An object whose age is unknown is only taken with `--older-than 0s`.
pub fn is_old(leftover: &Leftover, now: i64, older_than: Duration) -> bool {
    match leftover.created {
        Some(created) => now.saturating_sub(created) >= older_than.as_secs() as i64,
        None => older_than.is_zero(),
    }
}

fn render_listing(old: &[Leftover], young: &[Leftover], now: i64, args: &SweepArgs) -> String {
    let mut out = format!(
        "{} leftover(s) named `{}*` older than {} on {}\n",
        old.len(),
        args.prefix,
        humantime::format_duration(args.older_than),
        args.target
    );
    let line = |out: &mut String, l: &Leftover| {
        let _ = writeln!(
            out,
            "  {:<20} {}  ({})",
            l.kind.as_str(),
            l.name,
            age(l, now)
        );
    };
    old.iter().for_each(|l| line(&mut out, l));
    if !young.is_empty() {
        let _ = writeln!(out, "{} younger one(s) kept:", young.len());
        young.iter().for_each(|l| line(&mut out, l));
    }
    out
}

fn age(leftover: &Leftover, now: i64) -> String {
    match leftover.created {
        Some(created) => {
            let secs = now.saturating_sub(created).max(0) as u64;
            format!(
                "created {} ago",
                humantime::format_duration(Duration::from_secs(secs))
            )
        }
        None => "age unknown".into(),
    }
}

/// Everything with the prefix: certificates (pending included), deleted ones, issuers.
pub async fn list_leftovers(target: &Target, prefix: &str) -> Result<Vec<Leftover>, ListError> {
    let mut out = Vec::new();
    let lists = [
        (Kind::Certificate, "/certificates", true),
        (Kind::Deleted, "/deletedcertificates", true),
        (Kind::Issuer, "/certificates/issuers", false),
    ];
    for (kind, path, pending) in lists {
        for item in list_all(target, path, pending).await? {
            let Some(name) = item_name(&item) else {
                continue;
            };
            if !name.starts_with(prefix) {
                continue;
            }
            let created = match kind {
                Kind::Issuer => issuer_created(target, &name).await,
                _ => created_of(&item),
            };
            out.push(Leftover {
                kind,
                name,
                created,
            });
        }
    }
    Ok(out)
}

/// Every item of a paged list, following `nextLink`.
async fn list_all(target: &Target, path: &str, pending: bool) -> Result<Vec<Value>, ListError> {
    let mut request = HttpRequest::get(path);
    if pending {
        request.query.push(("includePending".into(), "true".into()));
    }
    let mut items = Vec::new();
    for _ in 0..MAX_PAGES {
        let body = get_json(target, &request).await?;
        if let Some(value) = body.get("value").and_then(Value::as_array) {
            items.extend(value.iter().cloned());
        }
        match body.get("nextLink").and_then(Value::as_str) {
            Some(next) if !next.is_empty() => request = next_page(target, next)?,
            _ => return Ok(items),
        }
    }
    Err(ListError::TooManyPages(path.to_string()))
}

fn next_page(target: &Target, next: &str) -> Result<HttpRequest, ListError> {
    let rest = next
        .strip_prefix(target.base())
        .ok_or_else(|| ListError::Outside(next.to_string()))?;
    let mut request = HttpRequest::get(rest);
    request.api_version = false;
    Ok(request)
}

async fn get_json(target: &Target, request: &HttpRequest) -> Result<Value, ListError> {
    let mut log = Vec::new();
    let response = target.send(request, &mut log).await?.response;
    if response.status != 200 {
        return Err(ListError::Status {
            path: request.path.clone(),
            status: response.status,
            body: response.body,
        });
    }
    (response.json).ok_or_else(|| ListError::NotJson(request.path.clone()))
}

/// An issuer's creation time, from a GET of it: the list does not carry it. `None` when it
/// was removed meanwhile, or is unreadable: its age is unknown.
async fn issuer_created(target: &Target, name: &str) -> Option<i64> {
    let request = HttpRequest::get(&format!("/certificates/issuers/{name}"));
    let body = get_json(target, &request).await.ok()?;
    created_of(&body)
}

/// The last path segment of `id` (`…/certificates/NAME`, `…/certificates/issuers/NAME`).
fn item_name(item: &Value) -> Option<String> {
    let id = item.get("id")?.as_str()?;
    let name = id.trim_end_matches('/').rsplit('/').next()?;
    (!name.is_empty()).then(|| name.to_string())
}

fn created_of(item: &Value) -> Option<i64> {
    item.pointer("/attributes/created")?.as_i64()
}

/// Removes certificates first (pending op, certificate, purge), then deleted ones, then
/// issuers, which certificates may refer to. Returns what could not be removed.
async fn remove(target: &Target, leftovers: &[Leftover]) -> Vec<String> {
    let mut sorted: Vec<&Leftover> = leftovers.iter().collect();
    sorted.sort_by_key(|l| l.kind);
    let mut problems = Vec::new();
    let mut log = Vec::new();
    for leftover in sorted {
        let result = match leftover.kind {
            Kind::Certificate => {
                let certificate = Resource::Certificate(leftover.name.clone());
                resources::remove(target, &certificate, &mut log).await
            }
            Kind::Deleted => resources::purge(target, &leftover.name, &mut log).await,
            Kind::Issuer => {
                let issuer = Resource::Issuer(leftover.name.clone());
                resources::remove(target, &issuer, &mut log).await
            }
        };
        if let Err(e) = result {
            problems.push(format!("{} {}: {e}", leftover.kind.as_str(), leftover.name));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_and_ages_come_from_ids_and_attributes() {
        let item = json!({"id": "https://v.vault.azure.net/certificates/kvc-1-a", "attributes": {"created": 100}});
        assert_eq!(item_name(&item).as_deref(), Some("kvc-1-a"));
        assert_eq!(created_of(&item), Some(100));
        let issuer = json!({"id": "https://v/certificates/issuers/kvc-1-iss", "provider": "Test"});
        assert_eq!(item_name(&issuer).as_deref(), Some("kvc-1-iss"));
    }

    #[test]
    fn age_filter_keeps_young_and_unknown() {
        let at = |created| Leftover {
            kind: Kind::Certificate,
            name: "kvc-x".into(),
            created,
        };
        let hour = Duration::from_secs(3600);
        assert!(is_old(&at(Some(0)), 3600, hour));
        assert!(!is_old(&at(Some(1)), 3600, hour));
        assert!(!is_old(&at(None), 3600, hour));
        assert!(is_old(&at(None), 3600, Duration::ZERO));
    }
}
