"""A list too long to hold: its items are kept in a temporary file, BATCH at a time, and only
the batch being filled is in memory. The refused lines of an invoice (there may be a million)
and the outcome of each of its lines between matching and storing are kept this way, so a large
invoice costs disk, not memory. Items are pickled: only what this process made goes in."""

from __future__ import annotations

import pickle
import tempfile
from array import array
from collections.abc import Iterator, Sequence
from typing import IO, TypeVar, overload

T = TypeVar("T")
BATCH = 2048


class Spill(Sequence[T]):
    """`batch`: items per pickled batch, and so at most in memory (plus one batch being read)."""

    def __init__(self, batch: int = BATCH) -> None:
        self._batch_size = batch
        self._file: IO[bytes] | None = None
        self._offsets = array("q")  # where each full batch starts in the file
        self._pending: list[T] = []
        self._length = 0

    def append(self, item: T) -> None:
        self._pending.append(item)
        self._length += 1
        if len(self._pending) == self._batch_size:
            if self._file is None:
                self._file = tempfile.TemporaryFile()
            self._file.seek(0, 2)
            self._offsets.append(self._file.tell())
            pickle.dump(self._pending, self._file, protocol=pickle.HIGHEST_PROTOCOL)
            self._pending = []

    def extend(self, items: Iterator[T] | Sequence[T]) -> None:
        for item in items:
            self.append(item)

    def __len__(self) -> int:
        return self._length

    def __iter__(self) -> Iterator[T]:
        for batch in range(len(self._offsets)):
            yield from self._batch(batch)
        yield from self._pending[:]

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> list[T]: ...

    def __getitem__(self, index: int | slice) -> T | list[T]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._length))]
        if index < 0:
            index += self._length
        if not 0 <= index < self._length:
            raise IndexError("Spill index out of range")
        batch, at = divmod(index, self._batch_size)
        return self._pending[at] if batch == len(self._offsets) else self._batch(batch)[at]

    def _batch(self, batch: int) -> list[T]:
        assert self._file is not None  # a full batch was written
        self._file.seek(self._offsets[batch])
        items: list[T] = pickle.load(self._file)
        return items

    def close(self) -> None:
        """Let go of the file now rather than when the list is collected."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._offsets, self._pending, self._length = array("q"), [], 0
