"""The ministries of the Rijk that the programme works with, as data. VRO (Volkshuisvesting
en Ruimtelijke Ordening) leads the NPLV since 2024; BZK led it before."""

from django.db import migrations

MINISTRIES = [
    # code, abbreviation, Dutch name, English name
    ("VRO", "VRO", "Ministerie van Volkshuisvesting en Ruimtelijke Ordening",
     "Ministry of Housing and Spatial Planning"),
    ("BZK", "BZK", "Ministerie van Binnenlandse Zaken en Koninkrijksrelaties",
     "Ministry of the Interior and Kingdom Relations"),
    ("JenV", "JenV", "Ministerie van Justitie en Veiligheid", "Ministry of Justice and Security"),
    ("OCW", "OCW", "Ministerie van Onderwijs, Cultuur en Wetenschap",
     "Ministry of Education, Culture and Science"),
    ("SZW", "SZW", "Ministerie van Sociale Zaken en Werkgelegenheid",
     "Ministry of Social Affairs and Employment"),
    ("VWS", "VWS", "Ministerie van Volksgezondheid, Welzijn en Sport",
     "Ministry of Health, Welfare and Sport"),
    ("FIN", "FIN", "Ministerie van Financiën", "Ministry of Finance"),
    ("EZ", "EZ", "Ministerie van Economische Zaken", "Ministry of Economic Affairs"),
]  # fmt: skip


def seed(apps, schema_editor):
    Ministry = apps.get_model("programme", "Ministry")
    for position, (code, abbreviation, name_nl, name_en) in enumerate(MINISTRIES, start=1):
        Ministry.objects.update_or_create(
            code=code,
            defaults={
                "abbreviation": abbreviation,
                "name_nl": name_nl,
                "name_en": name_en,
                "ordering": 10 * position,
            },
        )


def unseed(apps, schema_editor):
    codes = [code for code, *_ in MINISTRIES]
    apps.get_model("programme", "Ministry").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("programme", "0004_ministry")]

    operations = [migrations.RunPython(seed, unseed)]
