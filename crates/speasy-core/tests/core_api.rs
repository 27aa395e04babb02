//! The `Core` façade the shell and CLI call: settings persist, secrets are write-only from
//! the outside, errors are `{kind, message}`.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use std::sync::Arc;

use speasy_core::secrets::{ExposeSecret, MemoryStore, SecretName, SecretStore};
use speasy_core::store::{SettingsPatch, Theme};
use speasy_core::{Core, CoreConfig, ErrorKind};

fn core(dir: &std::path::Path, secrets: Arc<MemoryStore>) -> Core {
    Core::start(CoreConfig {
        data_dir: Some(dir.to_owned()),
        secrets: Some(secrets),
        ..CoreConfig::default()
    })
}

#[test]
fn settings_round_trip_and_persist() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    {
        let c = core(dir.path(), secrets.clone());
        assert_eq!(c.settings().unwrap().theme, Theme::System);
        let s = c
            .update_settings(&SettingsPatch {
                theme: Some(Theme::Dark),
                ..SettingsPatch::default()
            })
            .unwrap();
        assert_eq!(s.theme, Theme::Dark);
        // An empty patch changes nothing.
        assert_eq!(c.update_settings(&SettingsPatch::default()).unwrap().theme, Theme::Dark);
    }
    let c = core(dir.path(), secrets);
    assert_eq!(c.settings().unwrap().theme, Theme::Dark);
}

#[test]
fn an_unreadable_stored_setting_falls_back_to_its_default() {
    let dir = tempfile::tempdir().unwrap();
    let c = core(dir.path(), Arc::new(MemoryStore::default()));
    c.store()
        .unwrap()
        .write(|w| {
            w.tx.execute("INSERT INTO settings VALUES ('theme', '\"sepia\"', 0)", [])?;
            Ok(())
        })
        .unwrap();
    assert_eq!(c.settings().unwrap().theme, Theme::System);
}

#[test]
fn secrets_are_set_checked_and_deleted_but_never_read_back_through_the_api() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let c = core(dir.path(), secrets.clone());
    assert!(!c.secret_exists("provider.openai").unwrap());
    c.secret_set("provider.openai", "sk-live-abc".into()).unwrap();
    assert!(c.secret_exists("provider.openai").unwrap());
    // Only the core's own callers can read it.
    let name = SecretName::new("provider.openai").unwrap();
    assert_eq!(secrets.get(&name).unwrap().unwrap().expose_secret(), "sk-live-abc");
    c.secret_delete("provider.openai").unwrap();
    assert!(!c.secret_exists("provider.openai").unwrap());

    let bad = c.secret_set("../etc/passwd", "x".into()).unwrap_err();
    assert_eq!(bad.kind, ErrorKind::InvalidInput);
    let empty = c.secret_set("provider.openai", "  ".into()).unwrap_err();
    assert_eq!(empty.kind, ErrorKind::InvalidInput);
    assert!(!empty.message.contains("sk-"));
}

#[test]
fn app_info_names_the_data_dir_and_schema() {
    let dir = tempfile::tempdir().unwrap();
    let c = core(dir.path(), Arc::new(MemoryStore::default()));
    let info = c.app_info().unwrap();
    assert_eq!(info.data_dir, dir.path().display().to_string());
    assert!(info.database_path.ends_with("speasy.db"));
    assert_eq!(info.schema_version, speasy_core::store::latest_version());
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
    let json = serde_json::to_value(&info).unwrap();
    assert!(json.get("schema_version").unwrap().is_number());
}

#[test]
fn errors_cross_the_boundary_as_kind_and_message() {
    let dir = tempfile::tempdir().unwrap();
    let c = core(dir.path(), Arc::new(MemoryStore::default()));
    let e = c.threads_list(Some("no-such-thread"), None).unwrap_err();
    assert_eq!(serde_json::to_value(&e).unwrap()["kind"], "not_found");
    assert!(e.message.contains("no-such-thread"));
}
