//! Test support for Speasy: [`OpenAiStub`], a scripted OpenAI-compatible HTTP server on
//! `127.0.0.1`, and builders for OpenAI's exact streaming and error bodies; [`SpeechStub`], a
//! speech service stand-in (OpenAI and ElevenLabs wire formats) that recognises known audio and
//! speaks text with espeak-ng; [`postgres::TestPostgres`], a throwaway PostgreSQL server, and
//! [`supabase::SupabaseStub`], Supabase's API gateway and PostgREST over it, for sync's tests.
//!
//! ```no_run
//! # async fn demo() {
//! use speasy_testkit::{OpenAiStub, Reply, Stream};
//!
//! let stub = OpenAiStub::start().await;
//! stub.push(Stream::text("gpt-4o-mini", &["Hel", "lo"]).with_usage(9, 2));
//! stub.push(Reply::rate_limited(20));
//! // point the client under test at stub.base_url(), then inspect stub.requests()
//! # }
//! ```

pub mod postgres;
mod reply;
mod server;
mod speech;
mod stream;
pub mod supabase;
mod tts;

pub use reply::Reply;
pub use server::{OpenAiStub, Recorded};
pub use speech::{
    Api as SpeechApi, SpeechStub, Spoken, Upload, best_correlation, decode as decode_wav,
};
pub use stream::{COMPLETION_ID, CREATED, SYSTEM_FINGERPRINT, Stream, ToolCall};
pub use tts::{espeak, espeak_to_file};
