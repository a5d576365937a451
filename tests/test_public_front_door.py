"""The public front door: every force and inspection, open data (CSV, JSON), Atom feeds, error pages.

Nothing unpublished reaches these pages: a draft response of another force is written with a
marker text, and the page, the data and the feeds are searched for it.
"""

import csv
import io
import json

import feedparser
import pytest
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.urls import path, reverse
from django.utils import translation

from accounts.models import User
from forces.demo import load_forces
from forces.models import Force
from mappa_tracker import urls as root_urls
from responses import services
from responses.demo import load_seed_responses
from responses.models import Response
from responses.public import DATA_FIELDS, FRONT_DOOR_PER_PAGE

from .tenancy import _done_letter


def welsh_catalogue():
    from frontend.i18n import compile_catalogue

    po = settings.BASE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        compile_catalogue(po)
    translation.trans_real._translations = {}


pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]


@pytest.fixture(autouse=True, scope="module")
def _compiled_welsh_catalogue():
    """The Welsh pages need the compiled catalogue (scripts/bootstrap.sh makes it); make it if stale."""
    welsh_catalogue()
    yield


SECRET = "UNPUBLISHED-DRAFT-MARKER"


@pytest.fixture
def public_world(world, gwent_staff):
    """All 43 forces, the five seed responses published, Gwent's letter rendered (a stand-in file),
    and a draft of another force that must stay unseen."""
    load_forces()
    load_seed_responses(world.inspection, render=False)
    _done_letter(world, world.gwent)
    north_wales = Force.objects.get(slug="north-wales")
    from tests.conftest import make_user

    staff = make_user("nw.staff", force=north_wales, role="opcc_staff")
    draft = services.start_response(north_wales, world.inspection, user=staff)
    services.save_draft(draft, user=staff, fields={"pcc_overall_comments": SECRET}, sections={})
    return world


def test_front_door_lists_every_force_and_inspection_and_links_to_gwents_letter(public_world, client):
    page = client.get(reverse("responses:public-index"))
    assert page.status_code == 200
    html = page.content.decode()
    assert Force.objects.count() == 43
    for force in Force.objects.all():
        assert reverse("responses:public-list", kwargs={"slug": force.slug}) in html, force.slug
    assert "Twenty years on, is MAPPA achieving its objectives?" in html
    gwent = Response.objects.get(force__slug="gwent")
    assert reverse("responses:public-letter", kwargs={"slug": "gwent", "pk": gwent.pk}) in html
    assert gwent.get_public_url() in html
    assert "5 of 43 forces have published their responses." in html
    # The last day's sentence ends where it ends: no space before its full stop.
    assert "(the 56th day, counting the day of publication). 5 of 43" in " ".join(html.split())
    # On a phone each force is a card whose cells name their column (the card-table pattern).
    assert 'class="govuk-table app-card-table"' in html
    assert 'data-label="On time"' in html and 'data-label="Published"' in html
    # Timeliness is the responses' own (Response.timeliness), whatever rule it applies.
    late = Response.objects.get(force__slug="gloucestershire").timeliness()
    assert late["kind"] == "late"
    assert "Published on time" in html and f"Published {late['days']} days late" in html
    assert "Published, date not known" in html  # Staffordshire
    assert SECRET not in html
    north_wales = Response.objects.get(force__slug="north-wales")
    assert north_wales.get_public_url() not in html


FRONT_DOOR_ROW = "responses/includes/front_door_inspection.html"


def test_front_door_draws_an_inspection_again_only_when_what_it_shows_changes(
    public_world, client, own_cache
):
    """Each inspection's table of forces is kept in the row cache under a key made of what it shows:
    a repeat visit draws none, and a response published on another day draws that table again."""
    url = reverse("responses:public-index")
    first = client.get(url)
    assert [t.name for t in first.templates].count(FRONT_DOOR_ROW) == 1
    second = client.get(url)
    assert FRONT_DOOR_ROW not in [t.name for t in second.templates]
    assert second.content == first.content
    gwent = Response.objects.get(force__slug="gwent")
    gwent.published_on = gwent.published_on.replace(day=6)
    gwent.save()
    third = client.get(url)
    assert [t.name for t in third.templates].count(FRONT_DOOR_ROW) == 1
    assert "6 September 2022" in third.content.decode()


def test_front_door_queries_stay_constant_as_forces_and_responses_grow(
    world, client, django_assert_max_num_queries
):
    load_seed_responses(world.inspection, render=False)
    with django_assert_max_num_queries(8) as few:
        assert client.get(reverse("responses:public-index")).status_code == 200
    load_forces()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(reverse("responses:public-index")).status_code == 200


def _published_inspections(force, n):
    """n more inspections (newer than the seed one, newest last), each with `force`'s response published."""
    from datetime import date, timedelta

    from recommendations.models import Inspection
    from responses.models import ResponseVersion

    for i in range(n):
        inspection = Inspection.objects.create(
            title=f"Paged inspection {i:02d}", slug=f"paged-{i}", published_on=date(2023, 1, 1) + timedelta(i)
        )
        response = Response.objects.create(force=force, inspection=inspection, status="published")
        version = ResponseVersion.objects.create(force=force, response=response, number=1)
        response.published_on = inspection.published_on + timedelta(20)
        response.published_version = response.current_version = version
        response.save()


def test_front_door_pages_through_inspections_newest_first(
    public_world, client, django_assert_max_num_queries
):
    url = reverse("responses:public-index")
    with django_assert_max_num_queries(8) as one_inspection:
        assert client.get(url).status_code == 200
    per_page = FRONT_DOOR_PER_PAGE
    _published_inspections(public_world.gwent, 2 * per_page + 2)  # with the seed one: 2 full pages and 3
    with django_assert_max_num_queries(len(one_inspection.captured_queries) + 1):  # + the page's count
        first = client.get(url)
    html = first.content.decode()
    newest = [f"Paged inspection {i:02d}" for i in range(2 * per_page + 1, per_page + 1, -1)]
    assert all(title in html for title in newest)
    assert f"Paged inspection {per_page + 1:02d}" not in html
    assert html.index(newest[0]) < html.index(newest[-1])
    assert 'class="govuk-pagination"' in html and 'aria-label="Pages of inspections"' in html
    assert html.count('class="govuk-table app-card-table"') == per_page
    last = client.get(url, {"page": 3}).content.decode()
    assert "Paged inspection 01" in last and "Paged inspection 00" in last
    assert "Twenty years on, is MAPPA achieving its objectives?" in last
    assert last.count('class="govuk-table app-card-table"') == 3
    # A page number that is not a number shows the first page; one past the end, the last.
    assert newest[0] in client.get(url, {"page": "abc"}).content.decode()
    past_end = client.get(url, {"page": 999})
    assert past_end.status_code == 200 and "Twenty years on" in past_end.content.decode()


def test_a_forces_public_page_pages_through_its_responses(public_world, client):
    _published_inspections(public_world.gwent, 30)  # with the seed response: 31, so 25 and 6
    url = reverse("responses:public-list", kwargs={"slug": "gwent"})
    first = client.get(url).content.decode()
    assert first.count('class="govuk-summary-card"') == 25
    assert "Paged inspection 29" in first and 'aria-label="Pages of published responses"' in first
    second = client.get(url, {"page": 2}).content.decode()
    assert second.count('class="govuk-summary-card"') == 6
    assert "Twenty years on, is MAPPA achieving its objectives?" in second
    assert SECRET not in first + second


def test_front_door_and_public_pages_in_welsh(public_world, client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    for url in (
        reverse("responses:public-index"),
        reverse("responses:public-list", kwargs={"slug": "gwent"}),
        "/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        assert '<html lang="cy"' in html, url
    html = client.get(reverse("responses:public-index")).content.decode()
    assert "Ymatebion a gyhoeddwyd i adroddiadau arolygu" in html
    assert "Wedi’i gyhoeddi ar amser" in html and "Ymatebion a gyhoeddwyd" in html  # the footer link


def test_open_data_csv_has_a_row_per_force_and_inspection(public_world, client):
    page = client.get(reverse("responses:public-data", kwargs={"fmt": "csv"}))
    assert page.status_code == 200 and page["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(page.content.decode("utf-8"))))
    assert tuple(rows[0].keys()) == DATA_FIELDS
    assert len(rows) == 43
    gwent = next(r for r in rows if r["force"] == "gwent")
    assert gwent["published"] == "true" and gwent["published_on"] == "2022-09-05"
    assert gwent["on_time"] == "true" and gwent["days_late"] == "0"
    due = public_world.inspection.response_due_on.isoformat()
    assert gwent["letter_url"].endswith("/letter.pdf") and gwent["response_due_on"] == due
    glos = next(r for r in rows if r["force"] == "gloucestershire")
    late = Response.objects.get(force__slug="gloucestershire").days_late()
    assert glos["on_time"] == "false" and glos["days_late"] == str(late) and late > 0
    north_wales = next(r for r in rows if r["force"] == "north-wales")
    assert north_wales["published"] == "false" and north_wales["response_url"] == ""
    assert SECRET not in page.content.decode()


def test_open_data_json_matches_the_csv(public_world, client):
    page = client.get(reverse("responses:public-data", kwargs={"fmt": "json"}))
    assert page.status_code == 200 and page["Content-Type"].startswith("application/json")
    data = json.loads(page.content)
    assert data["fields"] == list(DATA_FIELDS) and len(data["rows"]) == 43
    assert all(set(row) == set(DATA_FIELDS) for row in data["rows"])
    published = [row for row in data["rows"] if row["published"]]
    assert {row["force"] for row in published} == {
        "gwent",
        "dyfed-powys",
        "avon-and-somerset",
        "staffordshire",
        "gloucestershire",
    }
    staffs = next(row for row in published if row["force"] == "staffordshire")
    assert staffs["published_on"] is None and staffs["on_time"] is None
    assert SECRET not in page.content.decode()
    assert client.get("/public/responses.xml").status_code == 404


def test_national_atom_feed_parses_and_lists_the_published_responses(public_world, client):
    page = client.get(reverse("responses:public-feed"))
    assert page.status_code == 200 and page["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(page.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    assert feed.feed.title == "Published responses to inspection reports"
    titles = [entry.title for entry in feed.entries]
    assert len(titles) == 5 and titles[0].startswith("Gloucestershire")  # newest first
    gwent = next(e for e in feed.entries if e.title.startswith("Gwent Police"))
    assert gwent.link.endswith(Response.objects.get(force__slug="gwent").get_public_url())
    assert gwent.updated.startswith("2022-09-05")
    assert all(entry.get("updated") for entry in feed.entries)  # Atom requires it, even undated ones
    assert SECRET not in page.content.decode()


def test_force_atom_feed_has_only_that_force(public_world, client):
    page = client.get(reverse("responses:public-force-feed", kwargs={"slug": "gwent"}))
    feed = feedparser.parse(page.content)
    assert not feed.bozo and [e.title.split(":")[0] for e in feed.entries] == ["Gwent Police"]
    assert "Gwent Police" in feed.feed.title
    empty = feedparser.parse(client.get("/public/north-wales/responses/feed.atom").content)
    assert not empty.bozo and empty.entries == []


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize(
    "url",
    [
        "/public/no-such-force/responses/",
        "/public/no-such-force/responses/feed.atom",
        "/public/gwent/responses/999999/",
        "/no-such-page/",
        "/public/nothing-here",
    ],
)
def test_unknown_public_pages_answer_the_services_404(public_world, client, settings, debug, url):
    settings.DEBUG = debug
    page = client.get(url)
    assert page.status_code == 404
    html = page.content.decode()
    assert "Page not found" in html and "govuk-template" in html
    assert "URLconf" not in html and "Traceback" not in html and "technical_404" not in html


def test_unpublished_response_is_a_404_on_the_public_pages(public_world, client, settings):
    settings.DEBUG = True
    draft = Response.objects.get(force__slug="north-wales")
    for name in ("responses:public-detail", "responses:public-letter"):
        page = client.get(reverse(name, kwargs={"slug": "north-wales", "pk": draft.pk}))
        assert page.status_code == 404 and "Page not found" in page.content.decode()


def test_404_in_welsh(public_world, client, settings):
    settings.DEBUG = True
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    html = client.get("/public/no-such-force/responses/").content.decode()
    assert "Heb ddod o hyd i’r dudalen" in html and '<html lang="cy"' in html


@login_not_required
def _broken_view(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("broken/", _broken_view), *root_urls.urlpatterns]


@pytest.fixture
def broken_site(settings):
    """The service's URLs plus /broken/, whose view raises; a client that gets the pages, not the error."""
    from django.test import Client

    settings.ROOT_URLCONF = __name__
    return lambda: Client(raise_request_exception=False)


def _is_service_500(page) -> bool:
    html = page.content.decode()
    return page.status_code == 500 and "govuk-template" in html and "Traceback" not in html


def test_debug_500_from_a_view_is_the_services_page_except_for_superusers(world, settings, broken_site):
    settings.DEBUG = True
    page = broken_site().get("/broken/")
    assert _is_service_500(page), page.content.decode()[:500]
    assert "Sorry, there is a problem with the service" in page.content.decode()
    assert "a bug in a view" not in page.content.decode()
    root = User.objects.create_superuser("root", "root@example.org", "x")
    developer = broken_site()
    developer.force_login(root)
    technical = developer.get("/broken/")
    assert technical.status_code == 500 and b"a bug in a view" in technical.content
    settings.DEBUG = False  # Django's handler500 (frontend.views.server_error) answers
    assert _is_service_500(broken_site().get("/broken/"))


def test_debug_500_in_welsh(world, settings, broken_site):
    settings.DEBUG = True
    client = broken_site()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    page = client.get("/broken/")
    assert _is_service_500(page)
    html = page.content.decode()
    assert '<html lang="cy"' in html and "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth" in html


# Only these may sit above the error pages: they add headers or answer before any page is made.
OUTSIDE_ERROR_PAGES = {
    "audit.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "api.errors.ApiJsonErrorsMiddleware",
    "csp.middleware.CSPMiddleware",
}


def _under_error_pages():
    names = list(settings.MIDDLEWARE)
    return names[names.index("frontend.errors.ServiceErrorPagesMiddleware") + 1 :]


def test_error_pages_sit_above_every_middleware_that_runs_the_service():
    names = list(settings.MIDDLEWARE)
    above = names[: names.index("frontend.errors.ServiceErrorPagesMiddleware")]
    assert set(above) <= OUTSIDE_ERROR_PAGES, above
    under = {name.rsplit(".", 1)[-1] for name in _under_error_pages()}
    assert {
        "SessionMiddleware",
        "LocaleMiddleware",
        "CsrfViewMiddleware",
        "AuthenticationMiddleware",
    } <= under


@pytest.mark.parametrize("middleware", _under_error_pages())
def test_debug_500_from_a_middleware_is_the_services_page(
    world, settings, broken_site, monkeypatch, middleware
):
    """Every middleware under ServiceErrorPagesMiddleware: its exception still gets the service's page."""
    import importlib

    settings.DEBUG = True

    def broken_middleware(get_response):
        def middleware(request):
            raise RuntimeError("a bug in a middleware")

        return middleware

    # Replaced where Django imports it from (class or function), for the new client's handler.
    module, name = middleware.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, broken_middleware)
    page = broken_site().get("/public/")
    assert _is_service_500(page), page.content.decode()[:500]
    assert "a bug in a middleware" not in page.content.decode()


def test_home_for_a_signed_out_visitor_and_the_sign_in_page_link_to_the_front_door(world, client):
    front = reverse("responses:public-index")
    home = client.get("/")
    assert home.status_code == 200 and front in home.content.decode()
    assert reverse("accounts:login") in home.content.decode()
    assert front in client.get(reverse("accounts:login")).content.decode()


def test_long_hashes_wrap_on_a_narrow_screen():
    css = (settings.BASE_DIR / "static" / "dist" / "css" / "app.css").read_text()
    assert "overflow-wrap:anywhere" in css.replace(" ", "")


def _inspection_headings(html: str, css_class: str, tag: str):
    from lxml import html as lxml_html

    return [
        element for element in lxml_html.fromstring(html).iter(tag) if css_class in element.get("class", "")
    ]


def test_welsh_public_pages_mark_an_english_only_inspection_title(public_world, client):
    """No Welsh title yet: the English one, marked lang="en" and noted as English only."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    gwent = Response.objects.get(force__slug="gwent")
    title = "Twenty years on, is MAPPA achieving its objectives?"
    listing = client.get(reverse("responses:public-list", kwargs={"slug": "gwent"})).content.decode()
    (card,) = _inspection_headings(listing, "govuk-summary-card__title", "h2")
    (english,) = card.xpath(".//span[@lang='en']")
    assert english.text_content() == title and "(yn Saesneg yn unig)" in card.text_content()
    detail = client.get(gwent.get_public_url()).content.decode()
    (h1,) = _inspection_headings(detail, "govuk-heading-l", "h1")
    assert h1.xpath(".//span[@lang='en']")[0].text_content() == title
    assert "(yn Saesneg yn unig)" in h1.text_content()


def test_welsh_public_pages_and_feed_give_the_welsh_inspection_title(public_world, client):
    welsh = "Ugain mlynedd yn ddiweddarach, a yw MAPPA yn cyflawni ei amcanion?"
    public_world.inspection.title_cy = welsh
    public_world.inspection.save(update_fields=["title_cy"])
    gwent = Response.objects.get(force__slug="gwent")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    listing = client.get(reverse("responses:public-list", kwargs={"slug": "gwent"})).content.decode()
    (card,) = _inspection_headings(listing, "govuk-summary-card__title", "h2")
    assert card.text_content().strip() == welsh and not card.xpath(".//*[@lang]")
    detail = client.get(gwent.get_public_url()).content.decode()
    (h1,) = _inspection_headings(detail, "govuk-heading-l", "h1")
    assert h1.text_content().strip() == welsh
    assert f"<title>{welsh} – Heddlu Gwent" in detail  # the force's own Welsh name on Welsh pages
    page = client.get(reverse("responses:public-force-feed", kwargs={"slug": "gwent"}))
    feed = feedparser.parse(page.content)
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.get("language") == "cy"
    assert feed.feed.title.startswith("Ymatebion a gyhoeddwyd i adroddiadau arolygu")
    assert [entry.title for entry in feed.entries] == [f"Heddlu Gwent: {welsh}"]
    # The English pages and feed keep the English title.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = feedparser.parse(client.get(reverse("responses:public-feed")).content)
    assert any(
        e.title == "Gwent Police: Twenty years on, is MAPPA achieving its objectives?"
        for e in english.entries
    )
    assert welsh not in client.get(gwent.get_public_url()).content.decode()
