"""The base of every config and watchlist model (pydantic): unknown keys refused, true or false refused where a number
is asked (`every = true`, `window: true` are slips, not 1: pydantic would read them so), and so are numbers not finite
or past LARGEST. Imports no monitor module."""

from __future__ import annotations

import math
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


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
