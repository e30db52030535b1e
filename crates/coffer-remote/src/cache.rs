//! The value cache (CloverDX): remote values kept in memory only, each
//! until the smaller of its connection's TTL and the remote secret's own
//! expiry, with a bounded stale-if-error window. Listing it shows names,
//! versions and times — never values. Time comes from the core's clock.

use std::any::Any;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use coffer_core::{Clock, Timestamp};
use zeroize::Zeroizing;

use crate::keyvault::RemoteValue;

/// One cached value, as the Cached secrets view lists it.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CachedSecret {
    /// The connection's name.
    pub manager: String,
    /// The remote name.
    pub name: String,
    /// The remote version held.
    pub version: String,
    /// When it was fetched.
    pub fetched_at: Timestamp,
    /// When it stops being used (without an error to excuse it).
    pub expires_at: Timestamp,
    /// Whether that time has passed.
    pub expired: bool,
}

/// What a user of the cache derives from a cached value and keeps with it
/// (coffer-jobs keeps a value's redaction patterns and JSON keys here, so a
/// warm run does not derive them again). Filled at most once per fetched
/// value and shared by every lookup of it; dropped with the entry, so
/// clearing the cache (or locking the vault) forgets it too.
pub type Derived = Arc<OnceLock<Box<dyn Any + Send + Sync>>>;

/// A value held by the cache. The value is zeroized when dropped.
pub struct CachedValue {
    /// The remote version.
    pub version: String,
    /// The value.
    pub value: Zeroizing<Vec<u8>>,
    /// Held as binary by the service.
    pub binary: bool,
    /// The remote carries Coffer's write-only tag.
    pub write_only: bool,
    /// When it was fetched.
    pub fetched_at: Timestamp,
    /// When it expires.
    pub expires_at: Timestamp,
    /// What users derived from it (shared by every copy of this entry).
    pub derived: Derived,
}

impl std::fmt::Debug for CachedValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedValue")
            .field("version", &self.version)
            .field("value", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl Clone for CachedValue {
    fn clone(&self) -> Self {
        Self {
            version: self.version.clone(),
            value: Zeroizing::new(self.value.to_vec()),
            binary: self.binary,
            write_only: self.write_only,
            fetched_at: self.fetched_at,
            expires_at: self.expires_at,
            derived: Arc::clone(&self.derived),
        }
    }
}

/// What a lookup found.
#[derive(Debug)]
pub enum Lookup {
    /// A value that has not expired.
    Fresh(CachedValue),
    /// Nothing usable without asking the remote.
    Miss,
}

struct Entry {
    manager: String,
    value: CachedValue,
}

/// The cache of one process (the app's for its lifetime, a CLI command's
/// for its run). Keys are (connection id, remote name).
pub struct ValueCache {
    clock: Arc<dyn Clock>,
    entries: Mutex<BTreeMap<(i64, String), Entry>>,
}

impl std::fmt::Debug for ValueCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ValueCache")
            .field("entries", &self.lock().len())
            .finish_non_exhaustive()
    }
}

impl ValueCache {
    /// An empty cache reading time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            entries: Mutex::new(BTreeMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<(i64, String), Entry>> {
        // A panic while holding the lock leaves only whole entries behind.
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The current time of the cache's clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// A value that has not expired.
    pub fn get(&self, manager_id: i64, name: &str) -> Lookup {
        let now = self.now();
        match self.lock().get(&(manager_id, name.to_owned())) {
            Some(entry) if now < entry.value.expires_at => Lookup::Fresh(entry.value.clone()),
            _ => Lookup::Miss,
        }
    }

    /// An expired value whose expiry is less than `window_secs` ago: what a
    /// run may use while the remote is throttled or unreachable.
    pub fn stale(&self, manager_id: i64, name: &str, window_secs: u32) -> Option<CachedValue> {
        let now = self.now();
        self.lock()
            .get(&(manager_id, name.to_owned()))
            .filter(|e| now.unix() - e.value.expires_at.unix() < i64::from(window_secs))
            .map(|e| e.value.clone())
    }

    /// Keeps a fetched value until `ttl_secs` from now or the remote's
    /// expiry, whichever is sooner; returns its (empty) derived slot.
    pub fn insert(
        &self,
        manager_id: i64,
        manager: &str,
        ttl_secs: u32,
        fetched: &RemoteValue,
    ) -> Derived {
        let now = self.now();
        let by_ttl = now.plus_seconds(i64::from(ttl_secs));
        let expires_at = fetched
            .expires_at
            .map_or(by_ttl, |remote| remote.min(by_ttl));
        let value = CachedValue {
            version: fetched.version.clone(),
            value: Zeroizing::new(fetched.value.to_vec()),
            binary: fetched.binary,
            write_only: crate::tags::is_write_only(&fetched.tags),
            fetched_at: now,
            expires_at,
            derived: Derived::default(),
        };
        let derived = Arc::clone(&value.derived);
        self.lock().insert(
            (manager_id, fetched.name.clone()),
            Entry {
                manager: manager.to_owned(),
                value,
            },
        );
        derived
    }

    /// Forgets one value (the remote said it no longer exists).
    pub fn remove(&self, manager_id: i64, name: &str) {
        self.lock().remove(&(manager_id, name.to_owned()));
    }

    /// What is cached for a connection: names, versions and times, never
    /// values; sorted by name.
    pub fn cached(&self, manager_id: i64) -> Vec<CachedSecret> {
        let now = self.now();
        self.lock()
            .iter()
            .filter(|((id, _), _)| *id == manager_id)
            .map(|((_, name), entry)| CachedSecret {
                manager: entry.manager.clone(),
                name: name.clone(),
                version: entry.value.version.clone(),
                fetched_at: entry.value.fetched_at,
                expires_at: entry.value.expires_at,
                expired: now >= entry.value.expires_at,
            })
            .collect()
    }

    /// How many values are held (all connections).
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Forgets everything (Clear cache; locking the vault).
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Forgets one connection's values.
    pub fn clear_manager(&self, manager_id: i64) {
        self.lock().retain(|(id, _), _| *id != manager_id);
    }
}

#[cfg(test)]
mod tests {
    use coffer_core::FixedClock;

    use super::*;
    use crate::keyvault::Tags;

    fn fetched(name: &str, expires_at: Option<Timestamp>) -> RemoteValue {
        RemoteValue {
            name: name.into(),
            version: "v1".into(),
            value: Zeroizing::new(b"value".to_vec()),
            binary: false,
            expires_at,
            tags: Tags::from([(crate::tags::TAG_WRITE_ONLY.to_owned(), "true".to_owned())]),
        }
    }

    #[test]
    fn entries_live_until_the_smaller_of_ttl_and_remote_expiry() {
        let clock = Arc::new(FixedClock::new(Timestamp::from_unix(1_000)));
        let cache = ValueCache::new(clock.clone());
        cache.insert(1, "aws", 3600, &fetched("long", None));
        cache.insert(
            1,
            "aws",
            3600,
            &fetched("short", Some(Timestamp::from_unix(1_060))),
        );
        let listed = cache.cached(1);
        assert_eq!(listed[0].name, "long");
        assert_eq!(listed[0].expires_at, Timestamp::from_unix(4_600));
        assert_eq!(listed[1].expires_at, Timestamp::from_unix(1_060));
        assert!(matches!(cache.get(1, "short"), Lookup::Fresh(v) if v.write_only));
        clock.advance(60);
        assert!(matches!(cache.get(1, "short"), Lookup::Miss));
        assert!(matches!(cache.get(1, "long"), Lookup::Fresh(_)));
        assert!(cache.cached(1)[1].expired);
        assert!(!cache.cached(1)[0].expired);
        // Stale within the window only.
        assert!(cache.stale(1, "short", 300).is_some());
        clock.advance(300);
        assert!(cache.stale(1, "short", 300).is_none());
        assert!(cache.stale(1, "short", 0).is_none());
    }

    #[test]
    fn clearing_one_connection_keeps_the_others() {
        let cache = ValueCache::new(Arc::new(FixedClock::new(Timestamp::from_unix(0))));
        cache.insert(1, "a", 60, &fetched("x", None));
        cache.insert(2, "b", 60, &fetched("x", None));
        cache.clear_manager(1);
        assert!(cache.cached(1).is_empty());
        assert_eq!(cache.cached(2).len(), 1);
        assert_eq!(cache.cached(2)[0].manager, "b");
        cache.clear();
        assert!(cache.is_empty());
    }

    #[test]
    fn debug_and_listing_never_show_values() {
        let cache = ValueCache::new(Arc::new(FixedClock::new(Timestamp::from_unix(0))));
        cache.insert(1, "a", 60, &fetched("x", None));
        let shown = format!("{:?} {:?}", cache.cached(1), cache.get(1, "x"));
        assert!(!shown.contains("value\""), "{shown}");
        assert!(!shown.contains("[118, 97"), "{shown}");
        let json = serde_json::to_string(&cache.cached(1)).expect("json");
        assert!(!json.contains("value"), "{json}");
    }

    #[test]
    fn derived_data_is_shared_by_lookups_and_forgotten_with_its_entry() {
        let clock = Arc::new(FixedClock::new(Timestamp::from_unix(0)));
        let cache = ValueCache::new(clock.clone());
        let slot = cache.insert(1, "a", 60, &fetched("x", None));
        assert!(slot.get().is_none());
        assert!(slot.set(Box::new(42_u32)).is_ok());
        let Lookup::Fresh(hit) = cache.get(1, "x") else {
            panic!("cached");
        };
        assert_eq!(
            hit.derived.get().and_then(|d| d.downcast_ref::<u32>()),
            Some(&42)
        );
        // A new fetch of the same name starts empty; so does one after a
        // clear (locking) or once the entry expired.
        let fresh = cache.insert(1, "a", 60, &fetched("x", None));
        assert!(fresh.get().is_none());
        assert!(fresh.set(Box::new(7_u32)).is_ok());
        cache.clear();
        assert!(matches!(cache.get(1, "x"), Lookup::Miss));
        assert!(
            cache
                .insert(1, "a", 60, &fetched("x", None))
                .get()
                .is_none()
        );
        clock.advance(60);
        assert!(matches!(cache.get(1, "x"), Lookup::Miss));
        let stale = cache.stale(1, "x", 300).expect("stale");
        assert!(stale.derived.get().is_none());
    }
}
