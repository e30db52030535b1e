//! Short turns at a vault that others share: the deploy engine and import
//! take the vault only for the local steps (read the secret, record a
//! state, audit a call) and never hold it across a network call, so that
//! the app's other commands are not kept waiting while a key vault answers.

use std::cell::RefCell;
use std::sync::Mutex;

use coffer_core::{Error, Vault};

/// A vault that is taken for one short, synchronous turn at a time.
pub trait VaultAccess {
    /// Runs `f` on the vault. Never called across an `.await`.
    fn with<T, E: From<Error>>(&self, f: impl FnOnce(&mut Vault) -> Result<T, E>) -> Result<T, E>;
}

/// The app's vault (`None` until one is opened).
impl VaultAccess for Mutex<Option<Vault>> {
    fn with<T, E: From<Error>>(&self, f: impl FnOnce(&mut Vault) -> Result<T, E>) -> Result<T, E> {
        let mut slot = self
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match slot.as_mut() {
            Some(vault) => f(vault),
            None => Err(Error::Locked.into()),
        }
    }
}

/// A vault shared between threads.
impl VaultAccess for Mutex<Vault> {
    fn with<T, E: From<Error>>(&self, f: impl FnOnce(&mut Vault) -> Result<T, E>) -> Result<T, E> {
        f(&mut self
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// A vault one caller owns (a CLI command, a test): its concurrent pushes
/// take turns on one thread.
impl VaultAccess for RefCell<&mut Vault> {
    fn with<T, E: From<Error>>(&self, f: impl FnOnce(&mut Vault) -> Result<T, E>) -> Result<T, E> {
        f(&mut self.borrow_mut())
    }
}
