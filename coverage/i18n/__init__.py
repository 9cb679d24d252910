"""The one text catalogue: Chinese (default) and English, for the app, the CLI and the exporters.

``t(key, lang)`` returns the string for ``key``; ``lang`` is ``"zh"`` or ``"en"``. A missing key
raises ``KeyError`` (a test checks every key has both languages). The library returns numbers,
enums and codes; text is produced here, at the edges.

The entries live in one module per area (``coverage/i18n/<area>.py``, each a ``MESSAGES`` dict of
``key: (中文, English)``); they are merged into :data:`STRINGS` at import, and a key defined in two
areas is an error. Plan indicator names stay in Chinese in both languages: they are the plan's
own wording, the English gloss is added after.
"""

from __future__ import annotations


from typing import Any

from coverage.i18n import access as _access_catalogue
from coverage.i18n import cli as _cli_catalogue
from coverage.i18n import core as _core_catalogue
from coverage.i18n import imports as _imports_catalogue
from coverage.i18n import imports_facilities as _imports_facilities_catalogue
from coverage.i18n import imports_population as _imports_population_catalogue
from coverage.i18n import imports_tables as _imports_tables_catalogue
from coverage.i18n import imports_towns as _imports_towns_catalogue
from coverage.i18n import review as _review_catalogue
from coverage.i18n import siting as _siting_catalogue
from coverage.i18n import ui as _ui_catalogue
from coverage.i18n import ui_analyses as _ui_analyses_catalogue
from coverage.i18n import workspace as _workspace_catalogue
from coverage.layers import LAYERS, SERVED_GROUPS

#: The catalogue modules merged into :data:`STRINGS` (add an area's module here).
_CATALOGUES = (
    _ui_catalogue, _core_catalogue, _review_catalogue, _siting_catalogue, _workspace_catalogue, _access_catalogue,
    _ui_analyses_catalogue, _imports_catalogue, _imports_tables_catalogue, _imports_facilities_catalogue,
    _imports_population_catalogue, _imports_towns_catalogue, _cli_catalogue,
)


def _merge() -> dict[str, tuple[str, str]]:
    merged: dict[str, tuple[str, str]] = {}
    for module in _CATALOGUES:
        for key, pair in module.MESSAGES.items():
            if key in merged:
                raise RuntimeError(f"i18n key {key!r} is defined twice (second time in {module.__name__})")
            merged[key] = pair
    return merged


__all__ = ["LANGUAGES", "STRINGS", "t", "layer_name", "served_name", "source_name",
           "status_name", "indicator_name", "worded_error", "error_words"]

LANGUAGES: dict[str, str] = {"zh": "中文", "en": "English"}

STRINGS: dict[str, tuple[str, str]] = _merge()

_SOURCES: dict[str, tuple[str, str]] = {
    "real": ("真实", "real"),
    "modelled": ("推算", "modelled"),
    "illustrative": ("示意", "illustrative"),
    "uploaded": ("用户上传", "uploaded"),
    "none": ("无", "none"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    return pair[0] if lang == "zh" else pair[1]


def worded_error(cls: type, code: str, /, **values: Any) -> Exception:
    """A :class:`coverage.errors.CoverageError` subclass ``cls`` worded from the catalogue: the English
    text of ``code`` as its message, ``code`` and ``values`` kept so it can be shown in another language
    (:func:`coverage.cli.error_text`)."""
    return cls(t(code, "en", **values), code, values)


def error_words(exc: BaseException, lang: str = "zh") -> str:
    """What an error says in ``lang``: a failed import's report (``DataImportError.text``), the
    catalogue's wording of a coded :class:`coverage.errors.CoverageError` (its ``code`` and
    ``values``), else its own (English) message."""
    text = getattr(exc, "text", None)
    if callable(text):  # a DataImportError words its whole report
        return str(text(lang))
    code = getattr(exc, "code", None)
    if isinstance(code, str) and code in STRINGS:
        return t(code, lang, **getattr(exc, "values", {}))
    return str(exc)


def t(key: str, lang: str = "zh", **values: Any) -> str:
    """The interface string ``key`` in ``lang``, formatted with ``values``."""
    text = _pick(STRINGS[key], lang)
    return text.format(**values) if values else text


def layer_name(layer_id: str, lang: str = "zh") -> str:
    """Name of a facility layer (registry names in :mod:`coverage.layers`)."""
    layer = LAYERS.get(layer_id)
    if layer is None:
        return layer_id
    return _pick((layer.zh, layer.en), lang)


def served_name(column: str, lang: str = "zh") -> str:
    """Name of a served population group (``pop_total`` / ``pop_60plus`` / ``pop_0_17``)."""
    pair = SERVED_GROUPS.get(column)
    return _pick(pair, lang) if pair else column


def source_name(source: str, lang: str = "zh") -> str:
    """Label of a provenance flag (``real`` / ``modelled`` / ``illustrative`` / ``uploaded``)."""
    base = str(source).split(":", 1)[0]
    pair = _SOURCES.get(base)
    return _pick(pair, lang) if pair else str(source)


def status_name(status: Any, lang: str = "zh", due_year: int | None = None) -> str:
    """Label of a review status (a :class:`coverage.review.Status` or its code, e.g. ``"met"``).

    ``not_yet_due`` with ``due_year`` reads ``未到期（2025年目标）`` / ``not yet due (2025 target)``.
    """
    code = str(getattr(status, "value", status))
    if code == "not_yet_due" and due_year is not None:
        return t("review.status.not_yet_due_year", lang, year=int(due_year))
    return t(f"review.status.{code}", lang)


def indicator_name(name_zh: str, name_en: str | None = None, lang: str = "zh") -> str:
    """A plan indicator's name: the plan's Chinese wording, or its English name in English mode
    (the Chinese wording where no English name is given)."""
    if lang == "zh" or not name_en:
        return name_zh
    return name_en
