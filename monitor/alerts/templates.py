"""Channel templates: Jinja in a sandbox, over plain alert data; HTML variants escape everything."""

from __future__ import annotations

import re
import sys
import time
from collections import deque
from contextvars import ContextVar
from functools import cache, wraps
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from monitor.errors import ConfigError, DeliveryError

if TYPE_CHECKING:
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

    from monitor.settings import Channel


OUTPUT_MAX = 1_000_000  # characters a template may render: an alert's title and body are far shorter
ITEMS_MAX = 100_000  # items all the range() calls of one render may give (nested loops multiply)
RENDER_SECONDS = 2.0  # CPU seconds a render may take: loops over an alert's text (50,000 characters) nest without range()
INT_BITS_MAX = 100_000  # bits of an integer a template makes with * or ** (30,000 digits; Python prints 4,300 at most)
MADE_MAX = 20_000_000  # what the values one render makes may come to (characters; 8 a container's item): each is bounded, not a loop keeping them
_ITEMS: ContextVar[int] = ContextVar("template_items", default=0)  # given so far by the render under way on this thread
_MADE: ContextVar[int] = ContextVar("template_made", default=0)  # what the render under way on this thread has made so far
_CHANGEABLE = (list, dict, set, deque, bytearray)  # what a method may change in place (`d.update(...)`, `l.extend(...)`): what it is given is kept
# The widths and precisions of a format string: printf's (`%0300000000d`, `%.9f`) and str.format's (`{:>300000000}`).
_PRINTF_WIDTHS = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\d*)(?:\.(\d*))?")
_BRACE_SPECS = re.compile(r"\{[^{}]*:([^{}]*)\}")
# One printf conversion: its mapping key, width, precision and type (sized before it is made: `_printf_size`).
_PRINTF = re.compile(r"%(?:\(([^)]*)\))?[-+ #0]*(\*|\d*)(?:\.(\*|\d*))?[hlL]?(.?)", re.S)
_GROWING = frozenset({"replace", "join", "expandtabs", "translate", "format", "format_map"})  # str methods whose result may be
# a multiple of the string and of their arguments: sized before they are called (`_growing_call`)
_FIELD_EXTRA = 400  # characters a formatted field may add to its value's text besides its width (a float's digits: 1e308)


def _code_generator() -> Any:
    """Jinja's code generator, with what `~` makes checked by `bounded_text` (a global of the environment)."""
    from jinja2.compiler import CodeGenerator

    class Generator(CodeGenerator):
        def visit_Concat(self, node: Any, frame: Any) -> None:
            self.write("environment.globals['bounded_text'](")
            super().visit_Concat(node, frame)
            self.write(")")

    return Generator


@cache
def _environment(html: bool, strict: bool = False) -> SandboxedEnvironment:
    """Jinja's sandbox, bounded in time and size (`_bounded`), imported only when a channel has templates;
    `strict` (for `monitor check`): a field a value does not have (`hit.sentance`) fails instead of rendering empty."""
    from jinja2 import StrictUndefined, Undefined
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import SandboxedEnvironment

    class Bounded(SandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%", "+"})  # neither folded at compile time nor run unchecked
        code_generator_class = _code_generator()

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "+" and isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
                _not_past(len(left) + len(right))  # doubled in a loop: 50,000 characters x 2**20
            if operator == "%" and isinstance(left, str):
                _small_widths(left, printf=True)
                _small(right if isinstance(right, tuple) else (right,), {})
                _not_past(_printf_size(left, right), reckoned=True)
            repeated = any(isinstance(a, str | list | tuple) and isinstance(n, int) and len(a) * n > OUTPUT_MAX for a, n in ((left, right), (right, left)))
            power = isinstance(left, int) and isinstance(right, int) and abs(left) > 1 and right > 64
            huge = isinstance(left, int) and isinstance(right, int) and operator in ("*", "**") and (  # squared or raised again and again
                left.bit_length() + right.bit_length() if operator == "*" else left.bit_length() * right) > INT_BITS_MAX
            if operator == "*" and repeated or operator == "**" and power or huge:
                raise SecurityError(f"{_short(left)} {operator} {_short(right)} is too large for a template")
            return _made(super().call_binop(context, operator, left, right))

        def wrap_str_format(self, value: Any) -> Any:
            wrapped = super().wrap_str_format(value)  # a str's format or format_map: sized before it is made
            if wrapped is None:
                return None
            _small_widths(value.__self__, printf=False)

            def sized(*args: Any, **kwargs: Any) -> Any:
                return wrapped(*_growing_call(value.__self__, value.__name__, args, kwargs), **kwargs)

            return sized

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805  (Jinja's names)
            _small(args, kwargs)
            if isinstance(getattr(__obj, "__self__", None), str) and getattr(__obj, "__name__", "") in _GROWING:
                args = _growing_call(__obj.__self__, __obj.__name__, args, kwargs)
            if isinstance(getattr(__obj, "__self__", None), _CHANGEABLE):  # what it is given is kept: counted as made
                for value in (*args, *kwargs.values()):
                    _made(value, 8 * len(value) if isinstance(value, str) else 0)  # (`l.extend(body)`: an item a character)
            return _made(super().call(__context, __obj, *args, **kwargs))

    def bounded_range(*args: int) -> range:
        items = range(*args)
        given = _ITEMS.get() + len(items)
        if given > ITEMS_MAX:
            raise SecurityError(f"the template's loops go over more than {ITEMS_MAX} items")
        _ITEMS.set(given)
        return items

    env = Bounded(autoescape=html, keep_trailing_newline=True, undefined=StrictUndefined if strict else Undefined)
    env.globals["bounded_text"] = _bounded_text
    env.globals["range"] = bounded_range
    env.filters = {name: _checked(f) for name, f in env.filters.items()}  # filters are called directly, not through `call`
    env.filters["format"] = _checked_format(env.filters["format"])
    env.filters["join"] = _checked_join(env.filters["join"])
    env.filters["replace"] = _checked_replace(env.filters["replace"])
    env.filters["sum"] = _checked_sum(env.filters["sum"])
    for name, size in (("indent", _indent_size), ("wordwrap", _wordwrap_size), ("urlize", _urlize_size)):
        env.filters[name] = _reckoned(env.filters[name], size)
    env.globals.pop("lipsum", None)  # paragraphs of filler on demand: nothing an alert needs
    return env


def _short(value: Any) -> str:
    """A value in a line, its first 20 characters (an integer of more than 64 bits by its size: Python refuses to write
    one of over 4,300 digits)."""
    if isinstance(value, int) and value.bit_length() > 64:
        return f"a {value.bit_length():,}-bit integer"
    return f"{value!r:.20}"


def _small(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Refuse a number past OUTPUT_MAX given to a filter or a method: a width (`center(300000000)`, `ljust`, `indent`)
    makes its string before the output's bound can see it (1.1 GB)."""
    from jinja2.exceptions import SecurityError

    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and abs(value) > OUTPUT_MAX:
            raise SecurityError(f"{_short(value)} is too large for a template")


def _not_past(size: int, reckoned: bool = False) -> None:
    """Refuse a string or list a template is about to make of more than OUTPUT_MAX characters or items (`reckoned`: that
    many at most, the size of a call's result reckoned before it is made)."""
    from jinja2.exceptions import SecurityError

    if size > OUTPUT_MAX and reckoned:
        raise SecurityError(f"a value that may come to more than {OUTPUT_MAX:,} characters is too large for a template")
    if size > OUTPUT_MAX:
        raise SecurityError(f"a value of {size:,} characters or items is too large for a template")


def _bounded_text(text: Any) -> Any:
    """What `~` made (`a ~ b`), refused past OUTPUT_MAX: made from parts so bounded, it is at most a few times that."""
    _not_past(len(text))
    return _made(text)


def _made(value: Any, more: int = 0) -> Any:
    """The value, counted toward what the render under way has made (MADE_MAX): a string by its characters, a list,
    tuple, dict or set by 8 an item and the characters of the strings in it (and `more`). Each value a template makes is bounded;
    this bounds them all together, kept at each turn of a loop in a container or a namespace."""
    from jinja2.exceptions import SecurityError

    if isinstance(value, str):
        size = len(value)
    elif isinstance(value, list | tuple | set | frozenset | deque):
        size = 8 * len(value) + sum(len(x) for x in value if isinstance(x, str))
    elif isinstance(value, dict):
        size = 8 * len(value) + sum(len(x) for pair in value.items() for x in pair if isinstance(x, str))
    else:
        return value
    made = _MADE.get() + size + more
    if made > MADE_MAX:
        raise SecurityError(f"the template's values come to more than {MADE_MAX:,} characters or items (a value kept at each turn of a loop?)")
    _MADE.set(made)
    return value


def _replaced_size(text: Any, old: Any, new: Any, count: Any) -> int:
    """The length of `text.replace(old, new, count)`, reckoned without making it (0 when it is no such call)."""
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return 0
    times = text.count(old) if old else len(text) + 1
    return len(text) + min(times, count if isinstance(count, int) and count >= 0 else times) * max(0, len(new) - len(old))


def _growing_call(text: str, name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a call of a str method of `_GROWING` whose result could pass OUTPUT_MAX, reckoned before it is made (made,
    then counted, it took a gigabyte or more: `body.replace(" ", body)`, `("{0}" * 300000).format(body)`,
    `body.translate({32: long})`); the call's arguments (what join is given, as a list: counted, then joined)."""
    if name == "replace" and len(args) >= 2:
        _not_past(_replaced_size(text, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count", -1)))
    elif name == "join" and args:
        args = (list(args[0]), *args[1:])
        _not_past(sum(len(x) if isinstance(x, str) else 0 for x in args[0]) + len(text) * max(0, len(args[0]) - 1))
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        _not_past(len(text) + text.count("\t") * (size if isinstance(size, int) and size > 0 else 0), reckoned=True)
    elif name == "translate" and args:
        table = args[0]
        values = table.values() if isinstance(table, dict) else table if isinstance(table, list | tuple) else ()
        _not_past(len(text) * max([1, *(len(v) for v in values if isinstance(v, str))]), reckoned=True)
    elif name == "format":
        _not_past(_brace_size(text, args, kwargs), reckoned=True)
    elif name == "format_map" and args and isinstance(args[0], dict):
        _not_past(_brace_size(text, (), args[0]), reckoned=True)
    return args


def _text_size(value: Any, conversion: str | None) -> int:
    """At most the characters a value comes to in a formatted field (`!r`, `!a`, `%r`, `%a`: up to 10 a character)."""
    return len(str(value)) * (10 if conversion in ("r", "a") else 1)


def _brace_size(fmt: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int:
    """At most the length of `fmt.format(*args, **kwargs)`: each field its value's text (the whole value, for `{0[1]}`
    or `{0.x}`), its width, and the widest number given (a nested `{:{w}}`)."""
    import string

    widest = max([0, *(abs(v) for v in (*args, *kwargs.values()) if isinstance(v, int) and not isinstance(v, bool))])
    size, auto = 0, 0
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:  # not a format string: str.format says so
        return 0
    for literal, field, spec, conversion in fields:
        size += len(literal)
        if field is None:
            continue
        key = re.split(r"[.\[]", field, maxsplit=1)[0]
        if key == "":
            key, auto = str(auto), auto + 1
        value = (args[int(key)] if int(key) < len(args) else "") if key.isdecimal() else kwargs.get(key, "")
        numbers = [int(n) for n in re.findall(r"\d+", spec or "")]
        size += _text_size(value, conversion) + sum(numbers) + (widest if "{" in (spec or "") else 0) + _FIELD_EXTRA
        if size > OUTPUT_MAX:  # enough to refuse it
            break
    return size


def _printf_size(fmt: str, values: Any) -> int:
    """At most the length of `fmt % values`: each conversion its value's text (by its mapping key or in turn), its width
    and precision (`*`: the value given for it)."""
    mapping = values if isinstance(values, dict) else None
    given = iter(values if isinstance(values, tuple) else () if mapping is not None else (values,))
    size, end = 0, 0
    for spec in _PRINTF.finditer(fmt):
        size += spec.start() - end
        end = spec.end()
        key, width, precision, kind = spec.groups()
        if kind == "%":
            size += 1
            continue
        numbers = [next(given, 0) if n == "*" else int(n) if n else 0 for n in (width, precision or "")]
        value = mapping.get(key, "") if mapping is not None and key is not None else mapping if mapping is not None else next(given, "")
        size += _text_size(value, kind) + sum(abs(n) for n in numbers if isinstance(n, int)) + _FIELD_EXTRA
        if size > OUTPUT_MAX:  # enough to refuse it
            break
    return size + len(fmt) - end


def _reckoned(function: Any, size: Callable[[dict[str, Any]], int]) -> Any:
    """A filter that puts an argument of its own at each line, break or link of its value (`indent`, `wordwrap`,
    `urlize`), refused before it makes a text that may pass OUTPUT_MAX (`size`, of its arguments by name: a width of
    999,999 at each of 1,000 lines took 1.9 GB)."""
    import inspect

    signature = inspect.signature(function)

    @wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            given = signature.bind(*args, **kwargs)
        except TypeError:  # the filter's own error says it
            return function(*args, **kwargs)
        given.apply_defaults()
        _not_past(size(given.arguments), reckoned=True)
        return function(*args, **kwargs)

    return checked


def _indent_size(given: dict[str, Any]) -> int:
    text, width = str(given["s"]), given["width"]
    return len(text) + (text.count("\n") + 1) * (width if isinstance(width, int) else len(str(width)))


def _wordwrap_size(given: dict[str, Any]) -> int:
    text, width = str(given["s"]), given["width"]
    breaks = min(len(text), len(text) // max(width if isinstance(width, int) else 1, 1) + text.count(" ") + text.count("\n") + 1)
    return len(text) + breaks * len(str(given["wrapstring"] or "\n"))


def _urlize_size(given: dict[str, Any]) -> int:
    text, extra = str(given["value"]), len(str(given["target"] or "")) + len(str(given["rel"] or "")) + 100
    links = [word for word in text.split() if "." in word or "@" in word or ":" in word]  # what urlize may make a link: its text again as href
    return _escaped_size(text) + sum(_escaped_size(word) + extra for word in links)


def _escaped_size(text: str) -> int:
    """The length of `text` escaped as HTML."""
    return len(text) + sum(text.count(c) * (len(e) - 1) for c, e in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&#34;"), ("'", "&#39;")))


def _checked_join(function: Any) -> Any:
    """The `join` filter, refused before it makes a text past OUTPUT_MAX (`([body] * 1000)|join`)."""

    @wraps(function)
    def checked(eval_ctx: Any, value: Any, d: str = "", attribute: Any = None) -> Any:
        items = list(value) if attribute is None else value
        if attribute is None:
            _not_past(sum(len(x) if isinstance(x, str) else 20 for x in items) + len(d) * max(0, len(items) - 1))
        return function(eval_ctx, items, d, attribute)

    return checked


def _checked_sum(function: Any) -> Any:
    """The `sum` filter, refused before it adds up lists, tuples or strings past OUTPUT_MAX items (`|sum(start=[])` of a
    thousand lists of a million: each step a copy, hours)."""
    from jinja2.filters import make_attrgetter

    @wraps(function)
    def checked(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0) -> Any:
        items = list(iterable)
        if isinstance(start, str | list | tuple):
            values = items if attribute is None else map(make_attrgetter(environment, attribute), items)
            _not_past(len(start) + sum(len(v) for v in values if isinstance(v, str | list | tuple)))
        return function(environment, items, attribute, start)

    return checked


def _checked_replace(function: Any) -> Any:
    """The `replace` filter, refused before it makes a text past OUTPUT_MAX (`body|replace(" ", body)`)."""

    @wraps(function)
    def checked(eval_ctx: Any, s: Any, old: Any, new: Any, count: int | None = None) -> Any:
        _not_past(_replaced_size(s, old, new, count))
        return function(eval_ctx, s, old, new, count)

    return checked


def _small_widths(fmt: str, printf: bool) -> None:
    """Refuse a format string with a width or precision past OUTPUT_MAX (printf's `%0300000000d`, str.format's
    `{:>300000000}`): the string is made whole before the output's bound can see it (300 MB)."""
    from jinja2.exceptions import SecurityError

    numbers = ([n for m in _PRINTF_WIDTHS.finditer(fmt) for n in m.groups() if n] if printf
               else [n for spec in _BRACE_SPECS.findall(fmt) for n in re.findall(r"\d+", spec)])
    if any(len(n) > len(str(OUTPUT_MAX)) or int(n) > OUTPUT_MAX for n in numbers):
        raise SecurityError(f"a width or precision in {fmt[:40]!r} is too large for a template")


def _checked_format(function: Any) -> Any:
    """The `format` filter (`"%5s"|format(x)`, printf's) with its format string's widths checked."""

    @wraps(function)
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            _small_widths(value, printf=True)
            _not_past(_printf_size(value, kwargs or args), reckoned=True)
        return function(value, *args, **kwargs)

    return checked


def _checked(function: Any) -> Any:
    """A Jinja filter whose arguments after the value go through `_small` (the value itself may be large: the body)."""

    @wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        _small(args[2:] if getattr(function, "jinja_pass_arg", None) else args[1:], kwargs)
        return _made(function(*args, **kwargs))

    return checked


def _bounded(template: Any, context: dict[str, Any]) -> str:
    """The template rendered, refused once it has given more than OUTPUT_MAX characters, its loops ITEMS_MAX items, its
    values MADE_MAX, or past RENDER_SECONDS of this thread's CPU (checked at each line the template's own code runs, and at each
    Python call or generator step under it: a chain of filters on one line, `map` thirty times over the body, ran 10 s past a
    2 s bound; a trace function, the tracer in place before, a coverage tool's, put back after)."""
    from jinja2.exceptions import SecurityError

    deadline = time.thread_time() + RENDER_SECONDS

    def line(frame: Any, event: str, arg: Any) -> Any:
        if time.thread_time() > deadline:
            raise SecurityError(f"the template took more than {RENDER_SECONDS:g} s to render")
        return line

    def call(frame: Any, event: str, arg: Any) -> Any:  # (every Python call and generator step: the filters' own loops too)
        if time.thread_time() > deadline:
            raise SecurityError(f"the template took more than {RENDER_SECONDS:g} s to render")
        return line if frame.f_code.co_filename == "<template>" else None

    _ITEMS.set(0)
    _MADE.set(0)
    out, size = [], 0
    before = sys.gettrace()
    sys.settrace(call)
    try:
        for piece in template.generate(context):
            size += len(piece)
            if size > OUTPUT_MAX:
                raise SecurityError(f"the template renders more than {OUTPUT_MAX} characters")
            out.append(piece)
    finally:
        sys.settrace(before)
    return "".join(out)


def _reason(exc: BaseException) -> str:
    """What went wrong, never empty: a MemoryError (a value the template made past the machine's memory) has no message."""
    if isinstance(exc, MemoryError):
        return "out of memory (a value the template makes is too large)"
    if isinstance(exc, TypeError) and str(exc) == "no loader for this environment specified":  # include, import, extends: no file is read
        return ("a template reads no other file (include, import, from and extends are not offered): "
                "write it whole in body_template or title_template")
    return str(exc) or type(exc).__name__


def _compiled(channel: str, key: str, source: str, html: bool) -> Template | None:
    """A template compiled, or None when it is not set; a syntax error names the channel, the key and the line."""
    if not source:
        return None
    from jinja2 import TemplateError, TemplateSyntaxError

    try:
        if html:
            _escapes_all(channel, key, _environment(html).parse(source))
        return _environment(html).from_string(source)
    except TemplateSyntaxError as exc:
        raise ConfigError(f"channel {channel!r}: bad template in {key} (line {exc.lineno}): {exc.message}", key=f"channels.{channel}.{key}") from None
    except (TemplateError, MemoryError) as exc:  # a constant too large to fold, say
        raise ConfigError(f"channel {channel!r}: bad template in {key}: {_reason(exc)}", key=f"channels.{channel}.{key}") from None
    except RecursionError:  # Jinja's parser and compiler recurse per level of nesting
        raise ConfigError(f"channel {channel!r}: bad template in {key}: nested too deeply (thousands of levels)", key=f"channels.{channel}.{key}") from None


def _escapes_all(channel: str, key: str, tree: Any) -> None:
    """Refuse what would unescape a value in an HTML template (`|safe`, `{% autoescape false %}`): the alert's text is a
    feed's, and its markup would reach the mail as markup. Markup of the template's own is written in it."""
    from jinja2 import nodes

    unsafe = any(f.name == "safe" for f in tree.find_all(nodes.Filter)) or any(  # `{% filter safe %}` holds a Filter too
        o.key == "autoescape" and not (isinstance(o.value, nodes.Const) and o.value.value is True)
        for m in tree.find_all((nodes.ScopedEvalContextModifier, nodes.EvalContextModifier)) for o in m.options)
    if unsafe:
        raise ConfigError(f"channel {channel!r}: bad template in {key}: |safe and autoescape false would put the alert's text (a feed's) "
                          "into the mail as markup: write markup in the template itself; every value is escaped", key=f"channels.{channel}.{key}")


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
        return (" ".join(self._render("title_template", self.title, context).split()) if self.title else title,
                self._render("body_template", self.body, context) if self.body else body)

    def _render(self, key: str, template: Template, context: dict[str, Any]) -> str:
        try:
            return _bounded(template, context)
        except Exception as exc:  # Jinja's errors, and those of an operation on a value (`{{ severity + title }}`)
            raise DeliveryError(f"channel {self.channel!r}: {key} failed: {_reason(exc)}", channel=self.channel) from None


def template_problems(channels: list[Channel], samples_of: Callable[[Channel], list[tuple[str, dict[str, Any]]]]) -> list[str]:
    """One line per channel template that fails on one of the sample alerts its channel gets (each with the
    words saying which alert it stands for), or names a field none of them has."""
    from jinja2 import Undefined, meta

    problems = []
    for channel in channels:
        samples = samples_of(channel)
        fields = sorted({name for _, context in samples for name in context})
        for key, source, html in (("title_template", channel.title_template, False),
                                  ("body_template", channel.body_template, channel.format == "html")):
            if not source:
                continue
            env = _environment(html, strict=True)
            where = f"channels[{channel.name}].{key}"
            unknown = sorted(meta.find_undeclared_variables(env.parse(source)) - set(fields) - set(env.globals))
            if unknown:  # Jinja renders it empty, or fails at send time on its attribute or item
                problems.append(f"{where}: {unknown[0]!r} is undefined (an alert has {', '.join(fields)})")
                continue
            for which, context in samples:
                try:  # a field of another kind of alert the channel gets is undefined here as at send time: empty, not an error
                    _bounded(env.from_string(source), {name: Undefined(name=name) for name in fields} | context)
                except Exception as exc:  # Jinja's errors, and those of an operation on a value (`{{ severity + title }}`)
                    problems.append(f"{where}: {_reason(exc)}{which}")
                    break
    return problems
