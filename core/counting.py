"""Counting rows without counting them: for admin change lists over tables with millions
of rows (DESIGN.md section 8: no full ``COUNT(*)`` on big tables)."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property

# Below this many rows an exact count is cheap enough.
ESTIMATE_FROM = 100_000


def estimated_rows(queryset):
    """PostgreSQL's estimate of the rows in the queryset's table (kept by ANALYZE and
    autovacuum), or None on other databases and before the table was analysed."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
            [queryset.model._meta.db_table],
        )
        row = cursor.fetchone()
    return int(row[0]) if row and row[0] > 0 else None


class EstimatedCountPaginator(Paginator):
    """An unfiltered list of a big table is counted by the planner's estimate instead of
    reading every row; filtered lists (a quarter, an area, a search, a liaison's scope)
    are counted exactly. The estimate can be off by a little, so the last page may hold
    a few rows more or less than the count promises."""

    @cached_property
    def count(self):
        queryset = self.object_list
        if not queryset.query.where:
            estimate = estimated_rows(queryset)
            if estimate is not None and estimate >= ESTIMATE_FROM:
                return estimate
        return super().count
