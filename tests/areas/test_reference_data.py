"""The public reference data loader: ``manage.py load_reference_data``."""

import csv
import re
from io import StringIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import CharField, TextField

from areas.management.commands import load_reference_data
from areas.models import Area, GovernanceArrangement, Municipality, Neighbourhood, RegioDeal
from programme.models import Programme, Theme, Track
from tests.factories import AreaFactory, InterventionFactory

REFERENCE_DATA = Path(__file__).resolve().parents[2] / "areas" / "reference_data"


def read_csv(name):
    with open(REFERENCE_DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load():
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    return out.getvalue()


def reports(output, created, updated):
    return re.search(rf"(?<!\d){created} created, {updated} updated", output) is not None


def tracked_models():
    return [
        model
        for model in apps.get_models()
        if getattr(model._meta, "simple_history_manager_attribute", None)
    ]


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in tracked_models()}


def history_counts():
    return {model._meta.label: model.history.count() for model in tracked_models()}


@pytest.fixture
def reference_data(db):
    load()


def areas_of(programme_code, track_number):
    return Area.objects.filter(tracks__programme__code=programme_code, tracks__number=track_number)


def test_2020_programme_track_1_has_16_areas_in_15_municipalities(reference_data):
    areas = areas_of("ipvl-2020", 1)

    assert areas.count() == 16
    assert areas.values("municipality").distinct().count() == 15


def test_2022_successor_track_1_has_20_areas_in_19_municipalities(reference_data):
    successor = Programme.objects.get(code="nplv-2022")
    areas = areas_of("nplv-2022", 1)

    assert successor.predecessor.code == "ipvl-2020"
    assert areas.count() == 20
    assert areas.values("municipality").distinct().count() == 19


def test_2020_programme_keeps_its_two_tracks(reference_data):
    tracks = Track.objects.filter(programme__code="ipvl-2020")

    assert list(tracks.values_list("kind", "number")) == [("spoor", 1), ("spoor", 2)]


def test_the_nplv_has_its_four_lines_of_action_and_no_tracks(reference_data):
    lines = Track.objects.filter(programme__code="nplv-2022")

    assert list(lines.values_list("kind", "number")) == [("actielijn", n) for n in (1, 2, 3, 4)]
    assert not lines.filter(name__icontains="focusgebieden").exists()


def test_every_nplv_focus_area_takes_part_in_every_line_of_action(reference_data):
    focus_areas = set(areas_of("nplv-2022", 1))

    for line in Track.objects.filter(programme__code="nplv-2022"):
        assert set(line.areas.all()) == focus_areas


def test_programmes_carry_their_horizon(reference_data):
    nplv = Programme.objects.get(code="nplv-2022")

    assert (nplv.start_year, nplv.end_year) == (2022, 2042)  # a term of 15 to 20 years
    assert Programme.objects.get(code="ipvl-2020").end_year == 2022


def test_an_old_database_gets_the_lines_of_action_and_keeps_its_interventions(db):
    """A register loaded before the lines of action: the NPLV had one track, "Integrale
    aanpak van 20 focusgebieden". Loading again turns it into line of action 1, with
    its interventions, and adds lines 2 to 4 for the same areas."""
    programme = Programme.objects.create(code="nplv-2022", name="Oud", start_year=2022)
    old = Track.objects.create(
        programme=programme, number=1, name="Integrale aanpak van 20 focusgebieden"
    )
    area = AreaFactory(name="Rotterdam-Zuid", code="rotterdam-zuid", tracks=[old])
    intervention = InterventionFactory(area=area, track=old)

    load()

    old.refresh_from_db()
    intervention.refresh_from_db()
    assert old.kind == Track.Kind.ACTIELIJN
    assert old.name == "Integrale aanpak met regie en een solide juridische basis"
    assert intervention.track == old
    assert area.tracks.filter(programme=programme).count() == 4


def test_rows_of_one_programme_that_disagree_are_refused_and_nothing_is_loaded(
    db, tmp_path, monkeypatch
):
    for path in REFERENCE_DATA.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    rows = read_csv("programmes.csv")
    rows[-1]["end_year"] = "2037"  # the NPLV's last row says otherwise
    with open(tmp_path / "programmes.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    monkeypatch.setattr(load_reference_data, "DATA_DIR", tmp_path)

    with pytest.raises(CommandError, match="nplv-2022"):
        load()

    assert not Programme.objects.exists()


def test_every_track_from_the_file_is_loaded(reference_data):
    expected = {(row["code"], int(row["track"])) for row in read_csv("programmes.csv")}

    loaded = set(Track.objects.values_list("programme__code", "number"))

    assert loaded == expected


def test_themes_from_the_file_are_loaded(reference_data):
    expected = {row["code"]: row["name_en"] for row in read_csv("themes.csv")}

    assert dict(Theme.objects.values_list("code", "name_en")) == expected
    assert len(expected) == 7


def test_regio_deals_cover_the_areas_marked_in_the_area_file(reference_data):
    deal_areas = {
        name.strip() for row in read_csv("regio_deals.csv") for name in row["areas"].split(";")
    }
    marked = {row["area"] for row in read_csv("areas.csv") if row["regio_deal"] == "yes"}

    covered = set(Area.objects.filter(regio_deals__isnull=False).values_list("name", flat=True))

    assert covered == deal_areas == marked
    assert len(covered) == 7
    assert RegioDeal.objects.count() == len(read_csv("regio_deals.csv"))


def test_the_2023_round_of_regio_deals_is_loaded_with_its_amounts(reference_data):
    fourth = {
        deal.name: (deal.areas.get().name, deal.state_contribution, deal.start_year)
        for deal in RegioDeal.objects.filter(start_year=2023)
    }

    assert fourth == {
        "Regio Deal Rotterdam Zuid II": ("Rotterdam-Zuid", 30_000_000, 2023),
        "Regio Deal Den Haag Zuidwest II": ("Den Haag Zuidwest", 18_000_000, 2023),
        "Regio Deal ZaanIJ Groen en Meedoen": ("Zaandam Oost", 20_000_000, 2023),
        "Regio Deal Parkstad Limburg 2023-2025": ("Heerlen-Noord", 25_000_000, 2023),
    }
    rotterdam_zuid = Area.objects.get(name="Rotterdam-Zuid")
    assert rotterdam_zuid.regio_deals.count() == 2
    assert rotterdam_zuid.governance.filter(kind=GovernanceArrangement.Kind.REGIO_DEAL).count() == 2


def test_a_deal_covering_several_areas_is_linked_to_each(reference_data):
    deal = RegioDeal.objects.get(name="Regio Deal Vitale wijken Overvecht Batau en Vollenhove")

    names = set(deal.areas.values_list("name", flat=True))

    assert names == {"Utrecht Overvecht", "Nieuwegein Centrale As"}
    assert deal.arrangements.count() == 2


def test_no_value_users_see_says_inferred(reference_data):
    """Provenance ("stated", "inferred") lives in the files' notes and README, not in
    what the register shows."""
    for model in (Programme, Track, Theme, Municipality, Area, Neighbourhood, RegioDeal):
        text_fields = [
            field.name
            for field in model._meta.get_fields()
            if isinstance(field, (CharField, TextField))
        ]
        for obj in model.objects.all():
            for name in text_fields:
                assert "inferred" not in getattr(obj, name).lower(), (obj, name)


def test_the_names_the_letters_use_are_loaded_as_aliases(reference_data):
    aliases = dict(Area.objects.exclude(aliases="").values_list("name", "aliases"))

    assert "Den Haag Zuid-West" in aliases["Den Haag Zuidwest"].splitlines()
    assert "Zaanstad Oost" in aliases["Zaandam Oost"].splitlines()
    assert "Parkstad Limburg/Heerlen-Noord" in aliases["Heerlen-Noord"].splitlines()


def test_a_row_with_a_stray_comma_is_refused_not_truncated(db, tmp_path, monkeypatch):
    for name in ("programmes.csv", "themes.csv", "areas.csv"):
        (tmp_path / name).write_text((REFERENCE_DATA / name).read_text("utf-8"), "utf-8")
    deals = (REFERENCE_DATA / "regio_deals.csv").read_text("utf-8").splitlines()
    deals.append("Regio Deal X,,Heerlen-Noord,1,1,2020-2021,high,covers A, B and C")
    (tmp_path / "regio_deals.csv").write_text("\n".join(deals) + "\n", "utf-8")
    monkeypatch.setattr(load_reference_data, "DATA_DIR", tmp_path)

    with pytest.raises(CommandError, match=r"regio_deals.csv, line 12"):
        load()

    assert not RegioDeal.objects.exists()


def test_every_regio_deal_area_has_a_regio_deal_arrangement(reference_data):
    for deal in RegioDeal.objects.prefetch_related("areas"):
        for area in deal.areas.all():
            arrangement = GovernanceArrangement.objects.get(area=area, regio_deal=deal)
            assert arrangement.kind == GovernanceArrangement.Kind.REGIO_DEAL
            arrangement.full_clean()


def test_regio_deal_amounts_match_the_file(reference_data):
    for row in read_csv("regio_deals.csv"):
        deal = RegioDeal.objects.get(name=row["deal"])
        assert deal.state_contribution == int(row["state_contribution_eur"])
        if row["regional_contribution_eur"]:
            assert deal.regional_contribution == int(row["regional_contribution_eur"])
        else:
            assert deal.regional_contribution is None


def test_municipality_codes_are_cbs_codes(reference_data):
    codes = list(Municipality.objects.values_list("cbs_code", flat=True))

    assert codes
    assert all(re.fullmatch(r"GM\d{4}", code) for code in codes)
    assert len(codes) == len({row["cbs_municipality_code"] for row in read_csv("areas.csv")})


def test_every_loaded_row_passes_its_own_validation(reference_data):
    for model in (Programme, Track, Theme, Municipality, Area, Neighbourhood, RegioDeal):
        for obj in model.objects.all():
            obj.full_clean()


def test_rotterdam_zuid_lists_the_gebieden_its_population_covers(reference_data):
    rotterdam_zuid = Area.objects.get(name="Rotterdam-Zuid")

    districts = set(rotterdam_zuid.neighbourhoods.values_list("name", "kind"))

    # 215k is all of the NPRZ: the gebieden Feijenoord, Charlois and IJsselmonde.
    assert districts == {
        ("Feijenoord", Neighbourhood.Kind.DISTRICT),
        ("Charlois", Neighbourhood.Kind.DISTRICT),
        ("IJsselmonde", Neighbourhood.Kind.DISTRICT),
    }
    assert rotterdam_zuid.population_thousands == 215
    assert "Afrikaanderwijk" in rotterdam_zuid.sources  # the focuswijken stay in the notes


def test_breda_noord_shows_the_population_of_its_focus_area(reference_data):
    breda_noord = Area.objects.get(name="Breda Noord")

    assert (breda_noord.population_thousands, breda_noord.population_year) == (44, 2024)
    assert breda_noord.neighbourhoods.filter(kind=Neighbourhood.Kind.BUURT).count() == 14


def test_every_population_figure_names_its_source(reference_data):
    for area in Area.objects.filter(population_thousands__isnull=False):
        assert "population:" in area.sources, area.name


def test_stadsdeel_is_stored_as_a_district_without_the_prefix(reference_data):
    heerlerheide = Neighbourhood.objects.get(area__name="Heerlen-Noord", name="Heerlerheide")

    assert heerlerheide.kind == Neighbourhood.Kind.DISTRICT
    assert not Neighbourhood.objects.filter(name__startswith="stadsdeel ").exists()


def test_area_population_carries_its_year(reference_data):
    rotterdam_zuid = Area.objects.get(name="Rotterdam-Zuid")

    assert rotterdam_zuid.population_thousands is not None
    assert rotterdam_zuid.population_year is not None


def test_second_run_changes_nothing_and_leaves_no_history(db):
    first_output = load()
    rows, history = row_counts(), history_counts()

    second_output = load()

    assert not reports(first_output, 0, 0)
    assert reports(second_output, 0, 0)
    assert row_counts() == rows
    assert history_counts() == history


def test_run_after_a_manual_change_restores_the_fact_and_records_it(db):
    load()
    area = Area.objects.get(name="Rotterdam-Zuid")
    expected_population = area.population_thousands
    area.population_thousands = 1
    area.save()

    output = load()

    area.refresh_from_db()
    assert area.population_thousands == expected_population
    assert reports(output, 0, 1)
    assert area.history.first().population_thousands == expected_population
