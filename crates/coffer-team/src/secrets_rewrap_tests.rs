//! The epoch re-wrap seam, called directly against a real PostgreSQL: every
//! data key of an organization moves from epoch e to e+1 in one
//! transaction, the secrets still read, and the old key opens none of the
//! new wraps.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/team/support/pg.rs"]
#[allow(dead_code)]
mod pg;

use std::sync::Arc;

use coffer_core::secret::{Intake, NewSecret, SecretData, SecretType, text_input};
use coffer_core::{Clock as _, FixedClock, SecretString, Timestamp, Vault};

use crate::identity::{random_bytes, wrap_key};
use crate::seal::{self, Purpose};
use crate::secrets::rewrap_data_keys;
use crate::team::{TeamVault, uuid};
use crate::{MetadataChange, records};

fn basic(password: &str) -> SecretData {
    SecretData::from_fields(
        SecretType::BasicAuth,
        vec![
            text_input("username", "u"),
            text_input("password", password),
        ],
        &Intake::default(),
    )
    .unwrap()
}

#[test]
fn rewrap_moves_every_data_key_to_the_new_epoch() {
    let pg = pg::Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let clock = Arc::new(FixedClock::new(Timestamp::from_unix(secs as i64)));
    let mut options = coffer_core::CreateOptions::new(SecretString::from("correct horse battery"));
    options.use_keyring = false;
    let (mut vault, _) = Vault::create(&dir.path().join("v.db"), options, clock.clone()).unwrap();
    let create = crate::CreateOptions {
        connection: pg.url("coffer"),
        password_secret: None,
        ca_secret: None,
        client_cert: None,
        display_name: "Alice".into(),
        org_name: "Ops".into(),
    };
    crate::create(&mut vault, &create, false).unwrap();
    let now = clock.now();
    let mut tv = TeamVault::open(&mut vault, None).unwrap();
    tv.create_shared_secret("Ops", NewSecret::new("db", basic("one")), now)
        .unwrap();
    tv.create_shared_secret("Ops", NewSecret::new("api", basic("two")), now)
        .unwrap();
    tv.update_shared_metadata("Ops", "api", 1, MetadataChange::default(), now)
        .unwrap();
    let ctx = tv.org_context("Ops").unwrap();
    assert_eq!(ctx.epoch, 1);
    let (team, me, org) = (tv.me.team_id, tv.me.member_id, ctx.org);
    let new_key: [u8; 32] = random_bytes().unwrap();

    // What member removal does around the seam: the new epoch's grant and
    // the organization re-sealed, with the re-wrap, in one transaction.
    let wrapped = wrap_key(&tv.me.public().age_recipient().unwrap(), &new_key).unwrap();
    let grant = tv
        .me
        .sign(&records::org_key_grant(&team, &org, 2, &me, &wrapped));
    let name = seal::seal(&new_key, Purpose::OrgName, &team, &org, 2, b"Ops").unwrap();
    let org_sig = tv.me.sign(&records::organization(&team, &org, 2, &name));
    let mut tx = tv.client.transaction().unwrap();
    let rewrapped = rewrap_data_keys(&mut tx, &team, &org, (1, &ctx.key), (2, &new_key)).unwrap();
    tx.execute(
        "INSERT INTO coffer.organization_keys (org_id, epoch, member_id, wrapped, granted_by, sig)
         VALUES ($1, 2, $2, $3, $2, $4)",
        &[&uuid(&org), &uuid(&me), &wrapped, &grant],
    )
    .unwrap();
    tx.execute(
        "UPDATE coffer.organizations SET name = $2, epoch = 2, sig = $3 WHERE id = $1",
        &[&uuid(&org), &name, &org_sig],
    )
    .unwrap();
    tx.commit().unwrap();
    let names: Vec<_> = rewrapped.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(
        names,
        ["api", "db"],
        "each secret once, by its current name"
    );

    // The secrets still read (list and reveal) at epoch 2, names stay unique.
    let listed = tv.shared_secrets("Ops").unwrap();
    assert_eq!(listed.len(), 2);
    let (_, value) = tv.reveal_shared_secret("Ops", "db", now).unwrap();
    assert_eq!(value.field("password").unwrap().value.as_ref(), b"one");
    let e = tv
        .create_shared_secret("Ops", NewSecret::new("db", basic("x")), now)
        .unwrap_err();
    assert_eq!(e.code(), "name_taken", "the blind index survives the epoch");

    // Every wrap is of epoch 2; the old key opens none of them.
    let rows = tv
        .client
        .query(
            "SELECT secret_id, revision, epoch, wrapped FROM coffer.data_keys",
            &[],
        )
        .unwrap();
    assert_eq!(rows.len(), 3);
    for r in rows {
        let id: uuid::Uuid = r.get(0);
        let revision: i32 = r.get(1);
        let epoch: i32 = r.get(2);
        let wrapped: Vec<u8> = r.get(3);
        assert_eq!(epoch, 2);
        for e in [1, 2] {
            assert!(
                seal::open_at(
                    &ctx.key,
                    Purpose::DataKey,
                    &team,
                    id.as_bytes(),
                    revision,
                    e,
                    &wrapped,
                    "k"
                )
                .is_err()
            );
        }
        assert!(
            seal::open_at(
                &new_key,
                Purpose::DataKey,
                &team,
                id.as_bytes(),
                revision,
                2,
                &wrapped,
                "k"
            )
            .is_ok()
        );
    }
}
