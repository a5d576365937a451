"""The reading and mapping engine on the five seed responses, as text, HTML, Word and PDF."""

import difflib
import io
import json
import zipfile
from datetime import date
from functools import cache

import pytest
from django.conf import settings

from history import mapping, reading
from tests import history_formats

# Copies of the five published responses in shared/seeds, so the tests run from a fresh clone.
SEEDS = settings.BASE_DIR / "tests" / "seeds"
FIXTURES = settings.BASE_DIR / "fixtures"
POLICE = (14, 15, 18, 19)
PUBLISHED = date(2022, 7, 14)


def seeds_dir():
    return SEEDS


@cache
def fixture_answers():
    return {row["force"]: row for row in json.loads((FIXTURES / "mappa_seed_responses.json").read_text())}


@cache
def recs():
    data = json.loads((FIXTURES / "mappa_inspection.json").read_text())
    return [
        mapping.RecRef(r["number"], r["text"], r.get("lead_in", ""), "police" in r["addressees"])
        for r in data["recommendations"]
    ]


@cache
def document(force: str, fmt: str) -> bytes:
    text = (seeds_dir() / fixture_answers()[force]["seed_file"]).read_text(encoding="utf-8")
    if fmt == "txt":
        return text.encode("utf-8")
    if fmt == "html":
        return history_formats.to_html(text).encode("utf-8")
    if fmt == "docx":
        return history_formats.to_docx(text)
    return history_formats.to_pdf(text)


@cache
def reading_of(force: str, fmt: str) -> mapping.Reading:
    return mapping.read(reading.read_lines(document(force, fmt), fmt), recs(), inspection_published=PUBLISHED)


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, " ".join(a.split()), " ".join(b.split())).ratio()


FORCES = ("dyfed-powys", "gwent", "avon-and-somerset", "staffordshire", "gloucestershire")


@pytest.mark.parametrize("fmt", ["txt", "html", "docx", "pdf"])
@pytest.mark.parametrize("force", FORCES)
def test_every_police_recommendation_is_mapped_with_the_fixture_answer(force, fmt):
    result = reading_of(force, fmt)
    expected = fixture_answers()[force]["records"]
    for number in POLICE:
        assert number in result.answers, f"{force} {fmt}: no answer for {number}"
        ratio = similarity(result.answer_text(number), expected[str(number)]["progress_text"])
        assert ratio >= 0.95, f"{force} {fmt} {number}: {ratio:.3f}"


@pytest.mark.parametrize("fmt", ["txt", "pdf"])
def test_gloucestershire_misnumbering_is_flagged_not_followed(fmt):
    result = reading_of("gloucestershire", fmt)
    assert "printed:19:18" in result.answers[18].flags
    assert "printed:20:19" in result.answers[19].flags
    # The prisons' recommendations printed as 17 and 18 are mapped to 16 and 17, not to police 18.
    assert "printed:18:17" in result.answers[17].flags
    assert result.answers[18].matched_by == "both"


def test_gloucestershire_chief_officer_speaks_with_their_own_date():
    result = reading_of("gloucestershire", "txt")
    pcc, chief = result.voices["pcc"], result.voices["chief_officer"]
    assert (pcc.name, pcc.dated) == ("Chris Nelson", date(2022, 9, 20))
    assert (chief.name, chief.title, chief.dated) == (
        "Richard Ocone",
        "T/Assistant Chief Constable",
        date(2022, 9, 2),
    )
    assert result.response_date == date(2022, 9, 20)
    assert all(result.answers[n].voice == "chief_officer" for n in POLICE)
    comments = result.text_of(chief.comments)
    assert similarity(comments, fixture_answers()["gloucestershire"]["chief_officer_comments"]) >= 0.95
    assert result.answers[14].owner == "Probation, Police forces and Prisons"
    assert result.answers[14].timescale == "Within 12 months"


def test_gwent_letter_finds_addressee_signatory_and_quoted_chief_constable():
    result = reading_of("gwent", "txt")
    assert result.addressee == fixture_answers()["gwent"]["addressee"]
    assert result.voices["pcc"].name == "Jeff Cuthbert"
    assert result.voices["pcc"].title == "Police and Crime Commissioner for Gwent"
    assert result.response_date == date(2022, 9, 5)
    chief = result.text_of(result.voices["chief_officer"].comments)
    assert (
        similarity(chief.strip("\u201c\u201d"), fixture_answers()["gwent"]["chief_officer_comments"]) >= 0.95
    )
    # The commissioner's closing words are not part of the answer to 19.
    assert "cannot afford to get wrong" not in result.answer_text(19)
    assert any("cannot afford to get wrong" in result.lines[i].text for i in result.unassigned)


def test_undated_response_record_has_no_date_and_credits_the_chief_constable():
    result = reading_of("staffordshire", "txt")
    assert result.response_date is None
    assert result.voices["chief_officer"].name == "Chris Noble"
    assert result.voices["pcc"].name == "Ben Adams"
    assert all(result.answers[n].voice == "chief_officer" for n in POLICE)


def test_statement_dates_skip_the_report_publication_date_and_find_the_published_address():
    result = reading_of("avon-and-somerset", "txt")
    assert result.response_date == date(2022, 9, 8)
    assert (
        result.published_url == "https://www.avonandsomerset-pcc.gov.uk/reports-publications/hmicfrs-reports/"
    )
    assert reading_of("dyfed-powys", "txt").response_date == date(2022, 9, 8)


def test_misnumbered_heading_is_mapped_by_its_text():
    lines = reading.lines_from_text(
        "Recommendation 20: Workloads for staff managing sexual offenders are reviewed against national "
        "expectations and, where found to be excessive, take steps for mitigation and communicate this to "
        "affected staff.\n\nWorkloads are reviewed monthly."
    )
    result = mapping.read(lines, recs())
    assert result.answers[19].flags == ["printed:20:19"]
    assert result.answer_text(19) == "Workloads are reviewed monthly."


def test_number_alone_maps_by_number():
    result = mapping.read(
        reading.lines_from_text("Recommendation 18\n\nAll offender managers are trained."), recs()
    )
    assert result.answers[18].matched_by == "number"
    assert result.answer_text(18) == "All offender managers are trained."


def test_a_document_with_no_recommendation_maps_nothing():
    result = mapping.read(
        reading.lines_from_text("Dear Sir\n\nThank you for your letter.\n\nYours faithfully"), recs()
    )
    assert not any(a.lines for a in result.answers.values())


def _pdf_without_text() -> bytes:
    from weasyprint import HTML

    return HTML(string="<div style='width:5cm;height:5cm;background:#000'></div>").write_pdf()


def test_pdf_without_text_layer_is_refused_clearly():
    with pytest.raises(reading.UnreadableDocument, match="no text layer") as refused:
        reading.read_lines(_pdf_without_text(), "pdf")
    # It says what to do that works (installing OCR on the server changes nothing: scans are not
    # read here), not to ask for an install.
    message = str(refused.value)
    assert "administrator" not in message and "ocrmypdf -l eng+cym" in message


def test_corrupt_pdf_is_refused():
    with pytest.raises(reading.UnreadableDocument, match="damaged"):
        reading.read_lines(b"%PDF-1.7\n" + b"\x00garbage" * 200, "pdf")


def test_encrypted_pdf_is_refused():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(document("avon-and-somerset", "pdf"))).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(reading.UnreadableDocument, match="password"):
        reading.read_lines(buf.getvalue(), "pdf")


def zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b"A" * (60 * 1024 * 1024))
    return buf.getvalue()


def test_docx_zip_bomb_is_refused_before_unpacking():
    data = zip_bomb()
    assert len(data) < 1024 * 1024
    with pytest.raises(reading.UnreadableDocument, match="unpack"):
        reading.read_lines(data, "docx")


@pytest.mark.parametrize("fmt", ["txt", "html", "docx", "pdf"])
@pytest.mark.parametrize("force", FORCES)
def test_addressee_and_the_commissioners_own_comments_match_the_fixture(force, fmt):
    result = reading_of(force, fmt)
    expected = fixture_answers()[force]
    # Gloucestershire's "Dear Richard" is the constabulary's letter to the OPCC, not the PCC's.
    assert result.addressee == expected["addressee"]
    pcc = result.voices["pcc"]
    assert similarity(result.text_of(pcc.comments), expected["pcc_initial_comments"]) >= 0.95
    assert similarity(result.text_of(pcc.overall), expected["pcc_overall_comments"]) >= 0.95
    # Signed: a name over the commissioner's title (Gwent's letter, Gloucestershire's note).
    assert pcc.signed == bool(expected["ledger"].get("pcc_signed_on"))


LETTER = """Ms Jane Example
Chief Executive
Office of the Police and Crime Commissioner
1 High Street
Exampletown EX1 2YZ

3 March 2023

Dear Chief Executive

Response to the joint inspection

I welcome this report and the work it asks of our partners.

Recommendation 18: All MAPPA nominals managed at Levels 2 and 3 are allocated to a suitably trained police offender manager.

Every level 2 and 3 nominal now has a trained police offender manager.

Recommendation 19: Workloads for staff managing sexual offenders are reviewed against national expectations and, where found to be excessive, take steps for mitigation and communicate this to affected staff.

Workloads are reviewed every month by the detective inspector.

I will keep both under review with the Chief Constable at my accountability board.

Yours sincerely

Alex Sample
Police and Crime Commissioner for Exampleshire
"""


@pytest.mark.parametrize("fmt", ["txt", "html", "docx", "pdf"])
def test_a_letter_not_among_the_seeds_gives_its_address_comments_and_signature(fmt):
    data = {
        "txt": lambda: LETTER.encode(),
        "html": lambda: history_formats.to_html(LETTER).encode(),
        "docx": lambda: history_formats.to_docx(LETTER),
        "pdf": lambda: history_formats.to_pdf(LETTER),
    }[fmt]()
    result = mapping.read(reading.read_lines(data, fmt), recs())
    assert result.addressee == (
        "Ms Jane Example\nChief Executive\nOffice of the Police and Crime Commissioner\n1 High Street\n"
        "Exampletown EX1 2YZ"
    )
    pcc = result.voices["pcc"]
    assert (pcc.name, pcc.title, pcc.dated, pcc.signed) == (
        "Alex Sample",
        "Police and Crime Commissioner for Exampleshire",
        date(2023, 3, 3),
        True,
    )
    assert result.text_of(pcc.comments) == "I welcome this report and the work it asks of our partners."
    assert result.text_of(pcc.overall) == (
        "I will keep both under review with the Chief Constable at my accountability board."
    )
    assert result.answer_text(19) == "Workloads are reviewed every month by the detective inspector."


def test_an_address_typed_one_paragraph_a_line_is_one_addressee():
    lines = [
        reading.Line(text, n)
        for n, text in enumerate(
            ["The Rt Hon A Minister MP", "Home Secretary", "Home Office", "5 May 2023", "Dear Home Secretary"]
        )
    ]
    assert mapping.find_addressee(lines, {}) == "The Rt Hon A Minister MP\nHome Secretary\nHome Office"


def test_pdf_keeps_an_address_blocks_line_breaks_but_joins_a_wrapped_paragraph():
    text = "10 Downing Street\nLondon\nSW1A 2AA\n\n" + "This sentence is long enough to wrap. " * 12
    lines = reading.read_lines(history_formats.to_pdf(text), "pdf")
    assert [line.text for line in lines[:3]] == ["10 Downing Street", "London", "SW1A 2AA"]
    assert len(lines) == 4 and lines[3].text.count("This sentence") == 12


def test_heading_quoting_another_text_is_flagged_not_silently_mapped_by_number():
    lines = reading.lines_from_text(
        "Recommendation 14: By 31 March 2024, chief constables should review every vetting decision "
        "made since 2020.\n\nAll vetting decisions are being reviewed."
    )
    result = mapping.read(lines, recs())
    answer = result.answers[14]
    assert answer.flags == ["text_differs:14"] and answer.matched_by == "number"
    assert answer.confidence <= 40
    assert result.answer_text(14) == "All vetting decisions are being reviewed."
