"""``jobs``: the organisation's background operations (imports, exports, …) with status and progress."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

from .._generated.api.jobs import get_job, list_jobs
from .._generated.models import JobList, JobOut, ListJobsStatus
from .._pagination import apaginate, apaginate_pages, paginate, paginate_pages
from ._base import AsyncResource, Resource, opt

# The statuses after which a job no longer changes.
FINISHED = frozenset({"succeeded", "failed"})


def _params(
    status: ListJobsStatus | str | None, type: str | None, limit: int | None, cursor: str | None
) -> dict[str, Any]:
    return {
        "status": opt(None if status is None else ListJobsStatus(status)),
        "type_": opt(type),
        "limit": opt(limit),
        "cursor": opt(cursor),
    }


class Jobs(Resource):
    """Background jobs (needs ``jobs:read``, which every role has). A job's ``resource`` names the
    import or export it works on; ``progress`` is its own report (an import's row counters)."""

    def list(
        self,
        *,
        status: ListJobsStatus | str | None = None,
        type: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> JobList:
        """One page of jobs, oldest first. ``status``: ``queued``, ``running``, ``retrying``,
        ``succeeded`` or ``failed``; ``type``: e.g. ``"crm.import"``, ``"crm.export"``."""
        return self._client._call(list_jobs, JobList, **_params(status, type, limit, cursor))

    def list_all(
        self, *, status: ListJobsStatus | str | None = None, type: str | None = None, limit: int | None = None
    ) -> Iterator[JobOut]:
        """Every matching job, fetching ``limit`` per page."""
        return paginate(self.list, status=status, type=type, limit=limit)

    def pages(
        self, *, status: ListJobsStatus | str | None = None, type: str | None = None, limit: int | None = None
    ) -> Iterator[JobList]:
        return paginate_pages(self.list, status=status, type=type, limit=limit)

    def get(self, id: str) -> JobOut:
        """One job by id (``job_…``)."""
        return self._client._call(get_job, JobOut, id=id)

    def wait(
        self,
        id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        on_progress: Callable[[JobOut], Any] | None = None,
    ) -> JobOut:
        """Poll the job every ``poll_interval`` seconds until it has ``succeeded`` or ``failed`` and
        return it (a failed job is returned, not raised). ``on_progress`` is called with every
        state read, the last one included. Raises ``TimeoutError`` when ``timeout`` seconds pass
        first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            current = self.get(id)
            if on_progress is not None:
                on_progress(current)
            if current.status in FINISHED:
                return current
            if deadline is not None and time.monotonic() + poll_interval > deadline:
                raise TimeoutError(f"job {id} is still {current.status} after {timeout} s")
            time.sleep(poll_interval)


class AsyncJobs(AsyncResource):
    """Background jobs (async); same methods as :class:`Jobs`. ``on_progress`` may be async."""

    async def list(
        self,
        *,
        status: ListJobsStatus | str | None = None,
        type: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> JobList:
        return await self._client._call(list_jobs, JobList, **_params(status, type, limit, cursor))

    def list_all(
        self, *, status: ListJobsStatus | str | None = None, type: str | None = None, limit: int | None = None
    ) -> AsyncIterator[JobOut]:
        return apaginate(self.list, status=status, type=type, limit=limit)

    def pages(
        self, *, status: ListJobsStatus | str | None = None, type: str | None = None, limit: int | None = None
    ) -> AsyncIterator[JobList]:
        return apaginate_pages(self.list, status=status, type=type, limit=limit)

    async def get(self, id: str) -> JobOut:
        return await self._client._call(get_job, JobOut, id=id)

    async def wait(
        self,
        id: str,
        *,
        poll_interval: float = 1.0,
        timeout: float | None = None,
        on_progress: Callable[[JobOut], Any | Awaitable[Any]] | None = None,
    ) -> JobOut:
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
                raise TimeoutError(f"job {id} is still {current.status} after {timeout} s")
            await asyncio.sleep(poll_interval)
