"""Command line: ``stride build | check | serve | init | new | deploy | import``.

Content problems print ``path:line: message`` lines on stderr and exit 1; a traceback means a
bug in Stride itself.
"""

from __future__ import annotations

import argparse
import functools
import gc
import importlib
import os
import sys
import time
from pathlib import Path

from generator import __version__
from generator.errors import ContentError, ContentErrors, display_path, errors_of, report

# Commands that live in their own modules; each provides configure_parser(parser) and run(args).
_COMMAND_MODULES = {
    "serve": ("generator.serve", "build, serve on localhost and reload the browser on save"),
    "init": ("generator.init", "write a new site (settings, a post with a widget, a Pages workflow) into DIR"),
    "new": ("generator.new", "create a new post from the site's conventions"),
    "deploy": ("generator.deploy", "build and publish build/ to a gh-pages branch"),
    "import": ("generator.importer", "make a Stride site from a Jekyll or al-folio checkout"),
}


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout, sized without importing shutil: argparse makes a formatter for
    every option it is given (to check the option's metavar), and shutil brings zlib, bz2 and
    lzma along (some 3 ms of every run, of `stride build` with nothing changed too)."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


def _columns() -> int:
    """What ``shutil.get_terminal_size().columns`` gives: $COLUMNS, else the terminal's width, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _add_build_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--output", type=Path, default=Path("build"), help="output folder (default: build)")
    parser.add_argument("--base-url", dest="base_url", default=None,
                        help="public sub-path such as /my-repo/ (overrides base_url in site.yml)")
    parser.add_argument("--drafts", action="store_true", help="include drafts")
    parser.add_argument("--unpublished", action="store_true", help="include documents with published: false")
    parser.add_argument("--strict", action="store_true",
                        help="treat warnings (an undefined Liquid variable, an ignored option) as errors")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 or more seconds")
    return value


def port_number(text: str) -> int:
    """argparse type of a TCP port: 0 (pick a free one) to 65535; anything else is a usage error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port: use 1 to 65535, or 0 for any free port")
    return value


def output_refused(output: Path, source: Path) -> bool:
    """Print a usage error and return True for an --output inside the project's own files."""
    from generator.paths import overlaps_project

    if not overlaps_project(output, source):
        return False
    print(f"stride: error: --output {display_path(output)} is inside the project's own files "
          f"(content/, templates/, assets/ or the project folder itself); use --output build or a "
          f"folder outside them", file=sys.stderr)
    return True


def _build(args: argparse.Namespace, write: bool) -> int:
    output = args.output if args.output.is_absolute() else args.source / args.output
    if output_refused(output, args.source):
        return 2
    unpublished = getattr(args, "unpublished", False)
    strict = getattr(args, "strict", False)
    if write and not strict and _up_to_date(args.source, output, args.base_url, args.drafts, unpublished):
        return 0
    from generator.build import BuildOptions, build_site

    if getattr(args, "one_shot", False):
        # A build keeps almost everything it makes to the end: at the default threshold the
        # collector walked that growing heap ~240 times (40-90 ms at 1,000 posts) and found
        # next to no garbage. What is imported by now is frozen (never walked again) and the
        # young generation collected a fourteenth as often; the peak memory does not move.
        # Only in the ``stride`` process itself: a caller of main() keeps its collector.
        gc.freeze()
        gc.set_threshold(10_000, 10, 10)
    options = BuildOptions(source=args.source, output=output, base_url=args.base_url,
                           drafts=args.drafts, unpublished=unpublished, write=write, strict=strict,
                           wait=getattr(args, "wait", None))
    try:
        result = build_site(options)
    except (ContentError, ContentErrors) as exc:
        problems = errors_of(exc)
        report(problems)
        noun = "problem" if len(problems) == 1 else "problems"
        print(f"{'build' if write else 'check'} failed: {len(problems)} {noun}; "
              f"{'the previous build/ is unchanged' if write else 'nothing written'}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"{exc.filename or output}: cannot write the site: {exc.strerror}", file=sys.stderr)
        return 1
    report(result.warnings)
    if write:
        print(result.summary())
    else:
        print(f"checked {result.pages} pages and {result.data_files} data files: no problems"
              f" ({result.seconds:.2f} s)")
        if getattr(args, "run_code", False):
            return _run_code(args)
    return 0


def _run_code(args: argparse.Namespace) -> int:
    """The Python blocks of the posts with ``check_code: python``, each post as one program."""
    from generator import code_check
    from generator.config import load_config
    from generator.content import load_documents

    started = time.perf_counter()
    site = load_config(args.source, args.base_url)
    documents = load_documents(args.source, site, drafts=args.drafts)
    problems, posts, blocks = code_check.check_documents(documents, args.source, args.code_timeout)
    report(problems)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        print(f"code check failed: {len(errors)} of the posts with check_code: python", file=sys.stderr)
        return 1
    print(f"ran {blocks} Python blocks of {posts} posts with check_code: python: no problems"
          f" ({time.perf_counter() - started:.1f} s)")
    return 0


def _up_to_date(source: Path, output: Path, base_url: str | None, drafts: bool, unpublished: bool = False) -> bool:
    """Report and return True when the last build's stamp shows nothing changed since."""
    from generator import CACHE_FOLDER, stamp

    started = time.perf_counter()
    record = stamp.up_to_date(source / CACHE_FOLDER, source, output, base_url, drafts, unpublished)
    if record is None:
        return False
    for warning in record.warnings:
        print(warning, file=sys.stderr)
    print(f"up to date: {record.pages} pages, {record.data_files} data files, {record.bytes / 1e6:.2f} MB "
          f"unchanged since the last build (checked in {time.perf_counter() - started:.2f} s) -> "
          f"{display_path(output)}/")
    return True


def _requested_command(argv: list[str]) -> str | None:
    """The command word in ``argv`` (skipping global options and the value of --source)."""
    words = iter(argv)
    for word in words:
        if word == "--source":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def make_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``command`` ("build", "serve", ...) only that command's module is
    imported, so `stride build` does not pay for the dev server's imports (watchdog, http)."""
    parser = argparse.ArgumentParser(prog="stride", description="Build static sites with interactive explainers.",
                                     formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"stride {__version__}")
    parser.add_argument("--source", type=Path, default=Path("."),
                        help="project folder holding content/, templates/ and assets/ (default: .)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    add_command = functools.partial(commands.add_parser, formatter_class=_HelpFormatter)
    build = add_command("build", help="build the site into build/")
    _add_build_options(build)
    build.add_argument("--wait", type=_seconds, default=None, metavar="SECONDS",
                       help="how long to wait for another build of the same output folder "
                            "(default: $STRIDE_BUILD_WAIT or 60)")
    build.set_defaults(run=lambda a: _build(a, write=True))
    check = add_command("check", help="validate all content without writing anything")
    _add_build_options(check)
    check.add_argument("--run-code", dest="run_code", action="store_true",
                       help="then run the Python blocks of posts with check_code: python in their front matter")
    check.add_argument("--code-timeout", dest="code_timeout", type=float, default=600, metavar="SECONDS",
                       help="longest a post's blocks may run with --run-code (default: 600)")
    check.set_defaults(run=lambda a: _build(a, write=False))
    for name, (module_name, help_text) in _COMMAND_MODULES.items():
        if command in ("build", "check") or (command in _COMMAND_MODULES and command != name):
            add_command(name, help=help_text)  # listed, but never chosen in this run
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        sub = add_command(name, help=help_text)
        module.configure_parser(sub)
        sub.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None, *, one_shot: bool = False) -> int:
    """Run the command ``argv`` names; ``one_shot``: this process ends when it returns."""
    argv = sys.argv[1:] if argv is None else argv
    parser = make_parser(_requested_command(argv))
    args = parser.parse_args(argv)
    args.one_shot = one_shot
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args) or 0)
    except (ContentError, ContentErrors) as exc:
        report(errors_of(exc))
        return 1
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 130


def run() -> None:
    """The ``stride`` command: :func:`main`, then the end of the process without the
    interpreter's teardown. A build leaves a heap of documents, pages and memo entries, and
    freeing it object by object took 50-70 ms of a 1,000-post build, for memory the system takes
    back at once. Whatever must outlive the process is on disk before main returns (the build
    swapped in, the memo and the stamp written, temporary folders removed by their ``with``);
    only the standard streams are still buffered."""
    code = main(one_shot=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (stride build | head) or a closed stream
        code = code or 1
    os._exit(code)

