"""ZipStream writes archives that Python's zipfile and Info-ZIP's ``unzip -t`` read back intact:
stored and deflated entries, a file bigger than one chunk, UTF-8 names, and more than 65 535
entries (ZIP64 end records)."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from bot.export import zipstream
from bot.export.zipstream import ZipStream


def unzip_test(path: Path) -> None:
    if shutil.which("unzip") is None:
        pytest.skip("unzip not installed")
    done = subprocess.run(["unzip", "-tq", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_entries_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(zipstream, "CHUNK", 4096)  # so "big" goes through the chunked path
    files = {
        "photo": os.urandom(3000),
        "big": os.urandom(3 * 4096 + 17),
        "text": "索引,第一行\n".encode() * 500,
        "empty": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    archive = tmp_path / "out.zip"
    names = {
        "photo": "虎门镇/01-张贴宣传海报/20131110-1530_r1_f1.jpg",
        "big": "虎门镇/01-张贴宣传海报/20131110-1531_r2_f2.pdf",
        "text": "索引.csv",
        "empty": "长安镇/未指定任务/empty.jpg",
    }
    with ZipStream(archive) as z:
        for key, name in names.items():
            z.write(tmp_path / key, name, deflate=key in ("text", "big"))
    with zipfile.ZipFile(archive) as back:
        assert back.testzip() is None
        assert back.namelist() == list(names.values())
        for key, name in names.items():
            info = back.getinfo(name)
            assert back.read(name) == files[key]
            assert info.flag_bits & 0x800  # UTF-8 name
            want = zipfile.ZIP_DEFLATED if key in ("text", "big") else zipfile.ZIP_STORED
            assert info.compress_type == want
        assert back.getinfo(names["text"]).compress_size < len(files["text"])
    unzip_test(archive)


def test_more_than_65535_entries(tmp_path: Path) -> None:
    source = tmp_path / "one.jpg"
    source.write_bytes(b"x")
    archive = tmp_path / "many.zip"
    count = 70_000
    with ZipStream(archive) as z:
        for i in range(count):
            z.write(source, f"u/t/{i}.jpg")
    data = archive.read_bytes()
    assert b"PK\x06\x06" in data[-200:] and b"PK\x06\x07" in data[-200:]  # ZIP64 end records
    with zipfile.ZipFile(archive) as back:
        infos = back.infolist()
        assert len(infos) == count and infos[-1].filename == f"u/t/{count - 1}.jpg"
        assert back.read(infos[-1]) == b"x"
    unzip_test(archive)


def test_an_error_leaves_no_central_directory_behind(tmp_path: Path) -> None:
    archive = tmp_path / "broken.zip"
    with pytest.raises(FileNotFoundError), ZipStream(archive, tmp_dir=tmp_path) as z:
        z.write(tmp_path / "absent.jpg", "a.jpg")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["broken.zip"]
