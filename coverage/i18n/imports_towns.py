"""Catalogue: messages of the towns import readers (``coverage/io``); keys start with ``import.towns.``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
