"""Comment bodies: plain text with a small, safe markdown subset, rendered to HTML here.

Everything is escaped first; only the constructs below produce markup, so no script, no
raw HTML and no link other than http(s) can come back:
- **strong**, *emphasis* or _emphasis_
- [label](https://…) links (rel="nofollow noopener noreferrer")
- lists: lines starting with "- ", "* " or "1. "
- @[Name](user:ID) mentions
- paragraphs (blank lines) and line breaks
"""

import html
import re

MENTION = re.compile(r"@\[([^\]\n]{1,100})\]\(user:([0-9a-f]{32})\)")
_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((https?://[^\s()<>\"']{1,2000})\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])[*_](?=\S)(.+?)(?<=\S)[*_](?![\w*])")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")


def mentioned_user_ids(body: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in MENTION.finditer(body):
        seen[match.group(2)] = None
    return list(seen)


def _inline(text: str) -> str:
    # Links and mentions are cut out before escaping so their URLs and ids stay intact,
    # then every piece of text is escaped on its own.
    out: list[str] = []
    pos = 0
    pattern = re.compile(f"{MENTION.pattern}|{_LINK.pattern}")
    for match in pattern.finditer(text):
        out.append(_styled(text[pos : match.start()]))
        if match.group(2):
            name, user_id = match.group(1), match.group(2)
            out.append(
                f'<span class="mention" data-user-id="{user_id}">@{html.escape(name)}</span>'
            )
        else:
            label, url = match.group(3), match.group(4)
            out.append(
                f'<a href="{html.escape(url, quote=True)}" rel="nofollow noopener noreferrer" '
                f'target="_blank">{_styled(label)}</a>'
            )
        pos = match.end()
    out.append(_styled(text[pos:]))
    return "".join(out)


def _styled(text: str) -> str:
    escaped = html.escape(text, quote=True)
    escaped = _STRONG.sub(r"<strong>\1</strong>", escaped)
    return _EMPHASIS.sub(r"<em>\1</em>", escaped)


def render(body: str) -> str:
    """Sanitised HTML for a comment body."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""

    def flush_paragraph() -> None:
        if paragraph:
            blocks.append("<p>" + "<br>".join(_inline(p) for p in paragraph) + "</p>")
            paragraph.clear()

    def flush_list() -> None:
        nonlocal list_tag
        if items:
            inner = "".join(f"<li>{_inline(i)}</li>" for i in items)
            blocks.append(f"<{list_tag}>{inner}</{list_tag}>")
            items.clear()
        list_tag = ""

    for line in lines:
        bullet, numbered = _BULLET.match(line), _NUMBERED.match(line)
        match, tag = (bullet, "ul") if bullet else (numbered, "ol")
        if match:
            flush_paragraph()
            if list_tag and list_tag != tag:
                flush_list()
            list_tag = tag
            items.append(match.group(1))
        elif not line.strip():
            flush_paragraph()
            flush_list()
        else:
            flush_list()
            paragraph.append(line)
    flush_paragraph()
    flush_list()
    return "".join(blocks)
