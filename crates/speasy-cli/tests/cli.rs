//! The CLI binary over a real data dir.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::process::Command;

fn cli(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_speasy-cli"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env("SPEASY_KEYRING_SERVICE", "app.speasy.cli-test")
        .output()
        .unwrap()
}

#[test]
fn seeded_conversations_are_listed_and_searchable() {
    let dir = tempfile::tempdir().unwrap();
    assert!(cli(dir.path(), &["seed-demo"]).status.success());
    let threads = cli(dir.path(), &["threads"]);
    let lines: Vec<serde_json::Value> = String::from_utf8(threads.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["title"], "Rust lifetimes question", "newest first");

    let out = cli(dir.path(), &["search", "lighthouse tower"]);
    assert!(out.status.success());
    let hits: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0]["thread_title"], "Weekend trip to the coast");
    assert!(hits[0]["snippet"].as_str().unwrap().contains("\u{2}lighthouse\u{3}"));

    let info = cli(dir.path(), &["info"]);
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["data_dir"], dir.path().display().to_string());
}

#[test]
fn a_bad_database_fails_with_its_path_and_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("speasy.db");
    std::fs::write(&db, b"not sqlite at all").unwrap();
    let out = cli(dir.path(), &["threads"]);
    assert!(!out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains(&db.display().to_string()), "{err}");
    assert!(err.contains("StoreNotADatabase"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), b"not sqlite at all");
}
