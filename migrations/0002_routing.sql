-- Routing: how many chats each operator takes at once and what they are good at, and the
-- last operator reply of each conversation (re-assignment when nobody answers).

-- Maximum parallel chats for this operator on this site.
ALTER TABLE memberships ADD COLUMN max_chats INTEGER NOT NULL DEFAULT 5;
-- JSON array of skills, e.g. ["payments","returns","pl"].
ALTER TABLE memberships ADD COLUMN skills TEXT NOT NULL DEFAULT '[]';

ALTER TABLE conversations ADD COLUMN last_operator_reply_at INTEGER;
