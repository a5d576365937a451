"""Stored text-search vectors for the national search (PostgreSQL only).

Migration 0002 indexed the expression `to_tsvector('english', text)`. A GIN index finds the rows
that hold every word, but a phrase ("training and refresher") must then be checked against the
words' positions in each row, and with an expression index that means parsing each candidate's
text again; when the planner judged a phrase common it walked the newest rows parsing every one
(2.6 s at ten times the national data). A generated, stored `search_vector` column holds the parsed
text with its positions, so checking and ranking read it instead of parsing, and the GIN index is
built on it. PostgreSQL keeps the column up to date on every insert and update; the model state
does not know the column (the ORM never reads it but through national.search). On SQLite (FTS5
tables, migration 0003) this does nothing.
"""

from django.db import migrations

TABLES = {
    "recommendations_progressupdate": "national_progressupdate_fts",
    "responses_responsesection": "national_responsesection_fts",
}
EXPRESSION = "to_tsvector('english'::regconfig, COALESCE(text, ''::text))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index in TABLES.items():
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_vector tsvector "
            f"GENERATED ALWAYS AS ({EXPRESSION}) STORED"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin (search_vector)")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index in TABLES.items():
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_vector")
        schema_editor.execute(f"CREATE INDEX {index} ON {table} USING gin ({EXPRESSION})")


class Migration(migrations.Migration):
    dependencies = [
        ("national", "0005_pack_render"),
        ("recommendations", "0001_initial"),
        ("responses", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
