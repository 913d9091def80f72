"""Uploads waiting for their confirmation: the previewed file is kept in a private
temporary folder, named by the digest of user, name and content, for an hour, so the
confirmation stores exactly the file that was previewed (confirming twice stores it twice,
which changes nothing the second time)."""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
import time
from pathlib import Path

from coprod.errors import NotFound

__all__ = ["stage", "take"]

KEEP_S = 3600.0
_LOCK = threading.Lock()
_FOLDERS: list[Path] = []  # made on first use, one per process


def _folder() -> Path:
    with _LOCK:
        if not _FOLDERS:
            _FOLDERS.append(Path(tempfile.mkdtemp(prefix="coprod-uploads-")))
        return _FOLDERS[0]


def _sweep(folder: Path) -> None:
    cutoff = time.time() - KEEP_S
    for path in folder.iterdir():
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def stage(username: str, name: str, filename: str, data: bytes) -> str:
    """Keep an upload; the token that names it."""
    folder = _folder()
    _sweep(folder)
    digest = hashlib.sha256(json.dumps([username, name, filename]).encode() + b"\0" + data).hexdigest()
    (folder / f"{digest}.meta").write_text(json.dumps({"filename": filename}), encoding="utf-8")
    (folder / f"{digest}.data").write_bytes(data)
    return digest


def take(username: str, name: str, token: str) -> tuple[str, bytes]:
    """The staged (filename, data) of `token`, checked to belong to this user and name."""
    folder = _folder()
    if len(token) != 64 or not all(c in "0123456789abcdef" for c in token):
        raise NotFound("no upload waits under that token: upload the file again")
    meta, body = folder / f"{token}.meta", folder / f"{token}.data"
    if not meta.exists() or not body.exists():
        raise NotFound("the upload waited too long or was stored already: upload the file again")
    filename = str(json.loads(meta.read_text(encoding="utf-8"))["filename"])
    data = body.read_bytes()
    digest = hashlib.sha256(json.dumps([username, name, filename]).encode() + b"\0" + data).hexdigest()
    if digest != token:
        raise NotFound("no upload of yours waits under that name: upload the file again")
    return filename, data  # kept until swept: confirming twice stores the same file again
