import datetime

import pytest
from django.utils import translation

from programme.models import Programme, ReportingPeriod, Track
from tests.factories import ProgrammeFactory, ReportingPeriodFactory, ThemeFactory, TrackFactory
from tests.model_rules import assert_database_refuses, validation_errors

pytestmark = pytest.mark.django_db


# Programme


def test_programme_end_year_cannot_be_before_start_year():
    programme = ProgrammeFactory.build(start_year=2022, end_year=2021)

    errors = validation_errors(programme)

    assert errors["end_year"] == ["The end year cannot be before the start year."]
    assert_database_refuses(programme)


def test_programme_horizon_reads_as_its_years():
    assert ProgrammeFactory.build(start_year=2022, end_year=2042).horizon == "2022–2042"
    assert ProgrammeFactory.build(start_year=2022, end_year=None).horizon == "2022–"


def test_programme_may_end_in_the_year_it_starts_or_stay_open_ended():
    ProgrammeFactory.build(start_year=2022, end_year=2022).full_clean()
    ProgrammeFactory.build(start_year=2022, end_year=None).full_clean()


def test_successor_programme_points_back_to_its_predecessor():
    first = ProgrammeFactory(code="eerste")
    second = ProgrammeFactory(code="tweede", start_year=2022, predecessor=first)

    assert Programme.objects.get(code="eerste").successor == second


# Track


def test_track_number_is_unique_within_a_programme():
    track = TrackFactory(number=1)
    duplicate = Track(programme=track.programme, number=1, name="Nog een spoor 1")

    errors = validation_errors(duplicate)

    assert "This programme already has a track with this number." in errors["__all__"]
    assert_database_refuses(duplicate)


def test_same_track_number_is_allowed_in_another_programme():
    TrackFactory(number=1)

    TrackFactory.build(number=1, programme=ProgrammeFactory()).full_clean()


def test_track_number_starts_at_one():
    track = TrackFactory.build(number=0, programme=ProgrammeFactory())

    errors = validation_errors(track)

    assert "The track number starts at 1." in errors["__all__"]
    assert_database_refuses(track)


def test_a_line_of_action_is_named_as_one_and_a_track_as_a_track():
    programme = ProgrammeFactory.build(code="nplv-2022")
    line = Track(programme=programme, kind=Track.Kind.ACTIELIJN, number=2, name="Wonen")
    spoor = Track(programme=programme, number=1, name="Gebieden")

    with translation.override("en"):
        assert str(line) == "nplv-2022, line of action 2"
        assert line.label == "line of action 2. Wonen"
        assert str(spoor) == "nplv-2022, track 1"
    with translation.override("nl"):
        assert line.label == "actielijn 2. Wonen"
        assert spoor.label == "spoor 1. Gebieden"


# Theme


def test_theme_name_follows_the_active_language():
    theme = ThemeFactory.build(name_nl="Onderwijs", name_en="Education")

    with translation.override("en"):
        assert theme.name == "Education"
    with translation.override("nl"):
        assert theme.name == "Onderwijs"


def test_theme_dutch_name_is_unique():
    ThemeFactory(name_nl="Onderwijs")
    duplicate = ThemeFactory.build(name_nl="Onderwijs")

    errors = validation_errors(duplicate)

    assert errors["name_nl"] == ["Theme with this Name (Dutch) already exists."]
    assert_database_refuses(duplicate)


# ReportingPeriod


def test_quarter_is_unique_per_programme():
    period = ReportingPeriodFactory(year=2025, quarter=2)
    duplicate = ReportingPeriodFactory.build(
        programme=period.programme, year=2025, quarter=2, deadline=datetime.date(2025, 7, 15)
    )

    errors = validation_errors(duplicate)

    assert "This programme already has this quarter." in errors["__all__"]
    assert_database_refuses(duplicate)


def test_same_quarter_is_allowed_in_another_programme():
    ReportingPeriodFactory(year=2025, quarter=2)

    ReportingPeriodFactory.build(
        programme=ProgrammeFactory(), year=2025, quarter=2, deadline=datetime.date(2025, 7, 15)
    ).full_clean()


@pytest.mark.parametrize("quarter", [0, 5])
def test_quarter_is_one_to_four(quarter):
    period = ReportingPeriodFactory.build(
        programme=ProgrammeFactory(),
        year=2025,
        quarter=quarter,
        deadline=datetime.date(2026, 1, 15),
    )

    errors = validation_errors(period)

    assert errors["quarter"] == [f"Value {quarter} is not a valid choice."]
    assert_database_refuses(period)


@pytest.mark.parametrize("year", [1999, 2101])
def test_quarter_year_lies_between_2000_and_2100(year):
    period = ReportingPeriodFactory.build(
        programme=ProgrammeFactory(), year=year, quarter=1, deadline=datetime.date(2101, 4, 15)
    )

    errors = validation_errors(period)

    assert "The year must be between 2000 and 2100." in errors["__all__"]
    assert_database_refuses(period)


def test_quarter_deadline_cannot_be_before_the_quarter_starts():
    period = ReportingPeriodFactory.build(
        programme=ProgrammeFactory(), year=2025, quarter=3, deadline=datetime.date(2025, 6, 30)
    )

    errors = validation_errors(period)

    assert errors == {"deadline": ["The deadline cannot be before the quarter starts."]}


def test_quarter_deadline_may_fall_on_the_first_day_of_the_quarter():
    ReportingPeriodFactory.build(
        programme=ProgrammeFactory(), year=2025, quarter=3, deadline=datetime.date(2025, 7, 1)
    ).full_clean()


def test_new_quarter_is_open():
    period = ReportingPeriodFactory()

    assert period.status == ReportingPeriod.Status.OPEN
    assert not period.is_closed


@pytest.mark.parametrize(
    "year, quarter, label, first_day, last_day",
    [
        (2024, 1, "2024-Q1", datetime.date(2024, 1, 1), datetime.date(2024, 3, 31)),
        (2024, 2, "2024-Q2", datetime.date(2024, 4, 1), datetime.date(2024, 6, 30)),
        (2024, 3, "2024-Q3", datetime.date(2024, 7, 1), datetime.date(2024, 9, 30)),
        (2024, 4, "2024-Q4", datetime.date(2024, 10, 1), datetime.date(2024, 12, 31)),
    ],
)
def test_quarter_label_and_first_and_last_day(year, quarter, label, first_day, last_day):
    period = ReportingPeriod(year=year, quarter=quarter)

    assert period.label == label
    assert period.first_day == first_day
    assert period.last_day == last_day


def test_deleting_a_theme_in_use_is_refused():
    from django.db.models import ProtectedError

    from tests.factories import InterventionFactory

    intervention = InterventionFactory()
    theme = intervention.themes.get()
    with pytest.raises(ProtectedError):
        theme.delete()
    assert intervention.themes.count() == 1


def test_deleting_a_track_an_area_takes_part_in_is_refused():
    from django.db.models import ProtectedError

    from tests.factories import AreaFactory

    track = AreaFactory().tracks.get()
    with pytest.raises(ProtectedError):
        type(track).objects.filter(pk=track.pk).delete()
