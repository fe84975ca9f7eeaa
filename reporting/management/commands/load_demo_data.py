"""Load the lived-in, clearly fictional demo (reporting/demo.py) with its demo users.

Refuses to run in production. Running it again changes nothing.
"""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from programme.models import Programme
from reporting import demo


class Command(BaseCommand):
    help = "Load two years of fictional demo reporting with demo users (never in production)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production.")
        if not Programme.objects.filter(code=demo.PROGRAMME).exists():
            call_command("load_reference_data", stdout=self.stdout)
        # The quarter e-mails of the demo history would only flood the console.
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            loaded = demo.load()
        if loaded:
            self.stdout.write(self.style.SUCCESS("Demo data loaded. Demo logins:"))
        else:
            self.stdout.write("The demo (or other quarters) is already there; nothing loaded.")
            self.stdout.write("Demo logins:")
        for email, name, role, _areas in demo.DEMO_USERS:
            self.stdout.write(f"  {email:28} {demo.DEMO_PASSWORD}   {role or 'superuser'}: {name}")
