"""The one place that decides who may see or change what (DESIGN.md section 5).

Roles are Django groups with permissions, so an administrator adjusts them without
code: model permissions say *what kind* of record a role may add, change or delete;
two custom permissions say whether a role sees (``view_all_areas``) or edits
(``edit_all_areas``) every area. Everyone else is limited to the areas of their
AreaMembership rows, read afresh on every request. Programme-wide rows (no area)
are visible to every role and changed by coordinators only.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from programme.models import ReportingPeriod

from .models import AreaMembership

VIEW_ALL_AREAS = "accounts.view_all_areas"
EDIT_ALL_AREAS = "accounts.edit_all_areas"
ACTIONS = ("add", "change", "delete")


def is_coordinator(user):
    """Coordinators see and edit everything, manage quarters, users and the programme."""
    return bool(user.is_active and (user.is_superuser or user.has_perm(EDIT_ALL_AREAS)))


def sees_all_areas(user):
    return is_coordinator(user) or bool(user.is_active and user.has_perm(VIEW_ALL_AREAS))


def own_area_ids(user):
    """The areas this user is a member of, cached on the user object for one request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if not hasattr(user, "_own_area_ids"):
        user._own_area_ids = frozenset(
            AreaMembership.objects.filter(user=user).values_list("area_id", flat=True)
        )
    return user._own_area_ids


def _area_lookup(model):
    return "pk" if model.area_path == "" else model.area_path


def _is_multivalued(model, path):
    """Whether a lookup path crosses a to-many relation (filtering on it would repeat rows)."""
    for name in path.split("__"):
        field = model._meta.get_field(name)
        if field.many_to_many or field.one_to_many:
            return True
        model = field.related_model
    return False


def visible(user, queryset):
    """The rows of ``queryset`` that ``user`` may see; nothing for anonymous or inactive."""
    model = queryset.model
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    owner_path = getattr(model, "owner_path", None)
    if owner_path and getattr(model, "private_to_owner", False):  # background jobs
        return queryset.filter(**{owner_path: user.pk})
    if owner_path:  # personal rows: accounts and API tokens
        return queryset if is_coordinator(user) else queryset.filter(**{owner_path: user.pk})
    area_path = getattr(model, "area_path", None)
    if area_path is None or getattr(model, "visible_to_all", False) or sees_all_areas(user):
        return queryset
    lookup = _area_lookup(model)
    in_own_area = Q(**{f"{lookup}__in": own_area_ids(user)})
    if area_path:  # a row whose area is empty is programme-wide
        in_own_area |= Q(**{f"{lookup}__isnull": True})
    if area_path and _is_multivalued(model, lookup):
        return queryset.filter(pk__in=model._default_manager.filter(in_own_area).values("pk"))
    return queryset.filter(in_own_area)


def areas_of(obj):
    """The ids of the areas a row belongs to: empty for programme-wide rows."""
    model = type(obj)
    path = model.area_path
    if path == "":
        return frozenset([obj.pk]) if obj.pk else frozenset()
    if _is_multivalued(model, path):
        if obj.pk is None:
            return frozenset()
        ids = model._default_manager.filter(pk=obj.pk).values_list(path, flat=True)
        return frozenset(area_id for area_id in ids if area_id is not None)
    # Follow the path on the instance itself: the form may have just changed it.
    *hops, last = path.split("__")
    target = obj
    for name in hops:
        target = getattr(target, name, None)
        if target is None:
            return frozenset()
    area_id = getattr(target, target._meta.get_field(last).attname)
    return frozenset([area_id]) if area_id else frozenset()


def may_request_exports(user):
    """Whether ``user`` may ask for the quarterly report as a file: every role that may
    read quarters (the file holds only what they may see)."""
    return bool(user.is_active and has_model_permission(user, ReportingPeriod, "view"))


def scope_of(user, area=None):
    """The areas a job for ``user`` covers, to be asked again when its outcome is
    fetched: ``area`` alone when given, else every area (None) for those who see all,
    else their own areas now."""
    if area is not None:
        return [area.pk]
    return None if sees_all_areas(user) else sorted(own_area_ids(user))


def may_use_job(user, job):
    """Whether ``user`` may follow a background job and take its file: only the person
    who asked, and only while they may still see every area it covers (a liaison whose
    membership was removed no longer gets the area's file). Anything else answers as a
    job that does not exist."""
    if not user.is_authenticated or not user.is_active or job.user_id != user.pk:
        return False
    if sees_all_areas(user):
        return True
    return job.areas is not None and set(job.areas) <= own_area_ids(user)


def may_take_document(user, document):
    """Whether ``user`` may download a document of an area's dossier: a role that reads
    area documents, for an area the user sees. Asked again at every download; anything
    else answers as a document that does not exist."""
    if not user.is_authenticated or not user.is_active:
        return False
    if not has_model_permission(user, type(document), "view"):
        return False
    return sees_all_areas(user) or document.area_id in own_area_ids(user)


def has_model_permission(user, model, action):
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}")


def may_manage_quarters(user):
    """Whether ``user`` opens, closes and reopens quarters: a coordinator whose role
    holds the permission to change quarters."""
    return is_coordinator(user) and has_model_permission(user, ReportingPeriod, "change")


def may_import_interventions(user):
    """The intervention import is for programme coordinators who may add interventions."""
    return is_coordinator(user) and user.has_perm("interventions.add_intervention")


def may_import_figures(user):
    """The area monitor's figures are imported by programme coordinators."""
    return is_coordinator(user) and user.has_perm("monitor.import_figures")


def may_edit_in_admin(user, obj):
    """Whether the pages offer ``user`` a link to edit ``obj`` in the admin."""
    return user.is_staff and can(user, "change", obj)


def report_import_refusal(user, report):
    """Why ``user`` may not import a filled-in template into ``report`` (an error to
    raise: PermissionDenied or a workflow lock), or None when they may."""
    if not has_model_permission(user, type(report), "change"):
        return PermissionDenied()
    lock = lock_on(user, "change", report)
    if lock is not None:
        return lock
    if not can(user, "change", report):
        return PermissionDenied()
    return None


def may_export(user):
    """Whether the quarterly report's files are offered to ``user`` on the pages: they
    download through the admin, which lets in staff who may view quarters."""
    return user.is_staff and has_model_permission(user, ReportingPeriod, "view")


def can(user, action, obj):
    """Whether ``user`` may ``add``, ``change`` or ``delete`` the row ``obj`` as it now is.

    For a change that moves a row, ask for the row both before and after the move.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown action {action!r}")
    if not user.is_authenticated or not user.is_active:
        return False
    model = type(obj)
    if not has_model_permission(user, model, action):
        return False
    # Workflow locks (a closed quarter, a submitted report) hold for every role.
    if lock_on(user, action, obj) is not None:
        return False
    if is_coordinator(user):
        return True
    if getattr(model, "area_path", None) is None:
        return False  # programme reference data
    areas = areas_of(obj)
    if not areas:
        # A shared record (a partner organisation) not yet linked to an area may be
        # created by anyone who may add it; programme-wide work is for coordinators.
        return getattr(model, "visible_to_all", False) and action == "add"
    return areas <= own_area_ids(user)


def coordinator_only_fields(user, model):
    """The fields of ``model`` that ``user`` may read but not set: those a model
    reserves for coordinators (``coordinator_fields``), unless the user is one."""
    return () if is_coordinator(user) else tuple(getattr(model, "coordinator_fields", ()))


def may_manage_account(user, account=None, action="change"):
    """Accounts: only a superuser changes a superuser or makes one, and only a superuser
    deletes an account; everyone else deactivates it, so its history keeps its author."""
    if action == "delete":
        return user.is_superuser
    return user.is_superuser or account is None or not account.is_superuser


def lock_on(user, action, obj):
    """The workflow lock that keeps ``user`` from this action on ``obj`` (an error with
    its reason), or None: a closed quarter for everyone, a submitted report for all
    but coordinators."""
    edit_lock = getattr(obj, "edit_lock", None)
    if edit_lock is None:
        return None
    return edit_lock(reviewer=is_coordinator(user), action=action)


def may(user, permission, obj):
    """Whether ``user`` holds ``permission`` (a workflow step such as
    ``reporting.submit_areareport``) for this row of their scope."""
    if not user.is_authenticated or not user.is_active or not user.has_perm(permission):
        return False
    if is_coordinator(user):
        return True
    areas = areas_of(obj)
    return bool(areas) and areas <= own_area_ids(user)
