"""fetch_file against a real HTTP server on 127.0.0.1: verification, resume, mirrors, retries, credentials."""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
from pathlib import Path

import pytest
from http_fixture import FileServer

from benchmark.datasets.download import (
    RemoteFile,
    _may_send_credentials,
    fetch_file,
    sha256_file,
    sha256_gzip_content,
)
from benchmark.errors import ChecksumError, ConfigError, DataMissingError

BODY = os.urandom(300_000)  # incompressible, several read chunks' worth of network packets
BODY_SHA = hashlib.sha256(BODY).hexdigest()


def _fetch(remote: RemoteFile, raw_dir: Path, **kwargs: object) -> Path:
    """fetch_file without progress bars or real backoff sleeps."""
    return fetch_file(remote, raw_dir, progress=False, backoff=0, **kwargs)  # type: ignore[arg-type]


def test_hash_helpers_match_hashlib_on_multi_chunk_files(tmp_path: Path) -> None:
    payload = os.urandom(3 * 2**20 + 17)  # spans several 1 MiB chunks
    plain = tmp_path / "x.bin"
    plain.write_bytes(payload)
    packed = tmp_path / "x.bin.gz"
    packed.write_bytes(gzip.compress(payload, compresslevel=1))
    assert sha256_file(plain) == hashlib.sha256(payload).hexdigest()
    assert sha256_gzip_content(packed) == hashlib.sha256(payload).hexdigest()
    assert sha256_file(packed) != sha256_gzip_content(packed)


def test_plain_download_is_verified_and_atomic(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY)
    path = _fetch(RemoteFile("data.bin", (url,), sha256=BODY_SHA), tmp_path / "raw")
    assert path == tmp_path / "raw" / "data.bin"
    assert path.read_bytes() == BODY
    assert sorted(p.name for p in path.parent.iterdir()) == ["data.bin"]  # no .part left over


def test_existing_verified_file_is_not_downloaded_again(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY)
    remote = RemoteFile("data.bin", (url,), sha256=BODY_SHA)
    _fetch(remote, tmp_path)
    _fetch(remote, tmp_path)
    assert len(http_server.requests_for("/data.bin")) == 1


def test_existing_file_that_fails_verification_is_replaced(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY)
    (tmp_path / "data.bin").write_bytes(b"stale")
    path = _fetch(RemoteFile("data.bin", (url,), sha256=BODY_SHA), tmp_path)
    assert path.read_bytes() == BODY


def test_interrupted_download_resumes_with_range(http_server: FileServer, tmp_path: Path) -> None:
    cut = 100_000
    url = http_server.serve("/data.bin", BODY, drop_after=cut)
    remote = RemoteFile("data.bin", (url,), sha256=BODY_SHA)
    with pytest.raises(DataMissingError, match=r"connection dropped"):
        _fetch(remote, tmp_path, retries=0)
    assert not (tmp_path / "data.bin").exists()  # never a half-written final file
    assert (tmp_path / "data.bin.part").stat().st_size == cut

    path = _fetch(remote, tmp_path, retries=0)
    second = http_server.requests_for("/data.bin")[-1]
    assert second.headers.get("Range") == f"bytes={cut}-"
    assert second.status == 206
    assert sha256_file(path) == BODY_SHA
    assert not (tmp_path / "data.bin.part").exists()


def test_dropped_connection_is_retried_within_one_call(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY, drop_after=50_000, drop_times=2)
    path = _fetch(RemoteFile("data.bin", (url,), sha256=BODY_SHA), tmp_path, retries=2)
    ranges = [seen.headers.get("Range") for seen in http_server.requests_for("/data.bin")]
    assert ranges == [None, "bytes=50000-", "bytes=100000-"]
    assert path.read_bytes() == BODY


def test_server_ignoring_range_still_yields_correct_file(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY, honor_range=False)
    (tmp_path / "data.bin.part").write_bytes(b"\0" * 1000)  # a prefix that appending would corrupt
    path = _fetch(RemoteFile("data.bin", (url,), sha256=BODY_SHA), tmp_path)
    (seen,) = http_server.requests_for("/data.bin")
    assert seen.headers.get("Range") == "bytes=1000-"
    assert seen.status == 200
    assert path.read_bytes() == BODY


def test_stale_part_from_elsewhere_is_discarded_after_a_mismatch(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY)
    (tmp_path / "data.bin.part").write_bytes(b"\0" * 1000)  # honoured Range + wrong prefix = wrong hash once
    path = _fetch(RemoteFile("data.bin", (url,), sha256=BODY_SHA), tmp_path)
    ranges = [seen.headers.get("Range") for seen in http_server.requests_for("/data.bin")]
    assert ranges == ["bytes=1000-", None]
    assert path.read_bytes() == BODY


def test_wrong_checksum_rejects_and_removes_the_file(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY) + "?token=abc"
    remote = RemoteFile("data.bin", (url,), sha256=hashlib.sha256(b"other").hexdigest())
    with pytest.raises(ChecksumError) as caught:
        _fetch(remote, tmp_path)
    message = str(caught.value)
    assert caught.value.exit_code == 4
    assert "\n" not in message
    assert f"127.0.0.1:{url.split(':')[2].split('/')[0]} (sha256 mismatch)" in message
    assert str(tmp_path / "data.bin") in message
    assert "token=abc" not in message
    assert list(tmp_path.iterdir()) == []  # neither the file nor its .part survives
    assert len(http_server.requests_for("/data.bin")) == 1  # a mismatch is not retried on the same source


def test_primary_404_then_mirror_succeeds(http_server: FileServer, tmp_path: Path) -> None:
    mirror = http_server.serve("/mirror/data.bin", BODY)
    remote = RemoteFile("data.bin", (http_server.url("/gone/data.bin"), mirror), sha256=BODY_SHA)
    assert _fetch(remote, tmp_path).read_bytes() == BODY
    assert [seen.status for seen in http_server.seen] == [404, 200]


def test_every_source_missing_gives_one_actionable_line(http_server: FileServer, tmp_path: Path) -> None:
    remote = RemoteFile(
        "data.bin", (http_server.url("/a"), str(tmp_path / "empty_mirror")), sha256=BODY_SHA, size=len(BODY)
    )
    with pytest.raises(DataMissingError) as caught:
        _fetch(remote, tmp_path / "raw")
    message = str(caught.value)
    assert caught.value.exit_code == 3
    assert "\n" not in message
    assert "(404)" in message and f"{tmp_path / 'empty_mirror'} (not found)" in message
    assert f"at {tmp_path / 'raw' / 'data.bin'}" in message and BODY_SHA in message


def test_local_mirror_with_recompressed_gz_verifies_by_content(http_server: FileServer, tmp_path: Path) -> None:
    payload = b"idx bytes " * 20_000
    hosted = gzip.compress(payload, compresslevel=9, mtime=0)
    mirror_dir = tmp_path / "mirror"
    mirror_dir.mkdir()
    recompressed = gzip.compress(payload, compresslevel=1, mtime=12345)
    assert recompressed != hosted
    (mirror_dir / "x.gz").write_bytes(recompressed)
    remote = RemoteFile(
        "x.gz",
        (http_server.url("/gone/x.gz"), str(mirror_dir)),
        sha256=hashlib.sha256(hosted).hexdigest(),
        content_sha256=hashlib.sha256(payload).hexdigest(),
    )
    path = _fetch(remote, tmp_path / "raw")
    assert path.read_bytes() == recompressed
    assert gzip.decompress(path.read_bytes()) == payload


def test_file_url_mirror_and_corrupt_gz_mirror(tmp_path: Path) -> None:
    payload = b"payload" * 1000
    bad_dir, good_dir = tmp_path / "bad", tmp_path / "good"
    bad_dir.mkdir()
    good_dir.mkdir()
    (bad_dir / "x.gz").write_bytes(b"not gzip at all")
    (good_dir / "x.gz").write_bytes(gzip.compress(payload))
    remote = RemoteFile(
        "x.gz", (str(bad_dir), (good_dir / "x.gz").as_uri()), content_sha256=hashlib.sha256(payload).hexdigest()
    )
    path = _fetch(remote, tmp_path / "raw")
    assert gzip.decompress(path.read_bytes()) == payload


def test_transient_500_is_retried_with_exponential_backoff(
    http_server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr("benchmark.datasets.download.time.sleep", sleeps.append)
    url = http_server.serve("/data.bin", BODY, fail_first=2)
    remote = RemoteFile("data.bin", (url,), sha256=BODY_SHA)
    path = fetch_file(remote, tmp_path, retries=3, backoff=0.5, progress=False)
    assert path.read_bytes() == BODY
    assert [seen.status for seen in http_server.seen] == [500, 500, 200]
    assert sleeps == [0.5, 1.0]


def test_persistent_500_gives_up_after_the_retries(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY, fail_first=10)
    with pytest.raises(DataMissingError, match=r"\(500\)"):
        _fetch(RemoteFile("data.bin", (url,), sha256=BODY_SHA), tmp_path, retries=2)
    assert len(http_server.seen) == 3


def test_lock_file_first_use_then_mismatch(http_server: FileServer, tmp_path: Path) -> None:
    url = http_server.serve("/data.bin", BODY)
    lock = tmp_path / "locks" / "data.lock.json"
    remote = RemoteFile("data.bin", (url,))
    _fetch(remote, tmp_path / "raw", lock=lock)
    assert json.loads(lock.read_text()) == {"data.bin": BODY_SHA}

    http_server.serve("/data.bin", b"changed upstream")
    (tmp_path / "raw" / "data.bin").unlink()
    with pytest.raises(ChecksumError, match=r"lock file .* pins " + BODY_SHA):
        _fetch(remote, tmp_path / "raw", lock=lock)
    assert json.loads(lock.read_text()) == {"data.bin": BODY_SHA}
    assert not (tmp_path / "raw" / "data.bin").exists()


def test_no_hash_and_no_lock_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no sha256 pinned"):
        _fetch(RemoteFile("data.bin", (str(tmp_path),)), tmp_path / "raw")


def test_token_is_sent_but_never_shown(
    http_server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "s3cr3t-t0ken"
    monkeypatch.setenv("MEDBENCH_TEST_TOKEN", secret)
    flaky = http_server.serve("/flaky", BODY, fail_first=5)
    remote = RemoteFile("data.bin", (flaky + "?sig=qs-secret", http_server.url("/denied")), sha256=BODY_SHA)
    http_server.serve("/denied", BODY, status=401)
    with caplog.at_level(logging.DEBUG), pytest.raises(DataMissingError) as caught:
        _fetch(remote, tmp_path, retries=1, token_env="MEDBENCH_TEST_TOKEN")
    assert {seen.headers.get("Authorization") for seen in http_server.seen} == {f"Bearer {secret}"}
    shown = str(caught.value) + caplog.text
    assert "(401 (check $MEDBENCH_TEST_TOKEN))" in shown and "retry 1/1" in shown
    assert secret not in shown and "qs-secret" not in shown


def test_netrc_credentials_are_sent_as_basic_auth(
    http_server: FileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    netrc_file = home / ".netrc"
    netrc_file.write_text("machine 127.0.0.1 login alice password wonderland\n")
    netrc_file.chmod(0o600)
    monkeypatch.setenv("HOME", str(home))
    url = http_server.serve("/data.bin", BODY)
    _fetch(RemoteFile("data.bin", (url,), sha256=BODY_SHA), tmp_path / "raw")
    (seen,) = http_server.seen
    assert seen.headers.get("Authorization") == "Basic YWxpY2U6d29uZGVybGFuZA=="  # base64("alice:wonderland")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://zenodo.org/x", True),
        ("http://127.0.0.1:8000/x", True),
        ("http://localhost/x", True),
        ("http://example.org/x", False),
        ("file:///tmp/x", False),
    ],
)
def test_credentials_only_over_https_or_loopback(url: str, allowed: bool) -> None:
    assert _may_send_credentials(url) is allowed


@pytest.mark.parametrize(
    ("kwargs", "problem"),
    [
        ({"name": "a/b", "urls": ("x",)}, "plain file name"),
        ({"name": "a", "urls": "https://x/a"}, "non-empty tuple"),
        ({"name": "a", "urls": ("ftp://x/a",)}, "unsupported URL scheme"),
        ({"name": "a", "urls": ("x",), "sha256": "abc"}, "64 hex digits"),
        ({"name": "a.bin", "urls": ("x",), "content_sha256": "0" * 64}, "only applies to .gz"),
    ],
)
def test_remote_file_rejects_bad_declarations(kwargs: dict[str, object], problem: str) -> None:
    with pytest.raises(ConfigError, match=problem):
        RemoteFile(**kwargs)  # type: ignore[arg-type]
