# The Celery application is loaded with Django, so that tasks sent from the web
# processes use its settings (config/celery.py).
from .celery import app as celery_app

__all__ = ("celery_app",)
