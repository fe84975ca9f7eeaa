"""Every URL pattern × every persona, generated from the URL resolver.

The doors are read from ``config.urls`` at collection time: the admin, the API (router
and extra views), the exports and the pages. A new URL pattern is in the matrix the
moment it is added; if this module cannot fill its path arguments, it fails with a
message saying what to add (``FILLERS`` or ``MODEL_OF`` below). Only the public
doors in ``PUBLIC`` are exempt from sign-in.

For every door and persona (coordinator, liaison of area A, liaison of area B, viewer,
a read-only API token, anonymous):

- nothing answers 5xx;
- anonymous visitors, and API tokens outside the API, are sent to sign in (or get
  401/403), never a page;
- a door with an object in its path is asked with a row of area A, of area B and a
  row that does not exist: a row outside the persona's scope answers exactly as the
  missing one (status and redirect), a row inside it does not;
- nothing liaison A receives names what lives only in area B (an intervention, an
  escalation, its area), in HTML, JSON, or inside a zipped export.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from accounts import roles
from accounts.models import ApiToken
from areas.models import Area, AreaDocument
from programme.models import ReportingPeriod
from reporting.models import ExportJob
from tests import factories
from tests.conftest import make_user
from tests.doors import CATEGORY, reference_row, row_in

PERSONAS = ["coordinator", "liaison_a", "liaison_b", "viewer", "token", "anonymous"]
MISSING = 999_999

# Doors anyone may open without signing in: sign-in, sign-out, password reset, the
# language switch, and the API's schema and docs.
PUBLIC = {
    "set_language",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "admin:login",
    "admin:logout",
    "schema",
    "api-docs",
}

# Path arguments that are not the door's object: name -> value (or a function of the
# door's model). Add a line here for a new kind of argument.
FILLERS = {
    "format": lambda model: "json",
    "step": lambda model: "close" if model is ReportingPeriod else "submit",
    "fmt": lambda model: "csv",  # the export formats share one code path; CSV is cheap
    "app_label": lambda model: "areas",
    "url": lambda model: "areas/not-a-page/",
    "content_type_id": lambda model: ContentType.objects.get_for_model(model).pk,
    "uidb64": lambda model: "MQ",
    "token": lambda model: "set-password",
    "job_id": lambda model: MISSING,  # an import job: its own scope is tested apart
}
# Argument names that carry the door's object (its primary key).
OBJECT_ARGUMENTS = {"pk", "object_id", "id"}
# The model of a door whose view does not say it itself (function views, pages).
MODEL_OF = {
    "admin:view_on_site": Area,
    "pages:area": Area,
    "pages:area-document": AreaDocument,
    "pages:export-job": ExportJob,
    "pages:export-job-download": ExportJob,
    "pages:export-job-retry": ExportJob,
}
# Doors that only say whether a row exists (view-on-site redirects to a row's page, or
# 404 when its model has none): checked for out-of-scope == missing only.
EXISTENCE_ONLY = {
    "admin:view_on_site",
    # An import job's page under a report: the matrix names no job (FILLERS), so every
    # answer is "not found"; a job's own scope is tested in tests/imports/test_import_jobs.py.
    "admin:reporting_areareport_import_job",
}
# Which rows each persona asks for: the rows a persona sees everywhere need no second.
HOMES = {
    "coordinator": ("a",),
    "viewer": ("a",),
    "token": ("a",),
    "liaison_a": ("a", "b"),
    "liaison_b": ("a",),
    "anonymous": ("a",),
}
# Format-suffix twins (/interventions/1.json) run the same view: asked by the personas
# that probe scope, not by every persona again.
SUFFIX_PERSONAS = ("liaison_a", "anonymous")
# Query parameters a door needs to do its work (a door without them answers 400).
QUERY = {
    "reportingperiod-export": lambda world: {"filetype": "csv"},
    "quarterly-report": lambda world: {"quarter": world.period.label, "download": "csv"},
}
SUPERUSER_ONLY_APPS = {"auth", "axes", "otp_totp"}


@dataclass
class Door:
    route: str
    name: str | None
    callback: object
    pieces: list = field(repr=False)

    @property
    def id(self):
        return self.name or self.route

    @property
    def short_name(self):
        return (self.name or "").split(":")[-1]

    @property
    def kind(self):
        if self.id in PUBLIC or self.name in {f"admin:{n}" for n in ("login", "logout")}:
            return "public"
        if self.route.startswith("admin/"):
            return "admin"
        if self.route.startswith("api/"):
            return "api"
        return "page"

    def arguments(self):
        """The path arguments in order: (name or position, kind)."""
        found = []
        for piece in self.pieces:
            if isinstance(piece, RoutePattern):
                found += re.findall(r"<(?:\w+:)?(\w+)>", str(piece))
            elif isinstance(piece, RegexPattern):
                for position, group in enumerate(_groups(str(piece))):
                    found.append(group[0] or f"#{position}")
        return found


def _groups(regex):
    """The capturing groups of a regex as (name or '', start, end) spans."""
    groups, stack, i = [], [], 0
    while i < len(regex):
        char = regex[i]
        if char == "\\":
            i += 2
            continue
        if char == "(":
            stack.append(i)
        elif char == ")":
            start = stack.pop()
            if not stack:
                head = regex[start : start + 4]
                if head.startswith("(?P<"):
                    name = regex[start + 4 : regex.index(">", start)]
                    groups.append((name, start, i + 1))
                elif not head.startswith("(?"):
                    groups.append(("", start, i + 1))
        i += 1
    return groups


def _fill_regex(regex, values):
    out, last = [], 0
    for position, (name, start, end) in enumerate(_groups(regex)):
        out.append(regex[last:start])
        out.append(str(values[name or f"#{position}"]))
        last = end
    out.append(regex[last:])
    text = "".join(out).lstrip("^").rstrip("$")
    return text.replace("/?", "").replace("\\.", ".")


def _fill_route(route, values):
    def value(match):
        text = str(values[match.group(2)])
        # DRF's format-suffix converter wants the dot as well: "<drf_format_suffix:format>"
        return "." + text if match.group(1) == "drf_format_suffix:" else text

    return re.sub(r"<(\w+:)?(\w+)>", value, route)


def walk(patterns=None, pieces=(), namespace=None):
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                # The admin site's instance namespace is its app name's alias.
                space = "admin" if pattern.app_name == "admin" else pattern.namespace
                inner = f"{namespace}:{space}" if namespace else space
            yield from walk(pattern.url_patterns, (*pieces, pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            route = "".join(str(p.pattern if hasattr(p, "pattern") else p) for p in pieces)
            yield Door(
                route + str(pattern.pattern), name, pattern.callback, [*pieces, pattern.pattern]
            )


DOORS = list(walk())


def model_of(door):
    """The model whose row the door's object argument names, or None if it cannot tell."""
    if door.id in MODEL_OF:
        return MODEL_OF[door.id]
    viewset = getattr(door.callback, "cls", None)
    queryset = getattr(viewset, "queryset", None)
    if queryset is not None:
        return queryset.model
    if door.kind == "admin":
        for model in admin.site._registry:
            if door.route.startswith(f"admin/{model._meta.app_label}/{model._meta.model_name}/"):
                return model
    view_class = getattr(door.callback, "view_class", None)
    model = getattr(view_class, "model", None)
    if model is None and getattr(view_class, "queryset", None) is not None:
        model = view_class.queryset.model
    return model


def unfillable(door):
    """Why this door's path cannot be filled, or None."""
    model = model_of(door)
    for argument in door.arguments():
        is_object = argument in OBJECT_ARGUMENTS or argument == "#0"
        if is_object and model is None:
            return f"cannot tell which model '{argument}' of {door.id} names: add it to MODEL_OF"
        if argument == "#1" and not door.short_name.endswith("simple_history"):
            return f"no value for the second argument of {door.id}: add it to FILLERS"
        if not is_object and argument != "#1" and argument not in FILLERS:
            return f"no value for '{argument}' of {door.id}: add it to FILLERS"
    return None


def has_object(door):
    return any(a in OBJECT_ARGUMENTS or a == "#0" for a in door.arguments())


def path_of(door, row=None, *, missing=False):
    model = model_of(door)
    values = {}
    for argument in door.arguments():
        if argument in OBJECT_ARGUMENTS or argument == "#0":
            values[argument] = MISSING if missing else row.pk
        elif argument == "#1":  # a history version: the row's latest
            values[argument] = MISSING if missing else row.history.first().history_id
        else:
            values[argument] = FILLERS[argument](model)
    path = "/"
    for piece in door.pieces:
        if isinstance(piece, RegexPattern):
            path += _fill_regex(str(piece), values)
        else:
            path += _fill_route(str(piece), values)
    return path


# ---------------------------------------------------------------------------
# Who sees what


def category_of(model):
    if model._meta.app_label in SUPERUSER_ONLY_APPS or model in (Group, TOTPDevice):
        return "superuser"
    return CATEGORY[model]


def sees(persona, category, home, door):
    """Whether ``persona`` may see a row of ``category`` in area ``home`` through ``door``."""
    if persona == "anonymous" or (persona == "token" and door.kind != "api"):
        return False
    if category == "superuser":
        return False
    if category == "users":
        return persona == "coordinator"
    if category == "own":
        return False  # the matrix's rows are someone else's: nobody else sees them
    if category in ("reference", "shared"):
        return True
    if persona.startswith("liaison"):
        return category == "area" and persona == f"liaison_{home}"
    return True  # coordinator, viewer, token: every area and Regio Deal


def rows_of(model, world):
    """A row of ``model`` for area A and one for area B (for area-less models: two rows)."""
    if model is ReportingPeriod:
        return {"a": world.period, "b": factories.ReportingPeriodFactory()}
    if model is Group:
        return {home: Group.objects.get(name=roles.COORDINATOR) for home in "ab"}
    if model._meta.app_label == "axes":  # sign-in attempts and lockouts
        extra = {"get_data": "", "post_data": "", "failures_since_start": 1}
        fields = {f.name for f in model._meta.concrete_fields}
        return {
            home: model.objects.create(
                user_agent="pytest",
                ip_address="127.0.0.1",
                username=f"poging-{home}@example.org",
                http_accept="*/*",
                path_info="/admin/login/",
                attempt_time=timezone.now(),
                **{k: v for k, v in extra.items() if k in fields},
            )
            for home in "ab"
        }
    if model is TOTPDevice:
        return {
            home: TOTPDevice.objects.create(user=factories.UserFactory(), name=f"tel {home}")
            for home in "ab"
        }
    category = CATEGORY.get(model)
    if category is None:
        pytest.fail(f"{model.__name__} has no place in tests/doors.py CATEGORY")
    if category in ("reference", "users", "own"):
        return {home: reference_row(model) for home in "ab"}
    return {"a": row_in(model, world.area_a), "b": row_in(model, world.area_b)}


# ---------------------------------------------------------------------------
# The world: two areas, each with work, a report, an escalation; B's is secret to A.

SECRETS_OF_B = ["Geheim project B", "Knelpunt van B", "Gebied B"]


@dataclass
class World:
    area_a: Area
    area_b: Area
    period: ReportingPeriod
    users: dict


@pytest.fixture
def world(personas, area_a, area_b, track):
    period = factories.ReportingPeriodFactory(programme=track.programme)
    measure = factories.ContextMeasureFactory(code="lbm")
    for area, title, escalation in (
        (area_a, "Buurtcoaches A", "Knelpunt van A"),
        (area_b, "Geheim project B", "Knelpunt van B"),
    ):
        intervention = factories.InterventionFactory(area=area, title=title)
        report = factories.AreaReportFactory(area=area, period=period)
        factories.ProgressUpdateFactory(report=report, intervention=intervention)
        factories.EscalationFactory(report=report, title=escalation)
        factories.KnowledgeItemFactory(
            title=f"Les over {title}", areas=[area], interventions=[intervention]
        )
        factories.ContextValueFactory(area=area, measure=measure, year=2024)
        factories.AreaGoalFactory(area=area, measure=measure)
    return World(area_a, area_b, period, personas)


def client_for(persona, world):
    client = APIClient(raise_request_exception=False)
    if persona == "token":
        analyst = make_user("analist@example.org", roles.VIEWER)
        _token, key = ApiToken.objects.create(user=analyst, name="Power BI")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    elif world.users[persona] is not None:
        client.force_login(world.users[persona])
    return client


def body_text(response):
    """What the response says, zipped exports (CSV, XLSX) unpacked."""
    content = (
        b"".join(response.streaming_content)
        if getattr(response, "streaming", False)
        else response.content
    )
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            content = b"\n".join(archive.read(name) for name in archive.namelist())
    return content.decode("utf-8", errors="replace")


def signature(response, row=None):
    """Status and redirect target; a redirect that only repeats the asked id (the admin's
    /<id>/ -> /<id>/change/) is compared with the id taken out."""
    location = response.get("Location")
    if location:
        for pk in {str(MISSING), str(getattr(row, "pk", MISSING))}:
            location = location.replace(f"/{pk}/", "/<id>/")
    return response.status_code, location


def is_not_found(response):
    return response.status_code == 404 or (
        response.status_code == 302 and response.get("Location") == "/admin/"
    )


def sent_to_sign_in(response):
    if response.status_code in (401, 403):
        return True
    return response.status_code == 302 and "login" in response.get("Location", "")


# ---------------------------------------------------------------------------
# The tests


def test_every_door_can_be_filled():
    problems = [problem for door in DOORS if (problem := unfillable(door))]
    assert problems == [], "\n".join(problems)


def test_the_matrix_covers_every_kind_of_door():
    kinds = {door.kind for door in DOORS}
    assert {"admin", "api", "public"} <= kinds
    names = {door.id for door in DOORS}
    assert {"reportingperiod-export", "admin:programme_reportingperiod_export"} <= names


def test_every_object_model_has_a_place_in_the_matrix():
    missing = set()
    for door in DOORS:
        model = model_of(door)
        if has_object(door) and model is not None and door.kind != "public":
            if model not in CATEGORY and category_of_safe(model) is None:
                missing.add(model.__name__)
    assert not missing, f"add these models to tests/doors.py CATEGORY: {sorted(missing)}"


def category_of_safe(model):
    try:
        return category_of(model)
    except KeyError:
        return None


@pytest.mark.parametrize("door", DOORS, ids=[door.id + " " + door.route for door in DOORS])
def test_door(door, world):
    problem = unfillable(door)
    if problem:
        pytest.fail(problem)
    model = model_of(door)
    rows = rows_of(model, world) if has_object(door) else {}
    query = QUERY.get(door.short_name, lambda world: {})(world)
    suffix_twin = "format" in door.arguments() and door.short_name != "api-root"
    for persona in SUFFIX_PERSONAS if suffix_twin else PERSONAS:
        client = client_for(persona, world)

        def get(row=None, *, missing=False, client=client):
            path = path_of(door, row, missing=missing)
            assert resolve(path).func == door.callback, path
            return client.get(path, query)

        if not rows:
            answers = {"-": get()}
        else:
            answers = {home: get(rows[home]) for home in HOMES[persona]}
            if persona != "anonymous":
                answers["missing"] = get(missing=True)

        for home, response in answers.items():
            where = (door.id, persona, home, response.status_code)
            assert response.status_code < 500, where
            if door.kind == "public":
                continue
            if persona == "anonymous" or (persona == "token" and door.kind != "api"):
                assert sent_to_sign_in(response), where
                continue
            if persona == "liaison_a" and response.status_code == 200:
                text = body_text(response)
                for secret in SECRETS_OF_B:
                    assert secret not in text, (*where, secret)
            if home not in ("a", "b"):
                continue
            category = category_of(model)
            missing, row = answers["missing"], rows[home]
            if category == "superuser":
                # Technical tables (groups, lockouts, devices) are closed to every persona;
                # Django's own admin may tell "no such row" from "not yours" there.
                assert response.status_code in (302, 403, 404), where
            elif sees(persona, category, home, door):
                if is_not_found(missing) and door.id not in EXISTENCE_ONLY:
                    assert signature(response, row) != signature(missing), where
            else:
                # Exactly the answer for a row that does not exist.
                assert signature(response, row) == signature(missing), where
