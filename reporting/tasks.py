"""Reporting's background and scheduled work (Celery; see config/celery.py)."""

import logging

from celery import shared_task

from . import services

logger = logging.getLogger(__name__)


@shared_task
def send_deadline_reminders():
    """Daily (CELERY_BEAT_SCHEDULE): remind areas whose report is not in, once."""
    reminded = services.send_deadline_reminders()
    logger.info("deadline reminders sent for %d quarter(s)", reminded)
    return reminded
