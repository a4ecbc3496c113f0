"""The permission rules of DESIGN.md as a matrix: role × party × visibility × owner."""

import asyncio
import itertools
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from server.models import Base
from server.plans import policy
from tests.content import put_content
from tests.people import PASSWORD, People, Person, add_member, create_plan

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


class _Reader(_M):
    def __init__(self, party: str, role: str, user_id: str) -> None:
        super().__init__(party, role)
        self.user_id = user_id


class _Event:
    def __init__(
        self, visibility: str, user_id: str | None = None, section_id: str | None = None
    ) -> None:
        self.visibility, self.user_id, self.section_id = visibility, user_id, section_id


def test_who_sees_an_event_on_the_stream() -> None:
    supplier = _Reader("supplier", "editor", "sup")
    customer = _Reader("customer", "editor", "cus")
    shared, internal = _S("joint", "shared"), _S("supplier", "supplier-only")
    # (event, the section it names, whether the supplier sees it, whether the customer does)
    cases = [
        (_Event("shared"), None, True, True),
        (_Event("supplier-only"), None, True, False),
        (_Event("customer-only"), None, False, True),
        # Addressed to one user: only that user, whatever the audience.
        (_Event("shared", user_id="sup"), None, True, False),
        (_Event("shared", user_id="cus"), None, False, True),
        # About a section: its read rule; about a section that is gone: nobody.
        (_Event("shared", section_id="s"), shared, True, True),
        (_Event("shared", section_id="s"), internal, True, False),
        (_Event("shared", section_id="s"), None, False, False),
    ]
    for event, section, supplier_sees, customer_sees in cases:
        assert policy.can_see_event(supplier, event, section) is supplier_sees
        assert policy.can_see_event(customer, event, section) is customer_sees
        assert not policy.can_see_event(None, event, section)
    # An internal event for one party's eyes goes, as a hint, to the other party's audience.
    assert policy.other_audience("supplier-only") == "customer-only"
    assert policy.other_audience("customer-only") == "supplier-only"


async def test_thread_lists_keep_internal_threads_with_their_party(people: People) -> None:
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    cus = await add_member(kam, people, pid, "Cus", party="customer", role="facilitator")
    sup = await add_member(kam, people, pid, "Sup", party="supplier", role="viewer")
    goals = next(s["id"] for s in plan["sections"] if s["key"] == "goals_strategic")

    async def thread(author: Person, visibility: str) -> str:
        response = await author.http.post(
            f"/api/plans/{pid}/threads",
            json={"section_id": goals, "visibility": visibility, "body": visibility},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    supplier_open, supplier_note = await thread(kam, "shared"), await thread(kam, "internal")
    customer_open, customer_note = await thread(cus, "shared"), await thread(cus, "internal")

    async def listed(person: Person) -> set[str]:
        response = await person.http.get(f"/api/plans/{pid}/threads")
        assert response.status_code == 200, response.text
        return {t["id"] for t in response.json()["items"]}

    # Every shared thread reaches both parties; an internal one only its author's party.
    assert await listed(sup) == {supplier_open, supplier_note, customer_open}
    assert await listed(cus) == {supplier_open, customer_open, customer_note}


class _Thread:
    def __init__(self, visibility: str, party: str) -> None:
        self.visibility, self.party = visibility, party


def test_who_sees_a_thread() -> None:
    supplier, customer = _M("supplier", "viewer"), _M("customer", "viewer")
    shared, internal = _S("joint", "shared"), _S("supplier", "supplier-only")
    supplier_note = _Thread("internal", "supplier")
    open_thread = _Thread("shared", "supplier")
    assert policy.can_see_thread(supplier, open_thread, shared)
    assert policy.can_see_thread(customer, open_thread, shared)
    # An internal thread stays with its author's party, even in a shared section ...
    assert policy.can_see_thread(supplier, supplier_note, shared)
    assert not policy.can_see_thread(customer, supplier_note, shared)
    # ... and a shared thread in a section the reader cannot read is not theirs either.
    assert not policy.can_see_thread(customer, open_thread, internal)
    assert not policy.can_see_thread(None, open_thread, shared)
    # Who hears about each: the author's party for the internal thread, else the section's.
    assert policy.thread_audience(supplier_note, shared) == "supplier-only"
    assert policy.thread_audience(open_thread, shared) == "shared"
    assert policy.thread_audience(open_thread, internal) == "supplier-only"


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
            # Each party invites its own people once it has a facilitator.
            actors[(party, role)] = await add_member(
                actors[(party, "facilitator")],
                people,
                pid,
                f"{party} {role}",
                party=party,
                role=role,
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
        # Supplier-owned: the supplier facilitator may remove it (a joint one needs the
        # customer too, see the section matrix below).
        r = await self.kam.http.post(
            f"/api/plans/{self.plan_id}/sections",
            json={"title": "Scratch", "kind": "text", "owner": "supplier"},
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

    async def fresh_supplier_member(self) -> str:
        # A reset link is for a member the facilitator manages in every plan: their own
        # party's, here in this plan only.
        p = await add_member(
            self.kam,
            self.people,
            self.plan_id,
            f"Colleague {next(self.counter)}",
            party="supplier",
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


async def _colleague(w: World) -> dict[str, Any]:
    return {"member_id": await w.fresh_supplier_member()}


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
        "/api/plans/{plan_id}/members/{member_id}/password-reset",
        _colleague,
        None,
        manage(201),
    ),
    (
        "POST",
        "/api/plans/{plan_id}/invitations",
        _no_args,
        {"email": "new.person@example.com", "party": "customer"},
        manage(201),
    ),
    ("GET", "/api/plans/{plan_id}/invitations", _no_args, None, manage(200)),
    ("DELETE", "/api/plans/{plan_id}/invitations/{invitation_id}", _invitation, None, manage(204)),
    (
        "POST",
        "/api/plans/{plan_id}/invitations/{invitation_id}/link",
        _invitation,
        None,
        manage(200),
    ),
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


# ---- parties manage themselves -----------------------------------------------------------

# Tables whose rows a refused request must leave exactly as they were. (Sessions and tokens
# are left out: any authenticated request may note when a token was last used.)
SNAPSHOT_TABLES = tuple(
    t.name for t in Base.metadata.sorted_tables if t.name not in ("access_token", "user")
)


async def snapshot_tables(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that holds plan data, in a stable order."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as connection:
        for name in SNAPSHOT_TABLES:
            rows = (await connection.execute(text(f'SELECT * FROM "{name}"'))).all()
            out[name] = sorted((tuple(r) for r in rows), key=repr)
    return out


class Refusals:
    """Sends requests that must be refused and proves that each changed nothing."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def expect(
        self,
        who: Person,
        method: str,
        url: str,
        status: int,
        code: str | None = None,
        json: Any = None,
    ) -> None:
        before = await snapshot_tables(self.engine)
        r = await who.http.request(method, url, json=json)
        where = f"{who.name}: {method} {url} {json}"
        assert r.status_code == status, f"{where}: {r.status_code} {r.text}"
        if code is not None:
            assert r.json()["error"] == code, f"{where}: {r.text}"
        assert await snapshot_tables(self.engine) == before, f"{where} changed stored data"


async def member_ids(who: Person, plan_id: str) -> dict[str, dict[str, Any]]:
    r = await who.http.get(f"/api/plans/{plan_id}/members")
    assert r.status_code == 200, r.text
    return {m["user"]["name"]: m for m in r.json()["items"]}


async def invite(who: Person, plan_id: str, email: str, party: str, role: str) -> Any:
    return await who.http.post(
        f"/api/plans/{plan_id}/invitations", json={"email": email, "party": party, "role": role}
    )


async def test_parties_manage_only_themselves(people: People, engine: AsyncEngine) -> None:
    """Party changes and cross-party member management are refused and change nothing;
    each party manages its own people, and everyone sees who invited whom."""
    kam = await people.signup("Kam")
    pid = (await create_plan(kam, template="blank"))["id"]
    # Bootstrapping: the supplier brings in the customer's first facilitator.
    cus = await add_member(kam, people, pid, "Cus", party="customer", role="facilitator")
    sup_ed = await add_member(kam, people, pid, "SupEd", party="supplier", role="editor")
    cus_ed = await add_member(cus, people, pid, "CusEd", party="customer", role="editor")
    members = await member_ids(cus_ed, pid)
    url = f"/api/plans/{pid}/members/"
    refuse = Refusals(engine)

    # Nobody changes a party: not their own, not their party's people, not the other's.
    for who, target in ((kam, "Kam"), (kam, "SupEd"), (kam, "CusEd"), (cus, "Cus"), (cus, "CusEd")):
        other = "customer" if members[target]["party"] == "supplier" else "supplier"
        await refuse.expect(
            who, "PATCH", url + members[target]["id"], 409, "party_fixed", {"party": other}
        )
    # Restating the party one has is not a change.
    same = await cus.http.patch(
        url + members["CusEd"]["id"], json={"party": "customer", "role": "commenter"}
    )
    assert (same.status_code, same.json()["party"], same.json()["role"]) == (
        200,
        "customer",
        "commenter",
    )

    # No role, signatory or removal across the parties, facilitators included.
    for who, target in ((kam, "Cus"), (kam, "CusEd"), (cus, "Kam"), (cus, "SupEd")):
        mid = members[target]["id"]
        for body in ({"role": "viewer"}, {"role": "facilitator"}, {"signatory": True}):
            await refuse.expect(who, "PATCH", url + mid, 403, "other_party_member", body)
        await refuse.expect(who, "DELETE", url + mid, 403, "other_party_member")
    # Members who are not facilitators manage nobody (but may leave).
    await refuse.expect(cus_ed, "DELETE", url + members["Cus"]["id"], 403, "other_party_member")
    await refuse.expect(sup_ed, "PATCH", url + members["SupEd"]["id"], 403, "not_facilitator", {})

    # Invitations: only into one's own party once the other has a facilitator, and each
    # party sees and withdraws only its own.
    inv = f"/api/plans/{pid}/invitations"
    for who, party in ((kam, "customer"), (cus, "supplier")):
        for role in ROLES:
            await refuse.expect(
                who,
                "POST",
                inv,
                403,
                "other_party_invitation",
                {"email": f"x.{role}@example.com", "party": party, "role": role},
            )
    theirs = (await invite(cus, pid, "buyer@example.com", "customer", "viewer")).json()
    ours = (await invite(kam, pid, "analyst@example.com", "supplier", "viewer")).json()
    seen = {
        who.name: {i["email"] for i in (await who.http.get(inv)).json()["items"]}
        for who in (kam, cus)
    }
    # Each sees the invitations into its own party, used ones included (the customer's
    # own facilitator was invited by the supplier, so the customer sees that one too).
    assert seen["Kam"] == {"analyst@example.com", "suped@example.com"}
    assert seen["Cus"] == {"buyer@example.com", "cus@example.com", "cused@example.com"}
    assert "buyer@example.com" not in (await kam.http.get(inv)).text
    await refuse.expect(kam, "DELETE", f"{inv}/{theirs['id']}", 404, "invitation_not_found")
    await refuse.expect(cus, "DELETE", f"{inv}/{ours['id']}", 404, "invitation_not_found")
    assert (await cus.http.delete(f"{inv}/{theirs['id']}")).status_code == 204

    # Each party manages its own people.
    r = await cus.http.patch(url + members["CusEd"]["id"], json={"role": "editor"})
    assert r.status_code == 200, r.text
    assert (await kam.http.patch(url + members["SupEd"]["id"], json={"signatory": True})).json()[
        "signatory"
    ] is True

    # Everyone, viewers of the other party included, sees who invited whom.
    shown = await member_ids(cus_ed, pid)
    assert shown["Kam"]["invited_by"] is None  # created the plan
    assert shown["Cus"]["invited_by"] == {"id": kam.id, "name": "Kam", "party": "supplier"}
    assert shown["SupEd"]["invited_by"]["party"] == "supplier"
    assert shown["CusEd"]["invited_by"] == {"id": cus.id, "name": "Cus", "party": "customer"}
    # And what the reader may do to each member is what the server allows.
    as_kam = await member_ids(kam, pid)
    assert as_kam["CusEd"]["role_options"] == []
    assert as_kam["CusEd"]["can_remove"] is False
    assert as_kam["SupEd"]["role_options"] == list(ROLES)
    assert as_kam["SupEd"]["can_remove"] is True
    assert as_kam["Kam"]["role_options"] == ["facilitator"]  # the supplier's last one
    assert (await kam.http.get(f"/api/plans/{pid}/members")).json()["invite_parties"] == [
        "supplier"
    ]

    # Anyone may leave: the customer's editor, who manages nobody, sees that they may
    # remove themselves, does so, and no longer has the plan.
    own = (await member_ids(cus_ed, pid))["CusEd"]
    assert own["can_remove"] is True
    left = await cus_ed.http.delete(url + own["id"])
    assert left.status_code == 204, left.text
    assert (await cus_ed.http.get(f"/api/plans/{pid}")).status_code == 404
    assert "CusEd" not in await member_ids(cus, pid)


async def test_no_party_loses_its_last_facilitator(people: People, engine: AsyncEngine) -> None:
    kam = await people.signup("Kam")
    pid = (await create_plan(kam, template="blank"))["id"]
    cus = await add_member(kam, people, pid, "Cus", party="customer", role="facilitator")
    members = await member_ids(kam, pid)
    url = f"/api/plans/{pid}/members/"
    refuse = Refusals(engine)
    # One facilitator on each side: neither demotes themselves nor leaves, although the
    # plan as a whole would still have a facilitator.
    for who, me in ((kam, "Kam"), (cus, "Cus")):
        await refuse.expect(
            who, "PATCH", url + members[me]["id"], 409, "last_facilitator", {"role": "editor"}
        )
        await refuse.expect(who, "DELETE", url + members[me]["id"], 409, "last_facilitator")
    # With a second customer facilitator, the first may step down, but the second then
    # may not: the customer party had one, so it keeps one.
    cus2 = await add_member(cus, people, pid, "Cus2", party="customer", role="facilitator")
    members = await member_ids(kam, pid)
    r = await cus.http.patch(url + members["Cus"]["id"], json={"role": "editor"})
    assert r.status_code == 200, r.text
    await refuse.expect(cus2, "DELETE", url + members["Cus2"]["id"], 409, "last_facilitator")
    await refuse.expect(
        cus2, "PATCH", url + members["Cus2"]["id"], 409, "last_facilitator", {"role": "viewer"}
    )


async def test_bootstrapping_the_other_party(people: People, engine: AsyncEngine) -> None:
    """While a party has no facilitator, the other party invites and manages its people;
    only one facilitator gets in that way, and the first one ends the exception."""
    kam = await people.signup("Kam")
    pid = (await create_plan(kam, template="blank"))["id"]
    ed = await add_member(kam, people, pid, "Ed", party="customer", role="viewer")
    members = await member_ids(kam, pid)
    # A wrong role is put right while the customer has no facilitator.
    r = await kam.http.patch(
        f"/api/plans/{pid}/members/{members['Ed']['id']}", json={"role": "editor"}
    )
    assert r.status_code == 200, r.text
    assert (await kam.http.get(f"/api/plans/{pid}/members")).json()["invite_parties"] == [
        "supplier",
        "customer",
    ]
    first = (await invite(kam, pid, "first@example.com", "customer", "facilitator")).json()
    second = (await invite(kam, pid, "second@example.com", "customer", "facilitator")).json()
    later = (await invite(kam, pid, "later@example.com", "customer", "viewer")).json()
    anon = people.client()
    ok = await anon.post(
        f"/api/invitations/{first['token']}/accept", json={"name": "First", "password": PASSWORD}
    )
    assert ok.status_code == 200, ok.text
    # The second would out-number the customer's own choice: refused, nothing stored.
    before = await snapshot_tables(engine)
    late = await people.client().post(
        f"/api/invitations/{second['token']}/accept", json={"name": "Second", "password": PASSWORD}
    )
    assert (late.status_code, late.json()["error"]) == (410, "invitation_superseded")
    assert await snapshot_tables(engine) == before
    # A pending invitation of another role still works; the customer sees it and could
    # have withdrawn it.
    first_person = Person(
        "", "first@example.com", "First", ok.json()["token"], people.client(ok.json()["token"])
    )
    pending = (await first_person.http.get(f"/api/plans/{pid}/invitations")).json()["items"]
    assert {i["email"]: i["inviter_party"] for i in pending if i["accepted_at"] is None} == {
        "second@example.com": "supplier",
        "later@example.com": "supplier",
    }
    r = await people.client().post(
        f"/api/invitations/{later['token']}/accept", json={"name": "Later", "password": PASSWORD}
    )
    assert r.status_code == 200, r.text
    # From now on the customer manages its own.
    refuse = Refusals(engine)
    await refuse.expect(
        kam,
        "PATCH",
        f"/api/plans/{pid}/members/{members['Ed']['id']}",
        403,
        "other_party_member",
        {"role": "viewer"},
    )
    await refuse.expect(
        kam,
        "POST",
        f"/api/plans/{pid}/invitations",
        403,
        "other_party_invitation",
        {"email": "third@example.com", "party": "customer", "role": "facilitator"},
    )
    shown = await member_ids(ed, pid)
    assert shown["First"]["invited_by"]["party"] == "supplier"
    assert shown["Later"]["invited_by"]["name"] == "Kam"


# ---- sections cannot be taken away --------------------------------------------------------

# Changes by a supplier facilitator while the customer has members, written out: for each
# section state the supplier can read, the status of each owner or visibility change and of
# deletion. v = "you could not see it" (visibility_forbidden), p = the customer's stake
# (section_protected). The customer's facilitator gets the mirror image.
SUPPLIER_SECTION_CHANGES: dict[tuple[str, str], dict[str, int | str]] = {
    ("supplier", "shared"): {
        "owner=customer": 200,
        "owner=joint": 200,
        "visibility=supplier-only": 200,
        "visibility=customer-only": "v",
        "delete": 204,
    },
    ("customer", "shared"): {
        "owner=supplier": "p",
        "owner=joint": "p",
        "visibility=supplier-only": "p",
        "visibility=customer-only": "v",
        "delete": "p",
    },
    ("joint", "shared"): {
        "owner=supplier": "p",
        "owner=customer": 200,
        "visibility=supplier-only": "p",
        "visibility=customer-only": "v",
        "delete": "p",
    },
    ("supplier", "supplier-only"): {
        "owner=customer": 200,
        "owner=joint": 200,
        "visibility=shared": 200,
        "visibility=customer-only": "v",
        "delete": 204,
    },
    ("customer", "supplier-only"): {
        "owner=supplier": 200,
        "owner=joint": 200,
        "visibility=shared": 200,
        "visibility=customer-only": "v",
        "delete": 204,
    },
    ("joint", "supplier-only"): {
        "owner=supplier": 200,
        "owner=customer": 200,
        "visibility=shared": 200,
        "visibility=customer-only": "v",
        "delete": 204,
    },
}


def _mirror(value: str) -> str:
    swap = {"supplier": "customer", "customer": "supplier"}
    for a, b in (("supplier-only", "customer-only"), ("customer-only", "supplier-only")):
        if value.endswith(a):
            return value[: -len(a)] + b
    head, _, tail = value.partition("=")
    return f"{head}={swap.get(tail, tail)}" if tail else swap.get(value, value)


def section_changes(party: str) -> dict[tuple[str, str], dict[str, int | str]]:
    if party == "supplier":
        return SUPPLIER_SECTION_CHANGES
    return {
        (_mirror(owner), _mirror(vis)): {_mirror(k): v for k, v in changes.items()}
        for (owner, vis), changes in SUPPLIER_SECTION_CHANGES.items()
    }


@pytest.mark.parametrize("party", PARTIES)
async def test_section_owner_and_visibility_by_each_partys_facilitator(
    people: People, engine: AsyncEngine, party: str
) -> None:
    kam = await people.signup("Kam")
    pid = (await create_plan(kam, template="blank"))["id"]
    cus = await add_member(kam, people, pid, "Cus", party="customer", role="facilitator")
    actor, other = (kam, cus) if party == "supplier" else (cus, kam)
    refuse = Refusals(engine)
    url = f"/api/plans/{pid}/sections"
    for (owner, visibility), changes in section_changes(party).items():
        for change, expected_status in changes.items():
            r = await actor.http.post(
                url, json={"title": "S", "kind": "text", "owner": owner, "visibility": visibility}
            )
            assert r.status_code == 201, r.text
            sid = r.json()["id"]
            where = f"{party} on {owner}/{visibility}: {change}"
            field, _, value = change.partition("=")
            method, body = ("DELETE", None) if change == "delete" else ("PATCH", {field: value})
            if isinstance(expected_status, int):
                r = await actor.http.request(method, f"{url}/{sid}", json=body)
                assert r.status_code == expected_status, f"{where}: {r.text}"
            else:
                code = {"v": "visibility_forbidden", "p": "section_protected"}[expected_status]
                await refuse.expect(actor, method, f"{url}/{sid}", 403, code, body)
        # What the web app is offered is exactly what the server accepts.
        r = await actor.http.post(
            url, json={"title": "S", "kind": "text", "owner": owner, "visibility": visibility}
        )
        shown = r.json()
        allowed = {k for k, v in changes.items() if v in (200, 204)}
        assert set(shown["owner_options"]) - {owner} == {
            k.split("=")[1] for k in allowed if k.startswith("owner=")
        }, (owner, visibility)
        assert set(shown["visibility_options"]) - {visibility} == {
            k.split("=")[1] for k in allowed if k.startswith("visibility=")
        }, (owner, visibility)
        assert shown["can_delete"] is ("delete" in allowed)
        # The other party's facilitator cannot even find a section internal to this one.
        if visibility != "shared":
            for method, body in (("PATCH", {"visibility": "shared"}), ("DELETE", None)):
                await refuse.expect(other, method, f"{url}/{shown['id']}", 404, None, body)


async def test_the_add_form_is_offered_what_the_server_accepts(people: People) -> None:
    """A plan tells each member which owners and visibilities a section they add may have;
    the server creates exactly those and refuses the rest."""
    kam = await people.signup("Kam")
    pid = (await create_plan(kam, template="blank"))["id"]
    cus = await add_member(kam, people, pid, "Cus", party="customer", role="facilitator")
    editor = await add_member(cus, people, pid, "Ed", party="customer", role="editor")
    for actor, own in ((kam, "supplier-only"), (cus, "customer-only")):
        plan = (await actor.http.get(f"/api/plans/{pid}")).json()
        assert plan["new_section_owners"] == ["supplier", "customer", "joint"]
        assert plan["new_section_visibilities"] == ["shared", own]
        for owner, visibility in itertools.product(OWNERS, VISIBILITIES):
            body = {"title": "S", "kind": "text", "owner": owner, "visibility": visibility}
            r = await actor.http.post(f"/api/plans/{pid}/sections", json=body)
            offered = visibility in plan["new_section_visibilities"]
            assert r.status_code == (201 if offered else 403), (owner, visibility, r.text)
    plan = (await editor.http.get(f"/api/plans/{pid}")).json()
    assert plan["new_section_owners"] == plan["new_section_visibilities"] == []
    body = {"title": "S", "kind": "text"}
    assert (await editor.http.post(f"/api/plans/{pid}/sections", json=body)).status_code == 403


async def test_sections_are_shaped_freely_before_the_other_party_joins(people: People) -> None:
    """Without customer members there is nobody's access to take away: the supplier prunes
    and re-arranges the template's joint sections before inviting anyone."""
    kam = await people.signup("Kam")
    plan = await create_plan(kam)
    pid = plan["id"]
    joint = [s["id"] for s in plan["sections"] if s["owner"] == "joint"]
    r = await kam.http.patch(f"/api/plans/{pid}/sections/{joint[0]}", json={"owner": "supplier"})
    assert r.status_code == 200, r.text
    r = await kam.http.patch(
        f"/api/plans/{pid}/sections/{joint[1]}", json={"visibility": "supplier-only"}
    )
    assert r.status_code == 200, r.text
    assert (await kam.http.delete(f"/api/plans/{pid}/sections/{joint[2]}")).status_code == 204
    # With a customer member, the joint sections left are the customer's too.
    await add_member(kam, people, pid, "Buyer", party="customer", role="viewer")
    r = await kam.http.delete(f"/api/plans/{pid}/sections/{joint[3]}")
    assert (r.status_code, r.json()["error"]) == (403, "section_protected")


async def test_two_facilitators_stepping_down_at_once_leave_one(people: People) -> None:
    """Each of the customer's two facilitators demotes the other at the same moment: the
    plan row lock makes one wait and see that it would leave the customer without one."""
    kam = await people.signup("Kam")
    pid = (await create_plan(kam, template="blank"))["id"]
    cus = await add_member(kam, people, pid, "Cus", party="customer", role="facilitator")
    cus2 = await add_member(cus, people, pid, "Cus2", party="customer", role="facilitator")
    members = await member_ids(kam, pid)
    url = f"/api/plans/{pid}/members/"
    replies = await asyncio.gather(
        cus.http.patch(url + members["Cus2"]["id"], json={"role": "editor"}),
        cus2.http.patch(url + members["Cus"]["id"], json={"role": "editor"}),
    )
    # The one who waited was either no longer a facilitator (403) or would have left the
    # customer without one (409).
    codes = sorted(r.status_code for r in replies)
    assert codes[0] == 200, [r.text for r in replies]
    assert codes[1] in (403, 409), [r.text for r in replies]
    roles = [m["role"] for m in (await member_ids(kam, pid)).values() if m["party"] == "customer"]
    assert roles.count("facilitator") == 1
