from django.core.management.base import BaseCommand

from outbox.services import flush_pending


class Command(BaseCommand):
    help = "Send background tasks that could not reach the broker when they were recorded."

    def handle(self, *args, **options):
        self.stdout.write(f"Sent {flush_pending()} pending task(s).")
