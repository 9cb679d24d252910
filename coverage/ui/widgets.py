"""Streamlit widgets that follow the page language.

Streamlit keeps showing a select box's chosen value in the old language after the language
changes (the widget is not redrawn when only its labels change). :func:`lang_select` keys the
widget per language (:func:`lang_key`), so it is drawn afresh in the new language, and carries the
chosen value across the switch.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

__all__ = ["lang_key", "lang_select"]


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
