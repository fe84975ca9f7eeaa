"""core/versioned_cache.py: a key made of versions changes when any of them is bumped,
and only then."""

from core import versioned_cache


def test_a_bump_changes_the_versions_of_what_it_names_only():
    quarter, register = ("quarter", 7), ("register", 0)
    first = versioned_cache.versions([quarter, register])
    assert versioned_cache.versions([quarter, register]) == first

    versioned_cache.bump(*quarter)
    second = versioned_cache.versions([quarter, register])
    assert second[0] != first[0] and second[1] == first[1]
    assert versioned_cache.versions([("quarter", 8)]) != [second[0]]
