"""The layering (scripts/check_layers.py): no app imports one above it or beside it,
beyond the known debt of issue #16, which may only shrink."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_layers.py"
spec = importlib.util.spec_from_file_location("check_layers", SCRIPT)
check_layers = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_layers)


def test_no_app_imports_a_layer_above_it_beyond_the_known_debt(capsys):
    assert check_layers.main() == 0, capsys.readouterr().out


def test_an_import_inside_a_function_counts_as_an_arrow_too(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from sync import feed\n    import plans.models\n"
                      "from . import sibling\n")
    assert list(check_layers.imported_apps(module)) == [("sync", 4), ("plans", 5)]
