"""Helpers for testing model rules: the message a user reads, and the database's refusal."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation


def validation_errors(obj):
    """The message dict of full_clean(), in English."""
    with translation.override("en"):
        with pytest.raises(ValidationError) as excinfo:
            obj.full_clean()
        return excinfo.value.message_dict


def assert_database_refuses(obj):
    with pytest.raises(IntegrityError), transaction.atomic():
        obj.save()
