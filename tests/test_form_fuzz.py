"""Form fuzzing: every form on every page of the tenancy table, for every role, posted with
Hypothesis-made values (Unicode digits, NUL bytes, impossible dates, huge numbers, long text,
formula starts, empty values). No answer may be a 500.

The forms are found as a browser would: each page in tests/tenancy.py is fetched as each role,
and every <form method="post"> on it is read for its field names, hidden values (CSRF token,
record version) and choices. The count of cases run is printed (FORM_FUZZ_EXAMPLES per form).
"""

import os
import re
from html import unescape
from urllib.parse import urljoin

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from .tenancy import ROLES, ROUTES

pytestmark = [pytest.mark.django_db, pytest.mark.shared_world]

EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", "8"))
NASTY = [
    "",
    " ",
    "²",
    "９",
    "٣",
    "0",
    "-1",
    "99999999999999999999",
    "1e309",
    "NaN",
    "\x00",
    "a\x00b",
    "2023-02-30",
    "2023-13-01",
    "0001-01-01",
    "9999-12-31",
    "30/02/2023",
    '=HYPERLINK("x")',
    "＝1",
    "<script>alert(1)</script>",
    "'; DROP TABLE x; --",
    "x" * 5000,
    "\ud7ff",
    "🙂",
    "on",
    "true",
]
FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
ATTR_RE = re.compile(r'([\w-]+)="([^"]*)"')
FIELD_RE = re.compile(
    r"<(input|select|textarea)\b([^>]*)>(.*?)(?=<(?:input|select|textarea|/form)\b|$)", re.S | re.I
)
OPTION_RE = re.compile(r'<option[^>]*value="([^"]*)"', re.I)


def _attrs(text):
    return {k.lower(): unescape(v) for k, v in ATTR_RE.findall(text)}


def post_forms(html, page_url):
    """[(action URL, fixed values, {field: choices or None})] for every POST form on a page."""
    forms = []
    for form_attrs, body in FORM_RE.findall(html):
        attrs = _attrs(form_attrs)
        if attrs.get("method", "get").lower() != "post":
            continue
        fixed, fields = {}, {}
        for tag, field_attrs, rest in FIELD_RE.findall(body):
            field = _attrs(field_attrs)
            name = field.get("name")
            if not name:
                continue
            kind = field.get("type", "text").lower()
            if kind == "hidden" or name == "csrfmiddlewaretoken":
                fixed[name] = field.get("value", "")
                fields.setdefault(name, [field.get("value", "")])
            elif kind in ("radio", "checkbox"):
                fields.setdefault(name, []).append(field.get("value", "on"))
            elif tag.lower() == "select":
                fields[name] = OPTION_RE.findall(rest)
            elif kind != "file" and kind != "submit":
                fields[name] = None
        forms.append((urljoin(page_url, attrs.get("action") or page_url), fixed, fields))
    return forms


def _value(choices):
    nasty = st.sampled_from(NASTY) | st.text(max_size=40)
    if choices:
        return st.sampled_from(choices) | nasty
    return nasty


def _pages():
    seen = set()
    for route in ROUTES:
        if route.method == "get" and route.name not in seen:
            seen.add(route.name)
            yield route


CASES = {"count": 0, "forms": set()}


def _fuzz(client, role, action, fixed, fields):
    generated = {name: _value(choices) for name, choices in sorted(fields.items()) if name not in fixed}

    @hsettings(max_examples=EXAMPLES, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(st.fixed_dictionaries(generated))
    def post(values):
        data = {**fixed, **values}
        response = client.post(action, data)
        CASES["count"] += 1
        assert response.status_code < 500, f"{role} POST {action} {data!r} -> {response.status_code}"

    post()


@pytest.mark.parametrize("route", list(_pages()), ids=lambda r: r.name)
def test_no_form_answers_500(route, world, personas, client_for):
    for role in ROLES:
        user = personas[role]
        client = client_for(user)
        url = reverse(route.name, kwargs=route.kwargs(world, world.gwent, world.gwent))
        page = client.get(url)
        if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
            continue
        for action, fixed, fields in post_forms(page.content.decode(), url):
            if "/accounts/logout/" in action or "/language/" in action:
                continue
            CASES["forms"].add((role, route.name, action))
            _fuzz(client, role, action, fixed, fields)


def test_zz_report_the_count():
    print(f"\nform fuzz: {CASES['count']} cases over {len(CASES['forms'])} (role, page, form) combinations")
