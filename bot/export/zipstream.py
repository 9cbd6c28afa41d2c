"""A ZIP writer whose memory does not grow with the number of entries.

Python's ``zipfile`` keeps one ``ZipInfo`` per entry (and a name → info dict) until ``close``,
to write the central directory at the end: about 0.7 KB per entry, so 200 000 evidence files
cost ~150 MB. Here each entry's central-directory record is appended to a temporary file as
soon as the entry is written, and copied after the data on ``close``. A small file is read once
and its local header carries its CRC and sizes; a big one is streamed in chunks and its header
patched in place afterwards (the output is a regular, seekable file), so readers never need
data descriptors. Names are UTF-8 flagged;
ZIP64 extra fields and end records are written when sizes, offsets or the entry count need them.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
import time
import zlib
from datetime import datetime, tzinfo
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

CHUNK = 1 << 20
LIMIT = 0xFFFFFFFF  # sizes and offsets at or above this go to the ZIP64 extra field
UTF8 = 0x0800
STORED, DEFLATED = 0, 8
LOCAL = struct.Struct("<4s5H3L2H")
CENTRAL = struct.Struct("<4s6H3L5H2L")
END = struct.Struct("<4s4H2LH")
END64 = struct.Struct("<4sQ2H2L4Q")
LOCATOR = struct.Struct("<4sLQL")


def dos_time(mtime: float, tz: tzinfo | None = None) -> tuple[int, int]:
    """(time, date) in MS-DOS format (which has no zone: the wall clock of ``tz``, else of this
    process), clamped to 1980 like ``zipfile`` does."""
    t = time.localtime(mtime) if tz is None else datetime.fromtimestamp(mtime, tz).timetuple()
    year = max(t.tm_year, 1980)
    return (t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2), (
        ((year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday
    )


class ZipStream:
    """``with ZipStream(path) as z: z.write(source, name, deflate=False)``."""

    def __init__(
        self, path: Path, *, tmp_dir: Path | None = None, tz: tzinfo | None = None
    ) -> None:
        self.tz = tz  # entry times on this wall clock (the campaign's, as the entry names)
        self._out: BinaryIO = path.open("wb")
        self._central: BinaryIO = tempfile.TemporaryFile(dir=tmp_dir or path.parent)  # noqa: SIM115
        self.entries = 0

    def __enter__(self) -> ZipStream:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if kind is None:
            self.close()
        else:
            self._central.close()
            self._out.close()

    def write(self, source: Path, name: str, *, deflate: bool = False) -> None:
        """Add the file at ``source`` under ``name`` (stored, or deflated if ``deflate``)."""
        stat = source.stat()
        clock, date = dos_time(stat.st_mtime, self.tz)
        big = stat.st_size >= LIMIT - (LIMIT >> 8)  # deflate may grow a little: leave room
        method = DEFLATED if deflate and not big else STORED
        raw = name.encode("utf-8")
        offset = self._out.tell()
        if stat.st_size <= CHUNK:  # the usual photo: read once, header written with its CRC
            crc, size, data = self._small(source, method)
            fields = (20, UTF8, method, clock, date, crc, len(data), size, len(raw), 0)
            self._out.write(LOCAL.pack(b"PK\x03\x04", *fields))
            self._out.write(raw)
            self._out.write(data)
            self._record(raw, method, clock, date, crc, size, len(data), offset, stat.st_mode)
            return
        version = 45 if big else 20
        extra = struct.pack("<2H2Q", 1, 16, 0, 0) if big else b""
        fields = (version, UTF8, method, clock, date, 0, 0, 0, len(raw), len(extra))
        self._out.write(LOCAL.pack(b"PK\x03\x04", *fields))
        self._out.write(raw + extra)
        crc, size, packed = self._copy(source, method)
        end = self._out.tell()
        self._out.seek(offset + 14)  # patch CRC and sizes into the local header
        if big:
            self._out.write(struct.pack("<3L", crc, LIMIT, LIMIT))
            self._out.seek(offset + LOCAL.size + len(raw) + 4)
            self._out.write(struct.pack("<2Q", size, packed))
        else:
            self._out.write(struct.pack("<3L", crc, packed, size))
        self._out.seek(end)
        self._record(raw, method, clock, date, crc, size, packed, offset, stat.st_mode)

    @staticmethod
    def _small(source: Path, method: int) -> tuple[int, int, bytes]:
        """(CRC-32, size, bytes to store) of a file small enough to hold in memory."""
        data = source.read_bytes()
        crc = zlib.crc32(data)
        if method == DEFLATED:
            squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
            return crc, len(data), squeeze.compress(data) + squeeze.flush()
        return crc, len(data), data

    def _copy(self, source: Path, method: int) -> tuple[int, int, int]:
        """Stream the file into the archive; (CRC-32, size, size in the archive)."""
        crc = size = packed = 0
        squeeze = zlib.compressobj(6, zlib.DEFLATED, -15) if method == DEFLATED else None
        with source.open("rb") as f:
            while chunk := f.read(CHUNK):
                crc = zlib.crc32(chunk, crc)
                size += len(chunk)
                data = squeeze.compress(chunk) if squeeze else chunk
                packed += len(data)
                self._out.write(data)
        if squeeze:
            tail = squeeze.flush()
            packed += len(tail)
            self._out.write(tail)
        return crc, size, packed

    def _record(
        self,
        raw: bytes,
        method: int,
        clock: int,
        date: int,
        crc: int,
        size: int,
        packed: int,
        offset: int,
        mode: int,
    ) -> None:
        """Append the entry's central-directory record to the temporary file."""
        wide = [v for v in (size, packed, offset) if v >= LIMIT]
        extra = struct.pack(f"<2H{len(wide)}Q", 1, 8 * len(wide), *wide) if wide else b""
        version = 45 if wide else 20
        fields = (
            (3 << 8) | version, version, UTF8, method, clock, date, crc, min(packed, LIMIT),
            min(size, LIMIT), len(raw), len(extra), 0, 0, 0, (mode & 0xFFFF) << 16,
            min(offset, LIMIT),
        )  # fmt: skip
        self._central.write(CENTRAL.pack(b"PK\x01\x02", *fields))
        self._central.write(raw + extra)
        self.entries += 1

    def close(self) -> None:
        """Copy the central directory after the data and write the end records."""
        start = self._out.tell()
        self._central.seek(0)
        shutil.copyfileobj(self._central, self._out, CHUNK)
        self._central.close()
        length = self._out.tell() - start
        count = self.entries
        if count >= 0xFFFF or start >= LIMIT or length >= LIMIT:
            here = self._out.tell()
            fields64 = (END64.size - 12, (3 << 8) | 45, 45, 0, 0, count, count, length, start)
            self._out.write(END64.pack(b"PK\x06\x06", *fields64))
            self._out.write(LOCATOR.pack(b"PK\x06\x07", 0, here, 1))
        short = min(count, 0xFFFF)
        fields = (0, 0, short, short, min(length, LIMIT), min(start, LIMIT), 0)
        self._out.write(END.pack(b"PK\x05\x06", *fields))
        self._out.close()
