"""Text encodings and cleaning: nothing in a user file is changed without a line in the report.

* :func:`decode_text` reads bytes as UTF-8 (with or without BOM) or, when they are not
  UTF-8, as GB18030 (a superset of GBK/GB2312) or Big5, choosing by **scoring the decoded
  text**: the share of its Chinese characters that are common ones in that script
  (the 3,755 level-1 characters of GB2312 for simplified text, the 5,401 frequent
  characters of Big5 for traditional text). A wrong decoding produces rare characters,
  so the right one scores far higher. Big5, or a choice that is not clear (a share below
  ``settings.ENCODING_MIN_COMMON_SHARE`` or within ``settings.ENCODING_MIN_MARGIN`` of the
  other candidate), is a warning naming the encoding chosen and the ``--encoding``
  override; a clear GBK/GB18030 file gets a note naming the encoding.
* :func:`clean_text` removes control characters (NUL, bell, escape …; tab, newline and
  carriage return are kept) and lone UTF-16 surrogates from a cell, and says what it
  removed; :func:`clean_frame` does it for every text cell of a table, one warning per
  column naming the rows.
* :func:`looks_like_mojibake` tells Latin-1 text that is really GBK/GB18030 bytes.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from coverage.io.report import ImportReport, file_error
from coverage.settings import ENCODING_MIN_COMMON_SHARE, ENCODING_MIN_MARGIN

__all__ = [
    "LEGACY_ENCODINGS",
    "decode_text",
    "encoding_scores",
    "clean_text",
    "clean_frame",
    "looks_like_mojibake",
    "list_rows",
    "row_list",
    "ROWS_SHOWN",
]

#: Tried when the bytes are not UTF-8, best score first (GB18030 wins a tie).
LEGACY_ENCODINGS = ("gb18030", "big5")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# C0 controls but tab/newline/carriage return, DEL, C1 controls, lone surrogates.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LATIN1_HIGH = re.compile(r"[\xa0-\xff]")
#: Rows (or other items) a message lists before it says how many more there are.
ROWS_SHOWN = 20


@lru_cache(maxsize=1)
def _common_chars() -> dict[str, frozenset[str]]:
    """Common characters of each legacy script, generated from the code tables themselves."""
    simplified = set()
    for lead in range(0xB0, 0xD8):  # GB2312 level 1: B0A1-D7F9, by pinyin
        for trail in range(0xA1, 0xFF):
            try:
                simplified.add(bytes([lead, trail]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    traditional = set()
    for lead in range(0xA4, 0xC7):  # Big5 frequent characters: A440-C67E
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if lead == 0xC6 and trail > 0x7E:
                break
            try:
                traditional.add(bytes([lead, trail]).decode("big5"))
            except UnicodeDecodeError:
                pass
    return {"gb18030": frozenset(simplified), "big5": frozenset(traditional)}


def encoding_scores(data: bytes) -> dict[str, tuple[str, float, int]]:
    """Each legacy encoding that decodes ``data``: ``(text, share of common characters, n Chinese)``.

    The share is 1.0 for text with no Chinese character.
    """
    out = {}
    common = _common_chars()
    for enc in LEGACY_ENCODINGS:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        chars = _CJK.findall(text)
        share = sum(c in common[enc] for c in chars) / len(chars) if chars else 1.0
        out[enc] = (text, share, len(chars))
    return out


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_text(
    data: bytes, file: Path, report: ImportReport | None = None, encoding: str | None = None
) -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding)`` (``"utf-8"``, ``"gb18030"``, ``"big5"`` …).

    Parameters
    ----------
    data : bytes
    file : Path
        Named in messages.
    report : ImportReport, optional
        Receives the warning when a legacy encoding was chosen by score.
    encoding : str, optional
        Use this encoding (any Python codec name), no detection; undecodable bytes are an
        error naming the line.

    Raises
    ------
    DataImportError
        Not decodable (with ``encoding``: naming the line of the first bad byte).
    """
    if encoding is not None:
        try:
            return data.decode(encoding), encoding.lower()
        except LookupError:
            raise file_error(file, "import.tables.unknown_encoding", encoding=encoding) from None
        except UnicodeDecodeError as exc:
            raise file_error(file, "import.tables.bad_bytes", row=_line_of(data, exc.start), encoding=encoding,
                             byte=data[exc.start], offset=exc.start) from None
    try:
        # surrogatepass: an encoded lone surrogate is kept as one (clean_text removes it,
        # with a warning) instead of failing UTF-8 and garbling the whole file as GB18030.
        return data.decode("utf-8-sig", errors="surrogatepass"), "utf-8"
    except UnicodeDecodeError:
        pass
    scores = encoding_scores(data)
    if not scores:
        raise file_error(file, "import.tables.undecodable")
    best = max(scores, key=lambda e: (scores[e][1], e == "gb18030"))
    text, share, n = scores[best]
    others = [f"{e} {s[1]:.0%}" for e, s in scores.items() if e != best]
    runner_up = max((s[1] for e, s in scores.items() if e != best), default=0.0)
    doubtful = share < ENCODING_MIN_COMMON_SHARE or share - runner_up < ENCODING_MIN_MARGIN
    if report is not None and n and (best != "gb18030" or doubtful):
        script = "simplified" if best == "gb18030" else "traditional"
        key = f"import.tables.legacy_{script}" + ("_others" if others else "")
        extra = {"others": ", ".join(others)} if others else {}
        report.warn(key, encoding=best.upper(), share=share, n=n, other="gb18030" if best != "gb18030" else "big5",
                    **extra)
    return text, best


def clean_text(value: str) -> tuple[str, list[str]]:
    """``value`` without control characters and lone surrogates, and what was removed.

    Returns
    -------
    (str, list of str)
        The cleaned text and the removed characters as ``U+XXXX`` codes (empty when
        nothing was removed).
    """
    found = _BAD_CHARS.findall(value)
    if not found:
        return value, []
    return _BAD_CHARS.sub("", value), sorted({f"U+{ord(c):04X}" for c in found})


def list_rows(rows: Sequence[int], limit: int = ROWS_SHOWN) -> str:
    """``"rows 3, 5, 9"`` (the first ``limit``, then ``"and N more"``), in English (logs).

    A report message takes :func:`row_list` instead (the words come from the catalogue).
    """
    rows = list(rows)
    head = ", ".join(map(str, rows[:limit]))
    more = f" and {len(rows) - limit} more" if len(rows) > limit else ""
    return f"row{'s' if len(rows) != 1 else ''} {head}{more}"


def row_list(rows: Sequence[int], limit: int = ROWS_SHOWN) -> tuple[str, dict[str, Any]]:
    """The form and the values of a message naming ``rows``: ``(form, {"rows": ..., "more": ...})``.

    ``form`` is ``"one"`` (one row), ``"many"`` (up to ``limit`` rows) or ``"more"`` (more than
    ``limit``: the first ``limit`` are listed and ``more`` counts the others); the catalogue
    holds each message naming rows in these three forms (``<key>.one`` …), e.g.
    ``form, values = row_list(rows); report.warn(f"import.tables.replacement_chars.{form}", **values)``.
    """
    rows = list(rows)
    form = "one" if len(rows) == 1 else "many" if len(rows) <= limit else "more"
    values: dict[str, Any] = {"rows": ", ".join(map(str, rows[:limit]))}
    if form == "more":
        values["more"] = len(rows) - limit
    return form, values


def clean_frame(frame: pd.DataFrame, rows: Sequence[int], report: ImportReport) -> pd.DataFrame:
    """Clean every text cell of ``frame`` (see :func:`clean_text`); warn once per column.

    ``rows`` are the user-visible row numbers of the frame's rows. Also warns on U+FFFD
    (a replacement character: text that some earlier step could not decode).
    """
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series, pd.DataFrame) or not (
            pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype)
        ):
            continue
        values = list(series)
        joined = "\n".join(v for v in values if isinstance(v, str))  # one scan for the usual clean column
        if not _BAD_CHARS.search(joined) and "\ufffd" not in joined:
            continue
        hit_rows, codes, replaced = [], set(), []
        for i, v in enumerate(values):
            if not isinstance(v, str):
                continue
            if "\ufffd" in v:
                replaced.append(rows[i])
            cleaned, removed = clean_text(v)
            if removed:
                values[i] = cleaned
                hit_rows.append(rows[i])
                codes.update(removed)
        if hit_rows:
            out[col] = pd.Series(values, index=series.index, dtype=object)
            form, where = row_list(hit_rows)
            report.warn(f"import.tables.control_chars_removed.{form}", row=hit_rows[0], column=str(col),
                        chars=", ".join(sorted(codes)), **where)
        if replaced:
            form, where = row_list(replaced)
            report.warn(f"import.tables.replacement_chars.{form}", row=replaced[0], column=str(col), **where)
    return out


def looks_like_mojibake(values: Sequence[object]) -> bool:
    """True when text read as Latin-1 is more likely GBK/GB18030 bytes.

    Re-encodes the Latin-1 text and decodes it as GB18030: mojibake when that succeeds and
    gives mostly common simplified characters.
    """
    raw = "".join(v for v in values if isinstance(v, str) and _LATIN1_HIGH.search(v))
    if not raw:
        return False
    try:
        data = raw.encode("latin-1")
    except UnicodeEncodeError:
        return False
    scores = encoding_scores(data)
    return "gb18030" in scores and scores["gb18030"][2] > 0 and scores["gb18030"][1] >= ENCODING_MIN_COMMON_SHARE
