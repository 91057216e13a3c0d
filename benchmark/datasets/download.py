"""Fetch dataset files from an ordered list of sources: verified by hash, resumable and atomic.

A file is only ever visible under its final name once its hash checks out; an interrupted HTTP transfer
leaves ``<name>.part`` behind, which the next attempt resumes with a ``Range`` request. Unpinned files are
accepted only through a trust-on-first-use lock file, so unverified data is never used silently.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import http.client
import json
import logging
import netrc
import os
import re
import shutil
import sys
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit
from urllib.request import Request, url2pathname, urlopen

from tqdm import tqdm

from benchmark.errors import ChecksumError, ConfigError, DataMissingError, MedbenchError

log = logging.getLogger(__name__)

_CHUNK = 1 << 20
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_HEX32 = re.compile(r"[0-9a-fA-F]{32}")
_TRANSIENT_STATUS = frozenset({408, 425, 429})
_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
_MISMATCH = "sha256 mismatch"


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset and where to get it.

    ``urls`` are tried in order: ``http(s)://`` or ``file://`` URLs, or local folders (meaning
    ``<folder>/<name>``). ``sha256`` pins the file as hosted; ``content_sha256`` pins the gunzipped payload of a
    ``.gz`` file so that a mirror that recompressed it still verifies. ``md5`` pins the hosted file where the only
    public pin is an md5 (torchvision, MONAI and MedMNIST publish md5s). ``size`` (bytes as hosted) only feeds
    the progress bar and the how-to-fix hint.
    """

    name: str
    urls: tuple[str, ...]
    sha256: str | None = None
    content_sha256: str | None = None
    size: int | None = None
    md5: str | None = None

    @property
    def pinned(self) -> bool:
        """Whether a public source pins this file (otherwise the lock file does, after first use)."""
        return any((self.sha256, self.content_sha256, self.md5))

    def __post_init__(self) -> None:
        if not self.name or self.name in (".", "..") or "/" in self.name or "\\" in self.name:
            raise ConfigError(f"remote file name {self.name!r} must be a plain file name")
        if isinstance(self.urls, str) or not self.urls:
            raise ConfigError(f"{self.name}: urls must be a non-empty tuple of URLs or folders")
        for source in self.urls:
            scheme = urlsplit(source).scheme.lower()
            if "://" in source and scheme not in ("http", "https", "file"):
                raise ConfigError(f"{self.name}: unsupported URL scheme {scheme!r} (use http, https, file or a folder)")
        for label, value in (("sha256", self.sha256), ("content_sha256", self.content_sha256)):
            if value is not None and not _HEX64.fullmatch(value):
                raise ConfigError(f"{self.name}: {label} must be 64 hex digits, got {value!r}")
        if self.md5 is not None and not _HEX32.fullmatch(self.md5):
            raise ConfigError(f"{self.name}: md5 must be 32 hex digits, got {self.md5!r}")
        if self.content_sha256 is not None and not self.name.endswith(".gz"):
            raise ConfigError(f"{self.name}: content_sha256 only applies to .gz files")


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file's bytes, read in chunks so large files do not fill memory."""
    with open(path, "rb") as stream:
        return _hex_digest(stream)


def sha256_gzip_content(path: Path) -> str:
    """Hex SHA-256 of a gzip file's decompressed payload (independent of how it was compressed)."""
    with gzip.open(path, "rb") as stream:
        return _hex_digest(stream)


def md5_file(path: Path) -> str:
    """Hex MD5 of a file's bytes (only to match md5 pins that public loaders publish)."""
    with open(path, "rb") as stream:
        return _hex_digest(stream, hashlib.md5())


def _hex_digest(stream: BinaryIO, digest: hashlib._Hash | None = None) -> str:
    digest = hashlib.sha256() if digest is None else digest
    while chunk := stream.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class _Expected:
    """What a candidate file must hash to; both hashes ``None`` means first use of a lock entry."""

    sha256: str | None
    content_sha256: str | None
    lock: Path | None  # set when the hash comes from (or goes to) the lock file
    md5: str | None = None

    @property
    def first_use(self) -> bool:
        return self.sha256 is None and self.content_sha256 is None and self.md5 is None

    def matches(self, path: Path) -> bool:
        """True when ``path`` has the pinned hash, or for .gz the pinned payload hash (first use: always)."""
        if self.first_use:
            return True
        if self.sha256 is not None and sha256_file(path) == self.sha256.lower():
            return True
        if self.md5 is not None and md5_file(path) == self.md5.lower():
            return True
        if self.content_sha256 is None:
            return False
        try:
            return sha256_gzip_content(path) == self.content_sha256.lower()
        except (OSError, EOFError, zlib.error):  # not a valid gzip stream: certainly not the payload
            return False


def _expected(remote: RemoteFile, lock: Path | None) -> _Expected:
    """The hashes to verify against: the pinned ones, else the lock entry, else first use of the lock."""
    if remote.pinned:
        return _Expected(remote.sha256, remote.content_sha256, None, remote.md5)
    if lock is None:
        raise ConfigError(
            f"{remote.name}: no sha256 pinned and no lock file given; pin a hash or pass a lock file "
            "so the first download is recorded and later ones are verified"
        )
    return _Expected(_read_lock(lock).get(remote.name), None, lock)


def _read_lock(lock: Path) -> dict[str, str]:
    """The ``{name: sha256}`` entries of a lock file (empty when it does not exist yet)."""
    if not lock.exists():
        return {}
    try:
        entries = json.loads(lock.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ConfigError(f"lock file {lock} is not valid JSON ({err.msg} at line {err.lineno})") from None
    if not isinstance(entries, dict) or not all(isinstance(v, str) for v in entries.values()):
        raise ConfigError(f"lock file {lock} must be a JSON object mapping file names to sha256 strings")
    return entries


def _record_lock(lock: Path, name: str, digest: str) -> None:
    """Add ``name: digest`` to the lock file atomically (temp file in the same folder, then os.replace)."""
    entries = {**_read_lock(lock), name: digest}
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{lock.name}.", suffix=".tmp", dir=lock.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(entries, out, indent=2, sort_keys=True)
            out.write("\n")
        os.replace(tmp, lock)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class _Options:
    retries: int
    backoff: float
    timeout: float
    progress: bool
    token_env: str | None


class _SourceError(Exception):
    """One failed attempt on one source; ``reason`` is safe to show (no URL, query or credentials)."""

    def __init__(self, reason: str, transient: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


def fetch_file(
    remote: RemoteFile,
    raw_dir: Path,
    *,
    retries: int = 3,
    backoff: float = 0.5,
    timeout: float = 30,
    progress: bool = True,
    token_env: str | None = None,
    lock: Path | None = None,
) -> Path:
    """Return ``raw_dir/remote.name``, downloading or copying it from the first source that yields a verified file.

    Transient failures (5xx, 408/429, dropped connections, timeouts) are retried ``retries`` times per source
    with exponential ``backoff``; a 404 or a hash mismatch moves on to the next source at once. Credentials
    come from ``$token_env`` (Bearer) or ``~/.netrc`` (Basic) and go only to https or loopback hosts. With no
    pinned hash, ``lock`` must be given: the first file accepted (downloaded, or already in ``raw_dir``) has its
    sha256 recorded there, and later fetches must match it. Raises ChecksumError when every source delivered
    data with the wrong hash, DataMissingError otherwise; both name what was tried and where to put the file.
    """
    expected = _expected(remote, lock)
    raw_dir.mkdir(parents=True, exist_ok=True)
    dest = raw_dir / remote.name
    tried: list[tuple[str, str]] = []
    if dest.is_file():
        if expected.matches(dest):
            _remember_first_use(expected, remote.name, dest)
            return dest
        tried.append((str(dest), _MISMATCH))
    part = dest.with_name(dest.name + ".part")
    options = _Options(retries, backoff, timeout, progress, token_env)
    for source in remote.urls:
        reason = _fetch_from(source, remote, part, expected, options)
        if reason is None:
            _remember_first_use(expected, remote.name, part)
            os.replace(part, dest)
            return dest
        tried.append((_where(source), reason))
    raise _failure(remote, dest, expected, tried)


def _remember_first_use(expected: _Expected, name: str, path: Path) -> None:
    if expected.first_use and expected.lock is not None:
        _record_lock(expected.lock, name, sha256_file(path))


def _fetch_from(source: str, remote: RemoteFile, part: Path, expected: _Expected, options: _Options) -> str | None:
    """Leave a verified ``part`` from ``source`` and return None, or return why this source failed.

    A mismatch right after resuming may come from a stale prefix of another source or run, so that case
    restarts once from scratch before the source is given up.
    """
    attempt = 0
    restarted = False
    while True:
        try:
            resumed = _transfer(source, remote, part, options)
        except _SourceError as err:
            if not (err.transient and attempt < options.retries):
                return err.reason
            delay = options.backoff * 2**attempt
            attempt += 1
            log.warning(
                "%s: %s from %s; retry %d/%d in %.1f s",
                remote.name,
                err.reason,
                _where(source),
                attempt,
                options.retries,
                delay,
            )
            time.sleep(delay)
            continue
        if expected.matches(part):
            return None
        part.unlink()
        if restarted or not resumed:
            return _MISMATCH
        restarted = True


def _transfer(source: str, remote: RemoteFile, part: Path, options: _Options) -> bool:
    """Write ``source`` into ``part``; True when existing ``part`` bytes were kept (resume)."""
    parts = urlsplit(source)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return _http_transfer(source, remote, part, options)
    folder_or_file = Path(url2pathname(parts.path)) if scheme == "file" else Path(source).expanduser()
    _copy_local(folder_or_file / remote.name if folder_or_file.is_dir() else folder_or_file, part)
    return False


def _copy_local(src: Path, part: Path) -> None:
    try:
        shutil.copyfile(src, part)
    except FileNotFoundError:
        raise _SourceError("not found", transient=False) from None
    except (IsADirectoryError, PermissionError) as err:
        raise _SourceError(str(err.strerror).lower(), transient=False) from None


def _http_transfer(url: str, remote: RemoteFile, part: Path, options: _Options) -> bool:
    """GET ``url`` into ``part``, resuming with a Range request when ``part`` already has bytes."""
    offset = part.stat().st_size if part.exists() else 0
    request = Request(url, headers={"User-Agent": "medbench"})
    authorization = _authorization(url, options.token_env)
    if authorization:
        request.add_unredirected_header("Authorization", authorization)  # never forwarded on redirects
    if offset:
        request.add_header("Range", f"bytes={offset}-")
    try:
        response = urlopen(request, timeout=options.timeout)
    except HTTPError as err:
        err.close()
        if err.code == 416 and offset:
            return True  # nothing left to send: the part is already whole, verification decides
        transient = err.code >= 500 or err.code in _TRANSIENT_STATUS
        raise _SourceError(_status_reason(err.code, options.token_env), transient) from None
    except (OSError, http.client.HTTPException) as err:
        raise _SourceError(_network_reason(err), transient=True) from None
    with response:
        resumed = response.status == 206
        if resumed and not (offset and _range_start(response.headers.get("Content-Range")) == offset):
            part.unlink(missing_ok=True)
            raise _SourceError("unexpected Content-Range", transient=True)
        _stream(response, part, resumed, offset if resumed else 0, remote, options.progress)
    return resumed


def _stream(
    response: http.client.HTTPResponse, part: Path, append: bool, offset: int, remote: RemoteFile, progress: bool
) -> None:
    """Copy the response body into ``part``; a body shorter than Content-Length is a dropped connection."""
    length = _int_or_none(response.headers.get("Content-Length"))
    total = offset + length if length is not None else remote.size
    received = 0
    show = progress and sys.stderr.isatty()
    with (
        open(part, "ab" if append else "wb") as out,
        tqdm(
            total=total,
            initial=offset,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=remote.name,
            disable=not show,
        ) as bar,
    ):
        while True:
            try:
                chunk = response.read(_CHUNK)
            except (OSError, http.client.HTTPException) as err:
                raise _SourceError(_network_reason(err), transient=True) from None
            if not chunk:
                break
            out.write(chunk)
            received += len(chunk)
            bar.update(len(chunk))
    if length is not None and received < length:
        raise _SourceError("connection dropped", transient=True)


def _range_start(content_range: str | None) -> int | None:
    """First byte offset of a ``Content-Range: bytes <start>-<end>/<total>`` header."""
    match = re.fullmatch(r"\s*bytes\s+(\d+)-\d+/(\d+|\*)\s*", content_range or "")
    return int(match.group(1)) if match else None


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _may_send_credentials(url: str) -> bool:
    """Credentials travel only over https, or plain http to this machine (test servers, local proxies)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme == "https" or (scheme == "http" and parts.hostname in _LOOPBACK_HOSTS)


def _authorization(url: str, token_env: str | None) -> str | None:
    """The Authorization header value: Bearer ``$token_env`` if set, else Basic from ~/.netrc for the host."""
    if not _may_send_credentials(url):
        return None
    token = os.environ.get(token_env) if token_env else None
    if token:
        return f"Bearer {token}"
    host = urlsplit(url).hostname
    try:
        entry = netrc.netrc().authenticators(host) if host else None
    except (OSError, netrc.NetrcParseError):  # no ~/.netrc, or one we must not read: go anonymous
        return None
    if entry is None:
        return None
    login, _account, password = entry
    return "Basic " + base64.b64encode(f"{login}:{password or ''}".encode()).decode("ascii")


def _status_reason(code: int, token_env: str | None) -> str:
    hint = f" (check ${token_env})" if code in (401, 403) and token_env else ""
    return f"{code}{hint}"


def _network_reason(err: BaseException) -> str:
    """A short cause for a network failure that never echoes the URL."""
    cause = err.reason if isinstance(err, URLError) and isinstance(err.reason, BaseException) else err
    if isinstance(cause, TimeoutError):
        return "timeout"
    if isinstance(cause, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, http.client.IncompleteRead)):
        return "connection dropped"
    if isinstance(cause, OSError) and cause.strerror:
        return cause.strerror.lower()
    return type(cause).__name__


def _where(source: str) -> str:
    """Where a source points, for messages: host[:port] for URLs (no path, query or user info), else the path."""
    parts = urlsplit(source)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        try:
            port = parts.port
        except ValueError:
            port = None
        host = parts.hostname or "?"
        return f"{host}:{port}" if port else host
    return url2pathname(parts.path) if scheme == "file" else source


def _failure(remote: RemoteFile, dest: Path, expected: _Expected, tried: list[tuple[str, str]]) -> MedbenchError:
    """The one-line error after every source failed: what was tried, and how to fix it by hand."""
    attempts = ", ".join(f"{where} ({reason})" for where, reason in tried)
    if all(reason == _MISMATCH for _, reason in tried):
        why = (
            f"the lock file {expected.lock} pins {expected.sha256}; remove that entry only if the new data is trusted"
            if expected.lock is not None
            else "the pinned hash may be stale or every source is corrupted"
        )
        return ChecksumError(
            f"{remote.name} failed verification from every source, tried {attempts}; {why}; "
            f"place a verified copy at {dest}"
        )
    facts = [f"sha256 {expected.sha256}"] if expected.sha256 else []
    facts += [f"gunzipped sha256 {expected.content_sha256}"] if expected.content_sha256 else []
    facts += [f"md5 {expected.md5}"] if expected.md5 else []
    facts += [f"{remote.size} bytes"] if remote.size is not None else []
    detail = f" ({', '.join(facts)})" if facts else ""
    return DataMissingError(
        f"could not fetch {remote.name}, tried {attempts}; place the file{detail} at {dest} and rerun"
    )
