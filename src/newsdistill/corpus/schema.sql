-- newsdistill corpus store (SQLite, WAL). Every statement is idempotent.
CREATE TABLE IF NOT EXISTS inputs (
    input_id TEXT PRIMARY KEY,          -- path, WARC record or JSONL line the page came from
    raw_hash TEXT NOT NULL,             -- sha256 of the raw bytes: same input, same bytes = seen
    status TEXT NOT NULL,               -- 'stored' | 'duplicate' | 'skipped'
    reason TEXT,
    article_id INTEGER,
    ingested_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE INDEX IF NOT EXISTS inputs_raw_hash ON inputs(raw_hash);
-- an article's inputs: without it, giving an old store its appearances read every input per article
CREATE INDEX IF NOT EXISTS inputs_article ON inputs(article_id) WHERE article_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    content_hash TEXT NOT NULL UNIQUE,  -- sha256 of the clean text
    url TEXT, outlet TEXT, title TEXT, published TEXT, language TEXT,
    text TEXT NOT NULL,
    record BLOB NOT NULL,               -- the full Article JSON, zlib-compressed
    duplicate_of INTEGER REFERENCES articles(id),
    story_id INTEGER REFERENCES stories(id),
    ingested_at TEXT NOT NULL DEFAULT (datetime('now'))
);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts
    USING fts5(title, text, content='articles', content_rowid='id');
CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
END;
CREATE INDEX IF NOT EXISTS articles_story ON articles(story_id);
-- A story page lists its articles by date (undated last) and counts them, their outlets and copies: both from
-- index entries alone, so a story of 100,000 articles costs tens of milliseconds, not a read of every row.
CREATE INDEX IF NOT EXISTS articles_story_order ON articles(story_id, published IS NULL, published, id);
CREATE INDEX IF NOT EXISTS articles_story_summary ON articles(story_id, outlet, published, duplicate_of);
CREATE INDEX IF NOT EXISTS articles_duplicate_of ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;
-- Every input that yielded an article, identical copies included (corpus/appearances.py).
CREATE TABLE IF NOT EXISTS appearances (
    id INTEGER PRIMARY KEY,
    input_id TEXT UNIQUE,               -- null only for an article whose input a later ingest replaced
    article_id INTEGER NOT NULL REFERENCES articles(id),
    outlet TEXT,                        -- the URL's host (a known outlet's name), else the article's outlet
    url TEXT, title TEXT,
    published TEXT,                     -- as written; dates before 1990 or in the future do not order
    credited_outlet TEXT,               -- the outlet this copy credits
    credited_appearance INTEGER REFERENCES appearances(id),  -- that outlet's appearance, when stored
    outlet_key TEXT, credited_key TEXT, -- outlet names compared ('Daily Mail' = dailymail.co.uk)
    ingested_at TEXT NOT NULL DEFAULT (datetime('now'))
);
-- A group's appearances by outlet, and its copies still waiting for the outlet they credit.
CREATE INDEX IF NOT EXISTS appearances_outlet ON appearances(article_id, outlet_key);
CREATE INDEX IF NOT EXISTS appearances_waiting ON appearances(article_id, credited_key)
    WHERE credited_key IS NOT NULL AND credited_appearance IS NULL;
CREATE TABLE IF NOT EXISTS signatures (article_id INTEGER PRIMARY KEY, sig BLOB NOT NULL);
-- One posting per LSH band of each article (neardup.band_keys). Stores from before kept text keys in a
-- `bands` table; they are numbered again from the stored signatures on open (Store._number_bands).
CREATE TABLE IF NOT EXISTS band_postings (
    key INTEGER NOT NULL, article_id INTEGER NOT NULL, PRIMARY KEY (key, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS entities (id INTEGER PRIMARY KEY, name TEXT NOT NULL, type TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entity_aliases (
    alias TEXT NOT NULL, type TEXT NOT NULL, entity_id INTEGER NOT NULL, PRIMARY KEY (alias, type)
);
CREATE TABLE IF NOT EXISTS surnames (
    surname TEXT NOT NULL, entity_id INTEGER NOT NULL, PRIMARY KEY (surname, entity_id)
);
-- What articles call a person ('US Secretary of State', 'chair of the school board'), one row per article.
CREATE TABLE IF NOT EXISTS entity_descriptors (
    entity_id INTEGER NOT NULL, descriptor TEXT NOT NULL, article_id INTEGER NOT NULL,
    PRIMARY KEY (entity_id, descriptor, article_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS attributions (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    entity_id INTEGER REFERENCES entities(id),
    speaker TEXT, cue TEXT, content TEXT NOT NULL, kind TEXT, medium TEXT
);
CREATE INDEX IF NOT EXISTS attributions_entity ON attributions(entity_id);
-- embedding: the members' mean sentence embedding, float32 (corpus/embeddings.py); added on open to older stores.
CREATE TABLE IF NOT EXISTS stories (
    id INTEGER PRIMARY KEY, title TEXT, centroid TEXT NOT NULL, size INTEGER NOT NULL,
    first_published TEXT, last_published TEXT, embedding BLOB
);
CREATE INDEX IF NOT EXISTS stories_size ON stories(size DESC, id);
CREATE TABLE IF NOT EXISTS story_terms (
    term TEXT NOT NULL, story_id INTEGER NOT NULL, PRIMARY KEY (term, story_id)
);
-- A story's terms are replaced each time its centroid moves: without this, that delete scans the whole table.
CREATE INDEX IF NOT EXISTS story_terms_story ON story_terms(story_id);
CREATE TABLE IF NOT EXISTS terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
-- Quotes tracked across articles (corpus/quotes.py): every attribution is a mention of one quote.
CREATE TABLE IF NOT EXISTS quotes (
    id INTEGER PRIMARY KEY,
    entity_id INTEGER REFERENCES entities(id),  -- the first known speaker
    speaker TEXT,                       -- as first written by an article naming the speaker
    speaker_key TEXT,                   -- 'e<entity>', 'n<name>' or 'd<description>'; null: only pronouns
    text TEXT NOT NULL,                 -- its fullest wording
    mentions INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS quote_variants (
    quote_id INTEGER NOT NULL,
    form TEXT NOT NULL,                 -- the words, case and punctuation dropped: one wording
    text TEXT NOT NULL,                 -- as first written
    words TEXT NOT NULL,                -- its stemmed content words, for scoring candidates
    first_attribution INTEGER NOT NULL,
    speaker_key TEXT,                   -- this wording's speaker (as quotes.speaker_key); null: a pronoun
    PRIMARY KEY (quote_id, form)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS quote_mentions (
    attribution_id INTEGER PRIMARY KEY, quote_id INTEGER NOT NULL, article_id INTEGER NOT NULL, act TEXT
);
CREATE INDEX IF NOT EXISTS quote_mentions_quote ON quote_mentions(quote_id, article_id);
-- A quote merged into another keeps its id here, so links to it still lead to the quote it joined.
CREATE TABLE IF NOT EXISTS quote_aliases (old_id INTEGER PRIMARY KEY, quote_id INTEGER NOT NULL);
-- Candidate lookup: pairs of content words and adjacent word pairs holding one (phrase keys) -> quotes, read newest first per key.
CREATE TABLE IF NOT EXISTS quote_keys (
    key INTEGER NOT NULL, quote_id INTEGER NOT NULL, PRIMARY KEY (key, quote_id)
) WITHOUT ROWID;
