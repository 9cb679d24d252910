"""Streamlit widgets that follow the page language.

Streamlit keeps showing a select box's chosen value in the old language after the language
changes (the widget is not redrawn when only its labels change). :func:`lang_select` keys the
widget per language (:func:`lang_key`), so it is drawn afresh in the new language, and carries the
chosen value across the switch.

Streamlit's file uploader has no locale: :func:`uploader_style` words its browse button in the
page's language and hides its English instructions, and :func:`file_input` draws an uploader with
the page's own caption (size limit and file types). :func:`number_columns` turns a table's number
formats (``coverage.ui.views.table_formats``) into the data grid's column settings.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import streamlit as st

from coverage.i18n import t
from coverage.ui.views import md_text

__all__ = ["lang_key", "lang_select", "show_flash", "css_string", "uploader_css", "uploader_style",
           "file_input", "number_columns"]

#: The uploader's parts (Streamlit 1.67's test ids): the drop zone, its browse button (the one
#: "secondary" button; an uploaded file's chip has its own remove and add buttons, left alone), the
#: English size / type line, and the English "Drag and drop…" overlay shown while a file is dragged
#: over (the zone's absolutely placed ``div > span``; the chips' box holds a ``div``).
DROPZONE = '[data-testid="stFileUploaderDropzone"]'
BROWSE_LABEL = f'{DROPZONE} [data-testid="stBaseButton-secondary"] [data-testid="stMarkdownContainer"]'
INSTRUCTIONS = '[data-testid="stFileUploaderDropzoneInstructions"]'
DRAG_OVERLAY = f"{DROPZONE} > div > span:only-child"


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


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string (for ``content:``): backslashes, quotes, line breaks and
    ``<`` escaped, so it can neither end the string nor the ``<style>`` element."""
    escaped = (str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\A ")
               .replace("<", "\\3C "))
    return f'"{escaped}"'


def uploader_css(lang: str) -> str:
    """The style sheet of every file uploader on the page, in ``lang`` (``zh`` / ``en``).

    The browse button keeps its upload icon and reads ``upload.browse`` (上传文件 / Upload a file)
    instead of Streamlit's English "Upload"; the English size and type line is hidden (the caller
    shows its own caption, :func:`file_input`); while a file is dragged over the zone, the overlay
    reads ``upload.drop`` instead of "Drag and drop a file here". An uploaded file's chip and its
    remove (×) and add buttons are not touched.

    Parameters
    ----------
    lang : {"zh", "en"}

    Returns
    -------
    str
        CSS rules (without the ``<style>`` element).
    """
    return (f"{INSTRUCTIONS} {{ display: none !important; }}\n"
            f"{BROWSE_LABEL} > * {{ display: none !important; }}\n"
            f"{BROWSE_LABEL}::after {{ content: {css_string(t('upload.browse', lang))}; }}\n"
            f"{DRAG_OVERLAY} {{ font-size: 0 !important; }}\n"
            f"{DRAG_OVERLAY}::after {{ content: {css_string(t('upload.drop', lang))}; font-size: 1rem; }}\n")


def uploader_style(lang: str) -> None:
    """Draw :func:`uploader_css` (a style-only ``st.html``: no space taken on the page).

    Once per page run is enough for every uploader; drawing it again does no harm.
    """
    st.html(f"<style>\n{uploader_css(lang)}</style>")


def file_input(box: Any, label: str, key: str, types: Sequence[str], lang: str) -> Any:
    """A file uploader in ``box`` worded in ``lang`` (:func:`uploader_style`), with the page's caption
    below it: drop or choose a file, the size limit (``server.maxUploadSize``) and the file types.

    Parameters
    ----------
    box : streamlit container
        Where it is drawn (``st``, a column, a form).
    label : str
        The uploader's label (already in ``lang``).
    key : str
        The widget key.
    types : sequence of str
        File extensions accepted, without the dot.
    lang : {"zh", "en"}

    Returns
    -------
    UploadedFile or None
    """
    uploader_style(lang)
    upload = box.file_uploader(label, key=key, type=list(types))
    box.caption(t("upload_hint", lang, mb=st.get_option("server.maxUploadSize")) + " · "
                + " / ".join(x.upper() for x in types))
    return upload


def number_columns(formats: Mapping[str, str]) -> dict[str, Any]:
    """The data grid's column settings for ``formats`` (column label → Streamlit number format,
    e.g. ``"localized"`` for thousands separators, ``"%.4f"``): the values stay numbers (sorted as
    numbers, exported as numbers), only their display changes."""
    return {label: st.column_config.NumberColumn(label, format=fmt) for label, fmt in formats.items()}
