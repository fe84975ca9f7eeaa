"""Writing many rows at once with their field history (django-simple-history).

A save leaves one history record per row, with the row's many-to-many links as saved.
``create_with_history`` and ``update_with_history`` leave exactly that, in a fixed
number of statements however many rows (one per thousand rows): the rows, their links,
their history records and the history of their links. simple-history's own bulk helpers
leave out the links and their history; versions and locks are the caller's
(core/versioning.py, the models' own bulk paths).
"""

from django.apps import apps
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone

BATCH = 1000

# Sent after rows were written here (sender: the model; rows, user, created): these
# writes send no post_save, so an app that follows a model's saves listens to this too.
bulk_written = Signal()


@transaction.atomic
def create_with_history(model, objs, *, user, links=None):
    """Insert ``objs`` (returned with their keys), set their many-to-many ``links``
    ({field name: [set of target ids, one per row]}) and record their creation."""
    objs = model._default_manager.bulk_create(list(objs), batch_size=BATCH)
    for name, targets in (links or {}).items():
        set_links(model, name, dict(zip([obj.pk for obj in objs], targets, strict=True)))
    record_history(model, objs, "+", user=user)
    if objs:
        bulk_written.send(sender=model, rows=objs, user=user, created=True)
    return objs


@transaction.atomic
def update_with_history(model, objs, fields, *, user, links=None):
    """Write ``fields`` of existing rows, set the ``links`` given ({field name: {row id:
    set of target ids}}, rows left out keep theirs) and record one change each."""
    objs = list(objs)
    if not objs:
        return
    now = timezone.now()
    fields = list(fields)
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False):  # a save would stamp it; bulk_update does not
            for obj in objs:
                setattr(obj, field.attname, now)
            fields.append(field.name)
    models.QuerySet(model).bulk_update(objs, fields, batch_size=BATCH)
    for name, targets in (links or {}).items():
        set_links(model, name, targets)
    record_history(model, objs, "~", user=user, now=now)
    bulk_written.send(sender=model, rows=objs, user=user, created=False)


def record_history(model, objs, history_type, *, user, now=None):
    """One history record per row as it now is (``+`` created, ``~`` changed, ``-``
    deleted), with its many-to-many links."""
    objs = list(objs)
    if not objs:
        return
    history = _history_model(model)
    now = now or timezone.now()
    rows = history.objects.bulk_create(
        [
            history(
                history_date=now,
                history_user=user,
                history_change_reason="",
                history_type=history_type,
                **{field.attname: getattr(obj, field.attname) for field in history.tracked_fields},
            )
            for obj in objs
        ],
        batch_size=BATCH,
    )
    if history_type != "-":
        _record_link_history(history, {obj.pk: row for obj, row in zip(objs, rows, strict=True)})


def set_links(model, name, links):
    """Make the many-to-many field ``name`` hold exactly ``links`` ({row id: set of
    target ids}) for those rows: the missing links added, the others removed, in two
    statements and without history of their own (the rows' history records them)."""
    if not links:
        return
    field = model._meta.get_field(name)
    through = field.remote_field.through
    own, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    stored = {}
    for row_id, target_id in through.objects.filter(**{f"{own}_id__in": list(links)}).values_list(
        f"{own}_id", f"{target}_id"
    ):
        stored.setdefault(row_id, set()).add(target_id)
    gone = models.Q(pk__in=[])
    for row_id, wanted in links.items():
        if stored.get(row_id, set()) - set(wanted):
            gone |= models.Q(
                **{f"{own}_id": row_id, f"{target}_id__in": stored[row_id] - set(wanted)}
            )
    through.objects.filter(gone).delete()
    through.objects.bulk_create(
        [
            through(**{f"{own}_id": row_id, f"{target}_id": target_id})
            for row_id, wanted in links.items()
            for target_id in sorted(set(wanted) - stored.get(row_id, set()))
        ],
        batch_size=BATCH,
    )


def _history_model(model):
    return getattr(model, model._meta.simple_history_manager_attribute).model


def _record_link_history(history, row_of):
    """The links of the rows in ``row_of`` ({row id: its new history row}) as they now
    are, as simple-history records them on a save."""
    for field in getattr(history, "_history_m2m_fields", ()):
        link_history = apps.get_model(history._meta.app_label, f"{history.__name__}_{field.name}")
        through = field.remote_field.through
        own = f"{field.m2m_field_name()}_id"
        names = [f.attname for f in through._meta.concrete_fields]
        link_history.objects.bulk_create(
            [
                link_history(history=row_of[link[own]], **link)
                for link in through.objects.filter(**{f"{own}__in": list(row_of)}).values(*names)
            ],
            batch_size=BATCH,
        )
