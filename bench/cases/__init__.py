"""The benchmark cases: each module of this package defines CASES, a dict of
case name to a function taking the Bench, and ORDER, where its cases come in
the table."""
import importlib
import pkgutil
from pathlib import Path


def all_cases():
    modules = [importlib.import_module(f"cases.{info.name}")
               for info in pkgutil.iter_modules([str(Path(__file__).parent)])]
    ordered = {}
    for module in sorted(modules, key=lambda m: m.ORDER):
        ordered.update(module.CASES)
    return ordered
