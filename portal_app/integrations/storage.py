"""The one storage interface for private files (logos now; documents and
attachments later), with two backends: a local directory (the default,
`<data>/files`, outside Reflex's public upload directory) and S3-compatible
object storage through boto3 (`PORTAL_S3_BUCKET` and friends).

Files go in and out as streams of chunks, never whole in memory: `save`
writes what an upload yields while counting it and stops at `max_bytes`;
`open` yields a stored file chunk by chunk for a streaming response. Files
are only ever served through authorised routes (`api/files.py`)."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from portal_app.settings import Settings, get_settings

_KEY = re.compile(r"[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-.]*)*")
CHUNK_BYTES = 64 * 1024
S3_PART_BYTES = 8 * 1024 * 1024  # S3 parts are at least 5 MiB (but the last); memory stays at one part


class TooBig(Exception):
    """The stream went past `max_bytes`; nothing was kept."""


class Storage(Protocol):
    def save(self, key: str, chunks: Iterable[bytes], *, max_bytes: int | None = None) -> int: ...
    def open(self, key: str) -> Iterator[bytes]: ...
    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """Keys are made by our code, but refuse anything that could escape the root."""
    if not _KEY.fullmatch(key) or ".." in key or len(key) > 200:
        raise ValueError(f"bad storage key {key!r}")
    return key


def new_key(prefix: str) -> str:
    """A key nobody can guess or collide with (names people gave a file are
    kept in the database, never in the key)."""
    return check_key(f"{prefix}/{secrets.token_hex(16)}")


def _counted(chunks: Iterable[bytes], max_bytes: int | None) -> Iterator[bytes]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if max_bytes is not None and total > max_bytes:
            raise TooBig(f"more than {max_bytes} bytes")
        if chunk:
            yield chunk


def read_all(storage: Storage, key: str) -> bytes:
    """A small file (a logo) in one piece."""
    return b"".join(storage.open(key))


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def save(self, key: str, chunks: Iterable[bytes], *, max_bytes: int | None = None) -> int:
        """Write to a temporary name, then rename: readers never see half a
        file, and a refused or broken upload leaves nothing behind."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{secrets.token_hex(4)}.part")
        size = 0
        try:
            with tmp.open("wb") as out:
                for chunk in _counted(chunks, max_bytes):
                    out.write(chunk)
                    size += len(chunk)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return size

    def open(self, key: str) -> Iterator[bytes]:
        with self._path(key).open("rb") as stream:
            while chunk := stream.read(CHUNK_BYTES):
                yield chunk

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """One bucket of any S3-compatible service (AWS, MinIO, Ceph, ...).
    Uploads go as a multipart upload, one part in memory at a time; a
    refused or broken one is aborted, so no part is left (or billed)."""

    def __init__(self, settings: Settings) -> None:
        import boto3  # only when S3 is configured
        from botocore.config import Config

        self.bucket = settings.s3_bucket
        self.client = boto3.client(
            "s3", endpoint_url=settings.s3_endpoint_url, region_name=settings.s3_region,
            aws_access_key_id=settings.s3_access_key_id, aws_secret_access_key=settings.s3_secret_access_key,
            config=Config(retries={"max_attempts": 3, "mode": "standard"}),
        )

    def save(self, key: str, chunks: Iterable[bytes], *, max_bytes: int | None = None) -> int:
        """A file smaller than one part is one PUT; a bigger one a multipart
        upload, started once the first part is full."""
        key = check_key(key)
        upload, parts, buffer, size = None, [], bytearray(), 0
        try:
            for chunk in _counted(chunks, max_bytes):
                buffer += chunk
                size += len(chunk)
                if len(buffer) >= S3_PART_BYTES:
                    upload = upload or self.client.create_multipart_upload(Bucket=self.bucket, Key=key)["UploadId"]
                    parts.append(self._part(key, upload, len(parts) + 1, bytes(buffer)))
                    buffer.clear()
            if upload is None:
                self.client.put_object(Bucket=self.bucket, Key=key, Body=bytes(buffer))
                return size
            if buffer:
                parts.append(self._part(key, upload, len(parts) + 1, bytes(buffer)))
            self.client.complete_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload,
                                                  MultipartUpload={"Parts": parts})
        except BaseException:
            if upload is not None:
                self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload)
            raise
        return size

    def _part(self, key: str, upload: str, number: int, data: bytes) -> dict:
        answer = self.client.upload_part(Bucket=self.bucket, Key=key, UploadId=upload, PartNumber=number, Body=data)
        return {"PartNumber": number, "ETag": answer["ETag"]}

    def open(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=check_key(key))["Body"]
        try:
            yield from body.iter_chunks(CHUNK_BYTES)
        finally:
            body.close()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))


def make_storage(settings: Settings) -> Storage:
    return S3Storage(settings) if settings.s3_bucket else LocalStorage(settings.files_dir)


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    return make_storage(get_settings())
