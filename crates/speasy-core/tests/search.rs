//! Full-text search: what is indexed, ranking, snippets, and that no input breaks the query.
#![allow(clippy::unwrap_used)] // a failed unwrap is a failed test

mod common;

use common::*;
use serde_json::json;
use speasy_core::store::{FactStatus, HIGHLIGHT_END, HIGHLIGHT_START, NewFact};

#[test]
fn finds_user_assistant_and_widget_text_but_not_hidden_items() {
    let (_d, s) = open_temp();
    let t = thread(&s, Some("Trip planning"), 1_000);
    s.add_thread_items(
        &t.id,
        &[
            user(&s, &t.id, "Which train goes to Lisbon?"),
            assistant(&s, &t.id, "The overnight train leaves from Madrid."),
            widget(&s, &t.id, "Saved fact: prefers window seats"),
            item(&s, &t.id, json!({"type": "sdk_hidden_context", "content": "Lisbon hidden note"})),
        ],
    )
    .unwrap();
    let hit = &s.search("lisbon", 10).unwrap();
    assert_eq!(hit.len(), 1, "{hit:?}");
    assert_eq!(hit[0].thread_title.as_deref(), Some("Trip planning"));
    assert_eq!(hit[0].thread_id, t.id);
    assert_eq!(s.search("madrid", 10).unwrap().len(), 1);
    assert_eq!(s.search("window seats", 10).unwrap().len(), 1);
    assert!(s.search("hidden note", 10).unwrap().is_empty());
}

#[test]
fn snippets_mark_matches_and_stemming_and_prefixes_work() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let it = assistant(&s, &t.id, "She was running quickly through the forest at dawn.");
    s.add_thread_item(&t.id, &it).unwrap();
    let hits = s.search("run", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].item_id, it.id);
    assert!(
        hits[0].snippet.contains(&format!("{HIGHLIGHT_START}running{HIGHLIGHT_END}")),
        "{:?}",
        hits[0].snippet
    );
    // The last word matches as a prefix (search as you type), and diacritics fold.
    assert_eq!(s.search("fore", 10).unwrap().len(), 1);
    let t2 = thread(&s, None, 2_000);
    s.add_thread_item(&t2.id, &user(&s, &t2.id, "Un café à Zürich")).unwrap();
    assert_eq!(s.search("cafe zurich", 10).unwrap().len(), 1);
}

#[test]
fn ranks_by_relevance_then_recency() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let weak =
        assistant(&s, &t.id, "apple pie recipes and many other unrelated words about baking bread");
    let strong = assistant(&s, &t.id, "apple apple apple");
    s.add_thread_items(&t.id, &[weak.clone(), strong.clone()]).unwrap();
    let hits = s.search("apple", 10).unwrap();
    assert_eq!(
        hits.iter().map(|h| h.item_id.clone()).collect::<Vec<_>>(),
        vec![strong.id, weak.id]
    );

    // Equal relevance: newest first.
    let t2 = thread(&s, None, 2_000);
    let older = item(
        &s,
        &t2.id,
        json!({"type": "user_message", "created_at": "2026-01-01T00:00:00Z",
        "content": [{"type": "input_text", "text": "kiwi"}], "attachments": [], "inference_options": {}}),
    );
    let newer = item(
        &s,
        &t2.id,
        json!({"type": "user_message", "created_at": "2026-06-01T00:00:00Z",
        "content": [{"type": "input_text", "text": "kiwi"}], "attachments": [], "inference_options": {}}),
    );
    s.add_thread_items(&t2.id, &[older.clone(), newer.clone()]).unwrap();
    let hits = s.search("kiwi", 10).unwrap();
    assert_eq!(
        hits.iter().map(|h| h.item_id.clone()).collect::<Vec<_>>(),
        vec![newer.id, older.id]
    );
}

#[test]
fn replacing_an_item_reindexes_it() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let mut w = widget(&s, &t.id, "Save fact: likes tea?");
    s.add_thread_item(&t.id, &w).unwrap();
    w.fields.insert("copy_text".into(), json!("Saved fact: likes coffee"));
    s.save_item(&t.id, &w).unwrap();
    assert!(s.search("tea", 10).unwrap().is_empty());
    assert_eq!(s.search("coffee", 10).unwrap().len(), 1);
}

/// The index keeps no copy of the text (migration 0006): removing a row from it needs the exact
/// text it indexed, so every kind of change is followed by FTS5's own consistency check.
#[test]
fn the_index_matches_the_messages_through_every_kind_of_change() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let question = item(
        &s,
        &t.id,
        json!({"type": "user_message", "attachments": [], "inference_options": {},
               "content": [{"type": "input_text", "text": "Which moons have tides?"},
                           {"type": "input_tag", "id": "p", "text": "astronomy", "data": {}}]}),
    );
    let mut answer = assistant(&s, &t.id, "Io has tides raised by Jupiter.");
    let mut card = widget(&s, &t.id, "Save fact: likes tea?");
    s.add_thread_items(&t.id, &[question.clone(), answer.clone(), card.clone()]).unwrap();
    s.integrity_check().unwrap();
    assert_eq!(s.search("astronomy", 10).unwrap().len(), 1, "tags are indexed too");

    // Replaced: the old words leave the index, the new ones enter it.
    answer.fields.insert(
        "content".into(),
        json!([{"type": "output_text", "text": "Europa flexes under Jupiter.", "annotations": []}]),
    );
    s.save_item(&t.id, &answer).unwrap();
    card.fields.insert("copy_text".into(), json!(""));
    s.save_item(&t.id, &card).unwrap();
    s.integrity_check().unwrap();
    assert!(s.search("io", 10).unwrap().is_empty());
    assert!(s.search("tea", 10).unwrap().is_empty());
    let hits = s.search("europa", 10).unwrap();
    assert_eq!(hits.len(), 1);
    assert!(hits[0].snippet.contains(&format!("{HIGHLIGHT_START}Europa{HIGHLIGHT_END}")));

    // Deleted one by one, after a point (retry), and with the whole thread.
    s.delete_thread_item(&t.id, &question.id).unwrap();
    s.integrity_check().unwrap();
    assert!(s.search("moons", 10).unwrap().is_empty());
    let later = assistant(&s, &t.id, "Ganymede is the largest moon.");
    s.add_thread_item(&t.id, &later).unwrap();
    s.delete_items_after(&t.id, &answer.id).unwrap();
    s.integrity_check().unwrap();
    assert!(s.search("ganymede", 10).unwrap().is_empty());
    s.delete_thread(&t.id).unwrap();
    s.integrity_check().unwrap();
    assert!(s.search("europa", 10).unwrap().is_empty());
}

#[test]
fn any_user_input_searches_without_error() {
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    s.add_thread_item(
        &t.id,
        &user(&s, &t.id, "C++ and \"quotes\" AND or NOT near 東京 emoji 🎉 x-ray *star*"),
    )
    .unwrap();
    let inputs = [
        "",
        " ",
        "\"",
        "\"\"",
        "\"unterminated",
        "AND",
        "OR",
        "NOT",
        "a AND",
        "AND b",
        "NEAR(a b)",
        "*",
        "a*",
        "*a",
        "-",
        "-x",
        "x-ray",
        "text:foo",
        "^start",
        "(",
        ")",
        "((a))",
        "a OR",
        "+",
        "c++",
        "'",
        "\\",
        "{a b}",
        "東京",
        "🎉",
        "🎉🎉 x",
        "\u{2}",
        "\u{0}",
        "a\u{3}b",
        "%",
        "_",
        "Ünïcödé",
        "near/3",
        "col:umn:x",
        "a\"b\"c",
    ];
    for q in inputs {
        let r = s.search(q, 10);
        assert!(r.is_ok(), "{q:?} gave {r:?}");
    }
    assert_eq!(s.search("x-ray", 10).unwrap().len(), 1);
    assert_eq!(s.search("AND", 10).unwrap().len(), 1, "AND is a word, not an operator");
    assert_eq!(s.search("東京", 10).unwrap().len(), 1);
    assert_eq!(s.search("\"quotes\"", 10).unwrap().len(), 1);
    assert!(s.search("🎉", 10).unwrap().is_empty());
}

#[test]
fn saved_facts_are_recalled_by_any_matching_word() {
    let (_d, s) = open_temp();
    let tea = s
        .add_fact(&NewFact {
            text: "Prefers green tea in the morning".into(),
            ..Default::default()
        })
        .unwrap();
    let dog = s
        .add_fact(&NewFact { text: "Has a dog called Pixel".into(), ..Default::default() })
        .unwrap();
    assert_eq!(tea.status, FactStatus::Pending);
    assert!(
        s.search_saved_facts("what tea should I drink", 5).unwrap().is_empty(),
        "pending facts are not recalled"
    );
    s.set_fact_status(&tea.id, FactStatus::Saved).unwrap();
    s.set_fact_status(&dog.id, FactStatus::Saved).unwrap();
    let got = s.search_saved_facts("what tea should I drink", 5).unwrap();
    assert_eq!(got.iter().map(|f| f.id.clone()).collect::<Vec<_>>(), vec![tea.id.clone()]);
    s.set_fact_text(&dog.id, "Has a cat called Pixel").unwrap();
    assert!(s.search_saved_facts("dog", 5).unwrap().is_empty());
    assert_eq!(s.search_saved_facts("cat", 5).unwrap().len(), 1);
    s.delete_fact(&tea.id).unwrap();
    assert!(s.search_saved_facts("tea", 5).unwrap().is_empty());
    assert_eq!(s.list_facts(&[FactStatus::Saved, FactStatus::Pending]).unwrap().len(), 1);
    assert!(s.add_fact(&NewFact { text: "   ".into(), ..Default::default() }).is_err());
}

#[test]
fn very_common_words_rank_only_the_newest_matches() {
    use speasy_core::store::RANK_WINDOW;
    let (_d, s) = open_temp();
    let t = thread(&s, None, 1_000);
    let oldest_strong = user(&s, &t.id, "zeta zeta zeta");
    let mut items = vec![oldest_strong.clone()];
    let n = usize::try_from(RANK_WINDOW).unwrap() + 10;
    items
        .extend((0..n).map(|i| user(&s, &t.id, &format!("zeta and some filler words number {i}"))));
    let newest_strong = user(&s, &t.id, "zeta zeta");
    items.push(newest_strong.clone());
    s.add_thread_items(&t.id, &items).unwrap();
    let hits = s.search("zeta", 5).unwrap();
    assert_eq!(hits.len(), 5);
    assert_eq!(hits[0].item_id, newest_strong.id, "best match among the newest window");
    assert!(hits.iter().all(|h| h.item_id != oldest_strong.id), "outside the window");
    // A specific query still reaches all of history.
    let hits = s.search("zeta filler 3", 50).unwrap();
    assert!(!hits.is_empty());
}
