"""Fail when a compiled translation (.mo) is missing or out of step with its .po, or when a
Chinese string is untranslated or fuzzy."""

import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
failed = False
for po in sorted(ROOT.glob("locale/*/LC_MESSAGES/*.po")):
    mo = po.with_suffix(".mo")
    stats = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
                           capture_output=True, text=True)
    if stats.returncode != 0 or "untranslated" in stats.stderr or "fuzzy" in stats.stderr:
        print(f"{po.relative_to(ROOT)}: {stats.stderr.strip()}")
        failed = True
    with tempfile.NamedTemporaryFile(suffix=".mo") as fresh:
        subprocess.run(["msgfmt", "-o", fresh.name, str(po)], check=True)
        if not mo.exists() or Path(fresh.name).read_bytes() != mo.read_bytes():
            print(f"{mo.relative_to(ROOT)} is missing or not compiled from the current .po "
                  "(run: make messages)")
            failed = True
print("translations: " + ("NOT in step" if failed else "compiled and complete"))
sys.exit(1 if failed else 0)
