"""Build the POST data an admin change form would send, from the page's own forms."""


def _field_value(form, name):
    field = form.fields[name]
    value = form.initial.get(name, field.initial)
    if callable(value):
        value = value()
    value = field.prepare_value(value) if value is not None else value
    if isinstance(value, (list, tuple)):
        return [str(getattr(v, "pk", v)) for v in value]
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    return str(getattr(value, "pk", value))


def _form_data(form):
    data = {}
    for name in form.fields:
        value = _field_value(form, name)
        if value != "":
            data[form.add_prefix(name)] = value
    return data


def admin_form_data(response, **changes):
    """The data of the change form in ``response`` with ``changes`` applied."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.initial_forms:
            data.update(_form_data(form))
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}
