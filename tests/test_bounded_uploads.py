"""Uploads cost what the limits allow, not what the file asks for.

Zip-based files (XLSX, DOCX) are measured before they are opened; workbooks are streamed and
reading stops at the first row past a limit; import tasks have time and memory limits.
"""

import io
import zipfile

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile

from bench.xlsx_bomb import write_bomb, write_xlsx
from recommendations.evidence import check_evidence
from spreadsheets.reading import FileRefused, read_table

from .test_spreadsheets import last_job, post_progress


def _bomb(rows, cells=20) -> bytes:
    buffer = io.BytesIO()
    write_bomb(buffer, rows, cells)
    return buffer.getvalue()


def _xlsx(rows, tail="") -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, rows, tail=tail)
    return buffer.getvalue()


def test_zip_bomb_is_refused_by_its_unpacked_size_before_opening(settings):
    data = _bomb(200_000)  # 0.26 MB that unzips to 62 MB
    assert len(data) < 300_000
    with pytest.raises(FileRefused, match="would unpack to more than 50.0"):
        read_table(data, "bomb.xlsx")


def test_zip_bomb_is_refused_by_its_compression_ratio(settings):
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = 10**9
    with pytest.raises(FileRefused, match="is compressed 2[0-9][0-9] times"):
        read_table(_bomb(20_000), "bomb.xlsx")


def test_reading_stops_at_the_row_limit_before_reading_further(settings):
    """The sheet breaks after row 30: a reader that stops at the limit (10 rows) never sees it."""
    settings.SPREADSHEET_MAX_ROWS = 10
    rows = [["Recommendation", "Progress"], *([str(14), f"Step {n}"] for n in range(30))]
    data = _xlsx(rows, tail='<row r="99"><c r="A99" t="n"><v>not a number</v></c><broken')
    with pytest.raises(FileRefused, match="more than 10 rows"):
        read_table(data, "long.xlsx")


def test_rows_past_the_column_limit_are_refused(settings):
    settings.SPREADSHEET_MAX_COLUMNS = 5
    rows = [["Recommendation", "Progress"], ["14", "Step", "", "", "", "", "", "surprise"]]
    with pytest.raises(FileRefused, match="more than 5 columns"):
        read_table(_xlsx(rows), "wide.xlsx")
    with pytest.raises(FileRefused, match="more than 5 columns"):
        read_table(b"a,b,c,d,e,f\n1,2,3,4,5,6\n", "wide.csv")


def test_streamed_workbook_still_tells_formulas_and_dates_apart():
    import openpyxl

    from spreadsheets.reading import Formula

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Recommendation", "Progress", "Due date"])
    sheet.append([14, '=HYPERLINK("x")', __import__("datetime").date(2023, 12, 31)])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "t.xlsx")
    number, cells = table.rows[0]
    assert cells[0] == "14"
    assert isinstance(cells[1], Formula)
    assert cells[2].isoformat() == "2023-12-31"


def test_csv_with_a_nul_byte_after_the_first_8_kb_is_refused():
    data = b"Recommendation,Progress\n" + b"14,Step one.\n" * 800 + b"15,Bad\x00byte\n"
    assert data.index(b"\x00") > 8192
    with pytest.raises(FileRefused, match="not a text file"):
        read_table(data, "nul.csv")


def test_nul_csv_upload_is_a_form_error_and_leaves_no_job(world, gwent_staff, client_for):
    from spreadsheets.models import ImportJob

    data = b"Recommendation,Progress\n" + b"14,Step one.\n" * 800 + b"15,Bad\x00byte\n"
    before = ImportJob.objects.count()
    response = post_progress(client_for(gwent_staff), world, world.gwent, "nul.csv", data)
    assert response.status_code == 200
    assert "not a text file" in response.content.decode()
    assert ImportJob.objects.count() == before


def test_docx_bomb_is_not_accepted_as_evidence():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (60 * 1024 * 1024) + b"</w:document>")
    upload = SimpleUploadedFile("plan.docx", buffer.getvalue())
    assert upload.size < 200_000
    with pytest.raises(Exception, match="is not a real .docx file"):
        check_evidence(upload)


def test_import_tasks_have_time_limits():
    from spreadsheets import tasks

    for task in (tasks.run_progress_import, tasks.run_inspection_import):
        assert task.soft_time_limit and task.time_limit > task.soft_time_limit


def test_memory_cap_makes_a_large_allocation_fail_and_is_lifted_after(settings):
    import resource

    from spreadsheets.limits import memory_cap

    settings.IMPORT_TASK_MAX_MEMORY_BYTES = 256 * 1024 * 1024
    before = resource.getrlimit(resource.RLIMIT_AS)
    with pytest.raises(MemoryError), memory_cap():
        bytearray(1024 * 1024 * 1024)
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    bytearray(512 * 1024 * 1024)  # lifted again


@pytest.mark.parametrize(
    "error, message", [(SoftTimeLimitExceeded, "took too long"), (MemoryError, "too much memory")]
)
def test_a_task_stopped_by_a_limit_marks_its_job_failed(
    error, message, world, gwent_staff, client_for, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from spreadsheets import services
    from spreadsheets.models import ImportJob

    def stopped(job, *, commit):
        raise error()

    settings.SPREADSHEET_ASYNC_ROWS = 3
    monkeypatch.setattr(services, "run_once", stopped)
    rows = "".join(f"{n},Step {n}.\n" for n in (14, 15, 18, 19))
    with django_capture_on_commit_callbacks(execute=True):
        post_progress(
            client_for(gwent_staff),
            world,
            world.gwent,
            "big.csv",
            f"Recommendation,Progress\n{rows}".encode(),
        )
    job = last_job()
    assert job.status == ImportJob.Status.FAILED
    assert message in job.error


def _zip(members: dict, method=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _docx_bomb(megabytes: int) -> bytes:
    """A Word document whose text is `megabytes` of spaces: a few kilobytes packed."""
    body = b"<w:document>" + b" " * (megabytes * 1024 * 1024) + b"</w:document>"
    return _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": body})


def test_docx_letter_bomb_is_refused_by_its_ratio_before_python_docx_opens_it(monkeypatch):
    """Under the unpacked-size limit (30 MB of 50), but packed a thousand times: refused unread."""
    import docx

    from history.reading import UnreadableDocument, read_lines

    opened = []
    monkeypatch.setattr(docx, "Document", lambda *a, **k: opened.append(a) or pytest.fail("opened"))
    data = _docx_bomb(30)
    assert len(data) < 100_000
    with pytest.raises(UnreadableDocument, match="is compressed [0-9]+ times"):
        read_lines(data, "docx")
    with pytest.raises(UnreadableDocument, match="would unpack to more than"):
        read_lines(_docx_bomb(60), "docx")
    assert opened == []


def test_docx_letter_with_too_many_members_is_refused(settings):
    from history.reading import UnreadableDocument, read_lines

    settings.UPLOAD_MAX_ZIP_ENTRIES = 50
    data = _zip({f"word/media/{n}.xml": b"" for n in range(51)})
    with pytest.raises(UnreadableDocument, match="holds more than 50 files"):
        read_lines(data, "docx")


def test_zip_of_letters_refuses_a_tightly_packed_member():
    """A 15 MB text 'letter' of zeros: under the per-letter size, but packed a thousand times."""
    from history.batch import letters_in_zip
    from history.reading import UnreadableDocument

    data = _zip({"gwent.txt": b"Gwent Police", "bomb.txt": b"0" * (15 * 1024 * 1024)})
    with pytest.raises(UnreadableDocument, match="is compressed [0-9]+ times"):
        letters_in_zip(data)


def test_zip_of_zips_unpacks_no_bomb():
    """The zip of letters holds Word documents, themselves zips: the outer zip looks harmless (the
    inner ones are packed already), and the bomb inside is refused when that letter is read."""
    from history.batch import letters_in_zip
    from history.reading import UnreadableDocument, read_lines

    good = _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    data = _zip({"gwent.docx": good, "dyfed.docx": _docx_bomb(30)}, method=zipfile.ZIP_STORED)
    letters = {letter.name: letter for letter in letters_in_zip(data)}
    assert set(letters) == {"gwent.docx", "dyfed.docx"}
    with pytest.raises(UnreadableDocument, match="is compressed [0-9]+ times"):
        read_lines(letters["dyfed.docx"].data, "docx")
    # A zip nested inside (or a zip of thousands of zips) is no letter: nothing of it is unpacked.
    nested = _zip(
        {"more.zip": _zip({f"{n}.docx": _docx_bomb(30) for n in range(3)})}, method=zipfile.ZIP_STORED
    )
    assert letters_in_zip(nested) == []
