"""Each role's home, the paged records list, the inspections page, and signing a response after reading."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recommendations import listing
from recommendations.models import DueDateExtension, Inspection, Recommendation, Record
from recommendations.services import (
    add_progress_update,
    create_force_records,
    decide_extension,
    request_extension,
    system_access,
)
from reminders.models import ForceReminderSettings
from responses import diff, services
from responses.letterheads import digest_to_sign
from responses.models import Response

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

HOME = "/forces/gwent/home/"
RECORDS = "/forces/gwent/records/"
INSPECTIONS = "/forces/gwent/inspections/"


def _awaiting(record, user):
    add_progress_update(record, author=user, text="Implemented across the force.", status="awaiting_sign_off")


@pytest.fixture
def awaiting_response(world, gwent_staff, gwent_chief):
    """A response signed once (version 1), then changed (version 2) and sent for sign-off again."""
    response = services.start_response(world.gwent, world.inspection, user=gwent_staff)
    services.save_draft(
        response,
        user=gwent_staff,
        fields={"pcc_overall_comments": "The force has made good progress on training."},
        sections={},
    )
    services.submit_for_sign_off(response, user=gwent_staff)
    response.refresh_from_db()
    services.sign_off(response, user=gwent_chief, version_number=response.current_version.number)
    response.refresh_from_db()
    services.save_draft(
        response,
        user=gwent_staff,
        fields={"pcc_overall_comments": "The force has made steady progress on joint training."},
        sections={},
    )
    response.refresh_from_db()
    services.submit_for_sign_off(response, user=gwent_staff)
    response.refresh_from_db()
    return response


# --- Home ----------------------------------------------------------------------------------------


def test_a_single_force_user_lands_on_their_home(gwent_chief, client_for):
    response = client_for(gwent_chief).get("/")
    assert response.status_code == 302 and response.url == HOME


def test_chief_home_lists_what_waits_for_sign_off_oldest_first_each_a_link(
    world, gwent_staff, gwent_chief, client_for, awaiting_response
):
    first, second = world.record(world.gwent, 18), world.record(world.gwent, 14)
    _awaiting(first, gwent_staff)
    _awaiting(second, gwent_staff)
    Record.objects.filter(pk=second.pk).update(updated_at=timezone.now() + timedelta(minutes=1))
    third = world.record(world.gwent, 19)
    request_extension(
        third, requested_by=gwent_staff, new_due_on=date(2099, 1, 31), reason="Training runs late."
    )
    page = client_for(gwent_chief).get(HOME)
    html = page.content.decode()
    assert page.status_code == 200
    assert [r.pk for r in page.context["sign_off_records"]] == [first.pk, second.pk]  # oldest first
    for record in (first, second):
        assert (
            reverse("recommendations:record-sign-off", kwargs={"force_slug": "gwent", "pk": record.pk})
            in html
        )
    extension = DueDateExtension.objects.get(record=third)
    assert (
        reverse("recommendations:extension-decide", kwargs={"force_slug": "gwent", "pk": extension.pk})
        in html
    )
    sign_off_url = reverse("responses:sign-off", kwargs={"force_slug": "gwent", "pk": awaiting_response.pk})
    assert sign_off_url in html
    # Sign-offs come before what staff see.
    assert html.index(sign_off_url) < html.index("What your staff see")


def test_staff_home_has_no_sign_off_queue_and_count_cards_link_to_the_list_they_count(
    world, gwent_staff, client_for
):
    client = client_for(gwent_staff)
    page = client.get(HOME)
    html = page.content.decode()
    assert "Waiting for your sign-off" not in html
    counts = page.context["counts"]
    for query, key in (
        ("overdue=on&sort=due", "overdue"),
        ("due_soon=on&sort=due", "due_soon"),
        ("stale=on&sort=updated", "stale"),
        ("status=awaiting_sign_off&sort=updated", "awaiting_sign_off"),
        ("status=complete", "complete"),
    ):
        assert f"{RECORDS}?{query.replace('&', '&amp;')}" in html
        listed = client.get(f"{RECORDS}?{query}")
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == counts[key], key


def test_stale_uses_the_forces_own_period(world, gwent_staff, client_for, settings):
    settings.REMINDER_STALE_AFTER_DAYS = 999
    record = world.record(world.gwent, 19)
    add_progress_update(
        record, author=gwent_staff, text="Met probation.", dated=timezone.localdate() - timedelta(days=100)
    )
    client = client_for(gwent_staff)
    open_gwent = Record.objects.filter(force=world.gwent).open().count()
    assert client.get(HOME).context["counts"]["stale"] == open_gwent - 1  # the seed updates are from 2022
    ForceReminderSettings.objects.create(force=world.gwent, stale_after_days=60)
    page = client.get(HOME)
    assert page.context["counts"]["stale"] == open_gwent
    assert "No update for 60 days" in page.content.decode()
    listed = client.get(RECORDS, {"stale": "on"}).context["page"]
    assert record.pk in {r.pk for r in listed.object_list}


def test_decided_extensions_come_back_to_staff(world, gwent_staff, gwent_chief, client_for):
    record = world.record(world.gwent, 15)
    extension = request_extension(
        record, requested_by=gwent_staff, new_due_on=date(2099, 1, 31), reason="Training runs late."
    )
    if not isinstance(extension, DueDateExtension):
        extension = DueDateExtension.objects.get(record=record)
    decide_extension(extension, decided_by=gwent_chief, approve=False, reason="Not this year.")
    html = client_for(gwent_staff).get(HOME).content.decode()
    assert "refused" in html and record.get_absolute_url() in html


# --- Records list ----------------------------------------------------------------------------------


def test_records_list_bad_input_gives_a_normal_page(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    for query in (
        {"page": "abc"},
        {"page": "-3"},
        {"page": "99999"},
        {"sort": "nonsense", "status": "nope", "inspection": "x", "owner": "y"},
        {"q": "x" * 500},
        {"overdue": "maybe", "stale": "1"},
    ):
        response = client.get(RECORDS, query)
        assert response.status_code == 200, query
    last = client.get(RECORDS, {"page": "99999"}).context["page"]
    assert last.number == last.paginator.num_pages
    # A bad value for one filter does not hide the valid others.
    status_only = client.get(RECORDS, {"status": "complete", "owner": "nonsense"}).context["page"]
    assert all(r.status == "complete" for r in status_only.object_list)


def test_records_list_searches_within_the_force(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    record = world.record(world.gwent, 19)
    word = record.recommendation.text.split()[3]
    found = client.get(RECORDS, {"q": word}).context["page"].object_list
    assert record.pk in {r.pk for r in found}
    assert all(r.force_id == world.gwent.pk for r in found)
    add_progress_update(record, author=gwent_staff, text="Quokka protocol agreed with probation.")
    found = client.get(RECORDS, {"q": "quokka"}).context["page"].object_list
    assert [r.pk for r in found] == [record.pk]
    dyfed_record = world.record(world.dyfed, 19)
    add_progress_update(dyfed_record, author=None, text="Wombat plan.", access=system_access(world.dyfed))
    assert not client.get(RECORDS, {"q": "wombat"}).context["page"].object_list


def test_latest_update_on_the_list_is_the_answer_with_the_workflow_step_beside_it(
    world, gwent_staff, gwent_chief, client_for
):
    from recommendations.services import sign_off

    record = world.record(world.gwent, 14)
    _awaiting(record, gwent_staff)
    record.refresh_from_db()
    sign_off(record, acting_user=gwent_chief, text="")
    page = client_for(gwent_staff).get(RECORDS, {"status": "complete"})
    row = next(r for r in page.context["page"].object_list if r.pk == record.pk)
    assert row.latest_answer.text == "Implemented across the force."
    html = page.content.decode()
    assert "Implemented across the force." in html and "Latest step: Signed off as complete" in html


def test_records_list_filters_by_closure_stage(world, gwent_staff, gwent_chief, client_for):
    from recommendations.services import sign_off

    implemented = world.record(world.gwent, 14)
    _awaiting(implemented, gwent_staff)
    signed = world.record(world.gwent, 15)
    _awaiting(signed, gwent_staff)
    signed.refresh_from_db()
    sign_off(signed, acting_user=gwent_chief, text="")
    client = client_for(gwent_staff)

    def shown(stage):
        page = client.get(RECORDS, {"closure": stage})
        assert page.status_code == 200
        return {r.pk for r in page.context["page"].object_list}

    assert shown("implemented") == {implemented.pk, signed.pk}
    assert shown("signed_off") == {signed.pk}
    assert shown("hmicfrs_authorised") == set()
    everything = shown("")
    assert shown("nonsense") == everything and len(everything) > 2
    html = client.get(RECORDS).content.decode()
    assert 'name="closure"' in html and "Signed off by the chief officer" in html


def _grow(world, user, n):
    police = world.record(world.gwent).recommendation.addressees.filter(is_police=True)
    for i in range(n):
        inspection = Inspection.objects.create(
            title=f"Grown {i}", slug=f"grown-{i}", published_on=date(2024, 1, 1) + timedelta(days=i)
        )
        for number in (1, 2):
            rec = Recommendation.objects.create(inspection=inspection, number=number, text="Do better.")
            rec.addressees.add(*police)
        create_force_records(inspection, forces=[world.gwent])
        for record in Record.objects.filter(force=world.gwent, recommendation__inspection=inspection):
            add_progress_update(record, author=user, text=f"Started {i}.", status="in_progress", rag="amber")
        services.start_response(world.gwent, inspection, user=user)


@pytest.mark.parametrize(
    "url",
    [
        HOME,
        RECORDS,
        RECORDS + "?stale=on&sort=updated&q=better",
        RECORDS + "?page=2",
        INSPECTIONS,
    ],
)
def test_work_pages_run_a_constant_number_of_queries(
    world, gwent_staff, gwent_chief, client_for, django_assert_max_num_queries, url
):
    client = client_for(gwent_chief)
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    _grow(world, gwent_staff, 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_inspections_page_shows_progress_and_response_state(world, gwent_staff, client_for):
    _awaiting(world.record(world.gwent, 14), gwent_staff)
    services.start_response(world.gwent, world.inspection, user=gwent_staff)
    page = client_for(gwent_staff).get(INSPECTIONS)
    row = next(i for i in page.context["page"].object_list if i.pk == world.inspection.pk)
    gwent = Record.objects.filter(force=world.gwent, recommendation__inspection=world.inspection)
    assert row.record_count == gwent.count()
    assert row.awaiting_sign_off == gwent.filter(status="awaiting_sign_off").count() == 1
    assert row.response.status == Response.Status.DRAFT
    html = page.content.decode()
    last_day = world.inspection.response_due_on
    assert f"Last day to publish: {last_day.day} {last_day:%B %Y}" in html
    assert f"{RECORDS}?inspection={world.inspection.pk}&amp;status=awaiting_sign_off" in html
    assert client_for(gwent_staff).get(INSPECTIONS, {"page": "zzz"}).status_code == 200


# --- Sign off after reading ---------------------------------------------------------------------------


def test_word_diff_marks_changed_words_only():
    segments = diff.word_diff("made good progress on training.", "made steady progress on joint training.")
    ops = [(s.op, s.text) for s in segments]
    assert ("delete", "good") in ops and ("insert", "steady") in ops and ("insert", "joint ") in ops
    assert "".join(s.text for s in segments if s.op != "insert") == "made good progress on training."
    assert "".join(s.text for s in segments if s.op != "delete") == "made steady progress on joint training."


def test_response_sign_off_page_shows_text_then_changes_then_confirmation(
    world, gwent_chief, client_for, awaiting_response
):
    url = reverse("responses:sign-off", kwargs={"force_slug": "gwent", "pk": awaiting_response.pk})
    page = client_for(gwent_chief).get(url)
    html = page.content.decode()
    assert page.status_code == 200
    text_at = html.index('id="text"')
    changes_at = html.index('id="changes"')
    confirm_at = html.index('name="confirm"')
    assert text_at < changes_at < confirm_at
    assert "steady progress on joint training" in html[text_at:changes_at]
    changes = html[changes_at:confirm_at]
    assert "<del" in changes and "good" in changes and "<ins" in changes and "steady" in changes
    assert "[added: " in changes and "[removed: " in changes  # not colour alone
    version = awaiting_response.current_version
    done = client_for(gwent_chief).post(
        url, {"version": version.number, "content_sha256": digest_to_sign(version), "confirm": "on"}
    )
    assert done.status_code == 303
    version.refresh_from_db()
    assert version.is_signed


def test_sign_off_page_is_for_the_forces_chief_only(
    world, gwent_staff, dyfed_chief, client_for, awaiting_response
):
    url = reverse("responses:sign-off", kwargs={"force_slug": "gwent", "pk": awaiting_response.pk})
    assert client_for(gwent_staff).get(url).status_code == 404
    assert client_for(dyfed_chief).get(url).status_code == 404


def test_version_changes_in_the_history_and_404_for_another_response(
    world, gwent_staff, dyfed_staff, client_for, awaiting_response
):
    client = client_for(gwent_staff)
    history = client.get(
        reverse("responses:history", kwargs={"force_slug": "gwent", "pk": awaiting_response.pk})
    )
    changes_url = reverse(
        "responses:version-changes", kwargs={"force_slug": "gwent", "pk": awaiting_response.pk, "number": 2}
    )
    assert changes_url in history.content.decode()
    page = client.get(changes_url)
    assert page.status_code == 200 and page.context["previous"].number == 1
    assert "<ins" in page.content.decode()
    assert client.get(changes_url, {"against": "abc"}).context["previous"].number == 1
    assert client.get(changes_url, {"against": "77"}).status_code == 404
    # Another force's response, through Gwent's URL or Dyfed-Powys's own people: not found.
    dyfed = services.start_response(world.dyfed, world.inspection, user=dyfed_staff)
    other = reverse("responses:version-changes", kwargs={"force_slug": "gwent", "pk": dyfed.pk, "number": 1})
    assert client.get(other).status_code == 404
    assert client_for(dyfed_staff).get(changes_url).status_code == 404


def test_listing_filters_are_a_table_a_new_filter_extends():
    assert set(listing.FILTERS) >= {
        "q",
        "inspection",
        "status",
        "owner",
        "overdue",
        "due_soon",
        "stale",
        "closure",
    }
    assert set(listing.RecordListForm.base_fields) >= set(listing.FILTERS)


# --- The GOV.UK date input ------------------------------------------------------------------------


def test_dates_are_typed_in_day_month_year_boxes(world, gwent_staff, client_for):
    record = world.record(world.gwent, 15)
    url = reverse("recommendations:extension-create", kwargs={"force_slug": "gwent", "pk": record.pk})
    client = client_for(gwent_staff)
    html = client.get(url).content.decode()
    assert 'type="date"' not in html
    assert (
        'name="new_due_on_day"' in html
        and 'name="new_due_on_month"' in html
        and 'name="new_due_on_year"' in html
    )
    bad = client.post(
        url,
        {
            "new_due_on_day": "31",
            "new_due_on_month": "2",
            "new_due_on_year": "2099",
            "reason": "Late.",
            "version": record.version,
        },
    )
    assert bad.status_code == 200 and "Enter a real date" in bad.content.decode()
    assert 'href="#id_new_due_on_day"' in bad.content.decode()
    assert not DueDateExtension.objects.filter(record=record).exists()
    good = client.post(
        url,
        {
            "new_due_on_day": "31",
            "new_due_on_month": "1",
            "new_due_on_year": "2099",
            "reason": "Late.",
            "version": record.version,
        },
    )
    assert good.status_code == 302
    assert DueDateExtension.objects.get(record=record).new_due_on == date(2099, 1, 31)


@pytest.mark.parametrize(
    ("day", "month", "year"),
    [("1", "1", "1" + "0" * 20), ("1" + "0" * 20, "1", "2024"), ("1", "1" * 25, "2024")],
)
def test_a_date_part_too_large_for_a_date_is_a_form_error_not_a_500(
    day, month, year, world, gwent_staff, client_for
):
    """Found by the form fuzz: a 21-digit part overflowed C's long inside date() (an OverflowError)."""
    record = world.record(world.gwent, 15)
    url = reverse("recommendations:extension-create", kwargs={"force_slug": "gwent", "pk": record.pk})
    page = client_for(gwent_staff).post(
        url,
        {
            "new_due_on_day": day,
            "new_due_on_month": month,
            "new_due_on_year": year,
            "reason": "Late.",
            "version": record.version,
        },
    )
    assert page.status_code == 200 and "Enter a real date" in page.content.decode()
    assert not DueDateExtension.objects.filter(record=record).exists()


def test_audit_export_takes_its_date_in_boxes_and_refuses_an_impossible_one(world, national, client_for):
    client = client_for(national)
    page = client.get("/audit/export/").content.decode()
    assert 'type="date"' not in page and 'name="since_day"' in page
    future = client.get("/audit/export/?download=1&since_day=1&since_month=1&since_year=2999")
    assert future.status_code == 200 and len(b"".join(future.streaming_content).splitlines()) == 1
    impossible = client.get("/audit/export/?download=1&since_day=31&since_month=2&since_year=2024")
    assert impossible.status_code == 400 and "Enter a real date" in impossible.content.decode()


def test_record_sign_off_page_shows_the_answer_then_its_changes_since_the_signed_response(
    world, gwent_staff, gwent_chief, client_for
):
    response = services.start_response(world.gwent, world.inspection, user=gwent_staff)
    services.submit_for_sign_off(response, user=gwent_staff)
    response.refresh_from_db()
    services.sign_off(response, user=gwent_chief, version_number=response.current_version.number)
    record = world.record(world.gwent, 14)
    add_progress_update(
        record,
        author=gwent_staff,
        text="Training delivered to every MAPPA officer.",
        status="awaiting_sign_off",
    )
    url = reverse("recommendations:record-sign-off", kwargs={"force_slug": "gwent", "pk": record.pk})
    html = client_for(gwent_chief).get(url).content.decode()
    assert html.index('id="text"') < html.index('id="changes"') < html.index('name="decision"')
    changes = html[html.index('id="changes"') : html.index('name="decision"')]
    assert "<ins" in changes and "[added: </span>Training<" in changes and "[removed: " in changes


# --- Force pages stay short and their queries constant as the force's data grows --------------------


def _grow_a_year(world, user, inspections=25, per_inspection=12):
    """A force's real year: some 25-30 inspections of about ten recommendations each (300 records),
    each record with an owner-free update, each inspection with a response started."""
    police = world.record(world.gwent).recommendation.addressees.filter(is_police=True)
    for i in range(inspections):
        inspection = Inspection.objects.create(
            title=f"Joint thematic inspection of public protection arrangements, part {i}",
            slug=f"year-{i}",
            published_on=date(2024, 1, 1) + timedelta(days=7 * i),
        )
        for number in range(1, per_inspection + 1):
            rec = Recommendation.objects.create(
                inspection=inspection,
                number=number,
                text="By March, chief constables should make sure that every MAPPA officer has had refresher "
                "training in risk assessment and in recording their decisions on ViSOR.",
            )
            rec.addressees.add(*police)
        create_force_records(inspection, forces=[world.gwent])
        for record in Record.objects.filter(force=world.gwent, recommendation__inspection=inspection):
            add_progress_update(
                record,
                author=user,
                text="Training plan agreed with probation; the first sessions ran in the spring.",
                status="in_progress",
                rag="amber",
            )
        services.start_response(world.gwent, inspection, user=user)


def test_force_pages_stay_under_100_kb_with_a_years_records(world, gwent_staff, gwent_chief, client_for):
    _grow_a_year(world, gwent_staff)
    assert Record.objects.filter(force=world.gwent).count() >= 300
    pages = [
        HOME,
        RECORDS,
        RECORDS + "?page=2",
        RECORDS + "?sort=due&status=in_progress",
        INSPECTIONS,
        "/forces/gwent/",
        "/forces/gwent/responses/",
        "/forces/gwent/responses/?page=2",
        "/forces/gwent/pack/",
    ]
    for user in (gwent_staff, gwent_chief):
        client = client_for(user)
        for url in pages:
            page = client.get(url)
            assert page.status_code == 200, url
            assert len(page.content) < 100 * 1024, (url, len(page.content))
    responses = client_for(gwent_staff).get("/forces/gwent/responses/")
    assert 'class="govuk-pagination"' in responses.content.decode()
    assert responses.context["page"].paginator.num_pages == 2
    last = client_for(gwent_staff).get("/forces/gwent/responses/", {"page": "999"})
    assert last.status_code == 200 and last.context["page"].number == 2
    assert client_for(gwent_staff).get("/forces/gwent/responses/", {"page": "x"}).status_code == 200


def test_api_list_sign_off_and_changes_pages_run_a_constant_number_of_queries(
    world, gwent_staff, gwent_chief, client_for, django_assert_max_num_queries, awaiting_response
):
    from recommendations.services import add_progress_update as add

    record = world.record(world.gwent, 14)
    _awaiting(record, gwent_staff)
    urls = [
        "/api/forces/gwent/records/",
        reverse("recommendations:record-sign-off", kwargs={"force_slug": "gwent", "pk": record.pk}),
        reverse("responses:sign-off", kwargs={"force_slug": "gwent", "pk": awaiting_response.pk}),
        reverse(
            "responses:version-changes",
            kwargs={"force_slug": "gwent", "pk": awaiting_response.pk, "number": 2},
        ),
        reverse("audit:record-history", kwargs={"force_slug": "gwent", "pk": record.pk}),
    ]
    client = client_for(gwent_chief)
    small = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(40) as captured:
            assert client.get(url).status_code == 200, url
        small[url] = len(captured.captured_queries)
    _grow(world, gwent_staff, 15)
    for i in range(5):  # more of the record's own timeline
        add(record, author=gwent_staff, text=f"Evidence {i} added.")
    for url in urls:
        with django_assert_max_num_queries(small[url]):
            assert client.get(url).status_code == 200, url


# --- Corrections only where they make sense; the latest answer, not the latest step --------------------


def test_correct_this_entry_is_offered_only_on_staffs_own_words_while_the_record_is_open(
    world, gwent_staff, gwent_chief, client_for
):
    from recommendations.models import ProgressUpdate
    from recommendations.services import sign_off

    record = world.record(world.gwent, 14)
    add_progress_update(record, author=gwent_staff, text="Training plan agreed.")
    page = reverse("recommendations:record-detail", kwargs={"force_slug": "gwent", "pk": record.pk})
    assert "Correct this entry" in client_for(gwent_staff).get(page).content.decode()
    own = ProgressUpdate.objects.filter(record=record, text="Training plan agreed.").get()
    assert own.can_be_corrected
    _awaiting(record, gwent_staff)
    record.refresh_from_db()
    sign_off(record, acting_user=gwent_chief, text="")
    updates = list(ProgressUpdate.objects.filter(record=record).select_related("record"))
    signed = next(u for u in updates if u.kind == "signed_off")
    assert not signed.can_be_corrected
    assert not any(u.can_be_corrected for u in updates)  # signed off: nothing is corrected any more
    assert "Correct this entry" not in client_for(gwent_staff).get(page).content.decode()

    open_record = world.record(world.gwent, 15)
    for fields in ({"voice": "chief_officer"}, {"source_document": "PCC letter of 2 September 2022"}):
        entry = ProgressUpdate(
            force=world.gwent, record=open_record, kind="update", text="From the letter.", **fields
        )
        assert not entry.can_be_corrected, fields
    assert not ProgressUpdate(
        force=world.gwent, record=open_record, kind="imported", text="x"
    ).can_be_corrected
    assert ProgressUpdate(force=world.gwent, record=open_record, kind="update", text="x").can_be_corrected


def test_with_latest_answer_reads_the_answer_not_the_sign_off_in_one_query(
    world, gwent_staff, gwent_chief, django_assert_num_queries
):
    from recommendations.services import sign_off

    record = world.record(world.gwent, 14)
    _awaiting(record, gwent_staff)
    record.refresh_from_db()
    sign_off(record, acting_user=gwent_chief, text="")
    add_progress_update(world.record(world.gwent, 15), author=gwent_staff, text="Plan agreed.")
    records = Record.objects.filter(force=world.gwent).select_related("latest_update")
    with django_assert_num_queries(2):  # the records, then every latest answer at once
        found = {r.pk: r for r in records.with_latest_answer()}
        answers = {pk: r.latest_answer for pk, r in found.items()}
    assert found[record.pk].latest_update.kind == "signed_off"
    assert answers[record.pk].text == "Implemented across the force."
    assert answers[world.record(world.gwent, 15).pk].text == "Plan agreed."
    assert Record.objects.get(pk=record.pk).latest_answer.text == "Implemented across the force."


def test_list_tags_show_a_short_label_and_read_out_the_full_one(world, gwent_staff, client_for):
    """Tags fit one line at 320 px: the short label is shown, the full wording is for screen readers."""
    add_progress_update(
        world.record(world.gwent, 14),
        author=gwent_staff,
        text="Done.",
        status="awaiting_sign_off",
        rag="green",
    )
    client = client_for(gwent_staff)
    for url in (RECORDS, "/forces/gwent/"):
        html = client.get(url).content.decode()
        assert (
            '<span aria-hidden="true">Awaiting sign-off</span>'
            '<span class="govuk-visually-hidden">Implemented, awaiting sign-off</span>'
        ) in html, url
        assert (
            '<span aria-hidden="true">Green</span>'
            '<span class="govuk-visually-hidden">Green: on track or complete</span>'
        ) in html, url
    gwent_staff.preferred_language = "cy"
    gwent_staff.save(update_fields=["preferred_language"])
    html = client_for(gwent_staff).get(RECORDS).content.decode()
    assert '<span aria-hidden="true">Gwyrdd</span>' in html
    assert "Gwyrdd: ar y trywydd iawn neu wedi’i gwblhau</span>" in html


def test_home_queues_past_their_limit_link_to_the_whole_list_they_count(
    world, gwent_staff, gwent_chief, client_for, monkeypatch
):
    """A queue shows its first few; "See all N" opens the filtered list of exactly those N."""
    from recommendations import views_home

    monkeypatch.setattr(views_home, "QUEUE_LIMIT", 1)
    _grow(world, gwent_staff, 2)  # two more inspections, their responses started and past their last day
    for response in Response.objects.filter(force=world.gwent, inspection__slug__startswith="grown-"):
        services.save_draft(response, user=gwent_staff, fields={"pcc_overall_comments": "Read."}, sections={})
        response.refresh_from_db()
        services.submit_for_sign_off(response, user=gwent_staff)
    for number in (14, 15):  # two decided ...
        extension = request_extension(
            world.record(world.gwent, number),
            requested_by=gwent_staff,
            new_due_on=date(2099, 1, 31),
            reason="Late.",
        )
        decide_extension(extension, decided_by=gwent_chief, approve=True)
    for number in (18, 19):  # ... and two waiting
        request_extension(
            world.record(world.gwent, number),
            requested_by=gwent_staff,
            new_due_on=date(2099, 1, 31),
            reason="Late.",
        )

    client = client_for(gwent_chief)
    page = client.get(HOME)
    html = page.content.decode()
    counts = page.context["counts"]
    links = {
        "responses_awaiting_sign_off": (f"{INSPECTIONS}?response=awaiting_sign_off", 2),
        "responses_near": (f"{INSPECTIONS}?response=last_day_near", None),
        "extension_pending": (f"{RECORDS}?extension=pending&sort=due", 2),
        "extension_decided": (f"{RECORDS}?extension=decided", 2),
    }
    assert counts["responses_near"] >= 3  # the two grown inspections and the MAPPA one
    for key, (url, expected) in links.items():
        if expected is not None:
            assert counts[key] == expected, key
        assert url.replace("&", "&amp;") in html, key
        assert f"See all {counts[key]} " in html, key
        listed = client.get(url)
        assert listed.status_code == 200
        assert listed.context["page"].paginator.count == counts[key], key
    # Under the limit, no link: everything is shown already.
    monkeypatch.setattr(views_home, "QUEUE_LIMIT", 20)
    html = client.get(HOME).content.decode()
    for url, _expected in links.values():
        assert url.replace("&", "&amp;") not in html, url


def test_inspections_page_ignores_an_unknown_response_filter(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    everything = client.get(INSPECTIONS).context["page"].paginator.count
    for value in ("nonsense", "", "1"):
        page = client.get(INSPECTIONS, {"response": value})
        assert page.status_code == 200 and page.context["page"].paginator.count == everything


def test_overdue_has_one_definition_for_counts_lists_and_inspections(world, gwent_staff, client_for):
    client = client_for(gwent_staff)
    overdue = Record.objects.filter(force=world.gwent).overdue().count()
    assert overdue  # the seed's 2023 due dates have passed
    assert client.get(HOME).context["counts"]["overdue"] == overdue
    assert client.get(RECORDS, {"overdue": "on"}).context["page"].paginator.count == overdue
    assert sum(i.overdue for i in client.get(INSPECTIONS).context["page"].object_list) == overdue


def test_lists_and_reminders_judge_stale_on_the_same_day(world):
    """A record is stale from exactly the force's period after its last activity, on the lists,
    their "N days" and the reminders alike; one day earlier it is not."""
    from reminders.milestones import stale_due_on

    record = Record.objects.for_overview().get(pk=world.record(world.gwent, 14).pk)
    last = record.latest_update.dated
    days = 30
    for today, stale in ((last + timedelta(days=days - 1), False), (last + timedelta(days=days), True)):
        in_list = listing.stale(Record.objects.filter(pk=record.pk), today, days).exists()
        assert in_list is stale
        assert (listing.stale_days(record, today, days) == days) is stale
        assert (stale_due_on(last, today, days) is not None) is stale
    assert listing.stale_days(record, last + timedelta(days=400), 0) is None  # 0 days: never stale


def test_every_way_of_reading_the_latest_answer_prefers_a_dated_one_to_an_undated_one(world, gwent_staff):
    """One rule (recommendations.models.LATEST_ANSWER_ORDER) for a list read at once, a page already
    read and a single record: an undated answer is the latest only when none is dated (PostgreSQL
    would put it first in a plain descending order)."""
    from recommendations.listing import attach_latest_answers

    record = world.record(world.gwent, 15)
    add_progress_update(record, author=gwent_staff, text="Dated answer.")
    add_progress_update(record, author=gwent_staff, text="From an undated letter.", date_not_known=True)
    assert record.updates.order_by("-pk").first().dated is None
    queryset = Record.objects.filter(pk=record.pk).with_latest_answer().get()
    page = [Record.objects.get(pk=record.pk)]
    attach_latest_answers(page)
    single = Record.objects.get(pk=record.pk)
    assert (
        queryset.latest_answer.text
        == page[0].latest_answer.text
        == single.latest_answer.text
        == "Dated answer."
    )
