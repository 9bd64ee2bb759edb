"""The dev server's rebuild path meets the Markdown bounds as a build does: an edit that makes
a post hostile is reported within the budget and the last good site stays served."""

from __future__ import annotations

import time
from pathlib import Path

from generator.build import BuildOptions
from generator.serve import DevServer
from tests.bad_inputs import generators
from tests.bad_inputs.harness import record
from tests.serve.test_serve import Events, request


def test_an_edit_to_nested_brackets_is_refused_quickly_while_serving(fresh_project: Path):
    dev = DevServer(BuildOptions(source=fresh_project, output=fresh_project / "build"), port=0,
                    log=lambda *a, **k: None).start()
    try:
        events = Events(dev)
        good = request(dev, "/")[2]
        started = time.monotonic()
        generators.nested_brackets(fresh_project)
        event, data = events.next()
        seconds = time.monotonic() - started
        events.close()
        served = request(dev, "/")
    finally:
        dev.stop()
    clear = event == "error" and any(
        "2030-01-01-hostile.md:4: more than 100 [ brackets open at once" in p for p in data["problems"])
    record("markdown-nested-brackets (serve rebuild)", clear_error=clear, traceback="Traceback" in str(data),
           data_lost=served != (200, served[1], good), over_budget=seconds > 30, seconds=seconds)
    assert clear, data
    assert served[0] == 200 and served[2] == good  # the last good site, unchanged
    assert seconds < 30
