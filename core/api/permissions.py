from django.utils.translation import gettext_lazy as _
from rest_framework import permissions


class TokenScopePermission(permissions.BasePermission):
    """A reporting client's token reads only, unless it was granted writing."""

    message = _("This API token may only read.")

    def has_permission(self, request, view):
        token = request.auth
        if token is None or not hasattr(token, "can_write"):
            return True
        return request.method in permissions.SAFE_METHODS or token.can_write


class ModelPermissions(permissions.DjangoModelPermissions):
    """DRF's model permissions, which read the model from the view's declared queryset
    instead of having the view build the user's scoped queryset an extra time per request
    (the view builds it again for its rows)."""

    def _queryset(self, view):
        declared = getattr(view, "queryset", None)
        return declared if declared is not None else super()._queryset(view)


class RolePermissions(ModelPermissions):
    """The role's model permissions, reading included: a role without 'view' on a
    resource gets 403 for all of it."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


class CanView(ModelPermissions):
    """Only the 'view' permission, whatever the method: for workflow actions, whose
    service decides who may take the step."""

    perms_map = {
        method: ["%(app_label)s.view_%(model_name)s"] for method in RolePermissions.perms_map
    }


WORKFLOW_PERMISSIONS = [permissions.IsAuthenticated, CanView, TokenScopePermission]
