//! The `Core` façade the shell and CLI call: settings persist, secrets are write-only from
//! the outside, errors are `{kind, message}`.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

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

/// A port nobody listens on right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_apps_local_api_starts_stops_and_never_shows_its_token() {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::default());
    let c = Arc::new(core(dir.path(), secrets.clone()));
    let http = reqwest::Client::new();

    // Off by default; turning it on needs a token first.
    let status = c.api_status().await.unwrap();
    assert!(!status.enabled && !status.running && !status.has_token);
    let err = c.api_configure(Some(true), None, None).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidInput);
    assert_eq!(
        c.api_configure(None, None, Some("short".into())).await.unwrap_err().kind,
        ErrorKind::InvalidInput
    );

    let port = free_port();
    let token = "local-api-token-123";
    let status = c.api_configure(Some(true), Some(port), Some(token.into())).await.unwrap();
    assert!(status.enabled && status.running && status.has_token, "{status:?}");
    let url = status.url.clone().unwrap();
    assert_eq!(url, format!("http://127.0.0.1:{port}"));
    assert!(!serde_json::to_string(&status).unwrap().contains(token));
    assert_eq!(
        secrets.get(&SecretName::new("api.token").unwrap()).unwrap().unwrap().expose_secret(),
        token
    );

    // It is the same protocol as `speasy-cli serve`: health is open, the rest needs the token.
    assert_eq!(http.get(format!("{url}/health")).send().await.unwrap().status(), 200);
    let op = serde_json::json!({"type": "speasy.settings.get", "params": {}});
    let denied = http.post(format!("{url}/chatkit")).json(&op).send().await.unwrap();
    assert_eq!(denied.status(), 401);
    let ok = http.post(format!("{url}/chatkit")).bearer_auth(token).json(&op).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.json::<serde_json::Value>().await.unwrap()["api_enabled"], true);

    // Moving it to a port another program holds: still on, not running, and says why.
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = squatter.local_addr().unwrap().port();
    let status = c.api_configure(None, Some(taken), None).await.unwrap();
    assert!(status.enabled && !status.running, "{status:?}");
    assert!(status.error.unwrap().contains("another program is using that port"));
    assert!(
        http.get(format!("{url}/health")).send().await.is_err(),
        "the old server still answers"
    );

    // Back on a free port, then off.
    let status = c.api_configure(None, Some(free_port()), None).await.unwrap();
    assert!(status.running);
    let url = status.url.unwrap();
    let status = c.api_configure(Some(false), None, None).await.unwrap();
    assert!(!status.enabled && !status.running);
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(http.get(format!("{url}/health")).send().await.is_err(), "still serving when off");

    // A restart of the app brings it back when it was left on.
    c.api_configure(Some(true), None, None).await.unwrap();
    c.api_stop().await;
    drop(c);
    let again = Arc::new(core(dir.path(), secrets));
    assert!(!again.api_status().await.unwrap().running);
    again.api_apply().await.unwrap();
    assert!(again.api_status().await.unwrap().running);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_delete_waits_out_its_undo_window_and_quitting_does_not_lose_it() {
    use speasy_core::chatkit::{ThreadMetadata, ThreadStatus};
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let c = Arc::new(core(dir.path(), Arc::new(MemoryStore::default())));
    let store = c.store().unwrap();
    let new_thread = |title: &str| {
        let t = ThreadMetadata {
            id: store.generate_thread_id(),
            title: Some(title.into()),
            created_at: "2026-11-21T10:00:00Z".into(),
            status: ThreadStatus::Active,
            metadata: Default::default(),
        };
        store.save_thread(&t).unwrap();
        t.id
    };
    let (undone, timed, quitting) = (new_thread("undone"), new_thread("timed"), new_thread("quit"));

    // Undo within the window: nothing is deleted.
    c.delete_thread_later(&undone, Duration::from_millis(150)).unwrap();
    assert!(c.restore_thread(&undone));
    assert!(!c.restore_thread(&undone), "nothing left to restore");
    // No undo: deleted when the window closes, not before.
    c.delete_thread_later(&timed, Duration::from_millis(150)).unwrap();
    assert!(store.load_thread(&timed).is_ok());
    // Quitting inside the window: deleted at once.
    c.delete_thread_later(&quitting, Duration::from_secs(60)).unwrap();
    c.flush_pending_deletes();
    assert!(store.load_thread(&quitting).is_err());

    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(store.load_thread(&undone).is_ok());
    assert!(store.load_thread(&timed).is_err());
    assert_eq!(
        c.delete_thread_later("no-such-thread", Duration::ZERO).unwrap_err().kind,
        ErrorKind::NotFound
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_first_screen_is_what_the_requests_would_answer() {
    let dir = tempfile::tempdir().unwrap();
    let c = Arc::new(core(dir.path(), Arc::new(MemoryStore::default())));
    let store = c.store().unwrap();
    let mut ids = Vec::new();
    for (n, title) in ["Sourdough", "Lisbon trip", "Rust lifetimes"].iter().enumerate() {
        let t = common::thread(&store, Some(title), 1_700_000_000_000 + i64::try_from(n).unwrap());
        ids.push(t.id);
    }
    store.set_thread_pinned(&ids[0], true).unwrap();
    c.update_settings(&SettingsPatch { theme: Some(Theme::Dark), ..SettingsPatch::default() })
        .unwrap();

    let first = c.first_screen(2);
    let json = serde_json::to_value(&first).unwrap();
    assert_eq!(json["status"], serde_json::to_value(c.store_status()).unwrap());
    assert_eq!(json["settings"], serde_json::to_value(c.settings().unwrap()).unwrap());
    let listed =
        match c.chatkit(br#"{"type":"speasy.threads.list","params":{"limit":2}}"#).await.unwrap() {
            speasy_core::ChatKitResponse::Json(v) => v,
            speasy_core::ChatKitResponse::Stream(_) => panic!("a JSON request streamed"),
        };
    assert_eq!(json["threads"], listed, "the sidebar's first page, pinned first");
    assert_eq!(json["threads"]["data"][0]["id"], ids[0]);
    assert_eq!(json["threads"]["has_more"], true);
    assert_eq!(json["threads_limit"], 2);
}

#[test]
fn a_first_screen_without_a_store_says_why_and_leaves_the_rest_to_the_requests() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(speasy_core::store::DB_FILE), "not a database").unwrap();
    let c = core(dir.path(), Arc::new(MemoryStore::default()));
    let json = serde_json::to_value(c.first_screen(100)).unwrap();
    assert_eq!(json["status"]["state"], "failed");
    assert_eq!(json["status"]["error"]["kind"], "store_not_a_database", "{json}");
    assert!(json.get("settings").is_none() && json.get("threads").is_none(), "{json}");
}
