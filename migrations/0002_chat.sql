-- 0002: what the chat engine needs beyond 0001.
--
-- Providers are this device's own configuration (a local server's URL means nothing on another
-- machine), so they carry no sync columns. Their API keys are never here: `key_secret` names the
-- keychain entry that holds the key.

CREATE TABLE providers (
    id              TEXT PRIMARY KEY NOT NULL CHECK (id GLOB '[a-z0-9]*' AND id NOT GLOB '*[^a-z0-9-]*'),
    kind            TEXT NOT NULL CHECK (kind IN ('openai', 'openrouter', 'ollama', 'lm_studio', 'llama_cpp', 'custom')),
    name            TEXT NOT NULL,
    base_url        TEXT NOT NULL,
    key_secret      TEXT, -- keychain entry name; NULL: this provider needs no key
    default_model   TEXT,
    context_window  INTEGER CHECK (context_window IS NULL OR context_window > 0),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

-- Thumbs up/down on assistant items (ChatKit `items.feedback`): one verdict per item, the latest
-- wins. Kept apart from the item so giving feedback never rewrites what was said.
CREATE TABLE item_feedback (
    item_id     TEXT PRIMARY KEY NOT NULL,
    thread_id   TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('positive', 'negative')),
    created_at  INTEGER NOT NULL
) STRICT;

-- Personas are looked up by name in the picker; built-ins are found by id.
CREATE INDEX personas_live ON personas (builtin DESC, name) WHERE deleted = 0;
