"""The REST API's router: every resource under /api/v1/."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from areas.api import views as areas
from interventions.api import imports as intervention_imports
from interventions.api import views as interventions
from monitor.api import views as monitor
from programme.api import views as programme
from reporting.api import imports as reporting_imports
from reporting.api import views as reporting

router = DefaultRouter()
router.register("programmes", programme.ProgrammeViewSet)
router.register("tracks", programme.TrackViewSet)
router.register("themes", programme.ThemeViewSet)
router.register("ministries", programme.MinistryViewSet)
router.register("quarters", reporting.QuarterViewSet)
router.register("municipalities", areas.MunicipalityViewSet)
router.register("areas", areas.AreaViewSet)
router.register("neighbourhoods", areas.NeighbourhoodViewSet)
router.register("partners", areas.PartnerViewSet)
router.register("area-partners", areas.AreaPartnerViewSet)
router.register("governance", areas.GovernanceViewSet)
router.register("regio-deals", areas.RegioDealViewSet)
router.register("area-documents", areas.AreaDocumentViewSet)
router.register("interventions", interventions.InterventionViewSet)
router.register("funding-lines", interventions.FundingLineViewSet)
router.register("indicators", interventions.IndicatorViewSet)
router.register("target-groups", interventions.TargetGroupViewSet)
router.register("knowledge-items", interventions.KnowledgeItemViewSet)
router.register("area-reports", reporting.AreaReportViewSet)
router.register("progress-updates", reporting.ProgressUpdateViewSet)
router.register("indicator-values", reporting.IndicatorValueViewSet)
router.register("escalations", reporting.EscalationViewSet)
router.register("report-transitions", reporting.ReportTransitionViewSet)
router.register("quarter-transitions", reporting.QuarterTransitionViewSet)
router.register("export-jobs", reporting.ExportJobViewSet)
router.register("context-measures", monitor.ContextMeasureViewSet)
router.register("context-values", monitor.ContextValueViewSet)
router.register("area-goals", monitor.AreaGoalViewSet)

# Files in and out beside the router's resources, included before the router (so that
# "import" is never read as an intervention's id).
urlpatterns = [
    path(
        "area-reports/<int:pk>/template/",
        reporting_imports.QuarterTemplateView.as_view(),
        name="area-report-template",
    ),
    path(
        "area-reports/<int:pk>/import/",
        reporting_imports.QuarterImportView.as_view(),
        name="area-report-import",
    ),
    path(
        "interventions/import/",
        intervention_imports.InterventionImportView.as_view(),
        name="interventions-import",
    ),
]
