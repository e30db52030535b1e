//! Jobs in an export (format version 2): exported with every field a person
//! set, imported identical (schedule off), following secrets the import
//! renames, their name conflicts skipped or renamed; hostile job entries
//! refused with the vault unchanged; version 1 files still read; and the
//! import's label on secrets that got a new version.

use std::collections::BTreeMap;

use coffer_core::export;
use coffer_core::import::{ImportChoices, OnConflict};
use coffer_core::job::{
    BindingSource, CommandSpec, GitFetchSpec, HttpFetchSpec, Job, JobRef, JobSpec, NewJob,
    RoleBinding, Schedule, SecretReference, SecretRole, TemplateSpec,
};
use coffer_core::secret::{SecretType, ValueChange};
use coffer_core::{ErrorCode, ExportEncryption, ExportOptions, ExportScope, SecretString};

use crate::support::{Fixture, basic, expect_code, inputs, named, passphrase, secret};

const EXPORT_PASS: &str = "export passphrase 42";

fn export_pass() -> SecretString {
    SecretString::from(EXPORT_PASS)
}

fn reference(name: &str, field: Option<&str>) -> SecretReference {
    SecretReference {
        manager: None,
        secret: name.into(),
        field: field.map(str::to_owned),
    }
}

fn options(scope: ExportScope, encryption: ExportEncryption, jobs: bool) -> ExportOptions {
    ExportOptions {
        scope,
        all_versions: true,
        encryption,
        jobs,
    }
}

/// The vault's bytes as SQLite sees them: the main file and its log.
fn vault_bytes(fx: &Fixture) -> Vec<u8> {
    let mut bytes = std::fs::read(&fx.path).unwrap();
    bytes.extend(std::fs::read(fx.path.with_extension("db-wal")).unwrap_or_default());
    bytes
}

/// Secrets `db` (basic auth) and `tls` (a key/value), and one job of each
/// kind: an authenticated fetch on a schedule, a command whose arguments
/// and environment hold placeholders, a template, and an SSH-less git
/// fetch in another organization.
fn seeded() -> Fixture {
    let mut fx = Fixture::new();
    fx.register(basic("db", "admin", "pw-1")).unwrap();
    fx.register(secret("tls", SecretType::KeyValue, &[("pin", "1234")]))
        .unwrap();
    let mut ops_db = basic("db", "ops", "ops-pw");
    ops_db.org = Some("ops".into());
    fx.register(ops_db).unwrap();

    let mut fetch = NewJob::new(
        "fetch",
        JobSpec::HttpFetch(HttpFetchSpec {
            url: "https://example.com/config".into(),
            target: "/tmp/coffer-export-jobs/config".into(),
        }),
    );
    fetch.description = "config every hour".into();
    fetch.project = Some("web".into());
    fetch.schedule = Some(Schedule::Interval { seconds: 3600 });
    fetch.roles = vec![RoleBinding {
        role: SecretRole::Auth,
        secret: "db".into(),
    }];
    fx.create_job(fetch).unwrap();

    let mut env = BTreeMap::new();
    env.insert("PGPASSWORD".into(), "${secret:db#password}".into());
    env.insert("LITERAL".into(), "$${secret:db} ${HOME}".into());
    let mut deploy = NewJob::new(
        "deploy",
        JobSpec::Command(CommandSpec {
            program: "/bin/sh".into(),
            args: vec![
                "-c".into(),
                "echo ${secret:db#username} ${secret:tls#pin}".into(),
            ],
            env,
            working_dir: Some("/tmp".into()),
            timeout_seconds: Some(30),
        }),
    );
    deploy.schedule = Some(Schedule::cron("0 3 * * MON-FRI").unwrap());
    deploy.enabled = false;
    deploy.references = vec![
        reference("db", Some("password")),
        reference("db", Some("username")),
        reference("tls", Some("pin")),
    ];
    fx.create_job(deploy).unwrap();

    let mut render = NewJob::new(
        "render",
        JobSpec::Template(TemplateSpec {
            template: "/tmp/coffer-export-jobs/app.conf.tmpl".into(),
            output: "/tmp/coffer-export-jobs/app.conf".into(),
            allow_write_only_to_disk: true,
        }),
    );
    render.references = vec![reference("db", None)];
    fx.create_job(render).unwrap();

    let mut mirror = NewJob::new(
        "mirror",
        JobSpec::GitFetch(GitFetchSpec {
            repo_url: "https://git.example/ops/infra.git".into(),
            branch: Some("main".into()),
            target: "/tmp/coffer-export-jobs/infra".into(),
            token_username: Some("robot".into()),
        }),
    );
    mirror.org = Some("ops".into());
    mirror.roles = vec![RoleBinding {
        role: SecretRole::Auth,
        secret: "db".into(),
    }];
    fx.create_job(mirror).unwrap();
    fx
}

/// What a person set on a job, for comparing two vaults' jobs.
fn set_fields(job: &Job) -> serde_json::Value {
    let mut bindings: Vec<String> = job
        .bindings
        .iter()
        .map(|b| {
            let source = match b.source {
                BindingSource::Role(role) => role.to_string(),
                BindingSource::Placeholder => "placeholder".into(),
            };
            format!("{source} {} {:?}", b.secret, b.field)
        })
        .collect();
    bindings.sort();
    serde_json::json!({
        "name": job.name,
        "org": job.org,
        "project": job.project,
        "description": job.description,
        "kind": job.kind,
        "spec": job.spec,
        "schedule": job.schedule,
        "bindings": bindings,
    })
}

fn import_all(target: &mut Fixture, bytes: &[u8], choices: &ImportChoices) {
    let batch = export::open(bytes, &export_pass()).unwrap();
    target.import(batch, choices, &mut |_, _| {}).unwrap();
}

#[test]
fn jobs_round_trip_into_a_new_vault_identical_with_their_schedule_off() {
    let mut fx = seeded();
    let preview = fx.export_preview(&ExportScope::All, true).unwrap();
    assert_eq!(preview.jobs, 4);
    let org_preview = fx
        .export_preview(&ExportScope::Organization("ops".into()), true)
        .unwrap();
    assert_eq!(org_preview.jobs, 1);

    // Without --jobs: version 1, no jobs member, readable by older Coffers.
    let plain = fx
        .export(
            &passphrase(),
            &options(ExportScope::All, ExportEncryption::Plaintext, false),
        )
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&plain.bytes).unwrap();
    assert_eq!(doc["version"], 1);
    assert!(doc.get("jobs").is_none());
    assert_eq!(plain.summary.jobs, 0);

    let with_jobs = fx
        .export(
            &passphrase(),
            &options(ExportScope::All, ExportEncryption::Plaintext, true),
        )
        .unwrap();
    assert_eq!(with_jobs.summary.jobs, 4);
    let doc: serde_json::Value = serde_json::from_slice(&with_jobs.bytes).unwrap();
    assert_eq!(doc["version"], 2);
    let jobs = doc["jobs"].as_array().unwrap();
    let names: Vec<&str> = jobs.iter().map(|j| j["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["deploy", "fetch", "render", "mirror"]);
    let fetch = &jobs[1];
    assert_eq!(fetch["spec"]["kind"], "http_fetch");
    assert_eq!(fetch["schedule"]["type"], "interval");
    assert_eq!(fetch["enabled"], true);
    assert_eq!(fetch["roles"][0]["role"], "auth");
    assert_eq!(fetch["project"], "web");
    // No run history, no runner state, no id in the file.
    assert!(fetch.get("state").is_none() && fetch.get("id").is_none());

    // Audited: the export's entry counts the jobs, one entry per job.
    let audit = fx.audit_entries(None, 100).unwrap();
    let export_entry = audit.iter().find(|e| e.action == "vault.export").unwrap();
    assert_eq!(export_entry.detail["jobs"], 4);
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "job.export" && e.target == "job ops:mirror")
            .count(),
        1
    );

    let encrypted = fx
        .export(
            &passphrase(),
            &options(
                ExportScope::All,
                ExportEncryption::Passphrase(export_pass()),
                true,
            ),
        )
        .unwrap();
    let mut target = Fixture::new();
    let batch = export::open(&encrypted.bytes, &export_pass()).unwrap();
    assert_eq!(batch.jobs.len(), 4);
    let preview = target.preview_import(&batch).unwrap();
    assert_eq!(preview.jobs.len(), 4);
    assert!(preview.jobs.iter().all(|j| j.conflict.is_none()));
    let deploy = preview.jobs.iter().find(|j| j.name == "deploy").unwrap();
    assert_eq!(deploy.secrets, ["db", "tls"]);
    assert!(deploy.scheduled);
    let report = target
        .import(batch, &ImportChoices::all(OnConflict::Skip), &mut |_, _| {})
        .unwrap();
    assert_eq!((report.created, report.jobs_created), (3, 4));

    for job in fx.jobs(None).unwrap() {
        let copy = target
            .job(&JobRef::in_org(job.org.clone(), job.name.clone()))
            .unwrap();
        assert_eq!(set_fields(&copy), set_fields(&job), "{}", job.name);
        // The schedule arrives switched off: nothing runs before a person looks.
        assert!(!copy.enabled && copy.next_run_at.is_none(), "{}", job.name);
        // Bound to the imported secrets.
        assert!(copy.bindings.iter().all(|b| b.secret_id.is_some()));
    }
    let entries = target.audit_entries(None, 100).unwrap();
    let import_entry = entries.iter().find(|e| e.action == "vault.import").unwrap();
    assert_eq!(import_entry.detail["jobs_created"], 4);
    let job_entry = entries
        .iter()
        .find(|e| e.action == "job.import" && e.target == "job Default:fetch")
        .unwrap();
    assert_eq!(job_entry.detail["format"], "coffer");
    assert!(target.verify_audit().unwrap().ok);

    // An organization's export carries that organization's jobs only.
    let ops = fx
        .export(
            &passphrase(),
            &options(
                ExportScope::Organization("ops".into()),
                ExportEncryption::Plaintext,
                true,
            ),
        )
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&ops.bytes).unwrap();
    assert_eq!(doc["jobs"].as_array().unwrap().len(), 1);
    assert_eq!(doc["jobs"][0]["name"], "mirror");
}

/// A vault with a secret `db` and a job `deploy` of its own.
fn with_db_and_deploy() -> Fixture {
    let mut fx = Fixture::new();
    fx.register(basic("db", "someone", "theirs")).unwrap();
    let program = CommandSpec {
        program: "/bin/true".into(),
        args: Vec::new(),
        env: BTreeMap::new(),
        working_dir: None,
        timeout_seconds: None,
    };
    fx.create_job(NewJob::new("deploy", JobSpec::Command(program)))
        .unwrap();
    fx
}

/// Secrets renamed on conflict; the job `deploy` chosen one by one as
/// "new version", which for a job (it has no versions) renames it.
fn rename_jobs_by_new_version() -> ImportChoices {
    let mut choices = ImportChoices::all(OnConflict::Rename);
    choices.default = OnConflict::Skip;
    choices.per_item.insert(0, OnConflict::Rename);
    choices.job_per_item.insert(0, OnConflict::NewVersion);
    choices
}

#[test]
fn an_imported_job_follows_a_secret_the_import_renamed() {
    let mut fx = seeded();
    let bytes = fx
        .export(
            &passphrase(),
            &options(
                ExportScope::Organization("Default".into()),
                ExportEncryption::Passphrase(export_pass()),
                true,
            ),
        )
        .unwrap()
        .bytes;

    // The target already has a `db` and a job `deploy`.
    let mut target = with_db_and_deploy();
    let batch = export::open(&bytes, &export_pass()).unwrap();
    let preview = target.preview_import(&batch).unwrap();
    let deploy = preview.jobs.iter().find(|j| j.name == "deploy").unwrap();
    assert_eq!(deploy.conflict.as_deref(), Some("deploy"));
    assert_eq!(deploy.renamed_to, "deploy-2");
    let report = target
        .import(batch, &rename_jobs_by_new_version(), &mut |_, _| {})
        .unwrap();
    assert_eq!(
        (
            report.renamed,
            report.jobs_created,
            report.jobs_renamed,
            report.jobs_skipped
        ),
        (1, 3, 1, 0)
    );

    // The imported `db` is `db-2`; every job of the file uses it, by role,
    // by reference and in its command's text; the literal `$${` stays.
    let copy = target.job(&JobRef::named("deploy-2")).unwrap();
    let JobSpec::Command(spec) = &copy.spec else {
        panic!("not a command")
    };
    assert_eq!(
        spec.args[1],
        "echo ${secret:db-2#username} ${secret:tls#pin}"
    );
    assert_eq!(spec.env["PGPASSWORD"], "${secret:db-2#password}");
    assert_eq!(spec.env["LITERAL"], "$${secret:db} ${HOME}");
    let mut used: Vec<&str> = copy.bindings.iter().map(|b| b.secret.as_str()).collect();
    used.sort_unstable();
    used.dedup();
    assert_eq!(used, ["db-2", "tls"]);
    let fetch = target.job(&JobRef::named("fetch")).unwrap();
    assert_eq!(fetch.bindings[0].secret, "db-2");
    assert_eq!(
        fetch.bindings[0].secret_id,
        Some(target.get(&named("db-2")).unwrap().id)
    );
    // The existing job and secret are untouched.
    let theirs = target.job(&JobRef::named("deploy")).unwrap();
    assert!(theirs.bindings.is_empty());
    let entry = target
        .audit_entries(None, 100)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "job.import" && e.target == "job Default:deploy-2")
        .unwrap();
    assert_eq!(entry.detail["renamed_from"], "deploy");
    assert_eq!(entry.detail["follows_renamed"], serde_json::json!(["db"]));

    // Skip: the conflicting job is left out and the existing one kept; a
    // skipped secret's name is the target's, which the job then uses.
    let mut other = with_db_and_deploy();
    let batch = export::open(&bytes, &export_pass()).unwrap();
    let choices = ImportChoices::all(OnConflict::Skip);
    let report = other.import(batch, &choices, &mut |_, _| {}).unwrap();
    assert_eq!((report.jobs_created, report.jobs_skipped), (2, 1));
    let fetch = other.job(&JobRef::named("fetch")).unwrap();
    assert_eq!(fetch.bindings[0].secret, "db");
}

/// A plaintext export (version 1) of one secret `db`.
fn base_document() -> serde_json::Value {
    let mut fx = Fixture::new();
    fx.register(basic("db", "admin", "pw-1")).unwrap();
    let bytes = fx
        .export(
            &passphrase(),
            &options(ExportScope::All, ExportEncryption::Plaintext, false),
        )
        .unwrap()
        .bytes;
    serde_json::from_slice(&bytes).unwrap()
}

/// `base` as a version-2 export whose jobs are `jobs`.
fn with_jobs(base: &serde_json::Value, jobs: serde_json::Value) -> Vec<u8> {
    let mut doc = base.clone();
    doc["version"] = 2.into();
    doc["jobs"] = jobs;
    serde_json::to_vec(&doc).unwrap()
}

fn job_json(spec: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "name": "j",
        "organization": "Default",
        "spec": spec,
        "enabled": true,
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    })
}

#[test]
fn hostile_or_invalid_jobs_are_refused_and_the_vault_is_unchanged() {
    let mut target = Fixture::new();
    target.register(basic("kept", "u", "p")).unwrap();
    let before = vault_bytes(&target);
    let pass = export_pass();
    let base = base_document();

    let command = |program: &str| serde_json::json!({ "kind": "command", "program": program, "args": [], "env": {} });
    let mut bad_env = command("/bin/sh");
    bad_env["env"] = serde_json::json!({ "BAD NAME": "x" });
    let mut relative = command("/bin/sh");
    relative["working_dir"] = "relative/dir".into();
    let mut too_many = command("/bin/sh");
    too_many["args"] = serde_json::json!(vec!["x"; 300]);
    let mut bad_name = job_json(command("/bin/true"));
    bad_name["name"] = "a name with spaces".into();
    let mut bad_schedule = job_json(command("/bin/true"));
    bad_schedule["schedule"] = serde_json::json!({ "type": "interval", "seconds": 1 });
    let mut bad_cron = job_json(command("/bin/true"));
    bad_cron["schedule"] = serde_json::json!({ "type": "cron", "expression": "61 * * * *" });
    let mut bad_role = job_json(command("/bin/true"));
    bad_role["roles"] = serde_json::json!([{ "role": "auth", "secret": "db" }]);
    let mut unknown_member = job_json(command("/bin/true"));
    unknown_member["state"] = serde_json::json!({ "pinned": "x" });
    let mut empty_reference = job_json(command("/bin/true"));
    empty_reference["references"] =
        serde_json::json!([{ "manager": null, "secret": "", "field": null }]);

    let cases = [
        job_json(
            serde_json::json!({ "kind": "http_fetch", "url": "https://user:pw@example.com/", "target": "/tmp/x" }),
        ),
        job_json(
            serde_json::json!({ "kind": "http_fetch", "url": "file:///etc/shadow", "target": "/tmp/x" }),
        ),
        job_json(
            serde_json::json!({ "kind": "git_fetch", "repo_url": "--upload-pack=evil", "target": "/tmp/x" }),
        ),
        job_json(
            serde_json::json!({ "kind": "template", "template": "/tmp/a", "output": "/tmp/a" }),
        ),
        job_json(serde_json::json!({ "kind": "launch_missiles" })),
        job_json(bad_env),
        job_json(relative),
        job_json(too_many),
        bad_name,
        bad_schedule,
        bad_cron,
        bad_role,
        unknown_member,
        empty_reference,
    ];
    for (i, case) in cases.into_iter().enumerate() {
        let bytes = with_jobs(&base, serde_json::json!([case]));
        let error = expect_code(export::open(&bytes, &pass), ErrorCode::Corrupt);
        let message = error.to_string();
        assert!(
            message.contains("job") || message.contains("malformed export"),
            "case {i}: {message}"
        );
    }
    // Version 1 cannot carry jobs.
    let mut doc: serde_json::Value =
        serde_json::from_slice(&with_jobs(&base, serde_json::json!([]))).unwrap();
    doc["version"] = 1.into();
    expect_code(
        export::open(&serde_json::to_vec(&doc).unwrap(), &pass),
        ErrorCode::Corrupt,
    );
    // Version 3 is not read.
    doc["version"] = 3.into();
    doc.as_object_mut().unwrap().remove("jobs");
    expect_code(
        export::open(&serde_json::to_vec(&doc).unwrap(), &pass),
        ErrorCode::Corrupt,
    );

    // A role that names a secret the vault does not have passes reading
    // (the secret may come with the import) and fails the import's
    // transaction: nothing of the file is written, its secret included.
    let mut wrong_type = job_json(serde_json::json!({
        "kind": "http_fetch", "url": "https://example.com/", "target": "/tmp/x"
    }));
    wrong_type["roles"] = serde_json::json!([{ "role": "auth", "secret": "missing" }]);
    let batch = export::open(&with_jobs(&base, serde_json::json!([wrong_type])), &pass).unwrap();
    expect_code(
        target.import(batch, &ImportChoices::all(OnConflict::Skip), &mut |_, _| {}),
        ErrorCode::NotFound,
    );
    assert_eq!(vault_bytes(&target), before);
    assert!(target.get(&named("db")).is_err());

    // A valid version-2 file imports; a plain version-1 file still does.
    let good = job_json(serde_json::json!({
        "kind": "http_fetch", "url": "https://example.com/", "target": "/tmp/x"
    }));
    let mut good_with_role = good.clone();
    good_with_role["name"] = "j2".into();
    good_with_role["roles"] = serde_json::json!([{ "role": "auth", "secret": "db" }]);
    let batch = export::open(
        &with_jobs(&base, serde_json::json!([good, good_with_role])),
        &pass,
    )
    .unwrap();
    let report = target
        .import(batch, &ImportChoices::all(OnConflict::Skip), &mut |_, _| {})
        .unwrap();
    assert_eq!(report.jobs_created, 2);
    let j2 = target.job(&JobRef::named("j2")).unwrap();
    assert_eq!(
        j2.bindings[0].secret_id,
        Some(target.get(&named("db")).unwrap().id)
    );
}

#[test]
fn secrets_an_import_gives_a_new_version_carry_its_label() {
    let mut fx = Fixture::new();
    let mut db = basic("db", "admin", "pw-1");
    db.labels.insert("env".into(), "prod".into());
    db.labels
        .insert("import".into(), "2026-01-01T00:00:00Z".into());
    fx.register(db).unwrap();
    fx.register(basic("same", "u", "unchanged")).unwrap();
    let bytes = fx
        .export(
            &passphrase(),
            &options(
                ExportScope::All,
                ExportEncryption::Passphrase(export_pass()),
                false,
            ),
        )
        .unwrap()
        .bytes;
    // The source moves on; the target is the old state plus one more secret.
    let change = ValueChange {
        set: inputs(&[("password", "pw-2")]),
        ..Default::default()
    };
    fx.update_value(&named("db"), change, None).unwrap();
    fx.register(basic("new", "u", "n")).unwrap();
    let newer = fx
        .export(
            &passphrase(),
            &options(
                ExportScope::All,
                ExportEncryption::Passphrase(export_pass()),
                false,
            ),
        )
        .unwrap()
        .bytes;

    let mut target = Fixture::new();
    import_all(&mut target, &bytes, &ImportChoices::all(OnConflict::Skip));
    let mut choices = ImportChoices::all(OnConflict::NewVersion);
    choices.label = Some(("import".into(), "2026-12-08T02:00:00Z".into()));
    let batch = export::open(&newer, &export_pass()).unwrap();
    let report = target.import(batch, &choices, &mut |_, _| {}).unwrap();
    assert_eq!(
        (report.created, report.new_versions, report.skipped),
        (1, 1, 1)
    );
    let label = |target: &Fixture, name: &str| {
        target
            .get(&named(name))
            .unwrap()
            .labels
            .get("import")
            .cloned()
    };
    // Created and given a new version: labelled with this import; other
    // labels kept. Unchanged (same value): not touched by the import.
    assert_eq!(
        label(&target, "new").as_deref(),
        Some("2026-12-08T02:00:00Z")
    );
    assert_eq!(
        label(&target, "db").as_deref(),
        Some("2026-12-08T02:00:00Z")
    );
    assert_eq!(
        target
            .get(&named("db"))
            .unwrap()
            .labels
            .get("env")
            .map(String::as_str),
        Some("prod")
    );
    assert_eq!(label(&target, "same").as_deref(), None);
    assert_eq!(target.versions(&named("db")).unwrap().len(), 2);
    let listed = target
        .list(&coffer_core::secret::SecretQuery {
            labels: vec![("import".into(), Some("2026-12-08T02:00:00Z".into()))],
            ..Default::default()
        })
        .unwrap();
    let mut names: Vec<&str> = listed.items.iter().map(|s| s.name.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["db", "new"]);
    let entry = target
        .audit_entries(None, 100)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "secret.update" && e.target == "Default:db")
        .unwrap();
    assert_eq!(entry.detail["via"], "vault.import");
    let summary = target
        .audit_entries(None, 100)
        .unwrap()
        .into_iter()
        .find(|e| e.action == "vault.import")
        .unwrap();
    assert_eq!(summary.detail["label"], "import=2026-12-08T02:00:00Z");
    assert!(target.verify_audit().unwrap().ok);
}
