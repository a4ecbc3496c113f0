"""One recorder: an audit row and its stream event are written together, by
server/activity.py, with one audience. This test reads the server's modules and fails when
a router writes audit rows, or when a module other than the recorder adds audit rows or
publishes the event of an audited act by itself (so the two audiences could drift again)."""

import ast
from pathlib import Path

SERVER = Path(__file__).resolve().parents[1] / "server"

# Events that are not acts anyone audits: a recipient's own notification, vote counts.
STREAM_ONLY = {"comments/notifications.py", "comments/votes.py"}


def _imports(tree: ast.AST) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def _calls(tree: ast.AST, attribute: str) -> list[int]:
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == attribute
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in {"audit_service", "activity"}
    ]


def test_routers_write_no_audit_rows() -> None:
    offenders = [
        path.relative_to(SERVER).as_posix()
        for path in sorted(SERVER.rglob("router.py"))
        if {"server.activity", "server.audit.service", "server.audit"}
        & _imports(ast.parse(path.read_text()))
    ]
    assert not offenders, f"routers that record acts (do it in the service): {offenders}"


def test_only_the_recorder_adds_audit_rows_and_their_events() -> None:
    findings = []
    for path in sorted(SERVER.rglob("*.py")):
        module = path.relative_to(SERVER).as_posix()
        if module in {"activity.py", "audit/service.py"} or module.startswith("stream/"):
            continue
        tree = ast.parse(path.read_text())
        findings += [f"server/{module}:{line} audit_service.add" for line in _calls(tree, "add")]
        if module not in STREAM_ONLY:
            findings += [
                f"server/{module}:{line} activity.publish" for line in _calls(tree, "publish")
            ]
    assert not findings, (
        "record acts with server/activity.py (one audience for the row and its event):\n"
        + "\n".join(findings)
    )
