"""Catalogue: messages of the population import readers (``coverage/io``); keys start with ``import.population.``."""

from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
}
