"""The permission rules of DESIGN.md as a matrix: role × party × visibility × owner."""

import itertools
from typing import Any

import pytest

from server.plans import policy
from tests.conftest import People, Person, add_member, create_plan
from tests.content import put_content

PARTIES = ("supplier", "customer")
ROLES = ("facilitator", "editor", "commenter", "viewer")
OWNERS = ("supplier", "customer", "joint")
VISIBILITIES = ("shared", "supplier-only", "customer-only")

# The specification, written out rather than computed.
READS = {
    "supplier": {"shared", "supplier-only"},
    "customer": {"shared", "customer-only"},
}
WRITES_OWNED_BY = {"supplier": {"supplier", "joint"}, "customer": {"customer", "joint"}}
WRITING_ROLES = {"facilitator", "editor"}


def expected(party: str, role: str, owner: str, visibility: str) -> tuple[bool, bool]:
    read = visibility in READS[party]
    write = read and role in WRITING_ROLES and owner in WRITES_OWNED_BY[party]
    return read, write


class _M:
    def __init__(self, party: str, role: str) -> None:
        self.party, self.role = party, role


class _S:
    def __init__(self, owner: str, visibility: str) -> None:
        self.owner, self.visibility = owner, visibility


@pytest.mark.parametrize(
    ("party", "role", "owner", "visibility"),
    list(itertools.product(PARTIES, ROLES, OWNERS, VISIBILITIES)),
)
def test_policy_matrix(party: str, role: str, owner: str, visibility: str) -> None:
    member, section = _M(party, role), _S(owner, visibility)
    read, write = expected(party, role, owner, visibility)
    assert policy.can_read(member, section) is read
    assert policy.can_write(member, section) is write
    assert policy.can_comment(member, section) is (read and role != "viewer")


def test_non_member_may_do_nothing() -> None:
    for owner, visibility in itertools.product(OWNERS, VISIBILITIES):
        section = _S(owner, visibility)
        assert not policy.can_read(None, section)
        assert not policy.can_write(None, section)


async def test_sections_reach_each_member_by_the_rules(people: People) -> None:
    """Over HTTP: the plan shows each member exactly the sections they may read, with the
    right write flag, and a section they may not read is 404 like one that does not exist."""
    kam = await people.signup("Kam")
    plan = await create_plan(kam, template="blank")
    pid = plan["id"]
    sections: dict[tuple[str, str], str] = {}
    for owner, visibility in itertools.product(OWNERS, VISIBILITIES):
        r = await kam.http.post(
            f"/api/plans/{pid}/sections",
            json={
                "title": f"{owner} {visibility}",
                "kind": "text",
                "owner": owner,
                "visibility": visibility,
            },
        )
        if visibility == "customer-only":
            # A supplier facilitator cannot create what they could not see.
            assert r.status_code == 403
            continue
        assert r.status_code == 201, r.text
        sections[(owner, visibility)] = r.json()["id"]
    # A customer facilitator creates the customer-only ones.
    cust_fac = await add_member(kam, people, pid, "Cust Fac", party="customer", role="facilitator")
    for owner in OWNERS:
        r = await cust_fac.http.post(
            f"/api/plans/{pid}/sections",
            json={
                "title": f"{owner} customer-only",
                "kind": "text",
                "owner": owner,
                "visibility": "customer-only",
            },
        )
        assert r.status_code == 201, r.text
        sections[(owner, "customer-only")] = r.json()["id"]

    actors: dict[tuple[str, str], Person] = {
        ("supplier", "facilitator"): kam,
        ("customer", "facilitator"): cust_fac,
    }
    for party, role in itertools.product(PARTIES, ROLES):
        if (party, role) not in actors:
            actors[(party, role)] = await add_member(
                kam, people, pid, f"{party} {role}", party=party, role=role
            )

    for (party, role), person in actors.items():
        shown = {
            s["id"]: s for s in (await person.http.get(f"/api/plans/{pid}")).json()["sections"]
        }
        for (owner, visibility), sid in sections.items():
            read, write = expected(party, role, owner, visibility)
            where = f"{party} {role} on {owner}/{visibility}"
            assert (sid in shown) is read, where
            if read:
                assert shown[sid]["can_write"] is write, where
            one = await person.http.get(f"/api/plans/{pid}/sections/{sid}")
            assert one.status_code == (200 if read else 404), where

    outsider = await people.signup("Outsider")
    assert (await outsider.http.get(f"/api/plans/{pid}")).status_code == 404
    for sid in sections.values():
        r = await outsider.http.get(f"/api/plans/{pid}/sections/{sid}")
        assert r.status_code == 404


# ---- every plan route for every kind of caller -------------------------------------------

ACTORS = ("non-member", "viewer", "commenter", "supplier-editor", "customer-editor", "facilitator")


class World:
    def __init__(self, people: People) -> None:
        self.people = people
        self.actors: dict[str, Person] = {}
        self.plan_id = ""
        self.shared_section = ""
        self.counter = itertools.count()

    async def build(self) -> None:
        kam = await self.people.signup("Kam")
        plan = await create_plan(kam)
        self.plan_id = plan["id"]
        self.shared_section = next(
            s["id"] for s in plan["sections"] if s["key"] == "goals_strategic"
        )
        self.actors = {
            "facilitator": kam,
            "non-member": await self.people.signup("Stranger"),
            "viewer": await add_member(
                kam, self.people, self.plan_id, "V", party="customer", role="viewer"
            ),
            "commenter": await add_member(
                kam, self.people, self.plan_id, "C", party="customer", role="commenter"
            ),
            "supplier-editor": await add_member(
                kam, self.people, self.plan_id, "SE", party="supplier", role="editor"
            ),
            "customer-editor": await add_member(
                kam, self.people, self.plan_id, "CE", party="customer", role="editor"
            ),
        }

    @property
    def kam(self) -> Person:
        return self.actors["facilitator"]

    async def fresh_section(self) -> str:
        r = await self.kam.http.post(
            f"/api/plans/{self.plan_id}/sections", json={"title": "Scratch", "kind": "text"}
        )
        return str(r.json()["id"])

    async def fresh_member(self) -> str:
        p = await add_member(
            self.kam,
            self.people,
            self.plan_id,
            f"Extra {next(self.counter)}",
            party="customer",
            role="viewer",
        )
        members = (await self.kam.http.get(f"/api/plans/{self.plan_id}/members")).json()["items"]
        return str(next(m["id"] for m in members if m["user"]["id"] == p.id))

    async def fresh_invitation(self) -> str:
        r = await self.kam.http.post(
            f"/api/plans/{self.plan_id}/invitations",
            json={"email": f"inv{next(self.counter)}@example.com", "party": "customer"},
        )
        return str(r.json()["id"])

    async def all_section_ids(self) -> list[str]:
        plan = (await self.kam.http.get(f"/api/plans/{self.plan_id}")).json()
        return [s["id"] for s in plan["sections"]]


READ = {
    "non-member": 404,
    "viewer": 200,
    "commenter": 200,
    "supplier-editor": 200,
    "customer-editor": 200,
    "facilitator": 200,
}


def manage(ok: int) -> dict[str, int]:
    return {
        "non-member": 404,
        "viewer": 403,
        "commenter": 403,
        "supplier-editor": 403,
        "customer-editor": 403,
        "facilitator": ok,
    }


async def _no_args(_: World) -> dict[str, Any]:
    return {}


async def _section(w: World) -> dict[str, Any]:
    return {"section_id": await w.fresh_section()}


async def _member(w: World) -> dict[str, Any]:
    return {"member_id": await w.fresh_member()}


async def _invitation(w: World) -> dict[str, Any]:
    return {"invitation_id": await w.fresh_invitation()}


async def _shared(w: World) -> dict[str, Any]:
    return {"section_id": w.shared_section}


async def _order(w: World) -> dict[str, Any]:
    return {"json": {"section_ids": list(reversed(await w.all_section_ids()))}}


async def _goal(w: World) -> dict[str, Any]:
    goal_id = f"goal-{next(w.counter)}"
    await put_content(w.people.app, w.shared_section, "goals", [{"id": goal_id, "title": "G"}])
    return {"goal_id": goal_id}


async def _signed_goal(w: World) -> dict[str, Any]:
    args = await _goal(w)
    await w.kam.http.post(f"/api/plans/{w.plan_id}/goals/{args['goal_id']}/signatures")
    return args


async def _version(w: World) -> dict[str, Any]:
    r = await w.kam.http.post(f"/api/plans/{w.plan_id}/versions", json={"name": "V"})
    return {"version_id": r.json()["id"]}


async def _shared_json(w: World) -> dict[str, Any]:
    return {"json": {"section_id": w.shared_section, "visibility": "shared", "body": "New"}}


async def _thread(w: World) -> dict[str, Any]:
    r = await w.kam.http.post(
        f"/api/plans/{w.plan_id}/threads",
        json={"section_id": w.shared_section, "visibility": "shared", "body": "Agreed?"},
    )
    return {"thread_id": r.json()["id"], "comment_id": r.json()["comments"][0]["id"]}


async def _thread_only(w: World) -> dict[str, Any]:
    return {"thread_id": (await _thread(w))["thread_id"]}


async def _vote_target(w: World) -> dict[str, Any]:
    args = await _goal(w)
    return {"json": {"section_id": w.shared_section, "item_id": args["goal_id"]}}


async def _voted(w: World) -> dict[str, Any]:
    args = await _goal(w)
    return {"section_id": w.shared_section, "item_id": args["goal_id"]}


async def _votes_query(w: World) -> dict[str, Any]:
    return {"query": f"?section_id={w.shared_section}"}


async def _shared_follow(w: World) -> dict[str, Any]:
    return {"json": {"section_id": w.shared_section}}


# Everyone who may read may comment, except viewers.
COMMENT = {**READ, "viewer": 403}
# Editing a comment is for its author (here the facilitator) only.
AUTHOR = {**dict.fromkeys(ACTORS, 403), "non-member": 404, "facilitator": 200}

# Only the facilitator is a signatory in this world.
SIGN = manage(201)
# Withdrawing: only the facilitator has a signature to withdraw.
WITHDRAW = {**READ, **dict.fromkeys(ACTORS[1:-1], 404), "facilitator": 200}

# (method, path, prepare, body, expected status per actor)
ROUTES: list[tuple[str, str, Any, dict[str, Any] | None, dict[str, int]]] = [
    ("GET", "/api/plans/{plan_id}", _no_args, None, READ),
    ("PATCH", "/api/plans/{plan_id}", _no_args, {"title": "Renamed"}, manage(200)),
    ("POST", "/api/plans/{plan_id}/archive", _no_args, None, manage(200)),
    ("POST", "/api/plans/{plan_id}/unarchive", _no_args, None, manage(200)),
    (
        "POST",
        "/api/plans/{plan_id}/sections",
        _no_args,
        {"title": "New", "kind": "text"},
        manage(201),
    ),
    ("GET", "/api/plans/{plan_id}/sections/{section_id}", _shared, None, READ),
    ("PATCH", "/api/plans/{plan_id}/sections/{section_id}", _section, {"title": "T2"}, manage(200)),
    ("DELETE", "/api/plans/{plan_id}/sections/{section_id}", _section, None, manage(204)),
    ("POST", "/api/plans/{plan_id}/sections/order", _order, None, manage(200)),
    ("GET", "/api/plans/{plan_id}/members", _no_args, None, READ),
    (
        "PATCH",
        "/api/plans/{plan_id}/members/{member_id}",
        _member,
        {"role": "commenter"},
        manage(200),
    ),
    ("DELETE", "/api/plans/{plan_id}/members/{member_id}", _member, None, manage(204)),
    (
        "POST",
        "/api/plans/{plan_id}/invitations",
        _no_args,
        {"email": "new.person@example.com", "party": "customer"},
        manage(201),
    ),
    ("GET", "/api/plans/{plan_id}/invitations", _no_args, None, manage(200)),
    ("DELETE", "/api/plans/{plan_id}/invitations/{invitation_id}", _invitation, None, manage(204)),
    ("GET", "/api/plans/{plan_id}/audit", _no_args, None, READ),
    ("GET", "/api/plans/{plan_id}/sections/{section_id}/content", _shared, None, READ),
    ("GET", "/api/plans/{plan_id}/events/poll", _no_args, None, READ),
    ("POST", "/api/plans/{plan_id}/goals/{goal_id}/signatures", _goal, None, SIGN),
    (
        "DELETE",
        "/api/plans/{plan_id}/goals/{goal_id}/signatures/mine",
        _signed_goal,
        None,
        WITHDRAW,
    ),
    ("GET", "/api/plans/{plan_id}/goals/{goal_id}/agreement", _goal, None, READ),
    ("GET", "/api/plans/{plan_id}/agreements", _no_args, None, READ),
    ("POST", "/api/plans/{plan_id}/versions", _no_args, {"name": "Workshop"}, manage(201)),
    ("GET", "/api/plans/{plan_id}/versions", _no_args, None, READ),
    ("GET", "/api/plans/{plan_id}/versions/{version_id}", _version, None, READ),
    ("GET", "/api/plans/{plan_id}/versions/{version_id}/compare", _version, None, READ),
    ("POST", "/api/plans/{plan_id}/versions/{version_id}/signatures", _version, None, SIGN),
    ("GET", "/api/plans/{plan_id}/versions/{version_id}/signatures", _version, None, READ),
    ("GET", "/api/plans/{plan_id}/export", _no_args, None, READ),
    (
        "POST",
        "/api/plans/{plan_id}/threads",
        _shared_json,
        None,
        {**COMMENT, **{a: 201 for a in ACTORS[2:]}},
    ),
    ("GET", "/api/plans/{plan_id}/threads", _no_args, None, READ),
    ("GET", "/api/plans/{plan_id}/threads/counts", _no_args, None, READ),
    ("GET", "/api/plans/{plan_id}/threads/{thread_id}", _thread_only, None, READ),
    (
        "POST",
        "/api/plans/{plan_id}/threads/{thread_id}/comments",
        _thread_only,
        {"body": "Reply"},
        {**COMMENT, **{a: 201 for a in ACTORS[2:]}},
    ),
    (
        "PATCH",
        "/api/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}",
        _thread,
        {"body": "Edited"},
        AUTHOR,
    ),
    (
        "DELETE",
        "/api/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}",
        _thread,
        None,
        {**AUTHOR, "facilitator": 204},
    ),
    (
        "GET",
        "/api/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}/history",
        _thread,
        None,
        READ,
    ),
    ("POST", "/api/plans/{plan_id}/threads/{thread_id}/resolve", _thread_only, None, COMMENT),
    ("POST", "/api/plans/{plan_id}/threads/{thread_id}/reopen", _thread_only, None, COMMENT),
    (
        "POST",
        "/api/plans/{plan_id}/votes",
        _vote_target,
        None,
        {**COMMENT, **{a: 201 for a in ACTORS[2:]}},
    ),
    ("DELETE", "/api/plans/{plan_id}/votes/{section_id}/{item_id}", _voted, None, READ),
    ("GET", "/api/plans/{plan_id}/votes", _votes_query, None, READ),
    ("GET", "/api/plans/{plan_id}/notification-settings", _no_args, None, READ),
    ("PUT", "/api/plans/{plan_id}/notification-settings", _no_args, {"level": "all"}, READ),
    ("GET", "/api/plans/{plan_id}/follow", _no_args, None, READ),
    ("PUT", "/api/plans/{plan_id}/follow", _shared_follow, None, manage(200)),
    ("DELETE", "/api/plans/{plan_id}/follow", _no_args, None, manage(204)),
]


# Streams never end, so they are checked against a live server (tests/stream).
STREAMS = {("GET", "/api/plans/{plan_id}/events")}


def test_route_table_covers_every_plan_route(app: Any) -> None:
    covered = {(m, p) for m, p, *_ in ROUTES} | STREAMS
    present = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        if "{plan_id}" in path
        for method in operations
    }
    assert present == covered


async def test_every_plan_route_for_every_caller(people: People) -> None:
    world = World(people)
    await world.build()
    for method, path, prepare, body, expectations in ROUTES:
        for actor in ACTORS:
            args = await prepare(world)
            json_body = args.pop("json", body)
            query = args.pop("query", "")
            if path.endswith("/invitations") and method == "POST":
                json_body = {
                    "email": f"{actor}.{next(world.counter)}@example.com",
                    "party": "customer",
                }
            url = path.format(plan_id=world.plan_id, **args) + query
            response = await world.actors[actor].http.request(method, url, json=json_body)
            assert response.status_code == expectations[actor], (
                f"{method} {path} as {actor}: {response.status_code} {response.text}"
            )
            if response.status_code == 404:
                # Nothing about the plan leaks in the error.
                assert world.plan_id not in response.text
