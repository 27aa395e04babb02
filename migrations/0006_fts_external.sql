-- 0006: the search index keeps no copy of the text it indexes.
--
-- Until now `item_fts` stored every item's searchable text a second time (FTS5's own content
-- table), written on every insert and synced to disk with it. It is now an external-content
-- FTS5 table over `item_search_text`: the text is read back from `thread_items.data` when a
-- snippet is built, and only the index itself is stored. An external-content index must be told
-- the exact text it indexed to remove a row, so removals now run BEFORE the row changes, reading
-- the text through the same view while the row still holds it.
--
-- The view lists exactly the indexed rows: live, shown, with some text. The text comes from
-- `search_text(type, data)`, a deterministic function the app registers on its connection
-- (`store/search.rs`): FTS5 reads external content with virtual tables disallowed, so the
-- `json_each` walk of 0001 cannot serve here, and the function reads an item's JSON once. Any
-- change to what it returns must come with `INSERT INTO item_fts (item_fts) VALUES ('rebuild')`
-- in a migration.

-- The triggers keep the `fts.batch` switch of 0005: a pulled page does both steps itself, one
-- statement each for the whole page.

DROP TRIGGER thread_items_fts_insert;
DROP TRIGGER thread_items_fts_update;
DROP TRIGGER thread_items_fts_delete;
DROP TABLE item_fts;
DROP VIEW item_search_text;

CREATE VIEW item_search_text AS
SELECT item_rowid, text
  FROM (SELECT rowid AS item_rowid, search_text(type, data) AS text
          FROM thread_items
         WHERE deleted = 0 AND hidden = 0)
 WHERE text IS NOT NULL;

CREATE VIRTUAL TABLE item_fts USING fts5 (
    text,
    content = 'item_search_text',
    content_rowid = 'item_rowid',
    tokenize = 'porter unicode61 remove_diacritics 2'
);
INSERT INTO item_fts (item_fts) VALUES ('rebuild');

CREATE TRIGGER thread_items_fts_insert AFTER INSERT ON thread_items
WHEN NEW.deleted = 0 AND NEW.hidden = 0
 AND (SELECT value FROM sync_state WHERE key = 'fts.batch') IS NULL
BEGIN
    INSERT INTO item_fts (rowid, text)
    SELECT item_rowid, text FROM item_search_text WHERE item_rowid = NEW.rowid;
END;

-- Before: the row still holds the text that was indexed.
CREATE TRIGGER thread_items_fts_unindex BEFORE UPDATE OF data, type, hidden, deleted ON thread_items
WHEN (SELECT value FROM sync_state WHERE key = 'fts.batch') IS NULL
BEGIN
    INSERT INTO item_fts (item_fts, rowid, text)
    SELECT 'delete', item_rowid, text FROM item_search_text WHERE item_rowid = OLD.rowid;
END;

CREATE TRIGGER thread_items_fts_reindex AFTER UPDATE OF data, type, hidden, deleted ON thread_items
WHEN (SELECT value FROM sync_state WHERE key = 'fts.batch') IS NULL
BEGIN
    INSERT INTO item_fts (rowid, text)
    SELECT item_rowid, text FROM item_search_text WHERE item_rowid = NEW.rowid;
END;

CREATE TRIGGER thread_items_fts_delete BEFORE DELETE ON thread_items
BEGIN
    INSERT INTO item_fts (item_fts, rowid, text)
    SELECT 'delete', item_rowid, text FROM item_search_text WHERE item_rowid = OLD.rowid;
END;
