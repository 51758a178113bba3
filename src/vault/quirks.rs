//! Fault injection: switches that make the vault deviate from the real service in one
//! realistic way each, so that every conformance scenario can be shown to fail.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

/// One deviation from the real service. Names are kebab-case (`--quirk NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Quirk {
    OverwriteOnCreate,
    MergeWithIssuerAllowed,
    IgnoreRequestId,
    LateCancelAllowed,
    PascalInProgress,
    CanceledSpelling,
    StatusDetailsOnCompleted,
    TargetWithQuery,
    PendingGoneAfterMerge,
    NoMergeKeyCheck,
    NoLocation,
    NoRetryAfter,
    DashedRequestId,
    FlatErrorBody,
    WrongNotFoundCode,
    Cancel400,
    SelfNeverCompletes,
    CamelCaseRequestId,
    RetryAfterOnTerminal,
    NoAuthChallenge,
    FailedWithStatusDetails,
    ConflictCode,
    Merge200,
    CancelImmediately,
    ImportIgnoresPending,
    X5tPadded,
    TextPlainContentType,
    PendingNeverListed,
    PendingAlwaysListed,
    PendingCertificateNotFound,
    NoTrailingSlash,
    IssuedDespiteCancel,
    CreateOverDeleted,
    LenientSubject,
    UnknownIssuerManual,
    ShortCertNotFound,
    ApiVersionOptional,
    LocationDefaultApiVersion,
    BareChallenge,
    JsonWithoutCharset,
    UnversionedKid,
    LenientNames,
}

impl Quirk {
    /// Every quirk, in the order `--list-quirks` prints them.
    pub const ALL: [Quirk; 42] = [
        Quirk::OverwriteOnCreate,
        Quirk::MergeWithIssuerAllowed,
        Quirk::IgnoreRequestId,
        Quirk::LateCancelAllowed,
        Quirk::PascalInProgress,
        Quirk::CanceledSpelling,
        Quirk::StatusDetailsOnCompleted,
        Quirk::TargetWithQuery,
        Quirk::PendingGoneAfterMerge,
        Quirk::NoMergeKeyCheck,
        Quirk::NoLocation,
        Quirk::NoRetryAfter,
        Quirk::DashedRequestId,
        Quirk::FlatErrorBody,
        Quirk::WrongNotFoundCode,
        Quirk::Cancel400,
        Quirk::SelfNeverCompletes,
        Quirk::CamelCaseRequestId,
        Quirk::RetryAfterOnTerminal,
        Quirk::NoAuthChallenge,
        Quirk::FailedWithStatusDetails,
        Quirk::ConflictCode,
        Quirk::Merge200,
        Quirk::CancelImmediately,
        Quirk::ImportIgnoresPending,
        Quirk::X5tPadded,
        Quirk::TextPlainContentType,
        Quirk::PendingNeverListed,
        Quirk::PendingAlwaysListed,
        Quirk::PendingCertificateNotFound,
        Quirk::NoTrailingSlash,
        Quirk::IssuedDespiteCancel,
        Quirk::CreateOverDeleted,
        Quirk::LenientSubject,
        Quirk::UnknownIssuerManual,
        Quirk::ShortCertNotFound,
        Quirk::ApiVersionOptional,
        Quirk::LocationDefaultApiVersion,
        Quirk::BareChallenge,
        Quirk::JsonWithoutCharset,
        Quirk::UnversionedKid,
        Quirk::LenientNames,
    ];

    /// The kebab-case name used on the command line.
    pub fn name(self) -> &'static str {
        self.info().0
    }

    /// What the quirk changes, in one line.
    pub fn description(self) -> &'static str {
        self.info().1
    }

    fn info(self) -> (&'static str, &'static str) {
        match self {
            Quirk::OverwriteOnCreate => (
                "overwrite-on-create",
                "create while a pending op is inProgress replaces it (202, new request_id) instead of 409",
            ),
            Quirk::MergeWithIssuerAllowed => (
                "merge-with-issuer-allowed",
                "merge on an inProgress Self/provider op is accepted instead of 403 Forbidden",
            ),
            Quirk::IgnoreRequestId => (
                "ignore-request-id",
                "a non-matching request_id query on GET/PATCH/DELETE pending is ignored (200, not 404)",
            ),
            Quirk::LateCancelAllowed => (
                "late-cancel-allowed",
                "PATCH cancellation_requested on a terminal op returns 200 instead of 403",
            ),
            Quirk::PascalInProgress => (
                "pascal-in-progress",
                "status is spelled \"InProgress\" (the doc's spelling) instead of \"inProgress\"",
            ),
            Quirk::CanceledSpelling => (
                "canceled-spelling",
                "status is spelled \"canceled\" (the doc's spelling) instead of \"cancelled\"",
            ),
            Quirk::StatusDetailsOnCompleted => (
                "status-details-on-completed",
                "completed and cancelled ops keep their stale status_details",
            ),
            Quirk::TargetWithQuery => (
                "target-with-query",
                "target carries ?api-version=… (the doc's example) instead of the bare certificate URL",
            ),
            Quirk::PendingGoneAfterMerge => (
                "pending-gone-after-merge",
                "after a merge, GET pending returns 404 instead of 200 completed",
            ),
            Quirk::NoMergeKeyCheck => (
                "no-merge-key-check",
                "merge accepts a certificate whose key is not the pending key (201 instead of 400)",
            ),
            Quirk::NoLocation => (
                "no-location",
                "no Location header on the create 202 and the merge 201",
            ),
            Quirk::NoRetryAfter => (
                "no-retry-after",
                "no Retry-After header on the create 202 and inProgress GETs",
            ),
            Quirk::DashedRequestId => (
                "dashed-request-id",
                "request_id is a dashed UUID instead of 32 lowercase hex digits",
            ),
            Quirk::FlatErrorBody => (
                "flat-error-body",
                "error bodies are {\"code\",\"message\"} without the {\"error\": …} wrapper",
            ),
            Quirk::WrongNotFoundCode => (
                "wrong-not-found-code",
                "a missing pending op answers 404 with code \"NotFound\" instead of \"PendingCertificateNotFound\"",
            ),
            Quirk::Cancel400 => (
                "cancel-400",
                "PATCH on a terminal op returns the doc's 400 BadParameter instead of the service's 403",
            ),
            Quirk::SelfNeverCompletes => (
                "self-never-completes",
                "a Self-issuer op stays inProgress forever",
            ),
            Quirk::CamelCaseRequestId => (
                "camel-case-request-id",
                "the operation's request id key is \"requestId\" instead of \"request_id\"",
            ),
            Quirk::RetryAfterOnTerminal => (
                "retry-after-on-terminal",
                "Retry-After is also sent on GETs of completed, cancelled and failed ops",
            ),
            Quirk::NoAuthChallenge => (
                "no-auth-challenge",
                "requests without a bearer token are served instead of getting the 401 challenge",
            ),
            Quirk::FailedWithStatusDetails => (
                "failed-with-status-details",
                "failed ops carry the doc's empty status_details \"\" instead of omitting the key",
            ),
            Quirk::ConflictCode => (
                "conflict-code",
                "the 409 for create/import while inProgress has code \"Conflict\" instead of the doc's \"Forbidden\"",
            ),
            Quirk::Merge200 => ("merge-200", "a successful merge returns 200 instead of 201"),
            Quirk::CancelImmediately => (
                "cancel-immediately",
                "PATCH cancellation_requested answers status \"cancelled\" at once instead of inProgress",
            ),
            Quirk::ImportIgnoresPending => (
                "import-ignores-pending",
                "import while a pending op is inProgress succeeds (200) instead of 409",
            ),
            Quirk::X5tPadded => (
                "x5t-padded",
                "x5t keeps base64url '=' padding instead of the unpadded thumbprint",
            ),
            Quirk::TextPlainContentType => (
                "text-plain-content-type",
                "JSON bodies are labelled text/plain instead of application/json; charset=utf-8",
            ),
            Quirk::PendingNeverListed => (
                "pending-never-listed",
                "GET /certificates?includePending=true leaves out certificates whose only version is pending",
            ),
            Quirk::PendingAlwaysListed => (
                "pending-always-listed",
                "GET /certificates lists pending certificates even without includePending=true",
            ),
            Quirk::PendingCertificateNotFound => (
                "pending-certificate-not-found",
                "GET /certificates/{name} (and its versions and policy) answers 404 until the certificate is issued",
            ),
            Quirk::NoTrailingSlash => (
                "no-trailing-slash",
                "GET /certificates/{name}/ (the SDKs' form) is an unknown route (404)",
            ),
            Quirk::IssuedDespiteCancel => (
                "issued-despite-cancel",
                "a cancelled Self operation still issues its certificate (cer, enabled)",
            ),
            Quirk::CreateOverDeleted => (
                "create-over-deleted",
                "create under a deleted-but-recoverable name succeeds (the deleted copy is dropped) instead of 409",
            ),
            Quirk::LenientSubject => (
                "lenient-subject",
                "a policy subject that is not an X.500 name is accepted instead of 400 BadParameter",
            ),
            Quirk::UnknownIssuerManual => (
                "unknown-issuer-manual",
                "an issuer name that was never stored is treated like Unknown (202 manual) instead of 404",
            ),
            Quirk::ShortCertNotFound => (
                "short-cert-not-found",
                "a missing certificate's 404 says \"Certificate not found: {name}\" instead of the 2026 wording",
            ),
            Quirk::ApiVersionOptional => (
                "api-version-optional",
                "requests without api-version are served instead of 400",
            ),
            Quirk::LocationDefaultApiVersion => (
                "location-default-api-version",
                "Location carries the vault's newest api-version instead of the request's",
            ),
            Quirk::BareChallenge => (
                "bare-challenge",
                "the 401 challenge comes without the service's cache, security and x-ms-keyvault headers",
            ),
            Quirk::JsonWithoutCharset => (
                "json-without-charset",
                "JSON bodies are labelled application/json without charset=utf-8",
            ),
            Quirk::UnversionedKid => (
                "unversioned-kid",
                "an issued certificate's kid and sid name the key and secret without their version",
            ),
            Quirk::LenientNames => (
                "lenient-names",
                "certificate names with '_' are accepted on create and pending routes instead of 400",
            ),
        }
    }
}

impl fmt::Display for Quirk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An unknown quirk name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown quirk `{0}` (see --list-quirks)")]
pub struct UnknownQuirk(pub String);

impl FromStr for Quirk {
    type Err = UnknownQuirk;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quirk::ALL
            .into_iter()
            .find(|q| q.name() == s)
            .ok_or_else(|| UnknownQuirk(s.to_owned()))
    }
}

/// The set of quirks active in one vault.
#[derive(Clone, Debug, Default)]
pub(crate) struct Quirks(HashSet<Quirk>);

impl Quirks {
    pub(crate) fn new(list: &[Quirk]) -> Self {
        Self(list.iter().copied().collect())
    }

    pub(crate) fn has(&self, quirk: Quirk) -> bool {
        self.0.contains(&quirk)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let names: HashSet<_> = Quirk::ALL.iter().map(|q| q.name()).collect();
        assert_eq!(names.len(), Quirk::ALL.len());
        for q in Quirk::ALL {
            assert_eq!(q.name().parse::<Quirk>(), Ok(q));
            assert!(!q.description().is_empty());
        }
        assert!("nope".parse::<Quirk>().is_err());
    }
}
