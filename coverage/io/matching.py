"""Matching user-written town / district names and codes to the official list."""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from coverage.i18n import t

__all__ = ["normalise_code", "TownMatch", "TownMatcher", "EMPTY"]

#: :attr:`TownMatch.reason` of an empty cell (no catalogue key: the caller words it).
EMPTY = "empty"

_TOWN_SUFFIXES = ("街道办事处", "街道办", "镇人民政府", "街道", "镇")
_DISTRICT_SUFFIXES = ("区", "市", "县")


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    s = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", s)


def normalise_code(value: object, digits: int = 9) -> str | None:
    """A ``digits``-long administrative code as a string, or None.

    Accepts ints, floats with no fraction (Excel), strings with spaces, and the 12-digit
    NBS form of a 9-digit town code (``440703002000`` → ``440703002``).
    """
    if isinstance(value, float):
        if math.isnan(value) or value != int(value):
            return None
        value = int(value)
    s = _clean(value)
    if not s.isdigit():
        return None
    if len(s) == digits:
        return s
    if digits == 9 and len(s) == 12 and s.endswith("000"):
        return s[:9]
    if digits == 6 and len(s) in (9, 12):
        return None
    return None


def _stem(name: str, suffixes: tuple[str, ...]) -> str:
    for suf in suffixes:
        if name.endswith(suf) and len(name) > len(suf):
            return name[: -len(suf)]
    return name


@dataclass(frozen=True)
class TownMatch:
    """The outcome of matching one cell to the official towns.

    Attributes
    ----------
    town_code : str or None
        The town's 9-digit code, None when not matched.
    reason : str
        Why it was not matched: ``""`` (matched), :data:`EMPTY` (an empty cell), or a catalogue
        key — ``import.tables.town_code_unknown`` (a code that is no town), ``town_ambiguous``
        (a name several towns share; the district would tell), ``town_unknown`` (no such name).
    values : dict
        The values the reason's message is worded with (``code``, ``value``, ``n``, ``candidates``),
        JSON-serialisable: pass them to the report with ``reason_key=match.reason``.
    """

    town_code: str | None
    reason: str = ""
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The reason in ``lang`` (``""`` when matched, ``"empty"`` for an empty cell)."""
        if self.reason in ("", EMPTY):
            return self.reason
        return t(self.reason, lang, **self.values)


class TownMatcher:
    """Resolve a town written by a user (code, full name or name without 镇/街道) to its code.

    Parameters
    ----------
    official : pandas.DataFrame
        At least ``town_code``, ``town_zh``, ``district_code``, ``district_zh``.
    """

    def __init__(self, official: pd.DataFrame):
        self.official = official.set_index(official["town_code"].astype(str), drop=False)
        self._by_name: dict[str, list[str]] = {}
        self._by_stem: dict[str, list[str]] = {}
        for code, name in zip(self.official.index, self.official["town_zh"].map(_clean)):
            self._by_name.setdefault(name, []).append(code)
            self._by_stem.setdefault(_stem(name, _TOWN_SUFFIXES), []).append(code)
        self._district_codes = set(self.official["district_code"].astype(str))
        self._district_by_stem = {
            _stem(_clean(n), _DISTRICT_SUFFIXES): str(c)
            for c, n in zip(self.official["district_code"], self.official["district_zh"])
        }

    def district(self, value: object) -> str | None:
        """District code for a district code or (short) name, or None."""
        code = normalise_code(value, 6)
        if code in self._district_codes:
            return code
        s = _clean(value)
        return self._district_by_stem.get(_stem(s, _DISTRICT_SUFFIXES)) if s else None

    def match(self, value: object, district: object = None) -> tuple[str | None, str]:
        """Return ``(town_code, "")`` or ``(None, reason)``, the reason in English (``"empty"`` for an
        empty cell); :meth:`lookup` gives the reason as a catalogue key and values."""
        found = self.lookup(value, district)
        return found.town_code, found.text("en")

    def lookup(self, value: object, district: object = None) -> TownMatch:
        """Match ``value`` (a code, a full name or a name without 镇/街道) to an official town.

        ``district`` (code or name) disambiguates names shared by two districts
        (e.g. 白沙街道 in 蓬江区 and 白沙镇 in 台山市 share the stem 白沙).
        """
        s = _clean(value)
        if not s:
            return TownMatch(None, EMPTY)
        n = len(self.official)
        code = normalise_code(value, 9)
        if code is not None:
            if code in self.official.index:
                return TownMatch(code)
            return TownMatch(None, "import.tables.town_code_unknown", {"code": code, "n": n})
        for table, key in ((self._by_name, s), (self._by_stem, _stem(s, _TOWN_SUFFIXES))):
            candidates = table.get(key, [])
            codes = candidates
            if len(candidates) > 1 and _clean(district):
                d = self.district(district)
                codes = [c for c in candidates if self.official.at[c, "district_code"] == d]
            if len(codes) == 1:
                return TownMatch(codes[0])
            if len(candidates) > 1:
                names = ", ".join(
                    f"{self.official.at[c, 'town_zh']} ({self.official.at[c, 'district_zh']})" for c in candidates
                )
                return TownMatch(None, "import.tables.town_ambiguous", {"value": s, "candidates": names})
        return TownMatch(None, "import.tables.town_unknown", {"value": s, "n": n})
