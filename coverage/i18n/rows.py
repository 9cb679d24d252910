"""The one "rows …" phrase of the import catalogues (``coverage/i18n/imports_*.py``).

A message that names a file's rows writes a placeholder where the rows go (``{where}``, or a name
of its own) and takes the phrase from here, so every reader says ``row 4`` / ``rows 4, 7`` /
``rows 4, 7, … and 3 more`` (``第 4 行`` …) the same way:

- :func:`row_phrase` — the phrase in one of the three forms of :data:`ROWS` around a value
  (``{rows}`` by default, e.g. ``{first_row}`` or ``{first}-{last}``);
- :func:`phrased` — a message pair with its placeholders replaced by phrases;
- :func:`by_rows` — the three forms of one message (``<key>.one`` / ``.many`` / ``.more``), as
  :func:`coverage.io.encoding.row_list` chooses them.

This module holds no catalogue entries of its own (no ``MESSAGES``).
"""

from __future__ import annotations

#: The forms of the phrase: one row, up to 20 rows, the first 20 and how many more; ``{rows}``
#: is the list, ``{more}`` the count of the others.
ROWS: dict[str, tuple[str, str]] = {
    "one": ("第 {rows} 行", "row {rows}"),
    "many": ("第 {rows} 行", "rows {rows}"),
    "more": ("第 {rows} 行等（另有 {more} 行）", "rows {rows} and {more} more"),
}


def row_phrase(rows: str = "{rows}", form: str = "one") -> tuple[str, str]:
    """The (中文, English) phrase naming ``rows``.

    Parameters
    ----------
    rows : str
        A placeholder or a template, e.g. ``"{first_row}"`` or ``"{first}-{last}"``.
    form : {"one", "many", "more"}
        A key of :data:`ROWS`.

    Returns
    -------
    tuple of str
        The phrase in Chinese and in English.
    """
    zh, en = ROWS[form]
    return zh.replace("{rows}", rows), en.replace("{rows}", rows)


def phrased(zh: str, en: str, **phrases: tuple[str, str]) -> tuple[str, str]:
    """A message pair with phrases put in.

    Parameters
    ----------
    zh, en : str
        The message in Chinese and in English, with ``{name}`` placeholders.
    **phrases : tuple of str
        ``name`` → its (中文, English) phrase (e.g. :func:`row_phrase`).

    Returns
    -------
    tuple of str
        ``zh`` / ``en`` with each ``{name}`` of ``phrases`` replaced.
    """
    for name, (phrase_zh, phrase_en) in phrases.items():
        zh = zh.replace("{" + name + "}", phrase_zh)
        en = en.replace("{" + name + "}", phrase_en)
    return zh, en


def by_rows(key: str, zh: str, en: str) -> dict[str, tuple[str, str]]:
    """The three row-list forms of one message.

    Parameters
    ----------
    key : str
        The catalogue key; the entries are ``<key>.one`` / ``.many`` / ``.more``.
    zh, en : str
        The message; ``{where}`` names the rows.

    Returns
    -------
    dict
        Catalogue entries, one per form of :data:`ROWS`.
    """
    return {f"{key}.{form}": phrased(zh, en, where=row_phrase(form=form)) for form in ROWS}
