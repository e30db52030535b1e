//! [`Remotes`]: what a process holds to reach its key vaults — a client per
//! connection, built on first use, the value cache, and a small runtime of
//! its own so that synchronous callers (job runs, CLI commands, the app's
//! commands) can use the async SDKs from any thread.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use coffer_core::remote::Manager;
use coffer_core::{Clock, Timestamp, Vault};
use zeroize::Zeroizing;

use crate::cache::{CachedSecret, Derived, Lookup, ValueCache};
use crate::connect::{AnyVault, ConnectOptions, connect};
use crate::credentials::credentials_of;
use crate::error::{Error, FailureClass, Result};
use crate::keyvault::{Credentials, KeyVault};

/// Where a fetched value came from, for the run log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Read from the key vault now.
    Remote,
    /// From the cache, not yet expired.
    Cache,
    /// From the cache after its expiry, because the key vault could not be
    /// read (throttled, unreachable, timed out) within the connection's
    /// stale-if-error window.
    Stale {
        /// When the cached value expired.
        expired_at: Timestamp,
        /// Why the key vault could not be read (no values in it).
        error: String,
    },
}

/// A value for a run. Zeroized on drop.
pub struct Fetched {
    /// The remote name.
    pub name: String,
    /// The remote version.
    pub version: String,
    /// The value.
    pub value: Zeroizing<Vec<u8>>,
    /// Held as binary by the service.
    pub binary: bool,
    /// The remote carries Coffer's write-only tag.
    pub write_only: bool,
    /// Where it came from.
    pub origin: Origin,
    /// What users derived from this value, kept with its cache entry
    /// (see [`Derived`]).
    pub derived: Derived,
}

impl std::fmt::Debug for Fetched {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fetched")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("value", &"<redacted>")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

/// A current-thread runtime on a thread of its own, stopped on drop.
struct Worker {
    handle: tokio::runtime::Handle,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    fn start() -> Result<Self> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("coffer-remote".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                match runtime {
                    Ok(runtime) => {
                        let _ = ready_tx.send(Ok(runtime.handle().clone()));
                        runtime.block_on(async {
                            let _ = stop_rx.await;
                        });
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e.to_string()));
                    }
                }
            })
            .map_err(|e| {
                coffer_core::Error::Internal(format!("starting the remote worker: {e}"))
            })?;
        let handle = ready_rx
            .recv()
            .map_err(|_| coffer_core::Error::Internal("the remote worker did not start".into()))?
            .map_err(|e| coffer_core::Error::Internal(format!("the remote worker: {e}")))?;
        Ok(Self {
            handle,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    fn run<F>(&self, future: F) -> Result<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let (tx, rx) = std::sync::mpsc::channel();
        self.handle.spawn(async move {
            let _ = tx.send(future.await);
        });
        rx.recv()
            .map_err(|_| coffer_core::Error::Internal("a remote call was abandoned".into()).into())
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The key vaults of a process: the app holds one for its lifetime (locking
/// clears it), a CLI command for its run.
pub struct Remotes {
    cache: ValueCache,
    options: ConnectOptions,
    /// Clients by connection id, with what they were built for (an edited
    /// connection, or a new version or status of its credential secret,
    /// gets a new client).
    clients: Mutex<HashMap<i64, (BuiltFor, AnyVault)>>,
    /// Started on the first remote call.
    worker: Mutex<Option<Arc<Worker>>>,
}

impl std::fmt::Debug for Remotes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Remotes")
            .field("cache", &self.cache)
            .finish_non_exhaustive()
    }
}

/// What a client was built for: the connection as it was last changed and
/// the state of its credential secret
/// ([`coffer_core::Vault::manager_credential_stamp`]).
#[derive(Debug, Clone, PartialEq, Eq)]
struct BuiltFor {
    connection: Timestamp,
    credential: Option<String>,
}

impl BuiltFor {
    fn of(manager: &Manager, credential: Option<&str>) -> Self {
        Self {
            connection: manager.updated_at,
            credential: credential.map(str::to_owned),
        }
    }
}

/// Failures that let a run use an expired cached value.
fn excuses_stale(error: &Error) -> bool {
    matches!(
        error.class(),
        Some(FailureClass::Throttled | FailureClass::Unreachable | FailureClass::Timeout)
    )
}

impl Remotes {
    /// An empty registry; time from `clock`. Nothing starts until the
    /// first remote call.
    pub fn new(clock: Arc<dyn Clock>, options: ConnectOptions) -> Self {
        Self {
            cache: ValueCache::new(clock),
            options,
            clients: Mutex::new(HashMap::new()),
            worker: Mutex::new(None),
        }
    }

    fn run<F>(&self, future: F) -> Result<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        let worker = {
            let mut slot = self
                .worker
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match &*slot {
                Some(worker) => Arc::clone(worker),
                None => {
                    let worker = Arc::new(Worker::start()?);
                    *slot = Some(Arc::clone(&worker));
                    worker
                }
            }
        };
        worker.run(future)
    }

    fn clients(&self) -> MutexGuard<'_, HashMap<i64, (BuiltFor, AnyVault)>> {
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The value cache.
    pub fn cache(&self) -> &ValueCache {
        &self.cache
    }

    /// The client of a connection, built on first use with the credentials
    /// `credentials` gives (called only then).
    pub fn client(
        &self,
        manager: &Manager,
        credentials: impl FnOnce() -> Result<Credentials>,
    ) -> Result<AnyVault> {
        self.client_for(manager, None, credentials)
    }

    /// [`Remotes::client`], rebuilt also when `credential` (the state of
    /// the connection's credential secret) differs from what the client was
    /// built with: a rotated or deactivated credential is never served by
    /// an old client.
    pub fn client_for(
        &self,
        manager: &Manager,
        credential: Option<&str>,
        credentials: impl FnOnce() -> Result<Credentials>,
    ) -> Result<AnyVault> {
        let wanted = BuiltFor::of(manager, credential);
        if let Some((built_for, client)) = self.clients().get(&manager.id)
            && *built_for == wanted
        {
            return Ok(client.clone());
        }
        // The connection or its credentials changed (or it is new): its
        // cached values may come from elsewhere, and a refused credential
        // must not keep serving them.
        self.clients().remove(&manager.id);
        self.cache.clear_manager(manager.id);
        let credentials = credentials()?;
        let owned = manager.clone();
        let options = self.options.clone();
        let client = self.run(async move { connect(&owned, credentials, &options).await })??;
        self.clients().insert(manager.id, (wanted, client.clone()));
        Ok(client)
    }

    /// Runs a call on a client (probe, browse, deploy) on the worker.
    pub fn call<T, F, Fut>(&self, client: &AnyVault, call: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(AnyVault) -> Fut,
        Fut: Future<Output = Result<T>> + Send + 'static,
    {
        self.run(call(client.clone()))?
    }

    /// The current values of `names` in one connection: from the cache when
    /// fresh, else read in batches; names the key vault does not have are
    /// missing from the result. When the read fails as throttled,
    /// unreachable or timed out, a value that expired less than the
    /// connection's `stale_if_error_secs` ago is used and marked
    /// [`Origin::Stale`]; without one, the error is returned.
    pub fn fetch(
        &self,
        manager: &Manager,
        credentials: impl FnOnce() -> Result<Credentials>,
        names: &[String],
    ) -> Result<Vec<Fetched>> {
        self.fetch_for(manager, None, credentials, names)
    }

    /// [`Remotes::fetch`] with the state of the connection's credential
    /// secret (see [`Remotes::client_for`]): when it changed, the old
    /// client and the values it read are dropped first.
    pub fn fetch_for(
        &self,
        manager: &Manager,
        credential: Option<&str>,
        credentials: impl FnOnce() -> Result<Credentials>,
        names: &[String],
    ) -> Result<Vec<Fetched>> {
        let mut wanted: Vec<String> = names.to_vec();
        wanted.sort();
        wanted.dedup();
        let id = manager.id;
        let mut out = Vec::new();
        let mut to_read = Vec::new();
        // A changed connection (or credential) drops its old values before
        // they are used.
        let current = BuiltFor::of(manager, credential);
        let stale_client = self
            .clients()
            .get(&id)
            .is_some_and(|(built_for, _)| *built_for != current);
        if stale_client {
            self.clients().remove(&id);
            self.cache.clear_manager(id);
        }
        for name in wanted {
            match self.cache.get(id, &name) {
                Lookup::Fresh(hit) => out.push(Fetched {
                    name,
                    version: hit.version.clone(),
                    value: Zeroizing::new(hit.value.to_vec()),
                    binary: hit.binary,
                    write_only: hit.write_only,
                    origin: Origin::Cache,
                    derived: hit.derived,
                }),
                Lookup::Miss => to_read.push(name),
            }
        }
        if to_read.is_empty() {
            return Ok(out);
        }
        let read = self
            .client_for(manager, credential, credentials)
            .and_then(|client| {
                let names = to_read.clone();
                self.call(&client, move |c| async move { c.get_many(&names).await })
            });
        match read {
            Ok(values) => {
                for value in values {
                    let derived = self.cache.insert(
                        id,
                        &manager.spec.name,
                        manager.spec.cache_ttl_secs,
                        &value,
                    );
                    out.push(Fetched {
                        derived,
                        write_only: crate::tags::is_write_only(&value.tags),
                        name: value.name.clone(),
                        version: value.version.clone(),
                        binary: value.binary,
                        value: Zeroizing::new(value.value.to_vec()),
                        origin: Origin::Remote,
                    });
                }
                for name in &to_read {
                    if !out.iter().any(|f| &f.name == name) {
                        self.cache.remove(id, name);
                    }
                }
            }
            Err(error) if excuses_stale(&error) => {
                for name in &to_read {
                    let Some(old) = self.cache.stale(id, name, manager.spec.stale_if_error_secs)
                    else {
                        return Err(error);
                    };
                    out.push(Fetched {
                        name: name.clone(),
                        version: old.version.clone(),
                        value: Zeroizing::new(old.value.to_vec()),
                        binary: old.binary,
                        write_only: old.write_only,
                        derived: old.derived,
                        origin: Origin::Stale {
                            expired_at: old.expires_at,
                            error: error.to_string(),
                        },
                    });
                }
            }
            Err(error) => return Err(error),
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// [`Remotes::fetch`] for a stored connection: its credential secret is
    /// used through the vault when a client is built (audited as a use with
    /// `purpose`), and every remote read is audited (`remote.get`, with the
    /// connection, the remote name and the outcome; never a value). Values
    /// served from the cache made no remote call and are not audited.
    pub fn fetch_stored(
        &self,
        vault: &mut Vault,
        manager: &Manager,
        names: &[String],
        purpose: &str,
    ) -> Result<Vec<Fetched>> {
        let connection = manager.spec.name.clone();
        let credential = vault.manager_credential_stamp(&connection)?;
        let result = self.fetch_for(
            manager,
            credential.as_deref(),
            || credentials_of(manager, vault.manager_credentials(&connection, purpose)?),
            names,
        );
        match &result {
            Ok(fetched) => {
                let mut wanted: Vec<&String> = names.iter().collect();
                wanted.sort();
                wanted.dedup();
                for name in wanted {
                    let outcome = match fetched.iter().find(|f| &f.name == name) {
                        Some(f) => match f.origin {
                            Origin::Remote => "ok",
                            Origin::Cache => continue,
                            Origin::Stale { .. } => "failed; a stale cached value was used",
                        },
                        None => "not_found",
                    };
                    vault.audit_remote("remote.get", &connection, name, outcome)?;
                }
            }
            Err(e) => {
                let outcome = match e.class() {
                    Some(class) => format!("failed: {}", class.as_str()),
                    None => "failed".to_owned(),
                };
                vault.audit_remote("remote.get", &connection, "", &outcome)?;
            }
        }
        result
    }

    /// What is cached for a connection (names, versions, times; never values).
    pub fn cached(&self, manager: &Manager) -> Vec<CachedSecret> {
        self.cache.cached(manager.id)
    }

    /// Forgets every cached value and client (Clear cache for all; locking).
    pub fn clear(&self) {
        self.cache.clear();
        self.clients().clear();
    }

    /// Forgets one connection's cached values and client (Clear cache for
    /// one connection; the connection was edited or deleted).
    pub fn clear_manager(&self, manager_id: i64) {
        self.cache.clear_manager(manager_id);
        self.clients().remove(&manager_id);
    }
}
