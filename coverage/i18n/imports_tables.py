"""Catalogue: messages of the tables import readers (``coverage/io``); keys start with ``import.tables.``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
