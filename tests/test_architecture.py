"""The layering of docs/architecture.md, enforced: every import between the server's packages
goes down the layers (or stays inside one package), so no new arrow appears unnoticed (the
sync core importing a feature that builds on it, anything importing the app's wiring, a
cycle between packages).

The rules are the data below; docs/architecture.md shows them as a picture.
"""

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1] / "server"

# Modules that form a layer of their own, whatever their package: the tables (their classes
# name the foreign keys between packages) and the one policy that decides who may do what.
DATA = "tables and policy"
SHARED = {"server.plans.policy"} | {
    f"server.{p.parent.name}.models" for p in SERVER.glob("*/models.py")
}

# Bottom first. A package may import its own modules and any package of a lower layer.
LAYERS: list[set[str]] = [
    # Infrastructure every part uses: settings, errors, after-commit signals, logging; then
    # the database, workers, limits, mail and the HTTP server's settings.
    {"config", "errors", "events", "logs", "schemas"},
    {"db", "offload", "limits", "mail", "serving"},
    # The tables of every package and the one policy (SHARED below): anyone may read them.
    {DATA},
    {"audit"},  # the audit trail
    {"activity"},  # one call: an audit row and a stream event with one audience
    {"auth"},  # accounts, sessions, tokens
    {"plans"},  # plans, members, sections, invitations
    {"stream"},  # the plan's event stream to open screens
    {"collab"},  # the sync core: rooms, the document log, the wire protocol
    {"comments", "signoff", "follow"},  # features on plans and documents
    {"versions"},  # frozen copies of the plan, signed as a whole
    {"export"},  # what leaves the room: reads every feature
    # The wiring: middleware, the web app's files, demo data, migrations, then the app and
    # the command line.
    {"security", "web", "demo_content", "migrate", "models"},
    {"demo", "app"},
    {"cli"},
]


def _package(path: Path) -> str:
    rel = path.relative_to(SERVER)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> set[str]:
    """Modules under server/ that a file imports (module level and inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("server."))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "server":
                found.update(f"server.{a.name}" for a in node.names)
            elif node.module.startswith("server."):
                # `from server.x import y`: y may be a module of x, or a name in it.
                for a in node.names:
                    candidate = f"{node.module}.{a.name}"
                    module_path = SERVER.joinpath(*candidate.split(".")[1:])
                    exists = module_path.with_suffix(".py").exists() or module_path.is_dir()
                    found.add(candidate if exists else node.module)
    return found


def _layer_of(package: str) -> int:
    for index, layer in enumerate(LAYERS):
        if package in layer:
            return index
    raise AssertionError(f"server/{package} is in no layer of {__name__}.LAYERS")


def _unit(module: str) -> str:
    """The layer unit of a module: DATA for the shared ones, else its package."""
    return DATA if module in SHARED else module.split(".")[1]


def _module_of(path: Path) -> str:
    return ".".join(("server", *path.relative_to(SERVER).with_suffix("").parts))


def _arrows() -> set[tuple[str, str, str]]:
    """(importing module, imported module, what the arrow is) between layer units."""
    arrows = set()
    for path in SERVER.rglob("*.py"):
        source = _module_of(path)
        for module in _imports(path):
            if _unit(module) != _unit(source) and module != "server.__init__":
                arrows.add((source, module, f"{source} imports {module}"))
    return arrows


def test_every_package_has_a_layer() -> None:
    packages = {_package(p) for p in SERVER.rglob("*.py")} - {"__init__"}
    placed = set().union(*LAYERS) - {DATA}
    assert packages <= placed, f"place these in LAYERS: {sorted(packages - placed)}"
    assert placed <= packages, f"gone from server/: {sorted(placed - packages)}"


def _violations(arrows: set[tuple[str, str, str]]) -> list[str]:
    return sorted(
        what
        for source, module, what in arrows
        if _layer_of(_unit(module)) >= _layer_of(_unit(source))
    )


def test_imports_go_down_the_layers() -> None:
    wrong = _violations(_arrows())
    assert not wrong, "imports against the layering of docs/architecture.md:\n" + "\n".join(wrong)


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for source, module, _what in _arrows():
        graph.setdefault(_unit(source), set()).add(_unit(module))

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(p for p in graph if reaches(p, p, {p}))
    assert not cycles, f"packages on an import cycle: {cycles}"


def test_the_rules_catch_a_new_arrow() -> None:
    """The check has teeth: the sync core importing a feature, a feature importing the app,
    or a table importing a service is reported; a table or the policy may be read by all."""
    arrows = {
        (s, m, f"{s} imports {m}")
        for s, m in [
            ("server.collab.room", "server.comments.service"),
            ("server.signoff.service", "server.app"),
            ("server.plans.models", "server.plans.service"),
            ("server.collab.room", "server.plans.policy"),
            ("server.plans.service", "server.comments.models"),
        ]
    }
    assert _violations(arrows) == [
        "server.collab.room imports server.comments.service",
        "server.plans.models imports server.plans.service",
        "server.signoff.service imports server.app",
    ]
