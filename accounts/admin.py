import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp import admin as otp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin import ScopedAdminMixin, ScopedModelAdmin, TabularInline

from . import access
from .models import ApiToken, AreaMembership, User
from .services import user_invite


class AreaMembershipInline(TabularInline):
    model = AreaMembership
    fields = ["area", "created_at"]
    readonly_fields = ["created_at"]
    autocomplete_fields = ["area"]
    verbose_name_plural = _("areas this user edits (for municipal liaisons)")


class InviteUserForm(forms.ModelForm):
    """A new user chooses their own password through the link in the invitation."""

    class Meta:
        model = User
        fields = ["email", "full_name", "organisation", "is_staff", "groups"]


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    add_form = InviteUserForm
    ordering = ["email"]
    list_display = ["email", "full_name", "organisation", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups"]
    search_fields = ["email", "full_name", "organisation"]
    filter_horizontal = ["groups"]
    inlines = [AreaMembershipInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "organisation"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "organisation", "is_staff", "groups"],
                "description": _(
                    "The new user receives an e-mail with a link to choose a password. "
                    "A municipal liaison also needs the areas they edit, below."
                ),
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly.append("is_superuser")  # making a superuser takes one
        return readonly

    def has_change_permission(self, request, obj=None):
        return access.may_manage_account(request.user, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request, obj=None):
        return access.may_manage_account(
            request.user, obj, "delete"
        ) and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            user_invite(user=obj, base_url=request.build_absolute_uri("/")[:-1])

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


class ApiTokenForm(forms.ModelForm):
    valid_days = forms.IntegerField(
        label=_("valid for (days)"),
        min_value=1,
        max_value=366,
        initial=90,
        help_text=_("The token stops working after this many days."),
    )

    class Meta:
        model = ApiToken
        fields = ["user", "name", "can_write"]


@admin.register(ApiToken)
class ApiTokenAdmin(ScopedModelAdmin):
    """Tokens for reporting clients. The key is shown once, when it is made; only its
    hash is kept. Deleting a token revokes it."""

    form = ApiTokenForm
    list_display = ["name", "user", "token_key", "created", "expiry", "can_write"]
    list_filter = ["can_write"]
    list_select_related = ["user"]
    search_fields = ["name", "user__email"]
    autocomplete_fields = ["user"]
    readonly_fields = ["user", "name", "can_write", "token_key", "created", "expiry"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", "can_write", "valid_days"]
        return self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return False  # a token is made or revoked, never edited

    def save_model(self, request, obj, form, change):
        token, key = ApiToken.objects.create(
            user=obj.user,
            name=obj.name,
            can_write=obj.can_write,
            expiry=datetime.timedelta(days=form.cleaned_data["valid_days"]),
        )
        obj.pk, obj._state.adding = token.pk, False
        self.message_user(
            request,
            _("The token for %(name)s is: %(key)s — copy it now, it is not shown again.")
            % {"name": token.name, "key": key},
            messages.WARNING,
        )


class TOTPDeviceAdmin(otp_admin.TOTPDeviceAdmin):
    """django-otp's admin, but a device that does not exist is a 404 on the QR code and
    configuration pages too (django-otp lets DoesNotExist become a 500)."""

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


if admin.site.is_registered(TOTPDevice):
    admin.site.unregister(TOTPDevice)
admin.site.register(TOTPDevice, TOTPDeviceAdmin)
