//! Pending private keys: one fresh key pair per create, never reused.
//!
//! RSA generation is slow (tens of milliseconds, far more in a debug build), so a background
//! thread keeps a small pool of RSA-2048 keys (the default key type) ready. Other key types,
//! and RSA-2048 when the pool is empty, are generated on demand on the blocking thread pool,
//! never on an async executor thread.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rcgen::{KeyPair, RsaKeySize, SignatureAlgorithm};

/// The key types Key Vault accepts in `policy.key_props` (kty RSA/RSA-HSM, EC/EC-HSM).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum KeySpec {
    Rsa(u32),
    Ec(Curve),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
        }
    }

    pub(crate) fn bits(self) -> u32 {
        match self {
            Curve::P256 => 256,
            Curve::P384 => 384,
            Curve::P521 => 521,
        }
    }
}

impl KeySpec {
    pub(crate) const DEFAULT: KeySpec = KeySpec::Rsa(2048);

    /// The signature algorithm a key of this type signs its CSR with.
    pub(crate) fn algorithm(self) -> &'static SignatureAlgorithm {
        match self {
            KeySpec::Rsa(_) => &rcgen::PKCS_RSA_SHA256,
            KeySpec::Ec(Curve::P256) => &rcgen::PKCS_ECDSA_P256_SHA256,
            KeySpec::Ec(Curve::P384) => &rcgen::PKCS_ECDSA_P384_SHA384,
            KeySpec::Ec(Curve::P521) => &rcgen::PKCS_ECDSA_P521_SHA512,
        }
    }
}

/// Why no key could be made.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KeyError {
    #[error("unsupported RSA key size {0}")]
    RsaSize(u32),
    #[error("key generation failed: {0}")]
    Generate(#[from] rcgen::Error),
    #[error("key generation task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

/// Generates one key pair synchronously (call from a blocking context).
pub(crate) fn generate(spec: KeySpec) -> Result<KeyPair, KeyError> {
    match spec {
        KeySpec::Rsa(bits) => {
            let size = match bits {
                2048 => RsaKeySize::_2048,
                3072 => RsaKeySize::_3072,
                4096 => RsaKeySize::_4096,
                other => return Err(KeyError::RsaSize(other)),
            };
            Ok(KeyPair::generate_rsa_for(&rcgen::PKCS_RSA_SHA256, size)?)
        }
        KeySpec::Ec(_) => Ok(KeyPair::generate_for(spec.algorithm())?),
    }
}

/// State shared between the vault and the filler thread.
#[derive(Default)]
struct Shared {
    state: Mutex<PoolState>,
    wake: Condvar,
}

impl Shared {
    /// The pool's state. A panicking filler cannot leave a `Vec` of keys half-written, so
    /// poisoning is ignored.
    fn lock(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
struct PoolState {
    ready: Vec<KeyPair>,
    stopped: bool,
}

/// A pool of pre-generated RSA-2048 keys, refilled by one background thread.
/// Dropping the pool stops the thread.
pub(crate) struct KeyPool {
    shared: Arc<Shared>,
    target: usize,
}

impl KeyPool {
    /// Starts the filler thread when `target > 0`.
    pub(crate) fn new(target: usize) -> Self {
        let shared = Arc::new(Shared::default());
        if target > 0 {
            let for_thread = Arc::clone(&shared);
            let spawned = std::thread::Builder::new()
                .name("kv-key-pool".into())
                .spawn(move || fill(&for_thread, target));
            // Without the thread every key is generated on demand: slower, still correct.
            drop(spawned);
        }
        Self { shared, target }
    }

    /// A fresh key of the given type: from the pool when possible, else generated on the
    /// blocking thread pool.
    pub(crate) async fn take(&self, spec: KeySpec) -> Result<KeyPair, KeyError> {
        if spec == KeySpec::DEFAULT
            && let Some(key) = self.pop()
        {
            return Ok(key);
        }
        tokio::task::spawn_blocking(move || generate(spec)).await?
    }

    fn pop(&self) -> Option<KeyPair> {
        if self.target == 0 {
            return None;
        }
        let mut state = self.shared.lock();
        let key = state.ready.pop();
        self.shared.wake.notify_one();
        key
    }

    /// How many keys are ready now (for tests and diagnostics).
    #[cfg(test)]
    pub(crate) fn ready(&self) -> usize {
        self.shared.state.lock().map(|s| s.ready.len()).unwrap_or(0)
    }
}

impl Drop for KeyPool {
    fn drop(&mut self) {
        let mut state = self.shared.lock();
        state.stopped = true;
        self.shared.wake.notify_all();
    }
}

/// The filler loop: generate outside the lock, push, sleep while the pool is full.
fn fill(shared: &Shared, target: usize) {
    loop {
        if !wait_for_room(shared, target) {
            return;
        }
        let Ok(key) = generate(KeySpec::DEFAULT) else {
            return;
        };
        let mut state = shared.lock();
        if state.stopped {
            return;
        }
        state.ready.push(key);
    }
}

/// Blocks until the pool has room; false once the pool was dropped.
fn wait_for_room(shared: &Shared, target: usize) -> bool {
    let mut state = shared.lock();
    while !state.stopped && state.ready.len() >= target {
        state = shared
            .wake
            .wait_timeout(state, Duration::from_secs(1))
            .map(|(s, _)| s)
            .unwrap_or_else(|e| e.into_inner().0);
    }
    !state.stopped
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::PublicKeyData;

    #[tokio::test]
    async fn keys_are_fresh_and_typed() {
        let pool = KeyPool::new(0);
        let a = pool.take(KeySpec::Ec(Curve::P384)).await.expect("ec key");
        let b = pool.take(KeySpec::Ec(Curve::P384)).await.expect("ec key");
        assert_ne!(a.subject_public_key_info(), b.subject_public_key_info());
        assert!(matches!(
            generate(KeySpec::Rsa(1024)),
            Err(KeyError::RsaSize(1024))
        ));
    }

    #[tokio::test]
    async fn pool_fills_in_the_background() {
        let pool = KeyPool::new(1);
        for _ in 0..600 {
            if pool.ready() == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(pool.ready(), 1);
        let key = pool.take(KeySpec::DEFAULT).await.expect("pooled key");
        assert_eq!(key.algorithm(), &rcgen::PKCS_RSA_SHA256);
    }
}

#[cfg(test)]
mod timing {
    use super::*;

    /// `cargo test [--release] --lib keygen_timing -- --ignored --nocapture`
    #[test]
    #[ignore = "measurement, not a check"]
    #[allow(clippy::print_stdout)]
    fn keygen_timing() {
        for spec in [
            KeySpec::Rsa(2048),
            KeySpec::Rsa(4096),
            KeySpec::Ec(Curve::P256),
        ] {
            let n = 10u32;
            let start = std::time::Instant::now();
            for _ in 0..n {
                generate(spec).expect("key");
            }
            println!("{spec:?}: {:?} per key", start.elapsed() / n);
        }
    }
}
