-- 0004: what sync needs on the device (../shared/reference/supabase/supabase-sync.md §4.3).
--
-- `sync_outbox` holds one entry per row changed here and not yet pushed: a change bumps
-- `change_no`, and a push acknowledges only the number it sent, so a row edited while its push
-- was in flight goes out again. Triggers fill it, so no code path that writes a synced table can
-- forget to. They queue only while this device is linked to an account (`sync.capture` = '1' in
-- sync_state): before that, linking queues every row the server has not seen. Applying pulled
-- rows sets the flag to '0' inside its own transaction (SQLite has one writer at a time, so no
-- other write can see it), which keeps remote changes from being sent back.
--
-- `sync_dead_letter` keeps a row the server refused for a reason a retry cannot fix, with the
-- state that was sent and the server's answer, for diagnostics; it leaves the queue so the rest
-- of the history still syncs.

CREATE TABLE sync_outbox (
    tbl             TEXT NOT NULL CHECK (tbl IN ('threads', 'thread_items', 'facts')),
    row_id          TEXT NOT NULL,
    change_no       INTEGER NOT NULL DEFAULT 1,
    queued_at       INTEGER NOT NULL,           -- unix ms of the first unsent change
    attempts        INTEGER NOT NULL DEFAULT 0, -- failed pushes of this row
    next_attempt_at INTEGER NOT NULL DEFAULT 0, -- unix ms; 0: now
    last_error      TEXT,
    PRIMARY KEY (tbl, row_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX sync_outbox_queue ON sync_outbox (tbl, queued_at);

CREATE TABLE sync_dead_letter (
    id          INTEGER PRIMARY KEY,
    tbl         TEXT NOT NULL,
    row_id      TEXT NOT NULL,
    payload     TEXT NOT NULL CHECK (json_valid(payload)), -- the row state that was refused
    http_status INTEGER,
    code        TEXT,                                      -- SQLSTATE or PGRSTxxx
    message     TEXT NOT NULL,
    at          INTEGER NOT NULL
) STRICT;

CREATE TRIGGER threads_outbox_insert AFTER INSERT ON threads
WHEN (SELECT value FROM sync_state WHERE key = 'sync.capture') = '1'
BEGIN
    INSERT INTO sync_outbox (tbl, row_id, queued_at)
    VALUES ('threads', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT (tbl, row_id) DO UPDATE SET change_no = change_no + 1, next_attempt_at = 0;
END;

CREATE TRIGGER threads_outbox_update AFTER UPDATE ON threads
WHEN (SELECT value FROM sync_state WHERE key = 'sync.capture') = '1'
BEGIN
    INSERT INTO sync_outbox (tbl, row_id, queued_at)
    VALUES ('threads', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT (tbl, row_id) DO UPDATE SET change_no = change_no + 1, next_attempt_at = 0;
END;

CREATE TRIGGER thread_items_outbox_insert AFTER INSERT ON thread_items
WHEN (SELECT value FROM sync_state WHERE key = 'sync.capture') = '1'
BEGIN
    INSERT INTO sync_outbox (tbl, row_id, queued_at)
    VALUES ('thread_items', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT (tbl, row_id) DO UPDATE SET change_no = change_no + 1, next_attempt_at = 0;
END;

CREATE TRIGGER thread_items_outbox_update AFTER UPDATE ON thread_items
WHEN (SELECT value FROM sync_state WHERE key = 'sync.capture') = '1'
BEGIN
    INSERT INTO sync_outbox (tbl, row_id, queued_at)
    VALUES ('thread_items', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT (tbl, row_id) DO UPDATE SET change_no = change_no + 1, next_attempt_at = 0;
END;

CREATE TRIGGER facts_outbox_insert AFTER INSERT ON facts
WHEN (SELECT value FROM sync_state WHERE key = 'sync.capture') = '1'
BEGIN
    INSERT INTO sync_outbox (tbl, row_id, queued_at)
    VALUES ('facts', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT (tbl, row_id) DO UPDATE SET change_no = change_no + 1, next_attempt_at = 0;
END;

CREATE TRIGGER facts_outbox_update AFTER UPDATE ON facts
WHEN (SELECT value FROM sync_state WHERE key = 'sync.capture') = '1'
BEGIN
    INSERT INTO sync_outbox (tbl, row_id, queued_at)
    VALUES ('facts', NEW.id, CAST(unixepoch('subsec') * 1000 AS INTEGER))
    ON CONFLICT (tbl, row_id) DO UPDATE SET change_no = change_no + 1, next_attempt_at = 0;
END;
