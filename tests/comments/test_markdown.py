"""The comment markdown subset, through markdown-it-py and nh3 (server/comments/markdown.py)."""

from server.comments.markdown import mentioned_user_ids, render

USER = "0123456789abcdef0123456789abcdef"


def test_the_subset_renders() -> None:
    html = render(f"**bold** _em_ [a](https://x.test) [m](mailto:a@x.test) @[Kam](user:{USER})")
    assert "<strong>bold</strong>" in html
    assert "<em>em</em>" in html
    assert '<a href="https://x.test" target="_blank" rel="nofollow noopener noreferrer">a' in html
    assert 'href="mailto:a@x.test"' in html
    assert f'<span class="mention" data-user-id="{USER}">@Kam</span>' in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in render("- one\n- two")
    assert "<ol>" in render("1. one\n2. two")
    assert render("line\nnext") == "<p>line<br>\nnext</p>"
    assert mentioned_user_ids(f"@[Kam](user:{USER}) @[Kam](user:{USER})") == [USER]


def test_nothing_unsafe_comes_back() -> None:
    for body in (
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        "[x](javascript:alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](vbscript:msgbox)",
        '<span class="mention" onclick="alert(1)">x</span>',
        "<style>body{}</style>",
        "[x](user:nothex)",
    ):
        html = render(body)
        assert "<script" not in html
        assert "<img" not in html
        assert "<style" not in html
        assert "<span" not in html
        assert "<a " not in html, body


def test_images_are_not_images() -> None:
    assert "<img" not in render("![img](https://x.test/a.png)")


def test_a_user_link_without_at_is_only_its_label() -> None:
    assert render(f"[Kam](user:{USER})") == "<p>Kam</p>"
