"""One writer per model: each change goes through the service that owns the model, whatever the door.

Three checks:
- each rule about a record is driven through every door (page, API, import) and gives the same
  outcome (parametrised over the doors);
- while a door runs, every save, create, bulk write, queryset update/delete and many-to-many change
  is caught and the code that asked for it must be the model's owning service (a runtime check, so
  renaming a function or hiding a write behind a helper cannot fool it);
- no module of views, the API, imports or tasks calls a model write at all (an AST scan), and the
  project has no import cycle, counting imports inside functions.
"""

import ast
import csv
import io
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Model, QuerySet
from django.db.models.signals import m2m_changed
from django.urls import reverse

from recommendations.models import DueDateExtension, Owner, ProgressUpdate, Record
from recommendations.services import add_progress_update
from spreadsheets.models import ImportJob

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

ROOT = Path(settings.BASE_DIR)
Kind = ProgressUpdate.Kind
Status = Record.Status

# Every model of the project and the module(s) allowed to write it. A new model must be listed
# here (test_every_model_names_its_writer), so the map stays the README's map of who owns what.
WRITERS = {
    "accounts.User": {
        "accounts.services",
        "accounts.forms",
        "accounts.demo",
        "accounts.twofactor",
        "accounts.people",
    },
    "audit.AuditEvent": {"audit.services", "audit.signals"},
    "forces.Force": {"forces.services", "forces.demo"},
    "forces.Membership": {"forces.services", "forces.demo"},
    "forces.ForceUserObjectPermission": {"forces.services", "forces.demo"},
    "forces.ForceGroupObjectPermission": {"forces.services", "forces.demo"},
    "accounts.User_groups": {"accounts.services", "accounts.demo"},
    "accounts.User_user_permissions": {"accounts.services", "accounts.demo"},
    "national.AccessLog": {"national.services"},
    "national.PackRender": {"national.services"},
    "national.SavedView": {"national.services"},
    "outbox.OutboxTask": {"outbox.services"},
    "recommendations.Inspection": {"recommendations.services", "recommendations.demo"},
    "recommendations.Addressee": {"recommendations.services", "recommendations.demo"},
    "recommendations.Recommendation": {"recommendations.services", "recommendations.demo"},
    # The seed loader adds records and owners through the services, so that the timeline says so.
    "recommendations.Record": {"recommendations.services"},
    "recommendations.Record_owners": {"recommendations.services"},
    "recommendations.Recommendation_addressees": {"recommendations.services", "recommendations.demo"},
    "recommendations.Owner": {"recommendations.services"},
    "recommendations.ProgressUpdate": {"recommendations.services"},
    "recommendations.Attachment": {"recommendations.services"},
    "recommendations.DueDateExtension": {"recommendations.services"},
    "reminders.ForceReminderSettings": {"reminders.services"},
    "reminders.ReminderSent": {"reminders.services"},
    "responses.Response": {"responses.services", "responses.demo"},
    "responses.ResponseVersion": {"responses.services", "responses.demo"},
    "responses.ResponseSection": {"responses.services", "responses.demo"},
    "responses.LetterRender": {"responses.services", "responses.demo"},
    "responses.ResponseCopy": {"responses.services"},
    "responses.CopySent": {"responses.services"},
    "spreadsheets.ImportJob": {"spreadsheets.services"},
    "accounts.PasswordResetRequest": {"accounts.reset"},
    # Invitations are made, sent, accepted and cancelled by accounts.people only; a force's identity
    # provider is kept by administrators in the Django admin.
    "accounts.Invitation": {"accounts.people"},
    "accounts.IdentityProvider": {"accounts.admin"},
    "forces.OfficeHolding": {"forces.services", "forces.demo"},
    "responses.Letterhead": {"responses.services"},
    "responses.Signature": {"responses.services"},
    "history.DocumentBatch": {"history.services"},
    "history.DocumentImport": {"history.services"},
    "history.ImportedAnswer": {"history.services"},
}
PROJECT = {label.split(".")[0] for label in WRITERS} | {"api", "frontend", "mappa_tracker"}


def _label(model) -> str:
    label = model._meta.label
    app, _dot, name = label.partition(".")
    if name.startswith("Historical"):  # simple-history's copy, written with the model it copies
        name = name.removeprefix("Historical")
    return f"{app}.{name}"


def _writer() -> str:
    """The project module nearest to the write: not Django, not a library, not the model's own
    methods (a model's save() delegating to super() is not who asked for the write)."""
    frame = sys._getframe(2)
    while frame is not None:
        module = frame.f_globals.get("__name__", "")
        top = module.split(".")[0]
        if top in PROJECT and not module.endswith(".models"):
            return module
        frame = frame.f_back
    return "<no project code>"


@pytest.fixture
def writes(monkeypatch):
    """Every model write made while the test runs, as (model label, module that asked for it)."""
    seen: list[tuple[str, str]] = []

    def note(model):
        if model._meta.app_label in PROJECT:
            seen.append((_label(model), _writer()))

    real_save_base, real_update, real_bulk, real_delete = (
        Model.save_base,
        QuerySet.update,
        QuerySet.bulk_create,
        QuerySet.delete,
    )

    def save_base(self, *args, **kwargs):
        note(type(self))
        return real_save_base(self, *args, **kwargs)

    def update(self, **kwargs):
        note(self.model)
        return real_update(self, **kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        note(self.model)
        return real_bulk(self, objs, *args, **kwargs)

    def delete(self):
        note(self.model)
        return real_delete(self)

    def m2m(sender, action, **kwargs):
        if action.startswith("pre_"):
            note(sender)

    monkeypatch.setattr(Model, "save_base", save_base)
    monkeypatch.setattr(QuerySet, "update", update)
    monkeypatch.setattr(QuerySet, "bulk_create", bulk_create)
    monkeypatch.setattr(QuerySet, "delete", delete)
    m2m_changed.connect(m2m, weak=False, dispatch_uid="one-writer-test")
    yield seen
    m2m_changed.disconnect(dispatch_uid="one-writer-test")


# Django's own bookkeeping, asked for by no project code: signing in sets the user's last_login.
DJANGO_OWN = {("accounts.User", "<no project code>")}


def assert_owned(seen):
    strays = sorted(
        {(label, who) for label, who in seen if who not in WRITERS.get(label, set())} - DJANGO_OWN
    )
    assert not strays, f"Models written outside their service: {strays}"


# --- The doors ---------------------------------------------------------------------------------


def _csv(headers, rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode()


def via_page(client, world, record, *, text, status=""):
    url = reverse("recommendations:update-create", kwargs={"force_slug": "gwent", "pk": record.pk})
    return client.post(url, {"text": text, "status": status, "version": record.version})


def via_api(client, world, record, *, text, status=""):
    body = {"text": text, "expected_version": record.version}
    if status:
        body["status"] = status
    return client.post(
        f"/api/forces/gwent/records/{record.pk}/updates/", body, content_type="application/json"
    )


STATUS_WORDS = {"": "", **{value: label for value, label in Status.choices}}


def via_import(client, world, record, *, text, status="", owner="", due=""):
    headers = ["Recommendation", "Owner", "Due date", "Progress", "Status"]
    row = [str(record.recommendation.number), owner, due, text, str(STATUS_WORDS[status])]
    upload = SimpleUploadedFile("progress.csv", _csv(headers, [row]), content_type="text/csv")
    url = reverse("spreadsheets:progress-import", kwargs={"force_slug": "gwent"})
    response = client.post(url, {"inspection": world.inspection.pk, "file": upload})
    job = ImportJob.objects.order_by("-pk").first()
    if job is not None and job.status == ImportJob.Status.PREVIEWED:
        return client.post(job.get_absolute_url())
    return response


DOORS = {"page": via_page, "api": via_api, "import": via_import}


@pytest.fixture(params=sorted(DOORS))
def door(request):
    return DOORS[request.param]


def _fresh(world) -> Record:
    """Gwent's record of recommendation 18, with no status step taken yet."""
    record = world.record(world.gwent, 18)
    if record.status != Status.IN_PROGRESS:
        add_progress_update(
            record, author=None, text="Work started.", status=Status.IN_PROGRESS, access=_system(record)
        )
    record.refresh_from_db()
    return record


def _system(record):
    from recommendations.services import system_access

    return system_access(record.force)


def _awaiting(world, staff) -> Record:
    record = _fresh(world)
    add_progress_update(record, author=staff, text="Implemented.", status=Status.AWAITING_SIGN_OFF)
    record.refresh_from_db()
    return record


def test_a_sign_off_request_is_the_same_through_every_door(door, world, gwent_staff, client_for, writes):
    record = _fresh(world)
    door(client_for(gwent_staff), world, record, text="All areas audited.", status=Status.AWAITING_SIGN_OFF)
    record.refresh_from_db()
    assert record.status == Status.AWAITING_SIGN_OFF
    assert record.latest_update.kind == Kind.CLOSURE_REQUESTED
    assert record.latest_update.author == gwent_staff
    assert_owned(writes)


def test_a_withdrawal_is_a_withdrawal_through_every_door(door, world, gwent_staff, client_for, writes):
    record = _awaiting(world, gwent_staff)
    door(client_for(gwent_staff), world, record, text="Not yet: one area left.", status=Status.IN_PROGRESS)
    record.refresh_from_db()
    assert record.status == Status.IN_PROGRESS
    assert record.latest_update.kind == Kind.WITHDRAWN
    assert record.latest_update.get_kind_display() == "Sign-off request withdrawn"
    assert_owned(writes)


def test_a_chief_officer_moving_it_back_is_a_return_through_every_door(
    door, world, gwent_staff, gwent_chief, client_for, writes
):
    record = _awaiting(world, gwent_staff)
    door(
        client_for(gwent_chief), world, record, text="Evidence missing for area 3.", status=Status.IN_PROGRESS
    )
    record.refresh_from_db()
    assert record.status == Status.IN_PROGRESS
    assert record.latest_update.kind == Kind.RETURNED
    assert_owned(writes)


# What each door answers when OPCC staff try to sign off: the page shows its form again with the
# error (the status is not offered), the API refuses with 403, the upload goes to its job's page
# (302) and the job "has problems", so there is nothing to confirm.
REFUSED_SIGN_OFF = {"page": 200, "api": 403, "import": 302}


def test_staff_cannot_sign_off_through_any_door(door, world, gwent_staff, client_for, writes):
    record = _awaiting(world, gwent_staff)
    before = (record.version, record.status, ProgressUpdate.objects.count())
    response = door(client_for(gwent_staff), world, record, text="Done.", status=Status.COMPLETE)
    name = next(n for n, d in DOORS.items() if d is door)
    assert response.status_code == REFUSED_SIGN_OFF[name]
    if name == "import":
        assert ImportJob.objects.order_by("-pk").first().status == ImportJob.Status.INVALID
    record.refresh_from_db()
    assert (record.version, record.status, ProgressUpdate.objects.count()) == before
    assert_owned(writes)


OWNER_DOORS = ["page", "import"]  # the API adds owners but does not set a record's owners


@pytest.mark.parametrize("door_name", OWNER_DOORS)
def test_owners_set_write_the_same_timeline_entry_through_every_door(
    door_name, world, gwent_staff, client_for, writes
):
    record = _fresh(world)
    client = client_for(gwent_staff)
    if door_name == "page":
        owner = Owner.objects.create(force=world.gwent, role_title="Head of Public Protection")
        writes.clear()  # the set-up above is not a door
        url = reverse("recommendations:record-owners", kwargs={"force_slug": "gwent", "pk": record.pk})
        existing = list(record.owners.values_list("pk", flat=True))
        client.post(url, {"owners": [*existing, owner.pk], "version": record.version})
    else:
        via_import(client, world, record, text="", owner="Head of Public Protection")
    record.refresh_from_db()
    assert "Head of Public Protection" in {o.role_title for o in record.owners.all()}
    entry = record.updates.order_by("-created_at", "-pk").first()
    assert entry.kind == Kind.OWNERS_CHANGED and entry.author == gwent_staff
    assert "Head of Public Protection" in entry.text and entry.text.startswith("Owners: ")
    assert_owned(writes)


@pytest.mark.parametrize("door_name", ["page", "import"])  # the API has no due-date door
def test_a_new_due_date_is_an_extension_request_through_every_door(
    door_name, world, gwent_staff, client_for, writes
):
    record = _fresh(world)
    due_before = record.current_due_on
    client = client_for(gwent_staff)
    if door_name == "page":
        url = reverse("recommendations:extension-create", kwargs={"force_slug": "gwent", "pk": record.pk})
        client.post(
            url,
            {
                "new_due_on": "2030-12-31",
                "reason": "Due date in the imported file “progress.csv”.",
                "version": record.version,
            },
        )
    else:
        via_import(client, world, record, text="", due="31/12/2030")
    record.refresh_from_db()
    assert record.current_due_on == due_before  # only a chief officer's decision moves it
    extension = DueDateExtension.objects.get(record=record)
    assert extension.is_pending and extension.new_due_on.isoformat() == "2030-12-31"
    assert extension.requested_by == gwent_staff
    assert record.latest_update.kind == Kind.EXTENSION_REQUESTED
    assert_owned(writes)


def test_an_owner_added_through_the_api_is_saved_by_save_owner(world, gwent_staff, client_for, writes):
    response = client_for(gwent_staff).post(
        "/api/forces/gwent/owners/", {"role_title": "Force lead"}, content_type="application/json"
    )
    assert response.status_code == 201
    assert Owner.objects.filter(force=world.gwent, role_title="Force lead").exists()
    assert ("recommendations.Owner", "recommendations.services") in writes
    assert_owned(writes)


# Whose words an update is and which document it comes from: the same through every door.
SOURCE = {
    "voice": "officer_for_chief",
    "author_name": "T/ACC Richard Ocone",
    "source_document": "Constabulary's table of progress",
    "source_dated": "2022-09-02",
}


def _with_source(door_name, client, world, record, source):
    text = "Training delivered to all MOSOVO officers."
    if door_name == "page":
        url = reverse("recommendations:update-create", kwargs={"force_slug": "gwent", "pk": record.pk})
        return client.post(url, {"text": text, "version": record.version, **source})
    if door_name == "api":
        return client.post(
            f"/api/forces/gwent/records/{record.pk}/updates/",
            {"text": text, "expected_version": record.version, **source},
            content_type="application/json",
        )
    headers = [
        "Recommendation",
        "Progress",
        "Whose words",
        "Named person",
        "Source document",
        "Document date",
    ]
    words = {"officer_for_chief": "Officer for the chief officer", "": ""}[source["voice"]]
    dated = source["source_dated"] and "/".join(reversed(source["source_dated"].split("-")))
    row = [
        str(record.recommendation.number),
        text,
        words,
        source["author_name"],
        source["source_document"],
        dated,
    ]
    upload = SimpleUploadedFile("progress.csv", _csv(headers, [row]), content_type="text/csv")
    url = reverse("spreadsheets:progress-import", kwargs={"force_slug": "gwent"})
    response = client.post(url, {"inspection": world.inspection.pk, "file": upload})
    job = ImportJob.objects.order_by("-pk").first()
    if job is not None and job.status == ImportJob.Status.PREVIEWED:
        return client.post(job.get_absolute_url())
    return response


@pytest.mark.parametrize("door_name", ["page", "api", "import"])
def test_whose_words_and_which_document_are_recorded_through_every_door(
    door_name, world, gwent_staff, client_for, writes
):
    record = _fresh(world)
    client = client_for(gwent_staff)
    _with_source(door_name, client, world, record, SOURCE)
    record.refresh_from_db()
    entry = record.updates.order_by("-created_at", "-pk").first()
    assert entry.text == "Training delivered to all MOSOVO officers."
    assert entry.voice == ProgressUpdate.Voice.OFFICER_FOR_CHIEF
    assert entry.author_name == "T/ACC Richard Ocone" and entry.author == gwent_staff
    assert entry.source_document == "Constabulary's table of progress"
    assert entry.source_dated.isoformat() == "2022-09-02"
    assert_owned(writes)
    page = client.get(record.get_absolute_url()).content.decode()
    assert (
        "An officer for the chief officer (T/ACC Richard Ocone), Constabulary&#x27;s table of progress, "
        "2 September 2022"
    ) in page


@pytest.mark.parametrize("door_name", ["page", "api", "import"])
@pytest.mark.parametrize(
    "bad",
    [
        {"author_name": ""},  # an officer for the chief officer must be named
        {"source_dated": "2022-07-01"},  # before the report was published
        {"source_dated": "2099-01-01"},  # in the future
    ],
    ids=["unnamed-officer", "before-report", "future"],
)
def test_a_bad_source_is_refused_through_every_door_and_nothing_is_saved(
    door_name, bad, world, gwent_staff, client_for
):
    record = _fresh(world)
    before = (record.version, ProgressUpdate.objects.count())
    answer = _with_source(door_name, client_for(gwent_staff), world, record, {**SOURCE, **bad})
    assert answer.status_code == {"page": 200, "api": 400, "import": 302}[door_name]
    if door_name == "import":
        assert ImportJob.objects.order_by("-pk").first().status == ImportJob.Status.INVALID
    record.refresh_from_db()
    assert (record.version, ProgressUpdate.objects.count()) == before


# The statutory acts: HMICFRS's closure and register reference (page, API), an inspection's last day
# (the administrators' page). Each writes through recommendations.services and nowhere else.


@pytest.mark.parametrize("door_name", ["page", "api"])
def test_hmicfrs_closure_is_written_by_the_record_service_through_every_door(
    door_name, world, gwent_staff, client_for, writes
):
    record = _fresh(world)
    client = client_for(gwent_staff)
    if door_name == "page":
        url = reverse("recommendations:hmicfrs-closure", kwargs={"force_slug": "gwent", "pk": record.pk})
        answer = client.post(
            url,
            {
                "closed_on": "2024-02-01",
                "reference": "HMI/2024/18",
                "basis": "Authorised for closure on the basis of the audit.",
                "register_reference": "MAPPA-18",
                "version": record.version,
            },
        )
        assert answer.status_code == 302
    else:
        answer = client.post(
            f"/api/forces/gwent/records/{record.pk}/hmicfrs-closure/",
            {
                "closed_on": "2024-02-01",
                "reference": "HMI/2024/18",
                "basis": "Authorised for closure on the basis of the audit.",
                "hmicfrs_reference": "MAPPA-18",
                "expected_version": record.version,
            },
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
    record.refresh_from_db()
    assert record.hmicfrs_closed_on.isoformat() == "2024-02-01"
    assert record.hmicfrs_reference == "MAPPA-18"
    assert record.latest_update.kind == Kind.HMICFRS_CLOSED
    assert ("recommendations.Record", "recommendations.services") in writes
    assert_owned(writes)


@pytest.mark.parametrize("door_name", ["page", "api"])
def test_the_register_reference_is_written_by_the_record_service_through_every_door(
    door_name, world, gwent_staff, client_for, writes
):
    record = _fresh(world)
    client = client_for(gwent_staff)
    if door_name == "page":
        url = reverse("recommendations:hmicfrs-reference", kwargs={"force_slug": "gwent", "pk": record.pk})
        answer = client.post(url, {"hmicfrs_reference": "MAPPA-18", "version": record.version})
        assert answer.status_code == 302
    else:
        answer = client.patch(
            f"/api/forces/gwent/records/{record.pk}/",
            {"hmicfrs_reference": "MAPPA-18", "expected_version": record.version},
            content_type="application/json",
        )
        assert answer.status_code == 200, answer.content
    record.refresh_from_db()
    assert record.hmicfrs_reference == "MAPPA-18"
    assert ("recommendations.Record", "recommendations.services") in writes
    assert_owned(writes)


def test_an_inspections_last_day_is_written_by_the_record_service(world, admin_user, client_for, writes):
    url = reverse("inspections:last-day", kwargs={"slug": world.inspection.slug})
    answer = client_for(admin_user).post(
        url, {"response_due_override_on": "2022-09-08", "response_due_override_reason": "Published at 11pm."}
    )
    assert answer.status_code == 302
    world.inspection.refresh_from_db()
    assert world.inspection.response_due_on.isoformat() == "2022-09-08"
    assert ("recommendations.Inspection", "recommendations.services") in writes
    assert_owned(writes)


def test_the_seed_loader_adds_owners_through_the_owner_service(world, writes):
    """The seed's owners go on each record's timeline, as the page's do, dated as the document is."""
    from recommendations.demo import _read, load_inspection, load_seed_progress

    data = _read("mappa_inspection.json")
    data["inspection"] = {**data["inspection"], "slug": "mappa-2022-again"}
    inspection = load_inspection(data)
    writes.clear()  # the inspection above is set-up; the loader of answers is under test
    load_seed_progress(inspection)
    assert_owned(writes)
    entries = ProgressUpdate.objects.filter(
        record__recommendation__inspection=inspection, kind=Kind.OWNERS_CHANGED
    )
    assert entries.exists()
    staffordshire = entries.filter(force__slug="staffordshire")
    assert all(e.dated is None for e in staffordshire)  # its document is undated
    assert all(e.dated is not None for e in entries.exclude(force__slug="staffordshire"))
    for record in Record.objects.filter(recommendation__inspection=inspection, owners__isnull=False):
        assert record.updates.filter(kind=Kind.OWNERS_CHANGED).exists()


def test_the_guard_catches_a_write_outside_its_service(world, writes):
    """The runtime check is real: a save asked for by a view's code (here, code compiled as if it
    were recommendations.views) is reported, whatever the function is called."""
    namespace = {"__name__": "recommendations.views"}
    exec(compile("def anything(record):\n    record.save()\n", "views.py", "exec"), namespace)  # noqa: S102
    namespace["anything"](world.record(world.gwent))
    assert ("recommendations.Record", "recommendations.views") in writes
    with pytest.raises(AssertionError, match="outside their service"):
        assert_owned(writes)


# --- The map and the static checks -----------------------------------------------------------


def test_every_model_names_its_writer():
    models = {
        _label(m)
        for m in apps.get_models(include_auto_created=True)
        if m._meta.app_label in PROJECT and not m._meta.label.split(".")[1].startswith("Historical")
    }
    assert models - set(WRITERS) == set(), "a new model must say which service writes it"


WRITE_METHODS = {"save", "bulk_create", "bulk_update", "get_or_create", "update_or_create", "delete"}
MANAGER_WRITES = {"create", "update", "delete", "bulk_create", "get_or_create", "update_or_create"}


def _doors() -> list[Path]:
    """Modules that are doors, not owners: views, the API, the imports' row readers, and tasks."""
    found = [*ROOT.glob("*/views*.py"), *ROOT.glob("*/tasks.py")]
    found += [p for p in ROOT.glob("api/*.py") if p.name != "services.py"]
    found += [
        p for p in ROOT.glob("spreadsheets/*.py") if p.name not in {"services.py", "models.py", "admin.py"}
    ]
    return sorted(p for p in found if ".venv" not in p.parts)


def _chain(node) -> list[str]:
    names = []
    while isinstance(node, ast.Attribute | ast.Call):
        if isinstance(node, ast.Call):
            node = node.func
            continue
        names.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        names.append(node.id)
    return names


# Every method that writes a row, through a model, a QuerySet, a manager or a related manager.
DOOR_WRITES = WRITE_METHODS | MANAGER_WRITES | {"add", "set", "remove", "clear"}
# The few receivers in doors whose methods of those names are not row writes, each named in full so
# that any other receiver (a QuerySet kept in a variable, `record.updates`, `record.owners`) is
# caught: a renamed QuerySet is not on this list.
NOT_ROWS = {
    "context",  # a view's template context (a dict)
    "digest",  # hashlib: the SHA-256 of a published letter
    "self.recorded",  # sets of what a progress import has seen
    "self.refs",
    "book",  # an openpyxl workbook written to bytes
    "cache",  # Django's cache
}


def _door_writes(source: str) -> list[tuple[int, str]]:
    """(line, call) for every call in `source` that may write a row."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        if node.func.attr not in DOOR_WRITES:
            continue
        receiver = ".".join(reversed(_chain(node.func.value)))
        if receiver in NOT_ROWS:
            continue
        found.append((node.lineno, f"{receiver}.{node.func.attr}()"))
    return found


def test_views_api_imports_and_tasks_call_no_model_write():
    strays = [
        f"{path.relative_to(ROOT)}:{line} {call}"
        for path in _doors()
        for line, call in _door_writes(path.read_text(encoding="utf-8"))
    ]
    assert strays == [], strays


@pytest.mark.parametrize(
    "planted",
    [
        "Record._base_manager.filter(pk=1).update(status='x')",
        "qs = Record.objects.filter(pk=1)\nqs.update(status='x')",
        "record.updates.create(text='x')",
        "record.owners.add(owner)",
        "form.save()",
        "Owner.objects.get(pk=1).delete()",
    ],
)
def test_the_door_scan_cannot_be_fooled_by_a_variable_or_a_related_manager(planted):
    assert _door_writes(planted), planted


def _writes_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        method, receiver = node.func.attr, _chain(node.func.value)
        through_manager = "objects" in receiver or any(n in receiver for n in ("filter", "all", "exclude"))
        if method in WRITE_METHODS or (method in MANAGER_WRITES and through_manager):
            if any("storage" in name for name in receiver):  # a file written to storage, not a row
                continue
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{method}()")
    return found


@pytest.mark.parametrize("app", ["recommendations", "responses"])
def test_only_the_owning_modules_of_an_app_write_its_rows(app):
    """Beside services.py no module of the app writes a row (a second writer hides there as easily as
    in a view: the statutory record's writes once lived in a module of their own)."""
    owners = {module for writers in WRITERS.values() for module in writers if module.startswith(f"{app}.")}
    strays = []
    for path in sorted((ROOT / app).rglob("*.py")):
        rel = path.relative_to(ROOT)
        module = ".".join(rel.with_suffix("").parts)
        if "migrations" in rel.parts or module in owners or module == f"{app}.models":
            continue
        strays += _writes_in(path)
    assert strays == [], strays


def test_the_scan_sees_a_write():
    tree = ast.parse("Record.objects.filter(pk=1).update(status='x')\nrecord.save()\n")
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
    assert {"update", "save"} <= {c.func.attr for c in calls}


# --- No import cycles --------------------------------------------------------------------------

SKIP = {
    "tests",
    "migrations",
    "bench",
    ".venv",
    "venv",
    "node_modules",
    "var",
    "static",
    "templates",
    "locale",
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if any(part in SKIP for part in rel.parts):
            continue
        out[".".join(rel.with_suffix("").parts).removesuffix(".__init__")] = path
    return out


def _imports(name: str, path: Path, known) -> set[str]:
    """Every project module `name` imports, at the top or inside a function."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".") if package else []
                parts = parts[: len(parts) - node.level + 1] if node.level > 1 else parts
                base = ".".join(parts + ([base] if base else []))
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles_even_inside_functions():
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_cycle_check_finds_a_cycle():
    assert _cycles({"a.services": {"a.tasks"}, "a.tasks": {"a.services"}, "b": set()}) == [
        ["a.services", "a.tasks"]
    ]
