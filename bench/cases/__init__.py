"""The benchmark cases: each module of this package defines CASES, a dict of
case name to a function taking the Bench, and ORDER, where its cases come in
the table. A module may define BACKENDS, the backends its cases run on
(default {"sqlite"}); on any other, bench/run shows the case as skipped."""
import importlib
import pkgutil
from pathlib import Path

DEFAULT_BACKENDS = frozenset({"sqlite"})


def _modules():
    modules = [importlib.import_module(f"cases.{info.name}")
               for info in pkgutil.iter_modules([str(Path(__file__).parent)])]
    return sorted(modules, key=lambda m: m.ORDER)


def all_cases():
    ordered = {}
    for module in _modules():
        ordered.update(module.CASES)
    return ordered


def case_backends():
    """{case name: the backends it runs on}."""
    return {name: frozenset(getattr(module, "BACKENDS", DEFAULT_BACKENDS))
            for module in _modules() for name in module.CASES}
