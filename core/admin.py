"""The admin's base classes: everything the admin shows or accepts is scoped by the
access policy (see core/scoping.py), and versioned records refuse a stale save."""

import copy
from functools import partial

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, get_fields_from_path, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .protection import dependants
from .scoping import policy
from .versioning import VersionedModel

OUT_OF_SCOPE = _(
    "You cannot save this: it would fall outside your areas. "
    "Programme-wide records are kept by the programme coordinators."
)


def scoped_choices(model, user):
    queryset = model._default_manager.all()
    return queryset.for_user(user) if hasattr(queryset, "for_user") else queryset


def scoped_form(form_class, user):
    """A form that refuses to save a row the user may not add or change as it now stands:
    a forged POST that moves a row into someone else's area gets a clear form error."""

    class ScopedForm(form_class):
        def _post_clean(self):
            super()._post_clean()
            action = "add" if self.instance._state.adding else "change"
            if not self.errors and not policy().can(user, action, self.instance):
                self.add_error(None, ValidationError(OUT_OF_SCOPE, code="out_of_scope"))

    return ScopedForm


def admin_path(model_admin, route, view, name):
    """A page of ``model_admin``'s own, served by the plain ``view`` (which receives the
    ModelAdmin as ``model_admin``) behind the admin's sign-in, and named
    ``<app>_<model>_<name>`` as the admin names its own pages."""
    opts = model_admin.opts
    return path(
        route,
        model_admin.admin_site.admin_view(partial(view, model_admin=model_admin)),
        name=f"{opts.app_label}_{opts.model_name}_{name}",
    )


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """A list filter that offers only the related rows the user may see."""

    def field_choices(self, field, request, model_admin):
        # Follow foreign keys: a choice's label often names its parent (a track its programme).
        queryset = scoped_choices(field.related_model, request.user).select_related()
        ordering = self.field_admin_ordering(field, request, model_admin)
        if ordering:
            queryset = queryset.order_by(*ordering)
        return [(obj.pk, str(obj)) for obj in queryset]


class ScopedAdminMixin:
    """Everything the admin shows or accepts goes through the access policy: querysets,
    related choices, autocomplete (via the remote admin's queryset), list filters and
    the permission to change or delete each row."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def get_fieldsets(self, request, obj=None):
        """A versioned record's form carries the version it was loaded at, hidden, so a
        save that crosses someone else's is refused instead of overwriting it."""
        fieldsets = super().get_fieldsets(request, obj)
        versioned = issubclass(self.model, VersionedModel)
        if not versioned or "version" in flatten_fieldsets(fieldsets):
            return fieldsets
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], "version"]}), *rest]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "version" and issubclass(self.model, VersionedModel):
            return forms.IntegerField(widget=forms.HiddenInput, min_value=1)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        reserved = policy().coordinator_only_fields(request.user, self.model)
        return readonly + [name for name in reserved if name not in readonly]

    def get_prepopulated_fields(self, request, obj=None):
        prepopulated = super().get_prepopulated_fields(request, obj)
        reserved = policy().coordinator_only_fields(request.user, self.model)
        return {k: v for k, v in prepopulated.items() if k not in reserved}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", scoped_choices(db_field.related_model, request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", scoped_choices(db_field.related_model, request.user))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Base for every domain admin: scoped by access."""

    list_per_page = 50
    show_full_result_count = False

    def get_list_filter(self, request):
        scoped = []
        for item in super().get_list_filter(request):
            if isinstance(item, str) and get_fields_from_path(self.model, item)[-1].is_relation:
                item = (item, ScopedRelatedFieldListFilter)
            scoped.append(item)
        return scoped

    def get_form(self, request, obj=None, **kwargs):
        return scoped_form(super().get_form(request, obj, **kwargs), request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return super().has_change_permission(request)
        return policy().can(request.user, "change", obj)

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return policy().can(request.user, "delete", obj)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if any(not policy().can(request.user, "delete", obj) for obj in objs):
            perms_needed.add(self.model._meta.verbose_name)
        protected = [*protected, *(str(d) for obj in objs for d in dependants(obj))]
        return deleted, model_count, perms_needed, protected

    def save_model(self, request, obj, form, change):
        # The form already refused this; a second line of defence for code paths without it.
        if not policy().can(request.user, "change" if change else "add", obj):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for deleted in formset.deleted_forms:
            if deleted.instance.pk and not policy().can(request.user, "delete", deleted.instance):
                raise PermissionDenied
        super().save_formset(request, form, formset, change)


class RegisterAdmin(ScopedModelAdmin, SimpleHistoryAdmin):
    """A scoped admin with field history (django-simple-history)."""

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        # Out of scope answers as missing; the history of a deleted row is not shown either.
        if self.get_object(request, unquote(object_id)) is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # Reverting would bypass the workflow and its locks: history is read-only.
        if request.method != "GET":
            return HttpResponseNotAllowed(["GET"])
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        # simple_history reads the prepopulated_fields attribute, not this user's (a
        # coordinator-only field is not in a liaison's form): hand it a copy with theirs.
        scoped = copy.copy(self)
        scoped.prepopulated_fields = self.get_prepopulated_fields(request, obj)
        return super(RegisterAdmin, scoped).history_form_view(
            request, object_id, version_id, extra_context
        )


class ScopedInline(ScopedAdminMixin):
    """An inline that follows its parent: editable only where the parent is."""

    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = scoped_form(formset.form, request.user)
        return formset

    def _parent_editable(self, request, obj):
        return obj is None or policy().can(request.user, "change", obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)


class TabularInline(ScopedInline, admin.TabularInline):
    pass


class StackedInline(ScopedInline, admin.StackedInline):
    pass


def job_progress_page(model_admin, request, job, obj):
    """The admin's page of a background job still at work (core/jobs.py): how far it
    is, refreshed by the page itself until the job is done."""
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import from Excel"),
        "job": job,
        "back_url": request.path.rsplit("/import/", 1)[0] + "/",
        "back_label": str(obj) if obj is not None else model_admin.opts.verbose_name_plural,
    }
    return TemplateResponse(request, "admin/job_progress.html", context)
