//! Benchmark baseline (bench/desktop.sh): an empty Tauri window whose page reports its first
//! paint the way Speasy's UI does, through a `ui_painted` command, with the same start-up
//! milestones (window created, page load, the page's own marks). Nothing else.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::sync::Mutex;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use tauri::Manager;

/// When the process started (also on the wall clock, which the page's marks use), and the
/// milestones passed so far.
struct Started {
    at: Instant,
    epoch_ms: f64,
    marks: Mutex<Vec<(String, f64)>>,
}

impl Started {
    fn mark(&self, name: &str) {
        let ms = self.at.elapsed().as_secs_f64() * 1000.0;
        if let Ok(mut marks) = self.marks.lock() {
            marks.push((name.to_owned(), ms));
        }
    }
}

/// The page has painted: with `SPEASY_STARTUP_PROBE` set, print the milestones as
/// `speasy-mark <ms> <name>` and then `speasy-painted <ms>` on stdout, exactly as the app does.
#[tauri::command]
fn ui_painted(started: tauri::State<'_, Started>, marks: Option<Vec<(String, f64)>>) {
    let ms = started.at.elapsed().as_secs_f64() * 1000.0;
    if std::env::var_os("SPEASY_STARTUP_PROBE").is_some() {
        let mut all = started.marks.lock().map(|m| m.clone()).unwrap_or_default();
        all.extend(
            marks
                .unwrap_or_default()
                .into_iter()
                .map(|(n, t)| (format!("ui: {n}"), t - started.epoch_ms)),
        );
        all.sort_by(|a, b| a.1.total_cmp(&b.1));
        for (name, t) in all {
            println!("speasy-mark {t:.1} {name}");
        }
        println!("speasy-painted {ms:.1}");
    }
}

fn main() {
    let epoch_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or_default();
    let started = Started { at: Instant::now(), epoch_ms, marks: Mutex::default() };
    if let Err(e) = tauri::Builder::default()
        .manage(started)
        .on_page_load(|webview, payload| {
            webview.state::<Started>().mark(match payload.event() {
                tauri::webview::PageLoadEvent::Started => "page load started",
                tauri::webview::PageLoadEvent::Finished => "page loaded",
            });
        })
        .setup(|app| {
            app.state::<Started>().mark("window created");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![ui_painted])
        .run(tauri::generate_context!())
    {
        eprintln!("speasy-bench-empty: {e}");
        std::process::exit(1);
    }
}
