//! Rendering a template with 1,000 placeholders over 100 secrets: parsing
//! and rendering with the values resolved (the budget: 20 ms), and a whole
//! template job run (start, resolve 100 secrets through `use_secret` — each
//! an audited, durable write — render, write atomically, record the run).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;

use coffer_core::job::{JobRef, JobSpec, NewJob, RunTrigger, TemplateSpec};
use coffer_core::secret::{Intake, NewSecret, SecretData, SecretType, text_input};
use coffer_core::{CreateOptions, SecretString, SystemClock, Vault};
use coffer_jobs::placeholder::Template;
use coffer_jobs::resolve::{AdHocSource, Located, Needs, resolve};
use coffer_jobs::{RunContext, run_job};
use criterion::{Criterion, criterion_group, criterion_main};

const SECRETS: usize = 100;
const PLACEHOLDERS: usize = 1000;

fn template_text() -> String {
    let mut text = String::new();
    for i in 0..PLACEHOLDERS {
        let secret = i % SECRETS;
        if i % 2 == 0 {
            text.push_str(&format!("key{i}=${{secret:app/secret-{secret:03}}}\n"));
        } else {
            text.push_str(&format!(
                "user{i}=${{secret:app/secret-{secret:03}#username}} # note\n"
            ));
        }
    }
    text
}

fn vault(dir: &std::path::Path) -> Vault {
    let mut options = CreateOptions::new(SecretString::from("bench passphrase"));
    options.use_keyring = false;
    let (mut vault, _) =
        Vault::create(&dir.join("vault.db"), options, Arc::new(SystemClock)).unwrap();
    let secrets = (0..SECRETS)
        .map(|i| {
            let data = SecretData::from_fields(
                SecretType::BasicAuth,
                vec![
                    text_input("username", &format!("user-{i}")),
                    text_input("password", &format!("password-{i:03}-{}", "x".repeat(24))),
                ],
                &Intake::default(),
            )
            .unwrap();
            NewSecret::new(format!("app/secret-{i:03}"), data)
        })
        .collect();
    vault.register_many(secrets).unwrap();
    vault
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut vault = vault(dir.path());
    let text = template_text();
    let template_path = dir.path().join("app.tmpl");
    std::fs::write(&template_path, &text).unwrap();

    // Values resolved once; the budget covers parsing and rendering.
    let parsed = Template::parse(&text, "bench").unwrap();
    let needs = Needs {
        placeholders: parsed
            .placeholders()
            .map(|p| Located {
                location: "bench".into(),
                placeholder: p.clone(),
                to_disk: true,
            })
            .collect(),
        ..Needs::default()
    };
    let resolved = resolve(
        &mut AdHocSource {
            vault: &mut vault,
            org: "Default".into(),
            project: None,
            purpose: "bench".into(),
            passwords: &coffer_jobs::StorePasswords::new(),
            remotes: None,
        },
        &needs,
    )
    .unwrap();
    c.bench_function("parse_and_render_1000_placeholders_100_secrets", |b| {
        b.iter(|| {
            let template = Template::parse(&text, "bench").unwrap();
            let out = template.render(|p| resolved.value(p)).unwrap();
            assert!(out.len() > PLACEHOLDERS * 10);
        })
    });

    let mut job = NewJob::new(
        "render",
        JobSpec::Template(TemplateSpec {
            template: template_path,
            output: dir.path().join("app.conf"),
            allow_write_only_to_disk: false,
        }),
    );
    job.references = Vec::new();
    coffer_jobs::define::create_job(&mut vault, job).unwrap();
    let ctx = RunContext {
        temp_dir: dir.path().to_owned(),
        ..RunContext::default()
    };
    let mut group = c.benchmark_group("job");
    group.sample_size(20);
    group.bench_function("template_run_1000_placeholders_100_secrets", |b| {
        b.iter(|| {
            let run = run_job(
                &mut vault,
                &JobRef::named("render"),
                RunTrigger::Manual,
                &ctx,
            )
            .unwrap();
            assert_eq!(run.status, coffer_core::job::RunStatus::Succeeded);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
