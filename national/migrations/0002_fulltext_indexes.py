"""GIN expression indexes for the national full-text search (PostgreSQL only).

The expression is exactly what `SearchVector("text", config="english")` compiles to, so the
planner uses the index for `... @@ websearch_to_tsquery('english', ...)`. The indexes live on
other apps' tables, so this is SQL outside the model state; on SQLite it does nothing.
"""

from django.db import migrations

INDEXES = {
    "national_progressupdate_fts": "recommendations_progressupdate",
    "national_responsesection_fts": "responses_responsesection",
}


def create_sql(name, table):
    return (
        f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
        "USING gin (to_tsvector('english'::regconfig, COALESCE(text, ''::text)))"
    )


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table in INDEXES.items():
        schema_editor.execute(create_sql(name, table))


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("national", "0001_initial"),
        ("recommendations", "0001_initial"),
        ("responses", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
