"""The cold-build budget in ``bench.cold_budget`` times stages through wrappers around the
functions the build calls: if the build stopped calling one of them, that stage would read 0 s
and the floor it reports would be wrong without anyone noticing; the same happens if workers
rendered the Markdown out of sight. These tests catch both."""

from __future__ import annotations

import json

from bench.cold_budget import STAGES, in_fresh_interpreter as _run
from bench.synth import make_site


def test_every_stage_is_seen_and_the_stages_fit_in_the_build(tmp_path):
    site = make_site(tmp_path / "site", 60, 3, "stride")  # above the threshold for workers
    cpu = json.loads(_run("--stages", str(site)))
    for stage in STAGES:
        assert cpu[stage] > 0, f"stage {stage!r} never ran: the wrapper no longer sits on the build's path"
    assert sum(cpu[stage] for stage in STAGES) <= cpu["build"] + 1e-6
    assert cpu["other"] >= -1e-6
    # The instrumented build is a real one: every post was written.
    assert len(list((site / "build" / "posts").glob("*/index.html"))) == 60


def test_pelican_markdown_is_timed_over_every_post(tmp_path):
    site = make_site(tmp_path / "site", 5, 3, "stride")
    assert float(_run("--pelican-markdown", str(site))) > 0
