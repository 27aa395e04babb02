-- 0003: a thread's persona, ChatKit status and metadata merge across devices as one
-- last-writer-wins value, stamped whenever any of them changes (`meta_hlc`, as on the server:
-- supabase/migrations). Existing threads take the newest stamp they already carry; a row
-- inserted without one (older code, tools) takes its title stamp.
ALTER TABLE threads ADD COLUMN meta_hlc TEXT NOT NULL DEFAULT '';
UPDATE threads SET meta_hlc = max(title_hlc, pinned_hlc, archived_hlc);
CREATE TRIGGER threads_meta_hlc_default AFTER INSERT ON threads
WHEN NEW.meta_hlc = ''
BEGIN
    UPDATE threads SET meta_hlc = NEW.title_hlc WHERE id = NEW.id;
END;
