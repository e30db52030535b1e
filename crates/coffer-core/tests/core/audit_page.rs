//! The vault-wide audit page: filters (secret, target, actor, action, time),
//! keyset paging that visits every entry once, facets, and exports as CSV and
//! JSON that hold no secret value.

use coffer_core::secret::ValueChange;
use coffer_core::{AuditExportFormat, AuditFilter, ErrorCode, Timestamp};

use crate::support::{Fixture, basic, expect_code, expect_invalid, inputs, named};

const VALUES: [&str; 3] = [
    "p4ss-VALUE-one-9f3c",
    "p4ss-VALUE-two-51aa",
    "p4ss-VALUE-new-c0de",
];

/// Three secrets over three days, revealed, used and changed.
fn vault() -> Fixture {
    let mut fx = Fixture::new();
    fx.register(basic("db-password", "svc-user-7", VALUES[0]))
        .unwrap();
    fx.advance_days(1);
    fx.register(basic("api_token", "svc-user-8", VALUES[1]))
        .unwrap();
    fx.reveal(&named("db-password"), None, None).unwrap();
    fx.advance_days(1);
    fx.register(basic("other", "u", "x-other-value")).unwrap();
    fx.reveal(&named("db-password"), None, None).unwrap();
    fx.use_secret(&named("api_token"), None, "job", None)
        .unwrap();
    let change = ValueChange {
        set: inputs(&[("password", VALUES[2])]),
        ..Default::default()
    };
    fx.update_value(&named("db-password"), change, None)
        .unwrap();
    fx
}

fn all(fx: &Fixture, filter: &AuditFilter) -> Vec<coffer_core::AuditEntry> {
    fx.audit_page(filter, None, 1000).unwrap().entries
}

#[test]
fn filters_by_secret_target_actor_action_and_time() {
    let fx = vault();
    let everything = fx.audit_page(&AuditFilter::default(), None, 1000).unwrap();
    let n = everything.entries.len();
    assert_eq!(everything.total, Some(n as u32));
    assert!(
        everything.entries.windows(2).all(|w| w[0].seq > w[1].seq),
        "newest first"
    );
    assert_eq!(everything.next_before, None);

    let reveals = AuditFilter {
        action: Some("secret.reveal".into()),
        ..Default::default()
    };
    let page = fx.audit_page(&reveals, None, 1000).unwrap();
    assert_eq!(page.total, Some(2));
    assert!(page.entries.iter().all(|e| e.action == "secret.reveal"));

    let id = fx.get(&named("db-password")).unwrap().id;
    let about = all(
        &fx,
        &AuditFilter {
            secret_id: Some(id),
            ..Default::default()
        },
    );
    assert!(about.len() >= 4, "{about:?}");
    assert!(about.iter().all(|e| e.secret_id == Some(id)));

    // The target filter is a case-insensitive substring, with LIKE's
    // wildcards taken literally.
    let target = |text: &str| {
        all(
            &fx,
            &AuditFilter {
                target: Some(text.into()),
                ..Default::default()
            },
        )
    };
    assert!(!target("API_TOK").is_empty());
    assert!(
        target("API_TOK")
            .iter()
            .all(|e| e.target.contains("api_token"))
    );
    assert!(target("db%password").is_empty());
    assert!(target("api%token").is_empty() && target("db_password").is_empty());

    let actor = everything.entries[0].actor.clone();
    assert_eq!(
        all(
            &fx,
            &AuditFilter {
                actor: Some(actor.clone()),
                ..Default::default()
            }
        )
        .len(),
        n
    );
    assert!(
        all(
            &fx,
            &AuditFilter {
                actor: Some("nobody-at-all".into()),
                ..Default::default()
            }
        )
        .is_empty()
    );
    // A blank field filters nothing, as a cleared form field.
    assert_eq!(
        all(
            &fx,
            &AuditFilter {
                actor: Some("  ".into()),
                ..Default::default()
            }
        )
        .len(),
        n
    );

    // Time: [since, until) around the second day.
    let day2 = everything
        .entries
        .iter()
        .find(|e| e.target.contains("api_token") && e.action == "secret.create")
        .unwrap()
        .at;
    let window = AuditFilter {
        since: Some(day2),
        until: Some(day2.plus_days(1)),
        ..Default::default()
    };
    let in_window = all(&fx, &window);
    assert!(
        in_window
            .iter()
            .all(|e| e.at >= day2 && e.at < day2.plus_days(1))
    );
    assert!(in_window.iter().any(|e| e.action == "secret.reveal"));
    assert!(in_window.iter().all(|e| !e.target.contains("other")));

    // Parts combine.
    let combined = all(
        &fx,
        &AuditFilter {
            action: Some("secret.reveal".into()),
            since: Some(day2.plus_days(1)),
            ..Default::default()
        },
    );
    assert_eq!(combined.len(), 1);

    let facets = fx.audit_facets().unwrap();
    assert_eq!(facets.actors, vec![actor]);
    for action in [
        "secret.create",
        "secret.reveal",
        "secret.use",
        "vault.create",
    ] {
        assert!(
            facets.actions.iter().any(|a| a == action),
            "{action} in {:?}",
            facets.actions
        );
    }
    assert!(facets.actions.windows(2).all(|w| w[0] < w[1]));
}

#[test]
fn keyset_pages_visit_every_entry_once() {
    let fx = vault();
    let everything = all(&fx, &AuditFilter::default());
    let mut seen = Vec::new();
    let mut before = None;
    let mut pages = 0;
    loop {
        let page = fx.audit_page(&AuditFilter::default(), before, 3).unwrap();
        assert_eq!(
            page.total.is_some(),
            before.is_none(),
            "only the first page counts"
        );
        assert!(page.entries.len() <= 3);
        seen.extend(page.entries.iter().map(|e| e.seq));
        pages += 1;
        match page.next_before {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    let expected: Vec<u32> = everything.iter().map(|e| e.seq).collect();
    assert_eq!(seen, expected);
    assert!(pages >= everything.len() / 3);
}

#[test]
fn bad_requests_are_refused_in_words() {
    let fx = vault();
    expect_invalid(fx.audit_page(&AuditFilter::default(), None, 0), "limit");
    expect_invalid(fx.audit_page(&AuditFilter::default(), None, 1001), "limit");
    let now = fx.now();
    let backwards = AuditFilter {
        since: Some(now),
        until: Some(now.plus_days(-1)),
        ..Default::default()
    };
    let error = expect_code(fx.audit_page(&backwards, None, 10), ErrorCode::InvalidInput);
    assert!(error.to_string().contains("before it starts"), "{error}");
    expect_invalid(
        fx.audit_export(&backwards, AuditExportFormat::Csv, Vec::new()),
        "until",
    );
}

#[test]
fn exports_hold_every_match_and_no_value() {
    let fx = vault();
    let filter = AuditFilter::default();
    let total = all(&fx, &filter).len() as u32;

    let mut csv = Vec::new();
    assert_eq!(
        fx.audit_export(&filter, AuditExportFormat::Csv, &mut csv)
            .unwrap(),
        total
    );
    let csv = String::from_utf8(csv).unwrap();
    let lines: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!(lines[0], "seq,at,actor,action,secret_id,target,detail");
    assert_eq!(lines.len() as u32, total + 1);
    // A detail (JSON, with commas and quotes) is one quoted column.
    let create = lines
        .iter()
        .find(|l| l.contains(",secret.create,"))
        .unwrap();
    assert!(
        create.ends_with('"') && create.contains("\"{\"\""),
        "{create}"
    );

    let mut json = Vec::new();
    let reveals = AuditFilter {
        action: Some("secret.reveal".into()),
        ..Default::default()
    };
    assert_eq!(
        fx.audit_export(&reveals, AuditExportFormat::Json, &mut json)
            .unwrap(),
        2
    );
    let parsed: serde_json::Value = serde_json::from_slice(&json).unwrap();
    let entries = parsed.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e["action"] == "secret.reveal" && e["seq"].is_u64())
    );
    assert!(Timestamp::parse("at", entries[0]["at"].as_str().unwrap()).is_ok());

    let mut everything = Vec::new();
    fx.audit_export(&filter, AuditExportFormat::Json, &mut everything)
        .unwrap();
    let everything = String::from_utf8(everything).unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&everything)
            .unwrap()
            .as_array()
            .unwrap()
            .len() as u32,
        total
    );
    // No value that was stored, revealed, used or changed is in the log.
    for value in VALUES.iter().chain(&["x-other-value"]) {
        assert!(
            !csv.contains(value) && !everything.contains(value),
            "{value} leaked into the audit log"
        );
    }

    // An empty match is still a well-formed file.
    let none = AuditFilter {
        actor: Some("nobody-at-all".into()),
        ..Default::default()
    };
    let mut empty = Vec::new();
    assert_eq!(
        fx.audit_export(&none, AuditExportFormat::Json, &mut empty)
            .unwrap(),
        0
    );
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&empty).unwrap(),
        serde_json::json!([])
    );
}
