"""Stride as a user installs it: a wheel of this checkout in a virtualenv of its own.

The benchmark times that, not the checkout: pip byte-compiles a wheel's modules when it installs
it, while the checkout run with ``PYTHONPATH`` (or the editable install) compiles every module
it imports from source at each start whenever ``.pyc`` files cannot be written. Our machines set
``PYTHONDONTWRITEBYTECODE=1``, and there that was 60-70 ms of every cold build (about 5 %), a
cost no user who ran ``pip install`` pays. The editable install's import finder is left out too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "bench" / ".venv-stride"
LOCAL_WHEELS = Path("/opt/wheels")  # where our machines keep wheels (see the Makefile's PIP_LOCAL)


def source_tree(dest: Path) -> Path:
    """Copy into ``dest`` the files git would commit (tracked, or new and not ignored), as they
    are now, uncommitted edits included: a wheel is built from what a clone holds, never from a
    stray build/ or .venv/ (setuptools also writes its own build/ beside the sources)."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = ROOT / rel
        if source.is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / rel)
    return dest


def clean_env() -> dict[str, str]:
    """This process's environment without what would make an installed Python import the
    checkout (or another environment) instead of what it has installed."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def install_stride(venv_dir: Path = VENV) -> Path:
    """Build a wheel of the checkout and install it into ``venv_dir`` (made if missing; its
    dependencies installed once, as pip resolves them; Stride itself reinstalled every time, so
    the figures are always of the code as it is now). Returns the folder of its ``stride``."""
    python = venv_dir / "bin" / "python"
    if not python.is_file():
        venv.EnvBuilder(with_pip=True).create(venv_dir)
    env = clean_env()
    local = ["--find-links", str(LOCAL_WHEELS)] if LOCAL_WHEELS.is_dir() else []
    with tempfile.TemporaryDirectory(prefix="stride-wheel-") as tmp:
        source = source_tree(Path(tmp) / "src")
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", tmp, str(source)],
                       check=True, env=env, cwd=tmp)
        wheel = str(next(Path(tmp).glob("stride-*.whl")))
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *local]
        subprocess.run([*pip, wheel], check=True, env=env, cwd=tmp)  # the dependencies, when new
        subprocess.run([*pip, "--force-reinstall", "--no-deps", wheel], check=True, env=env, cwd=tmp)
    return venv_dir / "bin"
