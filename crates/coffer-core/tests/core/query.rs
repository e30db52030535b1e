//! Listing: every filter, every sort key in both directions, paging and totals.

use std::cmp::Ordering;

use coffer_core::Timestamp;
use coffer_core::secret::{
    MAX_PAGE, MetadataChange, NewSecret, Scope, SecretMeta, SecretQuery, SecretStatus, SecretType,
    SortKey,
};

use crate::support::{Fixture, T0, basic, named, pems, secret};

struct Spec {
    name: &'static str,
    kind: SecretType,
    description: &'static str,
    labels: &'static [(&'static str, &'static str)],
    org: Option<&'static str>,
    project: Option<&'static str>,
    /// Days from registration (which happens at `T0 + day`).
    expires_in: Option<i64>,
    day: i64,
}

const SPECS: &[Spec] = &[
    Spec {
        name: "Alpha-db",
        kind: SecretType::BasicAuth,
        description: "Primary DATABASE for billing",
        labels: &[("env", "prod"), ("team", "core")],
        org: None,
        project: Some("billing"),
        expires_in: Some(10),
        day: 0,
    },
    Spec {
        name: "alpha-cache",
        kind: SecretType::BearerToken,
        description: "redis token",
        labels: &[("env", "staging")],
        org: None,
        project: None,
        expires_in: Some(40),
        day: 0,
    },
    Spec {
        name: "ALPHA-DB",
        kind: SecretType::ApiKey,
        description: "shouting twin",
        labels: &[],
        org: None,
        project: None,
        expires_in: None,
        day: 0,
    },
    Spec {
        name: "beta/api",
        kind: SecretType::ApiKey,
        description: "Public API key",
        labels: &[("env", "prod")],
        org: Some("Ops"),
        project: None,
        expires_in: None,
        day: 1,
    },
    Spec {
        name: "gamma.cert",
        kind: SecretType::Certificate,
        description: "TLS client",
        labels: &[],
        org: Some("Ops"),
        project: Some("payments"),
        expires_in: Some(5),
        day: 1,
    },
    Spec {
        name: "delta_kv",
        kind: SecretType::KeyValue,
        description: "env file 100%",
        labels: &[("team", "core")],
        org: None,
        project: Some("billing"),
        expires_in: None,
        day: 2,
    },
    Spec {
        name: "epsilon",
        kind: SecretType::Data,
        description: "",
        labels: &[],
        org: None,
        project: None,
        expires_in: Some(28),
        day: 2,
    },
    Spec {
        name: "Zeta",
        kind: SecretType::ClientCredentials,
        description: "oauth Billing client",
        labels: &[("env", "prod")],
        org: None,
        project: None,
        expires_in: Some(1),
        day: 3,
    },
    Spec {
        name: "eta-trashed",
        kind: SecretType::BasicAuth,
        description: "billing leftovers",
        labels: &[("env", "prod")],
        org: None,
        project: None,
        expires_in: None,
        day: 3,
    },
];

/// The clock stands here while listing: day 5, so "Zeta" (due day 4) has expired.
const NOW_DAY: i64 = 5;

fn new_secret(spec: &Spec) -> NewSecret {
    let p = pems();
    let mut new = match spec.kind {
        SecretType::BasicAuth => basic(spec.name, "u", "p"),
        SecretType::BearerToken => secret(spec.name, spec.kind, &[("token", "t")]),
        SecretType::ApiKey => secret(
            spec.name,
            spec.kind,
            &[("header_name", "X-K"), ("value", "v")],
        ),
        SecretType::Certificate => secret(spec.name, spec.kind, &[("certificate", &p.chain)]),
        SecretType::KeyValue => secret(spec.name, spec.kind, &[("A", "1")]),
        SecretType::Data => secret(spec.name, spec.kind, &[("data", "d")]),
        SecretType::ClientCredentials => secret(
            spec.name,
            spec.kind,
            &[("client_id", "c"), ("client_secret", "s")],
        ),
        other => unreachable!("{other}"),
    };
    new.description = spec.description.into();
    new.labels = spec
        .labels
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    new.org = spec.org.map(str::to_owned);
    new.project = spec.project.map(str::to_owned);
    new.expires_at = spec.expires_in.map(|d| T0.plus_days(spec.day + d));
    new
}

/// The listing vault: registered over several days, one secret deactivated,
/// one in the trash, two updated later; the clock then stands at day 5.
fn fixture() -> Fixture {
    let fx = Fixture::new();
    populate(fx)
}

fn populate(mut fx: Fixture) -> Fixture {
    for spec in SPECS {
        fx.clock.set(T0.plus_days(spec.day));
        fx.register(new_secret(spec))
            .unwrap_or_else(|e| panic!("{}: {e}", spec.name));
    }
    fx.clock.set(T0.plus_days(4));
    fx.deactivate(&named("epsilon")).unwrap();
    fx.update_metadata(
        &named("alpha-cache"),
        MetadataChange {
            description: Some("redis token (rotated)".into()),
            ..Default::default()
        },
    )
    .unwrap();
    fx.delete(&named("eta-trashed")).unwrap();
    fx.clock.set(T0.plus_days(NOW_DAY));
    fx
}

fn list(fx: &Fixture, query: SecretQuery) -> (u32, Vec<String>) {
    let page = fx.list(&query).unwrap();
    (page.total, page.items.into_iter().map(|m| m.name).collect())
}

/// Names matching a query, sorted by name (filters are checked apart from sorting).
fn matching(fx: &Fixture, query: SecretQuery) -> Vec<String> {
    let (total, names) = list(fx, query);
    assert_eq!(total as usize, names.len());
    let mut sorted = names;
    sorted.sort_by_key(|n| n.to_lowercase());
    sorted
}

/// Every sort key.
const ALL_SORTS: [SortKey; 6] = [
    SortKey::Name,
    SortKey::Type,
    SortKey::Created,
    SortKey::Updated,
    SortKey::Expires,
    SortKey::Status,
];

fn q() -> SecretQuery {
    SecretQuery::default()
}

#[test]
fn text_filter_is_a_case_insensitive_substring_of_name_or_description() {
    let fx = fixture();
    let text = |t: &str| {
        matching(
            &fx,
            SecretQuery {
                text: Some(t.into()),
                ..q()
            },
        )
    };
    assert_eq!(text("billing"), ["Alpha-db", "Zeta"]);
    assert_eq!(text("ALPHA"), ["alpha-cache", "Alpha-db", "ALPHA-DB"]);
    assert_eq!(text("database"), ["Alpha-db"]);
    assert_eq!(text("ROTATED"), ["alpha-cache"]);
    assert_eq!(text("  token  "), ["alpha-cache"]);
    // LIKE wildcards are plain characters.
    assert_eq!(text("_"), ["delta_kv"]);
    assert_eq!(text("%"), ["delta_kv"]);
    assert!(text("nothing-like-this").is_empty());
    // Blank text filters nothing.
    assert_eq!(text("   ").len(), 8);
    // The trash is searched separately.
    let trash = matching(
        &fx,
        SecretQuery {
            text: Some("billing".into()),
            scope: Scope::Trash,
            ..q()
        },
    );
    assert_eq!(trash, ["eta-trashed"]);
}

#[test]
fn type_status_label_org_project_and_expiry_filters() {
    let fx = fixture();
    let m = |query: SecretQuery| matching(&fx, query);
    assert_eq!(
        m(SecretQuery {
            types: vec![SecretType::ApiKey, SecretType::Data],
            ..q()
        }),
        ["ALPHA-DB", "beta/api", "epsilon"]
    );
    assert_eq!(
        m(SecretQuery {
            statuses: vec![SecretStatus::Deactivated],
            ..q()
        }),
        ["epsilon"]
    );
    assert_eq!(
        m(SecretQuery {
            statuses: vec![SecretStatus::Expired],
            ..q()
        }),
        ["Zeta"]
    );
    assert_eq!(
        m(SecretQuery {
            statuses: vec![SecretStatus::Expired, SecretStatus::Deactivated],
            ..q()
        }),
        ["epsilon", "Zeta"]
    );
    assert_eq!(
        m(SecretQuery {
            statuses: vec![SecretStatus::Active],
            ..q()
        }),
        [
            "alpha-cache",
            "Alpha-db",
            "ALPHA-DB",
            "beta/api",
            "delta_kv",
            "gamma.cert"
        ]
    );
    let label = |key: &str, value: Option<&str>| SecretQuery {
        labels: vec![(key.to_owned(), value.map(str::to_owned))],
        ..q()
    };
    assert_eq!(m(label("team", None)), ["Alpha-db", "delta_kv"]);
    assert_eq!(
        m(label("env", Some("prod"))),
        ["Alpha-db", "beta/api", "Zeta"]
    );
    assert!(m(label("env", Some("PROD"))).is_empty());
    assert!(m(label("missing", None)).is_empty());
    assert_eq!(
        m(SecretQuery {
            labels: vec![
                ("env".into(), Some("prod".into())),
                ("team".into(), Some("core".into()))
            ],
            ..q()
        }),
        ["Alpha-db"]
    );
    assert_eq!(
        m(SecretQuery {
            org: Some("Ops".into()),
            ..q()
        }),
        ["beta/api", "gamma.cert"]
    );
    assert!(
        m(SecretQuery {
            org: Some("Nope".into()),
            ..q()
        })
        .is_empty()
    );
    assert_eq!(
        m(SecretQuery {
            org: Some("Default".into()),
            ..q()
        })
        .len(),
        6
    );
    assert_eq!(
        m(SecretQuery {
            project: Some("billing".into()),
            ..q()
        }),
        ["Alpha-db", "delta_kv"]
    );
    // Expiring within N days of now (day 5); already expired ones are included.
    let within = |days: u32| SecretQuery {
        expiring_within_days: Some(days),
        ..q()
    };
    // Due: Zeta day 4 (expired), gamma day 6, Alpha-db day 10, epsilon day 30, alpha-cache day 40.
    assert_eq!(m(within(0)), ["Zeta"]);
    assert_eq!(m(within(1)), ["gamma.cert", "Zeta"]);
    assert_eq!(m(within(5)), ["Alpha-db", "gamma.cert", "Zeta"]);
    assert_eq!(m(within(30)), ["Alpha-db", "epsilon", "gamma.cert", "Zeta"]);
    assert_eq!(m(within(35)).len(), 5);
    // Filters combine.
    assert_eq!(
        m(SecretQuery {
            text: Some("a".into()),
            org: Some("Default".into()),
            labels: vec![("env".into(), Some("prod".into()))],
            expiring_within_days: Some(30),
            ..q()
        }),
        ["Alpha-db", "Zeta"]
    );
}

/// The documented order of each sort key, computed from the listed metadata;
/// `index` (registration order) stands in for the row id that breaks ties.
fn expected_order(items: &[(usize, SecretMeta)], sort: SortKey, descending: bool) -> Vec<String> {
    let nocase = |m: &SecretMeta| m.name.to_ascii_lowercase();
    let dir = |o: Ordering| if descending { o.reverse() } else { o };
    let mut sorted: Vec<&(usize, SecretMeta)> = items.iter().collect();
    sorted.sort_by(|(ia, a), (ib, b)| match sort {
        SortKey::Name => dir(nocase(a).cmp(&nocase(b)).then(ia.cmp(ib))),
        SortKey::Type => dir(a
            .kind
            .as_str()
            .cmp(b.kind.as_str())
            .then(nocase(a).cmp(&nocase(b)))
            .then(ia.cmp(ib))),
        SortKey::Created => dir(a.created_at.cmp(&b.created_at).then(ia.cmp(ib))),
        SortKey::Updated => dir(a.updated_at.cmp(&b.updated_at).then(ia.cmp(ib))),
        SortKey::Expires => {
            let key = |m: &SecretMeta| m.expires_at.map(Timestamp::unix);
            match (key(a), key(b)) {
                (None, None) => dir(nocase(a).cmp(&nocase(b)).then(ia.cmp(ib))),
                (None, Some(_)) => Ordering::Greater,
                (Some(_), None) => Ordering::Less,
                (Some(x), Some(y)) => {
                    dir(x.cmp(&y).then(nocase(a).cmp(&nocase(b))).then(ia.cmp(ib)))
                }
            }
        }
        SortKey::Status => dir(a
            .status
            .as_str()
            .cmp(b.status.as_str())
            .then(nocase(a).cmp(&nocase(b)))
            .then(ia.cmp(ib))),
    });
    sorted.into_iter().map(|(_, m)| m.name.clone()).collect()
}

#[test]
fn every_sort_key_in_both_directions() {
    let fx = fixture();
    let items: Vec<(usize, SecretMeta)> = SPECS
        .iter()
        .enumerate()
        .filter(|(_, s)| s.name != "eta-trashed")
        .map(|(i, s)| {
            let org = s.org.unwrap_or("Default");
            let meta = fx
                .get(&coffer_core::secret::SecretRef::in_org(org, s.name))
                .unwrap();
            (i, meta)
        })
        .collect();
    for sort in ALL_SORTS {
        for descending in [false, true] {
            let (total, names) = list(
                &fx,
                SecretQuery {
                    sort,
                    descending,
                    ..q()
                },
            );
            assert_eq!(total, 8);
            assert_eq!(
                names,
                expected_order(&items, sort, descending),
                "sort {sort:?}, descending {descending}"
            );
        }
    }
    // Spot checks that do not rely on the model above.
    let (_, by_name) = list(&fx, q());
    assert_eq!(by_name[..3], ["alpha-cache", "Alpha-db", "ALPHA-DB"]);
    let (_, by_expiry) = list(
        &fx,
        SecretQuery {
            sort: SortKey::Expires,
            descending: true,
            ..q()
        },
    );
    assert_eq!(
        by_expiry,
        [
            "alpha-cache",
            "epsilon",
            "Alpha-db",
            "gamma.cert",
            "Zeta",
            "delta_kv",
            "beta/api",
            "ALPHA-DB"
        ]
    );
}

#[test]
fn limit_offset_and_total() {
    let fx = fixture();
    let (_, all) = list(&fx, q());
    let mut paged = Vec::new();
    for offset in (0..9).step_by(3) {
        let (total, names) = list(
            &fx,
            SecretQuery {
                limit: 3,
                offset,
                ..q()
            },
        );
        assert_eq!(total, 8);
        assert!(names.len() <= 3);
        paged.extend(names);
    }
    assert_eq!(paged, all);
    let (total, names) = list(&fx, SecretQuery { limit: 0, ..q() });
    assert_eq!((total, names.len()), (8, 0));
    let (total, names) = list(&fx, SecretQuery { offset: 100, ..q() });
    assert_eq!((total, names.len()), (8, 0));
    let (total, names) = list(
        &fx,
        SecretQuery {
            text: Some("alpha".into()),
            sort: SortKey::Name,
            descending: true,
            limit: 2,
            offset: 1,
            ..q()
        },
    );
    assert_eq!(total, 3);
    assert_eq!(names, ["Alpha-db", "alpha-cache"]);
}

#[test]
fn pages_are_capped_at_max_page() {
    let mut fx = Fixture::new();
    let batch: Vec<NewSecret> = (0..=MAX_PAGE)
        .map(|i| basic(&format!("s{i:05}"), "u", "p"))
        .collect();
    fx.register_many(batch).unwrap();
    let page = fx
        .list(&SecretQuery {
            limit: u32::MAX,
            ..q()
        })
        .unwrap();
    assert_eq!(page.total, MAX_PAGE + 1);
    assert_eq!(page.items.len(), MAX_PAGE as usize);
    let last = fx
        .list(&SecretQuery {
            limit: u32::MAX,
            offset: MAX_PAGE,
            ..q()
        })
        .unwrap();
    assert_eq!(last.items.len(), 1);
    assert_eq!(last.items[0].name, format!("s{MAX_PAGE:05}"));
}

/// The text filter, checked against a brute-force model over many random
/// substrings: one to eight characters (shorter than three are scanned,
/// longer are looked up in the trigram index), in any case.
#[test]
fn text_filter_agrees_with_a_brute_force_model() {
    let mut rng = crate::support::Rng::seeded("text filter");
    let words = [
        "alpha",
        "Beta",
        "gamma",
        "DELTA",
        "prod",
        "staging",
        "db",
        "api-key",
        "token",
        "caf\u{e9}",
        "na\u{ef}ve",
        "x_y",
        "100%",
        "a\"b",
        "col:on",
        "NEAR",
        "AND",
        "*star",
    ];
    let mut fx = Fixture::new();
    let mut model: Vec<(String, String)> = Vec::new();
    let mut batch = Vec::new();
    for i in 0..300 {
        let mut pick = || words[rng.below(words.len() as u64) as usize];
        let name = format!(
            "{}-{}-{i}",
            pick().replace(['\u{e9}', '\u{ef}', '"', ':', '%', '*'], "z"),
            pick().replace(['\u{e9}', '\u{ef}', '"', ':', '%', '*'], "q")
        );
        let description = format!("{} {} {}", pick(), pick(), pick());
        let mut new = basic(&name, "u", "p");
        new.description = description.clone();
        batch.push(new);
        model.push((name, description));
    }
    fx.register_many(batch).unwrap();
    let haystacks: Vec<String> = model
        .iter()
        .map(|(n, d)| format!("{}\n{}", n.to_lowercase(), d.to_lowercase()))
        .collect();
    let mut checked = 0;
    for _ in 0..400 {
        let (n, d) = &model[rng.below(model.len() as u64) as usize];
        let source: Vec<char> = if rng.below(2) == 0 {
            n.chars().collect()
        } else {
            d.chars().collect()
        };
        if source.is_empty() {
            continue;
        }
        let len = 1 + rng.below(8.min(source.len() as u64)) as usize;
        let start = rng.below((source.len() - len + 1) as u64) as usize;
        let mut text: String = source[start..start + len].iter().collect();
        if rng.below(2) == 0 {
            text = text.to_uppercase();
        }
        let needle = text.trim().to_lowercase();
        let mut expected: Vec<&str> = model
            .iter()
            .zip(&haystacks)
            .filter(|(_, h)| needle.is_empty() || h.contains(&needle))
            .map(|((name, _), _)| name.as_str())
            .collect();
        expected.sort_by_key(|n| n.to_ascii_lowercase());
        let page = fx
            .list(&SecretQuery {
                text: Some(text.clone()),
                limit: 1000,
                ..q()
            })
            .unwrap();
        let got: Vec<&str> = page.items.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(page.total as usize, expected.len(), "total for {text:?}");
        assert_eq!(got, expected, "matches for {text:?}");
        checked += 1;
    }
    assert!(checked > 300);
}

/// The trigram index follows every change of name, description and trash.
#[test]
fn the_text_index_follows_every_change() {
    let mut fx = Fixture::new();
    let find = |fx: &Fixture, text: &str, scope: Scope| -> Vec<String> {
        let page = fx
            .list(&SecretQuery {
                text: Some(text.into()),
                scope,
                ..q()
            })
            .unwrap();
        assert_eq!(page.total as usize, page.items.len());
        page.items.into_iter().map(|m| m.name).collect()
    };
    let mut new = basic("alpha-one", "u", "p");
    new.description = "the first words".into();
    fx.register(new).unwrap();
    assert_eq!(find(&fx, "first", Scope::Live), ["alpha-one"]);
    fx.update_metadata(
        &named("alpha-one"),
        MetadataChange {
            description: Some("say \"hi\" AND col:on NEAR(x) *".into()),
            ..Default::default()
        },
    )
    .unwrap();
    assert!(find(&fx, "first", Scope::Live).is_empty());
    for text in ["\"hi\"", "AND col:on", "NEAR(x)", " *", "alpha-one\nsay"] {
        assert_eq!(find(&fx, text, Scope::Live), ["alpha-one"], "{text:?}");
    }
    // Metadata that is not text leaves the index alone.
    fx.deactivate(&named("alpha-one")).unwrap();
    fx.move_to_org(&named("alpha-one"), "Ops").unwrap();
    assert_eq!(find(&fx, "alpha-o", Scope::Live), ["alpha-one"]);
    let moved = coffer_core::secret::SecretRef::in_org("Ops", "alpha-one");
    fx.delete(&moved).unwrap();
    assert!(find(&fx, "alpha-o", Scope::Live).is_empty());
    assert_eq!(find(&fx, "alpha-o", Scope::Trash), ["alpha-one"]);
    fx.undelete(&moved).unwrap();
    assert_eq!(find(&fx, "alpha-o", Scope::Live), ["alpha-one"]);
    fx.reopen();
    assert_eq!(find(&fx, "alpha-o", Scope::Live), ["alpha-one"]);
    fx.purge(&moved).unwrap();
    assert!(find(&fx, "alpha-o", Scope::Live).is_empty());
    assert!(find(&fx, "alpha-o", Scope::Trash).is_empty());
    // A name taken again after the purge is found once.
    fx.register(basic("alpha-one", "u", "p")).unwrap();
    assert_eq!(find(&fx, "alpha-o", Scope::Live), ["alpha-one"]);
    crate::support::assert_search_index_consistent(&fx.path);
    // The check notices a missing entry, and an extra one.
    let db = crate::support::raw(&fx.path);
    db.execute("DELETE FROM secret_search", []).unwrap();
    assert_eq!(crate::support::search_index_differences(&fx.path), 1);
    db.execute(
        "INSERT INTO secret_search (rowid, search) SELECT id, search FROM secrets",
        [],
    )
    .unwrap();
    db.execute(
        "INSERT INTO secret_search (rowid, search) VALUES (999, 'ghost')",
        [],
    )
    .unwrap();
    assert_eq!(crate::support::search_index_differences(&fx.path), 1);
}

/// Thousands of matches are paged by walking the sort order, and agree with
/// the filter combined with others.
#[test]
fn many_matches_page_correctly() {
    let mut fx = Fixture::new();
    let batch: Vec<NewSecret> = (0..2500)
        .map(|i| {
            let mut new = basic(&format!("bulk-{:04}", 2499 - i), "u", "p");
            new.description = if i % 5 == 0 {
                "Common text, rare"
            } else {
                "common text"
            }
            .into();
            new
        })
        .collect();
    fx.register_many(batch).unwrap();
    let page = fx
        .list(&SecretQuery {
            text: Some("COMMON".into()),
            limit: 3,
            offset: 2495,
            ..q()
        })
        .unwrap();
    assert_eq!(page.total, 2500);
    let names: Vec<&str> = page.items.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["bulk-2495", "bulk-2496", "bulk-2497"]);
    let rare = fx
        .list(&SecretQuery {
            text: Some("rare".into()),
            descending: true,
            limit: 2,
            ..q()
        })
        .unwrap();
    assert_eq!(rare.total, 500);
    let names: Vec<&str> = rare.items.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, ["bulk-2499", "bulk-2494"]);
    let combined = fx
        .list(&SecretQuery {
            text: Some("common".into()),
            types: vec![SecretType::BasicAuth],
            limit: 1,
            ..q()
        })
        .unwrap();
    assert_eq!(combined.total, 2500);
}

/// Every plan the listing chooses between gives the same pages as a model.
///
/// The plans are chosen by fractions of the vault's size: at 1,200 secrets,
/// up to 24 trigram matches are looked up in the index; otherwise the first
/// rows in sort order, twice as many as the matches, are tried; when they fall
/// short, the index is used for up to 120 matches and the whole sort order
/// walked beyond. Names are a
/// permutation of registration order, so name order and row order differ.
#[test]
fn every_listing_plan_agrees_with_a_model() {
    const N: usize = 1200;
    let position = |i: usize| (i * 601) % N;
    let mut fx = Fixture::new();
    let batch: Vec<NewSecret> = (0..N)
        .map(|i| {
            let k = position(i);
            let name = format!("n-{k:04}");
            let mut new = if k % 3 == 0 {
                secret(&name, SecretType::BearerToken, &[("token", "t")])
            } else {
                basic(&name, "u", "p")
            };
            let mut words = vec!["plain"];
            if k % 100 == 7 {
                words.push("few"); // 12, spread: looked up
            }
            if k % 11 == 3 {
                words.push("spread"); // 109, spread: the window, or the index for later pages
            }
            if k >= 1100 {
                words.push("late"); // 100, last by name: the index
            }
            if k >= 600 {
                words.push("crowd"); // 600, the second half: the walk
            }
            new.description = words.join(" ");
            if k % 2 == 0 {
                new.labels = [("env".to_owned(), "prod".to_owned())].into();
            }
            if k % 3 == 1 {
                new.expires_at = Some(T0.plus_days(1 + ((k as i64) * 37) % 400));
            }
            new
        })
        .collect();
    fx.register_many(batch).unwrap();
    // Some deactivated, some expired, some in the trash.
    for k in (5..N).step_by(97) {
        fx.deactivate(&named(&format!("n-{k:04}"))).unwrap();
    }
    for k in (11..N).step_by(131) {
        fx.delete(&named(&format!("n-{k:04}"))).unwrap();
    }
    fx.clock.set(T0.plus_days(60));

    // The model: every live secret's metadata, in registration order.
    let mut live: Vec<SecretMeta> = Vec::new();
    for offset in [0, MAX_PAGE] {
        live.extend(
            fx.list(&SecretQuery {
                limit: MAX_PAGE,
                offset,
                ..q()
            })
            .unwrap()
            .items,
        );
    }
    let mut items: Vec<(usize, SecretMeta)> = live
        .into_iter()
        .map(|m| {
            let k: usize = m.name[2..].parse().unwrap();
            ((0..N).find(|&i| position(i) == k).unwrap(), m)
        })
        .collect();
    items.sort_by_key(|(i, _)| *i);
    assert!(items.len() > 1150);
    assert!(items.iter().any(|(_, m)| m.status == SecretStatus::Expired));

    let filters: [(&str, SecretQuery); 4] = [
        ("none", q()),
        (
            "type",
            SecretQuery {
                types: vec![SecretType::BearerToken],
                ..q()
            },
        ),
        (
            "label",
            SecretQuery {
                labels: vec![("env".into(), Some("prod".into()))],
                ..q()
            },
        ),
        (
            "status",
            SecretQuery {
                statuses: vec![SecretStatus::Active],
                ..q()
            },
        ),
    ];
    let mut checked = 0;
    for text in [
        "few", "SPREAD", "late", "crowd", "plain", "n-1", "n-", "zz-none", "pread",
    ] {
        for (label, filter) in &filters {
            let selected: Vec<(usize, SecretMeta)> = items
                .iter()
                .filter(|(_, m)| {
                    let hay = format!(
                        "{}\n{}",
                        m.name.to_lowercase(),
                        m.description.to_lowercase()
                    );
                    hay.contains(&text.to_lowercase())
                        && (filter.types.is_empty() || filter.types.contains(&m.kind))
                        && (filter.statuses.is_empty() || filter.statuses.contains(&m.status))
                        && filter
                            .labels
                            .iter()
                            .all(|(k, v)| m.labels.get(k) == v.as_ref())
                })
                .cloned()
                .collect();
            for sort in ALL_SORTS {
                for descending in [false, true] {
                    let expected = expected_order(&selected, sort, descending);
                    for (limit, offset) in [(5, 0), (20, 0), (50, 30), (7, 95), (MAX_PAGE, 0)] {
                        let (total, names) = list(
                            &fx,
                            SecretQuery {
                                text: Some(text.into()),
                                sort,
                                descending,
                                limit,
                                offset,
                                ..filter.clone()
                            },
                        );
                        let want: Vec<String> = expected
                            .iter()
                            .skip(offset as usize)
                            .take(limit as usize)
                            .cloned()
                            .collect();
                        assert_eq!(
                            total as usize,
                            expected.len(),
                            "total: {text:?} {label} {sort:?}"
                        );
                        assert_eq!(
                            names, want,
                            "{text:?} {label} {sort:?} descending {descending} limit {limit} offset {offset}"
                        );
                        checked += 1;
                    }
                }
            }
        }
    }
    assert_eq!(checked, 9 * 4 * 6 * 2 * 5);
}

/// A vault made before the trigram index existed gets it, filled, on open.
#[test]
fn schema_1_vaults_gain_the_text_index() {
    let mut fx = Fixture::new();
    let mut new = basic("legacy", "u", "p");
    new.description = "from an older Coffer".into();
    fx.register(new).unwrap();
    fx.register(basic("trashed-legacy", "u", "p")).unwrap();
    fx.delete(&named("trashed-legacy")).unwrap();
    fx.close();
    {
        let db = crate::support::raw(&fx.path);
        db.execute_batch(
            "DROP TABLE secret_search; DROP TABLE expiry_notices; DROP TABLE job_runs;
             DROP TABLE job_secrets; DROP TABLE jobs; ALTER TABLE secrets DROP COLUMN mac;
             ALTER TABLE organizations DROP COLUMN mac; ALTER TABLE projects DROP COLUMN mac;
             DROP TABLE deployment_versions; DROP TABLE deployments; DROP TABLE managers;
             DROP TABLE team_identities; DROP TABLE team_replica; DROP TABLE team_replica_state;
             DROP TABLE team_queue;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    fx.reopen();
    assert_eq!(fx.status().unwrap().schema_version, 13);
    let page = fx
        .list(&SecretQuery {
            text: Some("older".into()),
            ..q()
        })
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].name, "legacy");
    let page = fx
        .list(&SecretQuery {
            text: Some("legacy".into()),
            ..q()
        })
        .unwrap();
    assert_eq!(page.total, 1, "trashed secrets are not indexed");
    fx.close();
    crate::support::assert_search_index_consistent(&fx.path);
}
