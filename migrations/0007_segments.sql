-- Segments: saved filters of the visitor list ("Returning buyers from Poland"), shared by a
-- site's team. `filters` is the list's query parameters as JSON (SegmentFilters).
CREATE TABLE segments (
  id          TEXT PRIMARY KEY,
  site_id     TEXT NOT NULL REFERENCES sites(id) ON DELETE CASCADE,
  name        TEXT NOT NULL,
  filters     TEXT NOT NULL,
  created_by  TEXT REFERENCES operators(id) ON DELETE SET NULL,
  created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX segments_by_site_name ON segments (site_id, name COLLATE NOCASE);
