"""Words for results, at the edges: a standard, how reach was measured, where the inputs come from.

The library's results carry codes (:class:`coverage.standards.Standard`, ``"network"`` /
``"distance"``, provenance flags); the CLI's printers, the exporters and the app turn them into
Chinese or English here, from the one catalogue (:mod:`coverage.i18n`).
"""

from __future__ import annotations

from typing import Iterable, Mapping

from coverage.i18n import layer_name, t
from coverage.standards import AREA_TYPES, Standard

__all__ = ["standard_text", "method_text", "provenance_text"]


def standard_text(standards: Mapping[str, Standard], lang: str = "zh") -> str:
    """``街道: <label>; 镇: <label>`` for ``{area_type: Standard}`` (one label when they agree)."""
    labels = {a: standards[a].label(lang) for a in AREA_TYPES if a in standards}
    if len(set(labels.values())) == 1:
        return next(iter(labels.values()))
    return "; ".join(t("core_per_area", lang, area=t(f"core_area_{a}", lang), label=v) for a, v in labels.items())


def method_text(method: str, lang: str = "zh") -> str:
    """How reach was measured: ``"network"`` (road network) or ``"distance"`` (straight line)."""
    return t(f"core_method_{method}", lang)


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
