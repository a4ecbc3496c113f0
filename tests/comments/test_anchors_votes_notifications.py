import base64
from typing import Any

from pycrdt import Assoc, Doc, StickyIndex

from tests.comments.helpers import append_update, item_text, load_doc, mention, workshop_plan
from tests.people import People


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


async def test_anchor_follows_the_words_through_concurrent_edits(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    doc = await load_doc(app, goals)
    text = item_text(doc, "g1", "description")
    words = "2030 plastic targets"
    start = str(text).index(words)
    anchor = {
        "field": "description",
        "start": _b64(StickyIndex.new(text, start, Assoc.AFTER).encode()),
        "end": _b64(StickyIndex.new(text, start + len(words), Assoc.BEFORE).encode()),
        "quote": words,
    }
    t = (
        await p.cus.http.post(
            f"/api/plans/{p.id}/threads",
            json={
                "section_id": goals,
                "item_id": "g1",
                "anchor": anchor,
                "visibility": "shared",
                "body": "Which targets exactly?",
            },
        )
    ).json()
    assert t["anchor_state"] == {"detached": False, "quote": words}

    # Another participant's client inserts text before the anchor.
    editor: Doc[Any] = Doc()
    editor.apply_update(doc.get_update())
    before = editor.get_state()
    item_text(editor, "g1", "description").insert(0, "By 2029, ")
    await append_update(app, goals, editor.get_update(before))
    moved = (await p.cus.http.get(f"/api/plans/{p.id}/threads/{t['id']}")).json()
    assert moved["anchor_state"] == {"detached": False, "quote": words}

    # The anchored words are deleted: the thread stays, marked detached.
    before = editor.get_state()
    desc = item_text(editor, "g1", "description")
    at = str(desc).index(words)
    del desc[at : at + len(words)]
    await append_update(app, goals, editor.get_update(before))
    gone = (await p.cus.http.get(f"/api/plans/{p.id}/threads/{t['id']}")).json()
    assert gone["anchor_state"]["detached"] is True
    assert [c["body"] for c in gone["comments"]] == ["Which targets exactly?"]


async def test_votes_counted_per_party(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    goals, actions = p.sections["goals_strategic"], p.sections["action_plan"]
    url = f"/api/plans/{p.id}/votes"
    r = await p.cus.http.post(url, json={"section_id": goals, "item_id": "g1"})
    assert r.status_code == 201
    assert r.json() == {
        "section_id": goals,
        "item_id": "g1",
        "counts": {"supplier": 0, "customer": 1},
        "mine": True,
    }
    await p.kam.http.post(url, json={"section_id": goals, "item_id": "g1"})
    again = await p.cus.http.post(url, json={"section_id": goals, "item_id": "g1"})
    assert again.json()["counts"] == {"supplier": 1, "customer": 1}  # one vote per person
    proposed = await p.sup.http.post(url, json={"section_id": actions, "item_id": "a1"})
    assert proposed.status_code == 201
    planned = await p.sup.http.post(url, json={"section_id": actions, "item_id": "a2"})
    assert planned.status_code == 400
    assert planned.json()["error"] == "not_votable"
    missing = await p.sup.http.post(url, json={"section_id": goals, "item_id": "zz"})
    assert missing.json()["error"] == "item_not_found"
    listed = (await p.sup.http.get(f"{url}?section_id={goals}")).json()["items"]
    assert listed == [
        {
            "section_id": goals,
            "item_id": "g1",
            "counts": {"supplier": 1, "customer": 1},
            "mine": False,
        }
    ]
    undone = await p.cus.http.delete(f"{url}/{goals}/g1")
    assert undone.json()["counts"] == {"supplier": 1, "customer": 0}
    assert undone.json()["mine"] is False


async def test_mentions_reach_the_inbox_and_respect_settings(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    goals = p.sections["goals_strategic"]
    url = f"/api/plans/{p.id}/threads"
    await p.kam.http.post(
        url,
        json={
            "section_id": goals,
            "visibility": "shared",
            "body": f"{mention(p.cus)} can you check the target?",
        },
    )
    inbox = (await p.cus.http.get("/api/notifications")).json()
    assert inbox["unread"] == 1
    note = inbox["items"][0]
    assert (note["kind"], note["actor"]["name"], note["plan_id"]) == ("mention", "Kam", p.id)
    assert "can you check" in note["excerpt"]
    # Others are not notified by default (mentions only).
    assert (await p.sup.http.get("/api/notifications")).json()["unread"] == 0

    # "all": every new thread and reply; "none": not even mentions.
    await p.sup.http.put(f"/api/plans/{p.id}/notification-settings", json={"level": "all"})
    await p.cus.http.put(f"/api/plans/{p.id}/notification-settings", json={"level": "none"})
    assert (await p.cus.http.get(f"/api/plans/{p.id}/notification-settings")).json() == {
        "level": "none"
    }
    await p.kam.http.post(
        url, json={"section_id": goals, "visibility": "shared", "body": f"{mention(p.cus)} again"}
    )
    assert (await p.cus.http.get("/api/notifications")).json()["unread"] == 1
    sup_inbox = (await p.sup.http.get("/api/notifications")).json()
    assert sup_inbox["unread"] == 1
    assert sup_inbox["items"][0]["kind"] == "thread"

    marked = await p.cus.http.post("/api/notifications/read", json={"all": True})
    assert marked.json() == {"unread": 0}
    assert (await p.cus.http.get("/api/notifications?unread_only=true")).json()["items"] == []


async def test_mentioning_someone_who_cannot_read_the_thread_is_refused(
    app: Any, people: People
) -> None:
    p = await workshop_plan(app, people)
    r = await p.kam.http.post(
        f"/api/plans/{p.id}/threads",
        json={
            "section_id": p.sections["goals_strategic"],
            "visibility": "internal",
            "body": f"{mention(p.cus)} should not see this",
        },
    )
    assert r.status_code == 400
    assert r.json()["error"] == "mention_not_allowed"
    assert p.cus.id not in r.text


async def test_anchor_in_rich_text_survives_edits_and_detaches(app: Any, people: People) -> None:
    from pycrdt import XmlElement, XmlFragment, XmlText

    from server.collab import encoding, protocol
    from tests.comments.helpers import put_raw

    p = await workshop_plan(app, people)
    analysis = p.sections["analysis"]
    # pycrdt cannot make relative positions in XML text, so build them as Yjs encodes them:
    # the id (client, clock) of a character and assoc 0.
    doc: Doc[Any] = Doc()
    paragraph = doc.get("body", type=XmlFragment).children.append(XmlElement("paragraph"))
    text = paragraph.children.append(XmlText())
    first_clock = protocol.decode_state_vector(doc.get_state())[doc.client_id]
    sentence, words = "Retail wants less plastic by 2030.", "less plastic"
    text.insert(0, sentence)
    await put_raw(app, analysis, doc.get_update())
    at = sentence.index(words)

    def position(index: int) -> str:
        raw = encoding.var_uint(0) + encoding.var_uint(doc.client_id)
        return _b64(raw + encoding.var_uint(first_clock + index) + b"\x00")

    anchor = {"start": position(at), "end": position(at + len(words)), "quote": words}
    url = f"/api/plans/{p.id}/threads"
    t = await p.sup.http.post(
        url,
        json={
            "section_id": analysis,
            "anchor": anchor,
            "visibility": "shared",
            "body": "How much less?",
        },
    )
    assert t.status_code == 201, t.text
    thread = t.json()
    assert thread["anchor_state"] == {"detached": False, "quote": words}
    with_field = await p.sup.http.post(
        url,
        json={
            "section_id": analysis,
            "anchor": {**anchor, "field": "title"},
            "visibility": "shared",
            "body": "x",
        },
    )
    assert with_field.json()["error"] == "invalid_anchor"

    before = doc.get_state()
    text.insert(0, "Every Nordic chain: ")
    await append_update(app, analysis, doc.get_update(before))
    moved = (await p.sup.http.get(f"{url}/{thread['id']}")).json()
    assert moved["anchor_state"] == {"detached": False, "quote": words}

    before = doc.get_state()
    start = str(text).index(words)
    del text[start : start + len(words)]
    await append_update(app, analysis, doc.get_update(before))
    gone = (await p.sup.http.get(f"{url}/{thread['id']}")).json()
    assert gone["anchor_state"]["detached"] is True
