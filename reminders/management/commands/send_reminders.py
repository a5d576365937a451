import datetime

from django.core.management.base import BaseCommand, CommandError

from reminders.services import sweep


class Command(BaseCommand):
    help = "Send the reminders due today (or on --date) once; what was sent before is skipped."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run the sweep as if today were YYYY-MM-DD.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Show what is due; send and record nothing."
        )

    def handle(self, *args, date=None, dry_run=False, **options):
        try:
            today = datetime.date.fromisoformat(date) if date else None
        except ValueError as exc:
            raise CommandError(f"--date must be YYYY-MM-DD ({exc}).") from exc
        result = sweep(today, dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(
            f"{result.today}: {result.planned} reminder lines due; {verb} "
            f"{result.planned if dry_run else result.sent} in {result.emails} e-mails; "
            f"{len(result.failed)} addresses failed; {result.unreachable_owners} owners without a valid address."
        )
        if result.failed:
            raise CommandError(f"Could not send to: {', '.join(result.failed)} (the next sweep retries).")
