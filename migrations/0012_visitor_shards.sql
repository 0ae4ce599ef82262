-- Visitor shards (issue 10): how many VisitorShard Durable Objects hold a site's visitors (a
-- power of two; 1 for most shops). A deployment's operator raises it (scripts/reshard), never a
-- shop owner; while a reshard runs, visitor_shards_from keeps the old count so a shard can fetch a
-- visitor that has not been copied yet from the shard it used to live in.
ALTER TABLE sites ADD COLUMN visitor_shards INTEGER NOT NULL DEFAULT 1;
ALTER TABLE sites ADD COLUMN visitor_shards_from INTEGER;
