//! The idle lock's clock and the one lock path, on a real vault file and a
//! real OAuth token endpoint on 127.0.0.1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use coffer_core::secret::{ClientCredentials, SecretData, SecretId};
use coffer_core::{CreateOptions, SecretString, SystemClock, Vault};
use coffer_jobs::http::{HttpOptions, auth_header};
use coffer_jobs::tls::TlsSetup;

use super::{AppState, Followed, lock, with_vault};
use crate::idle::{is_due, lock_if_idle};

/// State over a new, unlocked vault in `dir`.
fn unlocked_state(dir: &tempfile::TempDir) -> AppState {
    let path = dir.path().join("vault.db");
    let mut options = CreateOptions::new(SecretString::from("correct horse battery"));
    options.use_keyring = false;
    let (vault, _) = Vault::create(&path, options, Arc::new(SystemClock)).unwrap();
    drop(vault);
    let state = AppState::new(path);
    lock(&state.vault)
        .as_mut()
        .unwrap()
        .unlock_with_passphrase(&SecretString::from("correct horse battery"))
        .unwrap();
    state
}

/// Makes the last activity `ago` old.
fn idle_for(state: &AppState, ago: Duration) -> Instant {
    let then = Instant::now().checked_sub(ago).unwrap();
    *lock(&state.last_activity) = then;
    then
}

/// Serves one client-credentials token request, as an identity provider would.
fn token_endpoint() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/token", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream);
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = n.trim().parse().unwrap();
            }
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        reader.read_exact(&mut vec![0u8; length]).unwrap();
        let body = r#"{"access_token":"tok-from-idp","token_type":"Bearer","expires_in":3600}"#;
        let mut stream = reader.into_inner();
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
    });
    url
}

/// Caches a token the way a job run does.
fn cache_a_token(state: &AppState) {
    let credentials = SecretData::ClientCredentials(ClientCredentials {
        client_id: "app".into(),
        client_secret: SecretString::from("client-secret-value"),
        scopes: Vec::new(),
        token_url: Some(token_endpoint()),
        audience: None,
    });
    let id = SecretId::parse("0b0e4a9e-0000-4000-8000-000000000001").unwrap();
    let options = HttpOptions {
        timeout: Duration::from_secs(30),
        ..HttpOptions::default()
    };
    let tokens = &state.run_context.tokens;
    auth_header(&credentials, id, 1, &TlsSetup::default(), tokens, &options).unwrap();
    assert_eq!(tokens.len(), 1);
}

#[test]
fn reading_the_vault_is_not_user_activity() {
    let dir = tempfile::tempdir().unwrap();
    let state = unlocked_state(&dir);
    let then = idle_for(&state, Duration::from_secs(60));
    // What the UI refetches after a job run, and the expiry checker's reads.
    tauri::async_runtime::block_on(async {
        with_vault(&state, |v| v.status()).await.unwrap();
        with_vault(&state, |v| v.jobs(None)).await.unwrap();
    });
    assert_eq!(*lock(&state.last_activity), then);
    state.touch();
    assert!(*lock(&state.last_activity) > then);
}

#[test]
fn the_idle_lock_drops_the_keys_and_the_oauth_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let state = unlocked_state(&dir);
    {
        let mut slot = lock(&state.vault);
        let vault = slot.as_mut().unwrap();
        let mut settings = vault.settings().clone();
        settings.idle_lock_minutes = 1;
        vault.update_settings(settings).unwrap();
    }
    cache_a_token(&state);

    state.touch();
    assert!(!lock_if_idle(&state));
    assert!(lock(&state.vault).as_ref().unwrap().is_unlocked());
    assert_eq!(state.run_context.tokens.len(), 1, "not idle yet: kept");

    idle_for(&state, Duration::from_secs(61));
    assert!(lock_if_idle(&state));
    assert!(!lock(&state.vault).as_ref().unwrap().is_unlocked());
    assert!(state.run_context.tokens.is_empty());
}

#[test]
fn locking_now_drops_the_keys_and_the_oauth_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let state = unlocked_state(&dir);
    cache_a_token(&state);
    state.lock_now();
    assert!(!lock(&state.vault).as_ref().unwrap().is_unlocked());
    assert!(state.run_context.tokens.is_empty());

    // A run that straddled the lock may cache a token afterwards: the next
    // lock request forgets it although the vault is already locked.
    cache_a_token(&state);
    state.lock_now();
    assert!(state.run_context.tokens.is_empty());
}

#[test]
fn the_idle_lock_is_off_at_zero_minutes() {
    assert!(!is_due(0, Duration::from_secs(86_400)));
    assert!(!is_due(2, Duration::from_secs(119)));
    assert!(is_due(2, Duration::from_secs(120)));
}

/// A second handle on the same file, unlocked: what the CLI beside the app is.
fn other_process(state: &AppState) -> Vault {
    let mut other = Vault::open(&state.vault_path, Arc::new(SystemClock)).unwrap();
    other
        .unlock_with_passphrase(&SecretString::from("correct horse battery"))
        .unwrap();
    other
}

#[test]
fn changes_by_another_process_are_followed_and_a_rotation_locks() {
    let dir = tempfile::tempdir().unwrap();
    let state = unlocked_state(&dir);
    assert_eq!(state.follow_others(), Followed::Nothing);
    // The app's own writes are not news.
    {
        let mut slot = lock(&state.vault);
        let vault = slot.as_mut().unwrap();
        let mut settings = vault.settings().clone();
        settings.idle_lock_minutes = 7;
        vault.update_settings(settings).unwrap();
    }
    assert_eq!(state.follow_others(), Followed::Nothing);

    let mut other = other_process(&state);
    let mut settings = other.settings().clone();
    settings.idle_lock_minutes = 9;
    other.update_settings(settings).unwrap();
    assert_eq!(state.follow_others(), Followed::Changed);
    assert_eq!(
        lock(&state.vault)
            .as_ref()
            .unwrap()
            .settings()
            .idle_lock_minutes,
        9,
        "the settings were re-read"
    );
    assert_eq!(state.follow_others(), Followed::Nothing, "once per change");

    cache_a_token(&state);
    other
        .rotate_master_key(&SecretString::from("correct horse battery"))
        .unwrap();
    assert_eq!(state.follow_others(), Followed::KeyReplaced);
    assert!(!lock(&state.vault).as_ref().unwrap().is_unlocked());
    assert!(state.run_context.tokens.is_empty());
    // Locked: nothing to follow until unlocked again, with the new key.
    assert_eq!(state.follow_others(), Followed::Nothing);
    lock(&state.vault)
        .as_mut()
        .unwrap()
        .unlock_with_passphrase(&SecretString::from("correct horse battery"))
        .unwrap();
    tauri::async_runtime::block_on(with_vault(&state, |v| {
        let mut settings = v.settings().clone();
        settings.idle_lock_minutes = 3;
        v.update_settings(settings)
    }))
    .unwrap();
}

#[test]
fn after_any_lock_the_keyring_no_longer_unlocks_and_a_pin_does() {
    let dir = tempfile::tempdir().unwrap();
    let state = unlocked_state(&dir);
    assert!(state.keyring_allowed(), "at start the keyring may unlock");
    lock(&state.vault)
        .as_mut()
        .unwrap()
        .set_quick_unlock(&SecretString::from("2468"))
        .unwrap();
    state.lock_now();
    assert!(!state.keyring_allowed());
    let outcome = tauri::async_runtime::block_on(with_vault(&state, |v| {
        v.unlock_with_pin(&SecretString::from("2468"))
    }))
    .unwrap();
    assert_eq!(outcome, coffer_core::PinUnlock::Unlocked);
    assert!(!state.keyring_allowed(), "still not after unlocking again");

    // The idle lock and another process's rotation end keyring unlocks too.
    let fresh = tempfile::tempdir().unwrap();
    let state = unlocked_state(&fresh);
    {
        let mut slot = lock(&state.vault);
        let vault = slot.as_mut().unwrap();
        let mut settings = vault.settings().clone();
        settings.idle_lock_minutes = 1;
        vault.update_settings(settings).unwrap();
    }
    idle_for(&state, Duration::from_secs(61));
    assert!(lock_if_idle(&state));
    assert!(!state.keyring_allowed());
}

#[test]
fn locking_forgets_the_remote_values_cached_for_runs() {
    let dir = tempfile::tempdir().unwrap();
    let state = unlocked_state(&dir);
    let cache = state.run_context.remotes.cache();
    cache.insert(
        1,
        "aws",
        3600,
        &coffer_remote::RemoteValue {
            name: "app/db".into(),
            version: "v1".into(),
            value: b"remote-value".to_vec().into(),
            binary: false,
            expires_at: None,
            tags: coffer_remote::Tags::new(),
        },
    );
    assert_eq!(cache.len(), 1);
    state.lock_now();
    assert!(!lock(&state.vault).as_ref().unwrap().is_unlocked());
    assert!(state.run_context.remotes.cache().is_empty());
}

#[test]
fn the_start_unlock_leaves_alone_a_vault_without_the_keyring_and_any_after_a_lock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let mut options = CreateOptions::new(SecretString::from("correct horse battery"));
    options.use_keyring = false;
    drop(Vault::create(&path, options, Arc::new(SystemClock)).unwrap());
    // Opened locked, as at start: the vault does not keep its key in the keyring.
    let state = AppState::new(path.clone());
    assert!(state.keyring_allowed());
    assert!(!state.unlock_from_keyring_at_start());
    assert!(!lock(&state.vault).as_ref().unwrap().is_unlocked());
    // The unlock screen still works after it (nothing was spent or broken).
    let outcome = tauri::async_runtime::block_on(with_vault(&state, |v| {
        v.unlock_with_passphrase(&SecretString::from("correct horse battery"))
    }));
    assert!(outcome.is_ok());
    // After a lock it never unlocks, whatever the vault.
    state.lock_now();
    assert!(!state.unlock_from_keyring_at_start());
    assert!(!lock(&state.vault).as_ref().unwrap().is_unlocked());
    // No vault file: nothing to unlock, no file created.
    let empty = tempfile::tempdir().unwrap();
    let none = AppState::new(empty.path().join("missing.db"));
    assert!(!none.unlock_from_keyring_at_start());
    assert!(!empty.path().join("missing.db").exists());
}
