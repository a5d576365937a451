"""Load the 43 territorial forces from fixtures/forces.json (update in place, so safe to repeat)."""

import json

from django.conf import settings

from .models import Force

FIELDS = (
    "name",
    "area_name",
    "country",
    "commissioner_type",
    "commissioner_title",
    "commissioner_name",
    "chief_constable_name",
    "letterhead_address",
    "email",
    "welsh_language_standards",
    "correspondence_notice_en",
    "correspondence_notice_cy",
)


def load_forces(path=None, only=None) -> int:
    """Create or update the forces; `only` limits it to some slugs (tests build a small world)."""
    path = path or settings.BASE_DIR / "fixtures" / "forces.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    if only is not None:
        rows = [row for row in rows if row["slug"] in only]
    for row in rows:
        Force.objects.update_or_create(slug=row["slug"], defaults={f: row.get(f, "") for f in FIELDS})
    return len(rows)
