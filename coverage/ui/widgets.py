"""Streamlit widgets that follow the page language.

Streamlit keeps showing a select box's chosen value in the old language after the language
changes (the widget is not redrawn when only its labels change). :func:`lang_select` keys the
widget per language (:func:`lang_key`), so it is drawn afresh in the new language, and carries the
chosen value across the switch.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from coverage.ui.views import md_text

__all__ = ["lang_key", "lang_select", "show_flash"]


def lang_key(key: str, lang: str) -> str:
    """The widget key of select box ``key`` in ``lang``: ``key`` in Chinese, ``key.en`` in English.

    Streamlit keeps showing a select box's chosen value in the old language after a switch; a
    widget per language is drawn afresh. :func:`lang_select` carries the value across.
    """
    return key if lang == "zh" else f"{key}.{lang}"


def lang_select(box: Any, label: str, options: Any, key: str, lang: str, index: int | None = 0,
                **kwargs: Any) -> Any:
    """``box.selectbox`` keyed per language (:func:`lang_key`), keeping the value across a switch.

    A value set under the other language's key (the previous run's widget, or a callback that
    set ``st.session_state[key]``) is moved to this language's key before the widget is drawn.
    """
    own = lang_key(key, lang)
    for other in {key, f"{key}.en"} - {own}:
        if other in st.session_state:
            value = st.session_state.pop(other)
            if value in list(options):
                st.session_state[own] = value
    if own in st.session_state:
        if st.session_state[own] not in list(options):
            del st.session_state[own]
        else:
            return box.selectbox(label, options, key=own, **kwargs)
    return box.selectbox(label, options, key=own, index=index, **kwargs)


def show_flash(box: Any, key: str) -> None:
    """Show, once, the message a callback or a save left in session state under ``key``.

    Parameters
    ----------
    box : streamlit container
        Where it is shown (``st``, the sidebar, a column).
    key : str
        The session-state key holding ``(kind, text)``: kind ``"error"``, ``"warning"`` or
        anything else for a success; the text is Markdown-escaped here.
    """
    flash = st.session_state.pop(key, None)
    if flash:
        show = {"error": box.error, "warning": box.warning}.get(flash[0], box.success)
        show(md_text(flash[1]))
