"""The web app's copy of the close codes matches the server's."""

import re
from pathlib import Path

from server.collab.closecodes import CloseCode

WEB = Path(__file__).resolve().parents[2] / "web" / "src" / "collab" / "closeCodes.ts"


def test_web_close_codes_mirror_the_server() -> None:
    text = WEB.read_text()
    block = text[text.index("CloseCode = {") : text.index("} as const")]
    web = {name: int(code) for name, code in re.findall(r"(\w+): (\d+)", block)}
    assert web == {c.name: c.value for c in CloseCode}
