"""An export as Markdown: summary first, then the sections, then the signatures and the
agreement record."""

import json
from datetime import datetime
from typing import Any

from server import offload
from server.export.document import Export, Goal, Section, Signature
from server.export.i18n import Texts
from server.signoff.canonical import canonical_json

SUMMARY_GOALS = 8
SUMMARY_ACTIVITIES = 10


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").strip() or "—"


def table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def agreement_label(t: Texts, goal: Goal) -> str:
    if goal.content is None:
        return t("deleted")
    return t.status(goal.status)


def party_label(t: Texts, export: Export, party: str) -> str:
    name = export.supplier_name if party == "supplier" else export.customer_name
    return f"{name} ({t(party)})"


def header(export: Export, t: Texts) -> list[str]:
    lines = [f"# {export.plan_title}", ""]
    lines.append(f"{export.supplier_name} × {export.customer_name}  ")
    if export.version:
        v = export.version
        lines.append(t("version", name=v.name, when=when(v.created_at), by=v.created_by) + "  ")
    else:
        lines.append(t("current") + "  ")
    lines.append(
        t(
            "exported",
            when=when(export.exported_at),
            name=export.reader_name,
            party=export.party_name,
        )
    )
    return lines + [""]


def summary(export: Export, t: Texts) -> list[str]:
    lines = [f"## {t('summary')}", ""]
    for horizon, goals in export.goals_by_horizon():
        if horizon == "none" and not goals:
            continue
        lines += [f"### {t('horizon.' + horizon)}", ""]
        if not goals:
            lines += [t("no_goals"), ""]
            continue
        rows = [
            [
                g.title,
                (g.content or {}).get("target"),
                (g.content or {}).get("due"),
                agreement_label(t, g),
            ]
            for g in goals[:SUMMARY_GOALS]
        ]
        lines += table([t("goal"), t("target"), t("due"), t("agreement")], rows)
        if len(goals) > SUMMARY_GOALS:
            lines += [t("more", n=len(goals) - SUMMARY_GOALS), ""]
    activities = export.key_activities()
    lines += [f"### {t('key_activities')}", ""]
    if not activities:
        lines += [t("no_activities"), ""]
    else:
        rows = [
            [
                a.get("title"),
                owner(export, t, a),
                a.get("start"),
                a.get("due"),
                t.value(a.get("status")),
            ]
            for a in activities[:SUMMARY_ACTIVITIES]
        ]
        lines += table([t("activity"), t("owner"), t("start"), t("due"), t("status")], rows)
        if len(activities) > SUMMARY_ACTIVITIES:
            lines += [t("more", n=len(activities) - SUMMARY_ACTIVITIES), ""]
    return lines


def owner(export: Export, t: Texts, activity: dict[str, Any]) -> str:
    name = export.people.get(str(activity.get("owner") or ""), "")
    party = activity.get("party")
    if party in ("supplier", "customer"):
        org = export.supplier_name if party == "supplier" else export.customer_name
        return f"{name} ({org})" if name else org
    return name


def goal_lines(t: Texts, goal: Goal) -> list[str]:
    content = goal.content or goal.agreed_content or {}
    lines = [f"### {goal.title}", ""]
    if content.get("description"):
        lines += [str(content["description"]), ""]
    for key in ("metric", "target", "due"):
        if content.get(key) not in (None, ""):
            lines.append(f"- {t(key)}: {content[key]}")
    if goal.goal_status:
        lines.append(f"- {t('goal_status')}: {t.value(goal.goal_status)}")
    label = agreement_label(t, goal)
    digest = goal.agreed_hash if goal.status != "pending" else goal.hash
    lines.append(f"- {t('agreement')}: {label}" + (f" (`{digest}`)" if digest else ""))
    return lines + [""]


def section_lines(export: Export, t: Texts, section: Section) -> list[str]:
    offload.check()
    lines = [f"## {section.title}", ""]
    if section.kind == "goals":
        live = [g for g in section.goals if g.content is not None]
        for goal in live:
            lines += goal_lines(t, goal)
        if not live:
            lines += [t("empty"), ""]
    elif section.kind == "activities":
        rows = [
            [
                a.get("title"),
                owner(export, t, a),
                a.get("start"),
                a.get("due"),
                t.value(a.get("status")),
            ]
            for a in section.items
        ]
        lines += (
            table([t("activity"), t("owner"), t("start"), t("due"), t("status")], rows)
            if rows
            else [t("empty"), ""]
        )
    elif section.kind == "stakeholders":
        rows = [
            [
                s.get("name"),
                s.get("job_title"),
                t.value(s.get("buying_role")),
                t.value(s.get("attitude")),
                export.people.get(str(s.get("relationship_owner") or ""), ""),
                s.get("notes"),
            ]
            for s in section.items
        ]
        header = ["name", "job_title", "buying_role", "attitude", "relationship_owner", "notes"]
        lines += table([t(h) for h in header], rows) if rows else [t("empty"), ""]
    else:
        for block in section.blocks:
            if block.style == "heading":
                lines += [f"{'#' * min(6, max(3, block.level + 1))} {block.text}", ""]
            elif block.style == "bullet":
                lines.append(f"{'  ' * block.level}- {block.text}")
            elif block.style == "ordered":
                lines.append(f"{'  ' * block.level}{block.number}. {block.text}")
            elif block.style == "quote":
                lines += [f"> {block.text}", ""]
            elif block.style == "code":
                lines += ["```", block.text, "```", ""]
            else:
                lines += [block.text, ""]
        if not section.blocks:
            lines += [t("empty")]
        lines.append("")
    return lines


def signature_rows(export: Export, t: Texts, signatures: list[Signature]) -> list[str]:
    rows = [
        [s.name, party_label(t, export, s.party), when(s.signed_at), f"`{s.hash}`"]
        for s in signatures
    ]
    return table([t("signed_by"), t("party"), t("time"), t("hash")], rows)


def signatures(export: Export, t: Texts) -> list[str]:
    lines = [f"## {t('signatures')}", ""]
    if export.version:
        v = export.version
        lines += [f"### {t('version_signatures')}", "", f"{t('version_hash')}: `{v.hash}`", ""]
        lines += (
            signature_rows(export, t, v.signatures) if v.signatures else [t("no_signatures"), ""]
        )
    goals = export.signed_goals()
    if not goals:
        lines += [t("no_signatures"), ""]
    for goal in goals:
        lines += [f"### {goal.title}", "", f"{t('agreement')}: {agreement_label(t, goal)}", ""]
        if goal.signatures:
            lines += signature_rows(export, t, goal.signatures)
        signed = goal.agreed_content if goal.agreed_hash else goal.content
        digest = goal.agreed_hash or goal.hash
        if signed is not None:
            label = t("agreed_content") if goal.agreed_hash else t("signed_content")
            lines += [f"{label}, {t('hash')} `{digest}`:", ""]
            lines += ["```json", canonical_json(signed).decode("utf-8"), "```", ""]
    return lines


def render(export: Export) -> str:
    t = Texts(export.language)
    lines = header(export, t) + summary(export, t)
    lines += ["---", "", f"# {t('sections')}", ""]
    for section in export.sections:
        lines += section_lines(export, t, section)
    lines += ["---", ""] + signatures(export, t)
    lines += [f"## {t('record')}", "", t("record_help"), ""]
    lines += ["```json", json.dumps(export.record(), ensure_ascii=False, indent=2), "```", ""]
    return "\n".join(lines)
