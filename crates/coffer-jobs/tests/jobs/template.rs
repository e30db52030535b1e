//! Templates and commands: placeholders resolved, output written 0600 and
//! atomically, values redacted (with their base64 and URL-encoded forms),
//! `$${` escapes, line and column in errors, and every policy refusal.

use std::collections::BTreeMap;

use coffer_core::job::{CommandSpec, JobRef, JobSpec, RunStatus, RunTrigger, TemplateSpec};
use coffer_core::secret::{MetadataChange, NewSecret, SecretData, SecretRef, SecretType};
use coffer_core::{ErrorCode, ExpiredPolicy, Settings};

use crate::http_fetch::assert_no_canary;
use crate::support::{Fixture, inputs};

const CANARY: &str = "tmpl-canary-Zq9!x y/+";
const KV_CANARY: &str = "kv-canary-value-8812";

fn setup() -> Fixture {
    let mut fx = Fixture::new();
    fx.add(
        "prod/db",
        SecretType::BasicAuth,
        &[("username", "app"), ("password", CANARY)],
    );
    fx.add(
        "cfg",
        SecretType::KeyValue,
        &[("port", "5432"), ("token", KV_CANARY)],
    );
    fx
}

fn template(
    fx: &mut Fixture,
    name: &str,
    text: &str,
    allow_write_only: bool,
) -> std::path::PathBuf {
    let template = fx.file(&format!("{name}.tmpl"));
    std::fs::write(&template, text).unwrap();
    let output = fx.file(&format!("{name}.conf"));
    fx.add_job(
        name,
        JobSpec::Template(TemplateSpec {
            template,
            output: output.clone(),
            allow_write_only_to_disk: allow_write_only,
        }),
        &[],
    );
    output
}

fn command(fx: &mut Fixture, name: &str, script: &str, env: &[(&str, &str)]) {
    fx.add_job(
        name,
        JobSpec::Command(CommandSpec {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into()],
            env: env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            working_dir: None,
            timeout_seconds: Some(60),
        }),
        &[],
    );
}

#[test]
fn templates_render_fields_and_escapes_to_a_private_file() {
    let mut fx = setup();
    let output = template(
        &mut fx,
        "app",
        "user=${secret:prod/db#username}\npass=${secret:prod/db}\nport=${secret:cfg#port}\n\
         literal=$${secret:prod/db} shell=${HOME}\n",
        false,
    );
    let run = fx.run("app");
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
    assert_eq!(
        std::fs::read_to_string(&output).unwrap(),
        format!(
            "user=app\npass={CANARY}\nport=5432\nliteral=${{secret:prod/db}} shell=${{HOME}}\n"
        )
    );
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&output).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(run.result["placeholders"], 3);
    // Bindings come from the placeholders: "used by" finds the job.
    let usage = fx.secret_usage(&SecretRef::named("prod/db")).unwrap();
    assert_eq!(usage.len(), 1);
    assert!(usage[0].by_placeholder);
    // Only referenced secrets were decrypted: cfg's other key was, as one
    // secret; an unreferenced secret never is.
    fx.add(
        "unused",
        SecretType::BearerToken,
        &[("token", "never-decrypted")],
    );
    fx.run("app");
    let uses: Vec<String> = fx
        .audit_entries(None, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "secret.use")
        .map(|e| e.target)
        .collect();
    assert!(!uses.iter().any(|t| t.ends_with(":unused")), "{uses:?}");
    assert_eq!(uses.len(), 4, "two secrets, two runs: {uses:?}");
    assert_no_canary(&mut fx, &[CANARY, KV_CANARY]);
}

#[test]
fn errors_name_the_placeholder_with_line_and_column_and_write_nothing() {
    let mut fx = setup();
    let output = template(
        &mut fx,
        "unknown",
        "a\nb = ${secret:prod/db}\n  c = ${secret:nope#x}\n",
        false,
    );
    std::fs::write(&output, "previous").unwrap();
    let run = fx.run("unknown");
    assert_eq!(run.status, RunStatus::Failed);
    let error = run.error.unwrap();
    assert!(error.contains("line 3, column 7"), "{error}");
    assert!(
        error.contains("${secret:nope#x}") && error.contains("unknown secret"),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "previous");
    // Nothing was decrypted: the known secret is checked first, the unknown fails.
    assert!(
        fx.get(&SecretRef::named("prod/db"))
            .unwrap()
            .last_used_at
            .is_none()
    );

    template(&mut fx, "field", "x ${secret:prod/db#nope}", false);
    let error = fx.run("field").error.unwrap();
    assert!(
        error.contains("line 1, column 3") && error.contains("no field \"nope\""),
        "{error}"
    );
    assert!(error.contains("username, password"), "{error}");

    let syntax = template(&mut fx, "syntax", "fine", false);
    // The template changes after the job was saved.
    std::fs::write(syntax.with_extension("tmpl"), "ok\n\n   ${secret:prod/db").unwrap();
    let error = fx.run("syntax").error.unwrap();
    assert!(
        error.contains("line 3, column 4") && error.contains("not closed"),
        "{error}"
    );

    template(
        &mut fx,
        "external",
        "${secret:aws:prod/app#password}",
        false,
    );
    let error = fx.run("external").error.unwrap();
    assert!(
        error.contains("unknown key vault \"aws\" (no connection of that name)")
            && error.contains("line 1, column 1"),
        "{error}"
    );

    template(&mut fx, "several", "${secret:cfg}", false);
    let error = fx.run("several").error.unwrap();
    assert!(error.contains("name one with #KEY"), "{error}");
    assert_no_canary(&mut fx, &[CANARY, KV_CANARY]);
}

#[test]
fn write_only_secrets_reach_disk_only_when_the_job_allows_it() {
    let mut fx = setup();
    let mut secret = NewSecret::new(
        "wo",
        SecretData::from_fields(
            SecretType::BearerToken,
            inputs(&[("token", "write-only-canary")]),
            &Default::default(),
        )
        .unwrap(),
    );
    secret.write_only = true;
    fx.add_secret(secret);
    let refused = template(&mut fx, "refused", "t=${secret:wo}", false);
    let run = fx.run("refused");
    assert_eq!(run.status, RunStatus::Refused);
    assert!(
        run.error.as_deref().unwrap().contains("write-only"),
        "{:?}",
        run.error
    );
    assert!(!refused.exists());
    let allowed = template(&mut fx, "allowed", "t=${secret:wo}", true);
    assert_eq!(fx.run("allowed").status, RunStatus::Succeeded);
    assert_eq!(
        std::fs::read_to_string(allowed).unwrap(),
        "t=write-only-canary"
    );
    // A command does not write it to disk: allowed, and redacted.
    command(&mut fx, "cmd", "echo \"$T\"", &[("T", "${secret:wo}")]);
    let run = fx.run("cmd");
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.error);
    assert!(
        run.log.contains("***") && !run.log.contains("write-only-canary"),
        "{}",
        run.log
    );
}

#[test]
fn deactivated_expired_and_restricted_secrets() {
    let mut fx = setup();
    let output = template(&mut fx, "t", "v=${secret:prod/db}", false);
    fx.deactivate(&SecretRef::named("prod/db")).unwrap();
    let run = fx.run("t");
    assert_eq!(run.status, RunStatus::Refused);
    let error = run.error.unwrap();
    assert!(
        error.contains("deactivated") && error.contains("line 1, column 3"),
        "{error}"
    );
    assert!(!output.exists());
    fx.activate(&SecretRef::named("prod/db")).unwrap();

    // Expired: "warn" runs with a warning in the log, "block" refuses.
    let soon = fx.now().plus_seconds(60);
    fx.update_metadata(
        &SecretRef::named("prod/db"),
        MetadataChange {
            expires_at: Some(Some(soon)),
            ..Default::default()
        },
    )
    .unwrap();
    fx.clock.advance(120);
    let run = fx.run("t");
    assert_eq!(run.status, RunStatus::Succeeded);
    assert!(run.log.contains("expired"), "{}", run.log);
    let settings = Settings {
        expired_use: ExpiredPolicy::Block,
        ..fx.settings().clone()
    };
    fx.update_settings(settings).unwrap();
    let run = fx.run("t");
    assert_eq!(run.status, RunStatus::Refused);
    assert!(run.error.unwrap().contains("expired"));

    // A secret restricted to a project refuses other projects' jobs.
    fx.update_metadata(
        &SecretRef::named("cfg"),
        MetadataChange {
            project: Some(Some("billing".into())),
            ..Default::default()
        },
    )
    .unwrap();
    template(&mut fx, "port", "${secret:cfg#port}", false);
    let run = fx.run("port");
    assert_eq!(run.status, RunStatus::Refused);
    assert!(run.error.unwrap().contains("project \"billing\""));
    fx.update_job(
        &JobRef::named("port"),
        coffer_core::job::JobChange {
            project: Some(Some("billing".into())),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(fx.run("port").status, RunStatus::Succeeded);
}

#[test]
fn commands_get_values_and_their_output_is_redacted_in_every_encoding() {
    let mut fx = setup();
    let script = r#"echo "raw=$P"
printf '%s' "$P" | base64 -w0; echo
printf '%s' "$P" | base64 -w0 | tr '+/' '-_' | tr -d '='; echo
printf 'url=%s\n' "$ENC"
echo "arg=$0 user=$U"
echo "to stderr $P" >&2
exit 3"#;
    fx.add_job(
        "cmd",
        JobSpec::Command(CommandSpec {
            program: "/bin/sh".into(),
            args: vec!["-c".into(), script.into(), "${secret:cfg#token}".into()],
            env: [
                ("P".to_owned(), "${secret:prod/db}".to_owned()),
                ("U".to_owned(), "${secret:prod/db#username}".to_owned()),
                (
                    "ENC".to_owned(),
                    percent_encoding::utf8_percent_encode(
                        CANARY,
                        percent_encoding::NON_ALPHANUMERIC,
                    )
                    .to_string(),
                ),
            ]
            .into_iter()
            .collect(),
            working_dir: None,
            timeout_seconds: Some(60),
        }),
        &[],
    );
    let run = fx.run("cmd");
    assert_eq!(run.status, RunStatus::Failed);
    assert_eq!(run.result["exit_code"], 3);
    assert!(run.error.unwrap().contains("status 3"));
    let log = &run.log;
    assert!(log.contains("raw=***"), "{log}");
    // The user name is a public field: not redacted.
    assert!(log.contains("arg=*** user=app"), "{log}");
    assert!(log.contains("to stderr ***"), "{log}");
    assert!(log.contains("url=***"), "{log}");
    assert_eq!(log.matches("***").count(), 6, "{log}");
    assert_no_canary(&mut fx, &[CANARY, KV_CANARY]);
}

#[test]
fn a_job_runs_once_at_a_time() {
    let mut fx = setup();
    command(&mut fx, "once", "true", &[]);
    let prepared =
        coffer_jobs::prepare(&mut fx, &JobRef::named("once"), RunTrigger::Manual).unwrap();
    let ctx = fx.context();
    let second = coffer_jobs::run_job(&mut fx, &JobRef::named("once"), RunTrigger::Manual, &ctx);
    let err = second.unwrap_err();
    assert_eq!(err.core_code(), ErrorCode::AlreadyRunning, "{err}");
    let coffer_jobs::Prepared::Ready(ready) = prepared else {
        panic!("not ready")
    };
    let finished = coffer_jobs::execute(*ready, &ctx);
    let run = coffer_jobs::complete(&mut fx, finished).unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(fx.run("once").status, RunStatus::Succeeded);
}

#[test]
fn coffer_run_resolves_and_redacts() {
    let mut fx = setup();
    let ready = coffer_jobs::adhoc::prepare_program(
        &mut fx,
        &coffer_jobs::adhoc::AdHoc {
            org: "Default".into(),
            project: None,
            env: vec![("P".into(), "${secret:prod/db}".into())],
            program: "/bin/sh".into(),
            args: vec![
                "-c".into(),
                "test \"$P\" = \"$1\" && exit 7".into(),
                "x".into(),
                "${secret:prod/db}".into(),
            ],
        },
        &coffer_jobs::StorePasswords::new(),
    )
    .unwrap();
    assert_eq!(ready.run().unwrap(), 7);
    let err = coffer_jobs::adhoc::prepare_program(
        &mut fx,
        &coffer_jobs::adhoc::AdHoc {
            org: "Default".into(),
            env: vec![("P".into(), "${secret:missing}".into())],
            program: "/bin/true".into(),
            ..Default::default()
        },
        &coffer_jobs::StorePasswords::new(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("--env P"), "{err}");
}

#[test]
fn placeholders_are_checked_as_typed_line_by_line_without_decrypting() {
    use coffer_jobs::check::{CheckOptions, check_text};
    let mut fx = setup();
    let mut secret = NewSecret::new(
        "wo",
        SecretData::from_fields(
            SecretType::BearerToken,
            inputs(&[("token", "write-only-canary")]),
            &Default::default(),
        )
        .unwrap(),
    );
    secret.write_only = true;
    fx.add_secret(secret);
    fx.deactivate(&SecretRef::named("cfg")).unwrap();
    let audit_before = fx.audit_entries(None, 1000).unwrap().len();

    let text = "user=${secret:prod/db#username}\n\
                bad=${secret:prod/db\n\
                x=${secret:nope} y=${secret:prod/db#colour}\n\
                kv=${secret:cfg#port} lit=$${secret:x}\n\
                wo=${secret:wo}";
    let options = CheckOptions {
        to_disk: true,
        ..CheckOptions::default()
    };
    let report = check_text(&fx, text, &options);
    assert_eq!(report.placeholders, 5, "{report:?}");
    assert_eq!(report.secrets, ["prod/db", "nope", "cfg", "wo"]);
    let found: Vec<(u32, u32, &str)> = report
        .problems
        .iter()
        .map(|p| (p.line, p.column, p.code.as_str()))
        .collect();
    assert_eq!(
        found,
        [
            (2, 5, "invalid_input"),
            (3, 3, "not_found"),
            (3, 20, "not_found"),
            (4, 4, "refused"),
            (5, 4, "write_only"),
        ],
        "{report:#?}"
    );
    assert!(
        report.problems[1]
            .message
            .contains("unknown secret \"nope\"")
    );
    assert!(report.problems[2].message.contains("no field \"colour\""));
    assert_eq!(
        report.problems[2].placeholder.as_deref(),
        Some("${secret:prod/db#colour}")
    );

    // A command's arguments are not written to disk: write-only is fine there.
    let report = check_text(&fx, "${secret:wo}", &CheckOptions::default());
    assert!(report.problems.is_empty(), "{report:?}");
    // Nothing was decrypted or used.
    assert_eq!(fx.audit_entries(None, 1000).unwrap().len(), audit_before);
    for line in text.lines() {
        assert!(!line.contains("write-only-canary"));
    }
}

#[test]
fn a_template_that_names_new_secrets_is_refused_until_a_person_approves() {
    let mut fx = setup();
    let output = template(&mut fx, "app", "user=${secret:prod/db#username}\n", false);
    assert_eq!(fx.run("app").status, RunStatus::Succeeded);
    // Whoever can edit the template file pulls another secret into the output.
    let path = fx.file("app.tmpl");
    std::fs::write(
        &path,
        "user=${secret:prod/db#username}\nloot=${secret:cfg#token}\n",
    )
    .unwrap();
    let refused = fx.run("app");
    assert_eq!(refused.status, RunStatus::Refused);
    let error = refused.error.unwrap();
    assert!(
        error.contains("cfg") && error.contains("coffer job approve app"),
        "{error}"
    );
    assert_eq!(std::fs::read_to_string(&output).unwrap(), "user=app\n");
    let used_cfg = fx
        .audit_entries(None, 1000)
        .unwrap()
        .iter()
        .any(|e| e.action == "secret.use" && e.target.ends_with(":cfg"));
    assert!(!used_cfg, "nothing was decrypted for the refused run");
    // A person approves the new set; the run goes through.
    let (_, added) =
        coffer_jobs::define::approve_references(&mut fx, &JobRef::named("app")).unwrap();
    assert_eq!(added, vec!["cfg".to_owned()]);
    assert_eq!(fx.run("app").status, RunStatus::Succeeded);
    assert!(
        std::fs::read_to_string(&output)
            .unwrap()
            .contains(KV_CANARY)
    );
    // Dropping a secret from the template needs no approval.
    std::fs::write(&path, "port=${secret:cfg#port}\n").unwrap();
    assert_eq!(fx.run("app").status, RunStatus::Succeeded);
}
