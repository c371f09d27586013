"""Channel templates: Jinja in a sandbox, over plain alert data; HTML variants escape everything."""

from __future__ import annotations

from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from monitor.errors import ConfigError, DeliveryError

_TEXT = SandboxedEnvironment(autoescape=False, keep_trailing_newline=True)
_HTML = SandboxedEnvironment(autoescape=True, keep_trailing_newline=True)


class ChannelTemplates:
    """A channel's title and body templates, compiled once; `render` fills them with one alert."""

    def __init__(self, channel: str, title: str, body: str, html: bool) -> None:
        env = _HTML if html else _TEXT
        try:
            self.title = _TEXT.from_string(title) if title else None  # a subject line is never HTML
            self.body = env.from_string(body) if body else None
        except TemplateError as exc:
            raise ConfigError(f"channel {channel!r}: bad template: {exc}", key=f"channels.{channel}") from None
        self.channel = channel

    def render(self, context: dict[str, Any], title: str, body: str) -> tuple[str, str]:
        """(title, body) from the templates; the stored plain texts where a template is not set."""
        try:
            return (
                " ".join(self.title.render(context).split()) if self.title else title,
                self.body.render(context) if self.body else body,
            )
        except TemplateError as exc:
            raise DeliveryError(f"channel {self.channel!r}: template failed: {exc}", channel=self.channel) from None
