"""The national access log's commit (a transactional test: this module does not share a world)."""

import pytest


@pytest.mark.django_db(transaction=True)
def test_the_access_log_does_not_wait_for_the_disk_but_never_changes_a_larger_transaction():
    """Only the entry's own transaction commits without waiting (PostgreSQL); inside a larger
    transaction the entry is written as part of it, whose commit is left as it is."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from national.models import AccessLog
    from national.services import log_access

    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    with CaptureQueriesContext(connection) as alone:
        log_access(None, AccessLog.Action.DASHBOARD, path="/national/")
    with CaptureQueriesContext(connection) as nested, transaction.atomic():
        log_access(None, AccessLog.Action.DASHBOARD, path="/national/")
    assert any("synchronous_commit" in q["sql"] for q in alone.captured_queries)
    assert not any("synchronous_commit" in q["sql"] for q in nested.captured_queries)
    assert AccessLog.objects.filter(path="/national/").count() == 2
