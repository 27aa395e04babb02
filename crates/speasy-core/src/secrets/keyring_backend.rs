//! The OS keychain through the `keyring` crate, with each platform's store chosen explicitly.

use std::sync::OnceLock;

use keyring::{Entry, Error as KErr};

use super::{SecretName, SecretStore, SecretString, check_value};
use crate::error::SecretError;
use secrecy::ExposeSecret;

/// Which platform store entries go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// macOS Keychain, Windows Credential Manager, or the Secret Service elsewhere.
    Platform,
    /// Linux kernel keyutils (session keyring): the fallback when no Secret Service runs.
    #[cfg(target_os = "linux")]
    Keyutils,
}

/// Secrets in the OS keychain under one service name. Which store answers is decided on first
/// use, not at construction, so starting the app costs no D-Bus round trip.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
    backend: OnceLock<Backend>,
}

fn map_err(e: KErr) -> SecretError {
    match e {
        KErr::NoStorageAccess(inner) => SecretError::Denied(inner.to_string()),
        KErr::PlatformFailure(inner) => SecretError::Unavailable(inner.to_string()),
        other => SecretError::Other(other.to_string()),
    }
}

impl KeyringStore {
    /// Use the platform keychain, falling back (on Linux) to keyutils when no Secret Service
    /// answers on D-Bus. The probe runs on first use.
    pub fn detect(service: &str) -> Self {
        Self { service: service.to_owned(), backend: OnceLock::new() }
    }

    /// Use a given backend.
    pub fn with_backend(service: &str, backend: Backend) -> Self {
        Self { service: service.to_owned(), backend: OnceLock::from(backend) }
    }

    /// The store in use (probing for it the first time).
    pub fn which(&self) -> Backend {
        *self.backend.get_or_init(|| self.probe())
    }

    #[cfg(target_os = "linux")]
    fn probe(&self) -> Backend {
        let name = SecretName(String::from("speasy.probe"));
        let answer = self.entry_in(Backend::Platform, &name).and_then(|e| match e.get_password() {
            Ok(_) | Err(KErr::NoEntry) => Ok(()),
            Err(other) => Err(other),
        });
        match answer {
            Ok(()) => Backend::Platform,
            Err(e) => {
                tracing::warn!(error = %e, "no Secret Service: keeping secrets in the kernel keyring for this session");
                Backend::Keyutils
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn probe(&self) -> Backend {
        Backend::Platform
    }

    fn entry(&self, name: &SecretName) -> Result<Entry, KErr> {
        self.entry_in(self.which(), name)
    }

    fn entry_in(&self, backend: Backend, name: &SecretName) -> Result<Entry, KErr> {
        match backend {
            #[cfg(target_os = "linux")]
            Backend::Platform => {
                let cred = keyring::secret_service::SsCredential::new_with_target(
                    None,
                    &self.service,
                    name.as_str(),
                )?;
                Ok(Entry::new_with_credential(Box::new(cred)))
            }
            #[cfg(target_os = "linux")]
            Backend::Keyutils => {
                let cred = keyring::keyutils::KeyutilsCredential::new_with_target(
                    None,
                    &self.service,
                    name.as_str(),
                )?;
                Ok(Entry::new_with_credential(Box::new(cred)))
            }
            #[cfg(not(target_os = "linux"))]
            Backend::Platform => Entry::new(&self.service, name.as_str()),
        }
    }
}

impl SecretStore for KeyringStore {
    fn backend(&self) -> String {
        match self.which() {
            #[cfg(target_os = "linux")]
            Backend::Platform => "Secret Service (GNOME Keyring / KWallet)".into(),
            #[cfg(target_os = "linux")]
            Backend::Keyutils => "kernel keyring (until logout: no Secret Service found)".into(),
            #[cfg(target_os = "macos")]
            Backend::Platform => "macOS Keychain".into(),
            #[cfg(target_os = "windows")]
            Backend::Platform => "Windows Credential Manager".into(),
            #[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
            Backend::Platform => "Secret Service".into(),
        }
    }

    fn set(&self, name: &SecretName, value: &SecretString) -> Result<(), SecretError> {
        check_value(value)?;
        self.entry(name).and_then(|e| e.set_password(value.expose_secret())).map_err(map_err)
    }

    fn get(&self, name: &SecretName) -> Result<Option<SecretString>, SecretError> {
        match self.entry(name).and_then(|e| e.get_password()) {
            Ok(v) => Ok(Some(SecretString::from(v))),
            Err(KErr::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    fn delete(&self, name: &SecretName) -> Result<(), SecretError> {
        match self.entry(name).and_then(|e| e.delete_credential()) {
            Ok(()) | Err(KErr::NoEntry) => Ok(()),
            Err(e) => Err(map_err(e)),
        }
    }
}
