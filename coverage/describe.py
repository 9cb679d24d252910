"""Words for results, at the edges: a standard, how reach was measured, where the inputs come from,
the names of places and how a rate is written.

The library's results carry codes (:class:`coverage.standards.Standard`, ``"network"`` /
``"distance"``, provenance flags) and fractions; the CLI's printers, the exporters and the app turn
them into Chinese or English here, from the one catalogue (:mod:`coverage.i18n`).

Rates are written one way everywhere (:func:`percent`): a percentage with one decimal, always
(``80.9%``, ``25.6%``, ``100.0%``), as the plan writes its measured shares (接送返回率 ``94.2%``,
“比2017年分别提高了 16.7% 和 17.5%”), so a column of figures lines up; a target is written as the
plan states it (``≥55%``, :func:`target_percent`). Tables that keep numbers (CSV, the app's
dataframes) hold percent points rounded the same way (:func:`percent_points`), shown with
:data:`PERCENT_FORMAT`.

Import direction: this module imports :mod:`coverage.standards` (for :class:`Standard` and
``AREA_TYPES``), never the reverse, so :mod:`coverage.standards` has no words of its own for a
table of standards: :func:`standard_text` is the one ``街道: …; 镇: …`` label.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Iterable, Mapping

import numpy as np

from coverage.i18n import STRINGS, layer_name, t
from coverage.standards import AREA_TYPES, Standard

if TYPE_CHECKING:  # pragma: no cover - typing only (coverage.metrics imports the region, which imports this)
    from coverage.metrics import RatioStatus

__all__ = ["standard_text", "method_text", "ratio_status_text", "provenance_text", "provenance_note",
           "town_names", "district_names", "place_name", "percent", "target_percent", "percent_points",
           "PERCENT_DIGITS", "PERCENT_FORMAT", "PERCENT_SPEC", "NO_VALUE"]

#: Decimals of a rate shown to people (always written, ``81.0%``).
PERCENT_DIGITS = 1
#: printf format of a table column holding percent points (Streamlit ``column_config``).
PERCENT_FORMAT = f"%.{PERCENT_DIGITS}f%%"
#: Python format spec of a fraction 0-1 (``format(0.8097, PERCENT_SPEC) == "81.0%"``; map tooltips).
PERCENT_SPEC = f".{PERCENT_DIGITS}%"
#: What stands in a cell for a figure that cannot be given.
NO_VALUE = "—"

_NOTE_STATUSES = ("modelled", "illustrative", "uploaded")


def _missing(value: Any) -> bool:
    try:
        return value is None or not math.isfinite(float(value))
    except (TypeError, ValueError):
        return True


def percent(value: Any, digits: int = PERCENT_DIGITS) -> str:
    """A fraction 0-1 as people read it: ``0.8097`` → ``"81.0%"`` (:data:`NO_VALUE` when undefined).

    The same in Chinese and English; ``digits`` is for axis ticks (``0`` → ``"50%"``), tables keep
    the default.
    """
    if _missing(value):
        return NO_VALUE
    return f"{100.0 * float(value):.{digits}f}%"


def target_percent(value: Any) -> str:
    """A plan target (a fraction) as the plan writes it: ``0.55`` → ``"55%"``, ``0.625`` → ``"62.5%"``."""
    if _missing(value):
        return NO_VALUE
    return f"{round(100.0 * float(value), 6):g}%"


def percent_points(values: Any) -> Any:
    """Fractions as percent points rounded like :func:`percent` (a number, array or Series)."""
    return np.round(100.0 * values.astype(float) if hasattr(values, "astype") else 100.0 * float(values),
                    PERCENT_DIGITS)


def standard_text(standards: Mapping[str, Standard], lang: str = "zh") -> str:
    """``街道: <label>; 镇: <label>`` for ``{area_type: Standard}`` (one label when they agree).

    The one place the two area types' labels are joined (the app, the CLI, the review's notes;
    for a :class:`coverage.standards.StandardTable` pass ``{a: table.get(layer, a) for a in AREA_TYPES}``).
    """
    labels = {a: standards[a].label(lang) for a in AREA_TYPES if a in standards}
    if len(set(labels.values())) == 1:
        return next(iter(labels.values()))
    return "; ".join(t("core_per_area", lang, area=t(f"core_area_{a}", lang), label=v) for a, v in labels.items())


def _names(frame: Any, kind: str, lang: str) -> dict[str, str]:
    codes = frame[f"{kind}_code"].astype(str).tolist()
    zh = frame[f"{kind}_zh"].tolist()
    en = frame[f"{kind}_en"].tolist() if lang == "en" and f"{kind}_en" in frame.columns else [None] * len(codes)
    return {c: str(e) if isinstance(e, str) and e.strip() else (str(z) if isinstance(z, str) and z else c)
            for c, z, e in zip(codes, zh, en)}


def town_names(towns: Any, lang: str = "zh") -> dict[str, str]:
    """``town_code`` → name in ``lang``: ``town_zh``, or in English the pinyin ``town_en``
    (the Chinese name where a town has none, e.g. an upload without it)."""
    return _names(towns, "town", lang)


def district_names(districts: Any, lang: str = "zh") -> dict[str, str]:
    """``district_code`` → name in ``lang``: ``district_zh``, or in English ``district_en``."""
    return _names(districts, "district", lang)


def place_name(names: Mapping[str, str], code: object, fallback: object = None) -> str:
    """The name of ``code`` in ``names`` (:func:`town_names` / :func:`district_names`); else
    ``fallback`` (e.g. the row's Chinese name), else the code itself."""
    key = str(code)
    if key in names:
        return names[key]
    return str(fallback) if isinstance(fallback, str) and fallback else key


def method_text(method: str, lang: str = "zh") -> str:
    """How reach was measured: ``"network"`` (road network) or ``"distance"`` (straight line)."""
    return t(f"core_method_{method}", lang)


def ratio_status_text(status: "RatioStatus", lang: str = "zh") -> str:
    """Words for a :class:`coverage.metrics.RatioStatus` (``已计算``, ``无法计算: 分母为 0`` …)."""
    return t(f"core_ratio_{status.value}", lang)


def provenance_text(provenance: Mapping[str, str], layers: Iterable[str] | None = None, lang: str = "zh") -> str:
    """One line stating where each input comes from, with a warning when any is modelled/illustrative.

    Parameters
    ----------
    provenance : mapping
        ``Region.provenance`` (or :meth:`Region.provenance_for`).
    layers : iterable of str, optional
        Facility layers to mention (every layer in ``provenance`` when None).
    """
    keep = None if layers is None else set(layers)
    parts = []
    for key in ("districts", "towns", "population", "roads"):
        if key in provenance:
            parts.append(f"{t('core_input_' + key, lang)}: {t('core_prov_' + provenance[key], lang)}")
    for key, val in provenance.items():
        if not key.startswith("facilities:"):
            continue
        layer_id = key.split(":", 1)[1]
        if keep is not None and layer_id not in keep:
            continue
        parts.append(f"{layer_name(layer_id, lang)}: {t('core_prov_' + val, lang)}")
    text = "; ".join(parts) if parts else t("core_prov_unknown", lang)
    if any(v in ("modelled", "illustrative") for k, v in provenance.items()
           if not k.startswith("facilities:") or keep is None or k.split(":", 1)[1] in keep):
        text += t("core_prov_modelled_warning", lang)
    return text


def _input_name(name: str, lang: str) -> str:
    if name.startswith("facilities:"):
        layer_id = name.split(":", 1)[1]
        text = layer_name(layer_id, lang)
        return text if lang == "zh" or text == layer_id else text[0].lower() + text[1:]
    key = f"core_input_{name}"
    return t(key, lang) if key in STRINGS else name


def _join(items: list[str], lang: str) -> str:
    if lang == "zh":
        return "、".join(items)
    return " and ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " and " + items[-1]


def provenance_note(provenance: Mapping[str, str], no_roads: bool, lang: str = "zh") -> str:
    """One sentence saying which inputs are modelled, illustrative or uploaded
    (:meth:`coverage.region.Region.provenance_note`).

    Parameters
    ----------
    provenance : mapping
        Input name → provenance flag (``Region.provenance_for``).
    no_roads : bool
        No road network was given (service areas use the distance standards).
    lang : {"zh", "en"}
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', got {lang!r}")
    groups: dict[str, list[str]] = {s: [] for s in _NOTE_STATUSES}
    layer_status = {n: v for n, v in provenance.items() if n.startswith("facilities:")}
    same = len(layer_status) > 1 and len(set(layer_status.values())) == 1
    for name, status in provenance.items():
        if status not in groups or (same and name in layer_status):
            continue
        groups[status].append(_input_name(name, lang))
    if same and next(iter(layer_status.values())) in groups:
        groups[next(iter(layer_status.values()))].append(t("core_note_all_layers", lang))
    parts = []
    for status, names in groups.items():
        if names:
            plural = len(names) > 1 or names[-1] == t("core_note_all_layers", lang)
            parts.append(t("core_note_many" if plural else "core_note_one", lang, names=_join(names, lang),
                           status=t(f"core_note_{status}", lang)))
    head = t("core_note_head", lang) + (t("core_note_sep", lang).join(parts) if parts else t("core_note_all_real", lang))
    return head + t("core_note_no_roads" if no_roads else "core_note_end", lang)
