//! Crash safety: a child process mutates one vault at random and reports each
//! mutation only after it returned Ok; the parent kills it with SIGKILL at a
//! random moment, hundreds of times on the same vault, and checks after every
//! kill that the file is intact, opens and unlocks, and holds exactly what was
//! reported (the one call in flight may or may not have happened). All the
//! while a second process (the bystander, as the CLI beside the app) keeps
//! writing its own secrets to the same vault; it must never fail, and what it
//! reported must be there too.
//!
//! Runs inside a D-Bus session so the parent and every child unlock from the
//! OS keyring rather than paying for Argon2id on each of the many opens.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::Stdio;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use coffer_core::secret::{
    MetadataChange, NewSecret, Scope, SecretQuery, SecretRef, SecretStatus, ValueChange,
};
use coffer_core::{FixedClock, KeyringState, KeyringUnlock, Vault};

use crate::support::{
    Fixture, Rng, T0, basic, in_keyring_session, inputs, run_in_keyring_session, test_command,
    test_name,
};

const KILLS: usize = 220;
const KEEP_VERSIONS: u32 = 10;
const MAX_LIVE: usize = 25;
const ENV_VAULT: &str = "COFFER_TEST_CRASH_VAULT";
const ENV_SEED: &str = "COFFER_TEST_CRASH_SEED";
const ENV_ROUND: &str = "COFFER_TEST_CRASH_ROUND";
/// The bystander's secrets (kept out of the killed child's model).
const BYSTANDER: [&str; 3] = ["by0", "by1", "by2"];

/// What the vault should hold about one secret.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Model {
    trashed: bool,
    active: bool,
    description: String,
    version: u32,
    /// The value tag of each kept version (the current one included).
    versions: BTreeMap<u32, String>,
}

impl Model {
    fn tag(&self) -> &str {
        &self.versions[&self.version]
    }

    fn add_version(&mut self, tag: &str) {
        self.version += 1;
        self.versions.insert(self.version, tag.to_owned());
        let oldest_kept = self.version.saturating_sub(KEEP_VERSIONS - 1);
        self.versions.retain(|v, _| *v >= oldest_kept);
    }
}

type World = BTreeMap<String, Model>;

/// The value of a version tagged `tag`: the tag is readable from the public
/// username without decrypting, and checked against the password on reveal.
fn new_secret(name: &str, tag: &str) -> NewSecret {
    basic(name, &format!("user-{tag}"), &format!("pw-{tag}"))
}

fn tag_of(username: &serde_json::Value) -> String {
    username
        .as_str()
        .and_then(|u| u.strip_prefix("user-"))
        .unwrap_or_else(|| panic!("unexpected username {username}"))
        .to_owned()
}

/// Applies one reported mutation (`op` and its arguments) to the model.
fn apply(world: &mut World, words: &[&str]) {
    let fresh = |tag: &str| Model {
        trashed: false,
        active: true,
        description: String::new(),
        version: 1,
        versions: [(1, tag.to_owned())].into(),
    };
    fn get<'w>(world: &'w mut World, name: &str) -> &'w mut Model {
        world
            .get_mut(name)
            .unwrap_or_else(|| panic!("no {name} in the model"))
    }
    match words {
        ["register", name, tag] => {
            world.insert((*name).to_owned(), fresh(tag));
        }
        ["register_many", tag, names @ ..] => {
            for name in names {
                world.insert((*name).to_owned(), fresh(tag));
            }
        }
        ["update", name, tag, version] => {
            let m = get(world, name);
            m.add_version(tag);
            assert_eq!(m.version.to_string(), *version, "{words:?}");
        }
        ["describe", name, text] => get(world, name).description = (*text).to_owned(),
        ["deactivate", name] => get(world, name).active = false,
        ["activate", name] => get(world, name).active = true,
        ["delete", name] => get(world, name).trashed = true,
        ["undelete", name] => get(world, name).trashed = false,
        ["purge", name] => {
            world.remove(*name);
        }
        ["restore", name, from, to, tag] => {
            let m = get(world, name);
            assert_eq!(
                m.versions.get(&from.parse().unwrap()).map(String::as_str),
                Some(*tag),
                "{words:?}: the restored version's value"
            );
            m.add_version(tag);
            assert_eq!(m.version.to_string(), *to, "{words:?}");
        }
        ["empty_trash"] => world.retain(|_, m| !m.trashed),
        ["reveal", _] => {}
        other => panic!("unknown mutation {other:?}"),
    }
}

/// What the vault holds, read without decrypting.
fn snapshot(vault: &Vault) -> World {
    let mut world = World::new();
    for scope in [Scope::Live, Scope::Trash] {
        let page = vault
            .list(&SecretQuery {
                scope,
                limit: 1000,
                ..Default::default()
            })
            .unwrap();
        assert!(page.total < 1000);
        for meta in page.items {
            if BYSTANDER.contains(&meta.name.as_str()) {
                continue;
            }
            let versions = vault
                .versions(&meta.reference())
                .unwrap()
                .into_iter()
                .map(|v| (v.version, tag_of(&v.public_fields["username"])))
                .collect();
            let model = Model {
                trashed: scope == Scope::Trash,
                active: meta.status != SecretStatus::Deactivated,
                description: meta.description,
                version: meta.current_version,
                versions,
            };
            assert_eq!(
                tag_of(&meta.public_fields["username"]),
                model.tag(),
                "{}: the current public fields",
                meta.name
            );
            world.insert(meta.name, model);
        }
    }
    world
}

/// Decrypts the current value and checks it against its tag.
fn check_value(vault: &mut Vault, name: &str, model: &Model) {
    let fields = crate::support::reveal_all(vault, &SecretRef::named(name));
    assert_eq!(
        String::from_utf8_lossy(&fields["password"]),
        format!("pw-{}", model.tag()),
        "{name}: the decrypted value"
    );
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(T0))
}

fn open_with_keyring(path: &Path) -> Vault {
    let mut vault = Vault::open(path, clock()).expect("the vault opens after a kill");
    assert!(
        vault.integrity_check().unwrap().is_empty(),
        "integrity check: {:?}",
        vault.integrity_check()
    );
    assert_eq!(
        vault.unlock_with_keyring().unwrap(),
        KeyringUnlock::Unlocked
    );
    vault
}

#[derive(Default, Debug)]
struct Stats {
    kills: usize,
    early_kills: usize,
    committed: usize,
    in_flight_applied: usize,
    in_flight_not_applied: usize,
    reveals_checked: usize,
}

#[test]
fn every_reported_mutation_survives_sigkill() {
    if !in_keyring_session() {
        return run_in_keyring_session(&test_name(
            module_path!(),
            "every_reported_mutation_survives_sigkill",
        ));
    }
    let started = Instant::now();
    let mut rng = Rng::seeded("crash");
    let (mut fx, state) = Fixture::create(true);
    assert_eq!(state, KeyringState::Stored);
    let mut world = World::new();
    for i in 0..5 {
        let (name, tag) = (format!("init{i}"), format!("i{i}"));
        fx.register(new_secret(&name, &tag)).unwrap();
        apply(&mut world, &["register", &name, &tag]);
    }
    for name in BYSTANDER {
        fx.register(new_secret(name, "by")).unwrap();
    }
    fx.close();
    let path = fx.path.clone();
    let child_name = test_name(module_path!(), "crash_child");
    let mut stats = Stats::default();
    let mut bystander = test_command(&test_name(module_path!(), "crash_bystander"))
        .env(ENV_VAULT, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawning the bystander");
    let bystander_out = bystander.stdout.take().unwrap();
    let bystander_lines = std::thread::spawn(move || {
        BufReader::new(bystander_out)
            .lines()
            .map_while(std::result::Result::ok)
            .collect::<Vec<String>>()
    });

    for round in 0..KILLS {
        let mut child = test_command(&child_name)
            .env(ENV_VAULT, &path)
            .env(ENV_SEED, rng.next_u64().to_string())
            .env(ENV_ROUND, round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning the child");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let mut lines = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let _ = tx.send(line.clone());
                lines.push(line);
            }
            lines
        });
        // Mostly kill while mutating; sometimes while it opens and unlocks.
        let early = rng.below(10) == 0;
        if early {
            stats.early_kills += 1;
            std::thread::sleep(Duration::from_millis(rng.below(60)));
        } else {
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                match rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                    Ok(line) if line == "READY" => break,
                    Ok(_) => {}
                    Err(_) => {
                        let _ = child.kill();
                        let out = child.wait_with_output().unwrap();
                        panic!(
                            "round {round}: the child never became ready:\n{}",
                            String::from_utf8_lossy(&out.stderr)
                        );
                    }
                }
            }
            std::thread::sleep(Duration::from_micros(rng.below(80_000)));
        }
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "round {round}: the child stopped on its own ({status}):\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        child.kill().expect("SIGKILL");
        let status = child.wait().unwrap();
        if std::os::unix::process::ExitStatusExt::signal(&status) != Some(9) {
            let mut stderr = String::new();
            let _ = std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr);
            panic!("round {round}: the child ended with {status}, not SIGKILL:\n{stderr}");
        }
        stats.kills += 1;
        let lines = reader.join().unwrap();

        // Replay what the child reported.
        let mut pending: Option<Vec<String>> = None;
        let mut touched: Vec<String> = Vec::new();
        for line in &lines {
            let words: Vec<&str> = line.split(' ').collect();
            match words.as_slice() {
                ["BEGIN", _, op @ ..] => {
                    assert!(pending.is_none(), "round {round}: two calls in flight");
                    pending = Some(op.iter().map(|s| (*s).to_owned()).collect());
                }
                ["COMMITTED", _, op @ ..] => {
                    let begun = pending.take().expect("COMMITTED without BEGIN");
                    assert_eq!(begun, op, "round {round}");
                    apply(&mut world, op);
                    touched.extend(op.iter().skip(1).map(|s| (*s).to_owned()));
                    stats.committed += 1;
                }
                _ => {}
            }
        }

        // The vault holds what was committed, and the call in flight either
        // happened completely or not at all.
        let mut vault = open_with_keyring(&path);
        let actual = snapshot(&vault);
        if actual != world {
            let op = pending.as_ref().unwrap_or_else(|| {
                panic!("round {round}: the vault differs:\n{actual:#?}\nexpected\n{world:#?}")
            });
            let mut with = world.clone();
            let words: Vec<&str> = op.iter().map(String::as_str).collect();
            apply(&mut with, &words);
            assert_eq!(
                actual, with,
                "round {round}: neither without nor with the call in flight {op:?}"
            );
            world = with;
            stats.in_flight_applied += 1;
        } else if pending.is_some() {
            stats.in_flight_not_applied += 1;
        }
        if let Some(op) = &pending {
            touched.extend(op.iter().skip(1).cloned());
        }
        let all = round % 25 == 0;
        for (name, model) in &world {
            if model.trashed || !(all || touched.contains(name)) {
                continue;
            }
            check_value(&mut vault, name, model);
            stats.reveals_checked += 1;
        }
        let audit = vault.verify_audit().unwrap();
        assert!(audit.ok, "round {round}: {audit:?}");
        drop(vault);
        crate::support::assert_search_index_consistent(&path);
    }
    let elapsed = started.elapsed();
    // The bystander wrote all along without a single failure, and the vault
    // holds what it reported (its one update in flight may have happened).
    if let Some(status) = bystander.try_wait().unwrap() {
        let out = bystander.wait_with_output().unwrap();
        panic!(
            "the bystander stopped ({status}):\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    bystander.kill().expect("SIGKILL");
    bystander.wait().unwrap();
    let lines = bystander_lines.join().unwrap();
    let mut reported: BTreeMap<String, (u32, String)> = BTreeMap::new();
    let mut in_flight = None;
    for line in &lines {
        match line.split(' ').collect::<Vec<_>>().as_slice() {
            ["BEGIN", name, version, tag] => {
                in_flight = Some((
                    (*name).to_owned(),
                    (version.parse().unwrap(), (*tag).to_owned()),
                ));
            }
            ["COMMITTED", name, version, tag] => {
                reported.insert(
                    (*name).to_owned(),
                    (version.parse().unwrap(), (*tag).to_owned()),
                );
                in_flight = None;
            }
            _ => {}
        }
    }
    let bystander_writes = lines.iter().filter(|l| l.starts_with("COMMITTED")).count();
    assert!(
        bystander_writes >= 50,
        "the bystander wrote only {bystander_writes} times"
    );
    let vault = open_with_keyring(&path);
    for name in BYSTANDER {
        let meta = vault.get(&SecretRef::named(name)).unwrap();
        let now = (
            meta.current_version,
            tag_of(&meta.public_fields["username"]),
        );
        let reported = reported.get(name).cloned().unwrap_or((1, "by".into()));
        let flying = in_flight
            .as_ref()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone());
        assert!(
            now == reported || Some(&now) == flying.as_ref(),
            "{name}: the vault holds {now:?}, the bystander reported {reported:?} (in flight {flying:?})"
        );
    }
    assert!(vault.verify_audit().unwrap().ok);
    drop(vault);
    println!(
        "crash safety: {} SIGKILLs on one vault in {elapsed:.1?} ({:.0?} per kill); {stats:?}; \
         {} secrets at the end; {bystander_writes} writes by a second process meanwhile",
        stats.kills,
        elapsed / stats.kills as u32,
        world.len()
    );
    assert!(stats.kills >= 200);
    assert!(stats.committed >= stats.kills, "{stats:?}");
    assert!(
        stats.in_flight_applied + stats.in_flight_not_applied >= stats.kills / 2,
        "most kills should land inside a call: {stats:?}"
    );
}

/// One step of the child: chooses a mutation valid for `world`.
fn choose(rng: &mut Rng, world: &World, id: &str) -> Vec<String> {
    let live: Vec<&String> = world
        .iter()
        .filter(|(_, m)| !m.trashed)
        .map(|(n, _)| n)
        .collect();
    let trash: Vec<&String> = world
        .iter()
        .filter(|(_, m)| m.trashed)
        .map(|(n, _)| n)
        .collect();
    let pick =
        |rng: &mut Rng, from: &[&String]| from[rng.below(from.len() as u64) as usize].clone();
    let tag = format!("t{id}");
    loop {
        let roll = rng.below(100);
        let op: Vec<String> = match roll {
            0..=11 if live.len() < MAX_LIVE => {
                vec!["register".into(), format!("s{id}"), tag.clone()]
            }
            12..=15 if live.len() + 3 <= MAX_LIVE => vec![
                "register_many".into(),
                tag.clone(),
                format!("s{id}a"),
                format!("s{id}b"),
                format!("s{id}c"),
            ],
            16..=39 if !live.is_empty() => {
                let name = pick(rng, &live);
                let version = world[&name].version + 1;
                vec!["update".into(), name, tag.clone(), version.to_string()]
            }
            40..=49 if !live.is_empty() => {
                vec!["describe".into(), pick(rng, &live), format!("d{id}")]
            }
            50..=59 if !live.is_empty() => {
                let name = pick(rng, &live);
                let op = if world[&name].active {
                    "deactivate"
                } else {
                    "activate"
                };
                vec![op.into(), name]
            }
            60..=67 if !live.is_empty() => vec!["delete".into(), pick(rng, &live)],
            68..=73 if !trash.is_empty() => vec!["undelete".into(), pick(rng, &trash)],
            74..=76 if !world.is_empty() => {
                let all: Vec<&String> = world.keys().collect();
                vec!["purge".into(), pick(rng, &all)]
            }
            77..=86 if !live.is_empty() => {
                let name = pick(rng, &live);
                let model = &world[&name];
                let older: Vec<u32> = model
                    .versions
                    .keys()
                    .copied()
                    .filter(|v| *v != model.version)
                    .collect();
                if older.is_empty() {
                    continue;
                }
                let from = older[rng.below(older.len() as u64) as usize];
                vec![
                    "restore".into(),
                    name,
                    from.to_string(),
                    (model.version + 1).to_string(),
                    model.versions[&from].clone(),
                ]
            }
            87 if !trash.is_empty() => vec!["empty_trash".into()],
            88..=99 if !live.is_empty() => vec!["reveal".into(), pick(rng, &live)],
            _ => continue,
        };
        return op;
    }
}

/// Performs a mutation on the vault; panics unless it succeeds as expected.
fn perform(vault: &mut Vault, world: &World, op: &[String]) {
    let by = |name: &str| SecretRef::named(name);
    let words: Vec<&str> = op.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["register", name, tag] => {
            vault.register(new_secret(name, tag)).unwrap();
        }
        ["register_many", tag, names @ ..] => {
            let batch = names.iter().map(|n| new_secret(n, tag)).collect();
            vault.register_many(batch).unwrap();
        }
        ["update", name, tag, version] => {
            let change = ValueChange {
                set: inputs(&[
                    ("username", &format!("user-{tag}")),
                    ("password", &format!("pw-{tag}")),
                ]),
                ..Default::default()
            };
            let outcome = vault.update_value(&by(name), change, None).unwrap();
            assert_eq!(
                outcome,
                coffer_core::secret::ValueOutcome::NewVersion {
                    version: version.parse().unwrap()
                }
            );
        }
        ["describe", name, text] => {
            let change = MetadataChange {
                description: Some((*text).to_owned()),
                ..Default::default()
            };
            vault.update_metadata(&by(name), change).unwrap();
        }
        ["deactivate", name] => {
            vault.deactivate(&by(name)).unwrap();
        }
        ["activate", name] => {
            vault.activate(&by(name)).unwrap();
        }
        ["delete", name] => {
            vault.delete(&by(name)).unwrap();
        }
        ["undelete", name] => {
            vault.undelete(&by(name)).unwrap();
        }
        ["purge", name] => vault.purge(&by(name)).unwrap(),
        ["restore", name, from, to, _] => {
            let made = vault
                .restore_version(&by(name), from.parse().unwrap(), None)
                .unwrap();
            assert_eq!(made.to_string(), *to);
        }
        ["empty_trash"] => {
            let expected = world.values().filter(|m| m.trashed).count();
            assert_eq!(vault.empty_trash().unwrap() as usize, expected);
        }
        ["reveal", name] => check_value(vault, name, &world[*name]),
        other => panic!("unknown mutation {other:?}"),
    }
}

#[test]
#[ignore = "child process of every_reported_mutation_survives_sigkill"]
fn crash_child() {
    let (Some(path), Ok(seed), Ok(round)) = (
        std::env::var_os(ENV_VAULT),
        std::env::var(ENV_SEED),
        std::env::var(ENV_ROUND),
    ) else {
        println!("not started as a child process; nothing to do");
        return;
    };
    let mut rng = Rng::from_seed(seed.parse().unwrap());
    let mut vault = open_with_keyring(Path::new(&path));
    let mut world = snapshot(&vault);
    let mut out = std::io::stdout();
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    for step in 0.. {
        let id = format!("{round}x{step}");
        let op = choose(&mut rng, &world, &id);
        writeln!(out, "BEGIN {id} {}", op.join(" ")).unwrap();
        out.flush().unwrap();
        perform(&mut vault, &world, &op);
        writeln!(out, "COMMITTED {id} {}", op.join(" ")).unwrap();
        out.flush().unwrap();
        let words: Vec<&str> = op.iter().map(String::as_str).collect();
        apply(&mut world, &words);
    }
}

#[test]
#[ignore = "second writer of every_reported_mutation_survives_sigkill"]
fn crash_bystander() {
    let Some(path) = std::env::var_os(ENV_VAULT) else {
        println!("not started as a child process; nothing to do");
        return;
    };
    let mut vault = open_with_keyring(Path::new(&path));
    let mut out = std::io::stdout();
    for step in 0u64.. {
        let name = BYSTANDER[(step % 3) as usize];
        let tag = format!("by{step}");
        let version = vault.get(&SecretRef::named(name)).unwrap().current_version + 1;
        writeln!(out, "BEGIN {name} {version} {tag}").unwrap();
        out.flush().unwrap();
        let change = ValueChange {
            set: inputs(&[
                ("username", &format!("user-{tag}")),
                ("password", &format!("pw-{tag}")),
            ]),
            ..Default::default()
        };
        vault
            .update_value(&SecretRef::named(name), change, None)
            .unwrap();
        writeln!(out, "COMMITTED {name} {version} {tag}").unwrap();
        out.flush().unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A checkpoint copies pages from the WAL into the file, page 1 (with the
/// new database size) first. Killed halfway, it leaves a file shorter than its
/// header says next to a WAL that still holds every page: SQLite finishes the
/// job on the next open, so the vault must open, not be called truncated.
#[test]
fn an_interrupted_checkpoint_is_recovered_from_the_wal() {
    let mut fx = Fixture::new();
    for i in 0..5 {
        fx.register(new_secret(&format!("before{i}"), &format!("b{i}")))
            .unwrap();
    }
    fx.close();
    let path = fx.path.clone();
    let wal_path = {
        let mut p = path.as_os_str().to_owned();
        p.push("-wal");
        std::path::PathBuf::from(p)
    };
    // Grow the database by many pages that so far exist only in the WAL.
    {
        let db = crate::support::raw(&path);
        db.set_db_config(
            rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
            true,
        )
        .unwrap();
        db.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        db.execute(
            "INSERT INTO meta (key, value) VALUES ('padding', zeroblob(200000))",
            [],
        )
        .unwrap();
    }
    let main = std::fs::read(&path).unwrap();
    let wal = std::fs::read(&wal_path).unwrap();
    let page_size = u32::from_be_bytes(wal[8..12].try_into().unwrap()) as usize;
    // The newest copy of page 1 in the WAL, as the checkpoint writes it first.
    let mut frames = wal[32..].chunks_exact(24 + page_size);
    let page1 = frames
        .rfind(|f| u32::from_be_bytes(f[..4].try_into().unwrap()) == 1)
        .expect("page 1 is in the WAL")[24..]
        .to_vec();
    let header_pages = u32::from_be_bytes(page1[28..32].try_into().unwrap()) as usize;
    assert!(
        header_pages * page_size > main.len(),
        "the WAL grew the database"
    );
    let mut partly = main.clone();
    partly[..page_size].copy_from_slice(&page1);
    std::fs::write(&path, &partly).unwrap();

    fx.open_locked();
    assert!(fx.integrity_check().unwrap().is_empty());
    fx.unlock_with_passphrase(&crate::support::passphrase())
        .unwrap();
    for i in 0..5 {
        let name = format!("before{i}");
        let model = Model {
            trashed: false,
            active: true,
            description: String::new(),
            version: 1,
            versions: [(1, format!("b{i}"))].into(),
        };
        check_value(&mut fx, &name, &model);
    }
    assert!(fx.verify_audit().unwrap().ok);
    fx.close();
    let padding: i64 = crate::support::raw(&path)
        .query_row(
            "SELECT length(value) FROM meta WHERE key = 'padding'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(padding, 200_000);
}
