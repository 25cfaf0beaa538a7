"""Feeding a range test: ``(x, y)`` batches, cycled when there are fewer than it needs."""

from __future__ import annotations


def cycle_batches(batches):
    """An endless iterator over the ``(x, y)`` pairs of ``batches``.

    A re-iterable (a list, a torch DataLoader, a tf.data.Dataset) is iterated again from
    the start when exhausted, so a shuffling loader reshuffles; a one-shot iterator (a
    generator) is remembered as it goes and replayed. Raises TypeError if ``batches`` is
    not iterable or yields something that is not a pair, ValueError if it is empty.
    """
    try:
        one_shot = iter(batches) is batches
    except TypeError:
        raise TypeError(
            f"batches must be an iterable of (x, y) pairs, got {type(batches).__name__}"
        ) from None

    def passes():
        if one_shot:
            seen = []
            for batch in batches:
                seen.append(batch)
                yield batch
            while seen:
                yield from seen
        else:
            while True:
                empty = True
                for batch in batches:
                    empty = False
                    yield batch
                if empty:
                    return

    def checked():
        count = 0
        for batch in passes():
            if not isinstance(batch, (tuple, list)) or len(batch) != 2:
                raise TypeError(
                    f"batches must yield (x, y) pairs, got {type(batch).__name__} {_short(batch)}"
                )
            count += 1
            yield batch
        if count == 0:
            raise ValueError("batches is empty: the range test needs at least one (x, y) batch")
        raise ValueError("batches yielded nothing when iterated again; pass a list instead")

    return checked()


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
