"""core/history.py: many rows written at once leave the history a save leaves (one
record per row, by the user, with its links), in the same number of queries for 2 rows
as for 20."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import history
from core.versioning import ConcurrentEditError, raise_versions
from interventions.models import Intervention
from tests import factories

pytestmark = pytest.mark.django_db


def linked(intervention):
    return {theme.pk for theme in intervention.themes.all()}


def test_created_rows_have_their_links_and_one_creation_record_each(coordinator, track):
    youth, safety = factories.ThemeFactory(), factories.ThemeFactory()
    new = [Intervention(title=f"Nieuw {n}", track=track) for n in range(3)]

    created = history.create_with_history(
        Intervention,
        new,
        user=coordinator,
        links={"themes": [{youth.pk}, {youth.pk, safety.pk}, {safety.pk}]},
    )

    assert [linked(i) for i in created] == [{youth.pk}, {youth.pk, safety.pk}, {safety.pk}]
    for intervention in created:
        (record,) = intervention.history.all()
        assert (record.history_type, record.history_user) == ("+", coordinator)
        assert record.title == intervention.title
        # The links as saved, as simple-history records them on a save.
        assert {link.theme_id for link in record.themes.all()} == linked(intervention)


def test_changed_rows_get_one_change_record_each_with_their_links_as_they_now_are(
    coordinator, area_a
):
    youth, safety = factories.ThemeFactory(), factories.ThemeFactory()
    partner = factories.PartnerFactory()
    rows = [factories.InterventionFactory(area=area_a, themes=[youth]) for _ in range(2)]
    rows[0].partners.add(partner)
    stamped = {row.pk: row.updated_at for row in rows}
    for row in rows:
        row.title = f"{row.title} (nieuw)"

    history.update_with_history(
        Intervention, rows, ["title"], user=coordinator, links={"themes": {rows[1].pk: {safety.pk}}}
    )

    first, second = (Intervention.objects.get(pk=row.pk) for row in rows)
    assert first.title.endswith("(nieuw)") and second.title.endswith("(nieuw)")
    assert (linked(first), linked(second)) == ({youth.pk}, {safety.pk})
    assert first.updated_at > stamped[first.pk]  # stamped as a save stamps it
    for row in (first, second):
        latest = row.history.first()
        assert (latest.history_type, latest.history_user, latest.title) == (
            "~",
            coordinator,
            row.title,
        )
        assert {link.theme_id for link in latest.themes.all()} == linked(row)
    assert {link.partner_id for link in first.history.first().partners.all()} == {partner.pk}


@pytest.mark.parametrize("count", [2, 20])
def test_the_queries_do_not_grow_with_the_rows(count, coordinator, track):
    theme = factories.ThemeFactory()
    with CaptureQueriesContext(connection) as queries:
        created = history.create_with_history(
            Intervention,
            [Intervention(title=f"N{n}", track=track) for n in range(count)],
            user=coordinator,
            links={"themes": [{theme.pk}] * count},
        )
        history.update_with_history(Intervention, created, ["title"], user=coordinator)
    assert len(queries) == 18


def test_a_row_changed_by_someone_else_since_it_was_loaded_is_refused(area_a):
    rows = [factories.InterventionFactory(area=area_a) for _ in range(2)]
    meanwhile = Intervention.objects.get(pk=rows[1].pk)
    meanwhile.title = "Tussendoor"
    meanwhile.save()
    with pytest.raises(ConcurrentEditError):
        raise_versions(Intervention, rows)
    raise_versions(Intervention, [rows[0]])
    assert rows[0].version == 2
