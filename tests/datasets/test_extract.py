"""safe_extract: good archives extract exactly; hostile ones are refused and leave nothing behind."""

from __future__ import annotations

import gzip
import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from benchmark.datasets.extract import UnsafeArchiveError, safe_extract
from benchmark.errors import ConfigError

Member = tuple[str, bytes] | tarfile.TarInfo


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info


def _tar(path: Path, *members: Member) -> Path:
    """Write a tar (compression from the suffix) holding (name, data) files and raw TarInfo entries."""
    mode = {".gz": "w:gz", ".tgz": "w:gz", ".bz2": "w:bz2", ".xz": "w:xz"}.get(path.suffix, "w")
    with tarfile.open(path, mode) as tar:
        for member in members:
            if isinstance(member, tarfile.TarInfo):
                tar.addfile(member)
            else:
                name, data = member
                info = tarfile.TarInfo(name)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def _zip(path: Path, *members: tuple[str, bytes], symlinks: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
        for name, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def _tree(root: Path) -> dict[str, bytes | str]:
    """Relative path -> file bytes, or "-> target" for symlinks; folders are implied."""
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            out[rel] = f"-> {path.readlink()}"
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


@pytest.fixture
def dest(tmp_path: Path) -> Path:
    """An existing destination holding a sentinel, to prove refusals leave it untouched."""
    folder = tmp_path / "out" / "dataset"
    folder.mkdir(parents=True)
    (folder / "sentinel.txt").write_bytes(b"keep me")
    return folder


def _assert_refused(archive: Path, dest: Path, rule: str, member: str, **limits: float) -> None:
    with pytest.raises(UnsafeArchiveError) as caught:
        safe_extract(archive, dest, **limits)  # type: ignore[arg-type]
    message = str(caught.value)
    assert caught.value.exit_code == 5
    assert "\n" not in message
    assert repr(member) in message and rule in message, message
    assert _tree(dest) == {"sentinel.txt": b"keep me"}
    assert sorted(p.name for p in dest.parent.iterdir()) == ["dataset"]  # no temp folder left beside dest
    assert not (dest.parent.parent / "evil").exists()


def test_good_tar_gz_extracts_exactly_and_replaces_dest(tmp_path: Path, dest: Path) -> None:
    archive = _tar(
        tmp_path / "good.tar.gz",
        _link("./", "", tarfile.DIRTYPE),
        _link("images", "", tarfile.DIRTYPE),
        ("./images/a.raw", b"A" * 1000),
        ("images/sub/b.raw", b"B"),
        ("empty.txt", b""),
        _link("images/latest", "a.raw"),
        _link("copy_of_a", "images/a.raw", tarfile.LNKTYPE),
    )
    written = safe_extract(archive, dest)
    assert written == [
        dest / "images" / "a.raw",
        dest / "images" / "sub" / "b.raw",
        dest / "empty.txt",
        dest / "images" / "latest",
        dest / "copy_of_a",
    ]
    assert _tree(dest) == {
        "copy_of_a": b"A" * 1000,
        "empty.txt": b"",
        "images/a.raw": b"A" * 1000,
        "images/latest": "-> a.raw",
        "images/sub/b.raw": b"B",
    }
    assert sorted(p.name for p in dest.parent.iterdir()) == ["dataset"]  # old tree and temp folders gone


@pytest.mark.parametrize("suffix", [".tar", ".tar.bz2", ".tar.xz"])
def test_other_tar_compressions(tmp_path: Path, suffix: str) -> None:
    archive = _tar(tmp_path / f"good{suffix}", ("a/b.txt", b"hello"))
    safe_extract(archive, tmp_path / "out")
    assert _tree(tmp_path / "out") == {"a/b.txt": b"hello"}


def test_good_zip_extracts_exactly(tmp_path: Path) -> None:
    archive = _zip(
        tmp_path / "good.zip", ("x/", b""), ("x/y.csv", b"1,2\n"), ("z.txt", b"z"), symlinks={"x/link": "y.csv"}
    )
    written = safe_extract(archive, tmp_path / "out")
    assert written == [tmp_path / "out" / p for p in ("x/y.csv", "z.txt", "x/link")]
    assert _tree(tmp_path / "out") == {"x/link": "-> y.csv", "x/y.csv": b"1,2\n", "z.txt": b"z"}


def test_single_file_gz(tmp_path: Path) -> None:
    archive = tmp_path / "volume.nii.gz"
    archive.write_bytes(gzip.compress(b"nifti" * 100))
    assert safe_extract(archive, tmp_path / "out") == [tmp_path / "out" / "volume.nii"]
    assert (tmp_path / "out" / "volume.nii").read_bytes() == b"nifti" * 100


@pytest.mark.parametrize(
    ("members", "member", "rule"),
    [
        ([("../evil", b"x")], "../evil", "'..' component"),
        ([("ok/../../evil", b"x")], "ok/../../evil", "'..' component"),
        ([("/tmp/evil", b"x")], "/tmp/evil", "absolute path"),
        ([_link("escape", "../../evil")], "escape", "symlink to '../../evil', which leaves the tree"),
        ([_link("escape", "/etc")], "escape", "leaves the tree"),
        ([_link("hop", "."), ("hop/f", b"x")], "hop/f", "written through a symlink"),
        ([_link("b", "."), _link("a", "b/..")], "a", "resolves outside the tree through other links"),
        ([_link("hard", "../evil", tarfile.LNKTYPE)], "hard", "hard link to '../evil', which leaves the tree"),
        ([_link("hard", "/etc/passwd", tarfile.LNKTYPE)], "hard", "leaves the tree"),
        ([_link("s", "x"), _link("hard", "s", tarfile.LNKTYPE)], "hard", "not an earlier regular file"),
        ([_link("dev", "", tarfile.CHRTYPE)], "dev", "device or special file"),
        ([_link("fifo", "", tarfile.FIFOTYPE)], "fifo", "device or special file"),
        ([("a", b"1"), ("a", b"2")], "a", "appears twice"),
        ([("a", b"1"), ("a/b", b"2")], "a/b", "conflicts with an earlier member"),
    ],
)
def test_hostile_tar_members_are_refused(
    tmp_path: Path, dest: Path, members: list[Member], member: str, rule: str
) -> None:
    archive = _tar(tmp_path / "bad.tar", ("fine.txt", b"written before the bad member"), *members)
    _assert_refused(archive, dest, rule, member)


@pytest.mark.parametrize(
    ("members", "symlinks", "member", "rule"),
    [
        ([("../evil", b"x")], {}, "../evil", "'..' component"),
        ([("..\\evil", b"x")], {}, "..\\evil", "'..' component"),
        ([("/abs", b"x")], {}, "/abs", "absolute path"),
        ([("C:/abs", b"x")], {}, "C:/abs", "absolute path"),
        ([], {"escape": "../../evil"}, "escape", "leaves the tree"),
    ],
)
def test_hostile_zip_members_are_refused(
    tmp_path: Path, dest: Path, members: list[tuple[str, bytes]], symlinks: dict[str, str], member: str, rule: str
) -> None:
    archive = _zip(tmp_path / "bad.zip", ("fine.txt", b"ok"), *members, symlinks=symlinks)
    _assert_refused(archive, dest, rule, member)


def test_zip_bomb_is_refused_by_ratio_before_writing(tmp_path: Path, dest: Path) -> None:
    archive = _zip(tmp_path / "bomb.zip", ("zeros.bin", bytes(50 * 2**20)))
    assert archive.stat().st_size < 200_000
    _assert_refused(archive, dest, "declared expansion ratio", "zeros.bin")


def test_size_limit_is_enforced(tmp_path: Path, dest: Path) -> None:
    archive = _tar(tmp_path / "big.tar", ("a", b"x" * 6000), ("b", b"x" * 6000))
    _assert_refused(archive, dest, "declared size to", "b", max_total_bytes=10_000)


def test_lying_declared_size_is_caught_while_writing(tmp_path: Path, dest: Path) -> None:
    packed = bytearray(gzip.compress(bytes(5 * 2**20)))
    packed[-4:] = (100).to_bytes(4, "little")  # ISIZE claims 100 bytes; the payload is 5 MiB of zeros
    archive = tmp_path / "liar.bin.gz"
    archive.write_bytes(bytes(packed))
    _assert_refused(archive, dest, "extracted expansion ratio", "liar.bin")


def test_corrupt_archive_is_refused(tmp_path: Path, dest: Path) -> None:
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(gzip.compress(b"x" * 10_000)[:-30])
    with pytest.raises(UnsafeArchiveError, match="corrupt or truncated"):
        safe_extract(archive, dest)
    assert _tree(dest) == {"sentinel.txt": b"keep me"}


def test_unknown_format_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unsupported archive format"):
        safe_extract(tmp_path / "data.rar", tmp_path / "out")


def test_zip_device_entry_is_refused(tmp_path: Path, dest: Path) -> None:
    archive = tmp_path / "dev.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("dev/null")
        info.create_system = 3
        info.external_attr = (stat.S_IFCHR | 0o666) << 16
        zf.writestr(info, b"")
    _assert_refused(archive, dest, "device or special file", "dev/null")
