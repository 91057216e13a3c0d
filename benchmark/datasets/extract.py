"""Extract dataset archives so that a hostile or broken archive can neither escape nor half-fill its destination.

Every member is checked (no absolute paths, no ``..``, no links leaving the tree, no device files, no writes
through symlinks, no duplicates), sizes are checked as declared before anything is written and counted again
while writing (declared sizes can lie), and the tree is built in a temporary folder beside ``dest`` that is
renamed into place only when the whole archive passed. Only contents are restored: not modes, owners or times.
"""

from __future__ import annotations

import gzip
import lzma
import os
import re
import shutil
import stat
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import IO

from benchmark.errors import ConfigError, DataMissingError, MedbenchError

_CHUNK = 1 << 20
_MAX_LINK = 4096  # longest symlink target read from a zip entry (Linux PATH_MAX)
_MIN_GZIP = 18  # header + trailer of an empty gzip member
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
_ABSOLUTE = re.compile(r"[\\/]|[A-Za-z]:([\\/]|$)")
_SEPARATORS = re.compile(r"[\\/]+")


class UnsafeArchiveError(MedbenchError):
    """An archive member breaks an extraction rule (path, link, file type, size), or the archive is corrupt."""

    exit_code = 5


@dataclass(frozen=True)
class _Entry:
    """One archive member as declared: ``kind`` is dir, file, symlink, hardlink or special."""

    name: str
    kind: str
    size: int = 0
    link: str = ""
    open: Callable[[], IO[bytes]] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class _Limits:
    """Expansion limits: absolute bytes and bytes per byte of archive."""

    archive: str
    max_total_bytes: int
    max_ratio: float
    archive_size: int

    def check(self, total: int, member: str, counted: str) -> None:
        """Refuse once ``total`` (``counted``: declared or extracted bytes so far) passes either limit."""
        if total > self.max_total_bytes:
            raise _unsafe(
                self.archive,
                member,
                f"brings the {counted} size to {total} bytes, above max_total_bytes={self.max_total_bytes}",
            )
        ratio = total / max(self.archive_size, 1)
        if ratio > self.max_ratio:
            raise _unsafe(
                self.archive,
                member,
                f"brings the {counted} expansion ratio to {ratio:.0f}x, above max_ratio={self.max_ratio:g}",
            )


def safe_extract(
    archive: Path, dest: Path, *, max_total_bytes: int = 20 * 2**30, max_ratio: float = 200.0
) -> list[Path]:
    """Extract a .zip, .tar(.gz/.bz2/.xz), .tgz or single-file .gz ``archive`` into the folder ``dest``.

    ``dest`` is replaced as a whole, and only if every member passed; on refusal it is left untouched and
    UnsafeArchiveError names the member and the rule. A single-file .gz becomes ``dest/<name without .gz>``.
    Returns the extracted files and links (not folders) in archive order.
    """
    entries = _reader(archive)
    if not archive.is_file():
        raise DataMissingError(f"archive {archive} does not exist; fetch or place it first")
    limits = _Limits(archive.name, max_total_bytes, max_ratio, archive.stat().st_size)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".extracting", dir=dest.parent))
    try:
        with _corruption_refused(archive.name):
            with closing(entries(archive)) as declared:
                _check_declared(declared, limits)
            writer = _TreeWriter(tmp, limits)
            with closing(entries(archive)) as members:
                for entry in members:
                    writer.add(entry)
        _check_symlinks_resolve_inside(tmp, writer.written, archive.name)
        _move_into_place(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return [dest.joinpath(*parts) for parts in writer.written]


def _reader(archive: Path) -> Callable[[Path], Iterator[_Entry]]:
    """The member reader for the archive's format, chosen by suffix."""
    lower = archive.name.lower()
    if lower.endswith(_TAR_SUFFIXES):
        return _tar_entries
    if lower.endswith(".zip"):
        return _zip_entries
    if lower.endswith(".gz"):
        return _gz_entries
    raise ConfigError(
        f"{archive.name}: unsupported archive format (use .zip, .tar, .tar.gz/.tgz, .tar.bz2, .tar.xz, .gz)"
    )


def _tar_entries(archive: Path) -> Iterator[_Entry]:
    with tarfile.open(archive, "r:*") as tar:
        for info in tar:
            if info.isdir():
                yield _Entry(info.name, "dir")
            elif info.isreg():
                yield _Entry(info.name, "file", info.size, open=lambda info=info: tar.extractfile(info))
            elif info.issym():
                yield _Entry(info.name, "symlink", link=info.linkname)
            elif info.islnk():
                yield _Entry(info.name, "hardlink", link=info.linkname)
            else:
                yield _Entry(info.name, "special")


def _zip_entries(archive: Path) -> Iterator[_Entry]:
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            mode = info.external_attr >> 16 if info.create_system == 3 else 0  # Unix mode, when a Unix tool made it
            if info.is_dir() or stat.S_ISDIR(mode):
                yield _Entry(info.filename, "dir")
            elif stat.S_ISLNK(mode):
                with zf.open(info) as stream:
                    target = stream.read(_MAX_LINK).decode("utf-8", "surrogateescape")
                yield _Entry(info.filename, "symlink", link=target)
            elif stat.S_IFMT(mode) not in (0, stat.S_IFREG):  # zipfile itself writes bare permissions
                yield _Entry(info.filename, "special")
            else:
                yield _Entry(info.filename, "file", info.file_size, open=lambda info=info: zf.open(info))


def _gz_entries(archive: Path) -> Iterator[_Entry]:
    if archive.stat().st_size < _MIN_GZIP:
        raise gzip.BadGzipFile("shorter than a gzip header and trailer")
    with open(archive, "rb") as raw:
        raw.seek(-4, os.SEEK_END)
        declared = int.from_bytes(raw.read(4), "little")  # ISIZE: payload size mod 2**32, as the writer claims
    yield _Entry(archive.name[: -len(".gz")], "file", declared, open=partial(gzip.open, archive, "rb"))


@contextmanager
def _corruption_refused(archive: str) -> Iterator[None]:
    """Turn the many ways a corrupt archive fails to decode into one UnsafeArchiveError."""
    try:
        yield
    except (tarfile.TarError, zipfile.BadZipFile, gzip.BadGzipFile, EOFError, zlib.error, lzma.LZMAError) as err:
        raise UnsafeArchiveError(f"{archive}: corrupt or truncated archive ({type(err).__name__}: {err})") from None


def _check_declared(entries: Iterator[_Entry], limits: _Limits) -> None:
    """Refuse before writing anything when the declared sizes already exceed the limits."""
    total = 0
    for entry in entries:
        total += entry.size
        limits.check(total, entry.name, "declared")


class _TreeWriter:
    """Creates members under ``root`` one by one, keeping what is needed to judge the next one."""

    def __init__(self, root: Path, limits: _Limits) -> None:
        self.root = root
        self.limits = limits
        self.kinds: dict[tuple[str, ...], str] = {}
        self.written: list[tuple[str, ...]] = []
        self.total = 0

    def add(self, entry: _Entry) -> None:
        """Check ``entry`` against the rules and create it; a refusal raises UnsafeArchiveError."""
        archive = self.limits.archive
        parts = _member_parts(entry.name, archive)
        if entry.kind == "special":
            raise _unsafe(archive, entry.name, "is a device or special file")
        if not parts:
            if entry.kind == "dir":  # the archive root itself, as in "./"
                return
            raise _unsafe(archive, entry.name, "has an empty path")
        if parts in self.kinds and not (entry.kind == self.kinds[parts] == "dir"):
            raise _unsafe(archive, entry.name, "appears twice")
        self.kinds[parts] = entry.kind
        _refuse_symlink_parents(self.root, parts, entry.name, archive)
        target = self.root.joinpath(*parts)
        try:
            if entry.kind == "dir":
                target.mkdir(parents=True, exist_ok=True)
                return
            target.parent.mkdir(parents=True, exist_ok=True)
            self._create(entry, parts, target)
        except (FileExistsError, NotADirectoryError):
            raise _unsafe(archive, entry.name, "conflicts with an earlier member") from None
        self.written.append(parts)

    def _create(self, entry: _Entry, parts: tuple[str, ...], target: Path) -> None:
        archive = self.limits.archive
        if entry.kind == "symlink":
            if not _link_stays_inside(parts[:-1], entry.link):
                raise _unsafe(archive, entry.name, f"is a symlink to {entry.link!r}, which leaves the tree")
            os.symlink(entry.link, target)
        elif entry.kind == "hardlink":
            source = _hardlink_source(entry, self.kinds, archive)
            os.link(self.root.joinpath(*source), target, follow_symlinks=False)
        elif entry.open is not None:  # a "file": every reader gives files their opener
            self._copy(entry.name, entry.open, target)

    def _copy(self, name: str, opener: Callable[[], IO[bytes]], target: Path) -> None:
        """Write a file's data, counting real bytes against the limits as they arrive."""
        with opener() as src, open(target, "xb") as out:  # "x": never write through an existing path
            while chunk := src.read(_CHUNK):
                self.total += len(chunk)
                self.limits.check(self.total, name, "extracted")
                out.write(chunk)


def _member_parts(name: str, archive: str) -> tuple[str, ...]:
    """The member's path components, refusing NUL bytes, absolute paths and ``..`` (``\\`` counts as ``/``)."""
    if "\x00" in name:
        raise _unsafe(archive, name, "contains a NUL byte")
    if _ABSOLUTE.match(name):
        raise _unsafe(archive, name, "is an absolute path")
    parts = tuple(part for part in _SEPARATORS.split(name) if part not in ("", "."))
    if ".." in parts:
        raise _unsafe(archive, name, "has a '..' component that leaves the tree")
    return parts


def _link_stays_inside(folder: tuple[str, ...], link: str) -> bool:
    """Whether a relative symlink ``link`` placed in ``folder`` points inside the tree, judged lexically."""
    if not link or _ABSOLUTE.match(link):
        return False
    depth = list(folder)
    for part in _SEPARATORS.split(link):
        if part == "..":
            if not depth:
                return False
            depth.pop()
        elif part not in ("", "."):
            depth.append(part)
    return True


def _hardlink_source(entry: _Entry, kinds: dict[tuple[str, ...], str], archive: str) -> tuple[str, ...]:
    """The earlier regular file a tar hard link names (relative to the archive root)."""
    if not entry.link or _ABSOLUTE.match(entry.link) or ".." in _SEPARATORS.split(entry.link):
        raise _unsafe(archive, entry.name, f"is a hard link to {entry.link!r}, which leaves the tree")
    source = tuple(part for part in _SEPARATORS.split(entry.link) if part not in ("", "."))
    if kinds.get(source) not in ("file", "hardlink"):
        raise _unsafe(archive, entry.name, f"is a hard link to {entry.link!r}, which is not an earlier regular file")
    return source


def _refuse_symlink_parents(root: Path, parts: tuple[str, ...], name: str, archive: str) -> None:
    """Refuse members whose folder is an extracted symlink: writing there would follow the link."""
    for depth in range(1, len(parts)):
        if root.joinpath(*parts[:depth]).is_symlink():
            raise _unsafe(archive, name, "is written through a symlink")


def _check_symlinks_resolve_inside(root: Path, written: list[tuple[str, ...]], archive: str) -> None:
    """Resolve every extracted symlink on disk: chains of individually harmless links must not escape either."""
    real_root = os.path.realpath(root)
    for parts in written:
        path = root.joinpath(*parts)
        if path.is_symlink():
            resolved = os.path.realpath(path)
            if os.path.commonpath([real_root, resolved]) != real_root:
                raise _unsafe(
                    archive, "/".join(parts), "is a symlink that resolves outside the tree through other links"
                )


def _move_into_place(tmp: Path, dest: Path) -> None:
    """Rename the finished tree to ``dest``; an existing ``dest`` is swapped out and deleted only afterwards."""
    if not os.path.lexists(dest):
        os.rename(tmp, dest)
        return
    old = tmp.with_name(tmp.name + ".old")
    os.rename(dest, old)
    try:
        os.rename(tmp, dest)
    except BaseException:
        os.rename(old, dest)
        raise
    if old.is_dir() and not old.is_symlink():
        shutil.rmtree(old)
    else:
        old.unlink()


def _unsafe(archive: str, member: str, rule: str) -> UnsafeArchiveError:
    return UnsafeArchiveError(f"{archive}: member {member!r} {rule}; nothing was extracted")
