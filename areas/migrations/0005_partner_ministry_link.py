"""Step 2 of 3: link every partner of the kind ministry to the ministry its name names:
its Dutch or English name, or its code or abbreviation as a word ("Ministerie van VRO
(demo)" is VRO). A name that names none, or several, gets the inactive "other ministry"
row (the one reporting 0011 makes for escalations): the partner keeps its name and kind,
nothing is lost, and a coordinator finds it under that ministry in the admin's filter
and chooses the right one. Making it a partner of another kind instead would drop the
one fact the register had about it.

The historical rows are left as they were: they record partners before the link existed.
Going back needs nothing: step 1's field goes with its data."""

import re

from django.db import migrations

OTHER = {
    "abbreviation": "overig",
    "name_nl": "Ander ministerie",
    "name_en": "Another ministry",
    "active": False,
    "ordering": 1000,
}


def ministry_for(name, ministries):
    """The one ministry ``name`` names, by full name first, then by code or abbreviation
    as a word (case matters: "EZ" is not in "Bezit"); None when none or several."""
    folded = name.casefold()
    by_name = [
        m for m in ministries if m.name_nl.casefold() in folded or m.name_en.casefold() in folded
    ]
    if len(by_name) == 1:
        return by_name[0]
    if by_name:
        return None
    by_word = [
        m
        for m in ministries
        if any(re.search(rf"\b{re.escape(word)}\b", name) for word in {m.code, m.abbreviation})
    ]
    return by_word[0] if len(by_word) == 1 else None


def link(apps, schema_editor):
    Ministry = apps.get_model("programme", "Ministry")
    Partner = apps.get_model("areas", "Partner")
    ministries = [m for m in Ministry.objects.all() if m.code != "other"]
    other = None
    for partner in Partner.objects.filter(kind="ministry", ministry__isnull=True):
        ministry = ministry_for(partner.name, ministries)
        if ministry is None:
            if other is None:
                other = Ministry.objects.get_or_create(code="other", defaults=OTHER)[0]
            ministry = other
        partner.ministry = ministry
        partner.save(update_fields=["ministry"])


class Migration(migrations.Migration):
    dependencies = [("areas", "0004_partner_ministry")]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
