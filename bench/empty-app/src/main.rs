//! Benchmark baseline (bench/desktop.sh): an empty Tauri window whose page reports its first
//! paint the way Speasy's UI does, through a `ui_painted` command. Nothing else.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::time::Instant;

/// When the process started.
struct Started(Instant);

/// The page has painted: with `SPEASY_STARTUP_PROBE` set, print `speasy-painted <ms>` on stdout,
/// exactly as the app does.
#[tauri::command]
fn ui_painted(started: tauri::State<'_, Started>) {
    let ms = started.0.elapsed().as_secs_f64() * 1000.0;
    if std::env::var_os("SPEASY_STARTUP_PROBE").is_some() {
        println!("speasy-painted {ms:.1}");
    }
}

fn main() {
    let started = Instant::now();
    if let Err(e) = tauri::Builder::default()
        .manage(Started(started))
        .invoke_handler(tauri::generate_handler![ui_painted])
        .run(tauri::generate_context!())
    {
        eprintln!("speasy-bench-empty: {e}");
        std::process::exit(1);
    }
}
