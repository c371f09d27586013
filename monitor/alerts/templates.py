"""Channel templates: Jinja in a sandbox, over plain alert data; HTML variants escape everything."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError, DeliveryError

if TYPE_CHECKING:
    from jinja2.sandbox import SandboxedEnvironment


@cache
def _environment(html: bool) -> SandboxedEnvironment:
    """Jinja's sandbox, imported only when a channel has templates."""
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=html, keep_trailing_newline=True)


class ChannelTemplates:
    """A channel's title and body templates, compiled once; `render` fills them with one alert."""

    def __init__(self, channel: str, title: str, body: str, html: bool) -> None:
        self.channel = channel
        self.title = self.body = None
        if not (title or body):
            return
        from jinja2 import TemplateError

        try:
            self.title = _environment(False).from_string(title) if title else None  # a subject line is never HTML
            self.body = _environment(html).from_string(body) if body else None
        except TemplateError as exc:
            raise ConfigError(f"channel {channel!r}: bad template: {exc}", key=f"channels.{channel}") from None

    def render(self, context: dict[str, Any], title: str, body: str) -> tuple[str, str]:
        """(title, body) from the templates; the stored plain texts where a template is not set."""
        if not (self.title or self.body):
            return title, body
        from jinja2 import TemplateError

        try:
            return (
                " ".join(self.title.render(context).split()) if self.title else title,
                self.body.render(context) if self.body else body,
            )
        except TemplateError as exc:
            raise DeliveryError(f"channel {self.channel!r}: template failed: {exc}", channel=self.channel) from None
