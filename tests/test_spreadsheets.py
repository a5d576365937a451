"""Spreadsheet imports and exports: preview, all-or-nothing commit, round trips, refusals."""

import csv
import io
import re
from datetime import date

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recommendations.models import Inspection, Owner, ProgressUpdate, Recommendation, Record
from spreadsheets.models import ImportJob

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

HEADERS = ["Recommendations", "Owner", "Timescale", "Progress"]

# The Gloucestershire table (seed 004), as their OPCC keeps it: number and text in one cell.
GLOUCESTERSHIRE = [
    [
        "The Probation Service, police forces, and prisons should ensure that:\nRecommendation 14\n"
        "Category 3 referrals are made to manage individuals who present a high risk of domestic abuse where "
        "formal multi-agency management and oversight through MAPPa would add value to the risk management plan",
        "Probation, Police forces and Prisons",
        "Within 12 months",
        "The Constabulary has processes in place for Category 3 referrals to be made to MAPPa, which are detailed "
        "on the Force intranet. As an interim measure, the MAPPa section of the Force intranet site is being "
        "updated to allow officers/staff to self-brief.",
    ],
    [
        "Recommendation 15\nThere is a comprehensive training strategy for all staff involved in the MAPPA process "
        "that fully utilises existing training packages",
        "Police forces",
        "Within 12 months",
        "The Constabulary have ensured that there is a training strategy in place for all staff involved in the "
        "MAPPA process, which has been arranged and overseen through the MAPPA Strategic Management Board "
        "Training plan. The training plan will require review in light of this publication and MAPPA guidance "
        "updates to ensure it remains relevant and 'fit for purpose'.",
    ],
    [
        "Police forces should ensure that:\nRecommendation 18\nAll MAPPA nominals managed at Levels 2 and 3 are "
        "allocated to a suitably trained police offender manager",
        "Police forces",
        "Within 12 months",
        "All category 1 registered sex offenders being managed at level 2 and 3 have a suitably trained "
        "Management of Sexual Offenders and Violent Offenders (MOSOVO) team offender manager allocated to them.",
    ],
    [
        "Recommendation 19\nWorkloads for staff managing sexual offenders are reviewed against national "
        "expectations and, where found to be excessive, take steps for mitigation and communicate this to "
        "affected staff.",
        "",
        "",
        "The Constabulary's Executive Board know and understand that staff working in the MOSOVO team are "
        "managing cohorts significantly greater than the recommended national guidance of 50 offenders to every "
        "one offender manager.",
    ],
]


def csv_bytes(headers, rows, encoding="utf-8"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(headers, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data)


def counts():
    return (
        ProgressUpdate.objects.count(),
        Owner.objects.count(),
        Record.objects.count(),
        Recommendation.objects.count(),
        Inspection.objects.count(),
        list(Record.objects.order_by("pk").values_list("current_due_on", "version")),
    )


def import_url(force):
    return reverse("spreadsheets:progress-import", kwargs={"force_slug": force.slug})


def post_progress(client, world, force, name, data):
    return client.post(import_url(force), {"inspection": world.inspection.pk, "file": upload(name, data)})


def last_job():
    return ImportJob.objects.order_by("-pk").first()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_gloucestershire_table_previews_then_imports_then_reexports_as_a_no_op(
    fmt, world, gwent_staff, client_for
):
    client = client_for(gwent_staff)
    data = csv_bytes(HEADERS, GLOUCESTERSHIRE) if fmt == "csv" else xlsx_bytes(HEADERS, GLOUCESTERSHIRE)
    before = counts()

    response = post_progress(client, world, world.gwent, f"gloucestershire.{fmt}", data)
    job = last_job()
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == job.get_absolute_url()
    assert job.status == ImportJob.Status.PREVIEWED
    assert counts() == before, "a preview writes nothing"

    page = client.get(job.get_absolute_url())
    text = page.content.decode()
    assert page.status_code == 200
    assert "What will change" in text
    assert "Adds a progress update" in text
    assert "Adds new owner “Probation, Police forces and Prisons”" in text
    assert [row["label"] for row in job.result["rows"]] == [
        "Recommendation 14",
        "Recommendation 15",
        "Recommendation 18",
        "Recommendation 19",
    ]

    client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    record = world.record(world.gwent, 14)
    latest = record.latest_update
    assert latest.kind == ProgressUpdate.Kind.IMPORTED
    assert latest.text.startswith("The Constabulary has processes in place")
    assert latest.external_ref.startswith("import:")
    assert latest.author == gwent_staff
    assert {str(o) for o in record.owners.all()} >= {"Probation, Police forces and Prisons"}
    assert ProgressUpdate.objects.filter(force=world.gwent, kind="imported").count() == 4

    # Re-export the force's timeline and records, and import them again: nothing changes.
    for what in ("updates", "records"):
        exported = client.get(
            reverse("spreadsheets:force-export", kwargs={"force_slug": "gwent", "what": what, "fmt": fmt})
        )
        assert exported.status_code == 200
        after_import = counts()
        post_progress(client, world, world.gwent, f"export.{fmt}", exported.content)
        again = last_job()
        assert again.status == ImportJob.Status.PREVIEWED, again.result
        assert not any(row["actions"] for row in again.result["rows"]), again.result
        client.post(again.get_absolute_url())
        assert counts() == after_import

    # The same file once more is a no-op too (stable external reference).
    post_progress(client, world, world.gwent, f"gloucestershire.{fmt}", data)
    assert not any(row["actions"] for row in last_job().result["rows"])


def test_status_and_owner_columns_change_the_record_and_a_due_date_is_asked_for(
    world, gwent_staff, gwent_chief, client_for
):
    """Owners go on the timeline as from the owners page; a new due date is an extension request
    that a chief officer decides; the due date itself is left alone."""
    client = client_for(gwent_staff)
    before_due = world.record(world.gwent, 18).current_due_on
    rows = [
        [
            "18",
            "Head of Public Protection",
            "31/12/2030",
            "Allocation audit complete.",
            "Implemented",
            "Gwent",
        ]
    ]
    headers = ["Recommendation", "Owner", "Due date", "Progress", "Status", "Force"]
    post_progress(client, world, world.gwent, "p.csv", csv_bytes(headers, rows))
    job = last_job()
    assert job.status == "previewed", job.result
    client.post(job.get_absolute_url())
    record = world.record(world.gwent, 18)
    assert record.status == Record.Status.AWAITING_SIGN_OFF
    assert record.current_due_on == before_due  # not moved by the import
    assert "Head of Public Protection" in {o.role_title for o in record.owners.all()}
    kinds = list(record.updates.order_by("created_at", "pk").values_list("kind", flat=True))
    assert kinds[-3:] == ["owners_changed", "extension_requested", "closure_requested"]
    (extension,) = record.extensions.all()
    assert extension.is_pending and extension.new_due_on.isoformat() == "2030-12-31"
    assert extension.requested_by == gwent_staff and extension.previous_due_on == before_due
    # The same file again asks for nothing more.
    post_progress(client, world, world.gwent, "p.csv", csv_bytes(headers, rows))
    assert not any(row["actions"] for row in last_job().result["rows"])
    # The chief officer's decision is what moves it.
    decide = reverse("recommendations:extension-decide", kwargs={"force_slug": "gwent", "pk": extension.pk})
    assert (
        client_for(gwent_chief).post(decide, {"decision": "approve", "decision_reason": ""}).status_code
        == 302
    )
    record.refresh_from_db()
    assert record.current_due_on.isoformat() == "2030-12-31"


def test_a_rag_column_rates_the_record_with_its_update_and_exports_back_as_a_no_op(
    world, gwent_staff, client_for
):
    """RAG as people write it (a word, a letter, Welsh), given with the progress update it rates, as
    the progress page gives it; the export carries it, so importing the export changes nothing."""
    client = client_for(gwent_staff)
    headers = ["Recommendation", "Progress", "RAG"]
    rows = [
        ["14", "Referral pathway agreed with probation.", "a"],
        ["15", "Audit booked for March.", "Gwyrdd"],
    ]
    post_progress(client, world, world.gwent, "rag.csv", csv_bytes(headers, rows))
    job = last_job()
    assert job.status == "previewed", job.result
    assert any("RAG rating: Amber" in action for row in job.result["rows"] for action in row["actions"])
    client.post(job.get_absolute_url())
    assert world.record(world.gwent, 14).rag == Record.Rag.AMBER
    assert world.record(world.gwent, 15).rag == Record.Rag.GREEN
    update = world.record(world.gwent, 14).updates.get(text="Referral pathway agreed with probation.")
    assert update.rag == Record.Rag.AMBER
    export = client.get(
        reverse("spreadsheets:force-export", kwargs={"force_slug": "gwent", "what": "records", "fmt": "csv"})
    )
    table = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {row["Recommendation"]: row["RAG"] for row in table}["14"] == "Amber"
    post_progress(client, world, world.gwent, "again.csv", export.content)
    assert last_job().status == "previewed", last_job().result
    assert not any(row["actions"] for row in last_job().result["rows"])


def test_the_force_column_takes_the_forces_welsh_name(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    data = csv_bytes(["Recommendation", "Progress", "Force"], [["14", "Adroddiad cynnydd.", "Heddlu Gwent"]])
    post_progress(client, world, world.gwent, "cy.csv", data)
    assert last_job().status == "previewed", last_job().result


def _refused(client, world, name, data, *, message):
    before = counts()
    response = post_progress(client, world, world.gwent, name, data)
    assert response.status_code in (200, 302), response.status_code
    if response.status_code == 200:
        text = response.content.decode()
        assert "There is a problem" in text
        assert message in text, text
    else:
        job = last_job()
        assert response["Location"] == job.get_absolute_url()  # to the refused job, not to sign in
        assert job.status == ImportJob.Status.INVALID
        page = client.get(job.get_absolute_url()).content.decode()
        assert "nothing has been imported" in page
        assert message in page, page
        # Even forcing a confirmation changes nothing.
        client.post(job.get_absolute_url())
    assert counts() == before


BAD_FILES = {
    "not a spreadsheet": ("notes.pdf", b"%PDF-1.4 hello", "must be a CSV or XLSX file"),
    "xlsx that is not a workbook": (
        "lies.xlsx",
        b"Recommendation,Progress\n14,x\n",
        "is not an Excel workbook",
    ),
    "zip that is not a workbook": ("lies.xlsx", b"PK\x03\x04 not really a zip", "could not be opened"),
    "csv that is a zip": ("lies.csv", b"PK\x03\x04 zip", "is not a text file"),
    "empty": ("empty.csv", b"", "is empty"),
    "header only": ("h.csv", b"Recommendation,Progress\n", "no rows under it"),
    "missing column": (
        "m.csv",
        csv_bytes(["Recommendation", "Owner"], [["14", "x"]]),
        "has no “Progress” column",
    ),
    "extra column": (
        "x.csv",
        csv_bytes(["Recommendation", "Progress", "Budget"], [["14", "x", "£5"]]),
        "Column “Budget” is not one this import knows",
    ),
    "bad date": (
        "d.csv",
        csv_bytes(["Recommendation", "Progress", "Due date"], [["14", "x", "31/02/2023"]]),
        "Row 2, column “Due date”: “31/02/2023” is not a date",
    ),
    "bad timescale": (
        "t.csv",
        csv_bytes(["Recommendation", "Progress", "Timescale"], [["14", "x", "soonish"]]),
        "Row 2, column “Timescale”: “soonish” is not a timescale",
    ),
    "unknown number": (
        "u.csv",
        csv_bytes(["Recommendation", "Progress"], [["14", "fine"], ["21", "x"]]),
        "Row 3, column “Recommendation”: there is no recommendation 21",
    ),
    "not addressed to police": (
        "n.csv",
        csv_bytes(["Recommendation", "Progress"], [["11", "x"]]),
        "is not addressed to police forces",
    ),
    "another number quoted": (
        "q.csv",
        csv_bytes(
            ["Recommendation", "Progress"],
            [["14", "Recommendation 18: all MAPPA nominals are now allocated."]],
        ),
        "but the row is numbered 14",
    ),
    "another recommendation's text": (
        "q2.csv",
        csv_bytes(
            ["Recommendation", "Progress"],
            [
                [
                    "Recommendation 14 All MAPPA nominals managed at Levels 2 and 3 are allocated to a suitably "
                    "trained police offender manager",
                    "Done.",
                ]
            ],
        ),
        "quotes the text of Recommendation 18",
    ),
    "two numbers in one row": (
        "two.csv",
        csv_bytes(["Recommendation", "Progress"], [["Recommendations 14 and Recommendation 15", "x"]]),
        "mentions 14, 15",
    ),
    "duplicate rows": (
        "dup.csv",
        csv_bytes(["Recommendation", "Progress"], [["14", "Same words."], ["14", "Same words."]]),
        "Row 3: repeats row 2",
    ),
    "another force": (
        "f.csv",
        csv_bytes(["Recommendation", "Progress", "Force"], [["14", "x", "Dyfed-Powys Police"]]),
        "names “Dyfed-Powys Police”, but this import is for Gwent",
    ),
    "formula in csv": (
        "formula.csv",
        csv_bytes(["Recommendation", "Progress"], [["14", '=HYPERLINK("http://evil.example","x")']]),
        "starts with “=”",
    ),
    "formula in xlsx": (
        "formula.xlsx",
        xlsx_bytes(["Recommendation", "Progress"], [["14", "=1+1"]]),
        "holds a formula",
    ),
    "bad status": (
        "s.csv",
        csv_bytes(["Recommendation", "Progress", "Status"], [["14", "x", "Done-ish"]]),
        "“Done-ish” is not a status",
    ),
    "status staff may not set": (
        "c.csv",
        csv_bytes(["Recommendation", "Progress", "Status"], [["14", "Finished.", "Complete"]]),
        "You cannot move this record",
    ),
    "bad RAG rating": (
        "r.csv",
        csv_bytes(["Recommendation", "Progress", "RAG"], [["14", "x", "Purple"]]),
        "“Purple” is not a RAG rating. Use one of: Red, Amber, Green",
    ),
    "RAG rating with no progress": (
        "r2.csv",
        csv_bytes(["Recommendation", "Progress", "RAG"], [["14", "", "Red"]]),
        "a RAG rating can only change with a progress update",
    ),
    "value under no header": (
        "w.csv",
        b"Recommendation,Progress,\n14,x,stray\n",
        "has a value in a column with no header",
    ),
    "not text at all": ("bin.csv", b"\x00\x01\x02binary", "is not a text file"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_bad_file_is_refused_with_row_and_column_and_nothing_written(case, world, gwent_staff, client_for):
    name, data, message = BAD_FILES[case]
    _refused(client_for(gwent_staff), world, name, data, message=message)


def test_too_large_file_is_refused(world, gwent_staff, client_for, settings):
    settings.SPREADSHEET_MAX_BYTES = 100
    data = csv_bytes(["Recommendation", "Progress"], [["14", "x" * 200]])
    _refused(client_for(gwent_staff), world, "big.csv", data, message="must be smaller than")


def test_windows_1252_csv_is_read_with_a_warning(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    data = csv_bytes(["Recommendation", "Progress"], [["14", "Café review – done"]], encoding="cp1252")
    post_progress(client, world, world.gwent, "old-excel.csv", data)
    job = last_job()
    assert job.status == "previewed"
    assert "Windows-1252" in client.get(job.get_absolute_url()).content.decode()
    client.post(job.get_absolute_url())
    assert world.record(world.gwent, 14).latest_update.text == "Café review – done"


def test_escaped_formula_is_stored_as_text_and_exported_escaped(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    post_progress(
        client,
        world,
        world.gwent,
        "e.csv",
        csv_bytes(["Recommendation", "Progress"], [["14", "'=1+1 is two"]]),
    )
    client.post(last_job().get_absolute_url())
    assert world.record(world.gwent, 14).latest_update.text == "=1+1 is two"
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/forces/gwent/export/records.{fmt}").content
        if fmt == "csv":
            assert b"'=1+1 is two" in exported
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(exported)).worksheets[0]
            cells = [c for row in sheet.iter_rows() for c in row]
            assert not any(c.data_type == "f" for c in cells)
            assert "'=1+1 is two" in [c.value for c in cells]


def test_confirm_revalidates_against_current_data(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    post_progress(
        client,
        world,
        world.gwent,
        "r.csv",
        csv_bytes(["Recommendation", "Progress"], [["18", "Checked again."]]),
    )
    job = last_job()
    Recommendation.objects.filter(inspection=world.inspection, number=18).update(number=99)
    before = counts()
    client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert counts() == before


def test_opcc_user_cannot_import_into_another_force(world, dyfed_staff, gwent_staff, client_for):
    client = client_for(dyfed_staff)
    before = counts()
    data = csv_bytes(["Recommendation", "Progress"], [["14", "x"]])
    assert post_progress(client, world, world.gwent, "x.csv", data).status_code == 404
    # Nor confirm or watch Gwent's job through their own force's URL.
    post_progress(client_for(gwent_staff), world, world.gwent, "g.csv", data)
    job = last_job()
    for name in ("spreadsheets:progress-job", "spreadsheets:progress-job-status"):
        url = reverse(name, kwargs={"force_slug": "dyfed-powys", "pk": job.pk})
        assert client.get(url).status_code == 404
        assert client.post(url).status_code in (404, 405)
    assert counts() == before


def test_national_team_exports_any_force_but_cannot_import(world, national, client_for):
    client = client_for(national)
    response = client.get("/forces/gwent/export/updates.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert client.get(import_url(world.gwent)).status_code == 404
    job = ImportJob.objects.create(
        force=world.gwent,
        kind="progress",
        user=national,
        inspection=world.inspection,
        file="imports/none",
        original_name="x.csv",
        sha256="0" * 64,
        status=ImportJob.Status.PREVIEWED,
    )
    assert client.post(job.get_absolute_url()).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PREVIEWED


def test_large_import_runs_in_a_task_with_status(
    world, gwent_staff, client_for, settings, django_capture_on_commit_callbacks
):
    settings.SPREADSHEET_ASYNC_ROWS = 3
    client = client_for(gwent_staff)
    rows = [[str(n), f"Step {i} on {n}.", "", ""] for i in range(2) for n in (14, 15, 18, 19)]
    data = csv_bytes(["Recommendation", "Progress", "Owner", "Timescale"], rows)
    with django_capture_on_commit_callbacks(execute=True):
        post_progress(client, world, world.gwent, "big.csv", data)
    job = last_job()
    assert job.row_count == 8
    assert job.status == ImportJob.Status.PREVIEWED
    status = client.get(
        reverse("spreadsheets:progress-job-status", kwargs={"force_slug": "gwent", "pk": job.pk})
    )
    assert status.json()["status"] == "previewed"
    before = ProgressUpdate.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == ImportJob.Status.APPLIED
    assert ProgressUpdate.objects.count() == before + 8
    from outbox.models import OutboxTask

    assert OutboxTask.objects.filter(task_name="spreadsheets.run_progress_import").count() == 2


def test_running_job_page_polls_and_has_a_refresh_link(world, gwent_staff, client_for):
    from django.core.files.base import ContentFile

    job = ImportJob(
        force=world.gwent,
        kind="progress",
        user=gwent_staff,
        inspection=world.inspection,
        original_name="x.csv",
        sha256="0" * 64,
        row_count=500,
        status=ImportJob.Status.QUEUED,
    )
    job.file.save("x", ContentFile(b"x"), save=False)
    job.save()
    page = client_for(gwent_staff).get(job.get_absolute_url()).content.decode()
    assert "js/import-status.mjs" in page
    assert "Refresh to see the progress" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_templates_have_the_import_columns(fmt, world, gwent_staff, admin_user, client_for):
    response = client_for(gwent_staff).get(f"/forces/gwent/import/template.{fmt}")
    assert response.status_code == 200
    if fmt == "csv":
        assert response.content.decode("utf-8-sig").splitlines()[0].startswith("Recommendation,Kind,Owner")
    else:
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert book.worksheets[1].title == "Columns"
        assert book.worksheets[1]["A2"].value == "Recommendation"
    assert client_for(admin_user).get(f"/inspections/import/template.{fmt}").status_code == 200


# --- Inspections ---------------------------------------------------------------------------------

INSPECTION_HEADERS = ["Number", "Kind", "Lead-in", "Text", "Addressed to", "Timescale (months)"]
NEW_INSPECTION_ROWS = [
    [
        "1",
        "Recommendation",
        "Police forces should:",
        "Review stalking protection orders.",
        "police-forces",
        "",
    ],
    [
        "2",
        "Recommendation",
        "",
        "Publish a national stalking strategy.",
        "The Probation Service; prisons",
        "6",
    ],
    ["1", "Area for improvement", "", "Forces should record stalking consistently.", "Police forces", ""],
]


def post_inspection(client, name, data, **fields):
    form = {
        "title": "Stalking and harassment",
        "slug": "stalking-2024",
        "kind": "thematic",
        "published_on": "2024-03-01",
        "timescale_months": "12",
        "file": upload(name, data),
        **fields,
    }
    return client.post(reverse("spreadsheets:inspection-import"), form)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_administrator_imports_an_inspection_and_every_force_gets_records(fmt, world, admin_user, client_for):
    client = client_for(admin_user)
    build = csv_bytes if fmt == "csv" else xlsx_bytes
    before = counts()
    post_inspection(client, f"stalking.{fmt}", build(INSPECTION_HEADERS, NEW_INSPECTION_ROWS))
    job = ImportJob.inspection_jobs.order_by("-pk").first()
    assert job.status == "previewed", job.result
    assert counts() == before
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Creates the inspection" in page
    assert "Creates 10 force records" in page  # 5 forces × 2 police recommendations
    client.post(job.get_absolute_url())
    inspection = Inspection.objects.get(slug="stalking-2024")
    assert inspection.recommendations.count() == 3
    assert Record.objects.filter(recommendation__inspection=inspection).count() == 10

    # Export and re-import: nothing changes.
    exported = client.get(
        reverse("spreadsheets:inspection-export", kwargs={"slug": "stalking-2024", "fmt": fmt})
    )
    after = counts()
    post_inspection(client, f"again.{fmt}", exported.content)
    again = ImportJob.inspection_jobs.order_by("-pk").first()
    assert again.status == "previewed", again.result
    assert not any(r["actions"] for r in again.result["rows"]), again.result
    assert again.result["inspection"] == []
    client.post(again.get_absolute_url())
    assert counts() == after


def test_welsh_columns_give_a_recommendations_welsh_text_and_a_file_without_them_keeps_it(
    world, admin_user, client_for
):
    client = client_for(admin_user)
    headers = [*INSPECTION_HEADERS, "Lead-in (Welsh)", "Text (Welsh)"]
    rows = [[*row, "Dylai heddluoedd:", f"Testun Cymraeg {row[0]}."] for row in NEW_INSPECTION_ROWS]
    post_inspection(client, "welsh.csv", csv_bytes(headers, rows))
    client.post(ImportJob.inspection_jobs.order_by("-pk").first().get_absolute_url())
    rec = Recommendation.objects.get(inspection__slug="stalking-2024", number=1, kind="recommendation")
    assert (rec.lead_in_cy, rec.text_cy) == ("Dylai heddluoedd:", "Testun Cymraeg 1.")
    # The export carries the Welsh columns.
    exported = client.get(
        reverse("spreadsheets:inspection-export", kwargs={"slug": "stalking-2024", "fmt": "csv"})
    )
    table = list(csv.DictReader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0]["Text (Welsh)"] == "Testun Cymraeg 1."
    # An older file with no Welsh columns changes nothing and leaves the Welsh text.
    post_inspection(client, "english.csv", csv_bytes(INSPECTION_HEADERS, NEW_INSPECTION_ROWS))
    job = ImportJob.inspection_jobs.order_by("-pk").first()
    assert job.status == "previewed", job.result
    assert not any(r["actions"] for r in job.result["rows"]), job.result
    client.post(job.get_absolute_url())
    rec.refresh_from_db()
    assert rec.text_cy == "Testun Cymraeg 1."


def test_mappa_inspection_export_reimports_as_a_no_op(world, admin_user, client_for):
    client = client_for(admin_user)
    exported = client.get("/inspections/mappa-2022/export.xlsx")
    before = counts()
    post_inspection(
        client,
        "mappa.xlsx",
        exported.content,
        title=world.inspection.title,
        slug="mappa-2022",
        kind=world.inspection.kind,
        published_on=world.inspection.published_on.isoformat(),
        lead_inspectorate=world.inspection.lead_inspectorate,
    )
    job = ImportJob.inspection_jobs.order_by("-pk").first()
    assert job.status == "previewed", job.result
    assert not any(r["actions"] for r in job.result["rows"])
    assert counts() == before


def test_inspection_import_refuses_unknown_addressee_and_writes_nothing(world, admin_user, client_for):
    client = client_for(admin_user)
    rows = [["1", "", "", "Text.", "police"], ["2", "", "", "Text.", "Martians"]]
    before = counts()
    post_inspection(client, "bad.csv", csv_bytes(INSPECTION_HEADERS[:5], rows))
    job = ImportJob.inspection_jobs.order_by("-pk").first()
    assert job.status == "invalid"
    page = client.get(job.get_absolute_url()).content.decode()
    assert re.search(r"Row 3, column “Addressed to”: “Martians” is not an addressee", page)
    client.post(job.get_absolute_url())
    assert counts() == before
    assert not Inspection.objects.filter(slug="stalking-2024").exists()


@pytest.mark.parametrize("who", ["gwent_staff", "gwent_chief", "national"])
def test_only_administrators_import_inspections(who, personas, client_for):
    client = client_for(personas[who])
    assert client.get(reverse("spreadsheets:inspection-import")).status_code == 404
    response = post_inspection(client, "x.csv", csv_bytes(INSPECTION_HEADERS, NEW_INSPECTION_ROWS))
    assert response.status_code == 404
    assert not Inspection.objects.filter(slug="stalking-2024").exists()


def test_admin_has_import_export_for_recommendations(world, admin_user, client_for):
    client = client_for(admin_user)
    assert client.get("/admin/recommendations/recommendation/import/").status_code == 200
    assert client.get("/admin/recommendations/inspection/export/").status_code == 200


def test_force_export_runs_a_bounded_number_of_queries(
    world, gwent_staff, client_for, django_assert_max_num_queries
):
    client = client_for(gwent_staff)
    for what in ("records", "updates"):
        url = f"/forces/gwent/export/{what}.xlsx"
        with django_assert_max_num_queries(20):
            client.get(url)
    rows = [[str(n), f"More on {n}, step {i}.", f"Owner {i}"] for i in range(5) for n in (14, 15, 18, 19)]
    post_progress(
        client, world, world.gwent, "grow.csv", csv_bytes(["Recommendation", "Progress", "Owner"], rows)
    )
    client.post(last_job().get_absolute_url())
    assert ProgressUpdate.objects.filter(force=world.gwent).count() >= 20
    for what in ("records", "updates"):
        with django_assert_max_num_queries(20):
            client.get(f"/forces/gwent/export/{what}.xlsx")


def test_admin_resource_import_creates_force_records(world):
    import tablib

    from spreadsheets.resources import RecommendationAdminResource

    Inspection.objects.create(title="Vetting", slug="vetting-2024", published_on=date(2024, 1, 10))
    dataset = tablib.Dataset(
        headers=[
            "inspection",
            "kind",
            "number",
            "lead_in",
            "text",
            "addressees",
            "timescale_months",
            "due_on",
        ]
    )
    dataset.append(["vetting-2024", "recommendation", 1, "", "Re-vet all officers.", "police", "", ""])
    dataset.append(["vetting-2024", "recommendation", 2, "", "Publish guidance.", "Prisons", "", ""])
    result = RecommendationAdminResource().import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Record.objects.filter(recommendation__inspection__slug="vetting-2024").count() == 5
    again = RecommendationAdminResource().import_data(dataset, dry_run=False)
    assert {row.import_type for row in again.rows} == {"skip"}


def test_kept_file_that_changed_is_not_imported(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    post_progress(
        client, world, world.gwent, "k.csv", csv_bytes(["Recommendation", "Progress"], [["14", "Kept."]])
    )
    job = last_job()
    with open(job.file.path, "wb") as handle:
        handle.write(b"Recommendation,Progress\n14,Tampered.\n")
    before = counts()
    response = client.post(job.get_absolute_url(), follow=True)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "has changed since it was uploaded" in response.content.decode()
    assert counts() == before


def test_large_inspection_import_runs_in_a_task(
    world, admin_user, client_for, settings, django_capture_on_commit_callbacks
):
    settings.SPREADSHEET_ASYNC_ROWS = 1
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        post_inspection(client, "s.csv", csv_bytes(INSPECTION_HEADERS, NEW_INSPECTION_ROWS))
    job = ImportJob.inspection_jobs.order_by("-pk").first()
    assert job.status == "previewed", job.result
    with django_capture_on_commit_callbacks(execute=True):
        client.post(job.get_absolute_url())
    job.refresh_from_db()
    assert job.status == "applied"
    assert Record.objects.filter(recommendation__inspection__slug="stalking-2024").count() == 10
    status = client.get(reverse("spreadsheets:inspection-job-status", kwargs={"pk": job.pk})).json()
    assert status == {**status, "status": "applied", "running": False, "row_count": 3}


def test_force_export_xlsx_opens_well_in_excel_and_still_imports_as_a_no_op(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    post_progress(
        client,
        world,
        world.gwent,
        "e.csv",
        csv_bytes(
            ["Recommendation", "Progress", "Date"], [["14", "\uff1d1+1 written full width", "03/02/2023"]]
        ),
    )
    client.post(last_job().get_absolute_url())
    for what, title in (("records", "Records"), ("updates", "Progress updates")):
        exported = client.get(f"/forces/gwent/export/{what}.xlsx").content
        book = openpyxl.load_workbook(io.BytesIO(exported))
        assert book.sheetnames == [title, "Columns"]
        sheet = book[title]
        headers = [c.value for c in sheet[1]]
        assert headers[:2] == ["Recommendation", "Kind"] and all(c.font.bold for c in sheet[1])
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == sheet.dimensions
        rows = [dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=2, values_only=True)]
        # Dates are date cells (openpyxl reads them as datetimes), shown as dates.
        dated = [r["Date"] for r in rows if r["Date"]]
        assert dated and all(hasattr(d, "year") for d in dated)
        date_column = headers.index("Date") + 1
        cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=date_column, max_col=date_column)]
        assert all(cell.number_format == "d mmm yyyy" for cell in cells if cell.value)
        assert "'\uff1d1+1 written full width" in [r["Progress"] for r in rows]
        progress = openpyxl.utils.get_column_letter(headers.index("Progress") + 1)
        assert sheet.column_dimensions[progress].width >= 40
        # And the file goes back in as it came out.
        before = counts()
        post_progress(client, world, world.gwent, f"{what}.xlsx", exported)
        job = last_job()
        assert job.status == ImportJob.Status.PREVIEWED, job.result
        assert not any(row["actions"] for row in job.result["rows"]), job.result
        assert counts() == before
    assert world.record(world.gwent, 14).latest_update.text == "\uff1d1+1 written full width"


def test_force_export_marks_undated_updates_date_not_known(world, national, client_for):
    client = client_for(national)
    undated = ProgressUpdate.objects.filter(force__slug="staffordshire", dated=None).count()
    assert undated, "the seed gives Staffordshire's updates no date"
    for what in ("updates", "records"):
        book = openpyxl.load_workbook(
            io.BytesIO(client.get(f"/forces/staffordshire/export/{what}.xlsx").content)
        )
        sheet = book.worksheets[0]
        column = [c.value for c in sheet[1]].index("Date") + 1
        cells = [row[0] for row in sheet.iter_rows(min_row=2, min_col=column, max_col=column)]
        marked = [c for c in cells if c.comment is not None]
        assert marked and all(c.value in (None, "") for c in marked)
        assert {c.comment.text for c in marked} == {"date not known"}
        if what == "updates":
            assert len(marked) == undated
        csv_text = client.get(f"/forces/staffordshire/export/{what}.csv").content.decode("utf-8-sig")
        assert "None" not in csv_text


def test_records_export_gives_the_forces_answer_after_a_sign_off(world, gwent_staff, gwent_chief, client_for):
    """The Progress column is the force's latest answer, so a sign-off (a workflow step) does not
    replace it with "Signed off as complete." and a re-import of the export changes nothing."""
    from recommendations.services import request_closure, sign_off

    record = world.record(world.gwent, 14)
    request_closure(record, acting_user=gwent_staff, text="Every MAPPA officer is trained.")
    record.refresh_from_db()
    sign_off(record, acting_user=gwent_chief)
    exported = client_for(gwent_staff).get("/forces/gwent/export/records.csv").content.decode("utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(exported)) if r["Recommendation"] == "14")
    assert row["Progress"] == "Every MAPPA officer is trained."
    assert "Signed off" not in exported


def test_the_import_page_lists_the_optional_whose_words_columns(world, gwent_staff, client_for):
    page = client_for(gwent_staff).get(import_url(world.gwent)).content.decode()
    for header in ("Whose words", "Named person", "Source document", "Document date"):
        assert f'<th scope="row" class="govuk-table__header">{header}</th>' in page
