"""The dev server freezes the heap after each build; garbage made of frozen objects must still
be collected at the next settle, or a long session would grow with every edit."""

from __future__ import annotations

import gc
import weakref

from generator.serve import settle_heap


class _Node:
    pass


def test_cycles_frozen_by_one_settle_are_collected_by_the_next():
    node = _Node()
    node.self = node  # a cycle: only the collector frees it
    alive = weakref.ref(node)
    try:
        settle_heap()
        assert gc.get_freeze_count() > 0 and alive() is node
        del node
        gc.collect()
        assert alive() is not None  # frozen: an ordinary collection leaves it
        settle_heap()
        assert alive() is None
    finally:
        gc.unfreeze()
