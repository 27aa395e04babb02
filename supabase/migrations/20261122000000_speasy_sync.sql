-- Speasy sync: the server side of threads, thread items and facts (one person's devices share
-- them through Supabase; each device's SQLite file stays the source of truth).
--
-- Design: ../shared/reference/supabase/supabase-sync.md (state-based row sync). Every push is an
-- upsert of a row's whole current state (`POST /rest/v1/<table>?on_conflict=id` with
-- `Prefer: resolution=merge-duplicates`); the BEFORE triggers below merge it into the stored row
-- with the same rules as the app (crates/speasy-core), so retries, duplicates and any order of
-- arrival converge on the same row. Rules:
--   * per-field last-writer-wins decided by hybrid logical clock stamps (`*_hlc`);
--   * deletes are tombstones (`deleted`, `deleted_hlc`), they always win and clear the content;
--     deleting a thread tombstones its items;
--   * a deleted fact never comes back;
--   * `updated_at` (last activity) only moves forward.
-- Pullers read `server_seq > cursor` in order: the number comes from a per-user counter row
-- locked until commit, so for each person sequence order is commit order.
--
-- Columns mirror the app's tables (migrations/0001_init.sql): ids are UUIDv7 made on the device,
-- times are unix milliseconds, `origin_device` is the 32-hex device id of the last writer.
--
-- Apply to a Supabase project with the Supabase CLI (`supabase db push`) or paste it into the
-- SQL editor; see README.md. It needs what every Supabase project has: the roles anon,
-- authenticated and service_role, and auth.users / auth.uid().

create schema if not exists private;           -- not exposed through the Data API
revoke all on schema private from public, anon, authenticated;

-- HLC stamps: 15-digit unix ms, 5-digit counter, 32-hex device; bytewise order is clock order.
create domain public.hlc as text collate "C"
  check (value ~ '^[0-9]{15}-[0-9]{5}-[0-9a-f]{32}$');
create domain public.device_id as text collate "C"
  check (value ~ '^[0-9a-f]{32}$');

-- One counter row per person, incremented under a row lock by the write triggers: a writer
-- holds it until commit, so a later number is never visible before an earlier one.
create table private.sync_counters (
  user_id  uuid primary key references auth.users (id) on delete cascade,
  last_seq bigint not null default 0
);

create function private.next_seq(p_user uuid) returns bigint
language sql volatile security definer set search_path = '' as $$
  insert into private.sync_counters as c (user_id, last_seq) values (p_user, 1)
  on conflict (user_id) do update set last_seq = c.last_seq + 1
  returning c.last_seq
$$;
revoke all on function private.next_seq(uuid) from public, anon, authenticated;

-- A stamp more than an hour ahead of the server's clock comes from a wrong clock: refuse it
-- (the app re-stamps with its server-corrected clock) so it cannot win every later merge.
create function private.check_hlc(h text) returns void
language plpgsql stable set search_path = '' as $$
begin
  if h is not null
     and left(h, 15)::bigint > (extract(epoch from clock_timestamp()) * 1000)::bigint + 3600000 then
    raise exception 'hlc_in_future' using errcode = '22008',
      hint = 'The device clock is more than an hour ahead of the server: re-stamp with the server-corrected time.';
  end if;
end $$;
revoke all on function private.check_hlc(text) from public, anon, authenticated;

---------------------------------------------------------------------------------------------
create table public.threads (
  id            uuid primary key,
  user_id       uuid not null default auth.uid() references auth.users (id) on delete cascade,
  title         text,                                   -- null: not titled yet
  title_hlc     public.hlc not null,
  pinned        boolean not null default false,
  pinned_hlc    public.hlc not null,
  archived      boolean not null default false,
  archived_hlc  public.hlc not null,
  -- The persona, the ChatKit status and metadata change together: one last-writer-wins value.
  persona_id    text,
  status        jsonb not null default '{"type":"active"}',
  metadata      jsonb not null default '{}',
  meta_hlc      public.hlc not null,
  created_at    bigint not null,
  updated_at    bigint not null,                        -- last activity: the larger wins
  deleted       boolean not null default false,
  deleted_hlc   public.hlc,
  origin_device public.device_id not null,
  server_seq    bigint not null default 0,              -- set by the trigger
  server_at     timestamptz not null default now(),     -- for people reading the table; never a cursor
  unique (id, user_id)                                  -- target of the items' composite key
);
create index threads_user_seq on public.threads (user_id, server_seq);

-- One row per ChatKit thread item; `data` is the item as ChatKit sends it. Items can be replaced
-- (a widget updated by its action, feedback): `data` and `hidden` are one last-writer-wins value.
create table public.thread_items (
  id            uuid primary key,
  user_id       uuid not null default auth.uid() references auth.users (id) on delete cascade,
  thread_id     uuid not null,
  type          text not null,
  created_at    bigint not null,
  ord           public.hlc not null,                    -- order in the thread (stamped at creation)
  hidden        boolean not null default false,
  data          jsonb not null,
  data_hlc      public.hlc not null,
  deleted       boolean not null default false,
  deleted_hlc   public.hlc,
  origin_device public.device_id not null,
  server_seq    bigint not null default 0,
  server_at     timestamptz not null default now(),
  -- Foreign keys ignore row-level security: with the owner in the key, an item can only join a
  -- thread of the same person, even one who learnt another person's thread id.
  foreign key (thread_id, user_id) references public.threads (id, user_id) on delete cascade
);
create index thread_items_user_seq on public.thread_items (user_id, server_seq);
create index thread_items_thread on public.thread_items (thread_id, ord);

create table public.facts (
  id               uuid primary key,
  user_id          uuid not null default auth.uid() references auth.users (id) on delete cascade,
  text             text not null,
  text_hlc         public.hlc not null,
  status           text not null check (status in ('pending', 'saved', 'discarded')),
  status_hlc       public.hlc not null,
  source_thread_id uuid,                                -- no foreign key: a fact outlives its thread
  source_item_id   uuid,
  persona_id       text,
  created_at       bigint not null,
  updated_at       bigint not null,
  deleted          boolean not null default false,
  deleted_hlc      public.hlc,
  origin_device    public.device_id not null,
  server_seq       bigint not null default 0,
  server_at        timestamptz not null default now()
);
create index facts_user_seq on public.facts (user_id, server_seq);

---------------------------------------------------------------------------------------------
-- Merge triggers. SECURITY DEFINER only to bump private.sync_counters; row-level security has
-- already decided what the caller may write. A merge that changes nothing returns NULL: the
-- row is left alone, gets no new number and is not sent back to anyone.

create function private.threads_merge() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.check_hlc(greatest(new.title_hlc, new.pinned_hlc, new.archived_hlc,
                                     new.meta_hlc, new.deleted_hlc));
  if tg_op = 'UPDATE' then
    new.id := old.id; new.user_id := old.user_id; new.created_at := old.created_at;
    if new.title_hlc <= old.title_hlc then
      new.title := old.title; new.title_hlc := old.title_hlc;
    end if;
    if new.pinned_hlc <= old.pinned_hlc then
      new.pinned := old.pinned; new.pinned_hlc := old.pinned_hlc;
    end if;
    if new.archived_hlc <= old.archived_hlc then
      new.archived := old.archived; new.archived_hlc := old.archived_hlc;
    end if;
    if new.meta_hlc <= old.meta_hlc then
      new.persona_id := old.persona_id; new.status := old.status;
      new.metadata := old.metadata; new.meta_hlc := old.meta_hlc;
    end if;
    new.updated_at := greatest(old.updated_at, new.updated_at);
    new.deleted_hlc := case when old.deleted and new.deleted then least(old.deleted_hlc, new.deleted_hlc)
                            when old.deleted then old.deleted_hlc
                            when new.deleted then new.deleted_hlc end;
    new.deleted := old.deleted or new.deleted;
  end if;
  if new.deleted then                                   -- delete means delete: no title, no metadata
    new.title := null; new.metadata := '{}';
  end if;
  if tg_op = 'UPDATE' and
     (new.title, new.title_hlc, new.pinned, new.pinned_hlc, new.archived, new.archived_hlc,
      new.persona_id, new.status, new.metadata, new.meta_hlc, new.updated_at,
      new.deleted, new.deleted_hlc)
     is not distinct from
     (old.title, old.title_hlc, old.pinned, old.pinned_hlc, old.archived, old.archived_hlc,
      old.persona_id, old.status, old.metadata, old.meta_hlc, old.updated_at,
      old.deleted, old.deleted_hlc) then
    return null;
  end if;
  new.server_seq := private.next_seq(new.user_id);
  new.server_at := now();
  return new;
end $$;

create function private.thread_items_merge() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  thread_deleted_hlc text;
begin
  perform private.check_hlc(greatest(new.ord, new.data_hlc, new.deleted_hlc));
  if tg_op = 'UPDATE' then
    -- What an item is, where and when it is, never changes.
    new.id := old.id; new.user_id := old.user_id; new.thread_id := old.thread_id;
    new.type := old.type; new.created_at := old.created_at; new.ord := old.ord;
    if old.deleted then
      return null;                                      -- a tombstone stays as it is
    end if;
    if not new.deleted then
      if new.data_hlc <= old.data_hlc then
        return null;                                    -- stale or the same state again
      end if;
      new.deleted_hlc := null;
    end if;
  elsif not new.deleted then
    -- An item that arrives after its thread was deleted is born deleted.
    select t.deleted_hlc into thread_deleted_hlc
      from public.threads t
     where t.id = new.thread_id and t.user_id = new.user_id and t.deleted;
    if found then
      new.deleted := true; new.deleted_hlc := thread_deleted_hlc;
    end if;
  end if;
  if new.deleted then
    new.data := jsonb_build_object('type', new.type);   -- as the app's tombstones: the type only
  end if;
  new.server_seq := private.next_seq(new.user_id);
  new.server_at := now();
  return new;
end $$;

create function private.facts_merge() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.check_hlc(greatest(new.text_hlc, new.status_hlc, new.deleted_hlc));
  if tg_op = 'UPDATE' then
    new.id := old.id; new.user_id := old.user_id; new.created_at := old.created_at;
    if old.deleted then
      return null;                                      -- a forgotten fact stays forgotten
    end if;
    if new.text_hlc <= old.text_hlc then
      new.text := old.text; new.text_hlc := old.text_hlc;
    end if;
    if new.status_hlc <= old.status_hlc then
      new.status := old.status; new.status_hlc := old.status_hlc;
    end if;
    new.updated_at := greatest(old.updated_at, new.updated_at);
    if not new.deleted then
      new.deleted_hlc := null;
      if (new.text, new.text_hlc, new.status, new.status_hlc, new.updated_at)
         is not distinct from
         (old.text, old.text_hlc, old.status, old.status_hlc, old.updated_at) then
        return null;
      end if;
    end if;
  end if;
  if new.deleted then
    new.text := '';                                     -- "forget" really forgets
  end if;
  new.server_seq := private.next_seq(new.user_id);
  new.server_at := now();
  return new;
end $$;

create trigger threads_merge before insert or update on public.threads
  for each row execute function private.threads_merge();
create trigger thread_items_merge before insert or update on public.thread_items
  for each row execute function private.thread_items_merge();
create trigger facts_merge before insert or update on public.facts
  for each row execute function private.facts_merge();

-- Deleting a thread tombstones its items here too, so every device learns it from a pull.
create function private.threads_cascade_delete() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  update public.thread_items
     set deleted = true, deleted_hlc = new.deleted_hlc, origin_device = new.origin_device
   where thread_id = new.id and user_id = new.user_id and not deleted;
  return null;
end $$;
create trigger threads_cascade_delete after update of deleted on public.threads
  for each row when (new.deleted and not old.deleted)
  execute function private.threads_cascade_delete();

revoke all on function private.threads_merge(), private.thread_items_merge(),
  private.facts_merge(), private.threads_cascade_delete() from public, anon, authenticated;

---------------------------------------------------------------------------------------------
-- Privileges and row-level security. Supabase no longer grants new tables to the API roles by
-- itself, so the grants are explicit. No DELETE: deleting is a tombstone (an update).
revoke all on public.threads, public.thread_items, public.facts from anon, authenticated;
grant select, insert, update on public.threads, public.thread_items, public.facts to authenticated;

alter table public.threads enable row level security;
alter table public.thread_items enable row level security;
alter table public.facts enable row level security;

create policy threads_select on public.threads for select to authenticated
  using ((select auth.uid()) = user_id);
create policy threads_insert on public.threads for insert to authenticated
  with check ((select auth.uid()) = user_id);
create policy threads_update on public.threads for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);

create policy thread_items_select on public.thread_items for select to authenticated
  using ((select auth.uid()) = user_id);
create policy thread_items_insert on public.thread_items for insert to authenticated
  with check ((select auth.uid()) = user_id);
create policy thread_items_update on public.thread_items for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);

create policy facts_select on public.facts for select to authenticated
  using ((select auth.uid()) = user_id);
create policy facts_insert on public.facts for insert to authenticated
  with check ((select auth.uid()) = user_id);
create policy facts_update on public.facts for update to authenticated
  using ((select auth.uid()) = user_id) with check ((select auth.uid()) = user_id);
