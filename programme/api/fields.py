"""A ministry in the API of other resources: given and shown by its code (VRO, BZK …),
the key /api/v1/ministries/ lists."""

import django_filters
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from programme.models import Ministry


def ministry_code_field(help_text, **kwargs):
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Ministry.objects.all(), help_text=help_text, **kwargs
    )


def ministry_code_filter():
    return django_filters.ModelChoiceFilter(
        to_field_name="code",
        queryset=Ministry.objects.all(),
        label=_("The code of the ministry, e.g. BZK."),
    )
