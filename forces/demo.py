"""Load the 43 territorial forces from fixtures/forces.json (update in place, so safe to repeat)."""

import json

from django.conf import settings

from .models import Force

FIELDS = (
    "name",
    "name_cy",
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


def load_office_holdings(path=None, only=None) -> int:
    """Each force's arrangements and office-holders by date (fixtures/office_holdings.json).

    Matched on (force, office, start), so safe to repeat; written through the service, which
    refuses overlaps and keeps the force's current fields in step.
    """
    from datetime import date

    from .models import OfficeHolding
    from .services import save_office_holding

    path = path or settings.BASE_DIR / "fixtures" / "office_holdings.json"
    rows = json.loads(path.read_text(encoding="utf-8"))
    forces = {f.slug: f for f in Force.objects.all()}
    count = 0
    for row in rows:
        force = forces.get(row["force"])
        if force is None or (only is not None and row["force"] not in only):
            continue
        data = dict(row)
        for key in ("starts_on", "ends_on"):
            data[key] = date.fromisoformat(data[key]) if data.get(key) else None
        existing = OfficeHolding.objects.filter(
            force=force, office=data["office"], starts_on=data["starts_on"]
        ).first()
        save_office_holding(force, user=None, data=data, holding=existing, check_permission=False)
        count += 1
    return count
