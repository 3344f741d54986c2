"""What every resource namespace shares: the client it calls through and argument helpers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from .._generated.types import UNSET, Unset

if TYPE_CHECKING:
    from .._client import AsyncCampaignOS, CampaignOS

T = TypeVar("T")


class Resource:
    """A namespace of the sync client (``cos.<namespace>``)."""

    def __init__(self, client: CampaignOS) -> None:
        self._client = client


class AsyncResource:
    """A namespace of the async client (``acos.<namespace>``)."""

    def __init__(self, client: AsyncCampaignOS) -> None:
        self._client = client


def opt(value: T | None) -> T | Unset:
    """An optional argument: None leaves the field (or query parameter) out."""
    return UNSET if value is None else value


def opt_list(values: Sequence[str] | None) -> list[str] | Unset:
    """An optional list argument: None leaves the field out; any sequence is sent as a list."""
    return UNSET if values is None else list(values)
