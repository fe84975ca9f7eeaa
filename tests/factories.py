import datetime
import io
import zipfile
from decimal import Decimal

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from areas.models import (
    Area,
    AreaDocument,
    AreaPartner,
    AreaStudy,
    GovernanceArrangement,
    Municipality,
    Neighbourhood,
    Partner,
    Province,
    RegioDeal,
)
from interventions.models import (
    EvidenceLevel,
    FundingLine,
    Indicator,
    Intervention,
    KnowledgeItem,
    TargetGroup,
)
from monitor.models import AreaGoal, ContextMeasure, ContextValue
from programme.models import Ministry, Programme, ReportingPeriod, Theme, Track
from reporting.models import AreaReport, Escalation, IndicatorValue, ProgressUpdate

factory.Faker._DEFAULT_LOCALE = "nl_NL"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"gebruiker{n}@example.org")
    full_name = factory.Faker("name")
    is_staff = True
    password = factory.django.Password("test-wachtwoord-123")


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"programma-{n}")
    name = factory.Sequence(lambda n: f"Programma {n}")
    start_year = 2020


class TrackFactory(DjangoModelFactory):
    class Meta:
        model = Track

    programme = factory.SubFactory(ProgrammeFactory)
    number = 1
    name = factory.Sequence(lambda n: f"Spoor {n}")


class ThemeFactory(DjangoModelFactory):
    class Meta:
        model = Theme

    code = factory.Sequence(lambda n: f"thema-{n}")
    name_nl = factory.Sequence(lambda n: f"Thema {n}")
    name_en = factory.Sequence(lambda n: f"Theme {n}")


class MinistryFactory(DjangoModelFactory):
    """A ministry; the seeded ones (BZK, VRO …) are reused by their code."""

    class Meta:
        model = Ministry
        django_get_or_create = ["code"]

    code = "BZK"
    abbreviation = factory.LazyAttribute(lambda ministry: ministry.code)
    name_nl = factory.LazyAttribute(lambda ministry: f"Ministerie {ministry.code}")
    name_en = factory.LazyAttribute(lambda ministry: f"Ministry {ministry.code}")


class ReportingPeriodFactory(DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    programme = factory.SubFactory(ProgrammeFactory)
    year = 2026
    quarter = 4
    deadline = datetime.date(2027, 1, 15)


class MunicipalityFactory(DjangoModelFactory):
    class Meta:
        model = Municipality

    cbs_code = factory.Sequence(lambda n: f"GM{9000 + n % 1000:04d}")
    name = factory.Faker("city")
    province = Province.ZUID_HOLLAND


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"gebied-{n}")
    name = factory.Sequence(lambda n: f"Gebied {n}")
    municipality = factory.SubFactory(MunicipalityFactory)

    @factory.post_generation
    def tracks(self, create, extracted, **kwargs):
        if create:
            self.tracks.set(extracted if extracted is not None else [TrackFactory()])


class NeighbourhoodFactory(DjangoModelFactory):
    class Meta:
        model = Neighbourhood

    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"Wijk {n}")


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = Partner.Kind.WELFARE
    ministry = factory.Maybe(
        factory.LazyAttribute(lambda partner: partner.kind == Partner.Kind.MINISTRY),
        yes_declaration=factory.SubFactory(MinistryFactory, code="VRO"),
        no_declaration=None,
    )


class AreaPartnerFactory(DjangoModelFactory):
    class Meta:
        model = AreaPartner

    area = factory.SubFactory(AreaFactory)
    partner = factory.SubFactory(PartnerFactory)
    role = AreaPartner.Role.EXECUTING


class RegioDealFactory(DjangoModelFactory):
    class Meta:
        model = RegioDeal

    name = factory.Sequence(lambda n: f"Regio Deal {n}")
    state_contribution = Decimal("1000000.00")
    regional_contribution = Decimal("1000000.00")
    start_year = 2020


class GovernanceArrangementFactory(DjangoModelFactory):
    class Meta:
        model = GovernanceArrangement

    area = factory.SubFactory(AreaFactory)
    kind = GovernanceArrangement.Kind.STEERING_GROUP
    name = factory.Sequence(lambda n: f"Stuurgroep {n}")


class TargetGroupFactory(DjangoModelFactory):
    class Meta:
        model = TargetGroup

    name = factory.Sequence(lambda n: f"Doelgroep {n}")


class InterventionFactory(DjangoModelFactory):
    """An intervention in an area, on a track the area takes part in."""

    class Meta:
        model = Intervention
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Interventie {n}")
    area = factory.SubFactory(AreaFactory)
    track = factory.LazyAttribute(lambda o: o.area.tracks.first() if o.area else TrackFactory())
    status = Intervention.Status.RUNNING
    start_date = datetime.date(2024, 1, 1)

    @factory.post_generation
    def themes(self, create, extracted, **kwargs):
        if create:
            self.themes.set(extracted if extracted is not None else [ThemeFactory()])


class KnowledgeItemFactory(DjangoModelFactory):
    """A lesson learned about the given areas and interventions (none: programme-wide)."""

    class Meta:
        model = KnowledgeItem
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Les {n}")
    kind = KnowledgeItem.Kind.LESSON
    evidence_level = EvidenceLevel.WELL_DESCRIBED

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)

    @factory.post_generation
    def interventions(self, create, extracted, **kwargs):
        if create and extracted:
            self.interventions.set(extracted)


class FundingLineFactory(DjangoModelFactory):
    class Meta:
        model = FundingLine

    intervention = factory.SubFactory(InterventionFactory)
    source = FundingLine.Source.STATE
    amount = Decimal("10000.00")


class IndicatorFactory(DjangoModelFactory):
    class Meta:
        model = Indicator

    intervention = factory.SubFactory(InterventionFactory)
    name = factory.Sequence(lambda n: f"Indicator {n}")
    unit = Indicator.Unit.NUMBER


class AreaReportFactory(DjangoModelFactory):
    class Meta:
        model = AreaReport

    area = factory.SubFactory(AreaFactory)
    period = factory.SubFactory(ReportingPeriodFactory)


class ProgressUpdateFactory(DjangoModelFactory):
    """An update in an area's report, for an intervention of that area."""

    class Meta:
        model = ProgressUpdate

    report = factory.SubFactory(AreaReportFactory)
    intervention = factory.LazyAttribute(lambda o: InterventionFactory(area=o.report.area))
    period = factory.LazyAttribute(lambda o: o.report.period)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The quarter's rules may already have given this running intervention its update
        # (reporting/signals.py): the update the test describes takes its place.
        made = model_class.objects.filter(
            intervention=kwargs["intervention"], period=kwargs["period"]
        )
        IndicatorValue.history.filter(update_id__in=made.values("pk")).delete()
        IndicatorValue.objects.filter(update__in=made).delete()
        model_class.history.filter(id__in=made.values("pk")).delete()
        made.delete()
        return super()._create(model_class, *args, **kwargs)


class EscalationFactory(DjangoModelFactory):
    class Meta:
        model = Escalation

    report = factory.SubFactory(AreaReportFactory)
    title = factory.Sequence(lambda n: f"Knelpunt {n}")
    description = "Regels staan een gezamenlijke aanpak in de weg."
    kind = Escalation.Kind.RULES
    addressed_to = factory.SubFactory(MinistryFactory)


class ContextMeasureFactory(DjangoModelFactory):
    class Meta:
        model = ContextMeasure
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"maat-{n}")
    name_nl = factory.Sequence(lambda n: f"Maat {n}")
    name_en = factory.Sequence(lambda n: f"Measure {n}")
    unit = ContextMeasure.Unit.SCORE
    decimals = 2
    direction = ContextMeasure.Direction.HIGHER_IS_BETTER
    aggregation = ContextMeasure.Aggregation.NONE
    source_kind = ContextMeasure.SourceKind.OTHER
    source = "Test"
    licence = "CC BY 4.0"


class ContextValueFactory(DjangoModelFactory):
    """An area's imported value (pass geo_level and geo_code for another place)."""

    class Meta:
        model = ContextValue

    measure = factory.SubFactory(ContextMeasureFactory)
    area = factory.SubFactory(AreaFactory)
    geo_level = ContextValue.GeoLevel.AREA
    geo_code = factory.LazyAttribute(lambda o: o.area.code if o.area else "NL")
    year = factory.Sequence(lambda n: 2000 + n % 100)
    value = Decimal("4.00")
    method = ContextValue.Method.IMPORTED


class AreaGoalFactory(DjangoModelFactory):
    class Meta:
        model = AreaGoal

    area = factory.SubFactory(AreaFactory)
    measure = factory.SubFactory(ContextMeasureFactory)
    baseline_year = 2018
    target_year = 2030
    target_value = Decimal("4.20")


PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def zip_bytes(entries):
    """A zip package with ``entries`` ({name: bytes}), in order."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, content in entries.items():
            package.writestr(name, content)
    return buffer.getvalue()


def docx_bytes():
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def xlsx_bytes():
    return zip_bytes({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


def odt_bytes():
    return zip_bytes(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"}
    )


class AreaDocumentFactory(DjangoModelFactory):
    class Meta:
        model = AreaDocument

    area = factory.SubFactory(AreaFactory)
    kind = AreaDocument.Kind.COVENANT
    title = factory.Sequence(lambda n: f"Convenant {n}")
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="convenant.pdf"))
    uploaded_by = factory.SubFactory(UserFactory)
    uploaded_at = factory.LazyFunction(timezone.now)


class AreaStudyFactory(DjangoModelFactory):
    class Meta:
        model = AreaStudy

    area = factory.SubFactory(AreaFactory)
    kind = AreaStudy.Kind.ANALYSIS
    status = AreaStudy.Status.IN_PROGRESS
