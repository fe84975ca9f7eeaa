"""Scheduled upkeep of sign-ins (Celery beat; see config/celery.py)."""

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def clear_expired_sessions():
    """Sessions live in the database, shared by every app server: drop the ended ones."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
