"""The SQLite FTS5 tables of the national search, and the triggers that keep them in step.

External-content FTS5 tables over the progress update and response section texts, with the
Porter stemmer (as PostgreSQL's English configuration stems). Triggers cover every writer
(services, imports, the API) without code of their own. SQLite drops a table's triggers when a
migration rebuilds the table, so `ensure` also runs after every `migrate` (see apps.py) and
rebuilds the index whenever it had to put a trigger back. PostgreSQL uses GIN indexes instead.
"""

TABLES = {
    "national_update_fts": "recommendations_progressupdate",
    "national_section_fts": "responses_responsesection",
}


def _triggers(fts: str, table: str) -> dict:
    # Names come from TABLES above, never from input.
    return {
        f"{fts}_ai": f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END",
        f"{fts}_ad": f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); END",
        f"{fts}_au": f"CREATE TRIGGER {fts}_au AFTER UPDATE OF text ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END",  # noqa: S608
    }


def ensure(connection) -> bool:
    """Create what is missing (SQLite only); True if anything was (re)built."""
    if connection.vendor != "sqlite":
        return False
    built = False
    with connection.cursor() as cursor:
        existing = {
            row[0]
            for row in cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        }
        for fts, table in TABLES.items():
            if table not in existing:
                continue
            missing = fts not in existing
            if missing:
                cursor.execute(
                    f"CREATE VIRTUAL TABLE {fts} USING fts5(text, content='{table}', "
                    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')"
                )
            for name, sql in _triggers(fts, table).items():
                if name not in existing:
                    cursor.execute(sql)
                    missing = True
            if missing:
                cursor.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")  # noqa: S608
                built = True
    return built


def drop(connection) -> None:
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for fts, table in TABLES.items():
            for name in _triggers(fts, table):
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(f"DROP TABLE IF EXISTS {fts}")
