"""Scheduled upkeep of sign-ins (Celery beat; see config/celery.py)."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone

from .models import ApiToken


@shared_task
def clear_expired_sessions():
    """Sessions live in the database, shared by every app server: drop the ended ones."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def clear_expired_tokens():
    """API tokens past their expiry are refused at once (accounts/auth.py); drop them."""
    deleted, _ = ApiToken.objects.filter(expiry__lt=timezone.now()).delete()
    return deleted
