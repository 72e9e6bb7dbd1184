"""The full-text indexes of articles, built from the search terms the server writes
with each article (server/knowledge/terms.py), one term per space-separated word.

SQLite: an external-content FTS5 table over the three term columns, row id the
article's number (a plain rowid may change on VACUUM), kept in step by triggers;
the ``ascii`` tokenizer splits on spaces only (non-ASCII bytes are word
characters), so it indexes exactly the server's terms. PostgreSQL: generated
tsvectors of the terms, taken as lexemes without a parser: one of all three
columns with a GIN index, which finds the articles, and one per column, which
scores them (server/knowledge/search.py); stored, not concatenated per row, which
made a scan of many matching rows several times slower. Both engines therefore
hold the same terms and answer a query the same.
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-28T13:58:41:000000"
VERSION = "1.38.0"
DESCRIPTION = "full-text search of articles; one link and one vote per pair"

COMMON = [
    "CREATE UNIQUE INDEX knowledge_article_service_item_once "
    "ON knowledge_article_service_item (article, service_item)",
    'CREATE UNIQUE INDEX knowledge_feedback_once ON knowledge_feedback (article, "user")',
    "INSERT INTO counter (name, value) VALUES ('knowledge_article', 0)",
]

TERMS = "title_terms, tag_terms, body_terms"
OLD = f"INSERT INTO knowledge_article_fts (knowledge_article_fts, rowid, {TERMS}) VALUES ('delete', old.number, old.title_terms, old.tag_terms, old.body_terms);"
NEW = f"INSERT INTO knowledge_article_fts (rowid, {TERMS}) VALUES (new.number, new.title_terms, new.tag_terms, new.body_terms);"

SQLITE = [
    f"CREATE VIRTUAL TABLE knowledge_article_fts USING fts5({TERMS}, "
    "content='knowledge_article', content_rowid='number', tokenize='ascii')",
    f"CREATE TRIGGER knowledge_article_fts_insert AFTER INSERT ON knowledge_article BEGIN {NEW} END",
    f"CREATE TRIGGER knowledge_article_fts_delete AFTER DELETE ON knowledge_article BEGIN {OLD} END",
    f"CREATE TRIGGER knowledge_article_fts_update AFTER UPDATE OF number, {TERMS} "
    f"ON knowledge_article BEGIN {OLD} {NEW} END",
]

POSTGRES = [
    "ALTER TABLE knowledge_article "
    "ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (array_to_tsvector("
    "string_to_array(title_terms, ' ') || string_to_array(tag_terms, ' ') "
    "|| string_to_array(body_terms, ' '))) STORED, "
    "ADD COLUMN title_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(title_terms, ' '))) STORED, "
    "ADD COLUMN tag_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(tag_terms, ' '))) STORED, "
    "ADD COLUMN body_vector tsvector GENERATED ALWAYS AS "
    "(array_to_tsvector(string_to_array(body_terms, ' '))) STORED",
    "CREATE INDEX knowledge_article_search ON knowledge_article USING gin (search_vector)",
]


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="knowledge", description=DESCRIPTION)

    async def run() -> None:
        engine = engine_finder()
        assert engine is not None, "piccolo_conf defines no engine"
        for statement in COMMON + (SQLITE if engine.engine_type == "sqlite" else POSTGRES):
            await engine.run_ddl(statement)

    manager.add_raw(run)
    return manager
