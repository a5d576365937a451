"""Compile the project's .po catalogues to .mo with polib (no GNU gettext needed)."""

import polib
from django.core.management.base import BaseCommand, CommandError

from frontend.i18n import catalogue_files, compile_catalogue


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po to .mo with polib, without GNU msgfmt."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Also list untranslated and fuzzy entries, and fail if there are any.",
        )

    def handle(self, *args, verbosity=1, check=False, **options):
        files = catalogue_files()
        gaps = []
        for po_path in files:
            mo_path = compile_catalogue(po_path)
            if verbosity > 1:
                self.stdout.write(f"Compiled {mo_path}")
            if check:
                catalogue = polib.pofile(str(po_path))
                gaps += [f"{po_path}: untranslated: {e.msgid!r}" for e in catalogue.untranslated_entries()]
                gaps += [f"{po_path}: fuzzy: {e.msgid!r}" for e in catalogue.fuzzy_entries()]
        if verbosity > 0:
            self.stdout.write(f"Compiled {len(files)} catalogue(s).")
        if gaps:
            raise CommandError("Catalogue entries to translate:\n" + "\n".join(gaps))
