//! Cleanup registered as objects are created, run LIFO when the scenario ends (passed,
//! failed or interrupted). It deletes only names that carry this run's prefix, so a run can
//! never touch objects it did not create.

use super::context::RunContext;
use crate::target::resources::{self, Resource};
use crate::target::{Exchange, HttpRequest};

pub(crate) struct Cleanup {
    prefix: String,
    created: Vec<Resource>,
}

impl Cleanup {
    pub(crate) fn new(prefix: String) -> Cleanup {
        Cleanup {
            prefix,
            created: Vec::new(),
        }
    }

    /// Notes what a successful request created.
    pub(crate) fn register(&mut self, request: &HttpRequest, status: u16) {
        if let Some(resource) = resources::to_clean_up(request, status, &self.prefix)
            && !self.created.contains(&resource)
        {
            self.created.push(resource);
        }
    }

    /// Deletes everything registered, newest first. Returns what could not be removed.
    pub(crate) async fn run(self, ctx: &RunContext, log: &mut Vec<Exchange>) -> Vec<String> {
        let mut problems = Vec::new();
        for resource in self.created.into_iter().rev() {
            if let Err(problem) = resources::remove(&ctx.target, &resource, log).await {
                problems.push(problem.to_string());
            }
        }
        problems
    }
}
