//! Why a step could not be carried out (as opposed to a check that failed): a template that
//! names an unknown variable, a request that never got an answer, a capture with nothing to
//! take, a crypto helper that failed. Each becomes a harness error of the step, in these
//! words.

use crate::crypto::CryptoError;
use crate::target::TransportError;
use crate::template::UnknownVar;

#[derive(Debug, thiserror::Error)]
pub(crate) enum StepError {
    #[error(transparent)]
    Template(#[from] UnknownVar),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("capture `{name}`: {missing}")]
    Capture { name: String, missing: String },
    #[error("crypto helper panicked: {0}")]
    CryptoPanicked(String),
    #[error("crypto helper failed: {0}")]
    Crypto(#[from] CryptoError),
}

impl StepError {
    pub(crate) fn capture(name: &str, missing: String) -> StepError {
        StepError::Capture {
            name: name.to_string(),
            missing,
        }
    }
}
