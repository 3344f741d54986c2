"""What every resource namespace shares: the client it calls through and argument helpers."""

from __future__ import annotations

import datetime
import enum
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from .._generated.types import UNSET, Unset

if TYPE_CHECKING:
    from .._client import AsyncCampaignOS, CampaignOS

T = TypeVar("T")
M = TypeVar("M", bound="_Model")


class _Model(Protocol):
    """A generated model: built from, and turned into, its JSON form."""

    @classmethod
    def from_dict(cls: type[M], src_dict: Mapping[str, Any]) -> M: ...

    def to_dict(self) -> dict[str, Any]: ...


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


def to_json(value: Any) -> Any:
    """The JSON form of an argument: generated models, enums, dates, mappings and sequences of them."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def model(cls: type[M], **fields: Any) -> M:
    """A request model from JSON-named fields; ``UNSET`` fields are left out, ``None`` is sent as null.

    Nested values may be generated models or plain mappings (``{"status": "opted_in"}``).
    """
    return cls.from_dict({k: to_json(v) for k, v in fields.items() if not isinstance(v, Unset)})


def present(**fields: Any) -> dict[str, Any]:
    """The fields that are not None (create methods: None leaves a field out)."""
    return {k: v for k, v in fields.items() if v is not None}


def fields_of(scope: dict[str, Any], *skip: str) -> dict[str, Any]:
    """A method's body fields from its ``locals()``: the arguments but ``self``, ``idempotency_key``
    and ``skip`` (path parameters)."""
    return {k: v for k, v in scope.items() if k not in ("self", "idempotency_key", *skip)}
