//! The shared list answers the local list's queries the same way: scope,
//! organization, text, type, status, labels, expiry window, sort, pages.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use coffer_core::Timestamp;
use coffer_core::secret::{Scope, SecretQuery, SecretStatus, SecretType, SortKey};
use coffer_team::SharedSecret;

use super::{Shared, page, to_meta};

const NOW: i64 = 1_800_000_000;

fn secret(n: u8, name: &str, kind: &str, org: &str, status: &str) -> SharedSecret {
    SharedSecret {
        id: format!("00000000-0000-4000-8000-0000000000{n:02x}"),
        org_id: format!("{org}-id"),
        org: org.into(),
        name: name.into(),
        kind: kind.into(),
        description: String::new(),
        labels: BTreeMap::new(),
        expires_at: None,
        write_only: false,
        public_fields: serde_json::json!({}),
        status: status.into(),
        revision: 1,
        version: 1,
        author: "m1".into(),
        updated_at: Timestamp::from_unix(NOW - i64::from(n)),
        server_revision: i64::from(n),
        visibility: "PUBLIC".into(),
        owner: "m1".into(),
    }
}

fn sample() -> Vec<SharedSecret> {
    let mut db = secret(1, "db-password", "basic_auth", "Platform", "active");
    db.description = "Primary PostgreSQL".into();
    db.labels.insert("env".into(), "prod".into());
    let mut tls = secret(2, "tls-cert", "certificate", "Platform", "active");
    tls.expires_at = Some(Timestamp::from_unix(NOW + 10 * 86_400));
    let mut old = secret(3, "old-token", "bearer_token", "Platform", "active");
    old.expires_at = Some(Timestamp::from_unix(NOW - 60));
    let off = secret(4, "Api-Key", "bearer_token", "Platform", "deactivated");
    let gone = secret(5, "gone", "bearer_token", "Platform", "trashed");
    let other = secret(6, "elsewhere", "bearer_token", "Data", "active");
    vec![db, tls, old, off, gone, other]
}

fn names(query: &SecretQuery) -> Vec<String> {
    page(&sample(), query, Timestamp::from_unix(NOW), |m| {
        format!("name of {m}")
    })
    .items
    .into_iter()
    .map(|m| m.name)
    .collect()
}

fn platform() -> SecretQuery {
    SecretQuery {
        org: Some("Platform".into()),
        ..SecretQuery::default()
    }
}

#[test]
fn the_live_list_of_an_organization_leaves_out_the_trash_and_other_organizations() {
    assert_eq!(
        names(&platform()),
        ["Api-Key", "db-password", "old-token", "tls-cert"],
        "sorted by name, case-insensitively"
    );
    let trash = SecretQuery {
        scope: Scope::Trash,
        ..platform()
    };
    assert_eq!(names(&trash), ["gone"]);
}

#[test]
fn filters_match_like_the_local_list() {
    let text = SecretQuery {
        text: Some("postgresql".into()),
        ..platform()
    };
    assert_eq!(names(&text), ["db-password"], "the description matches");
    let types = SecretQuery {
        types: vec![SecretType::BearerToken],
        ..platform()
    };
    assert_eq!(names(&types), ["Api-Key", "old-token"]);
    let expired = SecretQuery {
        statuses: vec![SecretStatus::Expired],
        ..platform()
    };
    assert_eq!(names(&expired), ["old-token"], "expiry makes the status");
    let deactivated = SecretQuery {
        statuses: vec![SecretStatus::Deactivated],
        ..platform()
    };
    assert_eq!(names(&deactivated), ["Api-Key"]);
    let labelled = SecretQuery {
        labels: vec![("env".into(), Some("prod".into()))],
        ..platform()
    };
    assert_eq!(names(&labelled), ["db-password"]);
    let wrong_value = SecretQuery {
        labels: vec![("env".into(), Some("dev".into()))],
        ..platform()
    };
    assert!(names(&wrong_value).is_empty());
    let expiring = SecretQuery {
        expiring_within_days: Some(30),
        ..platform()
    };
    assert_eq!(names(&expiring), ["old-token", "tls-cert"]);
    let project = SecretQuery {
        project: Some("web".into()),
        ..platform()
    };
    assert!(names(&project).is_empty(), "shared secrets have no project");
}

#[test]
fn sorting_and_paging_follow_the_query() {
    let by_expiry = SecretQuery {
        sort: SortKey::Expires,
        ..platform()
    };
    assert_eq!(
        names(&by_expiry),
        ["old-token", "tls-cert", "Api-Key", "db-password"],
        "secrets without an expiry last"
    );
    let descending = SecretQuery {
        descending: true,
        ..platform()
    };
    assert_eq!(
        names(&descending),
        ["tls-cert", "old-token", "db-password", "Api-Key"]
    );
    let second_page = SecretQuery {
        limit: 2,
        offset: 2,
        ..platform()
    };
    let result = page(&sample(), &second_page, Timestamp::from_unix(NOW), |m| {
        m.to_owned()
    });
    assert_eq!(result.total, 4, "the total counts every match");
    let got: Vec<_> = result.items.into_iter().map(|m| m.name).collect();
    assert_eq!(got, ["old-token", "tls-cert"]);
}

#[test]
fn a_shared_secret_reads_as_the_lists_metadata() {
    let s = &sample()[0];
    let meta = to_meta(s, Timestamp::from_unix(NOW), "Bob".into()).unwrap();
    assert_eq!(meta.id.to_string(), s.id);
    assert_eq!(meta.kind, SecretType::BasicAuth);
    assert_eq!(meta.org, "Platform");
    assert_eq!(meta.owner, "Bob", "the author's name");
    assert_eq!(meta.status, SecretStatus::Active);
    assert!(meta.deleted_at.is_none());
    let mut broken = s.clone();
    broken.id = "not-a-uuid".into();
    assert!(to_meta(&broken, Timestamp::from_unix(NOW), String::new()).is_none());
}

#[test]
fn a_write_shows_in_the_list_at_once_and_organizations_count_live_secrets() {
    let shared = Shared::default();
    {
        let mut inner = super::lock(&shared.inner);
        inner.team_id = Some("team".into());
        inner.server = Some("127.0.0.1:5432/team".into());
        inner.secrets = std::sync::Arc::new(sample());
        inner.orgs = vec![("Empty-id".into(), "Empty".into())];
    }
    let mut changed = sample()[0].clone();
    changed.description = "moved".into();
    changed.revision = 2;
    shared.put(changed);
    assert_eq!(shared.secret(&sample()[0].id).unwrap().revision, 2);
    assert_eq!(shared.secrets().len(), 6, "replaced, not added");
    let orgs = shared.orgs();
    let counts: Vec<_> = orgs.iter().map(|o| (o.name.as_str(), o.secrets)).collect();
    assert_eq!(counts, [("Data", 1), ("Empty", 0), ("Platform", 4)]);
    assert!(orgs.iter().all(|o| o.team == "127.0.0.1:5432/team"));
    assert!(shared.org_named("Platform").is_some());
    assert!(shared.org_named("Default").is_none());
    assert_eq!(
        shared.secret("nope").unwrap_err().code,
        coffer_core::ErrorCode::NotFound
    );
}
