"""/healthz: 200 when the database and broker answer, 503 naming the failing check, no secrets."""

import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthy(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_database_down_is_503_without_detail(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("password=hunter2 host=db.internal")

    monkeypatch.setattr(connection, "cursor", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "failing"
    assert "hunter2" not in response.content.decode()


@pytest.mark.django_db
def test_broker_down_is_503(client, monkeypatch):
    from mappa_tracker.celery import app

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("redis://:secret@redis:6379/0")

    monkeypatch.setattr(app, "connection_for_write", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "failing"
    assert "secret" not in response.content.decode()


def test_post_is_refused(client):
    assert client.post("/healthz").status_code == 405
