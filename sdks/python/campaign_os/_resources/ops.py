"""``ops``: health, readiness and metrics (unauthenticated operator endpoints)."""

from __future__ import annotations

import json

from .._errors import CampaignOSError
from .._generated.api.ops import healthz, metrics, readyz
from .._generated.models import HealthOut, ReadinessOut
from ._base import AsyncResource, Resource


def _readiness(err: CampaignOSError) -> ReadinessOut:
    """``/readyz`` documents its 503 with a ReadinessOut body, not a problem."""
    if err.status == 503:
        try:
            return ReadinessOut.from_dict(json.loads(err.body))
        except (ValueError, KeyError, TypeError):
            pass
    raise err


class Ops(Resource):
    """Health, readiness and metrics (unauthenticated operator endpoints)."""

    def healthz(self) -> HealthOut:
        return self._client._call(healthz, HealthOut)

    def readyz(self) -> ReadinessOut:
        """Readiness; a 503 "unavailable" is returned as a ReadinessOut too (and not retried)."""
        try:
            return self._client._call(readyz, ReadinessOut, max_retries=0)
        except CampaignOSError as err:
            return _readiness(err)

    def metrics(self) -> str:
        """Prometheus text exposition."""
        return self._client._call(metrics, str)


class AsyncOps(AsyncResource):
    """Health, readiness and metrics (unauthenticated operator endpoints)."""

    async def healthz(self) -> HealthOut:
        return await self._client._call(healthz, HealthOut)

    async def readyz(self) -> ReadinessOut:
        try:
            return await self._client._call(readyz, ReadinessOut, max_retries=0)
        except CampaignOSError as err:
            return _readiness(err)

    async def metrics(self) -> str:
        return await self._client._call(metrics, str)
