//! The shared state behind every handler.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use super::config::VaultConfig;
use super::keys::KeyPool;
use super::ops::Rules;
use super::quirks::Quirks;
use super::store::Store;

/// One running vault: configuration, data and key pool.
pub(crate) struct Vault {
    pub(crate) config: VaultConfig,
    pub(crate) quirks: Quirks,
    /// `http` or `https`: the scheme of every URL the vault hands out.
    pub(crate) scheme: &'static str,
    store: Mutex<Store>,
    pub(crate) keys: KeyPool,
}

pub(crate) type AppState = Arc<Vault>;

impl Vault {
    pub(crate) fn new(config: VaultConfig, scheme: &'static str) -> Self {
        Self {
            quirks: Quirks::new(&config.quirks),
            keys: KeyPool::new(config.key_pool),
            store: Mutex::new(Store::default()),
            scheme,
            config,
        }
    }

    pub(crate) fn rules(&self) -> Rules<'_> {
        Rules {
            config: &self.config,
            quirks: &self.quirks,
        }
    }

    /// The store. A handler that panicked mid-update cannot leave it half-written in a way
    /// that matters more than refusing all further requests would, so poisoning is ignored.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
