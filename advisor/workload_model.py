"""The workload's pydantic model, built from the records of :mod:`advisor.workload_fields`: it
judges a file that is not plainly valid (each problem with its file, line and field) and
gives the JSON Schema of the workload file.

A file that is plainly valid never comes here, so an ordinary start loads no pydantic model.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, fields
from typing import Annotated, Any, get_type_hints

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool, StrictStr, ValidationError, create_model

from . import yamlfile
from .errors import InputError
from .validation import Wording, first_error
from .workload_fields import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH, Requirements, Workload, allowed_values

_CONFIG = ConfigDict(extra="forbid", frozen=True)
_WORDING = Wording(noun="field", path_names_key=True)
_LIMITS = {
    "name": {"min_length": 1, "max_length": NAME_MAX_LENGTH},
    "description": {"max_length": DESCRIPTION_MAX_LENGTH},
}


def _strict(annotation: Any) -> Any:
    """The annotation with pydantic's strict types for bool and str, as a file's values must be."""
    if annotation == bool | None:
        return StrictBool | None
    if annotation == str | None:
        return StrictStr | None
    return StrictStr if annotation is str else annotation


def _requirements_model() -> type[BaseModel]:
    hints = get_type_hints(Requirements)
    return create_model(  # type: ignore[call-overload,no-any-return]
        "Requirements",
        __config__=_CONFIG,
        __doc__=Requirements.__doc__,
        **{f.name: (_strict(hints[f.name]), Field(default=None, **f.metadata)) for f in fields(Requirements)},
    )


def _workload_model(requirements: type[BaseModel]) -> type[BaseModel]:
    hints = get_type_hints(Workload) | {"requirements": requirements}
    return create_model(  # type: ignore[call-overload,no-any-return]
        "Workload",
        __config__=_CONFIG,
        __doc__=Workload.__doc__,
        **{f.name: (_strict(hints[f.name]), _field(f, requirements)) for f in fields(Workload)},
    )


def _field(spec: Any, requirements: type[BaseModel]) -> Any:
    """A workload field's pydantic field: its default (an empty requirements model), limits and wording."""
    default: dict[str, Any] = {} if spec.default is MISSING else {"default": spec.default}
    if spec.name == "requirements":  # empty requirements, as the model's, not the record's
        default = {"default_factory": requirements}
    return Field(**default, **_LIMITS.get(spec.name, {}), **spec.metadata)


RequirementsModel = _requirements_model()
WorkloadModel = _workload_model(RequirementsModel)


def requirements_record(model: BaseModel) -> Requirements:
    """The record of validated requirements."""
    return Requirements(**dict(model))


# A field of another model that holds requirements: validated by the model, kept as the record.
RequirementsField = Annotated[RequirementsModel, AfterValidator(requirements_record)]


def validated(doc: yamlfile.Document) -> Workload:
    """The workload of a parsed document, or :class:`InputError` naming the first problem
    (with its line and field) and how many more there are."""
    try:
        found = WorkloadModel.model_validate(doc.data)
    except ValidationError as exc:
        raise first_error(exc, doc, WorkloadModel, _WORDING, InputError) from None
    return Workload(
        name=found.name,
        description=found.description,
        declared=found.declared,
        requirements=requirements_record(found.requirements),
    )


def workload_schema(options: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The JSON Schema of the workload file; with ``options`` (id: title), ``declared`` must
    name one of them, as the loader requires with a rule pack.

    Values are described with the keywords editors show: ``oneOf`` entries of ``const``
    and ``description`` (yaml-language-server, JSON Schema tools) and
    ``markdownEnumDescriptions`` beside ``enum`` (VS Code).
    """
    schema = WorkloadModel.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "https://advisor.invalid/schemas/workload.json"
    properties = schema["$defs"]["Requirements"]["properties"]
    for name, prop in properties.items():
        choices = prop.pop("choices", None)
        if choices is None:
            choices = {True: "yes", False: "no"}
        properties[name] = _described(prop, {value: choices[value] for value in allowed_values(name)})
    if options is not None:
        schema["properties"]["declared"] = _described(schema["properties"]["declared"], dict(options))
    return schema


def _described(prop: dict[str, Any], values: dict[Any, str]) -> dict[str, Any]:
    """An optional field's schema as its values, each with its description, or null."""
    kept = {k: v for k, v in prop.items() if k not in ("anyOf", "type", "enum")}
    return {
        **kept,
        "oneOf": [{"const": value, "description": text} for value, text in values.items()]
        + [{"type": "null", "description": "not stated"}],
        "enum": [*values, None],
        "markdownEnumDescriptions": [*values.values(), "not stated"],
    }
