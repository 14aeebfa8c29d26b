"""Segment files read from their memory map, not copied.

A segment is one compound file, mapped whole; Whoosh opens each file inside
it as a ``BufferFile``, whose ``BytesIO`` copies the bytes. Every reader of a
segment (a searcher, a writer checking ids, a merge) so held a private copy
of the segment's postings and term dictionary: a process searching or
merging an index of 300,000 articles used 5 GB. :class:`MappedFile` reads the
map in place, so those pages are the page cache's, shared by every process
and reclaimable.

:func:`install` puts it in Whoosh's compound storage (for every index this
process opens; the files read the same).
"""

from __future__ import annotations

import io
import pickle
import struct
from typing import Any

import whoosh.filedb.compound
from whoosh.filedb.structfile import BufferFile

__all__ = ["MappedFile", "ViewReader", "install"]

#: Bytes :meth:`ViewReader.peek` gives: more than a posting block's header pickle.
PEEK = 256
_INT = struct.Struct("!i")


class ViewReader:
    """A read-only file over a buffer: ``read``, ``readline``, ``seek`` and ``tell`` without a copy of it."""

    __slots__ = ("_view", "_pos")

    def __init__(self, buf: Any) -> None:
        self._view = memoryview(buf)
        self._pos = 0

    def read(self, n: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._view) if n is None or n < 0 else min(start + n, len(self._view))
        self._pos = max(start, end)
        return bytes(self._view[start:end])

    def peek(self, n: int = 0) -> bytes:
        """Bytes from here on, not consumed: :func:`pickle.load` reads a pickle
        from them at once instead of calling :meth:`read` per opcode."""
        return bytes(self._view[self._pos:self._pos + PEEK])

    def readinto(self, into: Any) -> int:
        data = self.read(len(into))
        into[:len(data)] = data
        return len(data)

    def readline(self, limit: int = -1) -> bytes:
        view, start = self._view, self._pos
        end = len(view) if limit is None or limit < 0 else min(start + limit, len(view))
        if start >= end:
            return b""
        for i in range(start, end):  # lines are rare in a segment (nothing reads them in a search)
            if view[i] == 0x0A:
                end = i + 1
                break
        self._pos = end
        return bytes(view[start:end])

    def __iter__(self) -> Any:
        return iter(self.readline, b"")

    def seek(self, pos: int, whence: int = 0) -> int:
        base = 0 if whence == 0 else self._pos if whence == 1 else len(self._view)
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._view.release()


class MappedFile(BufferFile):  # type: ignore[misc]
    """Whoosh's ``BufferFile`` reading its buffer in place."""

    def __init__(self, buf: Any, name: str | None = None, onclose: Any = None) -> None:
        self._buf = buf
        self._name = name
        self.file = ViewReader(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    # A posting reader moving to a block: seek, read_int, read_pickle, tell
    # (Whoosh's ``_goto``), each read here from the view in one call.

    def seek(self, pos: int, whence: int = 0) -> int:
        return self.file.seek(pos, whence)

    def tell(self) -> int:
        return self.file._pos

    def read_int(self) -> int:
        f = self.file
        value: int = _INT.unpack_from(f._view, f._pos)[0]
        f._pos += 4
        return value

    def read_pickle(self) -> Any:
        f = self.file
        start = f._pos
        head = io.BytesIO(f._view[start:start + PEEK])
        try:
            obj = pickle.load(head)
        except (EOFError, pickle.UnpicklingError):  # longer than PEEK: read it from the file
            return pickle.load(f)
        f._pos = start + head.tell()
        return obj

    def subset(self, position: int, length: int, name: str | None = None) -> MappedFile:
        return MappedFile(self._buf[position:position + length], name=name or self._name)


def install() -> None:
    """Open the files of compound segments as :class:`MappedFile` (idempotent)."""
    whoosh.filedb.compound.BufferFile = MappedFile
