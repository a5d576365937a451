"""The statutory record: the s55 last day as the Act counts it, the s55 ledger, whose words each
update are, office-holders by date, HMICFRS's closure as its own event, and demo statuses that fit.
"""

import csv
import io
import json
from datetime import date

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from forces.demo import load_forces, load_office_holdings
from forces.models import Force, OfficeHolding
from forces.services import holders_on
from recommendations.dates import last_day_to_publish
from recommendations.models import Inspection, ProgressUpdate, Record
from reminders.services import Kind
from responses import services as response_services
from responses.demo import load_seed_responses
from responses.models import Response, ResponseCopy

SEEDS = ("dyfed-powys", "gwent", "avon-and-somerset", "staffordshire", "gloucestershire")

# The world and personas are built once for the module; each test rolls back to them.
pytestmark = pytest.mark.shared_world


@pytest.fixture
def published(world):
    load_seed_responses(world.inspection, render=False)
    return world


def _response(slug):
    return Response.objects.select_related("force", "inspection").get(force__slug=slug)


def _api(client, url, data=None):
    if data is None:
        return client.get(url)
    return client.post(url, data=json.dumps(data), content_type="application/json")


# --- 1. The last day, counted as the Act counts it -------------------------------------------------


@pytest.mark.parametrize(
    ("published_on", "last_day"),
    [
        (date(2022, 7, 14), date(2022, 9, 7)),  # MAPPA: 14 July is day 1, 7 September day 56
        (date(2024, 1, 31), date(2024, 3, 26)),  # across a leap February
        (date(2023, 12, 1), date(2024, 1, 25)),  # across the year end
    ],
)
def test_last_day_is_the_56th_day_counting_the_day_of_publication(published_on, last_day):
    assert last_day_to_publish(published_on) == last_day
    assert (last_day - published_on).days + 1 == 56


def test_seed_forces_are_judged_on_the_last_day_on_the_page_and_in_the_api(published, client_for, national):
    expected = {
        "gwent": ("on_time", -2),
        "dyfed-powys": ("late", 1),
        "avon-and-somerset": ("late", 1),
        "gloucestershire": ("late", 13),
        "staffordshire": ("date_not_known", None),
    }
    client = client_for(national)
    for slug, (state, late) in expected.items():
        response = _response(slug)
        assert response.judged() == (state, late)
        body = _api(
            client, reverse("api:response-detail", kwargs={"force_slug": slug, "pk": response.pk})
        ).json()
        assert body["statutory_due_on"] == "2022-09-07"
        assert body["timeliness"] == {"state": state, "days_late": late}
        page = client.get(response.get_absolute_url()).content.decode()
        assert "publish by 7 September 2022 (the 56th day, counting the day of publication)" in page
    assert "Published 1 day late" in client.get(_response("dyfed-powys").get_absolute_url()).content.decode()


def test_staffordshire_reads_date_not_known_on_every_page_export_count_and_api(
    published, client_for, national
):
    client = client_for(national)
    staffs = _response("staffordshire")
    public = client.get(reverse("responses:public-detail", kwargs={"slug": "staffordshire", "pk": staffs.pk}))
    assert "not known" in public.content.decode()
    detail = client.get(staffs.get_absolute_url()).content.decode()
    assert "Published, date not known" in detail and "timeliness cannot be judged" in detail
    dashboard = client.get(reverse("national:dashboard"), {"inspection": published.inspection.pk})
    html = dashboard.content.decode()
    assert "Not yet published" not in html and "Published, date not known" in html
    assert dashboard.context["dashboard"].timeliness_counts["not_published"] == 0
    assert dashboard.context["dashboard"].timeliness_counts["date_not_known"] == 1
    export = client.get(
        reverse("national:dashboard-export", kwargs={"fmt": "csv"}), {"inspection": published.inspection.pk}
    )
    rows = {r["Force"]: r for r in csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")))}
    assert rows["Staffordshire Police"]["Response timeliness"] == "Published, date not known"
    api = _api(
        client, reverse("api:response-detail", kwargs={"force_slug": "staffordshire", "pk": staffs.pk})
    )
    assert api.json()["timeliness"]["state"] == "date_not_known"
    # Its sign-off date is not in the document either: shown as not known.
    assert (
        "date not known"
        in client.get(
            reverse("responses:history", kwargs={"force_slug": "staffordshire", "pk": staffs.pk})
        ).content.decode()
    )


def test_administrator_sets_a_different_last_day_with_a_reason_shown_on_pages(
    published, admin_user, national, client_for
):
    url = reverse("inspections:last-day", kwargs={"slug": published.inspection.slug})
    answer = client_for(admin_user).post(
        url,
        {"response_due_override_on": "2022-09-08", "response_due_override_reason": "Published at 11pm."},
    )
    assert answer.status_code == 302
    inspection = Inspection.objects.get(pk=published.inspection.pk)
    assert inspection.response_due_on == date(2022, 9, 8)
    page = client_for(national).get(_response("dyfed-powys").get_absolute_url()).content.decode()
    assert "Published at 11pm." in page and "a different last day set for this inspection" in page
    assert _response("dyfed-powys").judged() == ("on_time", 0)
    # Cleared, it counts again as the Act does.
    client_for(admin_user).post(url, {"response_due_override_on": "", "response_due_override_reason": ""})
    assert Inspection.objects.get(pk=published.inspection.pk).response_due_on == date(2022, 9, 7)


def _last_day_pages(world, gwent_staff, client_for, national):
    staff = client_for(gwent_staff)
    return {
        "home": staff.get(reverse("recommendations:home", kwargs={"force_slug": "gwent"})),
        "inspections": staff.get(reverse("recommendations:inspection-list", kwargs={"force_slug": "gwent"})),
        "responses": staff.get(reverse("responses:list", kwargs={"force_slug": "gwent"})),
        "front door": client_for(None).get(reverse("responses:public-index")),
        "national dashboard": client_for(national).get(
            reverse("national:dashboard"), {"inspection": world.inspection.pk}
        ),
    }


def test_every_page_that_shows_the_last_day_says_how_it_is_counted_or_why_it_differs(
    world, admin_user, gwent_staff, national, client_for
):
    """The force's home, its inspections, its responses, the public front door and the national
    dashboard give the last day with "the 56th day, counting the day of publication", or the
    administrator's reason; where a sentence goes on after it, no space comes before its stop."""
    for name, page in _last_day_pages(world, gwent_staff, client_for, national).items():
        html = page.content.decode()
        assert page.status_code == 200, name
        assert "7 September 2022" in html or "7 Sep 2022" in html, name
        assert "the 56th day, counting the day of publication" in html, name
        assert "publication) ." not in " ".join(html.split()), name
    from recommendations.services import set_last_day_override

    set_last_day_override(
        world.inspection, user=admin_user, override_on=date(2022, 9, 8), reason="Published at 11pm."
    )
    for name, page in _last_day_pages(world, gwent_staff, client_for, national).items():
        html = page.content.decode()
        assert "8 September 2022" in html or "8 Sep 2022" in html, name
        assert "Published at 11pm." in html, name
        assert "the 56th day, counting the day of publication" not in html, name


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"response_due_override_on": "2022-09-09", "response_due_override_reason": "  "},
            "Enter the reason",
        ),
        (
            {"response_due_override_on": "2022-07-01", "response_due_override_reason": "x"},
            "before the report",
        ),
        (
            {"response_due_override_on": "2022-13-45", "response_due_override_reason": "x"},
            "Enter a real date",
        ),
    ],
)
def test_last_day_override_bad_input_shows_the_error_summary_and_saves_nothing(
    published, admin_user, client_for, data, message
):
    url = reverse("inspections:last-day", kwargs={"slug": published.inspection.slug})
    answer = client_for(admin_user).post(url, data)
    body = answer.content.decode()
    assert answer.status_code == 200 and "govuk-error-summary" in body and message in body
    inspection = Inspection.objects.get(pk=published.inspection.pk)
    assert inspection.response_due_override_on is None and inspection.response_due_on == date(2022, 9, 7)


# --- 2. The s55 ledger -----------------------------------------------------------------------------


def test_gloucestershire_ledger_shows_the_t_acc_comments_and_not_recorded_steps(
    published, client_for, national
):
    glos = _response("gloucestershire")
    page = client_for(national).get(glos.get_absolute_url()).content.decode()
    assert "Section 55 steps" in page
    assert "T/ACC Richard Ocone, for the Chief Constable" in page and "2 September 2022" in page
    assert "not recorded" in page  # invitation and copies: no document gives them
    body = _api(
        client_for(national),
        reverse("api:response-ledger", kwargs={"force_slug": "gloucestershire", "pk": glos.pk}),
    ).json()
    by_key = {entry["key"]: entry for entry in body}
    assert by_key["chief_comments_received"]["dated"] == "2022-09-02"
    assert by_key["chief_comments_received"]["detail"] == "T/ACC Richard Ocone, for the Chief Constable"
    assert by_key["pcc_signed"]["dated"] == "2022-09-20"
    assert by_key["published"]["dated"] == "2022-09-20"
    assert by_key["chief_invited"]["dated"] is None and by_key["copy_hmicfrs"]["dated"] is None


def test_staff_record_ledger_steps_on_the_page(published, gwent_staff, client_for):
    gwent = _response("gwent")
    url = reverse("responses:ledger", kwargs={"force_slug": "gwent", "pk": gwent.pk})
    answer = client_for(gwent_staff).post(
        url,
        {
            "chief_invited_on": "2022-07-20",
            "chief_comments_received_on": "2022-08-30",
            "chief_comments_received_from": "Chief Constable",
            "published_url": "https://www.gwent.pcc.police.uk/mappa",
        },
    )
    assert answer.status_code == 303
    gwent.refresh_from_db()
    assert gwent.chief_invited_on == date(2022, 7, 20)
    assert gwent.published_url == "https://www.gwent.pcc.police.uk/mappa"
    page = client_for(gwent_staff).get(gwent.get_absolute_url()).content.decode()
    assert "20 July 2022" in page and "https://www.gwent.pcc.police.uk/mappa" in page


def test_ledger_date_before_the_report_is_refused_on_the_page_and_in_the_api(
    published, gwent_staff, client_for
):
    gwent = _response("gwent")
    client = client_for(gwent_staff)
    page = client.post(
        reverse("responses:ledger", kwargs={"force_slug": "gwent", "pk": gwent.pk}),
        {"chief_invited_on": "2022-07-01", "chief_comments_received_from": "Chief Constable"},
    )
    body = page.content.decode()
    assert (
        page.status_code == 200
        and "govuk-error-summary" in body
        and "before the report was published" in body
    )
    api = _api(
        client,
        reverse("api:response-ledger", kwargs={"force_slug": "gwent", "pk": gwent.pk}),
        {"pcc_signed_on": "2022-01-01", "chief_comments_received_from": "Chief Constable"},
    )
    assert api.status_code == 400 and "pcc_signed_on" in api.json()
    gwent.refresh_from_db()
    assert gwent.chief_invited_on is None and gwent.chief_comments_received_from == ""
    ok = _api(
        client,
        reverse("api:response-ledger", kwargs={"force_slug": "gwent", "pk": gwent.pk}),
        {"chief_invited_on": "2022-07-21"},
    )
    assert ok.status_code == 200
    assert {e["key"]: e["dated"] for e in ok.json()["ledger"]}["chief_invited"] == "2022-07-21"


def test_the_chief_officers_by_when_is_recorded_from_the_ledger_page_and_the_api(
    published, gwent_staff, client_for
):
    """s55(4): the date by which the chief officer was asked to comment, with the ledger's checks."""
    gwent = _response("gwent")
    client = client_for(gwent_staff)
    page_url = reverse("responses:ledger", kwargs={"force_slug": "gwent", "pk": gwent.pk})
    api_url = reverse("api:response-ledger", kwargs={"force_slug": "gwent", "pk": gwent.pk})
    answer = client.post(page_url, {"chief_invited_on": "2022-07-20", "chief_comments_due_on": "2022-08-26"})
    assert answer.status_code == 303
    gwent.refresh_from_db()
    assert gwent.chief_comments_due_on == date(2022, 8, 26)
    shown = client.get(gwent.get_absolute_url()).content.decode()
    assert "comments asked for by 26 August 2022" in shown

    for body, where in (
        ({"chief_comments_due_on": "2022-07-01"}, "before the report was published"),
        ({"chief_comments_due_on": "2022-07-18"}, "before they were invited to comment"),
    ):
        page = client.post(page_url, {"chief_invited_on": "2022-07-20", **body})
        html = page.content.decode()
        assert page.status_code == 200 and "govuk-error-summary" in html and where in html
        api = _api(client, api_url, body)
        assert api.status_code == 400 and "chief_comments_due_on" in api.json(), api.content
    ok = _api(client, api_url, {"chief_comments_due_on": "2022-08-31"})
    assert ok.status_code == 200 and ok.json()["chief_comments_due_on"] == "2022-08-31"
    gwent.refresh_from_db()
    assert gwent.chief_comments_due_on == date(2022, 8, 31)


def test_the_draft_refuses_a_chief_officers_due_date_before_the_report(published, gwent_staff):
    from django.core.exceptions import ValidationError

    gwent = Response.objects.get(force__slug="gwent")
    before = gwent.chief_comments_due_on
    with pytest.raises(ValidationError, match="before the report was published"):
        response_services.save_draft(
            gwent, user=gwent_staff, fields={}, sections={}, chief_comments_due_on=date(2022, 7, 1)
        )
    gwent.refresh_from_db()
    assert gwent.chief_comments_due_on == before and gwent.current_version.number == 1


def test_the_admin_cannot_save_a_last_day_without_the_services_checks(world, admin_user, client_for):
    """The Django admin shows the last day and its override read-only and links to the page that
    sets them through the service (a reason required), so no door saves an override without one."""
    from django.contrib import admin
    from django.test import RequestFactory

    model_admin = admin.site._registry[Inspection]
    request = RequestFactory().get("/")
    request.user = admin_user
    form = model_admin.get_form(request, world.inspection)
    assert not {"response_due_override_on", "response_due_override_reason", "response_due_on"} & set(
        form.base_fields
    )
    url = reverse("admin:recommendations_inspection_change", args=[world.inspection.pk])
    page = client_for(admin_user).get(url).content.decode()
    assert reverse("inspections:last-day", kwargs={"slug": world.inspection.slug}) in page


def test_other_force_cannot_record_a_ledger_step(published, dyfed_staff, client_for):
    gwent = _response("gwent")
    api = _api(
        client_for(dyfed_staff),
        reverse("api:response-ledger", kwargs={"force_slug": "dyfed-powys", "pk": gwent.pk}),
        {"chief_invited_on": "2022-07-21"},
    )
    assert api.status_code == 404
    gwent.refresh_from_db()
    assert gwent.chief_invited_on is None


def test_the_sending_task_records_the_copies_in_the_ledger(published, gwent_staff, settings):
    from responses.models import LetterRender

    gwent = _response("gwent")
    copy = ResponseCopy.objects.create(
        force=gwent.force,
        response=gwent,
        version=gwent.published_version,
        recipients=settings.RESPONSE_COPY_RECIPIENTS,
    )
    path = settings.MEDIA_ROOT / "letters" / "gwent.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"%PDF-1.7 stand-in")
    LetterRender.objects.create(
        force=gwent.force,
        version=gwent.published_version,
        status="done",
        is_current=True,
        file="letters/gwent.pdf",
    )
    response_services.send_copy(copy.pk)
    gwent.refresh_from_db()
    today = timezone.localdate()
    assert gwent.copy_hmicfrs_sent_on == today and gwent.copy_home_secretary_sent_on == today
    # One e-mail per recipient, each claimed once; sending again changes nothing.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(settings.RESPONSE_COPY_RECIPIENTS)
    response_services.send_copy(copy.pk)
    assert len(mail.outbox) == 2


def test_a_copy_dated_before_the_report_is_refused(published):
    from django.core.exceptions import ValidationError

    gwent = _response("gwent")
    with pytest.raises(ValidationError):
        response_services.record_copy_sent(gwent, recipient="hmicfrs", sent_on=date(2022, 7, 1))
    gwent.refresh_from_db()
    assert gwent.copy_hmicfrs_sent_on is None


# --- 3. Whose words each answer is ----------------------------------------------------------------


def test_staffordshire_updates_are_the_chief_constables_undated_and_sort_last(world, gwent_staff):
    staffs = Force.objects.get(slug="staffordshire")
    record = Record.objects.get(
        force=staffs, recommendation__inspection=world.inspection, recommendation__number=14
    )
    (seed,) = record.updates.all()
    assert seed.dated is None and seed.source_dated is None
    assert seed.voice == ProgressUpdate.Voice.CHIEF_OFFICER
    assert "Chris Noble" in seed.author_name and "undated" in seed.source_document
    assert "date not known" in seed.voice_line
    from recommendations.services import add_progress_update, system_access

    add_progress_update(
        record,
        author=None,
        text="A dated update.",
        dated=date(2023, 1, 5),
        access=system_access(record.force),
    )
    ordered = list(record.updates.all())
    assert ordered[-1].pk == seed.pk  # undated sorts last
    record.refresh_from_db()
    assert record.latest_update.dated == date(2023, 1, 5)


def test_an_undated_update_is_never_counted_stale(world, client_for, gwent_staff):
    from reminders.milestones import Offsets
    from reminders.services import _record_items

    records = Record.objects.filter(recommendation__inspection=world.inspection).select_related(
        "force", "recommendation__inspection", "latest_update"
    )
    offsets = {r.force_id: Offsets.for_force(None) for r in records}
    stale = {i.force.slug for i in _record_items(records, offsets, date(2026, 12, 1)) if i.kind == Kind.STALE}
    assert "gwent" in stale  # a dated 2022 update is stale by 2026
    assert "staffordshire" not in stale  # an undated one is never judged by a made-up date

    # The records list's "stale" filter and the home page's count agree with the reminders: each of
    # Staffordshire's records has only its undated answer, so none is stale, where Gwent's 2022
    # answers all are (a made-up date, such as the report's publication, would make them stale too).
    from forces.models import Membership
    from recommendations import listing
    from tests.conftest import make_user

    staffs = Force.objects.get(slug="staffordshire")
    mine = Record.objects.filter(force=staffs, recommendation__inspection=world.inspection)
    assert mine.exists() and not mine.filter(latest_update__dated__isnull=False).exists()
    today = timezone.localdate()
    assert not listing.stale(mine, today, 60).exists()
    assert listing.queue_counts(mine, today=today, stale_after=60)["stale"] == 0
    gwent = Record.objects.filter(force=world.gwent, recommendation__inspection=world.inspection)
    assert listing.stale(gwent, today, 60).count() == gwent.open().count() > 0

    client = client_for(make_user("staffordshire.staff", force=staffs, role=Membership.Role.OPCC_STAFF))
    url = reverse("recommendations:record-list", kwargs={"force_slug": "staffordshire"})
    assert client.get(url + "?stale=on").context["page"].paginator.count == 0
    assert client.get(url).context["page"].paginator.count == mine.count()
    home = client.get(reverse("recommendations:home", kwargs={"force_slug": "staffordshire"}))
    assert home.context["counts"]["stale"] == 0
    gwent_home = client_for(gwent_staff).get(reverse("recommendations:home", kwargs={"force_slug": "gwent"}))
    assert gwent_home.context["counts"]["stale"] == gwent.open().count()


def test_gloucestershire_updates_are_the_constabularys_of_2_september(world, client_for, national):
    glos = Force.objects.get(slug="gloucestershire")
    record = Record.objects.get(
        force=glos, recommendation__inspection=world.inspection, recommendation__number=19
    )
    (seed,) = record.updates.all()
    assert seed.dated == date(2022, 9, 2) and seed.source_dated == date(2022, 9, 2)
    assert seed.voice == ProgressUpdate.Voice.OFFICER_FOR_CHIEF and seed.author_name == "T/ACC Richard Ocone"
    assert "published by the PCC on 20 September 2022" in seed.source_document
    page = client_for(national).get(record.get_absolute_url()).content.decode()
    assert "An officer for the chief officer (T/ACC Richard Ocone)" in page


def test_no_fixture_carries_a_date_its_document_does_not_give():
    from django.conf import settings

    rows = json.loads((settings.BASE_DIR / "fixtures" / "mappa_seed_responses.json").read_text())
    by_force = {row["force"]: row for row in rows}
    assert by_force["staffordshire"]["progress_dated"] is None
    assert (
        by_force["staffordshire"]["response_date"] is None
        and by_force["staffordshire"]["published_on"] is None
    )
    assert by_force["staffordshire"]["ledger"] == {}
    assert by_force["gloucestershire"]["progress_dated"] == "2022-09-02"


# --- 4. Office-holders by date ---------------------------------------------------------------------


def test_gwent_2022_letter_names_jeff_cuthbert_and_a_new_letter_names_todays_holder(published, gwent_staff):
    gwent = _response("gwent")
    assert gwent.published_version.signatory_name == "Jeff Cuthbert"
    assert holders_on(gwent.force, date(2022, 9, 5)).commissioner_name == "Jeff Cuthbert"
    assert holders_on(gwent.force, date(2026, 1, 10)).commissioner_name == "Jane Mudd"
    gwent.delete()
    fresh = response_services.start_response(gwent.force, published.inspection, user=gwent_staff)
    expected = holders_on(gwent.force, timezone.localdate()).commissioner_name
    assert fresh.current_version.signatory_name == expected == "Jane Mudd"


def test_response_page_and_api_show_who_held_office_on_the_response_date(published, client_for, national):
    gwent = _response("gwent")
    page = client_for(national).get(gwent.get_absolute_url()).content.decode()
    assert "Who held office" in page and "Jeff Cuthbert" in page and "Jane Mudd" not in page
    api = _api(
        client_for(national), reverse("api:response-detail", kwargs={"force_slug": "gwent", "pk": gwent.pk})
    )
    assert api.json()["office_holders"]["commissioner_name"] == "Jeff Cuthbert"


def test_an_undated_response_names_no_office_holder_by_a_date_of_our_own(published, client_for, national):
    """Staffordshire's response gives no date: who held office for it is not known, and no day (the
    last day, today) stands in for its date on the page, in the API or on the public list."""
    staffs = _response("staffordshire")
    assert staffs.is_published and staffs.published_on is None
    assert staffs.office_date is None and staffs.office_holders is None
    page = client_for(national).get(staffs.get_absolute_url()).content.decode()
    assert "The date of this response is not known, so who held office for it is not known." in page
    assert "the response's date" not in page and "the response&#x27;s date" not in page
    api = _api(
        client_for(national),
        reverse("api:response-detail", kwargs={"force_slug": "staffordshire", "pk": staffs.pk}),
    )
    assert api.json()["office_holders"] is None
    public = client_for(None).get(reverse("responses:public-list", kwargs={"slug": "staffordshire"}))
    html = public.content.decode()
    assert "Not known: the date of the response is not known" in html
    assert "(, " not in html
    gwent = client_for(None).get(reverse("responses:public-list", kwargs={"slug": "gwent"})).content.decode()
    assert "Jeff Cuthbert" in gwent and "Jane Mudd" not in gwent  # the holder on its 2022 date


def test_an_undated_sign_off_is_null_in_the_api_and_date_not_known_on_the_pages(
    published, client_for, national
):
    """Staffordshire's document gives no sign-off date: the API says null (not the time the demo was
    loaded) and the pages say "date not known"; Gwent's dated sign-off is given as it is."""
    staffs = _response("staffordshire")
    version = staffs.published_version
    assert version.is_signed and not version.signed_date_known
    client = client_for(national)
    body = _api(
        client, reverse("api:response-detail", kwargs={"force_slug": "staffordshire", "pk": staffs.pk})
    ).json()
    assert body["current_version"]["signed_off_at"] is None
    assert body["current_version"]["signed_date_known"] is False
    assert body["current_version"]["is_signed"] is True
    shown = timezone.localtime(version.signed_off_at).strftime("%-d %B %Y")
    for url in (
        staffs.get_absolute_url(),
        reverse("responses:history", kwargs={"force_slug": "staffordshire", "pk": staffs.pk}),
    ):
        page = client.get(url).content.decode()
        row = page[page.index(">Signed off<") :]
        row = row[: row.index("</dd>")]
        assert "date not known" in row and shown not in row, url
    gwent = _response("gwent")
    dated = _api(
        client, reverse("api:response-detail", kwargs={"force_slug": "gwent", "pk": gwent.pk})
    ).json()
    if gwent.published_version.signed_date_known:
        assert dated["current_version"]["signed_off_at"] is not None


@pytest.mark.parametrize(
    ("slug", "day", "kind"),
    [
        ("cumbria", date(2022, 9, 1), "pcc"),
        ("cumbria", date(2023, 3, 31), "pcc"),
        ("cumbria", date(2023, 4, 1), "pfcc"),
        ("north-yorkshire", date(2022, 9, 1), "pfcc"),
        ("north-yorkshire", date(2024, 5, 6), "pfcc"),
        ("north-yorkshire", date(2024, 5, 7), "mayor"),
        ("staffordshire", date(2022, 9, 1), "pfcc"),
    ],
)
def test_arrangements_by_date(db, slug, day, kind):
    load_forces()
    load_office_holdings()
    assert holders_on(Force.objects.get(slug=slug), day).commissioner_type == kind


def test_every_force_has_an_arrangement_in_2022_and_now(db):
    load_forces()
    load_office_holdings()
    for force in Force.objects.all():
        for day in (date(2022, 7, 14), timezone.localdate()):
            holders = holders_on(force, day)
            assert holders.commissioner_type and holders.commissioner_title, (force.slug, day)
    assert load_office_holdings() == OfficeHolding.objects.count()  # safe to repeat


def test_administrator_adds_an_office_holder_on_the_page(world, admin_user, client_for):
    url = reverse("forces:office-holders", kwargs={"force_slug": "gwent"})
    answer = client_for(admin_user).post(
        url,
        {"office": "chief_officer", "title": "Chief Constable", "name": "", "starts_on": "2030-01-01"},
    )
    assert answer.status_code == 302
    assert OfficeHolding.objects.filter(
        force=world.gwent, office="chief_officer", starts_on=date(2030, 1, 1)
    ).exists()
    assert "Chief Constable" in client_for(admin_user).get(url).content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {
                "office": "chief_officer",
                "title": "Chief Constable",
                "starts_on": "2025-05-01",
                "ends_on": "2025-04-01",
            },
            "The end date must be the same as or after the start date",
        ),
        (
            {
                "office": "commissioner",
                "commissioner_type": "pcc",
                "title": "Police and Crime Commissioner for Gwent",
                "name": "Someone Else",
                "starts_on": "2022-01-01",
                "ends_on": "2022-12-31",
            },
            "overlap another holder of the same office",
        ),
        ({"office": "commissioner", "title": "PCC"}, "Choose the commissioner type"),
    ],
)
def test_office_holder_bad_input_shows_the_error_summary_and_saves_nothing(
    world, admin_user, client_for, data, message
):
    before = OfficeHolding.objects.count()
    answer = client_for(admin_user).post(
        reverse("forces:office-holders", kwargs={"force_slug": "gwent"}), data
    )
    body = answer.content.decode()
    assert answer.status_code == 200 and "govuk-error-summary" in body and message in body
    assert OfficeHolding.objects.count() == before
    assert holders_on(world.gwent, date(2022, 6, 1)).commissioner_name == "Jeff Cuthbert"


# --- 5. Closure as three events --------------------------------------------------------------------


def test_staff_record_hmicfrs_closure_and_every_list_filters_on_it(
    published, gwent_staff, national, client_for
):
    record = published.record(published.gwent, 18)
    answer = client_for(gwent_staff).post(
        reverse("recommendations:hmicfrs-closure", kwargs={"force_slug": "gwent", "pk": record.pk}),
        {
            "version": record.version,
            "closed_on": "2024-02-01",
            "reference": "HMICFRS/2024/118",
            "basis": "Authorised for closure on the basis of the force's audit of MOSOVO training.",
            "register_reference": "MAPPA-18-GW",
        },
    )
    assert answer.status_code == 302
    record.refresh_from_db()
    assert record.hmicfrs_closed_on == date(2024, 2, 1) and record.hmicfrs_reference == "MAPPA-18-GW"
    assert record.status == Record.Status.IN_PROGRESS  # HMICFRS's decision does not rewrite the force's
    assert record.latest_update.kind == ProgressUpdate.Kind.HMICFRS_CLOSED
    overview = client_for(gwent_staff).get(
        reverse("forces:overview", kwargs={"force_slug": "gwent"}), {"closure": "hmicfrs_authorised"}
    )
    shown = [r.pk for _i, rows in overview.context["by_inspection"] for r in rows]
    assert shown == [record.pk]
    dashboard = client_for(national).get(
        reverse("national:dashboard"),
        {"inspection": published.inspection.pk, "closure": "hmicfrs_authorised"},
    )
    assert [row.force.slug for row in dashboard.context["dashboard"].rows] == ["gwent"]
    export = client_for(gwent_staff).get(
        reverse("spreadsheets:force-export", kwargs={"force_slug": "gwent", "what": "records", "fmt": "csv"}),
        {"closure": "hmicfrs_authorised"},
    )
    assert len(list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))) == 1


def test_closure_filters_keep_the_three_events_apart(published, national, client_for):
    def forces(stage):
        page = client_for(national).get(
            reverse("national:dashboard"), {"inspection": published.inspection.pk, "closure": stage}
        )
        return {row.force.slug for row in page.context["dashboard"].rows}

    assert forces("implemented") == {"dyfed-powys", "staffordshire"}
    assert forces("signed_off") == set()  # no document records a chief officer's sign-off
    assert forces("hmicfrs_authorised") == set()


def test_hmicfrs_closure_through_the_api_and_its_bad_input(published, gwent_staff, client_for):
    record = published.record(published.gwent, 18)
    url = reverse("api:record-hmicfrs-closure", kwargs={"force_slug": "gwent", "pk": record.pk})
    client = client_for(gwent_staff)
    version = {"expected_version": record.version}
    bad = _api(client, url, {"closed_on": "2022-01-01", "basis": "x", **version})
    assert bad.status_code == 400 and "closed_on" in bad.json()
    future = _api(client, url, {"closed_on": "2099-01-01", "basis": "x", **version})
    assert future.status_code == 400 and "closed_on" in future.json()
    missing = _api(client, url, {"closed_on": "2024-02-01", **version})
    assert missing.status_code == 400 and "basis" in missing.json()
    record.refresh_from_db()
    assert record.hmicfrs_closed_on is None
    ok = _api(
        client,
        url,
        {"closed_on": "2024-02-01", "basis": "Authorised for closure.", "reference": "R1", **version},
    )
    assert ok.status_code == 200 and ok.json()["hmicfrs_closed_on"] == "2024-02-01"


def test_the_register_reference_is_set_on_its_page_and_in_the_api_with_the_version_check(
    world, gwent_staff, client_for
):
    record = world.record(world.gwent, 18)
    client = client_for(gwent_staff)
    page_url = reverse("recommendations:hmicfrs-reference", kwargs={"force_slug": "gwent", "pk": record.pk})
    api_url = reverse("api:record-detail", kwargs={"force_slug": "gwent", "pk": record.pk})
    stale = record.version
    saved = client.post(page_url, {"hmicfrs_reference": "MAPPA-R18", "version": record.version})
    assert saved.status_code == 302
    record.refresh_from_db()
    assert record.hmicfrs_reference == "MAPPA-R18" and record.version == stale + 1
    assert "MAPPA-R18" in client.get(record.get_absolute_url()).content.decode()

    # A form or a PATCH drawn from the older version is refused, and nothing changes.
    page = client.post(page_url, {"hmicfrs_reference": "OTHER", "version": stale})
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    api = client.patch(
        api_url, {"hmicfrs_reference": "OTHER", "expected_version": stale}, content_type="application/json"
    )
    assert api.status_code == 409
    too_long = client.patch(
        api_url,
        {"hmicfrs_reference": "x" * 61, "expected_version": record.version},
        content_type="application/json",
    )
    assert too_long.status_code == 400 and "hmicfrs_reference" in too_long.json()
    record.refresh_from_db()
    assert record.hmicfrs_reference == "MAPPA-R18"
    ok = client.patch(
        api_url,
        {"hmicfrs_reference": "", "expected_version": record.version},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["hmicfrs_reference"] == ""


def test_only_the_forces_own_people_change_the_register_reference(world, dyfed_staff, national, client_for):
    record = world.record(world.gwent, 18)
    body = {"hmicfrs_reference": "X", "expected_version": record.version}
    for who, slug in ((dyfed_staff, "dyfed-powys"), (dyfed_staff, "gwent"), (national, "gwent")):
        answer = client_for(who).patch(
            f"/api/forces/{slug}/records/{record.pk}/", body, content_type="application/json"
        )
        assert answer.status_code == 404, (who, slug, answer.status_code)
    record.refresh_from_db()
    assert record.hmicfrs_reference == ""


def test_hmicfrs_closure_page_refuses_a_date_before_the_report(published, gwent_staff, client_for):
    record = published.record(published.gwent, 18)
    answer = client_for(gwent_staff).post(
        reverse("recommendations:hmicfrs-closure", kwargs={"force_slug": "gwent", "pk": record.pk}),
        {"version": record.version, "closed_on": "2021-02-01", "basis": "Authorised."},
    )
    assert answer.status_code == 200 and "govuk-error-summary" in answer.content.decode()
    record.refresh_from_db()
    assert record.hmicfrs_closed_on is None


# --- 7. Demo statuses that fit their text ------------------------------------------------------------


def test_demo_statuses_fit_their_text(world):
    records = Record.objects.filter(recommendation__inspection=world.inspection)
    assert not records.filter(status=Record.Status.NO_FURTHER_ACTION).exclude(rag="").exists()
    avon_18 = records.get(force__slug="avon-and-somerset", recommendation__number=18)
    assert avon_18.status == Record.Status.NO_FURTHER_ACTION and avon_18.rag == ""
    # A force's "done" is implemented, awaiting sign-off: no seed records a chief officer's sign-off.
    assert not records.filter(status=Record.Status.COMPLETE).exists()
    assert set(
        records.filter(status=Record.Status.AWAITING_SIGN_OFF).values_list("force__slug", flat=True)
    ) == {"dyfed-powys", "staffordshire"}
