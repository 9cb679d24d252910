"""Streamlit user interface helpers: the offline map and the translations.

Nothing under ``coverage/`` outside this package imports it; the app (``app.py``) is a thin
shell over the library.
"""
