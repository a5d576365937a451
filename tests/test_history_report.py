"""An inspection report's findings out of its text: numbers as published, lead-ins, addressees, timescales."""

import difflib
import json
from datetime import date

import pytest
from django.conf import settings
from django.urls import reverse

from history.reading import lines_from_text
from history.report import addressees_of, read_report, timescale_of
from tests.test_history_engine import SEEDS, fixture_answers

FIXTURE = json.loads((settings.BASE_DIR / "fixtures" / "mappa_inspection.json").read_text())
KNOWN = [(a["slug"], a["name"]) for a in FIXTURE["addressees"]]
OTHERS = KNOWN + [
    ("home-office", "Home Office"),
    ("college", "College of Policing"),
    ("npcc", "National Police Chiefs' Council"),
]


def test_gloucestershire_list_gives_the_reports_nineteen_recommendations_numbered_as_published():
    text = (SEEDS / fixture_answers()["gloucestershire"]["seed_file"]).read_text(encoding="utf-8")
    result = read_report(lines_from_text(text), KNOWN)
    recs = [f for f in result.findings if f.kind == "recommendation"]
    assert [f.number for f in recs] == list(range(1, 20))
    expected = {r["number"]: r for r in FIXTURE["recommendations"]}
    for finding in recs:
        want = expected[finding.number]
        ratio = difflib.SequenceMatcher(None, finding.text.lower(), want["text"].lower()).ratio()
        assert ratio >= 0.9, (finding.number, finding.text)
        assert sorted(finding.addressees) == sorted(want["addressees"]), finding.number
    # The slip is flagged with the number printed, not followed.
    assert [(f.number, f.printed) for f in recs if f.flagged] == [(16, 17), (17, 18), (18, 19), (19, 20)]
    assert result.timescale_months == 12


def test_lead_ins_name_their_addressees():
    assert addressees_of("Police forces should ensure that:", KNOWN) == ["police"]
    assert addressees_of("The Probation Service, police forces, and prisons should ensure that:", KNOWN) == [
        "probation",
        "police",
        "prisons",
    ]
    assert addressees_of(
        "Her Majesty's Prison and Probation Service Public Protection Group should:", KNOWN
    ) == ["hmpps-ppg"]
    assert addressees_of("Strategic management boards should:", KNOWN) == ["smb"]


def test_lead_ins_are_matched_against_the_addressees_known_with_synonyms():
    assert addressees_of("Chief constables should:", OTHERS) == ["police"]
    assert addressees_of("The Home Office and the College of Policing should:", OTHERS) == [
        "home-office",
        "college",
    ]
    assert addressees_of("The Home Secretary should:", OTHERS) == ["home-office"]
    assert addressees_of("The NPCC lead for vetting and chief constables should:", OTHERS) == [
        "npcc",
        "police",
    ]
    # An addressee the table does not know is not made up.
    assert addressees_of("The Crown Prosecution Service should:", OTHERS) == []
    assert addressees_of("Chief constables should:", [("home-office", "Home Office")]) == []


def _numbers(text: str) -> list[tuple[int, int | None]]:
    return [(f.number, f.printed) for f in read_report(lines_from_text(text), KNOWN).findings]


def test_a_list_that_skips_numbers_keeps_them_as_published():
    text = "Police forces should ensure that:\n\n14. one thing\n15. another\n18. a third\n19. a fourth\n"
    assert _numbers(text) == [(14, None), (15, None), (18, None), (19, None)]


def test_a_repeated_or_backward_number_is_a_slip_renumbered_and_flagged():
    text = "Recommendations\n\n1. first item\n2. second item\n2. third item\n3. fourth item\n"
    assert _numbers(text) == [(1, None), (2, None), (3, 2), (4, 3)]


def test_the_same_finding_quoted_twice_is_one_finding():
    text = "Police forces should ensure that:\n\n18. all are trained\n\nUpdate\n\n18. all are trained\n"
    assert _numbers(text) == [(18, None)]


def test_timescales_in_months_or_by_a_date():
    assert timescale_of("Recommendations should be completed within 12 months.") == (12, None)
    assert timescale_of("Within six months, chief constables should") == (6, None)
    assert timescale_of("By 31 March 2024, forces should review") == (None, date(2024, 3, 31))


def test_pasted_report_with_title_date_inspectorates_afis_and_a_cause_of_concern():
    pasted = (
        "An inspection of vetting in police forces\n\n"
        "Published 14 July 2023\n\n"
        "A report by HM Inspectorate of Constabulary and Fire & Rescue Services and HM Inspectorate of Probation.\n\n"
        "Cause of concern\n\n"
        "Chief constables should:\n\n"
        "1. By 31 March 2024, review every vetting decision made since 2020.\n\n"
        "Recommendations\n\n"
        "Police forces should ensure that:\n\n"
        "1. vetting files are kept within six months of a decision\n"
        "2. appeals are heard by an independent officer\n\n"
        "Areas for improvement\n\n"
        "1. The force should improve how it records vetting refusals.\n"
    )
    result = read_report(lines_from_text(pasted), KNOWN)
    assert result.title == "An inspection of vetting in police forces"
    assert result.published_on == date(2023, 7, 14)
    assert result.inspectorates == [
        "HM Inspectorate of Constabulary and Fire & Rescue Services",
        "HM Inspectorate of Probation",
    ]
    kinds = [(f.kind, f.number) for f in result.findings]
    assert kinds == [
        ("cause_of_concern", 1),
        ("recommendation", 1),
        ("recommendation", 2),
        ("area_for_improvement", 1),
    ]
    assert result.findings[0].due_on == date(2024, 3, 31)
    assert result.findings[1].addressees == ["police"]
    assert result.findings[1].timescale_months == 6


@pytest.mark.django_db
def test_administrator_reads_a_pasted_list_corrects_and_confirms_a_new_inspection(
    world, admin_user, gwent_staff, client_for, django_capture_on_commit_callbacks
):
    from recommendations.models import Inspection, Record

    text = (SEEDS / fixture_answers()["gloucestershire"]["seed_file"]).read_text(encoding="utf-8")
    # The whole document: its table numbers 18 and 19 as the report does, which shows the closing
    # list's "19" and "20" to be a slip.
    pasted = text
    client = client_for(admin_user)
    url = reverse("history:report")
    page = client.post(url, {"pasted": pasted, "kind": "joint_thematic"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Recommendation | 18 | police | Police forces should ensure that: | All MAPPA nominals" in body
    assert "printed as 20" in body
    findings = page.context["form"].initial["findings"]
    # A correction before the check: the title is typed in.
    with django_capture_on_commit_callbacks(execute=True):
        checked = client.post(
            url,
            {
                "kind": "joint_thematic",
                "title": "MAPPA again",
                "published_on": "2022-07-14",
                "timescale_months": "12",
                "findings": findings,
            },
        )
    assert checked.status_code == 303
    assert not Inspection.objects.filter(title="MAPPA again").exists()  # a check writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        client.post(checked["Location"])
    inspection = Inspection.objects.get(title="MAPPA again")
    assert list(inspection.recommendations.order_by("number").values_list("number", flat=True)) == list(
        range(1, 20)
    )
    police = set(
        inspection.recommendations.filter(addressees__is_police=True).values_list("number", flat=True)
    )
    assert police == {14, 15, 18, 19}
    assert Record.objects.filter(recommendation__inspection=inspection, force=world.gwent).count() == 4
    assert client_for(gwent_staff).get(url).status_code == 404


@pytest.mark.django_db
def test_report_with_nothing_numbered_is_a_clear_error(admin_user, client_for):
    page = client_for(admin_user).post(
        reverse("history:report"), {"pasted": "Just prose.", "kind": "thematic"}
    )
    assert page.status_code == 200
    assert "govuk-error-summary" in page.content.decode()


def test_timescales_and_all_inspectorates_go_through_to_the_inspection_import():
    from history import services

    pasted = (
        "Vetting again\n\nPublished 1 May 2023\n\n"
        "A report by HM Inspectorate of Constabulary and Fire & Rescue Services and HM Inspectorate of Probation.\n\n"
        "Recommendations\n\nPolice forces should ensure that:\n\n"
        "1. within six months, vetting files are checked\n"
        "2. by 31 March 2024, appeals are heard by an independent officer\n"
    )
    result = read_report(lines_from_text(pasted), KNOWN)
    lines = services.findings_as_lines(result).splitlines()
    assert lines[0].endswith("| 6 | ") and lines[1].endswith("|  | 2024-03-31")
    rows = services.findings_table_csv("\n".join(lines)).decode().splitlines()
    assert rows[0] == "Number,Kind,Lead-in,Text,Addressed to,Timescale (months),Due date"
    assert rows[1].endswith(",police,6,") and rows[2].endswith(",police,,2024-03-31")
    # A line typed by hand with only the five parts still reads.
    five = services.findings_table_csv("Recommendation | 3 | police | Forces should: | a | b").decode()
    assert five.splitlines()[1] == "3,Recommendation,Forces should:,a | b,police,,"


@pytest.mark.django_db
def test_administrator_uploads_a_report_file_and_its_findings_are_read(admin_user, client_for, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests import history_formats

    report = (
        "An inspection of vetting in police forces\n\nPublished 14 July 2023\n\n"
        "A report by HM Inspectorate of Constabulary and Fire & Rescue Services and HM Inspectorate of Probation.\n\n"
        "Recommendations\n\nRecommendations should be completed within 12 months.\n\n"
        "Chief constables should:\n\n"
        "1. review every vetting decision made since 2020\n"
        "2. by 31 March 2024, publish their appeal outcomes\n"
    )
    pdf = history_formats.to_pdf(report)
    page = client_for(admin_user).post(
        reverse("history:report"),
        {"report": SimpleUploadedFile("vetting.pdf", pdf), "kind": "thematic"},
    )
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["title"] == "An inspection of vetting in police forces"
    assert form.initial["published_on"] == date(2023, 7, 14)
    assert form.initial["inspectorates"].splitlines() == [
        "HM Inspectorate of Constabulary and Fire & Rescue Services",
        "HM Inspectorate of Probation",
    ]
    assert form.initial["timescale_months"] == 12
    lines = form.initial["findings"].splitlines()
    assert lines == [
        "Recommendation | 1 | police | Chief constables should: | review every vetting decision made since 2020 |  | ",
        "Recommendation | 2 | police | Chief constables should: | by 31 March 2024, publish their appeal outcomes |  | 2024-03-31",
    ]


def test_the_closing_list_alone_shows_no_slip_and_keeps_its_printed_numbers():
    text = (SEEDS / fixture_answers()["gloucestershire"]["seed_file"]).read_text(encoding="utf-8")
    excerpt = text[text.index("Recommendations for other agencies") :]
    recs = read_report(lines_from_text(excerpt), KNOWN).findings
    assert [f.number for f in recs] == [*range(1, 16), 17, 18, 19, 20]
    assert not any(f.flagged for f in recs)
