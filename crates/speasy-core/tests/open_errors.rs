//! Bad files and bad places: every failure names the path, and nothing is ever wiped.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use std::fs;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;

use common::*;
use speasy_core::store::{DB_FILE, Store, move_aside};
use speasy_core::{Core, CoreConfig, ErrorKind, StoreError, StoreStatus};

fn core_in(dir: &Path) -> Core {
    Core::start(CoreConfig {
        data_dir: Some(dir.to_owned()),
        secrets: Some(std::sync::Arc::new(speasy_core::secrets::MemoryStore::default())),
        ..CoreConfig::default()
    })
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_then_moved_aside_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    fs::write(&db, "these are my notes, not a database\n").unwrap();

    let err = Store::open(&db).unwrap_err();
    assert!(matches!(err, StoreError::NotADatabase { .. }), "{err:?}");
    assert!(err.to_string().contains(&db.display().to_string()), "{err}");
    assert!(err.can_move_aside());
    assert_eq!(
        fs::read_to_string(&db).unwrap(),
        "these are my notes, not a database\n",
        "untouched"
    );

    // Through the core: the app still starts, reports the failure, and recovers on request.
    let core = core_in(dir.path());
    match core.store_status() {
        StoreStatus::Failed { error, can_move_aside } => {
            assert_eq!(error.kind, ErrorKind::StoreNotADatabase);
            assert!(error.message.contains(&db.display().to_string()));
            assert!(can_move_aside);
        }
        StoreStatus::Ready => panic!("opened a text file as a database"),
    }
    assert_eq!(core.settings().unwrap_err().kind, ErrorKind::StoreUnavailable);
    assert_eq!(core.store_move_aside().unwrap(), StoreStatus::Ready);
    assert!(core.settings().is_ok());
    let kept: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".unreadable-"))
        .collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(fs::read_to_string(&kept[0]).unwrap(), "these are my notes, not a database\n");
}

#[test]
fn a_damaged_database_is_reported_as_corrupt_with_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    {
        let s = Store::open(&db).unwrap();
        let t = thread(&s, Some("x"), 1);
        s.add_thread_item(&t.id, &user(&s, &t.id, "hello")).unwrap();
        s.read(|c| Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?)).unwrap();
    }
    // Keep SQLite's header, scribble over the rest of page 1 (the schema).
    let mut f = fs::OpenOptions::new().write(true).open(&db).unwrap();
    f.seek(SeekFrom::Start(100)).unwrap();
    f.write_all(&[0xA5; 3000]).unwrap();
    drop(f);
    let before = fs::read(&db).unwrap();
    let err = Store::open(&db).unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    assert!(err.to_string().contains(&db.display().to_string()));
    assert_eq!(fs::read(&db).unwrap(), before, "a damaged file is never rewritten");
    let moved = move_aside(&db).unwrap();
    assert_eq!(fs::read(&moved).unwrap(), before);
    assert!(Store::open(&db).is_ok());
}

#[test]
fn damage_found_later_surfaces_as_corrupt_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    {
        let s = Store::open(&db).unwrap();
        let t = thread(&s, Some("x"), 1);
        let items: Vec<_> = (0..400)
            .map(|i| user(&s, &t.id, &format!("message number {i} {}", "pad ".repeat(40))))
            .collect();
        s.add_thread_items(&t.id, &items).unwrap();
        s.read(|c| Ok(c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?)).unwrap();
    }
    let len = fs::metadata(&db).unwrap().len();
    let mut f = fs::OpenOptions::new().write(true).open(&db).unwrap();
    for page in (8..len / 4096).step_by(2) {
        f.seek(SeekFrom::Start(page * 4096)).unwrap();
        f.write_all(&[0x5A; 4096]).unwrap();
    }
    drop(f);
    match Store::open(&db) {
        Err(e) => assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}"),
        Ok(s) => {
            let e = s.integrity_check().unwrap_err();
            assert!(matches!(e, StoreError::Corrupt { .. }), "{e:?}");
            assert!(e.to_string().contains(&db.display().to_string()));
        }
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(DB_FILE);
    drop(Store::open(&db).unwrap());
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    let err = Store::open(&db).unwrap_err();
    match &err {
        StoreError::NewerSchema { found, supported, .. } => {
            assert_eq!(*found, 999);
            assert_eq!(*supported, speasy_core::store::latest_version());
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("newer version"));
    assert!(!err.can_move_aside(), "a newer schema is valid data: never offer to move it aside");
    let core = core_in(dir.path());
    assert!(core.store_move_aside().is_err());
    assert!(db.exists());
}

#[test]
fn a_full_disk_is_a_clear_error_and_the_store_keeps_working_after() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1);
    let pages: i64 = s.read(|c| Ok(c.query_row("PRAGMA page_count", [], |r| r.get(0))?)).unwrap();
    s.read(|c| Ok(c.pragma_update(None, "max_page_count", pages + 4)?)).unwrap();
    let big = "lorem ipsum ".repeat(2_000);
    let mut failure = None;
    for _ in 0..100 {
        if let Err(e) = s.add_thread_item(&t.id, &user(&s, &t.id, &big)) {
            failure = Some(e);
            break;
        }
    }
    let e = failure.expect("the size limit was never hit");
    assert!(matches!(e, StoreError::DiskFull { .. }), "{e:?}");
    assert!(e.to_string().contains("full"));
    // Nothing half-written; smaller writes and reads still work once there is room.
    s.read(|c| Ok(c.pragma_update(None, "max_page_count", 1_000_000)?)).unwrap();
    s.add_thread_item(&t.id, &user(&s, &t.id, "fits now")).unwrap();
    assert_eq!(s.search("fits", 5).unwrap().len(), 1);
}

/// Real read-only and full filesystems need a tmpfs mount, so root on Linux: the test command
/// runs these as root in CI. Elsewhere they say why they did not run.
#[cfg(target_os = "linux")]
mod mounted {
    use super::*;
    use std::process::Command;

    struct Mount(tempfile::TempDir);
    impl Mount {
        fn tmpfs(opts: &str) -> Option<Self> {
            let dir = tempfile::tempdir().ok()?;
            let ok = Command::new("mount")
                .args(["-t", "tmpfs", "-o", opts, "tmpfs"])
                .arg(dir.path())
                .output()
                .map(|o| o.status.success())
                .unwrap_or(false);
            if ok {
                Some(Self(dir))
            } else {
                eprintln!("skipped: cannot mount tmpfs here (needs root on Linux)");
                None
            }
        }
        fn remount(&self, opts: &str) {
            let st = Command::new("mount")
                .args(["-o", &format!("remount,{opts}")])
                .arg(self.0.path())
                .status()
                .unwrap();
            assert!(st.success());
        }
    }
    impl Drop for Mount {
        fn drop(&mut self) {
            let _ = Command::new("umount").arg(self.0.path()).status();
        }
    }

    #[test]
    fn read_only_folder_and_file_are_named_clearly() {
        let Some(m) = Mount::tmpfs("size=8m") else { return };
        let data = m.0.path().join("speasy");
        let db = data.join(DB_FILE);
        {
            let s = Store::open_in(&data).unwrap();
            let t = thread(&s, Some("kept"), 1);
            s.add_thread_item(&t.id, &user(&s, &t.id, "still here")).unwrap();
        }
        m.remount("ro");
        let err = Store::open_in(&data).unwrap_err();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
        assert!(err.to_string().contains("read-only"), "{err}");
        assert!(err.to_string().contains(&db.display().to_string()));
        let fresh = m.0.path().join("never-created");
        let err = Store::open_in(&fresh).unwrap_err();
        assert!(matches!(err, StoreError::ReadOnly { .. }), "{err:?}");
        m.remount("rw");
        let s = Store::open_in(&data).unwrap();
        assert_eq!(s.search("still", 5).unwrap().len(), 1, "nothing was lost");
    }

    #[test]
    fn a_really_full_disk_gives_disk_full() {
        let Some(m) = Mount::tmpfs("size=512k") else { return };
        let s = Store::open_in(m.0.path()).unwrap();
        let t = thread(&s, None, 1);
        let big = "full disk test ".repeat(4_000);
        let mut failure = None;
        for _ in 0..200 {
            if let Err(e) = s.add_thread_item(&t.id, &user(&s, &t.id, &big)) {
                failure = Some(e);
                break;
            }
        }
        let e = failure.expect("a 512 KiB disk never filled");
        assert!(matches!(e, StoreError::DiskFull { .. }), "{e:?}");
        assert!(s.load_threads(5, None, speasy_core::chatkit::Order::Desc).is_ok());
    }
}
