"""The embedded default's broker writes each message whole before a worker can see it
(mappa_tracker.broker): kombu's own transport let a worker take a file still being written."""

from kombu import Connection

from mappa_tracker import broker


def _connection(tmp_path):
    for sub in ("queue", "processed", "control"):
        (tmp_path / sub).mkdir(exist_ok=True)
    return Connection(
        "filesystem://",
        transport_options={
            "data_folder_in": str(tmp_path / "queue"),
            "data_folder_out": str(tmp_path / "queue"),
            "processed_folder": str(tmp_path / "processed"),
            # Without it kombu keeps its exchange table in control/ under the working directory.
            "control_folder": str(tmp_path / "control"),
        },
    )


def test_filesystem_urls_get_the_projects_transport(tmp_path):
    with _connection(tmp_path) as connection:
        assert isinstance(connection.transport, broker.Transport)


def test_a_message_being_written_is_not_taken_and_a_written_one_is(tmp_path):
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("jobs")
        # A writer caught half-way: the file under the partial name, not yet renamed into place.
        (tmp_path / "queue" / f"{broker.PARTIAL}1_x.jobs.msg").write_bytes(b'{"body": ')
        queue.put({"job": 1})
        message = queue.get(timeout=2)
        assert message.payload == {"job": 1}
        message.ack()
        assert queue.qsize() == 0
        queue.close()
    assert [p.name for p in (tmp_path / "queue").iterdir() if p.name.endswith(".jobs.msg")] == [
        f"{broker.PARTIAL}1_x.jobs.msg"
    ]


def test_the_message_file_appears_only_once_complete(tmp_path, monkeypatch):
    # Another queue name than the test above: kombu remembers bindings per process, not per folder.
    import json
    import os

    seen = []
    real_replace = os.replace

    def spy(source, target):
        visible = [p.name for p in (tmp_path / "queue").iterdir() if p.name.endswith(".reports.msg")]
        seen.append((visible, json.loads(open(source, "rb").read())))  # noqa: SIM115
        real_replace(source, target)

    monkeypatch.setattr(broker.os, "replace", spy)
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("reports")
        queue.put({"report": 2})
        queue.close()
    [(visible, written)] = seen
    assert [name for name in visible if not name.startswith(broker.PARTIAL)] == []  # none yet
    assert written["body"]  # the whole message was in the file before it was renamed into place
