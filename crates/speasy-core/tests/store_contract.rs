//! The ChatKit Store contract (chatkit-protocol.md §5) against a real SQLite file.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use serde_json::json;
use speasy_core::StoreError;
use speasy_core::chatkit::{Attachment, AttachmentKind, Order, ThreadStatus};
use speasy_core::store::{ItemQuery, Store};

fn ids<T>(page: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    page.iter().map(|x| id(x).to_owned()).collect()
}

#[test]
fn items_page_both_ways_with_after_cursor_and_has_more() {
    let (_d, s) = open_temp();
    let t = thread(&s, Some("paging"), 1_000);
    let items: Vec<_> = (0..7).map(|i| user(&s, &t.id, &format!("message {i}"))).collect();
    for it in &items {
        s.add_thread_item(&t.id, it).unwrap();
    }
    let all: Vec<String> = items.iter().map(|i| i.id.clone()).collect();

    // Ascending, pages of 3: 3 + 3 + 1.
    let q =
        |after: Option<String>, order| ItemQuery { after, limit: 3, order, include_hidden: false };
    let p1 = s.load_thread_items(&t.id, &q(None, Order::Asc)).unwrap();
    assert_eq!(ids(&p1.data, |i| &i.id), all[0..3]);
    assert!(p1.has_more);
    assert_eq!(p1.after.as_deref(), Some(all[2].as_str()));
    let p2 = s.load_thread_items(&t.id, &q(p1.after.clone(), Order::Asc)).unwrap();
    assert_eq!(ids(&p2.data, |i| &i.id), all[3..6]);
    assert!(p2.has_more);
    let p3 = s.load_thread_items(&t.id, &q(p2.after.clone(), Order::Asc)).unwrap();
    assert_eq!(ids(&p3.data, |i| &i.id), all[6..7]);
    assert!(!p3.has_more);
    assert_eq!(p3.after, None, "no cursor on the last page");

    // Descending: newest first, strictly before the cursor.
    let d1 = s.load_thread_items(&t.id, &q(None, Order::Desc)).unwrap();
    assert_eq!(ids(&d1.data, |i| &i.id), vec![all[6].clone(), all[5].clone(), all[4].clone()]);
    let d2 = s.load_thread_items(&t.id, &q(d1.after.clone(), Order::Desc)).unwrap();
    assert_eq!(ids(&d2.data, |i| &i.id), vec![all[3].clone(), all[2].clone(), all[1].clone()]);

    // Exactly `limit` rows left: has_more is false.
    let exact = ItemQuery {
        after: Some(all[3].clone()),
        limit: 3,
        order: Order::Asc,
        include_hidden: false,
    };
    let p = s.load_thread_items(&t.id, &exact).unwrap();
    assert_eq!(p.data.len(), 3);
    assert!(!p.has_more);
}

#[test]
fn items_that_share_a_timestamp_keep_insertion_order() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let same = json!("2026-01-01T00:00:00.000Z");
    let items: Vec<_> = (0..25)
        .map(|i| {
            item(
                &s,
                &t.id,
                json!({"type": "user_message", "created_at": same,
                "content": [{"type": "input_text", "text": format!("m{i}")}],
                "attachments": [], "inference_options": {}}),
            )
        })
        .collect();
    s.add_thread_items(&t.id, &items).unwrap();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let p = s
            .load_thread_items(
                &t.id,
                &ItemQuery { after, limit: 4, order: Order::Asc, include_hidden: false },
            )
            .unwrap();
        seen.extend(p.data.into_iter().map(|i| i.id));
        if !p.has_more {
            break;
        }
        after = p.after;
    }
    assert_eq!(seen, items.iter().map(|i| i.id.clone()).collect::<Vec<_>>());
}

#[test]
fn hidden_items_are_stored_but_filtered_unless_asked_for() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let u = user(&s, &t.id, "hello");
    let h = item(&s, &t.id, json!({"type": "sdk_hidden_context", "content": "user cancelled"}));
    let a = assistant(&s, &t.id, "hi");
    s.add_thread_items(&t.id, &[u.clone(), h.clone(), a.clone()]).unwrap();
    let visible = s.load_thread_items(&t.id, &ItemQuery::default()).unwrap();
    assert_eq!(ids(&visible.data, |i| &i.id), vec![u.id.clone(), a.id.clone()]);
    let all = s
        .load_thread_items(&t.id, &ItemQuery { include_hidden: true, ..Default::default() })
        .unwrap();
    assert_eq!(ids(&all.data, |i| &i.id), vec![u.id, h.id.clone(), a.id]);
    assert_eq!(s.load_item(&t.id, &h.id).unwrap(), h);
}

#[test]
fn every_item_type_round_trips_losslessly() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let bodies = [
        json!({"type": "user_message", "content": [{"type": "input_text", "text": "a"},
            {"type": "input_tag", "id": "x", "text": "@x", "data": {"k": [1, 2]}, "interactive": true}],
            "attachments": [], "quoted_text": "q", "inference_options": {"model": "gpt-4o", "tool_choice": {"id": "t"}}}),
        json!({"type": "assistant_message", "content": [{"type": "output_text", "text": "b",
            "annotations": [{"type": "annotation", "source": {"type": "url", "url": "https://e.x", "title": "E"}, "index": 1}]}]}),
        json!({"type": "client_tool_call", "status": "pending", "call_id": "c1", "name": "n", "arguments": {"a": 1}}),
        json!({"type": "widget", "widget": {"type": "ListView", "children": []}, "copy_text": "w"}),
        json!({"type": "generated_image", "image": {"id": "i", "url": "data:image/png;base64,AA=="}}),
        json!({"type": "structured_input", "status": "pending", "inputs": [{"type": "freeform", "id": "f", "question": "?"}]}),
        json!({"type": "workflow", "workflow": {"type": "reasoning", "tasks": [{"type": "thought", "content": "hm", "status_indicator": "complete"}], "expanded": false, "summary": {"duration": 3}}}),
        json!({"type": "task", "task": {"type": "custom", "title": "t", "status_indicator": "none"}}),
        json!({"type": "end_of_turn"}),
        json!({"type": "hidden_context_item", "content": {"any": ["json", null, 1.5]}}),
        json!({"type": "some_future_type", "novel": {"deep": [true]}}),
    ];
    for body in bodies {
        let it = item(&s, &t.id, body);
        s.add_thread_item(&t.id, &it).unwrap();
        assert_eq!(s.load_item(&t.id, &it.id).unwrap(), it);
    }
}

#[test]
fn save_item_replaces_in_place_and_add_refuses_duplicates() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let a = user(&s, &t.id, "first");
    let b = widget(&s, &t.id, "Save this fact?");
    let c = assistant(&s, &t.id, "last");
    s.add_thread_items(&t.id, &[a.clone(), b.clone(), c.clone()]).unwrap();
    let mut b2 = b.clone();
    b2.fields.insert("copy_text".into(), json!("Saved"));
    s.save_item(&t.id, &b2).unwrap();
    let page = s.load_thread_items(&t.id, &ItemQuery::default()).unwrap();
    assert_eq!(page.data, vec![a.clone(), b2, c]);
    let err = s.add_thread_item(&t.id, &a).unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
    // save_item also inserts new items.
    let d = assistant(&s, &t.id, "new");
    s.save_item(&t.id, &d).unwrap();
    assert_eq!(s.load_item(&t.id, &d.id).unwrap(), d);
}

#[test]
fn items_must_name_their_thread() {
    let (_d, s) = open_temp();
    let t1 = thread(&s, None, 1_000);
    let t2 = thread(&s, None, 2_000);
    let it = user(&s, &t1.id, "x");
    assert!(matches!(s.add_thread_item(&t2.id, &it), Err(StoreError::Invalid(_))));
    assert!(matches!(s.add_thread_item("nope", &it), Err(StoreError::NotFound { .. })));
}

#[test]
fn delete_item_and_thread_are_tombstones_that_hide_everything() {
    let (_d, s) = open_temp();
    let t = thread(&s, Some("secret plans"), 1_000);
    let a = user(&s, &t.id, "alpha bravo");
    let b = assistant(&s, &t.id, "charlie delta");
    s.add_thread_items(&t.id, &[a.clone(), b.clone()]).unwrap();
    s.delete_thread_item(&t.id, &a.id).unwrap();
    assert!(matches!(s.load_item(&t.id, &a.id), Err(StoreError::NotFound { .. })));
    assert!(s.search("alpha", 10).unwrap().is_empty());
    assert_eq!(s.search("charlie", 10).unwrap().len(), 1);
    assert!(matches!(s.delete_thread_item(&t.id, &a.id), Err(StoreError::NotFound { .. })));

    s.delete_thread(&t.id).unwrap();
    assert!(matches!(s.load_thread(&t.id), Err(StoreError::NotFound { .. })));
    assert!(s.load_threads(10, None, Order::Desc).unwrap().data.is_empty());
    assert!(s.search("charlie", 10).unwrap().is_empty());
    assert!(matches!(
        s.add_thread_item(&t.id, &user(&s, &t.id, "late")),
        Err(StoreError::NotFound { .. })
    ));
    // The content is gone from the file, not just hidden.
    let leftovers: i64 = s
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM thread_items WHERE data LIKE '%charlie%' OR data LIKE '%alpha%'",
                [],
                |r| r.get(0),
            )?)
        })
        .unwrap();
    assert_eq!(leftovers, 0);
}

#[test]
fn threads_page_by_creation_time_and_update_in_place() {
    let (_d, s) = open_temp();
    let made: Vec<_> = (0..5).map(|i| thread(&s, Some(&format!("t{i}")), 1_000 + i)).collect();
    let p1 = s.load_threads(2, None, Order::Desc).unwrap();
    assert_eq!(ids(&p1.data, |t| &t.id), vec![made[4].id.clone(), made[3].id.clone()]);
    assert!(p1.has_more);
    let p2 = s.load_threads(2, p1.after.as_deref(), Order::Desc).unwrap();
    assert_eq!(ids(&p2.data, |t| &t.id), vec![made[2].id.clone(), made[1].id.clone()]);
    let p3 = s.load_threads(2, p2.after.as_deref(), Order::Desc).unwrap();
    assert_eq!(ids(&p3.data, |t| &t.id), vec![made[0].id.clone()]);
    assert!(!p3.has_more);
    let asc = s.load_threads(10, None, Order::Asc).unwrap();
    assert_eq!(asc.data.first().unwrap().id, made[0].id);

    let mut t = made[0].clone();
    t.title = Some("Renamed".into());
    t.status = ThreadStatus::Locked { reason: Some("read only".into()) };
    t.metadata.insert("k".into(), json!("v"));
    s.save_thread(&t).unwrap();
    assert_eq!(s.load_thread(&t.id).unwrap(), t);
    assert!(matches!(
        s.load_threads(2, Some("missing"), Order::Desc),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn title_edits_are_stamped_with_a_newer_clock() {
    let (_d, s) = open_temp();
    let mut t = thread(&s, Some("one"), 1_000);
    let hlc = |s: &Store| -> String {
        s.read(|c| Ok(c.query_row("SELECT title_hlc FROM threads", [], |r| r.get(0))?)).unwrap()
    };
    let before = hlc(&s);
    t.title = Some("two".into());
    s.save_thread(&t).unwrap();
    let after = hlc(&s);
    assert!(after > before, "{after} should sort after {before}");
    // Saving the same title again does not restamp (no spurious sync traffic).
    s.save_thread(&t).unwrap();
    assert_eq!(hlc(&s), after);
}

#[test]
fn persona_status_and_metadata_changes_are_stamped_together() {
    let (_d, s) = open_temp();
    let mut t = thread(&s, Some("one"), 1_000);
    let stamps = |s: &Store| -> (String, String) {
        s.read(|c| {
            Ok(c.query_row("SELECT title_hlc, meta_hlc FROM threads", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?)
        })
        .unwrap()
    };
    let (title0, meta0) = stamps(&s);
    assert_eq!(meta0, title0, "stamped at creation");
    t.metadata.insert("speak".into(), json!(true));
    s.save_thread(&t).unwrap();
    let (_, meta1) = stamps(&s);
    assert!(meta1 > meta0, "{meta1} should sort after {meta0}");
    s.save_thread(&t).unwrap();
    assert_eq!(stamps(&s).1, meta1, "saving the same metadata again does not restamp");
    let persona = s.list_personas().unwrap().remove(0);
    s.set_thread_persona(&t.id, &persona.id).unwrap();
    let (_, meta2) = stamps(&s);
    assert!(meta2 > meta1);
    s.set_thread_persona(&t.id, &persona.id).unwrap();
    assert_eq!(stamps(&s).1, meta2, "the same persona again does not restamp");
}

#[test]
fn attachments_keep_server_metadata_private() {
    let (_d, s) = open_temp();
    let mut att = Attachment {
        id: "atc_1".into(),
        kind: AttachmentKind::Image,
        name: "cat.png".into(),
        mime_type: "image/png".into(),
        thread_id: None,
        preview_url: Some("data:image/png;base64,AA==".into()),
        upload_descriptor: None,
        size: Some(4),
        metadata: serde_json::from_value(json!({"path": "/private/cat.png"})).unwrap(),
    };
    s.save_attachment(&att).unwrap();
    let loaded = s.load_attachment("atc_1").unwrap();
    assert_eq!(loaded, att);
    let wire = serde_json::to_value(&loaded).unwrap();
    assert!(wire.get("metadata").is_none() && wire.get("size").is_none(), "{wire}");
    let t = thread(&s, None, 1);
    att.thread_id = Some(t.id.clone());
    s.save_attachment(&att).unwrap();
    assert_eq!(s.load_attachment("atc_1").unwrap().thread_id, Some(t.id));
    s.delete_attachment("atc_1").unwrap();
    assert!(matches!(s.load_attachment("atc_1"), Err(StoreError::NotFound { .. })));
}

#[test]
fn data_survives_reopening_and_clock_keeps_moving_forward() {
    let dir = tempfile::tempdir().unwrap();
    let (tid, first_hlc) = {
        let s = Store::open_in(dir.path()).unwrap();
        let t = thread(&s, Some("kept"), 5);
        s.add_thread_item(&t.id, &user(&s, &t.id, "persisted words")).unwrap();
        let h: String = s
            .read(|c| Ok(c.query_row("SELECT max(ord) FROM thread_items", [], |r| r.get(0))?))
            .unwrap();
        (t.id, h)
    };
    let s = Store::open_in(dir.path()).unwrap();
    assert_eq!(s.load_thread(&tid).unwrap().title.as_deref(), Some("kept"));
    assert_eq!(s.search("persisted", 5).unwrap().len(), 1);
    s.add_thread_item(&tid, &user(&s, &tid, "more")).unwrap();
    let h: String = s
        .read(|c| Ok(c.query_row("SELECT max(ord) FROM thread_items", [], |r| r.get(0))?))
        .unwrap();
    assert!(h > first_hlc);
}

#[test]
fn the_log_is_checkpointed_into_the_database_while_it_stays_open() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join(speasy_core::store::DB_FILE);
    let wal = dir.path().join(format!("{}-wal", speasy_core::store::DB_FILE));
    let size = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let s = Store::open_in(dir.path()).unwrap();
    let before = size(&db);
    // ~8 MB of messages, in many commits: well over the 1,000 WAL pages that ask for a
    // checkpoint, which (in WAL mode) is the only thing that writes the database file.
    let t = thread(&s, Some("long"), 1);
    let words = "checkpoint ".repeat(400);
    for i in 0..2_000 {
        s.add_thread_item(&t.id, &user(&s, &t.id, &format!("{i} {words}"))).unwrap();
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while size(&db) < before + 4_000_000 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(
        size(&db) >= before + 4_000_000,
        "the database file grew from {before} to {} bytes only (WAL {} bytes)",
        size(&db),
        size(&wal)
    );
    // Rewound once checkpointed whole: about twice the pages that ask for a checkpoint.
    assert!(size(&wal) < 16_000_000, "the WAL is bounded: {} bytes", size(&wal));
    // Closing stops the checkpointer; the last connection folds the WAL in and removes it.
    drop(s);
    assert!(!wal.exists(), "the WAL is gone once the store is closed");
    let s = Store::open_in(dir.path()).unwrap();
    let n: i64 = s
        .read(|c| Ok(c.query_row("SELECT count(*) FROM thread_items", [], |r| r.get(0))?))
        .unwrap();
    assert_eq!(n, 2_000);
    assert_eq!(s.search("checkpoint", 10).unwrap().len(), 10);
    s.integrity_check().unwrap();
}

/// A wall clock the test moves by hand.
struct ManualClock(std::sync::atomic::AtomicI64);

impl speasy_core::clock::WallClock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[test]
fn sidebar_lists_pinned_first_then_by_last_activity_in_pages() {
    let dir = tempfile::tempdir().unwrap();
    let clock = std::sync::Arc::new(ManualClock(1_000.into()));
    let s = Store::open_with_clock(&dir.path().join("speasy.db"), clock.clone()).unwrap();
    let tick = || clock.0.fetch_add(1_000, std::sync::atomic::Ordering::SeqCst);
    let mut made = Vec::new();
    for i in 0..5 {
        tick();
        made.push(thread(&s, Some(&format!("t{i}")), 1_000 + i).id);
    }
    // t1 gets a new message (most recent activity); t3 is pinned (on top whatever its age).
    tick();
    s.add_thread_item(&made[1], &user(&s, &made[1], "later")).unwrap();
    s.set_thread_pinned(&made[3], true).unwrap();
    tick();
    s.delete_thread(&made[4]).unwrap();

    let title = |p: &speasy_core::chatkit::Page<speasy_core::store::ThreadSummary>| {
        p.data.iter().map(|t| t.title.clone().unwrap()).collect::<Vec<_>>()
    };
    let p1 = s.list_thread_summaries(2, None).unwrap();
    assert_eq!(title(&p1), ["t3", "t1"]);
    assert!(p1.data[0].pinned && !p1.data[1].pinned);
    assert!(p1.data[1].updated_at > p1.data[1].created_at, "activity moves updated_at");
    assert!(p1.has_more);
    let p2 = s.list_thread_summaries(2, p1.after.as_deref()).unwrap();
    assert_eq!(title(&p2), ["t2", "t0"], "deleted threads are left out");
    assert!(!p2.has_more);
    // The cursor is the last row's sort key: deleting (or touching) that row since changes
    // nothing about where the next page starts.
    let recent = s.add_thread_item(&made[1], &user(&s, &made[1], "even later"));
    recent.unwrap();
    assert_eq!(title(&s.list_thread_summaries(2, p1.after.as_deref()).unwrap()), ["t2", "t0"]);
    assert!(s.list_thread_summaries(2, Some("not-a-cursor")).is_err());
    // Pinning does not count as activity: unpinned, t3 falls back to its place.
    s.set_thread_pinned(&made[3], false).unwrap();
    assert_eq!(title(&s.list_thread_summaries(10, None).unwrap()), ["t1", "t3", "t2", "t0"]);
    assert!(matches!(s.set_thread_pinned(&made[4], true), Err(StoreError::NotFound { .. })));
    let one = s.load_thread_summary(&made[1]).unwrap();
    assert_eq!((one.title.as_deref(), one.pinned), (Some("t1"), false));
    assert!(matches!(s.load_thread_summary(&made[4]), Err(StoreError::NotFound { .. })));
}
