from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from server.comments.models import Comment, Thread
from tests.comments.helpers import mention, workshop_plan
from tests.people import People


async def test_shared_thread_reaches_both_parties(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    created = await p.cus.http.post(
        f"/api/plans/{p.id}/threads",
        json={
            "section_id": goals,
            "item_id": "g1",
            "visibility": "shared",
            "body": "Can we say **2029** instead?",
        },
    )
    assert created.status_code == 201, created.text
    thread = created.json()
    assert (thread["section_id"], thread["item_id"], thread["visibility"], thread["status"]) == (
        goals,
        "g1",
        "shared",
        "open",
    )
    assert thread["party"] == "customer"
    assert thread["comments"][0]["html"] == "<p>Can we say <strong>2029</strong> instead?</p>"

    listed = (await p.kam.http.get(f"/api/plans/{p.id}/threads?item_id=g1")).json()
    assert [t["id"] for t in listed["items"]] == [thread["id"]]
    reply = await p.kam.http.post(
        f"/api/plans/{p.id}/threads/{thread['id']}/comments", json={"body": "Yes, if trials pass."}
    )
    assert reply.status_code == 201
    full = (await p.cus.http.get(f"/api/plans/{p.id}/threads/{thread['id']}")).json()
    assert [c["body"] for c in full["comments"]] == [
        "Can we say **2029** instead?",
        "Yes, if trials pass.",
    ]
    counts = (await p.cus.http.get(f"/api/plans/{p.id}/threads/counts")).json()
    assert counts["sections"] == {goals: 1}
    assert counts["items"] == [{"section_id": goals, "item_id": "g1", "open": 1}]


async def test_commenting_on_a_section_one_cannot_edit(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    product = p.sections["strategy_product"]  # supplier-owned, shared
    r = await p.cus.http.post(
        f"/api/plans/{p.id}/threads",
        json={"section_id": product, "visibility": "shared", "body": "Tailored sizes, please."},
    )
    assert r.status_code == 201, r.text
    # The owners of the section read it, as the customer's.
    seen = (await p.kam.http.get(f"/api/plans/{p.id}/threads?section_id={product}")).json()
    assert [(t["id"], t["party"]) for t in seen["items"]] == [(r.json()["id"], "customer")]
    assert seen["items"][0]["comments"][0]["body"] == "Tailored sizes, please."


async def test_viewers_read_but_do_not_comment(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    thread = (
        await p.kam.http.post(
            f"/api/plans/{p.id}/threads",
            json={"section_id": goals, "visibility": "shared", "body": "Agree?"},
        )
    ).json()
    read = await p.viewer.http.get(f"/api/plans/{p.id}/threads/{thread['id']}")
    assert read.status_code == 200
    assert [c["body"] for c in read.json()["comments"]] == ["Agree?"]
    for path, body in (
        ("threads", {"section_id": goals, "visibility": "shared", "body": "x"}),
        (f"threads/{thread['id']}/comments", {"body": "x"}),
        ("votes", {"section_id": goals, "item_id": "g1"}),
    ):
        r = await p.viewer.http.post(f"/api/plans/{p.id}/{path}", json=body)
        assert r.status_code == 403, path
        assert r.json()["error"] == "cannot_comment"
    # Nothing of it was written: the thread still has its one comment, no other thread,
    # no vote.
    listed = (await p.kam.http.get(f"/api/plans/{p.id}/threads")).json()["items"]
    assert [(t["id"], len(t["comments"])) for t in listed] == [(thread["id"], 1)]
    votes = (await p.kam.http.get(f"/api/plans/{p.id}/votes?section_id={goals}")).json()
    assert [v for v in votes["items"] if any(v["counts"].values())] == []


async def test_bad_input_gets_clear_errors_and_saves_nothing(
    app: Any, people: People, engine: AsyncEngine
) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    url = f"/api/plans/{p.id}/threads"
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"section_id": goals, "visibility": "shared", "body": ""}, 422, "validation_error"),
        ({"section_id": goals, "visibility": "shared", "body": "   "}, 422, "validation_error"),
        (
            {"section_id": goals, "visibility": "shared", "body": "x" * 10_001},
            422,
            "validation_error",
        ),
        ({"section_id": goals, "visibility": "secret", "body": "x"}, 422, "validation_error"),
        (
            {"section_id": goals, "item_id": "nope", "visibility": "shared", "body": "x"},
            400,
            "item_not_found",
        ),
        (
            {
                "section_id": goals,
                "item_id": "g1",
                "visibility": "shared",
                "body": "x",
                "anchor": {"start": "!!!", "end": "AA==", "field": "title"},
            },
            400,
            "invalid_anchor",
        ),
        (
            {
                "section_id": goals,
                "item_id": "g1",
                "visibility": "shared",
                "body": "x",
                "anchor": {"start": "Z2FyYmFnZQ==", "end": "Z2FyYmFnZQ==", "field": "title"},
            },
            400,
            "invalid_anchor",
        ),
        (
            {
                "section_id": goals,
                "visibility": "shared",
                "body": "hi @[Ghost](user:" + "f" * 32 + ")",
            },
            400,
            "mention_not_allowed",
        ),
        ({"section_id": "0" * 32, "visibility": "shared", "body": "x"}, 404, "section_not_found"),
        (
            {"section_id": p.sections["strategy_price"], "visibility": "shared", "body": "x"},
            404,
            "section_not_found",
        ),
    ]
    for body, code, error in cases:
        r = await p.cus.http.post(url, json=body)
        assert r.status_code == code, (body, r.text)
        assert r.json()["error"] == error
    ok = await p.cus.http.post(
        url, json={"section_id": goals, "visibility": "shared", "body": "x" * 10_000}
    )
    assert ok.status_code == 201
    thread_id = ok.json()["id"]
    first = ok.json()["comments"][0]["id"]
    reply = await p.kam.http.post(
        f"/api/plans/{p.id}/threads/{thread_id}/comments", json={"body": "reply", "reply_to": first}
    )
    assert reply.status_code == 201
    nested = await p.cus.http.post(
        f"/api/plans/{p.id}/threads/{thread_id}/comments",
        json={"body": "reply to reply", "reply_to": reply.json()["id"]},
    )
    assert nested.status_code == 400
    assert nested.json()["error"] == "nested_reply"
    async with engine.connect() as c:
        assert await c.scalar(select(func.count()).select_from(Thread)) == 1
        assert await c.scalar(select(func.count()).select_from(Comment)) == 2


async def test_markdown_is_rendered_safely(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    body = (
        "<script>alert(1)</script> <img src=x onerror=alert(1)>\n"
        "- [site](https://example.com/?a=1&b=2)\n- [bad](javascript:alert(1))\n"
        f"*mind* {mention(p.kam)}"
    )
    r = await p.cus.http.post(
        f"/api/plans/{p.id}/threads",
        json={"section_id": p.sections["analysis"], "visibility": "shared", "body": body},
    )
    html = r.json()["comments"][0]["html"]
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://example.com/?a=1&amp;b=2"' in html
    assert "javascript:" not in html.split("href=")[-1].split(">")[0]
    assert 'href="javascript' not in html
    assert "<em>mind</em>" in html
    assert f'data-user-id="{p.kam.id}">@Kam</span>' in html
    assert r.json()["comments"][0]["mentions"] == [p.kam.id]


async def test_edit_keeps_history_delete_is_soft(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    t = (
        await p.cus.http.post(
            f"/api/plans/{p.id}/threads",
            json={"section_id": p.sections["analysis"], "visibility": "shared", "body": "first"},
        )
    ).json()
    cid = t["comments"][0]["id"]
    base = f"/api/plans/{p.id}/threads/{t['id']}/comments/{cid}"
    assert (await p.kam.http.patch(base, json={"body": "hijack"})).status_code == 403
    unchanged = (await p.cus.http.get(f"/api/plans/{p.id}/threads/{t['id']}")).json()
    assert unchanged["comments"][0]["body"] == "first"
    assert unchanged["comments"][0]["edited_at"] is None
    edited = await p.cus.http.patch(base, json={"body": "second"})
    assert edited.json()["body"] == "second"
    assert edited.json()["edited_at"] is not None
    await p.cus.http.patch(base, json={"body": "third"})
    history = (await p.cus.http.get(f"{base}/history")).json()["items"]
    assert [h["body"] for h in history] == ["first", "second"]
    assert (await p.sup.http.delete(base)).status_code == 403  # neither author nor facilitator
    kept = (await p.cus.http.get(f"/api/plans/{p.id}/threads/{t['id']}")).json()
    assert (kept["comments"][0]["deleted"], kept["comments"][0]["body"]) == (False, "third")
    assert (await p.kam.http.delete(base)).status_code == 204  # facilitator moderates
    after = (await p.cus.http.get(f"/api/plans/{p.id}/threads/{t['id']}")).json()
    assert after["comments"][0]["deleted"] is True
    assert after["comments"][0]["body"] == ""
    assert (await p.cus.http.patch(base, json={"body": "back"})).status_code == 404
    still = (await p.cus.http.get(f"/api/plans/{p.id}/threads/{t['id']}")).json()
    assert (still["comments"][0]["deleted"], still["comments"][0]["body"]) == (True, "")


async def test_resolve_reopen_filters_and_pages(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    ids = []
    for i in range(5):
        author = p.cus if i % 2 else p.sup
        r = await author.http.post(
            f"/api/plans/{p.id}/threads",
            json={"section_id": goals, "visibility": "shared", "body": f"thread {i}"},
        )
        ids.append(r.json()["id"])
    resolved = await p.cus.http.post(f"/api/plans/{p.id}/threads/{ids[0]}/resolve")
    assert resolved.json()["status"] == "resolved"
    assert resolved.json()["resolved_by"]["name"] == "Cus"
    base = f"/api/plans/{p.id}/threads"
    open_ = (await p.kam.http.get(f"{base}?status=open")).json()["items"]
    assert {t["id"] for t in open_} == set(ids[1:])
    mine = (await p.kam.http.get(f"{base}?author_id={p.cus.id}")).json()["items"]
    assert {t["id"] for t in mine} == {ids[1], ids[3]}
    page1 = (await p.kam.http.get(f"{base}?limit=2")).json()
    page2 = (await p.kam.http.get(f"{base}?limit=2&cursor={page1['next_cursor']}")).json()
    page3 = (await p.kam.http.get(f"{base}?limit=2&cursor={page2['next_cursor']}")).json()
    seen = [t["id"] for t in page1["items"] + page2["items"] + page3["items"]]
    assert seen == list(reversed(ids))
    assert page3["next_cursor"] is None
    reopened = await p.kam.http.post(f"/api/plans/{p.id}/threads/{ids[0]}/reopen")
    assert reopened.json()["status"] == "open"
    bad = await p.kam.http.get(f"{base}?cursor=not-a-cursor")
    assert bad.status_code == 400
    assert "error" in bad.json()
    audit = (await p.kam.http.get(f"/api/plans/{p.id}/audit")).json()["items"]
    actions = [e["action"] for e in audit]
    assert "thread.resolve" in actions
    assert "thread.reopen" in actions
    assert actions.count("thread.create") == 5
