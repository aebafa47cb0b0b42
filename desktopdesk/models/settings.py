"""Stored setting values; their keys, types and defaults are declared in the domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from desktopdesk.models.base import Base, Replicated


class SettingValue(Replicated, Base):
    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), unique=True)
    value: Mapped[Any] = mapped_column(JSON)
