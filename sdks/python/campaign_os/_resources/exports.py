"""``exports``: contacts (all, a filter or a segment) exported as CSV or XLSX by a background job."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from .._generated.api.exports import create_export, get_export, list_exports
from .._generated.models import ExportFormat, ExportIn, ExportList, ExportOut
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, model, opt, present
from ._files import Destination, adownload_to, download_to

# The statuses after which an export no longer changes.
FINISHED = frozenset({"completed", "failed"})


def _download_url(id: str) -> str:
    return f"/v1/exports/{id}/download"


class Exports(Resource):
    """Exports: ``create`` starts one (``queued``), ``wait`` polls it until it has finished, and
    ``download`` / ``download_to`` fetch the file."""

    def create(
        self,
        *,
        format: ExportFormat | str,
        filter: str | None = None,
        segment_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> ExportOut:
        """Start exporting contacts (202) as ``"csv"`` or ``"xlsx"``: every contact, those matching
        ``filter``, those of ``segment_id`` (``seg_…``), or both."""
        body = model(ExportIn, **present(format=format, filter=filter, segment_id=segment_id))
        return self._client._call(create_export, ExportOut, body=body, idempotency_key=idempotency_key)

    def get(self, id: str) -> ExportOut:
        """One export by id (``exp_…``)."""
        return self._client._call(get_export, ExportOut, id=id)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> ExportList:
        """One page of exports, oldest first."""
        return self._client._call(list_exports, ExportList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[ExportOut]:
        """Every export."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[ExportList]:
        return paginate_pages(self.list, limit=limit)

    def wait(
        self,
        id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        on_progress: Callable[[ExportOut], Any] | None = None,
    ) -> ExportOut:
        """Poll until the export is ``completed`` or ``failed`` and return it (see ``imports.wait``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = self.get(id)
            if on_progress is not None:
                on_progress(current)
            if current.status in FINISHED:
                return current
            if deadline is not None and time.monotonic() + poll_interval > deadline:
                raise TimeoutError(f"export {id} is still {current.status} after {timeout} s")
            time.sleep(poll_interval)

    def download(self, id: str) -> bytes:
        """The file of a completed export, in memory (for small exports; see ``download_to``)."""
        return self._client.http_client.get(_download_url(id)).content

    def download_to(self, id: str, dest: Destination) -> int:
        """Stream the file of a completed export into a path or binary file object; returns the
        bytes written."""
        return download_to(self._client, _download_url(id), dest)


class AsyncExports(AsyncResource):
    """Exports (async); same methods as :class:`Exports`. ``on_progress`` may be async."""

    async def create(
        self,
        *,
        format: ExportFormat | str,
        filter: str | None = None,
        segment_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> ExportOut:
        body = model(ExportIn, **present(format=format, filter=filter, segment_id=segment_id))
        return await self._client._call(create_export, ExportOut, body=body, idempotency_key=idempotency_key)

    async def get(self, id: str) -> ExportOut:
        return await self._client._call(get_export, ExportOut, id=id)

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> ExportList:
        return await self._client._call(list_exports, ExportList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[ExportOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[ExportList]:
        return apaginate_pages(self.list, limit=limit)

    async def wait(
        self,
        id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        on_progress: Callable[[ExportOut], Any | Awaitable[Any]] | None = None,
    ) -> ExportOut:
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = await self.get(id)
            if on_progress is not None:
                result = on_progress(current)
                if asyncio.iscoroutine(result):
                    await result
            if current.status in FINISHED:
                return current
            if deadline is not None and time.monotonic() + poll_interval > deadline:
                raise TimeoutError(f"export {id} is still {current.status} after {timeout} s")
            await asyncio.sleep(poll_interval)

    async def download(self, id: str) -> bytes:
        return (await self._client.http_client.get(_download_url(id))).content

    async def download_to(self, id: str, dest: Destination) -> int:
        return await adownload_to(self._client, _download_url(id), dest)
