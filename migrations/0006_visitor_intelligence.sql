-- Visitor intelligence: profiles, visits (sessions), page views, events, the latest cart,
-- orders, identity, the shop's secrets, and what the Live view, profile and audience pages read.
-- Every table carries site_id and every query filters on it. Times: ms since the Unix epoch.

-- Profile columns on the existing visitors table.
-- The shop's own customer id (identify or the shop API); verified = 1 only with a valid HMAC
-- or from the shop API. Unverified ids are kept for operators and never merged.
ALTER TABLE visitors ADD COLUMN external_id TEXT;
ALTER TABLE visitors ADD COLUMN verified INTEGER NOT NULL DEFAULT 0;
-- Set when a verified identify folded this anonymous profile into another one.
ALTER TABLE visitors ADD COLUMN merged_into TEXT;
ALTER TABLE visitors ADD COLUMN visits INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visitors ADD COLUMN page_views INTEGER NOT NULL DEFAULT 0;
ALTER TABLE visitors ADD COLUMN time_on_site_ms INTEGER NOT NULL DEFAULT 0;
-- JSON TrafficSource of the first and the latest visit, and their labels (utm_source, else
-- the referrer's host, else 'direct') for filters.
ALTER TABLE visitors ADD COLUMN first_source TEXT;
ALTER TABLE visitors ADD COLUMN last_source TEXT;
ALTER TABLE visitors ADD COLUMN first_source_label TEXT;
ALTER TABLE visitors ADD COLUMN last_source_label TEXT;
ALTER TABLE visitors ADD COLUMN device_type TEXT;
ALTER TABLE visitors ADD COLUMN browser TEXT;
ALTER TABLE visitors ADD COLUMN os TEXT;
ALTER TABLE visitors ADD COLUMN country TEXT;
ALTER TABLE visitors ADD COLUMN city TEXT;
ALTER TABLE visitors ADD COLUMN language TEXT;
-- JSON object of custom attributes (Gadka('setAttributes'), shop API).
ALTER TABLE visitors ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
-- JSON CartInfo of the latest cart, or NULL.
ALTER TABLE visitors ADD COLUMN cart TEXT;
-- Where the visitor is now: their current visit and page view.
ALTER TABLE visitors ADD COLUMN current_visit_id TEXT;
ALTER TABLE visitors ADD COLUMN current_view_id INTEGER;

-- One verified profile per customer id and site (the merge target).
CREATE UNIQUE INDEX visitors_by_verified_customer ON visitors (site_id, external_id)
  WHERE verified = 1 AND merged_into IS NULL;
CREATE INDEX visitors_by_site_activity ON visitors (site_id, last_seen_at DESC, id DESC);
CREATE INDEX visitors_by_merged ON visitors (site_id, merged_into) WHERE merged_into IS NOT NULL;
CREATE INDEX visitors_by_site_email ON visitors (site_id, email) WHERE email IS NOT NULL;

-- A visit (session): a new one after VISIT_IDLE_MS without a page view or ping.
CREATE TABLE visits (
  id           TEXT PRIMARY KEY,
  site_id      TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visitor_id   TEXT NOT NULL,
  started_at   INTEGER NOT NULL,
  last_at      INTEGER NOT NULL,
  page_views   INTEGER NOT NULL DEFAULT 0,
  referrer     TEXT,
  utm_source   TEXT,
  utm_medium   TEXT,
  utm_campaign TEXT,
  utm_term     TEXT,
  utm_content  TEXT,
  landing_url  TEXT,
  source_label TEXT NOT NULL,
  device_type  TEXT,
  browser      TEXT,
  os           TEXT,
  country      TEXT,
  city         TEXT,
  -- 1 when the visitor had visited before this one.
  is_returning INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX visits_by_visitor ON visits (site_id, visitor_id, started_at DESC);
CREATE INDEX visits_by_site_start ON visits (site_id, started_at);
CREATE INDEX visits_by_site_last ON visits (site_id, last_at);

CREATE TABLE page_views (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visitor_id  TEXT NOT NULL,
  visit_id    TEXT,
  -- Without the hash and tracking parameters (utm_*, gclid, fbclid…), so repeats group.
  url         TEXT NOT NULL,
  title       TEXT,
  at          INTEGER NOT NULL,
  -- Filled by the next view, a ping (running) or the leave.
  duration_ms INTEGER
);
CREATE INDEX page_views_by_visitor ON page_views (site_id, visitor_id, url);
CREATE INDEX page_views_by_visit ON page_views (site_id, visit_id, at);
CREATE INDEX page_views_by_site_time ON page_views (site_id, at);

-- Cart, purchase, identify, attributes and consent events from the page.
CREATE TABLE visitor_events (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  site_id    TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  visitor_id TEXT NOT NULL,
  visit_id   TEXT,
  type       TEXT NOT NULL,
  data       TEXT,
  at         INTEGER NOT NULL
);
CREATE INDEX visitor_events_by_visitor ON visitor_events (site_id, visitor_id, at);
CREATE INDEX visitor_events_by_site_time ON visitor_events (site_id, at);

-- Orders: from the shop API (trusted) or the page (Gadka('track','purchase')). The shop's order
-- id is unique per site; an API order replaces a page order with the same id.
CREATE TABLE orders (
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  order_id    TEXT NOT NULL,
  visitor_id  TEXT,
  customer_id TEXT,
  total       REAL NOT NULL,
  currency    TEXT NOT NULL,
  items       TEXT NOT NULL DEFAULT '[]',
  created_at  INTEGER NOT NULL,
  recorded_at INTEGER NOT NULL,
  source      TEXT NOT NULL CHECK (source IN ('api', 'page')),
  PRIMARY KEY (site_id, order_id)
);
CREATE INDEX orders_by_visitor ON orders (site_id, visitor_id, created_at DESC);
CREATE INDEX orders_by_customer ON orders (site_id, customer_id);

-- The shop's secrets: the identify secret (HMAC key, so kept as is) and the SHA-256 of the
-- secret API key (the key itself is shown once, when made).
CREATE TABLE site_secrets (
  site_id                    TEXT PRIMARY KEY REFERENCES sites(id) ON DELETE CASCADE,
  identity_secret            TEXT,
  identity_secret_created_at INTEGER,
  api_key_hash               TEXT,
  api_key_prefix             TEXT,
  api_key_created_at         INTEGER
);
CREATE UNIQUE INDEX site_secrets_by_api_key ON site_secrets (api_key_hash) WHERE api_key_hash IS NOT NULL;
