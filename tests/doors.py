"""Where each model's rows live, and how to make one: shared by the door matrices of
the admin and the API, so both cover every model the same way."""

import itertools

from accounts.models import ApiToken, User
from areas.models import (
    Area,
    AreaDocument,
    AreaPartner,
    GovernanceArrangement,
    Municipality,
    Neighbourhood,
    Partner,
    RegioDeal,
)
from interventions.models import FundingLine, Indicator, Intervention, KnowledgeItem, TargetGroup
from monitor.models import AreaGoal, ContextImport, ContextMeasure, ContextValue
from programme.models import Ministry, Programme, ReportingPeriod, Theme, Track
from reporting.models import (
    AreaReport,
    Escalation,
    ExportJob,
    ExportLog,
    IndicatorValue,
    ProgressUpdate,
    QuarterTransition,
    ReportTransition,
)
from tests import factories

# How each model is scoped:
#   area       rows belong to one area: a liaison sees and edits only their own
#   shared     a directory everyone sees; a liaison edits rows of their own areas only
#   reference  programme data everyone sees and only coordinators edit
#   deal       Regio Deals: coordinators and viewers only
#   users      user management: coordinators only
#   superuser  technical admin (groups, lockouts, devices): superusers only
#   own        background jobs: the person who asked alone, a coordinator included
CATEGORY = {
    Area: "area",
    Neighbourhood: "area",
    AreaPartner: "area",
    GovernanceArrangement: "area",
    AreaDocument: "area",
    Intervention: "area",
    FundingLine: "area",
    Indicator: "area",
    # Knowledge items are seen through any of their areas (programme-wide ones by all);
    # only coordinators write them.
    KnowledgeItem: "area",
    Partner: "shared",
    Programme: "reference",
    Track: "reference",
    Theme: "reference",
    Ministry: "reference",
    ReportingPeriod: "reference",
    Municipality: "reference",
    TargetGroup: "reference",
    RegioDeal: "deal",
    User: "users",
    ApiToken: "users",
    ExportLog: "users",
    AreaReport: "area",
    ProgressUpdate: "area",
    Escalation: "area",
    ReportTransition: "area",
    IndicatorValue: "area",
    QuarterTransition: "reference",
    ExportJob: "own",
    # The area monitor: measures are reference data; an area's figures and goals follow
    # the area; the import log is the coordinators'.
    ContextMeasure: "reference",
    ContextValue: "area",
    AreaGoal: "area",
    ContextImport: "users",
}


def row_in(model, area):
    """A row of ``model`` that lives in ``area``."""
    intervention = lambda: factories.InterventionFactory(area=area)  # noqa: E731
    builders = {
        Area: lambda: area,
        Neighbourhood: lambda: factories.NeighbourhoodFactory(area=area),
        AreaPartner: lambda: factories.AreaPartnerFactory(area=area),
        # A ministry partner: its list shows the ministry, so a missing join would show.
        Partner: lambda: factories.AreaPartnerFactory(area=area, partner__kind="ministry").partner,
        GovernanceArrangement: lambda: factories.GovernanceArrangementFactory(area=area),
        AreaDocument: lambda: factories.AreaDocumentFactory(area=area),
        Intervention: intervention,
        FundingLine: lambda: factories.FundingLineFactory(intervention=intervention()),
        Indicator: lambda: factories.IndicatorFactory(intervention=intervention()),
        KnowledgeItem: lambda: factories.KnowledgeItemFactory(
            areas=[area], interventions=[intervention()]
        ),
        RegioDeal: lambda: _deal_for(area),
        AreaReport: lambda: factories.AreaReportFactory(area=area),
        ProgressUpdate: lambda: factories.ProgressUpdateFactory(
            report=factories.AreaReportFactory(area=area)
        ),
        Escalation: lambda: factories.EscalationFactory(
            report=factories.AreaReportFactory(area=area)
        ),
        IndicatorValue: lambda: _value_in(area),
        ContextValue: lambda: factories.ContextValueFactory(area=area),
        AreaGoal: lambda: factories.AreaGoalFactory(area=area),
        ReportTransition: lambda: ReportTransition.objects.create(
            report=factories.AreaReportFactory(area=area),
            actor=factories.UserFactory(),
            from_status="draft",
            to_status="submitted",
        ),
    }
    return builders[model]()


def _value_in(area):
    update = factories.ProgressUpdateFactory(report=factories.AreaReportFactory(area=area))
    indicator = factories.IndicatorFactory(intervention=update.intervention)
    return IndicatorValue.objects.create(update=update, indicator=indicator, value=5)


def _deal_for(area):
    deal = factories.RegioDealFactory()
    deal.areas.add(area)
    return deal


_numbers = itertools.count(1)


def reference_row(model):
    builders = {
        Programme: factories.ProgrammeFactory,
        Track: factories.TrackFactory,
        Theme: factories.ThemeFactory,
        Ministry: lambda: factories.MinistryFactory(code=f"T{next(_numbers)}"),
        ReportingPeriod: factories.ReportingPeriodFactory,
        Municipality: factories.MunicipalityFactory,
        TargetGroup: factories.TargetGroupFactory,
        User: lambda: factories.UserFactory(email="someone@example.org"),
        ApiToken: lambda: ApiToken.objects.create(user=factories.UserFactory(), name="Power BI")[0],
        ExportLog: lambda: ExportLog.objects.create(
            user=factories.UserFactory(),
            period=factories.ReportingPeriodFactory(),
            format="xlsx",
            via="admin",
        ),
        ExportJob: lambda: ExportJob.objects.create(
            user=factories.UserFactory(),
            period=factories.ReportingPeriodFactory(),
            format="csv",
            via="api",
            status="done",
        ),
        ContextMeasure: factories.ContextMeasureFactory,
        ContextImport: lambda: ContextImport.objects.create(
            user=factories.UserFactory(), format="tidy", file_name="cijfers.csv", sha256="0" * 64
        ),
        QuarterTransition: lambda: QuarterTransition.objects.create(
            period=factories.ReportingPeriodFactory(),
            actor=factories.UserFactory(),
            from_status="",
            to_status="open",
        ),
    }
    return builders[model]()
