"""``admin``: platform-operator operations (``/v1/admin/*``; a 404 for everyone else)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, Unpack

from .._generated.api.admin import (
    admin_discard_job,
    admin_get_organization,
    admin_list_audit_events,
    admin_list_jobs,
    admin_list_organizations,
    admin_list_sandbox_emails,
    admin_retry_job,
    admin_suspend_organization,
    admin_unsuspend_organization,
)
from .._generated.models import (
    AdminJobList,
    AdminJobOut,
    AdminListAuditEventsOrder,
    AdminListJobsState,
    AdminOrganizationList,
    AdminOrganizationOut,
    AuditEventList,
    AuditEventOut,
    SandboxEmailList,
    SandboxEmailOut,
    SuspendOrganizationIn,
)
from .._pagination import apaginate, paginate
from ._base import AsyncResource, Resource, opt
from .audit_events import AuditFilters, audit_params


def _job_params(
    state: AdminListJobsState | str | None, queue: str | None, type: str | None, limit: int | None, cursor: str | None
) -> dict[str, Any]:
    return {
        "state": opt(None if state is None else AdminListJobsState(state)),
        "queue": opt(queue),
        "type_": opt(type),
        "limit": opt(limit),
        "cursor": opt(cursor),
    }


class Admin(Resource):
    """Operator operations: organisations, suspension, the sandbox mailbox, the audit log of all, dead jobs."""

    def list_organizations(
        self, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> AdminOrganizationList:
        """One page of every organisation, oldest first; ``q``: a name substring or an ``org_…`` id."""
        return self._client._call(
            admin_list_organizations, AdminOrganizationList, q=opt(q), limit=opt(limit), cursor=opt(cursor)
        )

    def list_all_organizations(
        self, *, q: str | None = None, limit: int | None = None
    ) -> Iterator[AdminOrganizationOut]:
        """Every matching organisation, fetching ``limit`` per page."""
        return paginate(self.list_organizations, q=q, limit=limit)

    def get_organization(self, id: str) -> AdminOrganizationOut:
        """One organisation by id (``org_…``)."""
        return self._client._call(admin_get_organization, AdminOrganizationOut, id=id)

    def suspend_organization(self, id: str, *, reason: str, idempotency_key: str | None = None) -> AdminOrganizationOut:
        """Suspend an organisation: its tokens and keys answer ``403 organization_suspended``."""
        body = SuspendOrganizationIn(reason=reason)
        return self._client._call(
            admin_suspend_organization, AdminOrganizationOut, id=id, body=body, idempotency_key=idempotency_key
        )

    def unsuspend_organization(self, id: str, *, idempotency_key: str | None = None) -> AdminOrganizationOut:
        """Reactivate a suspended organisation."""
        return self._client._call(
            admin_unsuspend_organization, AdminOrganizationOut, id=id, idempotency_key=idempotency_key
        )

    def list_sandbox_emails(
        self, *, to: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> SandboxEmailList:
        """One page of the sandbox mailbox (mail kept instead of sent), newest first; ``to`` filters by recipient."""
        return self._client._call(
            admin_list_sandbox_emails, SandboxEmailList, to=opt(to), limit=opt(limit), cursor=opt(cursor)
        )

    def list_all_sandbox_emails(self, *, to: str | None = None, limit: int | None = None) -> Iterator[SandboxEmailOut]:
        """Every sandbox email (to ``to``), newest first."""
        return paginate(self.list_sandbox_emails, to=to, limit=limit)

    def list_audit_events(
        self,
        *,
        organization_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **filters: Unpack[AuditFilters],
    ) -> AuditEventList:
        """One page of the audit log across organisations (or of ``organization_id``), with the
        filters of ``audit_events.list``."""
        params = audit_params(AdminListAuditEventsOrder, filters)
        return self._client._call(
            admin_list_audit_events,
            AuditEventList,
            organization_id=opt(organization_id),
            limit=opt(limit),
            cursor=opt(cursor),
            **params,
        )

    def list_all_audit_events(
        self, *, organization_id: str | None = None, limit: int | None = None, **filters: Unpack[AuditFilters]
    ) -> Iterator[AuditEventOut]:
        """Every matching audit event, fetching ``limit`` per page."""
        return paginate(self.list_audit_events, organization_id=organization_id, limit=limit, **filters)

    def list_jobs(
        self,
        *,
        state: AdminListJobsState | str | None = None,
        queue: str | None = None,
        type: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AdminJobList:
        """One page of the jobs of every organisation in one stored ``state`` (``"dead"`` by default;
        ``"pending"``, ``"running"``, ``"succeeded"``), oldest first, with their queue, payload and
        last error; ``queue`` and ``type`` (e.g. ``"crm.import"``) filter further."""
        params = _job_params(state, queue, type, limit, cursor)
        return self._client._call(admin_list_jobs, AdminJobList, **params)

    def list_all_jobs(
        self,
        *,
        state: AdminListJobsState | str | None = None,
        queue: str | None = None,
        type: str | None = None,
        limit: int | None = None,
    ) -> Iterator[AdminJobOut]:
        """Every matching job, fetching ``limit`` per page."""
        return paginate(self.list_jobs, state=state, queue=queue, type=type, limit=limit)

    def retry_job(self, id: str, *, idempotency_key: str | None = None) -> AdminJobOut:
        """Put a dead job (``job_…``) back in its queue, due now, its attempts starting over
        (``409 job_not_dead`` for a job that is not dead)."""
        return self._client._call(admin_retry_job, AdminJobOut, id=id, idempotency_key=idempotency_key)

    def discard_job(self, id: str) -> None:
        """Delete a dead job for good (``409 job_not_dead`` for a job that is not dead)."""
        self._client._call_no_content(admin_discard_job, id=id)


class AsyncAdmin(AsyncResource):
    """Operator operations: organisations, suspension, the sandbox mailbox, the audit log of all, dead jobs."""

    async def list_organizations(
        self, *, q: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> AdminOrganizationList:
        return await self._client._call(
            admin_list_organizations, AdminOrganizationList, q=opt(q), limit=opt(limit), cursor=opt(cursor)
        )

    def list_all_organizations(
        self, *, q: str | None = None, limit: int | None = None
    ) -> AsyncIterator[AdminOrganizationOut]:
        return apaginate(self.list_organizations, q=q, limit=limit)

    async def get_organization(self, id: str) -> AdminOrganizationOut:
        return await self._client._call(admin_get_organization, AdminOrganizationOut, id=id)

    async def suspend_organization(
        self, id: str, *, reason: str, idempotency_key: str | None = None
    ) -> AdminOrganizationOut:
        body = SuspendOrganizationIn(reason=reason)
        return await self._client._call(
            admin_suspend_organization, AdminOrganizationOut, id=id, body=body, idempotency_key=idempotency_key
        )

    async def unsuspend_organization(self, id: str, *, idempotency_key: str | None = None) -> AdminOrganizationOut:
        return await self._client._call(
            admin_unsuspend_organization, AdminOrganizationOut, id=id, idempotency_key=idempotency_key
        )

    async def list_sandbox_emails(
        self, *, to: str | None = None, limit: int | None = None, cursor: str | None = None
    ) -> SandboxEmailList:
        return await self._client._call(
            admin_list_sandbox_emails, SandboxEmailList, to=opt(to), limit=opt(limit), cursor=opt(cursor)
        )

    def list_all_sandbox_emails(
        self, *, to: str | None = None, limit: int | None = None
    ) -> AsyncIterator[SandboxEmailOut]:
        return apaginate(self.list_sandbox_emails, to=to, limit=limit)

    async def list_audit_events(
        self,
        *,
        organization_id: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **filters: Unpack[AuditFilters],
    ) -> AuditEventList:
        params = audit_params(AdminListAuditEventsOrder, filters)
        return await self._client._call(
            admin_list_audit_events,
            AuditEventList,
            organization_id=opt(organization_id),
            limit=opt(limit),
            cursor=opt(cursor),
            **params,
        )

    def list_all_audit_events(
        self, *, organization_id: str | None = None, limit: int | None = None, **filters: Unpack[AuditFilters]
    ) -> AsyncIterator[AuditEventOut]:
        return apaginate(self.list_audit_events, organization_id=organization_id, limit=limit, **filters)

    async def list_jobs(
        self,
        *,
        state: AdminListJobsState | str | None = None,
        queue: str | None = None,
        type: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> AdminJobList:
        params = _job_params(state, queue, type, limit, cursor)
        return await self._client._call(admin_list_jobs, AdminJobList, **params)

    def list_all_jobs(
        self,
        *,
        state: AdminListJobsState | str | None = None,
        queue: str | None = None,
        type: str | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[AdminJobOut]:
        return apaginate(self.list_jobs, state=state, queue=queue, type=type, limit=limit)

    async def retry_job(self, id: str, *, idempotency_key: str | None = None) -> AdminJobOut:
        return await self._client._call(admin_retry_job, AdminJobOut, id=id, idempotency_key=idempotency_key)

    async def discard_job(self, id: str) -> None:
        await self._client._call_no_content(admin_discard_job, id=id)
