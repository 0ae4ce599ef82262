-- A visitor id gets a chat identity at most once. The tracking token is readable by every script
-- on the shop's page; before this, the session endpoint exchanged it for a chat token that reads
-- the visitor's conversation. Now the first chat session that takes a visitor sets
-- chat_claimed_at (one conditional UPDATE, so two claims cannot both win), and a later chat
-- that only has the tracking token gets a visitor of its own.
ALTER TABLE visitors ADD COLUMN chat_claimed_at INTEGER;

-- Visitors who already have a conversation were claimed by the chat that started it.
UPDATE visitors SET chat_claimed_at = (
  SELECT MIN(c.created_at) FROM conversations c WHERE c.site_id = visitors.site_id AND c.visitor_id = visitors.id
)
WHERE EXISTS (SELECT 1 FROM conversations c WHERE c.site_id = visitors.site_id AND c.visitor_id = visitors.id);

-- Which tab's page view a ping or leave is about: the presence module names each page view it
-- reports (TrackBody.pv), so two open tabs of one visitor never count or time each other's pages.
ALTER TABLE page_views ADD COLUMN view_key TEXT;
CREATE INDEX page_views_by_key ON page_views (site_id, visitor_id, view_key) WHERE view_key IS NOT NULL;
