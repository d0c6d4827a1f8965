/**
 * The PostgreSQL schema, as migrations applied in order on start (each
 * once, in its own transaction, recorded in `<schema>.migrations` with a
 * checksum of its text). A migration, once released, is never edited: a
 * change is a new one. `{schema}` is the store's schema (`audit_bot`).
 *
 * Rows keep each record whole as `body` (jsonb: the same fields the JSON
 * file holds, so a record of either backend moves to the other unchanged),
 * beside the columns that are queried; `seq` keeps the order records were
 * first written in.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'history',
    sql: `
CREATE TABLE {schema}.scans (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  alias text NOT NULL,
  account_id text NOT NULL,
  body jsonb NOT NULL
);
CREATE INDEX scans_alias ON {schema}.scans (alias, seq);
CREATE INDEX scans_account ON {schema}.scans (account_id, seq);

CREATE TABLE {schema}.findings (
  fingerprint text PRIMARY KEY,
  account_id text NOT NULL,
  open boolean NOT NULL,
  body jsonb NOT NULL
);
CREATE INDEX findings_account ON {schema}.findings (account_id);

CREATE TABLE {schema}.mutes (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  fingerprint text NOT NULL,
  account_id text NOT NULL,
  body jsonb NOT NULL
);
CREATE INDEX mutes_fingerprint ON {schema}.mutes (fingerprint);
CREATE INDEX mutes_account ON {schema}.mutes (account_id);

CREATE TABLE {schema}.actions (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  request_id text NOT NULL,
  fingerprint text NOT NULL,
  body jsonb NOT NULL
);
CREATE INDEX actions_request ON {schema}.actions (request_id);
CREATE INDEX actions_fingerprint ON {schema}.actions (fingerprint);

CREATE TABLE {schema}.organization_accounts (
  account_id text PRIMARY KEY,
  body jsonb NOT NULL
);

-- One row each: the digest's and the alerts' cursors, and the history's clock.
CREATE TABLE {schema}.meta (
  key text PRIMARY KEY,
  value jsonb NOT NULL
);
INSERT INTO {schema}.meta (key, value) VALUES
  ('digest', '{"cursor": null, "lastPostedAt": null, "due": null, "totals": {}}'),
  ('alerts', '{"cursor": null, "lastPostedAt": null}'),
  ('clock', 'null');
`,
  },
  {
    version: 2,
    name: 'workers',
    sql: `
-- The worker processes (aws-audit-bot worker, and serve's own): each refreshes its row while it runs,
-- so the bot can tell whether anyone takes jobs.
CREATE TABLE {schema}.workers (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  kind text NOT NULL,
  concurrency integer NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 3,
    name: 'shelf',
    sql: `
-- Short-lived values every bot replica sees: a fix's confirmation, between Fix and Apply.
CREATE TABLE {schema}.shelf (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  until timestamptz NOT NULL
);
CREATE INDEX shelf_until ON {schema}.shelf (until);
`,
  },
];
