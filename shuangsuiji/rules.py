"""The one exception type for a refused change of a business object."""

from __future__ import annotations


class RuleError(Exception):
    """A refused change; ``messages`` are Chinese sentences naming the field or object."""

    def __init__(self, messages: list[str] | str):
        self.messages = [messages] if isinstance(messages, str) else list(messages)
        super().__init__("；".join(self.messages))
