//! Checks that keep the IPC surface consistent: every command in the
//! generated bindings is declared in `build.rs` and allow-listed, one by one,
//! in the window's capability, and nothing else is.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("reading {path}: {e}"))
}

fn invoked_commands() -> BTreeSet<String> {
    let bindings = read("../ui/src/ipc/bindings.ts");
    bindings
        .split("__TAURI_INVOKE")
        .skip(1)
        .filter_map(|rest| rest.split('"').nth(1).map(str::to_owned))
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
        .collect()
}

#[test]
fn every_command_is_declared_and_allow_listed() {
    let commands = invoked_commands();
    assert!(commands.len() > 30, "{commands:?}");
    let build = read("build.rs");
    let declared: BTreeSet<String> = build
        .lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix('"')
                .and_then(|l| l.strip_suffix("\","))
        })
        .map(str::to_owned)
        .collect();
    assert_eq!(
        declared, commands,
        "build.rs COMMANDS differs from the bindings"
    );
    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/default.json")).unwrap();
    let allowed: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("allow-"))
        .map(|p| p.replace('-', "_"))
        .collect();
    assert_eq!(
        allowed, commands,
        "capabilities/default.json differs from the bindings"
    );
}

#[test]
fn the_capability_grants_nothing_broad() {
    let capability: serde_json::Value =
        serde_json::from_str(&read("capabilities/default.json")).unwrap();
    for permission in capability["permissions"].as_array().unwrap() {
        let p = permission.as_str().unwrap();
        assert!(
            !p.ends_with(":default") && !p.contains("fs:") && !p.contains("shell:"),
            "{p}"
        );
    }
    assert_eq!(capability["windows"], serde_json::json!(["main"]));
}

#[test]
fn the_content_security_policy_is_strict() {
    let config: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = &config["app"]["security"]["csp"];
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["script-src"], "'self'");
    for (directive, value) in csp.as_object().unwrap() {
        let value = value.as_str().unwrap();
        assert!(
            !value.contains("unsafe-inline") && !value.contains("unsafe-eval"),
            "{directive}: {value}"
        );
        assert!(
            !value.contains("http://") || value.contains("ipc.localhost"),
            "{directive}: {value}"
        );
        assert!(
            !value.contains("https:"),
            "no remote origins: {directive}: {value}"
        );
    }
}
