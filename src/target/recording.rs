//! The recording transport behind `kvconform run --dry-run`: a [`super::Target`] whose
//! requests go nowhere. Each rendered request is written down and answered `200` with an
//! empty body, so that the runner, which sees a recording target and checks nothing, goes on
//! exactly as it would after a success: the next step, then cleanup of what the scenario
//! created. The dry run is therefore the run itself, not a description of it kept apart.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use super::{Exchange, HttpRequest, RecordedRequest, RecordedResponse};

/// The requests a recording target was asked to send, in order. Clones share the list.
#[derive(Clone, Debug, Default)]
pub(crate) struct Recorder(Arc<Mutex<Vec<HttpRequest>>>);

impl Recorder {
    /// Writes the request down and answers it: `200`, no headers, no body.
    pub(crate) fn answer(&self, request: &HttpRequest, url: &str) -> Exchange {
        self.list().push(request.clone());
        Exchange {
            request: RecordedRequest::new(request, url),
            response: RecordedResponse {
                status: 200,
                headers: Vec::new(),
                body: String::new(),
                json: None,
            },
            started: SystemTime::now(),
            elapsed: Duration::ZERO,
        }
    }

    /// Everything recorded since the last call, oldest first.
    pub(crate) fn take(&self) -> Vec<HttpRequest> {
        std::mem::take(&mut *self.list())
    }

    fn list(&self) -> std::sync::MutexGuard<'_, Vec<HttpRequest>> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_request_is_kept_in_order_and_answered_with_a_success() {
        let recorder = Recorder::default();
        let shared = recorder.clone();
        let create = HttpRequest::new("POST", "/certificates/c/create");
        let exchange = recorder.answer(&create, "vault/certificates/c/create");
        assert_eq!(exchange.response.status, 200);
        assert_eq!(exchange.request.url, "vault/certificates/c/create");
        shared.answer(&HttpRequest::get("/certificates/c"), "vault/certificates/c");
        let paths: Vec<String> = recorder.take().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/certificates/c/create", "/certificates/c"]);
        assert!(recorder.take().is_empty(), "taken once");
    }
}
