"""One decision, one place: server/plans/policy.py is the only module that compares roles,
parties, visibilities, the archived state or the signatory flag. This test reads every
module under server/ and fails on such a comparison anywhere else, so a rule cannot be
written out a second time (and drift) without someone deciding to allow it here."""

import ast
from dataclasses import dataclass
from pathlib import Path

SERVER = Path(__file__).resolve().parents[2] / "server"

# The fields that carry a permission-relevant state, and the values they take.
FIELDS = {"role", "party", "visibility", "archived_at", "signatory"}
VALUES = {
    "facilitator",
    "editor",
    "commenter",
    "viewer",
    "supplier",
    "customer",
    "joint",
    "shared",
    "internal",
    "supplier-only",
    "customer-only",
}

# Whole modules that may spell these out: the policy itself, the declared types of payloads
# and rows, and the seed data.
ALLOWED_MODULES = {
    "plans/policy.py": "the policy",
    "plans/templates.py": "template sections are declared with their owner and visibility",
    "demo.py": "demo data",
    "demo_content.py": "demo data",
}
ALLOWED_NAMES = {"schemas.py", "models.py"}  # Literal types, columns and their defaults

# (module, function): a reason. Extend at merge when a rule must stay where it is, and say why.
ALLOWED_FUNCTIONS: dict[tuple[str, str], str] = {
    ("plans/service.py", "list_plans"): "the archive filter of the plan list, not a permission",
    # Wording, not permission: which party's name or label to print.
    ("export/document.py", "party_name"): "the reader's party name in the document",
    ("export/markdown.py", "party_label"): "party labels in the document",
    ("export/markdown.py", "owner"): "owner labels in the document",
}


@dataclass(frozen=True)
class Finding:
    module: str
    function: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"server/{self.module}:{self.line} in {self.function}(): {self.text}"


def _watched(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute) and node.attr in FIELDS:
        return True
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value in VALUES
    if isinstance(node, ast.JoinedStr):  # f"{party}-only"
        return any(
            isinstance(v, ast.Constant) and str(v.value).endswith("-only") for v in node.values
        )
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return any(_watched(e) for e in node.elts)
    return False


def _decisions(tree: ast.AST) -> list[tuple[ast.AST, ast.AST]]:
    """(node, enclosing function) for every comparison or test of a watched value."""
    found: list[tuple[ast.AST, ast.AST]] = []

    def visit(node: ast.AST, function: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            function = node
        if isinstance(node, ast.Compare) and any(
            _watched(n) for n in [node.left, *node.comparators]
        ):
            found.append((node, function))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in {"is_", "is_not", "in_", "not_in"}
            and _watched(node.func.value)
        ):
            found.append((node, function))  # SQL: Plan.archived_at.is_(None)
        elif (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.Not)
            and _watched(node.operand)
        ):
            found.append((node, function))  # not member.signatory
        elif isinstance(node, (ast.If, ast.IfExp, ast.While)) and _watched(node.test):
            found.append((node, function))  # if member.signatory
        elif isinstance(node, ast.Constant) and str(node.value).endswith("-only"):
            found.append((node, function))  # an audience written out by hand
        for child in ast.iter_child_nodes(node):
            visit(child, function)

    visit(tree, tree)
    return found


def scan(root: Path = SERVER) -> list[Finding]:
    findings = []
    for path in sorted(root.rglob("*.py")):
        module = path.relative_to(root).as_posix()
        if module in ALLOWED_MODULES or path.name in ALLOWED_NAMES:
            continue
        source = path.read_text()
        tree = ast.parse(source)
        seen: set[int] = set()
        for node, function in _decisions(tree):
            name = getattr(function, "name", "<module>")
            if (module, name) in ALLOWED_FUNCTIONS:
                continue
            line = getattr(node, "lineno", 0)
            if line in seen:
                continue
            seen.add(line)
            text = ast.get_source_segment(source, node) or ""
            findings.append(Finding(module, name, line, text.splitlines()[0] if text else ""))
    return findings


def test_permission_rules_live_only_in_the_policy() -> None:
    findings = scan()
    assert not findings, (
        "a role, party, visibility, archived or signatory decision outside "
        "server/plans/policy.py (move it there, or allow it in ALLOWED_FUNCTIONS with a "
        "reason):\n" + "\n".join(map(str, findings))
    )


def test_the_scan_finds_what_it_is_for(tmp_path: Path) -> None:
    """The scanner itself: each kind of written-out rule is found, the policy's calls are not."""
    (tmp_path / "bad.py").write_text(
        "def a(m, s, plan, Plan):\n"
        "    if m.role == 'facilitator': pass\n"
        "    ok = s.visibility in ('shared', f'{m.party}-only')\n"
        "    if plan.archived_at is not None: pass\n"
        "    if not m.signatory: pass\n"
        "    q = Plan.archived_at.is_(None)\n"
        "    audience = 'customer-only'\n"
    )
    (tmp_path / "good.py").write_text(
        "from server.plans import policy\n"
        "def b(m, s, plan):\n"
        "    return policy.can_write_in(m, s, plan) and policy.is_signatory(m)\n"
    )
    lines = sorted(f.line for f in scan(tmp_path))
    assert lines == [2, 3, 4, 5, 6, 7]
