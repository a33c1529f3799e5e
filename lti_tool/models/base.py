"""Column types and helpers every model shares: UTC timestamps and string enums on every backend."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    DateTime,
    Enum,
)
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def str_enum(enum: type[StrEnum], length: int) -> Enum:
    """A StrEnum column stored as its values in a VARCHAR(length): the stored strings never change.

    Non-native (no PostgreSQL ENUM type to migrate when a value is added) and without a CHECK
    constraint: adding one on SQLite rebuilds the table, and dropping a parent table with foreign keys
    on cascades into its children (migration 0021). The ORM refuses a string outside the enum
    (`validate_strings`) and reads every value back as the enum member.
    """
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
        length=length,
    )


__all__ = ["UTCDateTime", "str_enum", "utcnow"]
