"""Recognising an index damaged outside searchkit (files cut short, overwritten
or removed): Whoosh's decoding errors become :class:`StorageError` naming the
index and the command that rebuilds it."""

from __future__ import annotations

import io
import pickle
import shlex
import struct
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import whoosh.index
from whoosh.filedb.filetables import FileFormatError
from whoosh.filedb.structfile import StructFile

from ...errors import StorageError

__all__ = ["DAMAGE", "close_files", "damaged", "reading"]

#: What Whoosh raises opening an index whose table of contents or segment
#: files were cut short, overwritten or removed (its own IndexError included).
DAMAGE = (EOFError, pickle.UnpicklingError, struct.error, zlib.error, TypeError, ValueError, IndexError, KeyError,
          AssertionError, whoosh.index.IndexError, FileFormatError, FileNotFoundError,
          MemoryError, OverflowError)  # a garbage length read from a cut table of contents
#: What reading postings or stored fields of such an index raises (narrower:
#: a TypeError while searching is more likely a bug than damage).
READ_DAMAGE = (EOFError, pickle.UnpicklingError, struct.error, zlib.error, UnicodeDecodeError, FileFormatError,
               FileNotFoundError)


def damaged(path: Path, exc: BaseException) -> StorageError:
    """The error that reports ``exc`` as damage of the index at ``path``."""
    what = "struct.error" if isinstance(exc, struct.error) else type(exc).__name__
    return StorageError(f"the index at {path} is damaged ({what}: {exc}); rebuild it: "
                        f"searchkit index SOURCE... -i {shlex.quote(str(path))} --new")


def close_files(exc: BaseException) -> None:
    """Close the files Whoosh left open when it failed opening a damaged index.

    Only for failures while opening: the frames of a failed search hold files
    the searcher still uses.
    """
    tb = exc.__traceback__
    while tb is not None:
        for value in list(tb.tb_frame.f_locals.values()):
            if isinstance(value, StructFile) and not value.is_closed or isinstance(value, io.IOBase):
                with suppress(OSError, ValueError):  # closing is a courtesy; the damage is what gets reported
                    value.close()
        tb = tb.tb_next


@contextmanager
def reading(path: Path) -> Iterator[None]:
    """Report damage met while reading the index at ``path`` as :class:`StorageError`."""
    try:
        yield
    except READ_DAMAGE as exc:
        raise damaged(path, exc) from exc
    except Exception as exc:
        if type(exc) is Exception and str(exc).startswith("Block tag error"):  # Whoosh's posting block check
            raise damaged(path, exc) from exc
        raise
