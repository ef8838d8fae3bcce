"""Publishing job files into Django storage atomically, under unguessable names (DESIGN §5, §9).

Files are written to a local temporary path first. On a local FileSystemStorage that path lives
inside the storage's own directory tree, so publishing is a rename: a reader sees the whole file
or nothing. Object stores (django-storages) publish an object only once its upload completes.
"""

import secrets
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage

PARTIAL_DIR = ".partial"


def new_token() -> str:
    return secrets.token_urlsafe(24)


def partial_dir() -> Path:
    if isinstance(default_storage, FileSystemStorage):
        path = Path(default_storage.location) / PARTIAL_DIR
    else:
        path = Path(tempfile.gettempdir()) / "demonstrations-partial"
    path.mkdir(parents=True, exist_ok=True)
    return path


def partial_path(job_id, role: str) -> Path:
    """A job's temporary file for one role (data, train, test, report, upload)."""
    return partial_dir() / f"{job_id}-{role}.part"


def discard_partials(job_id) -> None:
    """Remove what an earlier, interrupted attempt of this job left behind."""
    for path in partial_dir().glob(f"{job_id}-*.part"):
        path.unlink(missing_ok=True)


def discard_orphaned_partials(running_job_ids: set[str], *, older_than: timedelta) -> int:
    """Remove partial files of jobs that are not running (a killed worker's leftovers); return how many.

    Only files untouched for `older_than` go: a job taken just now may not count as running yet.
    """
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    for path in partial_dir().glob("*.part"):
        job_id = path.name[:36]
        try:
            if job_id not in running_job_ids and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    return removed


class _LocalFile(File):
    """A File that tells FileSystemStorage it may move the path instead of copying the bytes."""

    def temporary_file_path(self) -> str:
        return self.name


def publish(local_path: Path, name: str) -> str:
    """Move a finished local file into storage as `name`, replacing an earlier copy (idempotent retries)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    with open(local_path, "rb") as handle:
        saved = default_storage.save(name, _LocalFile(handle, name=str(local_path)))
    Path(local_path).unlink(missing_ok=True)
    return saved


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


@contextmanager
def local_copy(name: str, job_id) -> Iterator[Path]:
    """A local path to read a stored file from: the file itself on local storage, else a download."""
    try:
        local = Path(default_storage.path(name))
    except NotImplementedError:
        local = None
    if local is not None:
        yield local
        return
    path = partial_path(job_id, "download")
    with default_storage.open(name, "rb") as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target, 1024 * 1024)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
