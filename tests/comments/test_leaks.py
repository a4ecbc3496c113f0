"""Internal threads, their comments, mentions, votes and counts never reach the other party."""

from typing import Any

from tests.comments.helpers import mention, workshop_plan
from tests.people import People


async def test_nothing_internal_crosses_to_the_other_party(app: Any, people: People) -> None:
    p = await workshop_plan(app, people)
    goals, price = p.sections["goals_strategic"], p.sections["strategy_price"]
    start = (await p.cus.http.get(f"/api/plans/{p.id}/events/poll")).json()["cursor"]

    secret_words = "WALKAWAY-PRICE-SECRET"
    internal = (
        await p.kam.http.post(
            f"/api/plans/{p.id}/threads",
            json={
                "section_id": goals,
                "item_id": "g1",
                "visibility": "internal",
                "body": f"{secret_words} {mention(p.sup)}",
            },
        )
    ).json()
    in_price = (
        await p.kam.http.post(
            f"/api/plans/{p.id}/threads",
            json={"section_id": price, "visibility": "shared", "body": f"{secret_words} floor"},
        )
    ).json()
    await p.kam.http.post(
        f"/api/plans/{p.id}/threads/{internal['id']}/comments",
        json={"body": f"{secret_words} reply"},
    )
    await p.kam.http.post(f"/api/plans/{p.id}/threads/{internal['id']}/resolve")
    await p.sup.http.put(f"/api/plans/{p.id}/notification-settings", json={"level": "all"})
    await p.kam.http.post(f"/api/plans/{p.id}/threads/{internal['id']}/reopen")
    hidden_ids = [internal["id"], in_price["id"], internal["comments"][0]["id"]]

    # The supplier's side sees all of it.
    own = (await p.sup.http.get(f"/api/plans/{p.id}/threads")).json()
    assert {t["id"] for t in own["items"]} >= {internal["id"], in_price["id"]}
    assert (await p.sup.http.get("/api/notifications")).json()["unread"] >= 1

    # The customer's side: no route and no event carries any trace.
    for person in (p.cus, p.viewer):
        # Each request with the status it must get: a 500 is a failure, not "no leak".
        expected = [
            (200, await person.http.get(f"/api/plans/{p.id}/threads")),
            (200, await person.http.get(f"/api/plans/{p.id}/threads?item_id=g1")),
            (200, await person.http.get(f"/api/plans/{p.id}/threads?section_id={price}")),
            (200, await person.http.get(f"/api/plans/{p.id}/threads/counts")),
            (404, await person.http.get(f"/api/plans/{p.id}/threads/{internal['id']}")),
            (404, await person.http.get(f"/api/plans/{p.id}/threads/{in_price['id']}")),
            (200, await person.http.get("/api/notifications")),
            (200, await person.http.get(f"/api/plans/{p.id}/audit")),
            (200, await person.http.get(f"/api/plans/{p.id}/events/poll?after={start}")),
            (200, await person.http.get(f"/api/plans/{p.id}/votes?section_id={goals}")),
            (
                404,
                await person.http.post(
                    f"/api/plans/{p.id}/threads/{internal['id']}/comments", json={"body": "x"}
                ),
            ),
            (404, await person.http.post(f"/api/plans/{p.id}/threads/{internal['id']}/resolve")),
        ]
        got = [(r.request.method, r.request.url.path, r.status_code) for _, r in expected]
        assert [status for status, _ in expected] == [g[2] for g in got], got
        responses = [r for _, r in expected]
        for r in responses:
            for secret in (secret_words, *hidden_ids):
                assert secret not in r.text, (r.request.url, r.text[:300])
        counts = responses[3].json()
        assert counts == {"sections": {}, "items": []}
        for listing in responses[:3]:
            assert listing.json()["items"] == []
        assert responses[6].json()["unread"] == 0

    # Votes in a supplier-only section are not countable from outside.
    r = await p.cus.http.get(f"/api/plans/{p.id}/votes?section_id={price}")
    assert r.status_code == 404
