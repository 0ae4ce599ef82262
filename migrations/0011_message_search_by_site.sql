-- Message search finds a site's rows through the FTS index itself. Before, `MATCH ? AND
-- site_id = ?` collected every shop's rows containing the words and then dropped the others'.
-- Each row now carries its site as one indexed token, site_key = 's' || lower(hex(site_id)):
-- only letters and digits, so the unicode61 tokenizer keeps it whole. (A raw id would be split at
-- "_" and "-": the phrase for "site_a" would also match "site_a_b".) Queries name site_key and
-- restrict the words to the text column. Existing rows are copied.
CREATE VIRTUAL TABLE message_search_by_site USING fts5(
  text,
  site_key,
  site_id UNINDEXED,
  conversation_id UNINDEXED,
  seq UNINDEXED,
  kind UNINDEXED,
  created_at UNINDEXED,
  tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO message_search_by_site (text, site_key, site_id, conversation_id, seq, kind, created_at)
  SELECT text, 's' || lower(hex(site_id)), site_id, conversation_id, seq, kind, created_at FROM message_search;
DROP TABLE message_search;
ALTER TABLE message_search_by_site RENAME TO message_search;
