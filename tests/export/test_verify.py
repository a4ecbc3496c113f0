"""Verifying exported agreements: untouched, tampered, changed since, over REST and with the
`jointplan verify` command."""

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from server import cli
from tests.export.helpers import rich_workshop
from tests.people import People
from tests.signoff.helpers import edit_goal


async def verify(who: Any, data: bytes, content_type: str = "text/markdown") -> Any:
    r = await who.http.post("/api/verify", content=data, headers={"content-type": content_type})
    return r


async def agreed_workshop(app: Any, people: People) -> Any:
    w = await rich_workshop(app, people)
    for goal_id in ("g1", "g2"):
        await w.sign(w.kam, goal_id)
        await w.sign(w.ola, goal_id)
    return w


async def test_an_untouched_export_matches(app: Any, people: People) -> None:
    w = await agreed_workshop(app, people)
    for fmt, content_type in (("md", "text/markdown"), ("pdf", "application/pdf")):
        data = await w.export(w.ola, fmt)
        r = await verify(w.kam, data, content_type)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["ok"] is True
        assert body["matching"] == 2
        assert [(g["goal_id"], g["verdict"], g["status"]) for g in body["goals"]] == [
            ("g1", "matches", "agreed"),
            ("g2", "matches", "agreed"),
        ]
    audit = (await w.ola.http.get(w.url("/audit"))).json()["items"]
    assert audit[0]["action"] == "plan.verify"
    assert audit[0]["actor"]["name"] == "Kari Fjord"
    assert audit[0]["after"]["ok"] is True


async def test_a_tampered_export_is_caught(app: Any, people: People) -> None:
    w = await agreed_workshop(app, people)
    md = (await w.export(w.ola)).decode("utf-8")

    # Someone changes the target in the record and leaves the hash.
    tampered = md.replace('"target": "100 %"', '"target": "50 %"')
    assert tampered != md
    body = (await verify(w.kam, tampered.encode())).json()
    assert body["ok"] is False
    verdicts = {g["goal_id"]: g["verdict"] for g in body["goals"]}
    assert verdicts == {"g1": "tampered", "g2": "matches"}

    # Someone rewrites the content and recomputes every hash: the server never saw
    # signatures on that hash.
    from server.export.verify import parse_record
    from server.signoff.canonical import goal_hash

    record = parse_record(md.encode())
    goal = record["goals"][0]
    goal["content"]["target"] = goal["agreed_content"]["target"] = "50 %"
    forged = goal_hash(goal["content"])
    goal["hash"] = goal["agreed_hash"] = forged
    for signature in goal["signatures"]:
        signature["hash"] = forged
    forged_file = md[: md.index("```json\n{\n")] + "```json\n" + json.dumps(record) + "\n```\n"
    body = (await verify(w.kam, forged_file.encode())).json()
    assert body["goals"][0]["verdict"] == "tampered"
    assert "signature" in body["goals"][0]["detail"]

    # A PDF whose attached record was edited.
    raw = await w.export(w.ola, "pdf")
    edited = raw.replace(b'"target": "100 %"', b'"target": "90 %"')
    assert edited != raw
    body = (await verify(w.kam, edited, "application/pdf")).json()
    assert {g["goal_id"]: g["verdict"] for g in body["goals"]}["g1"] == "tampered"


async def test_goals_changed_since_the_export_are_named(app: Any, people: People) -> None:
    w = await agreed_workshop(app, people)
    md = await w.export(w.ola)
    await edit_goal(app, w.goals, "g2", title="CO₂ per meal down by a third")
    body = (await verify(w.ola, md)).json()
    assert body["ok"] is False
    assert [(g["goal_id"], g["verdict"], g["status"]) for g in body["goals"]] == [
        ("g1", "matches", "agreed"),
        ("g2", "changed", "changed"),
    ]
    await edit_goal(app, w.goals, "g1", _delete=True)
    body = (await verify(w.ola, md)).json()
    assert body["goals"][0]["verdict"] == "changed"
    assert "deleted" in body["goals"][0]["detail"]


async def test_verify_refuses_strangers_and_files_that_are_not_exports(
    app: Any, people: People
) -> None:
    w = await agreed_workshop(app, people)
    md = await w.export(w.ola)
    stranger = await people.signup("Stranger")
    r = await verify(stranger, md)
    assert r.status_code == 404
    assert w.plan_id not in r.text
    r = await verify(w.kam, b"# Just some notes\n")
    assert r.status_code == 400
    assert r.json()["error"] == "not_an_export"
    anonymous = people.client()
    r = await anonymous.post("/api/verify", content=md)
    assert r.status_code == 401


async def test_a_version_export_is_verified_with_its_signatures(app: Any, people: People) -> None:
    w = await agreed_workshop(app, people)
    version = (await w.kam.http.post(w.url("/versions"), json={"name": "Final"})).json()
    for who in (w.kam, w.ola):
        await who.http.post(w.url(f"/versions/{version['id']}/signatures"))
    md = (await w.export(w.ola, version_id=version["id"])).decode("utf-8")
    body = (await verify(w.ola, md.encode())).json()
    assert body["version"]["verdict"] == "matches"
    assert body["ok"] is True
    forged = md.replace(version["hash"], "0" * 64)
    body = (await verify(w.ola, forged.encode())).json()
    assert body["version"]["verdict"] == "tampered"
    assert body["ok"] is False


async def test_the_verify_command(
    app: Any,
    people: People,
    tmp_path: Path,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    w = await agreed_workshop(app, people)
    good = tmp_path / "agreement.pdf"
    good.write_bytes(await w.export(w.ola, "pdf"))
    bad = tmp_path / "agreement.md"
    md = (await w.export(w.ola)).decode("utf-8")
    bad.write_text(md.replace('"target": "0.12"', '"target": "0.50"'), encoding="utf-8")
    monkeypatch.setenv("JOINTPLAN_DATABASE_URL", database_url)

    assert await asyncio.to_thread(cli.main, ["verify", str(good)]) == 0
    out = capsys.readouterr().out
    assert "MATCHES   Fibre trays for the whole ready-meal range" in out
    assert "2 of 2 goals still match." in out

    assert await asyncio.to_thread(cli.main, ["verify", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "TAMPERED  CO₂ per meal halved" in out
    assert "1 of 2 goals still match." in out

    assert await asyncio.to_thread(cli.main, ["verify", str(tmp_path / "missing.md")]) == 2


async def test_a_stranger_is_refused_before_the_file_is_parsed(
    app: Any, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server import offload

    w = await agreed_workshop(app, people)
    md = await w.export(w.ola)
    jobs: list[str] = []
    real = offload.run_in_process

    async def spy(fn: Any, *args: Any) -> Any:
        jobs.append(fn.__name__)
        return await real(fn, *args)

    monkeypatch.setattr(offload, "run_in_process", spy)
    stranger = await people.signup("Stranger")
    r = await verify(stranger, md)
    assert r.status_code == 404
    assert r.json()["error"] == "plan_not_found"
    assert jobs == ["claimed_plan_id"]  # the record itself was never parsed
    assert (await verify(w.kam, md)).json()["ok"] is True
    assert jobs[1:] == ["claimed_plan_id", "parse_record"]


async def test_crafted_records_are_answered_in_linear_time(app: Any, people: People) -> None:
    w = await agreed_workshop(app, people)
    md = (await w.export(w.ola)).decode("utf-8")
    plan = w.plan_id
    # The payload: a record start over and over (the old parser retried a decode at
    # every one: 13 s for 1.3 MB); and starts that name the plan, nested and never closed.
    repeated = ('{"jointplan_record":' * 65_000).encode()
    nested = (f'{{"jointplan_record": 1, "plan_id": "{plan}", "goals": [' * 30_000).encode()
    for payload in (repeated, nested):
        r = await verify(w.kam, payload)
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "not_an_export"
    # A real export after a page of look-alikes still verifies.
    r = await verify(w.kam, nested + b"\n" + md.encode())
    assert r.json()["ok"] is True


async def test_a_body_over_the_verify_limit_is_refused_with_413(app: Any, people: People) -> None:
    from server.export.verify import MAX_BYTES

    w = await agreed_workshop(app, people)
    md = await w.export(w.ola)
    r = await verify(w.kam, md + b" " * MAX_BYTES)
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"
    # Under the cap the same file is fine, padding and all.
    assert (await verify(w.kam, md + b" " * (MAX_BYTES // 2))).json()["ok"] is True


async def test_a_streamed_body_over_the_limit_is_cut_off_with_413(app: Any, people: People) -> None:
    from server.export.verify import MAX_BYTES

    w = await agreed_workshop(app, people)

    async def chunks() -> Any:  # no Content-Length: counted as it arrives
        for _ in range(MAX_BYTES // 65536 + 2):
            yield b" " * 65536

    r = await w.kam.http.post("/api/verify", content=chunks())
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"
