from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken, AuthTokenManager
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet


class UserManager(BaseUserManager.from_queryset(ScopedQuerySet)):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address. Deactivate rather than delete,
    so the history of what they did keeps its author."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    organisation = models.CharField(_("organisation"), max_length=150, blank=True)
    is_staff = models.BooleanField(
        _("admin access"),
        default=False,
        help_text=_("Whether this person may sign in to the admin."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Untick to deactivate the account instead of deleting it."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()
    owner_path = "pk"  # apart from coordinators, a user sees only their own account

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_ignoring_case",
                violation_error_message=_("A user with this e-mail address already exists."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.get_full_name()


class AreaMembership(models.Model):
    """Gives a user their 'own' area: a municipal liaison edits the areas they are a
    member of. Removing the row takes the area away on the user's next request."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="area_memberships"
    )
    area = models.ForeignKey(
        "areas.Area",
        verbose_name=_("area"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    created_at = models.DateTimeField(_("since"), auto_now_add=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    area_path = "area"

    class Meta:
        verbose_name = _("area membership")
        verbose_name_plural = _("area memberships")
        ordering = ["area__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "area"],
                name="membership_unique_per_user_and_area",
                violation_error_message=_("This user is already a member of this area."),
            ),
        ]
        permissions = [
            ("view_all_areas", _("Can see all areas (viewer, coordinator)")),
            ("edit_all_areas", _("Can edit all areas and the programme (coordinator)")),
        ]

    def __str__(self):
        return f"{self.user} – {self.area}"


class ApiTokenManager(AuthTokenManager.from_queryset(ScopedQuerySet)):
    pass


class ApiToken(AbstractAuthToken):
    """A reporting client's token, stored as a hash with an expiry (django-rest-knox).
    It reads only, unless a coordinator grants it writing."""

    name = models.CharField(
        _("name"), max_length=100, help_text=_("What uses it, e.g. 'Power BI BZK'.")
    )
    can_write = models.BooleanField(
        _("may write"),
        default=False,
        help_text=_("Off: the token reads only, whatever its user may do."),
    )

    objects = ApiTokenManager()
    owner_path = "user"

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.user}, {self.token_key}…)"
