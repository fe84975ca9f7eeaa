"""What every API resource shares: scoping, model rules on writes, ETags, errors.

Access is decided by accounts/access.py through the registered policy (see
core/scoping.py); this module only asks it.
"""

import copy
import hashlib
import json
from operator import attrgetter

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.fields import SkipField
from rest_framework.relations import MANY_RELATION_KWARGS, PKOnlyObject
from rest_framework.response import Response
from rest_framework.settings import api_settings

from core.scoping import policy

from .errors import CONFLICT_CODES, Conflict, PreconditionFailed, PreconditionRequired


class ScopedFieldsMixin:
    """Related fields offer, and accept, only rows the requesting user may see: a key
    into someone else's area is answered as if that row did not exist."""

    def get_fields(self):
        fields = super().get_fields()
        request = self.context.get("request")
        if request is None:
            return fields
        for field in fields.values():
            related = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            if queryset is not None and hasattr(queryset, "for_user"):
                related.queryset = queryset.for_user(request.user)
        return fields


# A model serializer that applies the model's own rules (full_clean) and the access
# policy to what a write would save, so the API obeys what the admin obeys. (A comment,
# not a docstring: the schema would show it on every resource.)
class RegisterSerializer(ScopedFieldsMixin, serializers.ModelSerializer):
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # Lists of every resource are represented by ListedListSerializer.
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "list_serializer_class"):
            meta.list_serializer_class = ListedListSerializer

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        for name in policy().coordinator_only_fields(self.context["request"].user, model):
            attrs.pop(name, None)  # readable, but set only by coordinators
        many_to_many = {f.name for f in model._meta.many_to_many}
        candidate = copy.copy(self.instance) if self.instance is not None else model()
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        try:
            candidate.full_clean(exclude=list(many_to_many))
        except DjangoValidationError as error:
            for problem in error.error_dict.get("__all__", []):
                if problem.code in CONFLICT_CODES:  # a closed quarter: 409, not 400
                    raise Conflict(detail=problem.messages[0], code=problem.code) from error
                # Saved by someone else between the If-Match check and this one: 412.
                if problem.code == "concurrent_edit":
                    raise PreconditionFailed() from error
            raise serializers.ValidationError(
                {
                    ("non_field_errors" if field == "__all__" else field): messages
                    for field, messages in error.message_dict.items()
                }
            ) from error
        user = self.context["request"].user
        action = "change" if self.instance is not None else "add"
        if not policy().can(user, action, candidate):
            raise serializers.ValidationError(
                {"non_field_errors": [_("You cannot save this outside your areas.")]}
            )
        return attrs


# A list view prefetches related rows into plain lists named LISTED + relation
# (``Prefetch(to_attr=...)``): Django then skips building a related manager and a
# queryset per row and relation, most of a 100-row page's Python time. Detail views and
# writes keep the related managers, so what a write changes is read afresh.
LISTED = "listed_"


def listed(instance, name):
    return instance.__dict__.get(LISTED + name)


class ListedManyRelatedField(serializers.ManyRelatedField):
    def get_attribute(self, instance):
        rows = listed(instance, self.source)
        return rows if rows is not None else super().get_attribute(instance)


class ListedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """The ids of a to-many relation, read from a list view's plain list when there is one."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        list_kwargs.update((k, v) for k, v in kwargs.items() if k in MANY_RELATION_KWARGS)
        return ListedManyRelatedField(**list_kwargs)


class ListedListSerializer(serializers.ListSerializer):
    """Rows, nested or a list page's, read from a list view's plain list when there is
    one, and represented exactly as the row's serializer represents them but with each
    field's way of reading and converting worked out once per list instead of once per
    row and field: DRF's generic path (``Field.get_attribute``, ``_readable_fields``,
    an OrderedDict per row) was about half of a 100-row page's Python time."""

    def get_attribute(self, instance):
        rows = listed(instance, self.source)
        return rows if rows is not None else super().get_attribute(instance)

    def to_representation(self, data):
        represent = compiled(self.child)
        return [represent(row) for row in _all(data)]


SKIP = object()  # a field DRF leaves out of this row (SkipField)


def compiled(serializer):
    """A function: instance -> the dict ``serializer.to_representation`` would give."""
    plan = [(field.field_name, _reader(field)) for field in serializer._readable_fields]

    def represent(instance):
        row = {}
        for name, read in plan:
            value = read(instance)
            if value is not SKIP:
                row[name] = value
        return row

    return represent


def _generic(field):
    """DRF's own way, for one field of one row."""

    def read(instance):
        try:
            attribute = field.get_attribute(instance)
        except SkipField:
            return SKIP
        check = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
        return None if check is None else field.to_representation(attribute)

    return read


def _reader(field):
    generic = _generic(field)
    if isinstance(field, ListedListSerializer):
        nested = compiled(field.child)
        rows = field.get_attribute
        return lambda instance: [nested(row) for row in _all(rows(instance))]
    if isinstance(field, serializers.ManyRelatedField) and _plain_pk(field.child_relation):
        rows = field.get_attribute
        return lambda instance: [row.pk for row in _all(rows(instance))]
    if _plain_pk(field) and len(field.source_attrs) == 1:
        model_field = field.parent.Meta.model._meta.get_field(field.source_attrs[0])
        return attrgetter(model_field.attname)
    if type(field) in SIMPLE_FIELDS and field.source != "*":
        attrs = field.source_attrs
        convert = field.to_representation

        def read(instance):
            value = instance
            for attr in attrs:
                value = getattr(value, attr, None)
                if value is None:
                    break
            if value is None:
                return generic(instance)  # a missing link or a null: DRF's own rules
            if callable(value):
                return generic(instance)
            return convert(value)

        return read
    return generic


class ValuesPlan:
    """How to show rows of a serializer from ``values()`` alone, without building a
    model instance: per field, the ``values()`` paths it needs and a function of a row's
    values (and the page, see ``Page``) that gives the field's representation."""

    def __init__(self, model, entries):
        self.entries = entries  # (field name, paths, read)
        self.pk = model._meta.pk.attname  # the key the page's relations are found by
        self.paths = tuple(dict.fromkeys([self.pk, *(p for _n, ps, _r in entries for p in ps)]))

    def represent(self, rows, page):
        entries = self.entries
        return [{name: read(values, page) for name, _paths, read in entries} for values in rows]


class Page:
    """What the rows of one page share: their relations' representations (relation ->
    row pk -> list) and the rows they link to, built once each (link, pk -> instance)."""

    def __init__(self, relations=None):
        self.relations = relations or {}
        self.linked = {}


def values_plan(serializer, relations=()):
    """A ValuesPlan for ``serializer``'s rows when each of its fields is a column of its
    model or of a row it links to, a property of a row it must link to, or one of
    ``relations`` (read as values by ``relation_representations``); otherwise None."""
    model = serializer.Meta.model
    entries = []
    for field in serializer._readable_fields:
        reader = _values_reader(model, field, relations)
        if reader is None:
            return None
        entries.append((field.field_name, *reader))
    return ValuesPlan(model, entries)


def _values_reader(model, field, relations):
    """(``values()`` paths, read) for one field, or None when it needs the instance."""
    if field.field_name in relations:
        name, pk = field.field_name, model._meta.pk.attname
        return (), lambda values, page: page.relations[name][values[pk]]
    if _plain_pk(field) and len(field.source_attrs) == 1:
        attname = model._meta.get_field(field.source_attrs[0]).attname
        return (attname,), lambda values, page: values[attname]
    if type(field) not in COLUMN_FIELDS:
        return None
    attrs, convert = field.source_attrs, field.to_representation
    column = _column(model, attrs)
    if column is not None:
        path = "__".join(attrs)
        if _shown_as_stored(field, column):
            return (path,), lambda values, page: values[path]
        if _decimal_of_its_places(field, column):
            return (path,), lambda values, page: _or_none(_decimal_text, values[path])
        return (path,), lambda values, page: _or_none(convert, values[path])
    if len(attrs) == 2 and _is_required_link(model, attrs[0]):
        return _linked_property(model._meta.get_field(attrs[0]), attrs[1], convert)
    return None


def _or_none(convert, value):
    return None if value is None else convert(value)


def _is_required_link(model, name):
    link = _field(model, name)
    return link is not None and link.many_to_one and link.concrete and not link.null


def _linked_property(link, name, convert):
    """A property of the row ``link`` leads to (a quarter's label, say): the linked row is
    read along in the same query and built once per page. Only for properties that read
    the row's own columns; one that follows a link of its own would query per row."""
    model = link.related_model
    if not isinstance(getattr(model, name, None), property):
        return None
    columns = model._meta.concrete_fields
    paths = tuple(f"{link.name}__{column.name}" for column in columns)
    attnames = [column.attname for column in columns]
    key_path = f"{link.name}__{model._meta.pk.name}"

    def read(values, page):
        key = (link.name, values[key_path])
        row = page.linked.get(key)
        if row is None:
            row = model.from_db(DEFAULT_DB_ALIAS, attnames, [values[p] for p in paths])
            page.linked[key] = row
        return _or_none(convert, getattr(row, name))

    return paths, read


def _column(model, attrs):
    """The model field of the column ``attrs`` (e.g. ["indicator", "name"]) lead to along
    links, or None."""
    for attr in attrs[:-1]:
        link = _field(model, attr)
        if link is None or not (link.many_to_one or link.one_to_one) or not link.concrete:
            return None
        model = link.related_model
    column = _field(model, attrs[-1]) if attrs else None
    return column if column is not None and column.concrete and not column.is_relation else None


# DRF fields whose conversion (str(), int(), a bool test, a choice's own key) gives back
# the very value a column of these model fields holds: a list shows it as it comes.
SHOWN_AS_STORED = {
    serializers.CharField: (models.CharField, models.TextField),
    serializers.IntegerField: (models.IntegerField,),
    serializers.BigIntegerField: (models.IntegerField,),
    serializers.BooleanField: (models.BooleanField,),
}


def _shown_as_stored(field, column):
    if type(field) is serializers.ChoiceField:
        keys_are_text = all(isinstance(key, str) for key in field.choices)
        return keys_are_text and isinstance(column, (models.CharField, models.TextField))
    return isinstance(column, SHOWN_AS_STORED.get(type(field), ()))


def _decimal_of_its_places(field, column):
    """A decimal DRF shows as plain text with the column's own decimal places: the
    database gives each value with exactly those places (a numeric column of that
    scale; Django's SQLite converter quantizes to it), so DRF's quantizing of every
    value again would give the value back unchanged."""
    return (
        type(field) is serializers.DecimalField
        and isinstance(column, models.DecimalField)
        and field.decimal_places == column.decimal_places
        and field.max_digits == column.max_digits
        and getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
        and not field.localize
        and not field.normalize_output
    )


def _decimal_text(value):
    return f"{value:f}"


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def relation_plans(serializer, names):
    """Of the relations ``names`` of ``serializer``'s rows, those a list can show from
    columns alone, each with how: None for a to-many link shown by ids, the nested rows'
    ValuesPlan for nested rows whose fields are all columns."""
    plans = {}
    for name in names:
        field, relation = serializer.fields[name], serializer.Meta.model._meta.get_field(name)
        if relation.many_to_many and relation.concrete:
            if isinstance(field, serializers.ManyRelatedField) and _plain_pk(field.child_relation):
                plans[name] = None
        elif relation.one_to_many and isinstance(field, ListedListSerializer):
            nested = values_plan(field.child)
            if nested is not None:
                plans[name] = nested
    return plans


def relation_representations(model, pks, relations):
    """The representation of each relation of the rows ``pks`` of ``model``, as
    relation -> row pk -> list, from ``relations`` (relation -> (queryset of the related
    rows, plan from ``relation_plans``)): one query per relation, as a prefetch makes,
    but of values, so no related model instance is built."""
    found = {}
    for name, (queryset, plan) in relations.items():
        relation = model._meta.get_field(name)
        rows = found[name] = {pk: [] for pk in pks}
        if plan is None:  # ids of a many-to-many link
            back = relation.related_query_name()
            for owner, pk in queryset.filter(**{f"{back}__in": pks}).values_list(back, "pk"):
                rows[owner].append(pk)
            continue
        back = relation.field.attname
        paths = dict.fromkeys([back, *plan.paths])
        values = list(queryset.filter(**{f"{back}__in": pks}).values(*paths))
        for row, represented in zip(values, plan.represent(values, Page()), strict=True):
            rows[row[back]].append(represented)
    return found


def _plain_pk(field):
    return (
        type(field)
        in (
            serializers.PrimaryKeyRelatedField,
            ListedPrimaryKeyRelatedField,
        )
        and getattr(field, "pk_field", None) is None
    )


def _all(rows):
    return rows.all() if isinstance(rows, models.manager.BaseManager) else rows


SIMPLE_FIELDS = {
    serializers.CharField,
    serializers.ChoiceField,
    serializers.IntegerField,
    serializers.BigIntegerField,
    serializers.BooleanField,
    serializers.DecimalField,
    serializers.DateField,
    serializers.DateTimeField,
    serializers.EmailField,
    serializers.URLField,
    serializers.SlugField,
    serializers.ModelField,
}


# Fields whose representation depends on the value alone (ModelField reads the instance).
COLUMN_FIELDS = SIMPLE_FIELDS - {serializers.ModelField}


def etag_of(data):
    encoded = json.dumps(data, sort_keys=True, cls=DjangoJSONEncoder).encode()
    return '"' + hashlib.sha256(encoded).hexdigest()[:32] + '"'


class ListPlan:
    """How a view's lists show their rows, worked out once per view and serializer class
    from a serializer made without a request: it holds converters of column values only,
    never a user's scope (related fields' querysets are the ones scoped per user)."""

    def __init__(self, view):
        serializer = view.get_serializer_class()()
        relations = {
            name: (view.list_prefetch[name], plan)
            for name, plan in relation_plans(serializer, view.list_prefetch).items()
        }
        # The rows as values, when every field allows (else None: model instances).
        self.rows = values_plan(serializer, relations)
        # relation -> (queryset of the related rows, plan): those read as values, with
        # the rows; the rest of ``list_prefetch`` is prefetched into plain lists.
        self.relations = relations if self.rows is not None else {}


_LIST_PLANS = {}  # (view class, serializer class) -> ListPlan


class ScopedViewSet(viewsets.GenericViewSet):
    """Lists and details within the user's scope; a row outside it is a 404."""

    # Filters that cross a many-to-many link and so would repeat rows.
    distinct_filters = ()
    # For lists: relation -> queryset of the related rows, read as values where the
    # representation allows (see ListPlan), else prefetched into plain lists (LISTED)
    # instead of the queryset's own prefetch_related.
    list_prefetch = {}
    # For lists: the only relations the rows' representation reads (None: as queryset).
    list_select_related = None

    def get_queryset(self):
        queryset = super().get_queryset().for_user(self.request.user)
        if self.list_select_related is not None and getattr(self, "action", None) == "list":
            queryset = queryset.select_related(None).select_related(*self.list_select_related)
        if self.list_prefetch and getattr(self, "action", None) == "list":
            by_values = self.list_plan().relations
            queryset = queryset.prefetch_related(None).prefetch_related(
                *(
                    Prefetch(name, queryset=rows, to_attr=LISTED + name)
                    for name, rows in self.list_prefetch.items()
                    if name not in by_values
                )
            )
        return queryset

    def list_plan(self):
        key = (type(self), self.get_serializer_class())
        if key not in _LIST_PLANS:
            _LIST_PLANS[key] = ListPlan(self)
        return _LIST_PLANS[key]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if any(name in self.request.query_params for name in self.distinct_filters):
            queryset = queryset.distinct()
        return queryset


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    def list(self, request, *args, **kwargs):
        # ListModelMixin's list, with the rows and relations ListPlan allows read as values.
        queryset = self.filter_queryset(self.get_queryset())
        plan = self.list_plan()
        if plan.rows is not None:
            queryset = queryset.prefetch_related(None).values(*plan.rows.paths)
        page = self.paginate_queryset(queryset)
        rows = list(queryset) if page is None else page
        if plan.rows is not None:
            pks = [values[plan.rows.pk] for values in rows]
            relations = relation_representations(queryset.model, pks, plan.relations)
            data = plan.rows.represent(rows, Page(relations))
        else:
            data = self.get_serializer(rows, many=True).data
        if page is None:
            return Response(data)
        return self.get_paginated_response(data)

    def retrieve(self, request, *args, **kwargs):
        response = super().retrieve(request, *args, **kwargs)
        response["ETag"] = etag_of(response.data)
        return response


class WritableViewSet(
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    ReadOnlyViewSet,
):
    """Writes need the record's current ETag in If-Match (428 without, 412 when stale),
    the right to change that row, and pass the model's rules."""

    def get_object_for_write(self):
        if "HTTP_IF_MATCH" not in self.request.META:
            raise PreconditionRequired()
        obj = self.get_object()
        current = etag_of(self.get_serializer(obj).data)
        if self.request.META["HTTP_IF_MATCH"] != current:
            raise PreconditionFailed()
        return obj

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        action = {"PUT": "change", "PATCH": "change", "DELETE": "delete"}.get(request.method)
        if action is None:
            return
        lock = policy().lock_on(request.user, action, obj)
        if lock is not None:  # a closed quarter or a submitted report: 409, with why
            raise Conflict(detail=lock.messages[0], code=lock.code)
        if not policy().can(request.user, action, obj):
            self.permission_denied(request)

    @transaction.atomic
    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object_for_write()
        serializer = self.get_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        response = Response(self.get_serializer(serializer.instance).data)
        response["ETag"] = etag_of(response.data)
        return response

    @transaction.atomic
    def destroy(self, request, *args, **kwargs):
        instance = self.get_object_for_write()
        self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)
