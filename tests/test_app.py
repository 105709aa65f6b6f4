"""What the app factory does to the process it runs in."""

from __future__ import annotations

import gc
import weakref

from voucher import create_app


def test_start_up_objects_are_frozen_once_and_later_apps_stay_collectable(settings):
    """Objects made at start-up are out of the cyclic collector's sight (full collections under
    batch load walked all of them), and only once: an app made later can still be freed."""
    create_app(settings)
    frozen = gc.get_freeze_count()
    assert frozen > 10_000  # the modules and the first app of this process

    later = create_app(settings)
    assert gc.get_freeze_count() == frozen
    gone = weakref.ref(later)
    later.extensions["voucher"].db.engine.dispose()
    del later
    gc.collect()
    assert gone() is None
