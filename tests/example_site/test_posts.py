"""The example posts: their code runs, their matrices match the arithmetic, their pages render."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from generator.markdown import python_blocks
from tests.conftest import ROOT
from tests.example_site.matrices import post_matrices

POSTS = sorted((ROOT / "content" / "posts").glob("*.md"))
EXPLAINER = ROOT / "content" / "posts" / "2026-11-20-transposed-convolution.md"


def _normalise(latex: str) -> str:
    return re.sub(r"\s+", " ", latex).strip()


def _opted_in(post: Path):
    """The example post as Stride reads it, and whether it asks for its code to be run."""
    from generator import code_check
    from generator.config import load_config
    from generator.content import read_document

    doc = read_document(post, "post", load_config(ROOT))
    return doc, code_check.wanted(doc)


def test_every_example_post_with_python_blocks_opts_in_to_running_them():
    """Running a post's code is opt-in (check_code: python); the example posts keep it on, so
    the code they show keeps running."""
    with_code = [p.name for p in POSTS if python_blocks(p.read_text(encoding="utf-8"))]
    assert len(with_code) == 3
    assert [p.name for p in POSTS if _opted_in(p)[1] is True] == with_code


@pytest.mark.parametrize("post", [p for p in POSTS if python_blocks(p.read_text(encoding="utf-8"))],
                         ids=lambda p: p.stem)
def test_python_blocks_run_in_order_in_one_process(post: Path):
    """All python blocks of a post run as one program, so later blocks may use earlier names
    (the runner of `stride check --run-code`; a failure names the block's line in the post)."""
    from generator import code_check

    doc, opted_in = _opted_in(post)
    assert opted_in is True
    blocks = code_check.blocks_of(doc)
    run = code_check.run_blocks(doc.source, blocks, ROOT, timeout=240)
    assert run.ok, f"{post.name}:{run.failed_line}\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"
    assert run.reached == len(blocks)
    text = post.read_text(encoding="utf-8").split("\n")
    assert all(text[line - 2].lstrip().startswith("```") for line, _ in blocks)  # lines are file lines


def test_the_explainer_asserts_what_it_claims():
    code = "\n".join(c for _, c in python_blocks(EXPLAINER.read_text(encoding="utf-8")))
    assert "F.conv_transpose2d" in code and "F.conv2d" in code and "F.pad" in code
    assert "assert worst <" in code  # agreement is asserted, not only printed
    assert "from generator.plugins.convtranspose import" in code


def test_every_matrix_in_the_explainer_is_generated_from_the_api():
    text = EXPLAINER.read_text(encoding="utf-8")
    written = [_normalise(m) for m in re.findall(r"\\begin\{bmatrix\}.*?\\end\{bmatrix\}", text, re.S)]
    expected = {name: _normalise(latex) for name, latex in post_matrices().items()}
    unknown = [m[:80] for m in written if m not in expected.values()]
    assert unknown == [], "matrices in the post that the API does not produce (regenerate with " \
                          "python -m tests.example_site.matrices)"
    missing = [name for name, latex in expected.items() if latex not in written]
    assert missing == []
    # The two matrices the issue names, by shape.
    rows = {name: latex.count("\\\\") + 1 for name, latex in expected.items()}
    assert rows["conv matrix 4x16"] == 4 and rows["transposed matrix 16x4"] == 16


def test_explainer_sections_come_in_order():
    text = EXPLAINER.read_text(encoding="utf-8")
    order = ["{% widget \"explorer\" %}", "## A convolution is a matrix product", "\\label{eq:backward}",
             "## The 2×2 example", "\\eqref{eq:backward}", "## The general recipe", "```python",
             "## Checkerboards", "{% bibliography --cited %}"]
    positions = [text.index(marker) for marker in order]
    assert positions == sorted(positions)
    for key in ("dumoulin2016guide", "odena2016deconvolution", "johnson2017linear", "pytorch2024convtranspose"):
        assert f"{{% cite {key} %}}" in text


@pytest.mark.browser
def test_explainer_renders_math_numbers_and_the_widget(example_build: Path, static_server, page, artifacts_dir):
    server = static_server(example_build)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    page.goto(server.url + "posts/transposed-convolution/")
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=20000)
    page.evaluate("() => MathJax.startup.promise")
    assert page.locator("mjx-merror").count() == 0
    assert page.locator(".arithmatex").count() == page.locator(".arithmatex mjx-container").count() > 10
    mml = "\n".join(page.evaluate(
        "() => Array.from(MathJax.startup.document.math).map(m => MathJax.startup.toMML(m.root))"))
    numbers = dict(re.findall(r'<mtd id="mjx-eqn:([^"]+)">\s*<mtext>\((\d+)\)</mtext>', mml))
    assert numbers == {"eq:backward": "1"}
    refs = re.findall(r'href="#mjx-eqn%3A([^"]+)"[^>]*>\s*<mtext>([^<]+)</mtext>', mml)
    assert [(target.replace("%3A", ":"), text) for target, text in refs] == [("eq:backward", "(1)")]
    # On a desktop screen every written-out matrix fits the text column: no sideways scrolling.
    assert page.viewport_size["width"] >= 1024
    too_wide = page.evaluate("() => Array.from(document.querySelectorAll('div.arithmatex'))"
                             ".filter(d => d.scrollWidth > d.clientWidth + 1).map(d => d.textContent.slice(0, 60))")
    assert too_wide == []
    page.wait_for_selector('[data-widget="convtranspose"][data-state="ready"]', timeout=20000)
    assert page.locator("#ref-dumoulin2016guide").count() == 1
    page.screenshot(path=str(artifacts_dir / "explainer-1280.png"), full_page=False)
    assert failed == []
    assert page.errors == []


@pytest.mark.browser
def test_two_widgets_on_one_page_are_independent(example_build: Path, static_server, page):
    server = static_server(example_build)
    page.goto(server.url + "posts/one-dimensional-and-large-stride/")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-widget=\"convtranspose\"][data-state=\"ready\"]').length === 2",
        timeout=20000)
    shapes = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-widget=\"convtranspose\"]')).map(w => w.dataset.outputShape)")
    # 1x6 input, k3 s2: 3x13 output (the kernel is square); 2x3 input, k3 s4: 7x11 output (the pages' initial states)
    assert shapes == ["3,13", "7,11"]
    assert page.errors == []


@pytest.mark.browser
def test_a_slider_of_one_widget_leaves_the_other_alone(example_build: Path, static_server, page):
    """The post's claim: stride 1, padding 1 turns the 1×6 strip into a 1×6 output."""
    server = static_server(example_build)
    page.goto(server.url + "posts/one-dimensional-and-large-stride/")
    ready = "() => document.querySelectorAll('[data-widget=\"convtranspose\"][data-state=\"ready\"]').length === 2"
    page.wait_for_function(ready, timeout=20000)
    page.evaluate("""() => {
        const widget = document.querySelector('[data-widget="convtranspose"]');
        for (const [name, value] of [['stride', 1], ['padding', 1]]) {
            const input = widget.querySelector(`input[name="${name}"]`);
            input.value = value;
            input.dispatchEvent(new Event('input', {bubbles: true}));
        }
    }""")
    page.wait_for_function(
        "() => document.querySelector('[data-widget=\"convtranspose\"]').dataset.outputShape === '1,6'",
        timeout=10000)
    page.wait_for_function(ready, timeout=10000)
    shapes = page.evaluate(
        "() => Array.from(document.querySelectorAll('[data-widget=\"convtranspose\"]')).map(w => w.dataset.outputShape)")
    assert shapes == ["1,6", "7,11"]
    assert page.errors == []


def _site_pages(root: Path) -> list[str]:
    """Every HTML page as the path a visitor requests: "" for the home page, "about/", "404.html"."""
    def address(page: Path) -> str:
        if page.name != "index.html":
            return page.relative_to(root).as_posix()
        folder = page.parent.relative_to(root).as_posix()
        return "" if folder == "." else folder + "/"
    return sorted(address(p) for p in root.rglob("*.html"))


@pytest.mark.browser
def test_every_page_of_the_example_site_loads_cleanly(example_build: Path, static_server, page):
    """Home, archive, tags, categories, about, 404 and the posts: no console error, no failed
    request, and wherever there is math, MathJax typesets all of it without an error."""
    server = static_server(example_build)
    pages = _site_pages(example_build)
    assert {"", "about/", "404.html", "archive/", "tags/", "posts/receptive-fields/"} <= set(pages)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    with_math = []
    for rel in pages:
        page.goto(server.url + rel)
        page.wait_for_load_state("networkidle")
        if page.locator(".arithmatex").count():
            with_math.append(rel)
            page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                                   timeout=20000)
            page.evaluate("() => MathJax.startup.promise")
            assert page.locator("mjx-merror").count() == 0, rel
            assert page.locator(".arithmatex").count() == page.locator(".arithmatex mjx-container").count(), rel
        widgets = page.locator('[data-widget="convtranspose"]').count()
        if widgets:
            page.wait_for_function(
                "(n) => document.querySelectorAll('[data-widget=\"convtranspose\"][data-state=\"ready\"]').length === n",
                arg=widgets, timeout=20000)
    assert "posts/transposed-convolution/" in with_math and "posts/receptive-fields/" in with_math
    assert failed == []
    assert page.errors == []


def test_the_receptive_field_recurrence_matches_autograd():
    """The receptive-field post's rule, checked by back-propagating from one output unit of a
    1-D stack of all-ones convolutions and measuring which input cells get a gradient."""
    import torch
    import torch.nn.functional as F

    namespace: dict = {}
    post = ROOT / "content" / "posts" / "2026-11-24-receptive-fields.md"
    exec(python_blocks(post.read_text(encoding="utf-8"))[0][1].replace("print(", "(lambda *a: None)("), namespace)
    receptive_field = namespace["receptive_field"]
    stacks = [[(3, 1, 1)] * 3, [(3, 1, 1), (3, 1, 1), (2, 2, 1)] * 5, [(3, 1, 2 ** i) for i in range(4)],
              [(7, 2, 1), (3, 2, 1)], [(5, 3, 2), (2, 1, 3), (3, 2, 1)]]
    for layers in stacks:
        x = torch.ones(1, 1, 400, dtype=torch.float64, requires_grad=True)
        y = x
        for k, s, d in layers:
            y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
        y[0, 0, y.shape[-1] // 2].backward()
        reached = torch.nonzero(x.grad[0, 0]).flatten()
        size = int(reached.max() - reached.min() + 1)
        # the jump: how far the field moves between neighbouring output units
        x.grad = None
        y = x
        for k, s, d in layers:
            y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
        y[0, 0, y.shape[-1] // 2 + 1].backward()
        shifted = torch.nonzero(x.grad[0, 0]).flatten()
        assert receptive_field(layers) == (size, int(shifted.min() - reached.min())), layers


def test_the_ordinary_post_shows_every_markdown_feature(example_build: Path):
    """A new user copies from this post: its table, footnote, admonition and code must render as
    such, not leak through as Markdown syntax."""
    html = (example_build / "posts" / "receptive-fields" / "index.html").read_text(encoding="utf-8")
    assert '<table class="table-compact">' in html and html.count("<tr>") == 5
    assert 'class="footnote"' in html and 'class="reversefootnote"' in html  # kramdown's classes
    assert 'class="admonition note"' in html
    assert 'highlight"><pre>' in html  # class="language-python highlight", as kramdown names it
    article = html[html.index("<article"):html.index("</article>")]
    for leaked in ("{:", "!!!", "[^jump]", "|---"):
        assert leaked not in article


def test_the_bibliography_carries_the_real_identifiers():
    """Readers follow these links: the arXiv number, the Distill DOI and the authors must be the
    published ones, not placeholders."""
    from pybtex.database import parse_file

    bib = parse_file(str(ROOT / "content" / "bib" / "transposed-conv.bib"), bib_format="bibtex").entries
    authors = {key: [str(person) for person in entry.persons["author"]] for key, entry in bib.items()}
    assert "1603.07285" in bib["dumoulin2016guide"].fields["journal"] + bib["dumoulin2016guide"].fields["url"]
    assert authors["dumoulin2016guide"] == ["Dumoulin, Vincent", "Visin, Francesco"]
    assert bib["odena2016deconvolution"].fields["doi"] == "10.23915/distill.00003"
    assert authors["odena2016deconvolution"] == ["Odena, Augustus", "Dumoulin, Vincent", "Olah, Chris"]
    assert authors["johnson2017linear"] == ["Johnson, Justin"]
    assert "CS231n" in bib["johnson2017linear"].fields["howpublished"]
    assert bib["pytorch2024convtranspose"].fields["url"].endswith("torch.nn.ConvTranspose2d.html")
    assert bib["dumoulin2016guide"].fields["year"] == bib["odena2016deconvolution"].fields["year"] == "2016"


def _post_function(post: Path, name: str):
    """One function defined in a post's Python blocks, with the imports of its block."""
    import ast

    for _, code in python_blocks(post.read_text(encoding="utf-8")):
        tree = ast.parse(code)
        wanted = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name]
        if wanted:
            imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
            namespace: dict = {}
            exec(compile(ast.Module(body=imports + wanted, type_ignores=[]), str(post), "exec"), namespace)
            return namespace[name]
    raise AssertionError(f"{post.name} defines no {name}()")


def test_the_explainers_conv_form_is_total_on_every_valid_setting():
    """The post's hand-built conv form equals F.conv_transpose2d on all 46,344 settings the default
    explorer accepts (1×1 inputs with p' < 0 included), not only on the random ones it samples."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    from generator.plugins.convtranspose.precompute import DEFAULT_RANGES, SLIDERS, valid_mask

    conv_form = _post_function(EXPLAINER, "conv_form")
    lows = [getattr(DEFAULT_RANGES, name)[0] for name in SLIDERS]
    gen = torch.Generator().manual_seed(3)
    kernels = {k: torch.randn(1, 1, k, k, generator=gen, dtype=torch.float64) for k in range(1, 6)}
    inputs = {(h, w): torch.randn(1, 1, h, w, generator=gen, dtype=torch.float64)
              for h in range(1, 9) for w in range(1, 9)}
    settings = [tuple(int(v + low) for v, low in zip(index, lows)) for index in np.argwhere(valid_mask(DEFAULT_RANGES))]
    assert len(settings) == 46_344
    worst, cropped_tiny = 0.0, 0
    for h, w, k, s, p, o, d in settings:
        x, weight = inputs[(h, w)], kernels[k]
        expected = F.conv_transpose2d(x, weight, stride=s, padding=p, output_padding=o, dilation=d)
        got = conv_form(x, weight, (s, s), (p, p), (o, o), (d, d))
        assert got.shape == expected.shape, (h, w, k, s, p, o, d)
        worst = max(worst, float((got - expected).abs().max()))
        cropped_tiny += d * (k - 1) - p < 0 and min(h, w) == 1
    assert worst < 1e-10
    assert cropped_tiny > 0
    # the setting the issue found: F.pad alone would have to crop 2 cells from a 1-cell axis
    one = torch.ones(1, 1, 1, 1, dtype=torch.float64)
    assert conv_form(one, one, (5, 5), (2, 2), (4, 4), (1, 1)).shape == (1, 1, 1, 1)
