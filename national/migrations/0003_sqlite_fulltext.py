"""FTS5 full-text tables for the national search on SQLite (the embedded default).

On PostgreSQL this does nothing: migration 0002's GIN indexes serve the search there.
See national/fts.py for the tables and the triggers that keep them in step.
"""

from django.db import migrations


def create(apps, schema_editor):
    from national import fts

    fts.ensure(schema_editor.connection)


def drop(apps, schema_editor):
    from national import fts

    fts.drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("national", "0002_fulltext_indexes"),
        ("recommendations", "0001_initial"),
        ("responses", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
