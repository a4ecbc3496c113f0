"""Comment bodies: plain text with a small markdown subset, rendered to safe HTML here.

markdown-it-py parses (CommonMark, linear in the input) with only these rules on:
- **strong**, *emphasis* or _emphasis_
- [label](https://…) and mailto: links (rel="nofollow noopener noreferrer")
- lists: "- ", "* ", "1. " or "1) "
- @[Name](user:ID) mentions
- paragraphs (blank lines) and line breaks (every newline)
Raw HTML is never passed through (it comes out as text). nh3 (ammonia) then cleans what
the parser produced down to exactly these tags, attributes and URL schemes, as a second,
independent line: whatever the parser lets through, no script, no style and no link other
than http(s) or mailto can come back.
"""

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from server import offload

MENTION = re.compile(r"@\[([^\]\n]{1,100})\]\(user:([0-9a-f]{32})\)")
_MENTION_HREF = re.compile(r"user:([0-9a-f]{32})")
_SCHEMES = {"http", "https", "mailto"}

_parser = MarkdownIt("zero", {"breaks": True, "html": False, "maxNesting": 20}).enable(
    ["emphasis", "link", "list", "newline", "escape"]
)
# markdown-it refuses javascript:, data: and the like; only these schemes (and our mention
# links) may become links at all.
_parser.validateLink = lambda url: (  # type: ignore[method-assign]
    bool(_MENTION_HREF.fullmatch(url)) or url.split(":", 1)[0].lower() in _SCHEMES
)

_cleaner = nh3.Cleaner(
    tags={"p", "br", "strong", "em", "ul", "ol", "li", "a", "span"},
    attributes={"a": {"href"}, "ol": {"start"}},
    tag_attribute_values={"span": {"class": {"mention"}}},
    generic_attribute_prefixes={"data-user-"},
    set_tag_attribute_values={"a": {"target": "_blank"}},
    url_schemes=_SCHEMES,
    link_rel="nofollow noopener noreferrer",
    strip_comments=True,
)


def _mark_mentions(state: StateCore) -> None:
    """@[Name](user:ID): the link after an "@" becomes a mention (its "@" moves into the
    span); a user: link without the "@" is just its label. One pass over the tokens."""
    for block in state.tokens:
        openers: list[Token] = []
        children = block.children or []
        for i, token in enumerate(children):
            if token.type == "link_open":
                match = _MENTION_HREF.fullmatch(str(token.attrGet("href") or ""))
                if match:
                    previous = children[i - 1] if i > 0 else None
                    if previous and previous.type == "text" and previous.content.endswith("@"):
                        previous.content = previous.content[:-1]
                        token.meta["mention"] = match.group(1)
                    else:
                        token.meta["mention"] = ""
                openers.append(token)
            elif token.type == "link_close" and openers:
                token.meta = openers.pop().meta


def _link_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    mention = tokens[idx].meta.get("mention")
    if mention is None:
        return self.renderToken(tokens, idx, options, env)
    return f'<span class="mention" data-user-id="{mention}">@' if mention else ""


def _link_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    mention = tokens[idx].meta.get("mention")
    if mention is None:
        return self.renderToken(tokens, idx, options, env)
    return "</span>" if mention else ""


_parser.core.ruler.push("mentions", _mark_mentions)
_parser.add_render_rule("link_open", _link_open)
_parser.add_render_rule("link_close", _link_close)


def mentioned_user_ids(body: str) -> list[str]:
    seen: dict[str, None] = {}
    for match in MENTION.finditer(body):
        seen[match.group(2)] = None
    return list(seen)


@lru_cache(maxsize=512)
def render(body: str) -> str:
    """Sanitised HTML for a comment body."""
    html: str = _parser.render(body)
    return str(_cleaner.clean(html)).strip()


async def prerender(bodies: Iterable[str]) -> None:
    """Render these bodies in a worker thread, so that render() finds them cached: linear
    as markdown-it is, pure-Python parsing of a long crafted body takes tens of ms."""
    todo = list(dict.fromkeys(bodies))
    if sum(map(len, todo)) > 2000:
        await offload.run(lambda: [render(b) for b in todo])
