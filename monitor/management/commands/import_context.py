"""``manage.py import_context FILE --format cbs-odata|cbs-csv|leefbaarometer|tidy
--user EMAIL [--year YEAR] [--dry-run]``: the same import coordinators do in the admin."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from monitor import imports


class Command(BaseCommand):
    help = "Import context figures (CBS, Leefbaarometer or a tidy CSV), checked as a whole."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=imports.FORMATS)
        parser.add_argument("--user", required=True, help="E-mail address of the coordinator.")
        parser.add_argument("--year", type=int, help="The year of a CBS table of one year.")
        parser.add_argument("--source", default="", help="The source of a tidy CSV's figures.")
        parser.add_argument("--provisional", action="store_true")
        parser.add_argument("--dry-run", action="store_true", help="Check and count; save nothing.")

    def handle(self, *args, **options):
        user = (
            get_user_model().objects.filter(email__iexact=options["user"], is_active=True).first()
        )
        if user is None:
            raise CommandError(f"No active user {options['user']}.")
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            with open(path, "rb") as upload:
                result = imports.import_context(
                    user=user,
                    upload=upload,
                    file_name=path.name,
                    fmt=options["format"],
                    year=options["year"],
                    source=options["source"],
                    provisional=options["provisional"],
                    dry_run=options["dry_run"],
                )
        except PermissionDenied as error:
            raise CommandError(f"{user.email} may not import figures.") from error
        except imports.ImportRefused as error:
            raise CommandError(error.message) from error
        if not result.ok:
            for problem in result.problems:
                where = f"row {problem.row}" if problem.row is not None else "file"
                column = f", {problem.column}" if problem.column else ""
                self.stderr.write(f"{where}{column}: {problem.message}")
            raise CommandError(f"{len(result.problems)} problems; nothing has been saved.")
        counts = result.counts()
        verb = "Would import" if options["dry_run"] else "Imported"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb}: {counts['created']} created, {counts['updated']} changed, "
                f"{counts['unchanged']} unchanged, {counts['missing']} missing cells"
                + ("" if options["dry_run"] else f"; {result.aggregated} area values worked out")
                + "."
            )
        )
