"""Reporting follows the interventions it reports on. Interventions sit below reporting
and cannot call it, so reporting listens for their saves."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from core.history import bulk_written
from interventions.models import Intervention

from . import services


@receiver(post_save, sender=Intervention, dispatch_uid="reporting.intervention_started")
def give_running_intervention_its_updates(sender, instance, raw=False, **kwargs):
    if not raw and instance.status == Intervention.Status.RUNNING:
        services.intervention_started(
            intervention=instance, user=getattr(instance, "_history_user", None)
        )


@receiver(bulk_written, sender=Intervention, dispatch_uid="reporting.interventions_started")
def give_running_interventions_their_updates(sender, rows, user, **kwargs):
    services.interventions_started(interventions=rows, user=user)
