"""Catalogue: messages of the facilities import readers (``coverage/io``); keys start with ``import.facilities.``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
