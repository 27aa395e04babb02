//! ChatKit protocol types (`../shared/reference/chatkit-protocol.md`): what the store keeps and
//! what the UI and local API receive. Field names are exactly as on the wire (snake_case for
//! protocol objects); `None` fields are omitted, as the reference server does.

pub mod protocol;
mod types;
pub mod widgets;

pub use types::*;
