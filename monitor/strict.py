"""The base of every config and watchlist model (pydantic): unknown keys refused, true or false refused where a number
is asked (`every = true`, `window: true` are slips, not 1: pydantic would read them so), and so are numbers not finite
or past LARGEST. Imports no monitor module."""

from __future__ import annotations

import math
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator
from pydantic_core import ErrorDetails


# The largest number a config or watchlist takes (31 years of seconds): TOML has inf, nan and 1e300, which passed
# `monitor check` and then failed the daemon (int(inf), a C int, a time past year 9999).
LARGEST = 1_000_000_000


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _a_number_is_not_true(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name].annotation if info.field_name else None
        numeric = {int, float} & {annotation, *get_args(annotation)}
        if isinstance(value, bool) and numeric:
            raise ValueError("should be a number, not true or false")
        if numeric and isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                raise ValueError("should be a finite number")
            if abs(value) > LARGEST:
                raise ValueError(f"should be at most {LARGEST:,}")
        return value


def shown(value: Any) -> str:
    """A value written in the config or the watchlist, as an error names it: short ones as written, else what they are."""
    if value is None:
        return "empty"
    if isinstance(value, str | int | float) and len(repr(value)) <= 60:
        return repr(value)
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, dict) else "a text" if isinstance(value, str) else type(value).__name__


def _number(value: int | float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


_BOUNDS = {"less_than_equal": ("at most", "le"), "greater_than_equal": ("at least", "ge"), "less_than": ("less than", "lt"), "greater_than": ("more than", "gt")}


def said(err: ErrorDetails) -> str | None:
    """What a validation error of a value says to the person who wrote it, with the value written ('should be a whole
    number, not 'two''), not pydantic's words ('Input should be a valid integer, unable to parse string as an integer');
    None for an error this does not word."""
    kind, value, ctx = err["type"], err.get("input"), err.get("ctx", {})
    if kind == "missing" and err["loc"]:
        return f"missing: add '{err['loc'][-1]}: ...'"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"should be a whole number, not {shown(value)}"
    if kind in ("float_parsing", "float_type"):
        return f"should be a number, not {shown(value)}"
    if kind == "string_type":
        return f"should be a text, not {shown(value)}"
    if kind in ("bool_parsing", "bool_type"):
        return f"should be true or false, not {shown(value)}"
    if kind == "too_short" and isinstance(least := ctx.get("min_length"), int):
        return f"should list at least {least} {'entry' if least == 1 else 'entries'}, not {ctx.get('actual_length', 0)}"
    if kind == "literal_error":
        return f"{err['msg'].replace('Input should be', 'should be', 1)}, not {shown(value)}"
    if kind in _BOUNDS and isinstance(value, int | float) and not isinstance(value, bool):
        words, key = _BOUNDS[kind]
        bound = ctx.get(key)
        return f"should be {words} {_number(bound)}, not {_number(value)}" if isinstance(bound, int | float) else None
    return None
