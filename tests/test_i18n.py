"""The Welsh-language service: catalogue, language switch and preference, bilingual content, dates.

Two guards keep it whole as pages are added: every page rendered under a pseudo-language must show
no template literal that escaped translation, and the Welsh catalogue must hold a translation for
every string makemessages finds.
"""

import os
import re
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from forces.models import Force
from frontend import views as frontend_views
from frontend.i18n import compile_catalogue, localised

from .tenancy import ROUTES

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

BASE_DIR = Path(settings.BASE_DIR)
CY_PO = BASE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po"
TEMPLATES_DIR = BASE_DIR / "templates"
PSEUDO = "xx"
OPEN, CLOSE = "⟦", "⟧"
# The same exclusions as the makemessages command in docs/notes/issue-9.md.
MAKEMESSAGES_IGNORE = [".venv/*", "node_modules/*", "var/*", "static/*", "bench/*", "*.egg-info/*", "tests/*"]


@pytest.fixture(autouse=True, scope="module")
def _compiled_welsh_catalogue():
    """scripts/bootstrap.sh compiles the catalogues; recompile here if they are missing or stale."""
    mo = CY_PO.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < CY_PO.stat().st_mtime:
        compile_catalogue(CY_PO)
    translation.trans_real._translations = {}  # drop catalogues loaded before the compile
    yield


def _welsh(user):
    user.preferred_language = "cy"
    user.save(update_fields=["preferred_language"])
    return user


def _text(response) -> str:
    return response.content.decode()


# --- Compiling without GNU gettext -------------------------------------------------------------


def test_portable_compile_gives_a_catalogue_django_reads(tmp_path):
    mo_path = compile_catalogue(CY_PO, tmp_path / "django.mo")
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(mo_path))}
    assert compiled["Sign in"] == "Mewngofnodi"
    assert compiled["There is a problem"] == "Mae problem"


def test_portable_compile_leaves_out_fuzzy_guesses(tmp_path):
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "cy"}
    po.append(polib.POEntry(msgid="Sign in", msgstr="Mewngofnodi"))
    po.append(polib.POEntry(msgid="Sign out", msgstr="Arwyddo allan", flags=["fuzzy"]))
    po.save(str(tmp_path / "django.po"))
    compiled = {e.msgid for e in polib.mofile(str(compile_catalogue(tmp_path / "django.po")))}
    assert "Sign in" in compiled
    assert "Sign out" not in compiled


def test_compile_command_writes_a_mo_file_next_to_each_po(tmp_path, settings):
    target = tmp_path / "cy" / "LC_MESSAGES"
    target.mkdir(parents=True)
    shutil.copy(CY_PO, target / "django.po")
    settings.LOCALE_PATHS = [tmp_path]
    call_command("compilemessages_portable", verbosity=0)
    assert (target / "django.mo").stat().st_size > 1000


# --- A Welsh user of Gwent ---------------------------------------------------------------------


def test_welsh_user_of_gwent_reads_the_force_overview_in_welsh(world, gwent_staff, client_for):
    page = _text(client_for(_welsh(gwent_staff)).get(world.gwent.get_absolute_url()))
    assert '<html lang="cy"' in page
    for welsh in (
        "Argymhellion",
        "Statws",
        "Perchennog",
        "Dyddiad cau",
        "Allgofnodi",
        "Neidio i’r prif gynnwys",
    ):
        assert welsh in page, welsh
    assert "Cyhoeddwyd 14 Gorffennaf 2022" in page
    assert "Sign out" not in page
    assert "Skip to main content" not in page


def test_a_welsh_force_goes_by_its_welsh_name_on_welsh_pages_only(
    world, gwent_staff, gwent_chief, national, client_for
):
    """Heddlu Gwent in Welsh, Gwent Police in English; a force with no Welsh name keeps its own."""
    nav = 'aria-current="true">{}</a>'
    for url in (world.gwent.get_absolute_url(), world.record(world.gwent).get_absolute_url()):
        welsh = _text(client_for(_welsh(gwent_staff)).get(url))
        assert nav.format("Heddlu Gwent") in welsh, url
        english = _text(client_for(gwent_chief).get(url))
        assert nav.format("Gwent Police") in english and "Heddlu Gwent" not in english, url
    # The MAPPA inspection's addressees have their Welsh names too.
    assert "Y Gwasanaeth Prawf" in welsh and "Heddluoedd" in welsh
    forces = _text(client_for(_welsh(national)).get(reverse("forces:list")))
    assert "Heddlu Gwent" in forces and "Heddlu Dyfed-Powys" in forces
    english_force = Force.objects.filter(country=Force.Country.ENGLAND).first()
    if english_force is not None:
        assert english_force.name in forces


def test_welsh_user_of_gwent_reads_the_record_in_welsh(world, gwent_staff, client_for):
    page = _text(client_for(_welsh(gwent_staff)).get(world.record(world.gwent).get_absolute_url()))
    for welsh in ("Yn ôl i’r holl argymhellion", "Wedi’i gyfeirio at", "Cynnydd", "Argymhelliad 14"):
        assert welsh in page, welsh
    assert "Gorffennaf 2022" in page
    assert "July" not in page


def test_status_and_deadline_phrases_are_welsh():
    with translation.override("cy"):
        rendered = Template(
            "{% load govuk %}{{ overdue|days_phrase }} / {{ left|days_phrase }} / {{ d|date:'j F Y' }}"
        ).render(Context({"overdue": -3, "left": 2, "d": date(2022, 7, 14)}))
    assert rendered == "3 diwrnod yn hwyr / 2 diwrnod ar ôl / 14 Gorffennaf 2022"


@pytest.mark.parametrize(
    ("month", "welsh"),
    [(1, "Ionawr"), (2, "Chwefror"), (7, "Gorffennaf"), (9, "Medi"), (12, "Rhagfyr")],
)
def test_dates_show_welsh_month_names(month, welsh):
    with translation.override("cy"):
        rendered = Template('{{ d|date:"j F Y" }}').render(Context({"d": date(2024, month, 5)}))
    assert rendered == f"5 {welsh} 2024"


# --- Bilingual content: Welsh where published, English marked as such -------------------------


def test_welsh_page_falls_back_to_english_title_marked_as_english(world, gwent_staff, client_for):
    assert not world.inspection.title_cy
    page = _text(client_for(_welsh(gwent_staff)).get(world.gwent.get_absolute_url()))
    assert f'<span lang="en">{world.inspection.title}</span>' in page.replace("&#x27;", "'")
    assert "(yn Saesneg yn unig)" in page


def test_every_page_naming_the_inspection_gives_its_welsh_title_or_marks_the_english(
    world, gwent_staff, national, client_for
):
    """The responses list, the record's history, the national dashboard and compare page, each in
    Welsh: the English title marked as such while there is no Welsh one, then the Welsh one."""
    from responses.services import start_response

    response = start_response(world.gwent, world.inspection, user=gwent_staff)
    staff, team = client_for(_welsh(gwent_staff)), client_for(_welsh(national))
    record = world.record(world.gwent)
    pages = {
        "responses list": (staff, reverse("responses:list", kwargs={"force_slug": "gwent"})),
        "response": (staff, response.get_absolute_url()),
        "record history": (
            staff,
            reverse("audit:record-history", kwargs={"force_slug": "gwent", "pk": record.pk}),
        ),
        "dashboard": (team, reverse("national:dashboard") + f"?inspection={world.inspection.pk}"),
        "compare": (team, reverse("national:compare", kwargs={"pk": record.recommendation.pk})),
    }
    english = world.inspection.title
    for name, (client, url) in pages.items():
        page = _text(client.get(url)).replace("&#x27;", "'")
        assert f'<span lang="en">{english}</span> <span class="app-lang-fallback">' in page, name
    compare = _text(team.get(pages["compare"][1])).replace("&#x27;", "'")
    assert f'<span lang="en">{record.recommendation.text}</span>' in compare  # the text too
    world.inspection.title_cy = "Ugain mlynedd yn ddiweddarach"
    world.inspection.save()
    for name, (client, url) in pages.items():
        page = _text(client.get(url)).replace("&#x27;", "'")
        assert "Ugain mlynedd yn ddiweddarach" in page and f'<span lang="en">{english}' not in page, name
    # The dashboard's list of inspections and the records list's filter name it in Welsh too.
    dashboard = _text(team.get(pages["dashboard"][1]))
    assert "Ugain mlynedd yn ddiweddarach (" in dashboard and f">{english} (" not in dashboard
    records = _text(staff.get(reverse("recommendations:record-list", kwargs={"force_slug": "gwent"})))
    assert ">Ugain mlynedd yn ddiweddarach</option>" in records


def test_welsh_version_of_title_and_recommendation_is_shown_when_published(world, gwent_staff, client_for):
    inspection = world.inspection
    inspection.title_cy = "Ugain mlynedd yn ddiweddarach: a yw MAPPA yn cyflawni ei amcanion?"
    inspection.save()
    recommendation = world.record(world.gwent).recommendation
    recommendation.text_cy = "Sicrhau bod gan reolwyr troseddwyr lwyth gwaith y gellir ei reoli."
    recommendation.lead_in_cy = ""
    recommendation.save()
    page = _text(client_for(_welsh(gwent_staff)).get(world.record(world.gwent).get_absolute_url()))
    assert "Ugain mlynedd yn ddiweddarach" in page
    assert "Sicrhau bod gan reolwyr troseddwyr" in page
    assert f'<span lang="en">{inspection.title}' not in page.replace("&#x27;", "'")


def test_english_page_shows_english_content_without_a_note(world, gwent_staff, client_for):
    world.inspection.title_cy = "Ugain mlynedd yn ddiweddarach"
    world.inspection.save()
    page = _text(client_for(gwent_staff).get(world.gwent.get_absolute_url()))
    assert "Ugain mlynedd" not in page
    assert "in English only" not in page


def test_localised_reads_forces_english_and_welsh_notice_fields(world):
    force = world.gwent
    force.correspondence_notice_en = "We welcome correspondence in Welsh."
    force.correspondence_notice_cy = "Rydym yn croesawu gohebiaeth yn y Gymraeg."
    assert localised(force, "correspondence_notice", "cy").text.startswith("Rydym")
    assert localised(force, "correspondence_notice", "en").text.startswith("We welcome")
    force.correspondence_notice_cy = ""
    fallback = localised(force, "correspondence_notice", "cy")
    assert (fallback.language, fallback.is_fallback) == ("en", True)


# --- The language switch and the preference ----------------------------------------------------


def test_every_page_offers_english_and_cymraeg_with_the_current_one_marked(world, gwent_staff, client_for):
    page = _text(client_for(gwent_staff).get(world.gwent.get_absolute_url()))
    assert '<span lang="en" aria-current="true">English</span>' in page
    assert 'hreflang="cy" lang="cy"' in page
    anonymous = _text(Client().get(reverse("accounts:login")))
    assert 'hreflang="cy"' in anonymous


def test_signed_out_visitor_switches_to_welsh_with_a_cookie():
    client = Client()
    response = client.get(reverse("frontend:language-switch", args=["cy"]), {"next": "/accounts/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    page = _text(client.get("/accounts/login/"))
    assert "Mewngofnodi i Draciwr MAPPA" in page
    assert '<span lang="cy" aria-current="true">Cymraeg</span>' in page


def test_switch_does_not_redirect_to_another_site():
    response = Client().get(
        reverse("frontend:language-switch", args=["cy"]), {"next": "https://evil.example/phish"}
    )
    assert response["Location"] == reverse("home")


def test_switch_to_unknown_language_is_not_found():
    assert Client().get("/language/fr/").status_code == 404


def test_signed_in_switch_changes_this_sign_in_but_not_the_saved_preference(world, gwent_staff, client_for):
    """A GET changes no saved data: the switch lasts for the session; the preference page saves it."""
    url = world.gwent.get_absolute_url()
    client = client_for(gwent_staff)
    response = client.get(reverse("frontend:language-switch", args=["cy"]), {"next": url})
    assert response["Location"] == url
    gwent_staff.refresh_from_db()
    assert gwent_staff.preferred_language in ("", "en")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["max-age"] == 0
    assert "Argymhellion" in _text(client.get(url))
    # Another browser, a later session: the saved preference (English).
    assert "Argymhellion" not in _text(client_for(gwent_staff).get(url))


def test_account_preference_wins_over_a_leftover_cookie(world, gwent_staff, client_for):
    client = client_for(_welsh(gwent_staff))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="cy"' in _text(client.get(world.gwent.get_absolute_url()))


def test_preference_page_saves_the_language_and_confirms_in_it(gwent_staff, client_for):
    client = client_for(gwent_staff)
    url = reverse("frontend:language-preference")
    assert "Which language do you want to use the service in?" in _text(client.get(url))
    response = client.post(url, {"language": "cy"}, follow=True)
    gwent_staff.refresh_from_db()
    assert gwent_staff.preferred_language == "cy"
    page = _text(response)
    assert "Mae eich dewis iaith wedi’i gadw." in page
    assert re.search(r'value="cy"[^>]*checked', page)


def test_preference_page_without_a_choice_shows_the_error(gwent_staff, client_for):
    response = client_for(_welsh(gwent_staff)).post(reverse("frontend:language-preference"), {})
    page = _text(response)
    assert response.status_code == 200
    assert "Mae problem" in page
    assert "Dewiswch yr iaith rydych chi eisiau defnyddio’r gwasanaeth ynddi" in page
    gwent_staff.refresh_from_db()
    assert gwent_staff.preferred_language == "cy"


# --- Every page under a pseudo-language: no template literal escapes translation ---------------


def _pseudo(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


@pytest.fixture
def pseudo_language(tmp_path, settings):
    """A catalogue where every msgstr is ⟦msgid⟧, installed as language "xx"."""
    source = polib.pofile(str(CY_PO))
    pseudo = polib.POFile()
    pseudo.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": PSEUDO,
        "Plural-Forms": "nplurals=2; plural=(n != 1);",
    }
    for entry in source:
        if entry.obsolete:
            continue
        copy = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, msgid_plural=entry.msgid_plural)
        if entry.msgid_plural:
            copy.msgstr_plural = {0: _pseudo(entry.msgid), 1: _pseudo(entry.msgid_plural)}
        else:
            copy.msgstr = _pseudo(entry.msgid)
        pseudo.append(copy)
    target = tmp_path / "locale" / PSEUDO / "LC_MESSAGES"
    target.mkdir(parents=True)
    pseudo.save_as_mofile(str(target / "django.mo"))
    settings.LANGUAGES = [*settings.LANGUAGES, (PSEUDO, "Pseudo")]
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    yield PSEUDO
    translation.trans_real._translations = {}


_LETTERS = re.compile(r"[^\W\d_]{2,}")
_MARKED = re.compile(f"{OPEN}[^{OPEN}{CLOSE}]*{CLOSE}")


def _unmarked_chunks(text: str) -> list[str]:
    """The parts of `text` outside ⟦…⟧ (innermost first, so nested markers work) that have words."""
    previous = None
    while previous != text:
        previous, text = text, _MARKED.sub("\x00", text)
    chunks = (" ".join(chunk.replace(CLOSE, " ").replace(OPEN, " ").split()) for chunk in text.split("\x00"))
    return [chunk for chunk in chunks if _LETTERS.search(chunk)]


def _template_literals() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """Text and attribute literals written in templates outside any translation tag.

    Returns {literal: {template, ...}} for text and for title/aria-label/placeholder/alt/value.
    Text inside elements with their own lang attribute (a language named in itself) is left out.
    """
    texts: dict[str, set[str]] = {}
    attrs: dict[str, set[str]] = {}
    for path in sorted(TEMPLATES_DIR.rglob("*")):
        if path.suffix not in (".html", ".txt"):
            continue
        name = str(path.relative_to(TEMPLATES_DIR))
        source = path.read_text()
        source = re.sub(r"{#.*?#}", "", source, flags=re.S)
        source = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", source, flags=re.S)
        source = re.sub(
            r"{%\s*blocktrans(late)?\b.*?{%\s*endblocktrans(late)?\s*%}", "\x00", source, flags=re.S
        )
        source = re.sub(r"<script\b.*?</script>", "", source, flags=re.S)
        for value in re.findall(r'\b(?:aria-label|title|placeholder|alt|value)="([^"]*)"', source):
            for piece in re.split(r"{[%{].*?[%}]}", value):
                piece = " ".join(piece.split())
                if _LETTERS.search(piece):
                    attrs.setdefault(piece, set()).add(name)
        source = re.sub(r"<(?!html\b)(\w+)\b[^>]*\blang=\"[^\"]*\"[^>]*>.*?</\1>", "\x00", source, flags=re.S)
        source = re.sub(r"{[%{].*?[%}]}", "\x00", source, flags=re.S)
        source = re.sub(r"<[^>]*>", "\x00", source, flags=re.S)
        for piece in source.split("\x00"):
            piece = " ".join(piece.split())
            if _LETTERS.search(piece):
                texts.setdefault(piece, set()).add(name)
    return texts, attrs


class _PageText(HTMLParser):
    """Visible text and labelled attributes of a page, with a note of which are interface text."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
    UI_CLASSES = ("govuk-error-message", "govuk-error-summary", "govuk-notification-banner", "govuk-hint")

    def __init__(self, page_language):
        super().__init__(convert_charrefs=True)
        self.page_language = page_language
        self.stack: list[tuple[str, bool, bool]] = []  # (tag, skipped, interface text)
        self.texts: list[tuple[str, bool]] = []
        self.attrs: list[tuple[str, str]] = []

    def _flags(self):
        return self.stack[-1][1:] if self.stack else (False, False)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        skipped, ui = self._flags()
        lang = attrs.get("lang")
        skipped = (
            skipped
            or tag in ("script", "style")
            or (lang is not None and tag != "html" and lang != self.page_language)
        )
        css = attrs.get("class") or ""
        is_choice = "radios__label" in css or "checkboxes__label" in css
        ui = ui or (tag in ("label", "legend") and not is_choice) or any(c in css for c in self.UI_CLASSES)
        if not skipped:
            for name in ("title", "aria-label", "placeholder", "alt"):
                if attrs.get(name):
                    self.attrs.append((name, attrs[name]))
            if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
                self.attrs.append(("value", attrs["value"]))
        if tag not in self.VOID:
            self.stack.append((tag, skipped, ui))

    def handle_endtag(self, tag):
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                del self.stack[index:]
                return

    def handle_data(self, data):
        skipped, ui = self._flags()
        if not skipped and data.strip():
            self.texts.append((data, ui))


def _translated_by_django(chunk: str) -> bool:
    """Django's own catalogue translates it (e.g. the "Username" label of its sign-in form)."""
    with translation.override("cy"):
        return any(translation.gettext(c) != c for c in (chunk, chunk[:1].lower() + chunk[1:]))


def _problems(where: str, html: str, literals, language: str) -> list[str]:
    texts, attrs = literals
    parser = _PageText(language)
    parser.feed(html)
    problems = []
    for text, is_interface in parser.texts:
        for chunk in _unmarked_chunks(text):
            found = {t for literal, names in texts.items() if _contains(chunk, literal) for t in names}
            if found:
                problems.append(f"{where}: {chunk!r} is not marked for translation in {sorted(found)}")
            elif is_interface and not _translated_by_django(chunk):
                problems.append(f"{where}: interface text {chunk!r} comes from Python without gettext")
    for name, value in parser.attrs:
        for chunk in _unmarked_chunks(value):
            found = {t for literal, names in attrs.items() if _contains(chunk, literal) for t in names}
            if found:
                problems.append(f"{where}: {name}={chunk!r} is not marked for translation in {sorted(found)}")
    return problems


def _contains(chunk: str, literal: str) -> bool:
    return chunk == literal or re.search(rf"(?<!\w){re.escape(literal)}(?!\w)", chunk) is not None


def _is_html(response) -> bool:
    return response.status_code in (200, 400, 403, 404) and response["Content-Type"].startswith("text/html")


def test_every_page_is_fully_marked_for_translation(pseudo_language, world, personas):
    """Render every page under "xx" (msgstr = ⟦msgid⟧): a template literal left unmarked shows bare."""
    literals = _template_literals()
    problems: list[str] = []
    pages = 0

    def check(where, response):
        nonlocal pages
        if _is_html(response):
            pages += 1
            problems.extend(_problems(where, response.content.decode(), literals, pseudo_language))

    for role in ("gwent_staff", "gwent_chief", "national"):
        user = personas[role]
        user.preferred_language = pseudo_language
        user.save(update_fields=["preferred_language"])
        client = Client()
        client.force_login(user)
        urls = [reverse("home"), reverse("forces:list"), "/forces/no-such-force/"]
        for route in ROUTES:
            if route.method != "get" or route.expect.get(role) != 200:
                continue
            url = reverse(route.name, kwargs=route.kwargs(world, world.gwent, world.gwent))
            urls.append(url)
        for url in urls:
            check(f"{role} GET {url}", client.get(url))
        # Python-side strings: a form posted empty shows its error messages.
        check(
            f"{role} POST {reverse('frontend:language-preference')}",
            client.post(reverse("frontend:language-preference"), {}),
        )
        csrf_client = Client(enforce_csrf_checks=True)
        csrf_client.force_login(user)
        check(
            f"{role} POST without CSRF token", csrf_client.post(reverse("frontend:language-preference"), {})
        )

    anonymous = Client()
    anonymous.cookies[settings.LANGUAGE_COOKIE_NAME] = pseudo_language
    check("anonymous GET login", anonymous.get(reverse("accounts:login")))
    login_errors = anonymous.post(reverse("accounts:login"), {"username": "", "password": ""})
    check("anonymous POST login (empty)", login_errors)
    assert _pseudo("Enter your username") in login_errors.content.decode()
    bad_login = anonymous.post(
        reverse("accounts:login"), {"username": "nobody", "password": "wrong-password-1"}
    )
    check("anonymous POST login (wrong password)", bad_login)

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with translation.override(pseudo_language):
        for view in (
            frontend_views.bad_request,
            frontend_views.server_error,
            frontend_views.service_unavailable,
        ):
            check(f"{view.__name__} page", view(request))

    assert pages >= 10, f"only {pages} pages were checked"
    assert not problems, "Strings shown without translation:\n" + "\n".join(sorted(set(problems)))


def test_pseudo_check_catches_an_unmarked_literal(tmp_path):
    """The guard itself: a bare template literal on a page is reported with its template."""
    literals = ({"Progress so far": {"recommendations/example.html"}}, {"Close": {"includes/example.html"}})
    html = (
        '<html lang="xx"><body><h2>Progress so far</h2><p>⟦Status⟧ Gwent</p>'
        '<button aria-label="Close">x</button><span lang="en">Progress so far</span>'
        '<p class="govuk-error-message">Enter a date</p></body></html>'
    )
    problems = _problems("test page", html, literals, "xx")
    assert any("'Progress so far'" in p and "recommendations/example.html" in p for p in problems)
    assert any("aria-label='Close'" in p for p in problems)
    assert any("'Enter a date' comes from Python" in p for p in problems)
    assert len(problems) == 3, problems


# --- The Welsh catalogue misses nothing ---------------------------------------------------------


def test_welsh_catalogue_translates_every_string(tmp_path, monkeypatch, settings):
    """Extract the strings afresh (makemessages) and merge them into a copy of the Welsh catalogue."""
    if not shutil.which("xgettext") or not shutil.which("msgmerge"):
        if os.environ.get("CI"):
            pytest.fail("CI needs GNU gettext (xgettext, msgmerge) for the catalogue check.")
        pytest.skip("GNU gettext (xgettext) is not installed; CI installs it and runs this check.")

    def ignore(directory, names):
        skipped = {".venv", "node_modules", "var", "static", "bench", ".git", "locale", "__pycache__"}
        return [
            n
            for n in names
            if n in skipped
            or n.endswith(".egg-info")
            or (Path(directory, n).is_file() and not n.endswith((".py", ".html", ".txt")))
        ]

    copy = tmp_path / "project"
    shutil.copytree(BASE_DIR, copy, ignore=ignore, symlinks=True)
    (copy / "locale" / "cy" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(CY_PO, copy / "locale" / "cy" / "LC_MESSAGES" / "django.po")
    monkeypatch.chdir(copy)
    settings.LOCALE_PATHS = [copy / "locale"]
    call_command(
        "makemessages",
        locale=["cy"],
        domain="django",
        ignore_patterns=MAKEMESSAGES_IGNORE,
        add_location="file",
        verbosity=0,
    )
    merged = polib.pofile(str(copy / "locale" / "cy" / "LC_MESSAGES" / "django.po"))
    fuzzy = [e.msgid for e in merged.fuzzy_entries() if not e.obsolete]
    missing = [e.msgid for e in merged.untranslated_entries() if not e.obsolete]
    assert len(merged) > 150
    assert not missing and not fuzzy, (
        "The Welsh catalogue needs these strings translated (see docs/notes/issue-9.md):\n"
        + "\n".join(
            [f"  missing: {m!r}" for m in missing] + [f"  fuzzy (check and confirm): {f!r}" for f in fuzzy]
        )
    )
