#!/usr/bin/env python
"""The project's own import graph, against its layers (README, "The map"):

    osp (the core) < accounts < opportunities < plans, forecasting < sync
        < config, demo, benchmarks

An app may import its own modules and those of the layers below it, never above; plans
and forecasting, side by side, do not import each other. Every import counts, at the top
of a file or inside a function (an import moved into a function to dodge a cycle is still
the same arrow). Tests and migrations are left out: a migration names what it needs by
app label, and tests stand on everything.

With every arrow between apps pointing down, no import cycle can run through two apps.

Run: `python scripts/check_layers.py` (tests/osp/test_layers.py runs it in CI). It prints
each import that runs upward or sideways, with its file and line, and fails if there is
one that KNOWN_UPWARD does not list (it lists none), or if KNOWN_UPWARD lists one that is
gone.
"""

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYERS = {"osp": 0, "accounts": 1, "opportunities": 2, "plans": 3, "forecasting": 3,
          "sync": 4, "config": 5, "demo": 5, "benchmarks": 5}
SKIPPED = {"migrations", "tests", "__pycache__"}

# (importing app, imported app, importing file) allowed to run upward or sideways. Empty
# since issue #16: keep it so; a page that must show a record of an app above takes it as
# a section that app registers (osp.pages.register_section).
KNOWN_UPWARD: set[tuple[str, str, str]] = set()


def project_files():
    for app in LAYERS:
        folder = ROOT / app
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.py")):
            if not SKIPPED & set(path.relative_to(ROOT).parts):
                yield app, path


def imported_apps(path: Path):
    """(app, line) for each import of a project app in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue  # relative imports stay inside their app
        for name in names:
            top = name.split(".")[0]
            if top in LAYERS:
                yield top, node.lineno


def main() -> int:
    found: dict[tuple[str, str, str], list[int]] = {}
    for app, path in project_files():
        for target, line in imported_apps(path):
            if target == app:
                continue
            if LAYERS[target] >= LAYERS[app]:  # upward, or sideways between peers
                key = (app, target, str(path.relative_to(ROOT)))
                found.setdefault(key, []).append(line)
    new = {k: v for k, v in found.items() if k not in KNOWN_UPWARD}
    for (app, target, file), lines in sorted(new.items()):
        print(f"{file}:{lines[0]}: {app} imports {target}, a layer above or beside it"
              f" ({len(lines)} import{'s' if len(lines) > 1 else ''})")
    gone = sorted(KNOWN_UPWARD - set(found))
    for _app, target, file in gone:
        print(f"{file}: no longer imports {target}: remove it from KNOWN_UPWARD")
    print(f"{len(found)} upward imports ({len(found) - len(new)} known), "
          f"{len(new)} new, {len(gone)} paid off")
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main())
