//! Personas (the seed router's "characters"): a name, a system prompt, an optional default model
//! and voice. Built-ins are written on open if missing and can be edited but not deleted. A
//! thread is bound to one persona (`threads.persona_id`). Each persona is one last-writer-wins
//! value for sync.

use rusqlite::{OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Store, WriteTx};
use crate::clock::new_id;
use crate::error::StoreError;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Persona {
    pub id: String,
    pub name: String,
    pub system_prompt: String,
    pub default_model: Option<String>,
    /// Voice for spoken answers (a TTS voice id).
    pub voice_id: Option<String>,
    pub avatar: Option<String>,
    pub builtin: bool,
}

/// Fields of a new or changed persona; absent fields keep their value on update.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PersonaInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub system_prompt: Option<String>,
    /// `""` clears it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub default_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub voice_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub avatar: Option<String>,
}

/// The persona a thread gets when none is chosen.
pub const DEFAULT_PERSONA_ID: &str = "builtin-assistant";

struct Builtin {
    id: &'static str,
    name: &'static str,
    avatar: &'static str,
    prompt: &'static str,
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        id: DEFAULT_PERSONA_ID,
        name: "Assistant",
        avatar: "sparkle",
        prompt: "You are Speasy, a helpful, candid assistant running on the user's own computer. \
                 Answer directly and concisely; use Markdown when it helps (lists, code blocks). \
                 When you are not sure, say so rather than guess. When the user shares a lasting \
                 fact about themselves or their preferences (name, family, work, tastes, plans), \
                 call save_fact with one short sentence so they can confirm it. Use list_facts when \
                 they ask what you remember, and search_history when they refer to an earlier \
                 conversation.",
    },
    Builtin {
        id: "builtin-coach",
        name: "Writing coach",
        avatar: "write",
        prompt: "You are a warm but exacting writing coach. When the user shares text, first say \
                 in one sentence what works, then give the three most valuable concrete edits, \
                 each with a before/after. Preserve the author's voice; never pad. If they ask you \
                 to rewrite, rewrite, then list what you changed in one line each.",
    },
    Builtin {
        id: "builtin-tutor",
        name: "Patient tutor",
        avatar: "book-open",
        prompt: "You are a patient tutor. Find out what the learner already knows before \
                 explaining, build up from there in small steps, and check understanding with a \
                 short question after each step. Prefer concrete examples over definitions. Never \
                 just hand over the answer to an exercise: guide the learner to it.",
    },
];

const COLS: &str = "id, name, system_prompt, default_model, voice_id, avatar, builtin";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Persona> {
    Ok(Persona {
        id: r.get(0)?,
        name: r.get(1)?,
        system_prompt: r.get(2)?,
        default_model: r.get(3)?,
        voice_id: r.get(4)?,
        avatar: r.get(5)?,
        builtin: r.get(6)?,
    })
}

fn not_found(id: &str) -> StoreError {
    StoreError::NotFound { what: "Persona", id: id.into() }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Write the built-in personas that are not there yet (never overwrites an edited one).
pub(crate) fn seed_builtins(w: &mut WriteTx<'_>) -> Result<(), StoreError> {
    for b in BUILTINS {
        let present: bool =
            w.tx.query_row("SELECT EXISTS (SELECT 1 FROM personas WHERE id = ?1)", [b.id], |r| {
                r.get(0)
            })?;
        if present {
            continue;
        }
        let stamp = w.stamp();
        let device = w.device();
        w.tx.execute(
            "INSERT INTO personas (id, name, system_prompt, avatar, builtin, data_hlc, created_at,
                                   updated_at, origin_device)
             VALUES (?1, ?2, ?3, ?4, 1, ?5, ?6, ?6, ?7)",
            params![b.id, b.name, b.prompt, b.avatar, stamp, w.now(), device],
        )?;
    }
    Ok(())
}

impl Store {
    /// Built-ins first, then by name.
    pub fn list_personas(&self) -> Result<Vec<Persona>, StoreError> {
        self.read(|c| {
            let mut st = c.prepare_cached(&format!(
                "SELECT {COLS} FROM personas WHERE deleted = 0 ORDER BY builtin DESC, name, id"
            ))?;
            Ok(st.query_map([], from_row)?.collect::<rusqlite::Result<Vec<_>>>()?)
        })
    }

    pub fn load_persona(&self, id: &str) -> Result<Persona, StoreError> {
        self.read(|c| {
            c.query_row(
                &format!("SELECT {COLS} FROM personas WHERE id = ?1 AND deleted = 0"),
                [id],
                from_row,
            )
            .optional()?
            .ok_or_else(|| not_found(id))
        })
    }

    pub fn create_persona(&self, input: &PersonaInput) -> Result<Persona, StoreError> {
        let name = non_empty(input.name.clone())
            .ok_or_else(|| StoreError::Invalid("a persona needs a name".into()))?;
        let prompt = non_empty(input.system_prompt.clone())
            .ok_or_else(|| StoreError::Invalid("a persona needs a system prompt".into()))?;
        let id = new_id();
        self.write(|w| {
            let stamp = w.stamp();
            let device = w.device();
            w.tx.execute(
                "INSERT INTO personas (id, name, system_prompt, default_model, voice_id, avatar,
                                       data_hlc, created_at, updated_at, origin_device)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)",
                params![
                    id,
                    name,
                    prompt,
                    non_empty(input.default_model.clone()),
                    non_empty(input.voice_id.clone()),
                    non_empty(input.avatar.clone()),
                    stamp,
                    w.now(),
                    device
                ],
            )?;
            Ok(())
        })?;
        self.load_persona(&id)
    }

    pub fn update_persona(&self, id: &str, input: &PersonaInput) -> Result<Persona, StoreError> {
        let mut p = self.load_persona(id)?;
        if let Some(name) = &input.name {
            p.name = non_empty(Some(name.clone()))
                .ok_or_else(|| StoreError::Invalid("a persona needs a name".into()))?;
        }
        if let Some(prompt) = &input.system_prompt {
            p.system_prompt = non_empty(Some(prompt.clone()))
                .ok_or_else(|| StoreError::Invalid("a persona needs a system prompt".into()))?;
        }
        if let Some(v) = &input.default_model {
            p.default_model = non_empty(Some(v.clone()));
        }
        if let Some(v) = &input.voice_id {
            p.voice_id = non_empty(Some(v.clone()));
        }
        if let Some(v) = &input.avatar {
            p.avatar = non_empty(Some(v.clone()));
        }
        self.write(|w| {
            let stamp = w.stamp();
            w.tx.execute(
                "UPDATE personas SET name = ?2, system_prompt = ?3, default_model = ?4,
                        voice_id = ?5, avatar = ?6, data_hlc = ?7, updated_at = ?8
                  WHERE id = ?1 AND deleted = 0",
                params![
                    p.id,
                    p.name,
                    p.system_prompt,
                    p.default_model,
                    p.voice_id,
                    p.avatar,
                    stamp,
                    w.now()
                ],
            )?;
            Ok(())
        })?;
        Ok(p)
    }

    /// Delete a persona (a tombstone). Built-ins cannot be deleted. Threads bound to it fall back
    /// to the default persona.
    pub fn delete_persona(&self, id: &str) -> Result<(), StoreError> {
        if self.load_persona(id)?.builtin {
            return Err(StoreError::Invalid(
                "built-in personas can be edited but not deleted".into(),
            ));
        }
        self.write(|w| {
            let stamp = w.stamp();
            w.tx.execute(
                "UPDATE personas SET deleted = 1, deleted_hlc = ?2, updated_at = ?3
                  WHERE id = ?1 AND deleted = 0",
                params![id, stamp, w.now()],
            )?;
            Ok(())
        })
    }

    /// The persona a thread is bound to (`None`: the default).
    pub fn thread_persona_id(&self, thread_id: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            c.query_row(
                "SELECT persona_id FROM threads WHERE id = ?1 AND deleted = 0",
                [thread_id],
                |r| r.get::<_, Option<String>>(0),
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound { what: "Thread", id: thread_id.into() })
        })
    }

    /// Bind a thread to a persona.
    pub fn set_thread_persona(&self, thread_id: &str, persona_id: &str) -> Result<(), StoreError> {
        self.load_persona(persona_id)?;
        self.write(|w| {
            let stamp = w.stamp();
            let n = w.tx.execute(
                "UPDATE threads SET persona_id = ?2, updated_at = ?3,
                        meta_hlc = CASE WHEN persona_id IS ?2 THEN meta_hlc ELSE ?4 END
                  WHERE id = ?1 AND deleted = 0",
                params![thread_id, persona_id, w.now(), stamp],
            )?;
            if n == 0 {
                Err(StoreError::NotFound { what: "Thread", id: thread_id.into() })
            } else {
                Ok(())
            }
        })
    }

    /// Record thumbs up/down on items (the latest verdict per item wins).
    pub fn set_feedback(
        &self,
        thread_id: &str,
        item_ids: &[String],
        positive: bool,
    ) -> Result<(), StoreError> {
        let kind = if positive { "positive" } else { "negative" };
        self.write(|w| {
            for id in item_ids {
                w.tx.execute(
                    "INSERT INTO item_feedback (item_id, thread_id, kind, created_at)
                     VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (item_id) DO UPDATE SET kind = excluded.kind,
                                                         created_at = excluded.created_at",
                    params![id, thread_id, kind, w.now()],
                )?;
            }
            Ok(())
        })
    }
}
