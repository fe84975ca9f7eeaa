"""Every admin change list costs the same number of queries at 1, 10 and 50 rows."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from tests.accounts.test_admin_matrix import url
from tests.doors import CATEGORY, reference_row, row_in

ROW_COUNTS = [1, 10, 50]
# Session, user, permissions, memberships, one per related list filter, count, rows.
MAX_QUERIES = 20


def fill(model, count, area):
    """Add ``count`` rows the persona can see (area rows in the liaison's own area)."""
    for _ in range(count):
        if CATEGORY[model] in ("reference", "users"):
            reference_row_for(model)
        elif model.__name__ == "Area":
            factories.AreaFactory()
        else:
            row_in(model, area)


def reference_row_for(model):
    if model.__name__ == "User":
        return factories.UserFactory()
    return reference_row(model)


@pytest.mark.parametrize(
    "model",
    [model for model in admin.site._registry if model in CATEGORY],
    ids=lambda m: m.__name__,
)
def test_change_list_queries_do_not_grow_with_rows(
    model, personas, area_a, client_for, django_assert_max_num_queries
):
    for persona in ("coordinator", "liaison_a"):
        client = client_for(personas[persona])
        if client.get(url(model, "changelist")).status_code == 403:
            continue  # a liaison has no list of Regio Deals or users (see the door matrix)
        counts = []
        made = model._default_manager.count()
        for rows in ROW_COUNTS:
            fill(model, max(rows - made, 0), area_a)
            made = max(rows, made)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url(model, "changelist"))
            assert response.status_code == 200
            counts.append(len(queries))
            with django_assert_max_num_queries(MAX_QUERIES):
                client.get(url(model, "changelist"))
        assert len(set(counts)) == 1, f"{model.__name__} as {persona}: queries {counts}"
