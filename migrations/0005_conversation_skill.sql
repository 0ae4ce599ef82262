-- The skill a visitor's topic asks for, so routing can prefer operators who have it.
ALTER TABLE conversations ADD COLUMN skill TEXT;
