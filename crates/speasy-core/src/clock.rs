//! Ids and clocks: UUIDv7 row ids and the hybrid logical clock (HLC) that stamps every synced
//! field, as laid out in the sync design (`supabase-sync.md` §4.1). An HLC stamp is
//! `(ms, counter, device)` written as fixed-width text `%015d-%05d-%032x`, so comparing two
//! stamps as strings compares them as clocks, and the device id breaks ties.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

use uuid::Uuid;

/// A new time-ordered row id.
pub fn new_id() -> String {
    Uuid::now_v7().to_string()
}

/// Wall-clock milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Where the HLC reads physical time from; a fake in tests.
pub trait WallClock: Send + Sync {
    fn now_ms(&self) -> i64;
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl WallClock for SystemClock {
    fn now_ms(&self) -> i64 {
        now_ms()
    }
}

/// The largest counter value; a 5-digit field.
const MAX_COUNTER: u32 = 99_999;

/// One HLC stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Hlc {
    pub ms: i64,
    pub counter: u32,
    pub device: Uuid,
}

impl Hlc {
    pub fn zero(device: Uuid) -> Self {
        Self { ms: 0, counter: 0, device }
    }
}

impl fmt::Display for Hlc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:015}-{:05}-{}", self.ms, self.counter, self.device.simple())
    }
}

/// A string that is not an HLC stamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an HLC stamp: {0:?}")]
pub struct BadHlc(pub String);

impl FromStr for Hlc {
    type Err = BadHlc;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || BadHlc(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 15 + 1 + 5 + 1 + 32 || b[15] != b'-' || b[21] != b'-' {
            return Err(bad());
        }
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if !digits(0..15) || !digits(16..21) {
            return Err(bad());
        }
        let hex = &s[22..];
        if !hex.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(bad());
        }
        Ok(Self {
            ms: s[..15].parse().map_err(|_| bad())?,
            counter: s[16..21].parse().map_err(|_| bad())?,
            device: Uuid::parse_str(hex).map_err(|_| bad())?,
        })
    }
}

/// The state of this device's hybrid logical clock.
#[derive(Debug, Clone)]
pub struct HlcState {
    last: Hlc,
}

impl HlcState {
    pub fn new(last: Hlc) -> Self {
        Self { last }
    }

    pub fn last(&self) -> Hlc {
        self.last
    }

    /// Stamp a local event.
    pub fn tick(&mut self, wall_ms: i64) -> Hlc {
        let ms = wall_ms.max(self.last.ms);
        self.last = if ms > self.last.ms {
            Hlc { ms, counter: 0, device: self.last.device }
        } else if self.last.counter < MAX_COUNTER {
            Hlc { counter: self.last.counter + 1, ..self.last }
        } else {
            // Counter exhausted within one millisecond: borrow the next millisecond.
            Hlc { ms: ms + 1, counter: 0, device: self.last.device }
        };
        self.last
    }

    /// Go back to `to` after this clock ran ahead of the real time (a wrong wall clock,
    /// corrected): the next stamp comes right after it. Only for that correction: the caller
    /// passes the highest stamp it keeps, and re-stamps the ones above it.
    pub fn rewind(&mut self, to: Hlc) {
        let to = Hlc { device: self.last.device, ..to };
        if to < self.last {
            self.last = to;
        }
    }

    /// Fold in a stamp received from another device. Stamps more than an hour ahead of our wall
    /// clock are ignored, so one bad clock cannot drag every device forward.
    pub fn observe(&mut self, wall_ms: i64, remote: Hlc) {
        const MAX_AHEAD_MS: i64 = 3_600_000;
        if remote.ms > wall_ms + MAX_AHEAD_MS || remote <= self.last {
            return;
        }
        self.last = Hlc { device: self.last.device, ..remote };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device() -> Uuid {
        Uuid::from_u128(0xabc)
    }

    #[test]
    fn stamps_round_trip_and_sort_as_text() {
        let mut st = HlcState::new(Hlc::zero(device()));
        let a = st.tick(1_000);
        let b = st.tick(1_000);
        let c = st.tick(999); // wall clock went backwards
        let d = st.tick(2_000);
        assert_eq!(a.to_string(), format!("000000000001000-00000-{}", device().simple()));
        for (x, y) in [(a, b), (b, c), (c, d)] {
            assert!(x < y);
            assert!(x.to_string() < y.to_string());
            assert_eq!(x.to_string().parse::<Hlc>(), Ok(x));
        }
        assert_eq!(c.ms, 1_000);
        assert_eq!(c.counter, 2);
    }

    #[test]
    fn counter_overflow_moves_to_next_ms() {
        let mut st = HlcState::new(Hlc { ms: 5, counter: MAX_COUNTER, device: device() });
        let s = st.tick(5);
        assert_eq!((s.ms, s.counter), (6, 0));
    }

    #[test]
    fn observe_ignores_far_future_and_moves_forward_otherwise() {
        let mut st = HlcState::new(Hlc::zero(device()));
        let far = Hlc { ms: 10_000_000, counter: 0, device: Uuid::from_u128(1) };
        st.observe(1_000, far);
        assert_eq!(st.last().ms, 0);
        let near = Hlc { ms: 1_500, counter: 7, device: Uuid::from_u128(1) };
        st.observe(1_000, near);
        let next = st.tick(1_000);
        assert!(next > near);
        assert_eq!(next.device, device());
    }

    #[test]
    fn rejects_malformed_stamps() {
        for s in ["", "1-2-3", "000000000001000-00000-XYZ", &"0".repeat(54)] {
            assert!(s.parse::<Hlc>().is_err(), "{s}");
        }
    }

    #[test]
    fn rewind_brings_a_clock_that_ran_ahead_back() {
        let mut c = HlcState::new(Hlc { ms: 10_000, counter: 7, device: device() });
        let other = Uuid::from_u128(0xdef);
        c.rewind(Hlc { ms: 20_000, counter: 0, device: other });
        assert_eq!(c.last().ms, 10_000, "never forward");
        c.rewind(Hlc { ms: 5_000, counter: 3, device: other });
        assert_eq!((c.last().ms, c.last().counter, c.last().device), (5_000, 3, device()));
        assert_eq!(c.tick(4_000).counter, 4, "the next stamp comes after the kept one");
    }
}
