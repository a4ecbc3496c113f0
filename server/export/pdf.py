"""An export as PDF (fpdf2, pure Python): a one-page summary, the sections, the signatures;
the agreement record is attached as jointplan-record.json.

The font is Lato, from the font-lato package on PyPI (SIL Open Font License), so nothing
outside Python is needed at run time. Characters Lato lacks are replaced by their
compatibility form where that exists (CO₂ → CO2), else drawn with DejaVu Sans when the
system has it.
"""

import json
import unicodedata
from importlib.resources import files
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.fonts import FontFace, TTFFont

from server import offload
from server.export.document import Export, Goal, Section
from server.export.i18n import Texts
from server.export.markdown import (
    SUMMARY_ACTIVITIES,
    SUMMARY_GOALS,
    agreement_label,
    owner,
    party_label,
    when,
)
from server.signoff.canonical import canonical_json

FONT = "Lato"
FALLBACK = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
RECORD_NAME = "jointplan-record.json"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
STATUS_COLOURS = {"agreed": (25, 135, 84), "pending": (176, 120, 0), "changed": (200, 35, 51)}


def _font_file(style: str) -> str:
    return str(files("font_lato") / "files" / f"Lato-{style}.ttf")


class _Pdf(FPDF):
    def __init__(self, export: Export, t: Texts) -> None:
        super().__init__(format="A4", unit="mm")
        self.export = export
        self.t = t
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(True, margin=18)
        self.add_font(FONT, "", _font_file("Regular"))
        self.add_font(FONT, "B", _font_file("Bold"))
        self.add_font(FONT, "I", _font_file("Italic"))
        lato = self.fonts[FONT.lower()]
        assert isinstance(lato, TTFFont)
        self._covered = frozenset(lato.cmap)
        if FALLBACK.is_file():
            self.add_font("DejaVu", "", str(FALLBACK))
            self.set_fallback_fonts(["DejaVu"], exact_match=False)
        self.set_title(self.fit(export.plan_title))
        self.set_creator("JointPlan")
        self.alias_nb_pages("{nb}")

    def fit(self, text: Any) -> str:
        """Text the font can draw: a missing character by its compatibility form, if any."""
        out = []
        for char in "" if text is None else str(text):
            if ord(char) in self._covered or char in "\n\t":
                out.append(char)
                continue
            compatible = unicodedata.normalize("NFKC", char)
            out.append(compatible if all(ord(c) in self._covered for c in compatible) else char)
        return "".join(out)

    def footer(self) -> None:
        self.set_y(-12)
        self.style(8, colour=MUTED)
        label = f"{self.export.plan_title} · " + self.t("page", n=self.page_no(), total="{nb}")
        self.cell(0, 5, self.fit(label), align="C")

    def style(self, size: float, bold: bool = False, colour: tuple[int, int, int] = INK) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*colour)

    def para(self, text: Any, size: float = 10, bold: bool = False, gap: float = 1.5) -> None:
        self.style(size, bold)
        self.multi_cell(
            0, size * 0.5, self.fit(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
        )
        self.ln(gap)

    def heading(self, text: str, size: float = 14) -> None:
        if self.get_y() > self.h - 45:
            self.add_page()
        self.ln(2)
        self.para(text, size, bold=True, gap=1)

    def line_clipped(self, parts: list[tuple[str, float, tuple[int, int, int], bool]]) -> None:
        """One row of fixed-width cells, each clipped to fit (the summary must stay one page)."""
        for text, width, colour, bold in parts:
            self.style(9, bold, colour)
            text = self.fit(text)
            while text and self.get_string_width(text) > width - 2:
                text = text[:-2] + "…"
            self.cell(width, 5.2, text)
        self.ln(5.2)


def _summary(pdf: _Pdf, export: Export, t: Texts) -> None:
    pdf.add_page()
    pdf.para(export.plan_title, 20, bold=True, gap=0.5)
    pdf.style(10, colour=MUTED)
    pdf.cell(0, 5, pdf.fit(f"{export.supplier_name} × {export.customer_name}"))
    pdf.ln(5)
    if export.version:
        v = export.version
        line = t("version", name=v.name, when=when(v.created_at), by=v.created_by)
    else:
        line = t("current")
    pdf.cell(0, 5, pdf.fit(line))
    pdf.ln(5)
    exported = t(
        "exported", when=when(export.exported_at), name=export.reader_name, party=export.party_name
    )
    pdf.cell(0, 5, pdf.fit(exported))
    pdf.ln(8)
    pdf.para(t("summary"), 16, bold=True, gap=1)
    width = pdf.epw
    for horizon, goals in export.goals_by_horizon():
        if horizon == "none" and not goals:
            continue
        pdf.para(t("horizon." + horizon), 11.5, bold=True, gap=0.5)
        if not goals:
            pdf.line_clipped([(t("no_goals"), width, MUTED, False)])
        for goal in goals[:SUMMARY_GOALS]:
            content = goal.content or {}
            pdf.line_clipped(
                [
                    ("• " + goal.title, width * 0.52, INK, False),
                    (str(content.get("target") or ""), width * 0.14, MUTED, False),
                    (str(content.get("due") or ""), width * 0.12, MUTED, False),
                    (agreement_label(t, goal), width * 0.22, STATUS_COLOURS[goal.status], True),
                ]
            )
        if len(goals) > SUMMARY_GOALS:
            pdf.line_clipped([(t("more", n=len(goals) - SUMMARY_GOALS), width, MUTED, False)])
        pdf.ln(2)
    pdf.para(t("key_activities"), 11.5, bold=True, gap=0.5)
    activities = export.key_activities()
    if not activities:
        pdf.line_clipped([(t("no_activities"), width, MUTED, False)])
    for activity in activities[:SUMMARY_ACTIVITIES]:
        dates = " – ".join(str(activity.get(k)) for k in ("start", "due") if activity.get(k))
        pdf.line_clipped(
            [
                ("• " + str(activity.get("title") or ""), width * 0.46, INK, False),
                (owner(export, t, activity), width * 0.30, MUTED, False),
                (dates, width * 0.24, MUTED, False),
            ]
        )
    if len(activities) > SUMMARY_ACTIVITIES:
        more = t("more", n=len(activities) - SUMMARY_ACTIVITIES)
        pdf.line_clipped([(more, width, MUTED, False)])


def _table(
    pdf: _Pdf,
    header: list[str],
    rows: list[list[Any]],
    widths: tuple[int, ...],
    small: int | None = None,
) -> None:
    """A table; column `small` (hashes) in a smaller size so it stays on one line."""
    pdf.style(8.5)
    with pdf.table(
        col_widths=widths,
        line_height=4.6,
        text_align="LEFT",
        headings_style=FontFace(emphasis="BOLD", color=INK),
        borders_layout="HORIZONTAL_LINES",
        padding=1,
    ) as table:
        head = table.row()
        for name in header:
            head.cell(pdf.fit(name))
        for values in rows:
            offload.check()
            row = table.row()
            for column, value in enumerate(values):
                text = pdf.fit("" if value is None else value)
                row.cell(text, style=FontFace(size_pt=6.2) if column == small else None)
    pdf.ln(3)


def _goal(pdf: _Pdf, t: Texts, goal: Goal) -> None:
    content = goal.content or {}
    pdf.para(goal.title, 11, bold=True, gap=0.5)
    if content.get("description"):
        pdf.para(content["description"], 10, gap=0.5)
    facts = [f"{t(k)}: {content[k]}" for k in ("metric", "target", "due") if content.get(k)]
    if goal.goal_status:
        facts.append(f"{t('goal_status')}: {t.value(goal.goal_status)}")
    if facts:
        pdf.style(9, colour=MUTED)
        pdf.multi_cell(
            0, 4.6, pdf.fit(" · ".join(facts)), new_x=XPos.LMARGIN, new_y=YPos.NEXT, align="L"
        )
    pdf.style(9, bold=True, colour=STATUS_COLOURS[goal.status])
    pdf.cell(0, 5, pdf.fit(f"{t('agreement')}: {agreement_label(t, goal)}"))
    pdf.ln(7)


def _section(pdf: _Pdf, export: Export, t: Texts, section: Section) -> None:
    pdf.heading(section.title)
    if section.kind == "goals":
        live = [g for g in section.goals if g.content is not None]
        for goal in live:
            offload.check()
            _goal(pdf, t, goal)
        if not live:
            pdf.para(t("empty"), 10)
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
        if rows:
            header = [t("activity"), t("owner"), t("start"), t("due"), t("status")]
            _table(pdf, header, rows, (40, 26, 14, 14, 14))
        else:
            pdf.para(t("empty"), 10)
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
        if rows:
            _table(pdf, [t(h) for h in header], rows, (18, 18, 14, 14, 16, 30))
        else:
            pdf.para(t("empty"), 10)
    else:
        for block in section.blocks:
            offload.check()
            if block.style == "heading":
                pdf.para(block.text, 12 if block.level <= 2 else 11, bold=True, gap=0.5)
            elif block.style in ("bullet", "ordered"):
                mark = "•" if block.style == "bullet" else f"{block.number}."
                pdf.set_x(pdf.l_margin + 4 + 4 * block.level)
                pdf.style(10)
                pdf.multi_cell(
                    0, 5, pdf.fit(f"{mark} {block.text}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT
                )
                pdf.ln(0.5)
            else:
                pdf.para(block.text, 10)
        if not section.blocks:
            pdf.para(t("empty"), 10)
    pdf.ln(2)


def _signatures(pdf: _Pdf, export: Export, t: Texts) -> None:
    pdf.add_page()
    pdf.para(t("signatures"), 16, bold=True, gap=1)
    widths = (26, 30, 30, 88)
    header = [t("signed_by"), t("party"), t("time"), t("hash")]

    def rows(signatures: list[Any]) -> list[list[Any]]:
        return [
            [s.name, party_label(t, export, s.party), f"{s.signed_at:%Y-%m-%d %H:%M}", s.hash]
            for s in signatures
        ]

    if export.version:
        v = export.version
        pdf.para(t("version_signatures"), 11.5, bold=True, gap=0.5)
        pdf.para(f"{t('version_hash')}: {v.hash}", 8.5)
        if v.signatures:
            _table(pdf, header, rows(v.signatures), widths, small=3)
        else:
            pdf.para(t("no_signatures"), 10)
    goals = export.signed_goals()
    if not goals:
        pdf.para(t("no_signatures"), 10)
    for goal in goals:
        offload.check()
        pdf.heading(goal.title, 11.5)
        pdf.style(9, bold=True, colour=STATUS_COLOURS[goal.status])
        pdf.cell(0, 5, pdf.fit(f"{t('agreement')}: {agreement_label(t, goal)}"))
        pdf.ln(6)
        if goal.signatures:
            _table(pdf, header, rows(goal.signatures), widths, small=3)
        signed = goal.agreed_content if goal.agreed_hash else goal.content
        digest = goal.agreed_hash or goal.hash
        if signed is not None:
            label = t("agreed_content") if goal.agreed_hash else t("signed_content")
            pdf.para(f"{label}, {t('hash')}: {digest}", 8.5, gap=0.5)
            pdf.set_text_color(*MUTED)
            pdf.multi_cell(
                0,
                4,
                pdf.fit(canonical_json(signed).decode()),
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
                align="L",
            )
            pdf.ln(3)
    pdf.heading(t("record"), 11.5)
    pdf.para(t("record_help_pdf"), 9)


def render(export: Export) -> bytes:
    t = Texts(export.language)
    pdf = _Pdf(export, t)
    _summary(pdf, export, t)
    pdf.add_page()
    pdf.para(t("sections"), 16, bold=True, gap=1)
    for section in export.sections:
        _section(pdf, export, t, section)
    _signatures(pdf, export, t)
    record = json.dumps(export.record(), ensure_ascii=True, indent=1).encode("ascii")
    pdf.embed_file(
        basename=RECORD_NAME,
        bytes=record,
        desc="JointPlan agreement record",
        mime_type="application/json",
        compress=False,
    )
    return bytes(pdf.output())
