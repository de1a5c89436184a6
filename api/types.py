"""Field types shared by the request schemas: text that the services and both databases take."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from core.vocabulary import Post


def _clean(value: str) -> str:
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("must be valid UTF-8 text") from exc
    return value


ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:\-]{0,119}$"

Id = Annotated[str, Field(min_length=1, max_length=120, pattern=ID_PATTERN),
               AfterValidator(_clean)]
ShortText = Annotated[str, Field(max_length=200), AfterValidator(_clean)]
LongText = Annotated[str, Field(max_length=4000), AfterValidator(_clean)]
Decision = Literal["approve", "reject"]

__all__ = ["ID_PATTERN", "Decision", "Id", "LongText", "Post", "ShortText"]
