"""axe-core (npm, fetched by scripts/ensure-axe into .cache/; tests only) finds no violation on
any page of the example site, in the light and the dark theme, with the explorers drawn."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.example_site.test_posts import _site_pages

pytestmark = pytest.mark.browser
AXE = ROOT / ".cache" / "axe-core-4.14.1" / "axe.min.js"
RUN = """async (within) => {
    const result = await axe.run(within ? document.querySelector(within) : document, {resultTypes: ['violations']});
    return result.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.slice(0, 4).map((n) => [n.target.join(' '), n.failureSummary])}));
}"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page(example_build: Path, static_server, browser, scheme):
    if not AXE.is_file():
        pytest.fail("axe-core is missing: run `bash scripts/ensure-axe` (make test does)")
    server = static_server(example_build)
    context = browser.new_context(color_scheme=scheme, reduced_motion="reduce")
    page = context.new_page()
    found = {}
    pages = _site_pages(example_build)
    for rel in pages:
        page.goto(server.url + rel)
        page.wait_for_load_state("networkidle")
        widgets = page.locator('[data-widget="convtranspose"]').count()
        if widgets:
            page.wait_for_function(
                "(n) => document.querySelectorAll('[data-widget=\"convtranspose\"][data-state=\"ready\"]').length === n",
                arg=widgets, timeout=20000)
        if page.locator(".arithmatex").count():
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
            page.evaluate("() => MathJax.startup.promise")
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(RUN, None)
        # Each explorer view in turn, with and without Numbers (hidden tabs are not checked otherwise).
        for at in range(widgets):
            widget = page.locator('[data-widget="convtranspose"]').nth(at)
            within = f'#{widget.get_attribute("id")}'
            for numbers in (False, True):
                widget.locator('[data-role="numbers"]').set_checked(numbers)
                for tab in widget.locator("[data-tab]").all():
                    tab.click()
                    violations += [dict(v, tab=tab.get_attribute("data-tab"), numbers=numbers)
                                   for v in page.evaluate(RUN, within)]
        if violations:
            found[rel or "/"] = violations
        if rel == "posts/transposed-convolution/":
            # the \eqref link (its "(1)" is drawn by CSS) is named for screen readers
            assert page.locator('a[href^="#mjx-eqn"]').get_attribute("aria-label") == "Equation (1)"
    context.close()
    assert len(pages) >= 10
    assert found == {}, sorted({(rel, v["id"], n[0][-90:]) for rel, vs in found.items() for v in vs for n in v["nodes"]})
