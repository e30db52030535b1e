//! Store-password secrets in runs: a manual run opens them with the
//! passwords it is given; a missing or wrong one is an error before the
//! run starts (naming the secret, no run recorded); scheduled runs cannot
//! ask and are recorded as refused with the reason.

use std::collections::BTreeMap;

use coffer_core::SecretString;
use coffer_core::job::{CommandSpec, JobRef, JobSpec, RunStatus, RunTrigger};
use coffer_core::secret::{Intake, NewProtection, NewSecret, SecretData, SecretRef, SecretType};
use coffer_jobs::StorePasswords;

use crate::support::{Fixture, inputs};

const BOXED: &str = "boxed-canary-value-5521";
const PLAIN: &str = "plain-canary-value-7734";
const STORE_PW: &str = "the store pw";

fn setup() -> (Fixture, std::path::PathBuf) {
    let mut fx = Fixture::new();
    fx.add("plain", SecretType::BearerToken, &[("token", PLAIN)]);
    let data = SecretData::from_fields(
        SecretType::BearerToken,
        inputs(&[("token", BOXED)]),
        &Intake::default(),
    )
    .unwrap();
    let mut boxed = NewSecret::new("boxed", data);
    boxed.protection = NewProtection::Password(SecretString::from(STORE_PW));
    fx.add_secret(boxed);
    let marker = fx.file("ran");
    fx.add_job(
        "uses-both",
        JobSpec::Command(CommandSpec {
            program: "/bin/sh".into(),
            args: vec![
                "-c".into(),
                format!("echo \"boxed=$B plain=$P\"; touch '{}'", marker.display()),
            ],
            env: BTreeMap::from([
                ("B".to_owned(), "${secret:boxed}".to_owned()),
                ("P".to_owned(), "${secret:plain}".to_owned()),
            ]),
            working_dir: None,
            timeout_seconds: Some(60),
        }),
        &[],
    );
    (fx, marker)
}

fn passwords(pairs: &[(&str, &str)]) -> StorePasswords {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), SecretString::from(*v)))
        .collect()
}

fn run(fx: &mut Fixture, trigger: RunTrigger, given: &StorePasswords) -> coffer_core::job::JobRun {
    let ctx = fx.context();
    coffer_jobs::run_job_with(fx, &JobRef::named("uses-both"), trigger, &ctx, given).unwrap()
}

fn plain_used(fx: &Fixture) -> bool {
    fx.get(&SecretRef::named("plain"))
        .unwrap()
        .last_used_at
        .is_some()
}

#[test]
fn a_manual_run_asks_for_exactly_the_store_password_secrets_it_uses() {
    let (mut fx, _) = setup();
    let needed = coffer_jobs::store_passwords_needed(&mut fx, &JobRef::named("uses-both")).unwrap();
    assert_eq!(needed, vec!["boxed".to_owned()]);
}

#[test]
fn missing_or_wrong_passwords_stop_a_manual_run_before_it_starts() {
    let (mut fx, marker) = setup();
    let ctx = fx.context();
    let job = JobRef::named("uses-both");
    let try_run = |fx: &mut Fixture, given: &StorePasswords| {
        coffer_jobs::run_job_with(fx, &job, RunTrigger::Manual, &ctx, given).unwrap_err()
    };
    let audit_before = fx.audit_entries(None, 1000).unwrap().len();

    let missing = try_run(&mut fx, &StorePasswords::new());
    assert_eq!(missing.code(), "password_required");
    assert!(missing.to_string().contains("\"boxed\""), "{missing}");

    let wrong = try_run(&mut fx, &passwords(&[("boxed", "not it")]));
    assert_eq!(wrong.code(), "wrong_password");
    assert_eq!(
        wrong.to_string(),
        "wrong store password for secret \"boxed\""
    );
    // The check alone says the same, and passes with the right password.
    let checked = coffer_jobs::check_store_passwords(&mut fx, &job, &passwords(&[("boxed", "")]))
        .unwrap_err();
    assert_eq!(checked.code(), "wrong_password");
    coffer_jobs::check_store_passwords(&mut fx, &job, &passwords(&[("boxed", STORE_PW)])).unwrap();

    // Nothing started: no run record, no program, no secret used or audited,
    // and the job is not left running (a right password runs it next).
    assert!(fx.job_runs(&job, 10).unwrap().is_empty());
    assert!(!marker.exists(), "the program ran");
    assert!(!plain_used(&fx), "another secret was decrypted");
    assert_eq!(fx.audit_entries(None, 1000).unwrap().len(), audit_before);
    let ok = run(
        &mut fx,
        RunTrigger::Manual,
        &passwords(&[("boxed", STORE_PW)]),
    );
    assert_eq!(ok.status, RunStatus::Succeeded, "{:?}", ok.error);
    assert_eq!(ok.number, 1, "the refused tries took no run number");
}

#[test]
fn the_right_password_runs_the_job_with_every_value_redacted() {
    let (mut fx, marker) = setup();
    let ok = run(
        &mut fx,
        RunTrigger::Manual,
        &passwords(&[("boxed", STORE_PW)]),
    );
    assert_eq!(ok.status, RunStatus::Succeeded, "{:?}", ok.error);
    assert!(marker.exists());
    assert!(ok.log.contains("boxed=*** plain=***"), "{}", ok.log);
    assert!(!ok.log.contains(BOXED) && !ok.log.contains(PLAIN));
}

#[test]
fn scheduled_runs_are_refused_with_the_reason() {
    let (mut fx, marker) = setup();
    for trigger in [RunTrigger::Schedule, RunTrigger::Missed] {
        let refused = run(&mut fx, trigger, &StorePasswords::new());
        assert_eq!(refused.status, RunStatus::Refused);
        let error = refused.error.unwrap();
        assert!(
            error.contains("\"boxed\"") && error.contains("a scheduled run cannot ask"),
            "{error}"
        );
    }
    assert!(!marker.exists());
}

#[test]
fn coffer_run_opens_store_password_secrets_with_the_given_password() {
    let (mut fx, _) = setup();
    let adhoc = coffer_jobs::adhoc::AdHoc {
        org: "Default".into(),
        env: vec![("B".into(), "${secret:boxed}".into())],
        program: "/bin/sh".into(),
        args: vec!["-c".into(), format!("test \"$B\" = '{BOXED}' && exit 9")],
        ..Default::default()
    };
    assert_eq!(
        coffer_jobs::adhoc::store_passwords_needed(&mut fx, &adhoc).unwrap(),
        vec!["boxed".to_owned()]
    );
    let error =
        coffer_jobs::adhoc::prepare_program(&mut fx, &adhoc, &StorePasswords::new()).unwrap_err();
    assert_eq!(error.code(), "password_required");
    let error =
        coffer_jobs::adhoc::prepare_program(&mut fx, &adhoc, &passwords(&[("boxed", "nope")]))
            .unwrap_err();
    assert_eq!(error.code(), "wrong_password");
    let ready =
        coffer_jobs::adhoc::prepare_program(&mut fx, &adhoc, &passwords(&[("boxed", STORE_PW)]))
            .unwrap();
    assert_eq!(ready.run().unwrap(), 9);
}
