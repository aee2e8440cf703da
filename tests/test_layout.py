"""The layout issue 11 asks for, checked on the code as it is: no import circles, no arrow from
the library up into the CLI, the library never prints or exits, one module touches Typer's
internals, every ``type: ignore`` says why, and no test module imports another."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "flowscore"


def _module(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _top_level_imports(path: Path) -> set[str]:
    """flowscore modules imported when ``path`` is imported (not inside functions, not only for
    the type checker)."""
    tree = ast.parse(path.read_text("utf-8"))
    me = _module(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    found: set[str] = set()

    def visit(nodes: list[ast.stmt]) -> None:
        for node in nodes:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names if a.name.startswith("flowscore"))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(up + ([base] if base else []))
                if base.startswith("flowscore"):
                    for a in node.names:  # ``from flowscore.x import y``: y may be a module
                        sub = f"{base}.{a.name}"
                        found.add(sub if _exists(sub) else base)
            elif isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(node.orelse)
                if isinstance(node, ast.Try):
                    for h in node.handlers:
                        visit(h.body)
                    visit(node.finalbody)

    visit(tree.body)
    found.discard(me)
    return found


def _exists(module: str) -> bool:
    p = ROOT.joinpath(*module.split("."))
    return p.with_suffix(".py").is_file() or (p / "__init__.py").is_file()


def _graph() -> dict[str, set[str]]:
    return {_module(p): _top_level_imports(p) for p in PACKAGE.rglob("*.py")}


def test_no_import_circles():
    graph = _graph()
    # A module's package ``__init__`` runs first when it is imported: that edge is not a circle.
    edges = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def strong(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges.get(v, ()):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            part = []
            while True:
                w = stack.pop()
                part.append(w)
                if w == v:
                    break
            if len(part) > 1:
                circles.append(sorted(part))

    for v in sorted(edges):
        if v not in index:
            strong(v)
    assert circles == []


def test_nothing_below_the_cli_imports_it():
    for module, deps in _graph().items():
        if not module.startswith(("flowscore.cli", "flowscore.entry", "flowscore.__main__")):
            assert not {d for d in deps if d.startswith("flowscore.cli")}, module


def test_the_library_never_prints_or_exits():
    outside = [p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts]
    # the entry points, and processes flowscore starts itself (a reader, a forked writer), which
    # leave with os._exit on purpose
    allowed = {
        "entry.py",
        "__main__.py",
        "__init__.py",
        "workers.py",
        "interrupt.py",
        "parallel.py",
    }
    for path in outside:
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = ast.unparse(node.func)
                assert name != "print", f"{path.name}:{node.lineno} prints"
                if name in {"sys.exit", "exit", "os._exit"}:
                    assert path.name in allowed, f"{path.name}:{node.lineno} exits"


def test_one_module_touches_typers_internals():
    touching = sorted(
        p.relative_to(PACKAGE).as_posix()
        for p in PACKAGE.rglob("*.py")
        if re.search(
            r"^\s*(import click|from click|from typer\._|from typer\.(core|main|rich_utils)"
            r"|from typer import .*\b(_\w+|core|main|rich_utils)\b)",
            p.read_text("utf-8"),
            re.M,
        )
    )
    assert touching == ["cli/typer_zh.py"]


def test_every_type_ignore_says_why():
    bare = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in PACKAGE.rglob("*.py")
        for n, line in enumerate(p.read_text("utf-8").splitlines(), 1)
        if "type: ignore" in line and not re.search(r"type: ignore\[[\w, -]+\]\s+#\s*\S", line)
    ]
    assert bare == []


def test_no_test_module_imports_another():
    tests = {p.stem for p in (ROOT / "tests").glob("test_*.py")}
    for path in (ROOT / "tests").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[-1] not in tests, path.name
            elif isinstance(node, ast.Import):
                assert not {a.name.split(".")[-1] for a in node.names} & tests, path.name
