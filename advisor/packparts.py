"""The parts of a rule pack: its validation context, and the claims, documents, options and
dimensions it declares, as pydantic models.

:mod:`advisor.rulepack_model` builds the pack's model from them; they live here so that each module
keeps to one job.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainValidator,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from . import yamlfile
from .packrecords import Localized
from .translation import LANGUAGES
from .validation import Loc, fail, raise_all, shown, suggest
from .workload import field_specs

if TYPE_CHECKING:
    import re

# A pack that declares no dimensions has those of the requirement fields, titled by id.
DEFAULT_DIMENSIONS: tuple[str, ...] = tuple(dict.fromkeys(spec.dimension for spec in field_specs()))


# --- validation -------------------------------------------------------------------------

class _Known:
    """The validation context of a pack: the names it declares (with its base pack's), as
    they are met, so that rules and next steps can cite them."""

    def __init__(self, doc: yamlfile.Document, base: Any) -> None:  # base: a RulePack or None (not imported: no cycle)
        self.doc = doc
        self.documents: set[str] = set(base.documents) if base else set()
        self.claims: set[str] = set(base.claims) if base else set()
        self.options: set[str] = set(base.options) if base else set()
        self.base_dimensions: list[str] = list(base.dimensions) if base else []
        self.dimensions: list[str] = self.base_dimensions or list(DEFAULT_DIMENSIONS)
        self.rule_lines: dict[str, int | None] = {}
        self.seen: set[str] = set()


def _known(info: ValidationInfo) -> _Known:
    assert isinstance(info.context, _Known), "a pack is validated through rulepack_model.validated"
    return info.context


def _text(value: Any, info: ValidationInfo) -> str:
    if not isinstance(value, str) or not value.strip():
        raise fail(f"'{info.field_name}' must be a non-empty string")
    return value.strip()


def _id_of(kind: str, pattern: re.Pattern[str]) -> Any:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise fail(f"{kind} id {shown(value)} must be a string (quote it)")
        if not pattern.match(value):
            raise fail(f"{kind} id '{shown(value)}' must be lower-case letters, digits, '-' or '_'")
        return value

    return PlainValidator(check)


def _claim_id(value: Any) -> str:
    if not isinstance(value, str):
        raise fail(f"claim id {shown(value)} must be a string (quote it)")
    return value


def _cite(value: Any, known: set[str], errors: list[tuple[Loc, str]], required: bool = True) -> tuple[str, ...]:
    """The claim ids of a ``sources`` list; what is wrong with it goes to ``errors``."""
    if not isinstance(value, (list, tuple)) or (required and not value):
        errors.append(((), "'sources' must list at least one claim id"))
        return ()
    for i, cid in enumerate(value):
        if not isinstance(cid, str):
            errors.append(((i,), f"a claim id is a string, got {yamlfile.describe(cid)}"))
        elif cid not in known:
            errors.append(((i,), f"unknown claim id '{shown(cid)}'{suggest(cid, known)}"))
    return tuple(value)


def _sources(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    errors: list[tuple[Loc, str]] = []
    cited = _cite(value, _known(info).claims, errors)
    raise_all(errors, value)
    return cited


def _texts(value: Any, what: str, keys: tuple[str, ...], errors: list[tuple[Loc, str]]) -> dict[str, str]:
    """The text entries of a small mapping of plain data (a source, a next step); what is
    wrong with it goes to ``errors``. Keys ending in '!' are required."""
    if not isinstance(value, dict):
        raise fail(f"{what} must be a mapping, got {yamlfile.describe(value)}")
    names = [k.rstrip("!") for k in keys]
    errors += [((k,), f"unknown key '{shown(k)}'{suggest(k, names)}") for k in value if k not in names]
    errors += [((), f"'{k[:-1]}' is missing") for k in keys if k.endswith("!") and k[:-1] not in value]
    texts = {}
    for key in names:
        if key in value and key != "sources":
            text = value[key]
            if isinstance(text, str) and text.strip():
                texts[key] = text.strip()
            else:
                errors.append(((key,), f"'{key}' must be a non-empty string"))
    return texts


Text = Annotated[str, PlainValidator(_text)]

# The languages a pack's texts may be written in; English is the one they must have.


def localized(value: Any, name: str) -> Localized:
    """A text as a pack writes it: a non-empty string, or a mapping of languages to them."""
    if isinstance(value, str) and value.strip():
        return Localized(value.strip())
    if not isinstance(value, dict):
        raise fail(f"'{name}' must be a non-empty string, or a mapping of languages (en, ru) to them")
    unknown = [k for k in value if k not in LANGUAGES]
    if unknown:
        raise fail(f"'{name}' has an unknown language '{shown(unknown[0])}'; a text is written in en or ru")
    if "en" not in value:
        raise fail(f"'{name}' has no 'en' text; English is the language every text is written in")
    bad = [k for k, v in value.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        raise fail(f"'{name}' in '{bad[0]}' must be a non-empty string")
    return Localized(value["en"].strip(), {k: v.strip() for k, v in value.items() if k != "en"})


def _localized_text(value: Any, info: ValidationInfo) -> Localized:
    return localized(value, str(info.field_name))


LocalText = Annotated[str, PlainValidator(_localized_text)]


_FROZEN = ConfigDict(frozen=True, extra="forbid", defer_build=True)


def _step(value: Any, info: ValidationInfo) -> dict[str, Any]:
    errors: list[tuple[Loc, str]] = []
    plain = {k: v for k, v in value.items() if k != "text"} if isinstance(value, dict) else value
    step: dict[str, Any] = _texts(plain, "a next step", ("text", "command", "sources"), errors)
    if "text" not in value:
        errors.append(((), "'text' is missing"))
    else:
        try:
            step = {"text": localized(value["text"], "text"), **step}
        except PydanticCustomError as exc:
            errors.append((("text",), exc.message()))
    cite: list[tuple[Loc, str]] = []
    step["sources"] = list(_cite(value.get("sources", []), _known(info).claims, cite, required=False))
    raise_all(errors + [(("sources", *loc), message) for loc, message in cite], value)
    return step


def _source(value: Any) -> dict[str, str]:
    errors: list[tuple[Loc, str]] = []
    source = _texts(value, "'source'", ("title", "document"), errors)
    raise_all(errors, value)
    return source


def _document(value: Any, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    known = _known(info).documents
    if not isinstance(value, str) or value not in known:
        raise fail(f"unknown document '{shown(value)}'{suggest(value, known)}; declare it under 'documents'")
    return value


def _year(value: Any) -> int:
    if type(value) is not int or not 1000 <= value <= 9999:
        raise fail(f"a year is a number such as 2017, got {shown(value)}")
    return value


class DocumentModel(BaseModel):
    """A source document the claims are drawn from: its title, publisher, year and address.

    ``file`` names a copy shipped beside the pack (relative to the pack's folder).
    """

    model_config = _FROZEN
    title: Text
    publisher: Text | None = None
    year: Annotated[int, PlainValidator(_year)] | None = None
    url: Text | None = None
    file: Text | None = None


class ClaimModel(BaseModel):
    """A claim of a source document: the document and its section, the original words, a paraphrase."""

    model_config = _FROZEN
    document: Annotated[str | None, PlainValidator(_document)] = None
    section: Text
    quote: Text
    text: Text


class OptionModel(BaseModel):
    """A platform a pack can recommend."""

    model_config = _FROZEN
    title: LocalText
    summary: LocalText
    next_steps: tuple[Annotated[dict[str, Any], PlainValidator(_step)], ...] = ()

    @field_validator("next_steps", mode="before")
    @classmethod
    def _steps(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise fail("'next_steps' must be a list of steps")
        return value


class DimensionModel(BaseModel):
    """A section of the source document that rules (and requirement fields) belong to.

    Written as a mapping (``{title: ..., order: 2}``) or as its title alone.
    """

    model_config = _FROZEN
    title: LocalText
    order: int | None = None  # by default, its place in the pack

    @model_validator(mode="before")
    @classmethod
    def _title_alone(cls, value: Any) -> Any:
        if isinstance(value, str) or (isinstance(value, dict) and "en" in value and "title" not in value):
            return {"title": value}
        return value


