"""The dashboard's figures in the shared cache, per quarter, scope, track and language,
computed again after any write that changes them (core/versioned_cache.py).

A quarter's own rows (reports, updates, escalations) bump the quarter's version where
they are saved (reporting/models.py, single and bulk paths alike). Everything else the
figures are made of (interventions, funding lines, areas, themes, tracks, quarters,
the monitor's measures, figures and goals) bumps the register's version through the
signals below: those apps sit below reporting and do not know it caches. Each bump is made at once and again when the
transaction commits, so a request that read the old rows in between cannot keep them.
"""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import translation

from accounts import access
from areas.models import Area, Municipality
from core import versioned_cache
from core.history import bulk_written
from interventions.models import FundingLine, Intervention
from monitor.models import AreaGoal, ContextMeasure, ContextValue
from programme.models import ReportingPeriod, Theme, Track

REGISTER = ("register", 0)


def quarter_changed(*period_ids):
    _bump([("quarter", period_id) for period_id in period_ids if period_id])


def register_changed(**kwargs):
    _bump([REGISTER])


def _bump(things):
    for thing in things:
        versioned_cache.bump(*thing)
    if things and transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: [versioned_cache.bump(*thing) for thing in things])


def dashboard_key(*, user, period, track, today):
    """The key of the dashboard's rendered figures for ``user``: what they show (quarter,
    track, the areas the user sees, language, day) and the versions of what they are
    made of. Users who see the same areas share an entry."""
    scope = access.scope_of(user)
    versions = versioned_cache.versions([("quarter", period.pk), REGISTER])
    return ":".join(
        [
            str(period.pk),
            str(track.pk if track else "-"),
            "all" if scope is None else ",".join(map(str, scope)),
            translation.get_language() or "-",
            today.isoformat(),
            *versions,
        ]
    )


def _period_saved(sender, instance, **kwargs):
    quarter_changed(instance.pk)
    register_changed()


def connect():
    for model in (
        *(Intervention, FundingLine, Area, Municipality, Theme, Track),
        *(ContextMeasure, ContextValue, AreaGoal),  # the monitor's section
    ):
        for signal in (post_save, post_delete):
            signal.connect(register_changed, sender=model, dispatch_uid=f"figures.{model.__name__}")
        bulk_written.connect(
            register_changed, sender=model, dispatch_uid=f"figures.bulk.{model.__name__}"
        )
    for through in (Intervention.themes.through, Area.tracks.through):
        m2m_changed.connect(register_changed, sender=through, dispatch_uid=f"figures.{through}")
    for signal in (post_save, post_delete):
        signal.connect(_period_saved, sender=ReportingPeriod, dispatch_uid="figures.period")
