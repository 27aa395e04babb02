-- TEST DATABASE ONLY: what every Supabase project already has and the migrations rely on — the
-- API roles, auth.users and auth.uid() / auth.role() / auth.jwt() as Supabase Auth defines them.
-- Applied before supabase/migrations/*.sql to the throwaway PostgreSQL of the tests.

do $$ begin                                  -- roles are cluster-wide
  if not exists (select from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  -- The role PostgREST logs in as; it switches to anon or authenticated for each request.
  if not exists (select from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end $$;
grant anon, authenticated, service_role to authenticator;

create schema auth;
grant usage on schema auth to anon, authenticated, service_role;

create table auth.users (
  id                 uuid primary key default gen_random_uuid(),
  aud                text not null default 'authenticated',
  role               text not null default 'authenticated',
  email              text unique,
  encrypted_password text,
  email_confirmed_at timestamptz,
  raw_app_meta_data  jsonb not null default '{"provider":"email","providers":["email"]}',
  raw_user_meta_data jsonb not null default '{}',
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);

-- As Supabase Auth's migrations define them: the request's JWT claims, set by PostgREST with
-- set_config('request.jwt.claims', ..., true) (the per-claim setting is the pre-v11 form).
create function auth.uid() returns uuid language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;
create function auth.role() returns text language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;
create function auth.jwt() returns jsonb language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

-- Supabase grants schema usage, but (since 2026) no table privileges by default: a migration
-- that forgets its GRANTs fails here as it would there.
grant usage on schema public to anon, authenticated, service_role;

-- Supabase Auth's own tables (the subset its stand-in uses): sessions and rotating refresh
-- tokens; passwords are bcrypt hashes made by pgcrypto, as Supabase Auth stores them.
create schema if not exists extensions;
create extension if not exists pgcrypto with schema extensions;

create table auth.sessions (
  id         uuid primary key default gen_random_uuid(),
  user_id    uuid not null references auth.users (id) on delete cascade,
  created_at timestamptz not null default now()
);

create table auth.refresh_tokens (
  id         bigserial primary key,
  token      text not null unique default encode(extensions.gen_random_bytes(16), 'hex'),
  user_id    uuid not null references auth.users (id) on delete cascade,
  session_id uuid not null references auth.sessions (id) on delete cascade,
  parent     text,
  revoked    boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
