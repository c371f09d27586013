"""The base of every config and watchlist model (pydantic): unknown keys refused, and true or false refused where
a number is asked (`every = true`, `window: true` are slips, not 1: pydantic would read them so). Imports no monitor module."""

from __future__ import annotations

from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _a_number_is_not_true(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name].annotation if info.field_name else None
        if isinstance(value, bool) and {int, float} & {annotation, *get_args(annotation)}:
            raise ValueError("should be a number, not true or false")
        return value
