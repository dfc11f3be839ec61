"""The one storage interface for private files (logos now; documents and
attachments later). The default keeps them under `<data>/files`, outside
Reflex's public upload directory; S3-compatible storage will implement the
same three methods. Files are only ever served through authorised routes."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from portal_app.settings import get_settings

_KEY = re.compile(r"[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-.]*)*")


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


def check_key(key: str) -> str:
    """Keys are made by our code, but refuse anything that could escape the root."""
    if not _KEY.fullmatch(key) or ".." in key or len(key) > 200:
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".part")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # readers never see half a file

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


@lru_cache(maxsize=1)
def get_storage() -> Storage:
    return LocalStorage(get_settings().files_dir)
