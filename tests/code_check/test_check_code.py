"""`stride check --run-code`: only posts with check_code: python run, a failure names its block."""

from __future__ import annotations

from pathlib import Path

from generator.cli import main
from tests.mini_project import write

POST = """\
---
title: Code that runs
date: 2024-03-01
{key}
---
First block:

```python
import helper_module
total = helper_module.TWO + 1
```

Second block, which uses the first one's name:

```python
assert total == 3
print(1 / (total - 3))
```
"""


def _post(mini: Path, key: str) -> Path:
    write(mini / "helper_module.py", "TWO = 2\n")  # the site folder is on PYTHONPATH
    return write(mini / "content" / "posts" / "2024-03-01-code.md", POST.format(key=key))


def test_a_failing_block_is_reported_at_its_line(mini: Path, capsys):
    _post(mini, "check_code: python")
    assert main(["--source", str(mini), "check", "--run-code"]) == 1
    err = capsys.readouterr().err
    assert "2024-03-01-code.md:16: Python block failed: ZeroDivisionError: division by zero" in err


def test_blocks_run_only_when_the_post_asks_and_the_option_is_given(mini: Path, capsys):
    _post(mini, "check_code: false")
    assert main(["--source", str(mini), "check", "--run-code"]) == 0
    assert "ran 0 Python blocks of 0 posts" in capsys.readouterr().out
    _post(mini, "check_code: python")
    assert main(["--source", str(mini), "check"]) == 0  # without --run-code nothing runs


def test_passing_blocks_share_one_program(mini: Path, capsys):
    post = _post(mini, "check_code: python")
    post.write_text(post.read_text().replace("print(1 / (total - 3))", "print(total)"))
    assert main(["--source", str(mini), "check", "--run-code"]) == 0
    assert "ran 2 Python blocks of 1 posts with check_code: python: no problems" in capsys.readouterr().out


def test_an_unknown_language_is_an_error_at_its_line(mini: Path, capsys):
    _post(mini, "check_code: ruby")
    assert main(["--source", str(mini), "check", "--run-code"]) == 1
    assert "2024-03-01-code.md:4: check_code: 'ruby' is not a language Stride can run" in capsys.readouterr().err


def test_a_block_that_hangs_is_stopped(mini: Path, capsys):
    post = _post(mini, "check_code: python")
    post.write_text(post.read_text().replace("assert total == 3", "import time; time.sleep(30)"))
    assert main(["--source", str(mini), "check", "--run-code", "--code-timeout", "2"]) == 1
    assert "2024-03-01-code.md:16: Python block still running after 2 s" in capsys.readouterr().err
