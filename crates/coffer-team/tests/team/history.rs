//! Versions and restore of shared secrets, `update` merging single fields,
//! and the signer's right at each revision (a record signed by a member
//! removed before it, or confirmed only after it, is `tampered` even though
//! the signature verifies).

use base64::Engine as _;
use coffer_core::Clock as _;
use coffer_core::secret::{SecretData, ValueChange, text_input};
use coffer_team::{MetadataChange, Role};
use ed25519_dalek::Signer as _;
use sha2::Digest as _;

use crate::secrets::new_secret;
use crate::support::basic_auth;
use crate::support::*;

fn value_of(data: &SecretData, field: &str) -> String {
    String::from_utf8(data.field(field).unwrap().value.into_owned()).unwrap()
}

/// A member's Ed25519 signing key and id, read from its local vault: what a
/// removed (or later) member colluding with the server holds.
fn signing_key(desk: &mut Desk, team_id: &str) -> (ed25519_dalek::SigningKey, uuid::Uuid) {
    let team = uuid::Uuid::parse_str(team_id).unwrap();
    let blob = desk.vault.team_identity(team.as_bytes()).unwrap().unwrap();
    let stored: serde_json::Value = serde_json::from_slice(&blob).unwrap();
    let seed = base64::engine::general_purpose::STANDARD
        .decode(stored["ed25519"].as_str().unwrap())
        .unwrap();
    let member = uuid::Uuid::parse_str(stored["member_id"].as_str().unwrap()).unwrap();
    (
        ed25519_dalek::SigningKey::from_bytes(&seed.try_into().unwrap()),
        member,
    )
}

/// The bytes a shared secret's revision signature covers (as the client
/// computes them): what an attacker re-signs.
#[allow(clippy::too_many_arguments)]
fn revision_message(
    team: &[u8],
    org: &[u8],
    secret: &[u8],
    revision: i32,
    version: i32,
    status: &str,
    author: &[u8],
    at: i64,
    index: &[u8],
    meta: &[u8],
    value: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    let mut put = |b: &[u8]| {
        out.extend_from_slice(&(b.len() as u32).to_be_bytes());
        out.extend_from_slice(b);
    };
    put(b"coffer-team/v1/");
    put(b"secret-revision");
    put(team);
    put(org);
    put(secret);
    put(&i64::from(revision).to_be_bytes());
    put(&i64::from(version).to_be_bytes());
    put(status.as_bytes());
    put(author);
    put(&at.to_be_bytes());
    put(index);
    put(&sha2::Sha256::digest(meta));
    put(&sha2::Sha256::digest(value));
    out
}

/// As the server: makes `signer` the author of `revision` of the only
/// secret, with a valid signature by `signer` over the unchanged ciphertexts.
fn resign_as(team: &Team, signer: &mut Desk, revision: i32) {
    let (key, member) = signing_key(signer, &team.team_id);
    let team_uuid = uuid::Uuid::parse_str(&team.team_id).unwrap();
    let mut root = team.pg.superuser("team");
    let row = root
        .query_one(
            "SELECT v.secret_id, v.org_id, v.version, v.status, v.at, s.blind_index, v.meta,
                    v.value
             FROM coffer.secret_versions v JOIN coffer.secrets s ON s.id = v.secret_id
             WHERE v.revision = $1",
            &[&revision],
        )
        .unwrap();
    let (secret, org): (uuid::Uuid, uuid::Uuid) = (row.get(0), row.get(1));
    let (meta, value): (Vec<u8>, Vec<u8>) = (row.get(6), row.get(7));
    let index: Vec<u8> = row.get(5);
    let message = revision_message(
        team_uuid.as_bytes(),
        org.as_bytes(),
        secret.as_bytes(),
        revision,
        row.get(2),
        row.get::<_, String>(3).as_str(),
        member.as_bytes(),
        row.get(4),
        &index,
        &meta,
        &value,
    );
    let sig = key.sign(&message).to_bytes().to_vec();
    root.execute(
        "UPDATE coffer.secret_versions SET author = $1, sig = $2
         WHERE secret_id = $3 AND revision = $4",
        &[&member, &sig, &secret, &revision],
    )
    .unwrap();
}

fn assert_tampered(desk: &mut Desk, what: &str) {
    let now = desk.clock.now();
    let e = desk.open().shared_secret(ORG, "prod/db").unwrap_err();
    assert_eq!(e.code(), "tampered", "{what}: {e}");
    let e = desk.open().shared_secrets(ORG).unwrap_err();
    assert_eq!(e.code(), "tampered", "{what}: {e}");
    let e = desk
        .open()
        .reveal_shared_secret(ORG, "prod/db", now)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.code(), "tampered", "{what}: {e}");
    let e = coffer_team::sync(&mut desk.vault, None).unwrap_err();
    assert_eq!(e.code(), "tampered", "{what}: {e}");
}

#[test]
fn a_revision_re_signed_by_a_member_removed_before_it_is_tampered() {
    let mut team = Team::new();
    // Writing another member's secret takes WRITER, OWNER or an
    // administrator (teams and access rules): Bob is an administrator.
    let mut bob = team.add("Bob", Role::Administrator);
    let mut carol = team.add("Carol", Role::Member);
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "one")), now)
        .unwrap();
    // Bob writes revision 2 while a member: it stays his after his removal.
    bob.open()
        .update_shared_value(ORG, "prod/db", 1, basic_auth("app", "two"), now)
        .unwrap();
    let bob_id = bob.status().member_id;
    team.admin.open().remove(&bob_id, now).unwrap();
    team.admin
        .open()
        .update_shared_value(ORG, "prod/db", 2, basic_auth("app", "three"), now)
        .unwrap();
    let versions = carol.open().shared_versions(ORG, "prod/db").unwrap();
    assert_eq!(versions[1].author, bob_id, "Bob's revision from before");
    assert_eq!(versions[1].author_name.as_deref(), Some("Bob"));

    // Bob, removed, signs Alice's revision 3 as his: the signature
    // verifies, but he had no right to write at revision 3.
    resign_as(&team, &mut bob, 3);
    assert_tampered(&mut carol, "revision 3 re-signed by Bob");
    let e = carol.open().shared_versions(ORG, "prod/db").unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
}

#[test]
fn a_revision_re_signed_by_a_member_confirmed_after_it_is_tampered() {
    let mut team = Team::new();
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "one")), now)
        .unwrap();
    let mut dave = team.add("Dave", Role::Member);
    dave.open().shared_secret(ORG, "prod/db").unwrap();
    // Dave, confirmed after revision 1, signs it as his.
    resign_as(&team, &mut dave, 1);
    assert_tampered(&mut dave, "revision 1 re-signed by Dave");
}

#[test]
fn a_secret_shown_at_an_older_revision_than_its_audit_is_tampered() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    {
        let mut alice = team.admin.open();
        alice
            .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "one")), now)
            .unwrap();
        alice
            .update_shared_value(ORG, "prod/db", 1, basic_auth("app", "two"), now)
            .unwrap();
    }
    // The server withholds revision 2 and shows revision 1 as current.
    team.pg
        .superuser("team")
        .batch_execute(
            "DELETE FROM coffer.data_keys WHERE revision = 2;
             DELETE FROM coffer.secret_versions WHERE revision = 2;
             UPDATE coffer.secrets SET revision = 1;",
        )
        .unwrap();
    assert_tampered(&mut bob, "revision 2 withheld");
}

#[test]
fn versions_list_every_change_with_its_author_and_never_a_value() {
    let mut team = Team::new();
    // Writing another member's secret takes WRITER, OWNER or an
    // administrator (teams and access rules): Bob is an administrator.
    let mut bob = team.add("Bob", Role::Administrator);
    let mut carol = team.add("Carol", Role::Member);
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(
            ORG,
            new_secret("prod/db", basic_auth("app", "first-Canary")),
            now,
        )
        .unwrap();
    let changed = bob
        .open()
        .update_shared_fields(
            ORG,
            "prod/db",
            1,
            ValueChange {
                set: vec![text_input("password", "second-Canary")],
                ..ValueChange::default()
            },
            now,
        )
        .unwrap()
        .unwrap();
    assert_eq!((changed.revision, changed.version), (2, 2));
    let mut alice = team.admin.open();
    alice
        .update_shared_metadata(
            ORG,
            "prod/db",
            2,
            MetadataChange {
                description: Some("rotated monthly".into()),
                ..MetadataChange::default()
            },
            now,
        )
        .unwrap();
    alice
        .set_shared_status(ORG, "prod/db", 3, "deactivated", now)
        .unwrap();
    drop(alice);

    let versions = carol.open().shared_versions(ORG, "prod/db").unwrap();
    /// Revision, version, status, author, what changed, current.
    type Summary<'a> = (i32, i32, &'a str, Option<&'a str>, String, bool);
    let summary: Vec<Summary> = versions
        .iter()
        .map(|v| {
            (
                v.revision,
                v.version,
                v.status.as_str(),
                v.author_name.as_deref(),
                v.changes.join(", "),
                v.current,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (1, 1, "active", Some("Alice Admin"), "created".into(), false),
            (2, 2, "active", Some("Bob"), "value".into(), false),
            (
                3,
                2,
                "active",
                Some("Alice Admin"),
                "description".into(),
                false
            ),
            (
                4,
                2,
                "deactivated",
                Some("Alice Admin"),
                "status: deactivated".into(),
                true
            ),
        ]
    );
    assert_eq!(versions[0].public_fields["username"], "app");
    let json = serde_json::to_string(&versions).unwrap();
    assert!(!json.contains("Canary"), "no value in the versions list");
}

#[test]
fn an_older_version_is_revealed_and_the_reveal_is_audited() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    let created = team
        .admin
        .open()
        .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "old-pw")), now)
        .unwrap();
    team.admin
        .open()
        .update_shared_value(ORG, "prod/db", 1, basic_auth("app", "new-pw"), now)
        .unwrap();
    let (shown, data) = bob
        .open()
        .reveal_shared_version(ORG, "prod/db", 1, now)
        .unwrap();
    assert_eq!(
        (shown.revision, shown.version, shown.current),
        (1, 1, false)
    );
    assert_eq!(value_of(&data, "password"), "old-pw");
    let bob_id = bob.status().member_id;
    let audit = team.admin.open().audit_entries().unwrap();
    let last = audit.last().unwrap();
    assert_eq!(last.action, "secret.reveal_version");
    assert_eq!(last.actor, bob_id);
    assert_eq!(last.target, format!("{}@1", created.id));
    // A version that never was.
    let e = bob
        .open()
        .reveal_shared_version(ORG, "prod/db", 7, now)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
    // Write-only refuses older values too.
    let mut wo = new_secret("wo", basic_auth("app", "hidden"));
    wo.write_only = true;
    team.admin
        .open()
        .create_shared_secret(ORG, wo, now)
        .unwrap();
    let e = bob
        .open()
        .reveal_shared_version(ORG, "wo", 1, now)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
}

#[test]
fn restore_writes_a_new_signed_revision_with_the_old_value_and_conflicts_like_any_write() {
    let mut team = Team::new();
    // Restoring writes: WRITER, OWNER or an administrator (Bob).
    let mut bob = team.add("Bob", Role::Administrator);
    let now = team.admin.clock.now();
    let created = team
        .admin
        .open()
        .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "v1")), now)
        .unwrap();
    team.admin
        .open()
        .update_shared_value(ORG, "prod/db", 1, basic_auth("app", "v2"), now)
        .unwrap();
    let restored = bob
        .open()
        .restore_shared_version(ORG, "prod/db", 1, 2, now)
        .unwrap();
    assert_eq!((restored.revision, restored.version), (3, 3));
    assert_eq!(restored.description, created.description, "metadata kept");
    let (_, data) = team
        .admin
        .open()
        .reveal_shared_secret(ORG, "prod/db", now)
        .unwrap();
    assert_eq!(value_of(&data, "password"), "v1");
    let versions = team.admin.open().shared_versions(ORG, "prod/db").unwrap();
    assert_eq!(versions[2].changes, ["restored from version 1"]);
    assert_eq!(versions[2].author_name.as_deref(), Some("Bob"));
    let audit = team.admin.open().audit_entries().unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "secret.restore" && e.target == created.id)
    );

    // A second restore from a stale revision: a conflict, nothing written.
    let e = team
        .admin
        .open()
        .restore_shared_version(ORG, "prod/db", 2, 2, now)
        .unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    assert_eq!(
        team.admin
            .open()
            .shared_versions(ORG, "prod/db")
            .unwrap()
            .len(),
        3
    );
    // A later revision's record does not claim the restore.
    let after = team
        .admin
        .open()
        .update_shared_metadata(
            ORG,
            "prod/db",
            3,
            MetadataChange {
                description: Some("after".into()),
                ..MetadataChange::default()
            },
            now,
        )
        .unwrap();
    let versions = team.admin.open().shared_versions(ORG, "prod/db").unwrap();
    assert_eq!(versions[3].changes, ["description"]);
    // A missing version, and a trashed secret.
    let e = team
        .admin
        .open()
        .restore_shared_version(ORG, "prod/db", 9, after.revision, now)
        .unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
    team.admin
        .open()
        .set_shared_status(ORG, "prod/db", after.revision, "trashed", now)
        .unwrap();
    let e = team
        .admin
        .open()
        .restore_shared_version(ORG, "prod/db", 1, after.revision + 1, now)
        .unwrap_err();
    assert_eq!(e.code(), "not_found", "{e}");
}

#[test]
fn a_withheld_or_changed_older_revision_makes_the_versions_tampered() {
    let mut team = Team::new();
    let mut bob = team.add("Bob", Role::Member);
    let now = team.admin.clock.now();
    {
        let mut alice = team.admin.open();
        alice
            .create_shared_secret(ORG, new_secret("prod/db", basic_auth("app", "v1")), now)
            .unwrap();
        alice
            .update_shared_value(ORG, "prod/db", 1, basic_auth("app", "v2"), now)
            .unwrap();
        alice
            .update_shared_value(ORG, "prod/db", 2, basic_auth("app", "v3"), now)
            .unwrap();
    }
    bob.open().shared_versions(ORG, "prod/db").unwrap();
    let mut root = team.pg.superuser("team");
    root.batch_execute(
        "UPDATE coffer.secret_versions SET meta = set_byte(meta, 20, get_byte(meta, 20) # 1)
         WHERE revision = 1",
    )
    .unwrap();
    let e = bob.open().shared_versions(ORG, "prod/db").unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
    let e = bob
        .open()
        .reveal_shared_version(ORG, "prod/db", 1, now)
        .map(|_| ())
        .unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
    // The current revision alone still reads.
    bob.open().shared_secret(ORG, "prod/db").unwrap();
    root.batch_execute(
        "UPDATE coffer.secret_versions SET meta = set_byte(meta, 20, get_byte(meta, 20) # 1)
         WHERE revision = 1;
         DELETE FROM coffer.data_keys WHERE revision = 2;
         DELETE FROM coffer.secret_versions WHERE revision = 2;",
    )
    .unwrap();
    let e = bob.open().shared_versions(ORG, "prod/db").unwrap_err();
    assert_eq!(e.code(), "tampered", "{e}");
    assert!(e.to_string().contains("revision 2"), "{e}");
}

#[test]
fn update_merges_single_fields_and_metadata_changes_keep_the_value() {
    let mut team = Team::new();
    // Writing another member's secret takes WRITER, OWNER or an
    // administrator (teams and access rules): Bob is an administrator.
    let mut bob = team.add("Bob", Role::Administrator);
    let now = team.admin.clock.now();
    team.admin
        .open()
        .create_shared_secret(
            ORG,
            new_secret("prod/db", basic_auth("deploy", "pw-1")),
            now,
        )
        .unwrap();
    let mut tv = bob.open();
    // A new password keeps the username.
    let updated = tv
        .update_shared_fields(
            ORG,
            "prod/db",
            1,
            ValueChange {
                set: vec![text_input("password", "pw-2")],
                ..ValueChange::default()
            },
            now,
        )
        .unwrap()
        .unwrap();
    assert_eq!((updated.revision, updated.version), (2, 2));
    let (_, data) = tv.reveal_shared_secret(ORG, "prod/db", now).unwrap();
    assert_eq!(value_of(&data, "username"), "deploy");
    assert_eq!(value_of(&data, "password"), "pw-2");
    // The same value again: nothing written.
    let same = tv
        .update_shared_fields(
            ORG,
            "prod/db",
            2,
            ValueChange {
                set: vec![text_input("password", "pw-2")],
                ..ValueChange::default()
            },
            now,
        )
        .unwrap();
    assert!(same.is_none());
    // Removing a required field is refused, nothing written.
    let e = tv
        .update_shared_fields(
            ORG,
            "prod/db",
            2,
            ValueChange {
                remove: vec!["password".into()],
                ..ValueChange::default()
            },
            now,
        )
        .unwrap_err();
    assert_eq!(e.code(), "invalid_input", "{e}");
    // A stale revision: conflict.
    let e = tv
        .update_shared_fields(
            ORG,
            "prod/db",
            1,
            ValueChange {
                set: vec![text_input("password", "pw-3")],
                ..ValueChange::default()
            },
            now,
        )
        .unwrap_err();
    assert_eq!(e.code(), "conflict", "{e}");
    // Metadata only: labels and expiry change, the value stays.
    let later = coffer_core::Timestamp::from_unix(now.unix() + 86_400 * 30);
    let meta = tv
        .update_shared_metadata(
            ORG,
            "prod/db",
            2,
            MetadataChange {
                labels: Some([("tier".to_owned(), "gold".to_owned())].into()),
                expires_at: Some(Some(later)),
                ..MetadataChange::default()
            },
            now,
        )
        .unwrap();
    assert_eq!((meta.revision, meta.version), (3, 2));
    assert_eq!(meta.expires_at, Some(later));
    let (_, data) = tv.reveal_shared_secret(ORG, "prod/db", now).unwrap();
    assert_eq!(value_of(&data, "password"), "pw-2");
    assert_eq!(tv.shared_versions(ORG, "prod/db").unwrap().len(), 3);
}
