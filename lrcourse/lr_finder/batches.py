"""Feeding a range test: ``(x, y)`` batches, cycled when there are fewer than it needs."""

from __future__ import annotations


def cycle_batches(batches):
    """An endless iterator over the ``(x, y)`` pairs of ``batches``.

    A re-iterable (a list, a torch DataLoader, a tf.data.Dataset) is iterated again from
    the start whenever it is exhausted, so a shuffling loader reshuffles. A one-shot
    iterator (a generator, ``iter(loader)``) is consumed as it comes and never stored, so
    an endless generator of device tensors costs no memory; if it runs out before the test
    ends, a ValueError says so (pass a list or a loader to have it cycled). Raises
    TypeError if ``batches`` is not iterable or yields something that is not a pair.
    """
    try:
        one_shot = iter(batches) is batches
    except TypeError:
        raise TypeError(
            f"batches must be an iterable of (x, y) pairs, got {type(batches).__name__}"
        ) from None

    def checked():
        count = 0
        while True:
            before = count
            for batch in batches:
                if not isinstance(batch, (tuple, list)) or len(batch) != 2:
                    raise TypeError(
                        f"batches must yield (x, y) pairs, got {type(batch).__name__} "
                        f"{_short(batch)}"
                    )
                count += 1
                yield batch
            if count == 0:
                raise ValueError("batches is empty: the range test needs at least one (x, y)")
            if one_shot or count == before:
                raise ValueError(
                    f"batches ran out after {count} batches and cannot be iterated again "
                    "(a one-shot iterator or generator); pass a list or a re-iterable such as "
                    "a DataLoader to have it cycled, or an endless generator"
                )

    return checked()


def _short(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
