//! AWS Secrets Manager through the real SDK against moto.

use coffer_remote::{FailureClass, KeyVault, Tags, WriteRequest, tags};

use crate::support::faults::FaultInjector;
use crate::support::moto::Moto;
use crate::support::{aws_client, quick_options, raw_client, seed};

fn write<'a>(name: &'a str, value: &'a [u8], token: &'a str, tags: &'a Tags) -> WriteRequest<'a> {
    WriteRequest {
        name,
        value,
        binary: false,
        tags,
        idempotency_token: token,
    }
}

fn coffer_tags(version: &str) -> Tags {
    Tags::from([
        (
            tags::TAG_MANAGED_BY.to_owned(),
            tags::MANAGED_BY_COFFER.to_owned(),
        ),
        (tags::TAG_VERSION.to_owned(), version.to_owned()),
    ])
}

#[tokio::test]
async fn probe_reports_what_it_checked() {
    let moto = Moto::start();
    let vault = aws_client(&moto.endpoint(), &quick_options()).await;
    let probe = vault.probe().await.expect("probe");
    assert!(probe.checked.contains("ListSecrets"), "{}", probe.checked);
    assert!(
        probe.checked.contains(&moto.endpoint()),
        "{}",
        probe.checked
    );
}

#[tokio::test]
async fn put_creates_then_adds_versions_idempotently() {
    let moto = Moto::start();
    let vault = aws_client(&moto.endpoint(), &quick_options()).await;
    let t1 = coffer_tags("1");
    let first = vault
        .put(write("app/db", b"one", "1", &t1))
        .await
        .expect("create");
    assert!(!first.already_written);
    assert!(
        first
            .remote_id
            .starts_with("arn:aws:secretsmanager:us-east-1:"),
        "{first:?}"
    );
    assert_eq!(first.version, "00000000000000000000000000000001");

    let t2 = coffer_tags("2");
    let second = vault
        .put(write("app/db", b"two", "2", &t2))
        .await
        .expect("new version");
    assert!(!second.already_written);
    // The same token again (a retry after a cut): no third version.
    let again = vault
        .put(write("app/db", b"two", "2", &t2))
        .await
        .expect("retry");
    assert!(again.already_written);
    assert_eq!(again.version, second.version);

    let versions = vault.versions("app/db").await.expect("versions");
    assert_eq!(versions.len(), 2, "{versions:?}");
    let current: Vec<_> = versions.iter().filter(|v| v.current).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0].id, second.version);

    let described = vault
        .describe("app/db")
        .await
        .expect("describe")
        .expect("exists");
    assert!(described.managed);
    assert_eq!(
        described.tags.get(tags::TAG_VERSION).map(String::as_str),
        Some("2")
    );
    assert_eq!(described.versions, Some(2));
    assert!(!described.deleted);

    let values = vault.get_many(&["app/db".to_owned()]).await.expect("get");
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].value.as_slice(), b"two");
    assert_eq!(values[0].version, second.version);
    assert_eq!(
        values[0].tags.get(tags::TAG_VERSION).map(String::as_str),
        Some("2")
    );
}

#[tokio::test]
async fn describe_and_versions_of_a_missing_secret() {
    let moto = Moto::start();
    let vault = aws_client(&moto.endpoint(), &quick_options()).await;
    assert!(vault.describe("nope").await.expect("describe").is_none());
    let err = vault.versions("nope").await.expect_err("no versions");
    assert_eq!(err.class(), Some(FailureClass::NotFound));
}

#[tokio::test]
async fn an_untagged_secret_is_not_managed() {
    let moto = Moto::start();
    seed(&moto.endpoint(), "theirs", "x").await;
    let vault = aws_client(&moto.endpoint(), &quick_options()).await;
    let described = vault
        .describe("theirs")
        .await
        .expect("describe")
        .expect("exists");
    assert!(!described.managed);
    assert!(described.tags.is_empty());
}

#[tokio::test]
async fn list_filters_by_prefix_and_pages() {
    let moto = Moto::start();
    for i in 0..5 {
        seed(&moto.endpoint(), &format!("app/s{i}"), "v").await;
    }
    seed(&moto.endpoint(), "other/app/x", "v").await;
    seed(&moto.endpoint(), "zzz", "v").await;
    let vault = aws_client(&moto.endpoint(), &quick_options()).await;

    let mut names = Vec::new();
    let mut next = None;
    let mut pages = 0;
    loop {
        let page = vault.list("app/", next, 2).await.expect("list");
        pages += 1;
        names.extend(page.items.iter().map(|s| s.name.clone()));
        for item in &page.items {
            assert!(item.remote_id.starts_with("arn:"), "{item:?}");
            assert!(item.updated_at.is_some());
        }
        next = page.next;
        if next.is_none() {
            break;
        }
        assert!(pages < 10, "paging does not end");
    }
    names.sort();
    assert_eq!(names, ["app/s0", "app/s1", "app/s2", "app/s3", "app/s4"]);
    assert!(pages >= 3, "{pages} pages of 2");

    let all = vault.list("", None, 100).await.expect("all");
    assert_eq!(all.items.len(), 7);
}

#[tokio::test]
async fn get_many_reads_in_batches_of_20_and_leaves_out_the_absent() {
    let moto = Moto::start();
    for i in 0..45 {
        seed(
            &moto.endpoint(),
            &format!("batch/{i:02}"),
            &format!("value-{i}"),
        )
        .await;
    }
    let faults = FaultInjector::start(moto.port);
    let vault = aws_client(&faults.endpoint(), &quick_options()).await;
    let mut names: Vec<String> = (0..45).map(|i| format!("batch/{i:02}")).collect();
    names.push("batch/missing".into());
    names.push("batch/00".into()); // asked twice, read once
    let values = vault.get_many(&names).await.expect("get_many");
    assert_eq!(values.len(), 45);
    for value in &values {
        let i: usize = value.name["batch/".len()..].parse().expect("index");
        assert_eq!(value.value.as_slice(), format!("value-{i}").as_bytes());
        assert!(!value.binary);
    }
    // 46 distinct names: three batches.
    assert_eq!(
        faults.count("BatchGetSecretValue"),
        3,
        "{:?}",
        faults.seen()
    );
    assert_eq!(faults.count("GetSecretValue"), 0);
}

#[tokio::test]
async fn get_many_asks_for_awscurrent_when_the_batch_answers_another_stage() {
    let moto = Moto::start();
    let endpoint = moto.endpoint();
    let raw = raw_client(&endpoint).await;
    let v1 = raw
        .create_secret()
        .name("staged")
        .secret_string("first")
        .send()
        .await
        .expect("create")
        .version_id()
        .expect("v1")
        .to_owned();
    let v2 = raw
        .put_secret_value()
        .secret_id("staged")
        .secret_string("second")
        .send()
        .await
        .expect("put")
        .version_id()
        .expect("v2")
        .to_owned();
    // Move AWSCURRENT back to the first version: moto's unstaged read
    // still answers the second one.
    raw.update_secret_version_stage()
        .secret_id("staged")
        .version_stage("AWSCURRENT")
        .move_to_version_id(&v1)
        .remove_from_version_id(&v2)
        .send()
        .await
        .expect("restage");
    let vault = aws_client(&endpoint, &quick_options()).await;
    let values = vault.get_many(&["staged".to_owned()]).await.expect("get");
    assert_eq!(values.len(), 1);
    assert_eq!(values[0].value.as_slice(), b"first");
    assert_eq!(values[0].version, v1);
}

#[tokio::test]
async fn binary_values_round_trip() {
    let moto = Moto::start();
    let vault = aws_client(&moto.endpoint(), &quick_options()).await;
    let bytes = [0u8, 159, 146, 150, 255];
    let none = Tags::new();
    vault
        .put(WriteRequest {
            name: "blob",
            value: &bytes,
            binary: true,
            tags: &none,
            idempotency_token: "7",
        })
        .await
        .expect("put");
    let values = vault.get_many(&["blob".to_owned()]).await.expect("get");
    assert!(values[0].binary);
    assert_eq!(values[0].value.as_slice(), bytes);
    // Not text: refused as a string before sending.
    let err = vault
        .put(write("text", &bytes, "8", &none))
        .await
        .expect_err("not UTF-8");
    assert_eq!(err.class(), Some(FailureClass::Rejected));
}

#[tokio::test]
async fn delete_is_soft_and_a_new_write_restores() {
    let moto = Moto::start();
    let vault = aws_client(&moto.endpoint(), &quick_options()).await;
    let none = Tags::new();
    vault
        .put(write("gone", b"v1", "1", &none))
        .await
        .expect("put");
    vault.delete("gone").await.expect("delete");
    let described = vault
        .describe("gone")
        .await
        .expect("describe")
        .expect("recoverable");
    assert!(described.deleted);
    assert!(
        vault
            .get_many(&["gone".to_owned()])
            .await
            .expect("get")
            .is_empty()
    );
    let page = vault.list("gone", None, 10).await.expect("list");
    assert!(page.items.is_empty(), "deleted secrets are not listed");

    vault
        .put(write("gone", b"v2", "2", &none))
        .await
        .expect("restore and write");
    let values = vault.get_many(&["gone".to_owned()]).await.expect("get");
    assert_eq!(values[0].value.as_slice(), b"v2");

    let err = vault.delete("never-was").await.expect_err("missing");
    assert_eq!(err.class(), Some(FailureClass::NotFound));
}

#[tokio::test]
async fn oversize_values_and_bad_names_are_refused_before_sending() {
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    let vault = aws_client(&faults.endpoint(), &quick_options()).await;
    let none = Tags::new();
    let big = vec![b'x'; 65_537];
    let err = vault
        .put(write("big", &big, "1", &none))
        .await
        .expect_err("too large");
    assert_eq!(err.class(), Some(FailureClass::Rejected));
    assert!(err.to_string().contains("65537 bytes"), "{err}");
    let err = vault
        .put(write("bad:name", b"v", "1", &none))
        .await
        .expect_err("bad name");
    assert_eq!(err.class(), Some(FailureClass::Rejected));
    assert!(
        faults.seen().is_empty(),
        "nothing was sent: {:?}",
        faults.seen()
    );

    // The largest value AWS takes is sent and read back whole.
    let largest = vec![b'y'; 65_536];
    vault
        .put(write("big", &largest, "1", &none))
        .await
        .expect("at the limit");
    let values = vault.get_many(&["big".to_owned()]).await.expect("get");
    assert_eq!(values[0].value.len(), 65_536);
}

#[tokio::test]
async fn errors_and_debug_never_show_values() {
    let moto = Moto::start();
    let faults = FaultInjector::start(moto.port);
    let vault = aws_client(&faults.endpoint(), &quick_options()).await;
    let none = Tags::new();
    vault
        .put(write("shown", b"hunter2-value", "1", &none))
        .await
        .expect("put");
    let values = vault.get_many(&["shown".to_owned()]).await.expect("get");
    assert!(!format!("{values:?}").contains("hunter2"));
    faults.next(
        5,
        crate::support::faults::Fault::Answer {
            status: 500,
            code: "InternalServiceError",
        },
    );
    let err = vault
        .put(write("shown", b"hunter2-other", "2", &none))
        .await
        .expect_err("server error");
    assert!(!err.to_string().contains("hunter2"), "{err}");
    assert!(!format!("{err:?}").contains("hunter2"), "{err:?}");
}
