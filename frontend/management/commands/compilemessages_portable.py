"""Compile the project's .po catalogues to .mo with polib (no GNU gettext needed)."""

from django.core.management.base import BaseCommand

from frontend.i18n import catalogue_files, compile_catalogue


class Command(BaseCommand):
    help = "Compile every locale/*/LC_MESSAGES/*.po to .mo with polib, without GNU msgfmt."

    def handle(self, *args, **options):
        files = catalogue_files()
        for po_path in files:
            mo_path = compile_catalogue(po_path)
            if options["verbosity"] > 1:
                self.stdout.write(f"Compiled {mo_path}")
        self.stdout.write(f"Compiled {len(files)} catalogue(s).")
