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
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.fields import SkipField
from rest_framework.relations import MANY_RELATION_KWARGS, PKOnlyObject
from rest_framework.response import Response

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
# Better still, a page's to-many relations whose rows are plain columns are read with
# ``values()`` and kept as their finished representation under REPRESENTED + relation
# (see ``represent_relations``): no model instance is built for them at all.
REPRESENTED = "represented_"


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
        return _or_represented(
            field, lambda instance: [nested(row) for row in _all(rows(instance))]
        )
    if isinstance(field, serializers.ManyRelatedField) and _plain_pk(field.child_relation):
        rows = field.get_attribute
        return _or_represented(field, lambda instance: [row.pk for row in _all(rows(instance))])
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


def _or_represented(field, read):
    """``read``, unless the list view left the relation's representation on the row."""
    key = REPRESENTED + field.source

    def read_represented(instance):
        done = instance.__dict__.get(key)
        return done if done is not None else read(instance)

    return read_represented


def column_plan(serializer):
    """(field name, ``values()`` path, conversion) per field of ``serializer``, when every
    field is a column of its model or of a model it links to; otherwise None."""
    model = serializer.Meta.model
    plan = []
    for field in serializer._readable_fields:
        if _plain_pk(field) and len(field.source_attrs) == 1:
            attname = model._meta.get_field(field.source_attrs[0]).attname
            plan.append((field.field_name, attname, None))
        elif type(field) in COLUMN_FIELDS and _is_column(model, field.source_attrs):
            plan.append((field.field_name, "__".join(field.source_attrs), field.to_representation))
        else:
            return None
    return plan


def _is_column(model, attrs):
    """Whether ``attrs`` (e.g. ["indicator", "name"]) lead along links to one column."""
    for attr in attrs[:-1]:
        link = _field(model, attr)
        if link is None or not (link.many_to_one or link.one_to_one) or not link.concrete:
            return False
        model = link.related_model
    column = _field(model, attrs[-1]) if attrs else None
    return column is not None and column.concrete and not column.is_relation


def _field(model, name):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def read_by_values(serializer, name):
    """Whether a list can represent relation ``name`` of ``serializer``'s rows from columns
    alone: a to-many link shown by ids, or nested rows whose fields are all columns."""
    field, relation = serializer.fields[name], serializer.Meta.model._meta.get_field(name)
    if relation.many_to_many and relation.concrete:
        return isinstance(field, serializers.ManyRelatedField) and _plain_pk(field.child_relation)
    return (
        relation.one_to_many
        and isinstance(field, ListedListSerializer)
        and column_plan(field.child) is not None
    )


def represent_relations(rows, relations, serializer):
    """Leave on each of ``rows`` (one page's model instances) the representation of each
    relation in ``relations`` (name -> queryset of the related rows, each one that
    ``read_by_values`` allows): one query per relation, as a prefetch makes, but of
    values, so no related model instance is built."""
    by_pk = {row.pk: row for row in rows}
    for name, queryset in relations.items():
        relation = serializer.Meta.model._meta.get_field(name)
        found = {pk: [] for pk in by_pk}
        if relation.many_to_many:
            back = relation.related_query_name()
            for owner, pk in queryset.filter(**{f"{back}__in": by_pk}).values_list(back, "pk"):
                found[owner].append(pk)
        else:
            plan = column_plan(serializer.fields[name].child)
            back = relation.field.attname
            paths = dict.fromkeys([back, *(path for _name, path, _convert in plan)])
            for values in queryset.filter(**{f"{back}__in": by_pk}).values(*paths):
                found[values[back]].append(_converted(values, plan))
        for pk, represented in found.items():
            by_pk[pk].__dict__[REPRESENTED + name] = represented


def _converted(values, plan):
    row = {}
    for name, path, convert in plan:
        value = values[path]
        row[name] = value if value is None or convert is None else convert(value)
    return row


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


_BY_VALUES = {}  # (view class, serializer class) -> relations a list reads as values


class ScopedViewSet(viewsets.GenericViewSet):
    """Lists and details within the user's scope; a row outside it is a 404."""

    # Filters that cross a many-to-many link and so would repeat rows.
    distinct_filters = ()
    # For lists: relation -> queryset of the related rows, prefetched into plain lists
    # (see LISTED) instead of the queryset's own prefetch_related.
    list_prefetch = {}
    # For lists: the only relations the rows' representation reads (None: as queryset).
    list_select_related = None

    def get_queryset(self):
        queryset = super().get_queryset().for_user(self.request.user)
        if self.list_select_related is not None and getattr(self, "action", None) == "list":
            queryset = queryset.select_related(None).select_related(*self.list_select_related)
        if self.list_prefetch and getattr(self, "action", None) == "list":
            by_values = self.list_by_values()
            queryset = queryset.prefetch_related(None).prefetch_related(
                *(
                    Prefetch(name, queryset=rows, to_attr=LISTED + name)
                    for name, rows in self.list_prefetch.items()
                    if name not in by_values
                )
            )
        return queryset

    def list_by_values(self):
        """The relations of ``list_prefetch`` a list reads as values (``read_by_values``);
        worked out once per view and serializer class."""
        key = (type(self), self.get_serializer_class())
        if key not in _BY_VALUES:
            serializer = self.get_serializer()
            _BY_VALUES[key] = {
                name for name in self.list_prefetch if read_by_values(serializer, name)
            }
        return _BY_VALUES[key]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if any(name in self.request.query_params for name in self.distinct_filters):
            queryset = queryset.distinct()
        return queryset


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    def list(self, request, *args, **kwargs):
        # ListModelMixin's list, with the relations ``list_by_values`` allows read as values.
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(queryset) if page is None else page
        serializer = self.get_serializer(rows, many=True)
        by_values = self.list_by_values()
        if by_values and rows:
            represent_relations(
                rows,
                {name: self.list_prefetch[name] for name in by_values},
                serializer.child,
            )
        if page is None:
            return Response(serializer.data)
        return self.get_paginated_response(serializer.data)

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
