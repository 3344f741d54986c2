"""``imports``: CSV imports of contacts as background jobs (upload, progress, error report)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any

from .._generated.api.imports import create_import, get_import, list_imports
from .._generated.models import ImportList, ImportOptions, ImportOut, ImportUpload, MatchOn, OnMatch
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, model, opt, present
from ._files import Destination, FileInput, adownload_to, download_to, upload

# The statuses after which an import no longer changes.
FINISHED = frozenset({"completed", "failed"})


def _options(
    mapping: Mapping[str, str] | None, match_on: MatchOn | str | None, on_match: OnMatch | str | None
) -> ImportOptions | None:
    fields = present(mapping=mapping, match_on=match_on, on_match=on_match)
    return model(ImportOptions, **fields) if fields else None


def _errors_url(id: str) -> str:
    return f"/v1/imports/{id}/errors"


class Imports(Resource):
    """CSV imports. ``create`` uploads the file (streamed from disk, not read into memory) and
    answers at once with the import ``queued``; ``wait`` polls it until it has finished."""

    def create(
        self,
        file: FileInput,
        *,
        filename: str | None = None,
        mapping: Mapping[str, str] | None = None,
        match_on: MatchOn | str | None = None,
        on_match: OnMatch | str | None = None,
        idempotency_key: str | None = None,
    ) -> ImportOut:
        """Upload a CSV and start importing it (202).

        ``file``: a path, the CSV's bytes or a binary file object. ``mapping``: CSV header →
        contact field (``{"E-mail": "email", "Plan": "custom.plan"}``; omitted: headers that are
        field names). ``match_on``: ``"email"`` (default) or ``"phone"``; ``on_match``:
        ``"upsert"`` (default) or ``"skip"``. The upload is a single attempt (not retried): the
        server does not deduplicate uploads, so a retry could start a second import.
        """
        with upload(file, filename, "text/csv") as part:
            body = ImportUpload(file=part, options=opt(_options(mapping, match_on, on_match)))
            return self._client._call(create_import, ImportOut, body=body, idempotency_key=idempotency_key, stream=True)

    def get(self, id: str) -> ImportOut:
        """One import by id (``imp_…``) with its status and row counters."""
        return self._client._call(get_import, ImportOut, id=id)

    def list(self, *, limit: int | None = None, cursor: str | None = None) -> ImportList:
        """One page of imports, oldest first."""
        return self._client._call(list_imports, ImportList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> Iterator[ImportOut]:
        """Every import."""
        return paginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> Iterator[ImportList]:
        return paginate_pages(self.list, limit=limit)

    def wait(
        self,
        id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        on_progress: Callable[[ImportOut], Any] | None = None,
    ) -> ImportOut:
        """Poll the import every ``poll_interval`` seconds until it is ``completed`` or ``failed``
        and return it (check ``status``; a failed import is returned, not raised).
        ``on_progress`` is called with every state read, the last one included. Raises
        ``TimeoutError`` when ``timeout`` seconds pass first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = self.get(id)
            if on_progress is not None:
                on_progress(current)
            if current.status in FINISHED:
                return current
            if deadline is not None and time.monotonic() + poll_interval > deadline:
                raise TimeoutError(f"import {id} is still {current.status} after {timeout} s")
            time.sleep(poll_interval)

    def error_report(self, id: str) -> str:
        """The error report of a finished import, as CSV text (``row,column,code,reason``)."""
        return self._client.http_client.get(_errors_url(id)).text

    def download_error_report(self, id: str, dest: Destination) -> int:
        """Stream the error report into a path or binary file object; returns the bytes written."""
        return download_to(self._client, _errors_url(id), dest)


class AsyncImports(AsyncResource):
    """CSV imports (async); same methods as :class:`Imports`. ``on_progress`` may be async."""

    async def create(
        self,
        file: FileInput,
        *,
        filename: str | None = None,
        mapping: Mapping[str, str] | None = None,
        match_on: MatchOn | str | None = None,
        on_match: OnMatch | str | None = None,
        idempotency_key: str | None = None,
    ) -> ImportOut:
        with upload(file, filename, "text/csv") as part:
            body = ImportUpload(file=part, options=opt(_options(mapping, match_on, on_match)))
            return await self._client._call(
                create_import, ImportOut, body=body, idempotency_key=idempotency_key, stream=True
            )

    async def get(self, id: str) -> ImportOut:
        return await self._client._call(get_import, ImportOut, id=id)

    async def list(self, *, limit: int | None = None, cursor: str | None = None) -> ImportList:
        return await self._client._call(list_imports, ImportList, limit=opt(limit), cursor=opt(cursor))

    def list_all(self, *, limit: int | None = None) -> AsyncIterator[ImportOut]:
        return apaginate(self.list, limit=limit)

    def pages(self, *, limit: int | None = None) -> AsyncIterator[ImportList]:
        return apaginate_pages(self.list, limit=limit)

    async def wait(
        self,
        id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        on_progress: Callable[[ImportOut], Any | Awaitable[Any]] | None = None,
    ) -> ImportOut:
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
                raise TimeoutError(f"import {id} is still {current.status} after {timeout} s")
            await asyncio.sleep(poll_interval)

    async def error_report(self, id: str) -> str:
        return (await self._client.http_client.get(_errors_url(id))).text

    async def download_error_report(self, id: str, dest: Destination) -> int:
        return await adownload_to(self._client, _errors_url(id), dest)
