//! API keys and tokens, kept in the OS keychain — never in the database, a settings file, a log
//! or anything sent to the UI. Front ends can set, delete and ask whether a secret exists;
//! only the core reads one back (to call a provider), as a [`SecretString`] that does not print.
//!
//! [`KeyringStore`] uses the platform keychain: macOS Keychain, Windows Credential Manager, and
//! on Linux the Secret Service (GNOME Keyring, KWallet) with the kernel keyutils keyring as the
//! fallback when no Secret Service runs (keyutils keeps keys only until logout or reboot, and
//! [`SecretStore::backend`] says so). [`MemoryStore`] is for unit tests.

pub mod keyring_backend;

use std::collections::HashMap;
use std::sync::Mutex;

pub use keyring_backend::KeyringStore;
pub use secrecy::{ExposeSecret, SecretString};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::SecretError;

/// The name of a secret, e.g. `provider.openai`. Lowercase ASCII letters, digits and `._-:`,
/// 1–64 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SecretName(String);

impl SecretName {
    pub fn new(name: &str) -> Result<Self, SecretError> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name
                .bytes()
                .all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' | b':'));
        if ok { Ok(Self(name.to_owned())) } else { Err(SecretError::InvalidName(name.to_owned())) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Somewhere to keep secrets.
pub trait SecretStore: Send + Sync {
    /// A short human description of where secrets go (shown in settings).
    fn backend(&self) -> String;
    fn set(&self, name: &SecretName, value: &SecretString) -> Result<(), SecretError>;
    /// For the core's own use only: never forward the value to a front end.
    fn get(&self, name: &SecretName) -> Result<Option<SecretString>, SecretError>;
    /// Remove a secret; removing one that is not there is not an error.
    fn delete(&self, name: &SecretName) -> Result<(), SecretError>;
    fn exists(&self, name: &SecretName) -> Result<bool, SecretError> {
        Ok(self.get(name)?.is_some())
    }
}

/// Reject values no keychain should hold.
pub(crate) fn check_value(value: &SecretString) -> Result<(), SecretError> {
    if value.expose_secret().trim().is_empty() { Err(SecretError::EmptyValue) } else { Ok(()) }
}

/// Secrets in memory, for unit tests of code that needs a [`SecretStore`].
#[derive(Default)]
pub struct MemoryStore {
    map: Mutex<HashMap<String, SecretString>>,
}

impl SecretStore for MemoryStore {
    fn backend(&self) -> String {
        "memory (tests only)".into()
    }
    fn set(&self, name: &SecretName, value: &SecretString) -> Result<(), SecretError> {
        check_value(value)?;
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.insert(name.0.clone(), value.clone());
        Ok(())
    }
    fn get(&self, name: &SecretName) -> Result<Option<SecretString>, SecretError> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        Ok(map.get(&name.0).cloned())
    }
    fn delete(&self, name: &SecretName) -> Result<(), SecretError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.remove(&name.0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_validated() {
        assert!(SecretName::new("provider.openai").is_ok());
        assert!(SecretName::new("supabase:refresh_token").is_ok());
        for bad in ["", "Provider", "a b", "x/y", &"a".repeat(65)] {
            assert!(SecretName::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn memory_store_round_trip_and_values_never_print() {
        let s = MemoryStore::default();
        let n = SecretName::new("provider.openai").unwrap();
        assert!(!s.exists(&n).unwrap());
        s.set(&n, &SecretString::from("sk-test-123")).unwrap();
        assert!(s.exists(&n).unwrap());
        let v = s.get(&n).unwrap().unwrap();
        assert_eq!(v.expose_secret(), "sk-test-123");
        assert!(!format!("{v:?}").contains("sk-test"));
        s.delete(&n).unwrap();
        s.delete(&n).unwrap();
        assert!(!s.exists(&n).unwrap());
        assert!(matches!(s.set(&n, &SecretString::from("  ")), Err(SecretError::EmptyValue)));
    }
}

/// A secret arriving in a request (an API key, a token) on its way to the keychain: its
/// `Debug` never shows it, so a logged request cannot leak it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(type = "string")]
pub struct Incoming(String);

impl Incoming {
    /// The value, to hand to the keychain.
    pub fn into_inner(self) -> String {
        self.0
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Incoming {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Incoming(<redacted>)")
    }
}

impl From<&str> for Incoming {
    fn from(s: &str) -> Self {
        Self(s.to_owned())
    }
}
