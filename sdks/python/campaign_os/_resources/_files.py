"""File uploads and downloads shared by ``imports`` and ``exports``: streamed, never held in memory."""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, BinaryIO, cast

from .._generated.types import File
from .._options import call_options

if TYPE_CHECKING:
    from .._client import AsyncCampaignOS, CampaignOS

# What an upload accepts: a path, the file's bytes, or a binary file object open for reading.
FileInput = str | os.PathLike[str] | bytes | IO[bytes]
# Where a download goes: a path (the file is created or replaced) or a binary file object.
Destination = str | os.PathLike[str] | IO[bytes]

CHUNK = 64 * 1024


@contextmanager
def upload(file: FileInput, filename: str | None, mime_type: str) -> Iterator[File]:
    """The generated ``File`` for a path (opened here, closed after the call), bytes or a file object."""
    if isinstance(file, (str, os.PathLike)):
        path = Path(file)
        with path.open("rb") as handle:
            yield File(payload=handle, file_name=filename or path.name, mime_type=mime_type)
    elif isinstance(file, bytes):
        yield File(payload=io.BytesIO(file), file_name=filename or "upload.csv", mime_type=mime_type)
    else:
        name = filename or Path(str(getattr(file, "name", "upload.csv"))).name
        yield File(payload=cast(BinaryIO, file), file_name=name, mime_type=mime_type)


@contextmanager
def _sink(dest: Destination) -> Iterator[IO[bytes]]:
    if isinstance(dest, (str, os.PathLike)):
        with Path(dest).open("wb") as handle:
            yield handle
    else:
        yield dest


def download_to(client: CampaignOS, url: str, dest: Destination) -> int:
    """Stream ``GET url`` into ``dest``; returns the number of bytes written."""
    written = 0
    with call_options(stream=True), client.http_client.stream("GET", url) as response, _sink(dest) as out:
        for chunk in response.iter_bytes(CHUNK):
            out.write(chunk)
            written += len(chunk)
    return written


async def adownload_to(client: AsyncCampaignOS, url: str, dest: Destination) -> int:
    """Async :func:`download_to` (the file is written with blocking writes, chunk by chunk)."""
    written = 0
    with call_options(stream=True), _sink(dest) as out:
        async with client.http_client.stream("GET", url) as response:
            async for chunk in response.aiter_bytes(CHUNK):
                out.write(chunk)
                written += len(chunk)
    return written
