//! `seed-bench`: many generated conversations, written through the core's store API like
//! `seed-demo`, for benchmarks that need a big history (bench/desktop.sh seeds 10,000 threads).
//!
//! Each thread is one `save_thread` and one `add_thread_items` (its messages in one
//! transaction): the store has no cross-thread batch API, and WAL with `synchronous = NORMAL`
//! makes a commit cheap enough (10,000 threads of 4 messages take a few seconds).

use speasy_core::ApiError;
use speasy_core::chatkit::{ThreadMetadata, ThreadStatus, format_time};
use speasy_core::clock::now_ms;
use speasy_core::store::Store;

use crate::demo::message;

const TOPICS: &[&str] = &[
    "Trip planning",
    "Sourdough starter",
    "Rust lifetimes",
    "Quarterly report",
    "Garden layout",
    "Birthday ideas",
    "SQL query tuning",
    "Bike maintenance",
    "Job interview prep",
    "Book recommendations",
    "Home network",
    "Spanish practice",
];

const QUESTIONS: &[&str] = &[
    "Can you help me think this through? I have a few constraints and not much time.",
    "What would you do first, and what can wait until next week?",
    "Could you summarise the options in a short list with the trade-offs?",
    "That helps. What is the most common mistake people make here?",
];

const ANSWERS: &[&str] = &[
    "Sure. Start with the constraint that is hardest to change, then fit the rest around it; \
     write down what must be true at the end so you can check each step against it.",
    "Do the part that unblocks others first. The rest can wait: schedule a short review at the \
     end of the week and drop anything that no longer matters.",
    "1. The quick option: cheap, but you will redo it later. 2. The thorough option: slower, \
     fewer surprises. 3. A middle path: do the thorough version only where mistakes are costly.",
    "Skipping the check at the end. A five-minute review catches most problems while they are \
     still cheap to fix.",
];

/// What `seed` did.
pub struct Seeded {
    pub threads: usize,
    pub messages: usize,
}

/// Add `threads` generated conversations of `messages_per_thread` alternating user/assistant
/// messages, created one minute apart going back from now (the last one is the newest).
pub fn seed(store: &Store, threads: usize, messages_per_thread: usize) -> Result<Seeded, ApiError> {
    let now = now_ms();
    let base = now - threads as i64 * 60_000;
    let mut messages = 0;
    for n in 0..threads {
        let start = base + n as i64 * 60_000;
        let topic = TOPICS[n % TOPICS.len()];
        let thread = ThreadMetadata {
            id: store.generate_thread_id(),
            title: Some(format!("{topic} #{}", n + 1)),
            created_at: format_time(start),
            status: ThreadStatus::Active,
            metadata: Default::default(),
        };
        store.save_thread(&thread)?;
        if messages_per_thread == 0 {
            continue;
        }
        let items = (0..messages_per_thread)
            .map(|i| {
                let turn = (i / 2 + n) % QUESTIONS.len();
                let text = if i % 2 == 0 {
                    format!("{topic}: {}", QUESTIONS[turn])
                } else {
                    ANSWERS[turn].to_owned()
                };
                message(store, &thread.id, i, &text, start + i as i64 * 1_000)
            })
            .collect::<Result<Vec<_>, _>>()?;
        store.add_thread_items(&thread.id, &items)?;
        messages += items.len();
    }
    Ok(Seeded { threads, messages })
}

#[cfg(test)]
mod tests {
    use speasy_core::chatkit::Order;
    use speasy_core::store::{ItemQuery, Store};

    #[test]
    fn seeds_titled_threads_of_alternating_messages_newest_last() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let done = super::seed(&store, 3, 4).unwrap();
        assert_eq!((done.threads, done.messages), (3, 12));

        let page = store.load_threads(10, None, Order::Desc).unwrap();
        let titles: Vec<_> = page.data.iter().map(|t| t.title.clone().unwrap()).collect();
        assert_eq!(titles, ["Rust lifetimes #3", "Sourdough starter #2", "Trip planning #1"]);

        let items = store.load_thread_items(&page.data[0].id, &ItemQuery::default()).unwrap();
        let kinds: Vec<_> = items.data.iter().map(|i| i.kind.as_str()).collect();
        assert_eq!(
            kinds,
            ["user_message", "assistant_message", "user_message", "assistant_message"]
        );
    }
}
