//! The keyring implementation against real OS keychains. These need a running Secret Service
//! (gnome-keyring under dbus-run-session) or a kernel session keyring (`keyctl session`), so
//! they are ignored by plain `cargo test`; `scripts/test.sh` runs them in those environments.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

use speasy_core::secrets::{ExposeSecret, KeyringStore, SecretName, SecretStore, SecretString};

fn exercise(store: &dyn SecretStore) {
    let name = SecretName::new(&format!("test.{}", uuid_like())).unwrap();
    assert!(!store.exists(&name).unwrap());
    store.set(&name, &SecretString::from("sk-first")).unwrap();
    assert!(store.exists(&name).unwrap());
    store.set(&name, &SecretString::from("sk-second")).unwrap();
    assert_eq!(store.get(&name).unwrap().unwrap().expose_secret(), "sk-second");
    store.delete(&name).unwrap();
    assert!(!store.exists(&name).unwrap());
    store.delete(&name).unwrap(); // idempotent
}

fn uuid_like() -> String {
    format!(
        "{}",
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
    )
}

#[test]
#[ignore = "needs a Secret Service: scripts/test.sh runs it under gnome-keyring"]
fn secret_service_round_trip() {
    let store = KeyringStore::detect("app.speasy.test");
    assert_eq!(
        store.which(),
        speasy_core::secrets::keyring_backend::Backend::Platform,
        "{}",
        store.backend()
    );
    exercise(&store);
    // A second store object (another process would be the same) sees what the first wrote.
    let name = SecretName::new("test.persist").unwrap();
    store.set(&name, &SecretString::from("persisted")).unwrap();
    let again = KeyringStore::detect("app.speasy.test");
    assert_eq!(again.get(&name).unwrap().unwrap().expose_secret(), "persisted");
    again.delete(&name).unwrap();
}

#[cfg(target_os = "linux")]
#[test]
#[ignore = "needs a kernel session keyring: scripts/test.sh runs it under `keyctl session`"]
fn keyutils_fallback_when_no_secret_service() {
    // No D-Bus session here: detection must fall back to keyutils, and it must work.
    let store = KeyringStore::detect("app.speasy.test");
    assert_eq!(
        store.which(),
        speasy_core::secrets::keyring_backend::Backend::Keyutils,
        "{}",
        store.backend()
    );
    assert!(store.backend().contains("kernel keyring"));
    exercise(&store);
}
