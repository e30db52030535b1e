//! Secrets protected by a store password of their own (Concord
//! `storePassword` / `generatePassword`).

use coffer_core::secret::{NewProtection, Protection, SecretQuery, ValueChange};
use coffer_core::{Error, ErrorCode, ExposeSecret, SecretString};

use crate::support::{
    Fixture, basic, expect_code, expect_invalid, inputs, named, raw, reveal_with,
};

fn pw(text: &str) -> SecretString {
    SecretString::from(text)
}

fn protected(fx: &mut Fixture, name: &str, password: &str, value: &str) {
    let mut new = basic(name, "robot", value);
    new.protection = NewProtection::Password(pw(password));
    let registered = fx.register(new).unwrap();
    assert_eq!(registered.meta.protection, Protection::Password);
    assert!(registered.generated_password.is_none());
}

fn set_password(value: &str) -> ValueChange {
    ValueChange {
        set: inputs(&[("password", value)]),
        ..Default::default()
    }
}

fn wrapped_keys(fx: &Fixture, name: &str) -> Vec<(u32, Vec<u8>, Vec<u8>)> {
    let db = raw(&fx.path);
    let mut stmt = db
        .prepare(
            "SELECT v.version, v.wrapped_dek, v.payload FROM secret_versions v
             JOIN secrets s ON s.id = v.secret_id WHERE s.name = ?1 ORDER BY v.version",
        )
        .unwrap();
    stmt.query_map([name], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn reveal_and_use_need_the_store_password() {
    let mut fx = Fixture::new();
    protected(&mut fx, "locked-box", "store-pw-1", "inner-value");
    let secret = named("locked-box");

    let e = expect_code(
        reveal_with(&mut fx, &secret, None),
        ErrorCode::PasswordRequired,
    );
    assert_eq!(e.code().as_str(), "password_required");
    assert!(e.to_string().contains("\"locked-box\""), "{e}");
    let e = expect_code(
        reveal_with(&mut fx, &secret, Some(&pw("store-pw-2"))),
        ErrorCode::WrongPassword,
    );
    assert!(
        matches!(&e, Error::WrongPassword { name } if name == "locked-box"),
        "{e:?}"
    );
    let revealed = reveal_with(&mut fx, &secret, Some(&pw("store-pw-1"))).unwrap();
    assert_eq!(revealed["password"], b"inner-value");

    expect_code(
        fx.use_secret(&secret, None, "job", None),
        ErrorCode::PasswordRequired,
    );
    expect_code(
        fx.use_secret(&secret, None, "job", Some(&pw("nope"))),
        ErrorCode::WrongPassword,
    );
    let used = fx
        .use_secret(&secret, None, "job", Some(&pw("store-pw-1")))
        .unwrap();
    assert_eq!(
        used.data.field("password").unwrap().value.as_ref(),
        b"inner-value".as_slice()
    );

    // Changing the value needs it too; the new version is under the same password.
    expect_code(
        fx.update_value(&secret, set_password("v2"), None),
        ErrorCode::PasswordRequired,
    );
    expect_code(
        fx.update_value(&secret, set_password("v2"), Some(&pw("x"))),
        ErrorCode::WrongPassword,
    );
    fx.update_value(&secret, set_password("v2"), Some(&pw("store-pw-1")))
        .unwrap();
    expect_code(
        fx.restore_version(&secret, 1, None),
        ErrorCode::PasswordRequired,
    );

    // Unlocking the vault does not open it.
    fx.reopen();
    expect_code(
        reveal_with(&mut fx, &secret, None),
        ErrorCode::PasswordRequired,
    );
    let revealed = reveal_with(&mut fx, &secret, Some(&pw("store-pw-1"))).unwrap();
    assert_eq!(revealed["password"], b"v2");
    assert_eq!(fx.get(&secret).unwrap().protection, Protection::Password);
    // Metadata is readable without the password.
    assert_eq!(fx.get(&secret).unwrap().public_fields["username"], "robot");
}

#[test]
fn generated_store_passwords_are_strong_and_shown_once() {
    let mut fx = Fixture::new();
    let mut new = basic("generated", "u", "the-value");
    new.protection = NewProtection::GeneratePassword;
    let registered = fx.register(new).unwrap();
    let generated = registered.generated_password.as_ref().expect("generated");
    let text = generated.expose_secret().to_owned();
    assert_eq!(text.chars().count(), 24);
    assert!(text.chars().all(|c| c.is_ascii_alphanumeric()), "{text}");
    assert!(!format!("{registered:?}").contains(&text));

    let mut again = basic("generated-2", "u", "v");
    again.protection = NewProtection::GeneratePassword;
    let other = fx.register(again).unwrap().generated_password.unwrap();
    assert_ne!(other.expose_secret(), text);

    let revealed = reveal_with(&mut fx, &named("generated"), Some(&pw(&text))).unwrap();
    assert_eq!(revealed["password"], b"the-value");
    // It is not kept anywhere readable.
    let listed = format!(
        "{:?}{:?}",
        fx.list(&SecretQuery::default()).unwrap(),
        fx.audit_entries(None, 1000).unwrap()
    );
    assert!(!listed.contains(&text));
    fx.close();
    let file = std::fs::read(&fx.path).unwrap();
    assert!(!crate::support::contains(&file, text.as_bytes()));
}

#[test]
fn change_store_password_rewraps_every_kept_version() {
    let mut fx = Fixture::new();
    protected(&mut fx, "box", "old-pw", "v1");
    let secret = named("box");
    let old = pw("old-pw");
    fx.update_value(&secret, set_password("v2"), Some(&old))
        .unwrap();
    fx.update_value(&secret, set_password("v3"), Some(&old))
        .unwrap();
    fx.register(basic("plain", "u", "p")).unwrap();
    let before = wrapped_keys(&fx, "box");
    assert_eq!(before.len(), 3);

    expect_code(
        fx.change_store_password(&secret, &pw("not-it"), &pw("new-pw")),
        ErrorCode::WrongPassword,
    );
    expect_invalid(
        fx.change_store_password(&secret, &old, &old),
        "store_password",
    );
    expect_invalid(
        fx.change_store_password(&secret, &old, &pw("")),
        "store_password",
    );
    expect_invalid(
        fx.change_store_password(&named("plain"), &old, &pw("new-pw")),
        "store_password",
    );
    assert_eq!(wrapped_keys(&fx, "box"), before, "refusals change nothing");

    fx.change_store_password(&secret, &old, &pw("new-pw"))
        .unwrap();
    let after = wrapped_keys(&fx, "box");
    for ((v, key_before, payload_before), (_, key_after, payload_after)) in
        before.iter().zip(&after)
    {
        assert_ne!(key_before, key_after, "version {v} was not re-wrapped");
        assert_eq!(payload_before, payload_after, "version {v}: payload kept");
    }
    let audit = fx.audit_entries(Some(&secret), 1).unwrap();
    assert_eq!(audit[0].action, "secret.change_password");
    assert_eq!(audit[0].detail["versions"], 3);

    fx.reopen();
    let new = pw("new-pw");
    expect_code(
        reveal_with(&mut fx, &secret, Some(&old)),
        ErrorCode::WrongPassword,
    );
    assert_eq!(
        reveal_with(&mut fx, &secret, Some(&new)).unwrap()["password"],
        b"v3"
    );
    // The oldest kept versions open under the new password.
    for (version, value) in [(1, b"v1"), (2, b"v2")] {
        fx.restore_version(&secret, version, Some(&new)).unwrap();
        assert_eq!(
            reveal_with(&mut fx, &secret, Some(&new)).unwrap()["password"],
            value
        );
    }
    expect_code(
        fx.restore_version(&secret, 1, Some(&old)),
        ErrorCode::WrongPassword,
    );
}

#[test]
fn checking_a_store_password_reads_nothing_and_names_the_secret() {
    let mut fx = Fixture::new();
    protected(&mut fx, "checked-box", "store-pw-1", "inner-value");
    fx.register(basic("plain-one", "robot", "plain-value"))
        .unwrap();
    let audit_before = fx.audit_entries(None, 1000).unwrap().len();

    let e = expect_code(
        fx.check_store_password(&named("checked-box"), None),
        ErrorCode::PasswordRequired,
    );
    assert!(e.to_string().contains("\"checked-box\""), "{e}");
    let e = expect_code(
        fx.check_store_password(&named("checked-box"), Some(&pw("store-pw-2"))),
        ErrorCode::WrongPassword,
    );
    assert_eq!(
        e.to_string(),
        "wrong store password for secret \"checked-box\""
    );
    fx.check_store_password(&named("checked-box"), Some(&pw("store-pw-1")))
        .unwrap();
    // A secret without a store password needs none.
    fx.check_store_password(&named("plain-one"), None).unwrap();
    expect_code(
        fx.check_store_password(&named("no-such"), Some(&pw("x"))),
        ErrorCode::NotFound,
    );

    // Nothing was read: no audit entry, no use recorded.
    assert_eq!(fx.audit_entries(None, 1000).unwrap().len(), audit_before);
    assert!(
        fx.get(&named("checked-box"))
            .unwrap()
            .last_used_at
            .is_none()
    );
}
