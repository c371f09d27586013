"""Channel templates: Jinja in a sandbox, over plain alert data; HTML variants escape everything."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError, DeliveryError

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

    from monitor.settings import Channel


@cache
def _environment(html: bool) -> SandboxedEnvironment:
    """Jinja's sandbox, imported only when a channel has templates."""
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(autoescape=html, keep_trailing_newline=True)


def _compiled(channel: str, key: str, source: str, html: bool) -> Template | None:
    """A template compiled, or None when it is not set; a syntax error names the channel, the key and the line."""
    if not source:
        return None
    from jinja2 import TemplateSyntaxError

    try:
        return _environment(html).from_string(source)
    except TemplateSyntaxError as exc:
        raise ConfigError(f"channel {channel!r}: bad template in {key} (line {exc.lineno}): {exc.message}", key=f"channels.{channel}.{key}") from None


class ChannelTemplates:
    """A channel's title and body templates, compiled once; `render` fills them with one alert."""

    def __init__(self, channel: str, title: str, body: str, html: bool) -> None:
        self.channel = channel
        self.title = _compiled(channel, "title_template", title, False)  # a subject line is never HTML
        self.body = _compiled(channel, "body_template", body, html)

    def render(self, context: dict[str, Any], title: str, body: str) -> tuple[str, str]:
        """(title, body) from the templates; the stored plain texts where a template is not set."""
        if not (self.title or self.body):
            return title, body
        try:
            return (
                " ".join(self.title.render(context).split()) if self.title else title,
                self.body.render(context) if self.body else body,
            )
        except Exception as exc:  # Jinja's errors, and those of an operation on a value (`{{ severity + title }}`)
            raise DeliveryError(f"channel {self.channel!r}: template failed: {exc}", channel=self.channel) from None


def template_problems(channels: list[Channel], context: dict[str, Any]) -> list[str]:
    """One line per channel template that fails on a sample alert's context, or names a field it lacks."""
    from jinja2 import meta

    problems = []
    for channel in channels:
        for key, source, html in (("title_template", channel.title_template, False),
                                  ("body_template", channel.body_template, channel.format == "html")):
            if not source:
                continue
            env = _environment(html)
            where = f"channels[{channel.name}].{key}"
            try:
                unknown = sorted(meta.find_undeclared_variables(env.parse(source)) - set(context) - set(env.globals))
                if unknown:  # Jinja renders it empty, or fails at send time on its attribute or item
                    problems.append(f"{where}: {unknown[0]!r} is undefined (an alert has {', '.join(sorted(context))})")
                    continue
                env.from_string(source).render(context)
            except Exception as exc:  # Jinja's errors, and those of an operation on a value (`{{ severity + title }}`)
                problems.append(f"{where}: {exc}")
    return problems
