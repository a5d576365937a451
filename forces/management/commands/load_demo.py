from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_scopes import scopes_disabled

from accounts.demo import load_users
from forces.demo import load_forces, load_office_holdings
from recommendations.demo import load_mappa


class Command(BaseCommand):
    help = (
        "Load the 43 forces, the MAPPA inspection, the five seed forces' 2022 answers and the demo users. "
        "Safe to run again: it leaves the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Create demo users even with DEBUG off (never in production).",
        )
        parser.add_argument("--no-users", action="store_true", help="Load the data without demo users.")

    def handle(self, *args, **options):
        make_users = not options["no_users"]
        if make_users and not settings.DEBUG and not options["force"]:
            raise CommandError(
                "DEBUG is off: refusing to create demo users with a known password. "
                "Use --no-users for the data only, or --force if you really mean it."
            )
        with transaction.atomic(), scopes_disabled():
            forces = load_forces()
            load_office_holdings()
            inspection = load_mappa()
            self.stdout.write(f"Loaded {forces} forces and “{inspection.title}”.")
            for loader in self.extra_loaders():
                loader(inspection, self.stdout)
            if make_users:
                users = load_users()
                self.stdout.write(
                    f"Demo users ({len(users)}): {', '.join(users)}; password from DEMO_PASSWORD "
                    f"(default demo-pass-2022)."
                )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def extra_loaders(self):
        """Other apps' demo data: any app whose `demo` module has `load_after_mappa(inspection, stdout)`."""
        loaders = []
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            if hasattr(module, "load_after_mappa"):
                loaders.append(module.load_after_mappa)
        return loaders
