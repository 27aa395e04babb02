//! Sentences to speak, cut from an answer as it streams in. [`Sentences::push`] takes each text
//! delta and returns the sentences it completed — Unicode sentence boundaries (UAX #29), so
//! "3.5 ms" or "e.g. this" do not end one — and [`Sentences::finish`] the rest at the end.
//!
//! Answers are Markdown: what is said is the prose. Code blocks are skipped; emphasis, inline
//! code ticks, heading / quote / bullet markers and link targets are dropped (a link says its
//! text, a bare URL "link"); a piece with nothing to pronounce is not a sentence.

use unicode_segmentation::UnicodeSegmentation;

const FENCE: &str = "```";

/// The streaming splitter.
#[derive(Debug, Default)]
pub struct Sentences {
    /// Prose not yet cut into a complete sentence.
    prose: String,
    /// Text not yet routed: it may end in part of a code fence.
    raw: String,
    in_code: bool,
}

impl Sentences {
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a delta; the sentences it completed, ready to speak.
    pub fn push(&mut self, delta: &str) -> Vec<String> {
        self.raw.push_str(delta);
        self.route(false);
        self.cut(false)
    }

    /// The end of the text: whatever is left, as sentences.
    pub fn finish(&mut self) -> Vec<String> {
        self.route(true);
        self.cut(true)
    }

    /// Move routed text into `prose`, dropping code blocks. A run of backticks at the very end
    /// might be the start of a fence: it waits for the next delta (unless `last`).
    fn route(&mut self, last: bool) {
        while let Some(i) = self.raw.find(FENCE) {
            if !self.in_code {
                self.prose.push_str(&self.raw[..i]);
                // A code block ends the sentence before it.
                self.prose.push('\n');
            }
            self.raw.drain(..i + FENCE.len());
            self.in_code = !self.in_code;
        }
        let ticks = self.raw.len() - self.raw.trim_end_matches('`').len();
        let keep = if last { 0 } else { ticks.min(FENCE.len() - 1) };
        let cut = self.raw.len() - keep;
        if !self.in_code {
            self.prose.push_str(&self.raw[..cut]);
        }
        self.raw.drain(..cut);
    }

    /// Cut complete sentences off the front of `prose`. The last piece is only complete at the
    /// end of the text or after a line break: "Hello." may yet become "Hello.5".
    fn cut(&mut self, last: bool) -> Vec<String> {
        let pieces: Vec<&str> = self.prose.split_sentence_bounds().collect();
        let complete = match pieces.last() {
            Some(p) if last || p.ends_with('\n') => pieces.len(),
            _ => pieces.len().saturating_sub(1),
        };
        let consumed: usize = pieces[..complete].iter().map(|p| p.len()).sum();
        let out = pieces[..complete].iter().filter_map(|p| speakable(p)).collect();
        self.prose.drain(..consumed);
        out
    }
}

/// What to say for a piece of Markdown prose; `None` if nothing is pronounceable.
pub fn speakable(markdown: &str) -> Option<String> {
    let mut words: Vec<String> = Vec::new();
    for line in markdown.lines() {
        let line = strip_block_markers(line.trim());
        for word in line.split_whitespace() {
            let word = strip_inline(word);
            if word.is_empty() {
                continue;
            }
            words.push(word);
        }
    }
    let text = words.join(" ");
    text.chars().any(char::is_alphanumeric).then_some(text)
}

/// A line without its heading, quote or bullet marker.
fn strip_block_markers(mut line: &str) -> &str {
    loop {
        let before = line;
        line = line.trim_start_matches('#').trim_start();
        line = line.trim_start_matches('>').trim_start();
        for bullet in ["- ", "* ", "+ "] {
            if let Some(rest) = line.strip_prefix(bullet) {
                line = rest.trim_start();
            }
        }
        if line == before {
            return line;
        }
    }
}

/// A word without emphasis marks, code ticks or link targets.
fn strip_inline(word: &str) -> String {
    if word.starts_with("http://") || word.starts_with("https://") {
        return "link".into();
    }
    // [text](url) and ![alt](url): keep the text.
    let word = match (word.find("]("), word.rfind(')')) {
        (Some(i), Some(j)) if j > i => {
            let (text, rest) = (&word[..i], &word[j + 1..]);
            return strip_inline(&format!("{text}{rest}"));
        }
        _ => word,
    };
    let chars: Vec<char> = word.chars().collect();
    let mut out = String::with_capacity(word.len());
    for (i, c) in chars.iter().enumerate() {
        let edge =
            |j: Option<usize>| j.and_then(|j| chars.get(j)).is_none_or(|c| !c.is_alphanumeric());
        let drop = match c {
            '*' | '`' | '~' | '[' | ']' => true,
            '!' => chars.get(i + 1) == Some(&'['),
            // snake_case keeps its underscores; _emphasis_ loses them.
            '_' => edge(i.checked_sub(1)) || edge(Some(i + 1)),
            _ => false,
        };
        if !drop {
            out.push(*c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(deltas: &[&str]) -> Vec<String> {
        let mut s = Sentences::new();
        let mut out: Vec<String> = deltas.iter().flat_map(|d| s.push(d)).collect();
        out.extend(s.finish());
        out
    }

    #[test]
    fn a_sentence_is_ready_as_soon_as_the_next_one_starts() {
        let mut s = Sentences::new();
        assert!(s.push("Hello there").is_empty());
        assert!(s.push(".").is_empty(), "'Hello there.' may continue ('.5')");
        assert_eq!(s.push(" It"), vec!["Hello there."]);
        assert!(s.push(" is sunny").is_empty());
        assert_eq!(s.finish(), vec!["It is sunny"]);
    }

    #[test]
    fn numbers_and_abbreviations_do_not_end_sentences() {
        assert_eq!(
            split(&["It took 3", ".5 ms, e.g. on", " a laptop. Done!"]),
            vec!["It took 3.5 ms, e.g. on a laptop.", "Done!"]
        );
    }

    #[test]
    fn line_breaks_end_a_sentence_at_once() {
        let mut s = Sentences::new();
        assert_eq!(s.push("## Steps\n"), vec!["Steps"]);
        assert_eq!(s.push("- first item\n- sec"), vec!["first item"]);
        assert_eq!(s.finish(), vec!["sec"]);
    }

    #[test]
    fn code_blocks_are_not_read_even_when_fences_arrive_in_pieces() {
        let out = split(&["Run this:\n`", "``rust\nfn main() {}\n`", "``\nThat prints nothing."]);
        assert_eq!(out, vec!["Run this:", "That prints nothing."]);
    }

    #[test]
    fn markup_is_dropped_and_links_say_their_text() {
        assert_eq!(
            speakable(
                "**Bold** and _soft_ `code` in snake_case, see [the docs](https://x.y/z) or https://a.b"
            ),
            Some("Bold and soft code in snake_case, see the docs or link".into())
        );
        assert_eq!(speakable("> quoted"), Some("quoted".into()));
        assert_eq!(speakable("---"), None);
        assert_eq!(speakable("  \n "), None);
    }
}
