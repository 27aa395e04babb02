-- 0001: the local store.
--
-- Ids are UUIDv7 text. Every synced table carries what ../shared/reference/supabase/supabase-sync.md
-- §4.1/§4.3 needs so that sync can be added without rewriting rows: the owner (`user_id`, NULL
-- while signed out), a tombstone (`deleted` + `deleted_hlc`), an HLC beside each field that is
-- merged last-writer-wins, the device that created the row and the server's `server_seq`
-- (NULL until the row comes back from the server). HLC stamps are fixed-width text
-- (`%015d-%05d-%032x`), so text order is clock order. Times are unix milliseconds.

CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY NOT NULL, -- device_id, hlc_last, later cursors and the signed-in user
    value TEXT NOT NULL
) STRICT;

CREATE TABLE personas (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT,
    name           TEXT NOT NULL,
    system_prompt  TEXT NOT NULL,
    default_model  TEXT,
    voice_id       TEXT,
    avatar         TEXT,
    builtin        INTEGER NOT NULL DEFAULT 0 CHECK (builtin IN (0, 1)),
    data_hlc       TEXT NOT NULL, -- the whole persona is one LWW value
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    deleted_hlc    TEXT,
    origin_device  TEXT NOT NULL,
    server_seq     INTEGER
) STRICT;

CREATE TABLE threads (
    id             TEXT PRIMARY KEY NOT NULL,
    user_id        TEXT,
    title          TEXT, -- NULL: not titled yet
    title_hlc      TEXT NOT NULL,
    pinned         INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    pinned_hlc     TEXT NOT NULL,
    archived       INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    archived_hlc   TEXT NOT NULL,
    persona_id     TEXT, -- no foreign key: a synced thread may arrive before its persona
    status         TEXT NOT NULL DEFAULT '{"type":"active"}' CHECK (json_valid(status)), -- ChatKit ThreadStatus
    metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    deleted_hlc    TEXT,
    origin_device  TEXT NOT NULL,
    server_seq     INTEGER
) STRICT;
CREATE INDEX threads_by_created ON threads (created_at, id) WHERE deleted = 0;
CREATE INDEX threads_by_updated ON threads (pinned DESC, updated_at DESC) WHERE deleted = 0;

-- One row per ChatKit thread item. `data` is the item's full JSON as ChatKit sends it, so every
-- item type (and fields added by later ChatKit versions) round-trips losslessly; the columns
-- beside it are what the store filters and orders by.
CREATE TABLE thread_items (
    id             TEXT PRIMARY KEY NOT NULL,
    thread_id      TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    user_id        TEXT,
    type           TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    ord            TEXT NOT NULL, -- order key: the HLC stamped at creation (causal, unique)
    hidden         INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
    data           TEXT NOT NULL CHECK (json_valid(data)),
    data_hlc       TEXT NOT NULL, -- items can be replaced (widgets, feedback): LWW on the whole item
    deleted        INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    deleted_hlc    TEXT,
    origin_device  TEXT NOT NULL,
    server_seq     INTEGER
) STRICT;
CREATE UNIQUE INDEX thread_items_order ON thread_items (thread_id, ord);

CREATE TABLE attachments (
    id             TEXT PRIMARY KEY NOT NULL,
    thread_id      TEXT REFERENCES threads (id) ON DELETE SET NULL,
    type           TEXT NOT NULL CHECK (type IN ('file', 'image')),
    name           TEXT NOT NULL,
    mime_type      TEXT NOT NULL,
    size           INTEGER,
    data           TEXT NOT NULL CHECK (json_valid(data)), -- the ChatKit Attachment JSON
    metadata       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)), -- never sent to the UI
    created_at     INTEGER NOT NULL
) STRICT;
CREATE INDEX attachments_by_thread ON attachments (thread_id) WHERE thread_id IS NOT NULL;

CREATE TABLE facts (
    id               TEXT PRIMARY KEY NOT NULL,
    user_id          TEXT,
    text             TEXT NOT NULL,
    text_hlc         TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'saved', 'discarded')),
    status_hlc       TEXT NOT NULL,
    source_thread_id TEXT, -- no foreign key: a fact outlives the thread it came from
    source_item_id   TEXT,
    persona_id       TEXT, -- NULL: every persona may recall it
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    deleted          INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    deleted_hlc      TEXT,
    origin_device    TEXT NOT NULL,
    server_seq       INTEGER
) STRICT;
CREATE INDEX facts_by_status ON facts (status, updated_at DESC) WHERE deleted = 0;

CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL CHECK (json_valid(value)),
    updated_at INTEGER NOT NULL
) STRICT;

-- Deleting a thread tombstones its items and clears their content (delete means delete);
-- the rows stay so the tombstones can sync.
CREATE TRIGGER threads_tombstone_items AFTER UPDATE OF deleted ON threads
WHEN NEW.deleted = 1 AND OLD.deleted = 0
BEGIN
    UPDATE thread_items
       SET deleted = 1, deleted_hlc = NEW.deleted_hlc, data = json_object('type', type)
     WHERE thread_id = NEW.id AND deleted = 0;
END;

-- Full-text search over what people read: user text, assistant text and widget copy_text.
-- rowid = thread_items.rowid. Kept in step by the triggers below; hidden and deleted items are
-- not indexed.
CREATE VIRTUAL TABLE item_fts USING fts5 (
    text,
    tokenize = 'porter unicode61 remove_diacritics 2'
);

-- The searchable text of an item, in one place for both triggers below.
CREATE VIEW item_search_text AS
SELECT rowid AS item_rowid,
       CASE type
           WHEN 'widget' THEN json_extract(data, '$.copy_text')
           WHEN 'user_message' THEN (
               SELECT group_concat(json_extract(c.value, '$.text'), char(10))
                 FROM json_each(data, '$.content') AS c
                WHERE json_extract(c.value, '$.type') IN ('input_text', 'input_tag'))
           WHEN 'assistant_message' THEN (
               SELECT group_concat(json_extract(c.value, '$.text'), char(10))
                 FROM json_each(data, '$.content') AS c
                WHERE json_extract(c.value, '$.type') = 'output_text')
       END AS text
  FROM thread_items
 WHERE deleted = 0 AND hidden = 0;

CREATE TRIGGER thread_items_fts_insert AFTER INSERT ON thread_items
WHEN NEW.deleted = 0 AND NEW.hidden = 0
BEGIN
    INSERT INTO item_fts (rowid, text)
    SELECT item_rowid, text FROM item_search_text
     WHERE item_rowid = NEW.rowid AND text IS NOT NULL AND text <> '';
END;

CREATE TRIGGER thread_items_fts_delete AFTER DELETE ON thread_items
BEGIN
    DELETE FROM item_fts WHERE rowid = OLD.rowid;
END;

CREATE TRIGGER thread_items_fts_update AFTER UPDATE OF data, type, hidden, deleted ON thread_items
BEGIN
    DELETE FROM item_fts WHERE rowid = OLD.rowid;
    INSERT INTO item_fts (rowid, text)
    SELECT item_rowid, text FROM item_search_text
     WHERE item_rowid = NEW.rowid AND text IS NOT NULL AND text <> '';
END;

-- Facts get their own index: recalled by the chat loop (FTS match of the user's message).
CREATE VIRTUAL TABLE fact_fts USING fts5 (
    text,
    content = 'facts',
    content_rowid = 'rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TRIGGER facts_fts_insert AFTER INSERT ON facts
BEGIN
    INSERT INTO fact_fts (rowid, text) VALUES (NEW.rowid, NEW.text);
END;

CREATE TRIGGER facts_fts_delete AFTER DELETE ON facts
BEGIN
    INSERT INTO fact_fts (fact_fts, rowid, text) VALUES ('delete', OLD.rowid, OLD.text);
END;

CREATE TRIGGER facts_fts_update AFTER UPDATE OF text ON facts
BEGIN
    INSERT INTO fact_fts (fact_fts, rowid, text) VALUES ('delete', OLD.rowid, OLD.text);
    INSERT INTO fact_fts (rowid, text) VALUES (NEW.rowid, NEW.text);
END;
