-- 0005: pulled pages index their items in one statement instead of one per row.
--
-- FTS5 writes its pending terms out as a new segment at every statement savepoint. A pulled
-- page is merged one row per statement, so with the per-row triggers of 0001 every item became
-- its own segment, and a first sync spent most of its time merging segments. While
-- `fts.batch` = '1' in sync_state the item triggers leave the index alone; applying a page sets
-- it inside its own write transaction (no other write can see it), then re-indexes the page's
-- rows in one statement and clears it before committing.

DROP TRIGGER thread_items_fts_insert;
CREATE TRIGGER thread_items_fts_insert AFTER INSERT ON thread_items
WHEN NEW.deleted = 0 AND NEW.hidden = 0
 AND (SELECT value FROM sync_state WHERE key = 'fts.batch') IS NULL
BEGIN
    INSERT INTO item_fts (rowid, text)
    SELECT item_rowid, text FROM item_search_text
     WHERE item_rowid = NEW.rowid AND text IS NOT NULL AND text <> '';
END;

DROP TRIGGER thread_items_fts_update;
CREATE TRIGGER thread_items_fts_update AFTER UPDATE OF data, type, hidden, deleted ON thread_items
WHEN (SELECT value FROM sync_state WHERE key = 'fts.batch') IS NULL
BEGIN
    DELETE FROM item_fts WHERE rowid = OLD.rowid;
    INSERT INTO item_fts (rowid, text)
    SELECT item_rowid, text FROM item_search_text
     WHERE item_rowid = NEW.rowid AND text IS NOT NULL AND text <> '';
END;
