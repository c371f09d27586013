"""Keep secrets out of logs, errors and CLI output.

Secrets are registered when settings are loaded (`${ENV}` values, passwords and tokens inside channel
URLs and their config files' services, a feed URL's password, credential parameters and path tokens) and when a
verb opens the store (the URLs of feeds added there); `redact()` masks them in any string and `RedactingFilter` applies it to every log record.
"""

from __future__ import annotations

import logging
import re
import threading
import traceback
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import SplitResult, parse_qsl, unquote, urlsplit

_SHORTEST = 4  # a shorter value would mask too much


_FRESH = 64  # secrets registered since the index was built, looked for one by one; one more and it is built again


class _Registry:
    """The registered secrets, masked in one pass over a text (not one replacement per secret: thousands of feeds
    with path tokens are thousands of secrets). A regular expression of their first four characters, a trie, finds
    where one may start; there the longest that does is masked, and overlapping secrets as one mask. The index is built
    at the first text after a change; up to _FRESH secrets registered since are looked for one by one (a verb
    registering a feed and saying so, for each of thousands, would build it each time)."""

    def __init__(self) -> None:
        self._values: set[str] = set()
        self._lock = threading.Lock()
        self._state: tuple[re.Pattern[str], dict[str, list[str]], tuple[str, ...]] | None = None  # the index, the fresh

    def __iter__(self) -> Iterator[str]:
        return iter(set(self._values))

    def __len__(self) -> int:
        return len(self._values)

    def add(self, value: str) -> None:
        with self._lock:
            if len(value) < _SHORTEST or value in self._values:
                return
            self._values.add(value)
            state = self._state
            self._state = (state[0], state[1], (*state[2], value)) if state is not None and len(state[2]) < _FRESH else None

    def update(self, values: Iterable[str]) -> None:
        for value in values:
            self.add(value)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
            self._state = None

    def _current(self) -> tuple[re.Pattern[str], dict[str, list[str]], tuple[str, ...]]:
        state = self._state
        if state is None:
            with self._lock:
                state = self._state
                if state is None:
                    state = self._state = (*_index(self._values), ())
        return state

    def mask(self, text: str) -> str:
        if not self._values:
            return text
        starts, by_start, fresh = self._current()
        spans: list[tuple[int, int]] = []
        found = starts.search(text)
        while found:
            at = found.start()
            if longest := next((len(secret) for secret in by_start[found[0]] if text.startswith(secret, at)), 0):
                spans.append((at, at + longest))
            found = starts.search(text, at + 1)
        for secret in fresh:
            at = text.find(secret)
            while at >= 0:
                spans.append((at, at + len(secret)))
                at = text.find(secret, at + 1)
        if not spans:
            return text
        spans.sort()
        pieces: list[str] = []
        shown_to, (begin, end) = 0, spans[0]  # text[:shown_to] is in pieces; text[begin:end], the run being masked
        for at, stop in spans[1:]:
            if at < end:  # overlapping the run
                end = max(end, stop)
            else:
                pieces += (text[shown_to:begin], MASK)
                shown_to, begin, end = end, at, stop
        return "".join((*pieces, text[shown_to:begin], MASK, text[end:]))


def _index(secrets: set[str]) -> tuple[re.Pattern[str], dict[str, list[str]]]:
    """The trie of the secrets' first characters as a regular expression, and the secrets of each such start, longest first."""
    if not secrets:
        return re.compile("(?!)"), {}
    by_start: dict[str, list[str]] = {}
    for secret in sorted(secrets, key=len, reverse=True):
        by_start.setdefault(secret[:_SHORTEST], []).append(secret)
    trie: dict[str, Any] = {}
    for start in by_start:
        node = trie
        for char in start:
            node = node.setdefault(char, {})
    return re.compile(_alternation(trie)), by_start


def _alternation(node: dict[str, Any]) -> str:
    branches = [re.escape(char) + _alternation(rest) for char, rest in sorted(node.items())]
    return "" if not branches else branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"


_SECRETS = _Registry()
_FEEDS: set[str] = set()  # the feed URLs whose secrets are registered
# A scheme of at most 32 characters: unbounded, it was matched from every letter of a long run to its end (quadratic).
_URL_PASSWORD = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]{0,31}://)(?P<user>[^:/@\s]+):(?P<pw>[^@\s/]+)@", re.I)
# A credential's value ends where the URL does: at `&`, `;`, `#`, a space or a quote, and before a closing
# `)`, `.`, `,` or `:` (`source 3 (https://h/?token=X): ...`, `xmlUrl="https://h/?key=X"` keep their punctuation).
_CREDENTIALS = r"token|key|apikey|secret|passw(?:or)?d|pass|auth|session"
_VALUE = r"[^&;#\s\"'<>]*[^&;#\s\"'<>).,:]"
# A token as an http(s) URL's user name, no password (`https://ghp_...@host/feed.atom`, GitHub's and GitLab's private feeds):
# at least 12 characters, letters and digits both (a plain user name, `reader@`, is shown).
_URL_TOKEN_USER = re.compile(r"(?P<scheme>https?://)(?P<user>[\w.~%-]{12,})@", re.I)
_QUERY_SECRET = re.compile(rf"(?P<key>[?&;](?:[\w.-]*[_.-])?(?:{_CREDENTIALS}|sig|signature)=){_VALUE}", re.I)
# In a feed's own article link a signature (`sig=`, `Signature=`, `X-Amz-Signature=`) is kept: it opens that one link
# (a signed link masked opened nothing); the link's `token=`-like parameters and registered secrets are still masked.
_LINK_SECRET = re.compile(rf"(?P<key>[?&;](?:[\w.-]*[_.-])?(?:{_CREDENTIALS})=){_VALUE}", re.I)
MASK = "****"
# A query parameter of a channel URL that carries a credential: Apprise sends `+Name=value` as an HTTP header
# (`+Authorization=Bearer ...`, `+X-Api-Key=...`) and `:name=value` as a payload key of json:// and the like.
_CREDENTIAL_NAME = re.compile(r"token|key|secret|passw|pass|auth|sig|session|cookie", re.I)


def register_secret(value: str) -> None:
    """Remember a value that must never be printed (ignores short values that would mask too much)."""
    _SECRETS.add(value)


def register_url_secrets(url: str) -> None:
    """Register the secrets of a channel URL (`url_secrets`)."""
    for secret in url_secrets(url):
        register_secret(secret)


def register_feed_secrets(url: str) -> None:
    """Register the secrets of a feed URL (written in the config or given to `sources add`; `feed_url_secrets`), once
    per URL (polls register their feeds' at every tick): its items' links may carry the same token."""
    if url in _FEEDS:
        return
    for secret in feed_url_secrets(url):
        register_secret(secret)
    _FEEDS.add(url)


# A token in a feed URL's path (`https://host/feeds/<token>/rss`, private feeds' way): a run of 16 or more letters and
# digits, both mixed (hex, base62: what a generated token looks like), or a UUID. A slug (`covid19-updates`), a word, a
# date or a number (an id, `/123456789012345678/`) is none: shown, as it must stay readable in `monitor sources`.
_PATH_TOKEN = re.compile(r"(?<![A-Za-z0-9])(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[A-Za-z0-9]{16,})(?![A-Za-z0-9])", re.I)


# Hosts whose feed paths name public things only, with no private feed: Google News's topic, story and section ids
# (`/rss/topics/CAAqJggKIiBD...`, base64) look like generated tokens; masked, an exported topic feed could not be polled.
_PUBLIC_PATHS = frozenset({"news.google.com"})


def feed_url_secrets(url: str) -> set[str]:
    """A feed URL's secrets: its password, the values of query parameters named like a credential, the tokens of its
    path (`_PATH_TOKEN`; none on a host of `_PUBLIC_PATHS`) and a `feed=` parameter's, as Reddit's private feeds give."""
    found = url_secrets(url, paths=False)
    parts = _split(url)
    if (parts.hostname or "") in _PUBLIC_PATHS:
        return found
    for token in _PATH_TOKEN.findall(parts.path):
        if "-" in token or _token_like(token):
            found.add(token)
    for name, value in parse_qsl(parts.query):  # Reddit's private feeds: `?feed=<token>&user=NAME` (WordPress's `?feed=rss2` is none)
        if name == "feed" and _PATH_TOKEN.fullmatch(value) and ("-" in value or _token_like(value)):
            found.add(value)
    return found


def _split(url: str) -> SplitResult:
    """A URL's parts, for its secrets; one urlsplit refuses (a broken IPv6 host, `http://[oops/feed`) is split with its
    brackets taken as letters, so that its password, path and query are still found."""
    try:
        return urlsplit(url)
    except ValueError:
        return urlsplit(url.replace("[", "_").replace("]", "_"))


def url_secrets(url: str, paths: bool = True) -> set[str]:
    """The password, with `paths` the path tokens (Slack, Discord, ... keep tokens there) and a token where a port goes
    (Telegram's `tgram://BOT_ID:TOKEN/`), and the values of query parameters, headers (`+Name=`) and payload keys
    (`:name=`) named like a credential of a channel URL."""
    parts = _split(url)
    found: set[str] = set()
    if parts.password:
        found.add(parts.password)
    host = parts.netloc.rpartition("@")[2]
    _, colon, after = host.partition(":")
    if paths and colon and not host.startswith("[") and not after.isdigit():  # `tgram://BOT_ID:TOKEN/...`: no port
        found.add(after)
    for token in re.split(r"[/?&=]", parts.path) if paths else ():
        if len(token) >= 8 and re.search(r"\d", token) and re.search(r"[A-Za-z]", token):
            found.add(token)
    for raw in re.split(r"[&;]", parts.query):
        name, _, value = raw.partition("=")
        if value and _CREDENTIAL_NAME.search(unquote(name)):
            found.add(value)  # as written in the URL (Apprise shows it so) and as sent
            found.update(decoded for _, decoded in parse_qsl(raw))
    return {each for each in found if each}


def redact(text: str, links: Iterable[str] = ()) -> str:
    """Mask registered secrets, any `user:password@` in URLs and the values of query parameters named
    like a credential (`?token=`, `&api_key=`, `sig=` …: feed URLs added by hand carry them too); where `text`
    holds one of `links` (an article's own link), its signature parameters are kept (`_LINK_SECRET`)."""
    text = _SECRETS.mask(text)
    links = [_SECRETS.mask(link) for link in links]
    kept = sorted({link for link in links if link}, key=len, reverse=True)
    pieces = re.split("(" + "|".join(map(re.escape, kept)) + ")", text) if kept else [text]  # odd pieces: the links
    text = "".join((_LINK_SECRET if i % 2 else _QUERY_SECRET).sub(lambda m: m["key"] + MASK, piece) for i, piece in enumerate(pieces))
    text = _URL_PASSWORD.sub(lambda m: f"{m['scheme']}{m['user']}:{MASK}@", text)
    return _URL_TOKEN_USER.sub(lambda m: m["scheme"] + (MASK if _token_like(m["user"]) else m["user"]) + "@", text)


def _token_like(name: str) -> bool:
    return bool(re.search(r"\d", name) and re.search(r"[A-Za-z]", name))


class RedactingFilter(logging.Filter):
    """A logging filter that redacts the formatted message of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info:  # a traceback can quote a URL too
            record.exc_text = redact("".join(traceback.format_exception(*record.exc_info)).rstrip())
            record.exc_info = None
        return True


# beside C0 and C1: the bidi controls (U+061C, U+200E-F, U+202A-E, U+2066-9), line and paragraph separators, and the format
# characters that show nothing (zero-width space U+200B, word joiner and invisible operators U+2060-4, the deprecated
# U+206A-F, the byte order mark U+FEFF, the combining grapheme joiner U+034F, the Hangul fillers U+3164 and U+FFA0, Khmer's
# inherent vowels U+17B4-5): 'Kataeb\u200bHezbollah' looked like the watched name. The zero-width non-joiner
# and joiner (U+200C-D) too, but between two characters of the scripts they shape (Hebrew to Sinhala, Thai to Mongolian,
# Arabic presentation forms; Persian writes ZWNJ in most words, the watchlist's aliases too) or of an emoji sequence,
# where they show in what they do. So are the other characters that show nothing but where they do their work (`_works`):
# a soft hyphen U+00AD inside a word (German feeds' &shy;; a browser shows it where it breaks a line, and the matcher
# reads the word through it), a variation selector U+FE00-F after the character it varies (one; an emoji's or a symbol's
# U+FE0E-F, an ideograph's, a Myanmar or Mongolian letter's, a mathematical operator's; U+E0100-EF after an ideograph),
# Mongolian's free variation selectors after its letters, and the tag characters U+E0020-7F of a flag (U+1F3F4, then the
# tags, then the cancel tag U+E007F: England's). Elsewhere they hide text: 'Hez\ufe0fbollah' showed as the watched name
# the matcher does not read in it, and a run of tags or of selectors carries a message no one sees (ASCII smuggling).
_INVISIBLE = "\u034f\u061c\u17b4\u17b5\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0"
_AT_WORK = "\u00ad\u180b-\u180f\u200c\u200d\ufe00-\ufe0f\U000e0000-\U000e007f\U000e0100-\U000e01ef"  # kept where they work (`_works`)
_SHAPED = re.compile("[\u0590-\u0fff\u1000-\u109f\u1780-\u18af\ufb1d-\ufdff\ufe70-\ufefc\u2600-\u27bf\ufe0f\U0001f000-\U0001faff]")
_VARIED = re.compile("[\u1000-\u109f\u1800-\u18af\u2200-\u22ff\u2a00-\u2aff\u2e80-\u9fff\ua840-\ua87f\ua9e0-\ua9ff\uaa60-\uaa7f"
                     "\uf900-\ufaff\U00020000-\U0003ffff]")  # scripts and symbols with variation sequences of any selector
_IDEOGRAPH = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]")
_MONGOLIAN = re.compile("[\u1820-\u18aa]")
_FLAG, _CANCEL_TAG, _TAGS_AT_MOST = "\U0001f3f4", "\U000e007f", 8  # a subdivision flag's tags: 'gbeng' and the cancel tag
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_CONTROL = re.compile(f"[\x00-\x1f\x7f-\x9f{_INVISIBLE}{_AT_WORK}]")
_CONTROL_BUT_LINES = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_INVISIBLE}{_AT_WORK}]")


def _works(char: str, at: int, text: str) -> bool:
    """Whether a character of `_AT_WORK` at `at` in `text` does its work there (so is seen in what it does)."""
    before, after = text[at - 1 : at], text[at + 1 : at + 2]
    if char in "\u200c\u200d":  # a joiner shaping two letters, joining an emoji
        return bool(before and after and _SHAPED.match(before) and _SHAPED.match(after))
    if char == "\u00ad":  # a soft hyphen inside a word
        return before.isalpha() and after.isalpha()
    if "\ufe00" <= char <= "\ufe0f":  # one selector after what it varies
        if _VARIED.match(before):
            return True
        return char >= "\ufe0e" and bool(before) and not (before.isalpha() or before.isspace() or _AT_WORK_CHAR.match(before))
    if "\U000e0100" <= char <= "\U000e01ef":
        return _IDEOGRAPH.match(before) is not None
    if "\u180b" <= char <= "\u180f":
        return _MONGOLIAN.match(before) is not None
    return _in_flag(at, text)


def _in_flag(at: int, text: str) -> bool:
    """Whether the tag character at `at` is one of a flag's: U+1F3F4, tags U+E0020-7E, the cancel tag (a few at most)."""
    start = at
    while start > 0 and at - start <= _TAGS_AT_MOST and "\U000e0020" <= text[start - 1] <= "\U000e007e":
        start -= 1
    end = at
    while end < len(text) and end - start <= _TAGS_AT_MOST and "\U000e0020" <= text[end] <= "\U000e007e":
        end += 1
    return start > 0 and text[start - 1] == _FLAG and end < len(text) and text[end] == _CANCEL_TAG and 0 < end - start <= _TAGS_AT_MOST


_AT_WORK_CHAR = re.compile(f"[{_AT_WORK}]")


def _written_out(found: re.Match[str]) -> str:
    char, at, text = found[0], found.start(), found.string
    if _AT_WORK_CHAR.match(char) and _works(char, at, text):
        return char
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}" if ord(char) < 0x10000 else f"\\U{ord(char):08x}")


def terminal_safe(text: str) -> str:
    """`text` (a JSON document, say) with what `printable` writes out as \\uXXXX, a JSON string's own escape."""
    return _CONTROL.sub(lambda m: m[0] if _written_out(m) == m[0] else _json_escape(m[0]), text)


def _json_escape(char: str) -> str:
    """A character as a JSON string writes it, past U+FFFF as its UTF-16 pair (`\\udb40\\udc41`: a tag character)."""
    code = ord(char)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def printable(text: str, lines: bool = False) -> str:
    """The text with control and invisible characters written out (`\\n`, `\\x1b`, `\\u202e`, `\\u200b`): one line, no terminal escapes
    (with `lines`, newlines, carriage returns and tabs are kept: a web page's preformatted message).

    Names and titles come from hostile feeds and file names: a newline (or U+2028) would forge a log
    line, an ANSI or OSC escape would drive the terminal, a bidi override would reorder what is shown, a zero-width
    character would make a name look like another.
    """
    return (_CONTROL_BUT_LINES if lines else _CONTROL).sub(_written_out, text)


def shown(text: str, links: Iterable[str] = ()) -> str:
    """What may be shown of a string anywhere a user reads it: secrets masked, control characters escaped (where it
    holds one of `links`, an article's own link, its signature kept: `redact`)."""
    return printable(redact(text, links))
