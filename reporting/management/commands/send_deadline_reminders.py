from django.core.management.base import BaseCommand

from reporting.services import send_deadline_reminders


class Command(BaseCommand):
    help = "E-mail liaisons whose quarterly report is not in as the deadline nears (run daily)."

    def handle(self, *args, **options):
        reminded = send_deadline_reminders()
        self.stdout.write(f"Reminders sent for {reminded} quarter(s).")
