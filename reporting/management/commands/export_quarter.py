import shutil

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from areas.models import Area
from core.api.filters import QUARTER
from programme.models import ReportingPeriod
from reporting.exports.service import CONTENT_TYPES, export_quarter


class Command(BaseCommand):
    help = (
        "Write the quarterly report of a quarter (e.g. 2024-Q3) as XLSX, CSV (zip) or PDF, "
        "holding what --user may see."
    )

    def add_arguments(self, parser):
        parser.add_argument("quarter", help="YYYY-Qn, e.g. 2024-Q3")
        parser.add_argument("--format", choices=sorted(CONTENT_TYPES), required=True)
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--user", required=True, help="e-mail of the user whose view to export")
        parser.add_argument("--area", help="an area's code: export only that area")
        parser.add_argument("--programme", help="a programme's code; the latest if left out")

    def handle(self, *args, **options):
        match = QUARTER.match(options["quarter"])
        if not match:
            raise CommandError("Write the quarter as YYYY-Qn, e.g. 2024-Q3.")
        periods = ReportingPeriod.objects.filter(year=int(match[1]), quarter=int(match[2]))
        if options["programme"]:
            periods = periods.filter(programme__code=options["programme"])
        period = periods.order_by("-programme__start_year").first()
        if period is None:
            raise CommandError(f"No quarter {options['quarter']} found.")
        user = User.objects.filter(email__iexact=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']}.")
        area = None
        if options["area"]:
            area = Area.objects.for_user(user).filter(code=options["area"]).first()
            if area is None:
                raise CommandError(f"No area {options['area']} that {user.email} may see.")
        name, exported, _content_type = export_quarter(
            user=user, period=period, fmt=options["format"], area=area, via="command"
        )
        with open(options["output"], "wb") as output:
            shutil.copyfileobj(exported, output)
        self.stdout.write(f"Wrote {name} to {options['output']}.")
