"""A liaison signed in through a real browser sees only their own area."""

from tests import factories
from tests.e2e.conftest import sign_in


def test_liaison_sees_only_their_own_area(page, liaison_a, area_a, area_b):
    factories.InterventionFactory(area=area_a, title="Huiswerkklas Gebied A")
    factories.InterventionFactory(area=area_b, title="Buurtvaders Gebied B")

    sign_in(page, liaison_a.email)
    page.goto("/admin/areas/area/")
    areas = page.locator("#result_list tbody tr").all_inner_texts()
    assert len(areas) == 1 and "Gebied A" in areas[0]

    page.goto("/admin/interventions/intervention/")
    body = page.locator("#result_list").inner_text()
    assert "Huiswerkklas Gebied A" in body
    assert "Buurtvaders Gebied B" not in body

    page.goto(f"/admin/areas/area/{area_b.pk}/change/")
    assert page.url.endswith("/admin/")
    assert "Gebied B" not in page.locator("#content").inner_text()
