"""Sample content for the demo plan: a packaging supplier and a food producer, written from
the customer's perspective."""

from typing import Any

from server.collab.layout import Block

ANALYSIS: list[Block] = [
    ("heading", "Where Nordlys Foods is heading"),
    (
        "paragraph",
        "Retail chains in the Nordics want 30 % less plastic on the shelf by 2030 "
        "and full recyclability labels from 2028. Nordlys must move its ready-meal range to "
        "fibre-based trays without losing shelf life or line speed.",
    ),
    ("heading", "Opportunities for working together"),
    ("bullet", "Fibre trays for the ready-meal range (about 40 million units a year)."),
    ("bullet", "Shared line trials at the Bergen plant before each new format."),
    ("bullet", "Joint reporting of packaging CO₂ for Nordlys's retail customers."),
]

STRATEGIES: dict[str, list[Block]] = {
    "strategy_product": [
        (
            "paragraph",
            "A tailored fibre tray family for Nordlys's three meal sizes, built on our "
            "standard barrier coating so that volumes stay economical.",
        ),
        ("bullet", "2027: one tray size qualified on line 2."),
        ("bullet", "2028: all three sizes, with a recyclability label."),
    ],
    "strategy_price": [
        (
            "paragraph",
            "Hold the fibre tray within 6 % of today's plastic tray cost per unit; "
            "a three-year volume agreement earns a 4 % rebate from year two.",
        ),
    ],
    "strategy_distribution": [
        (
            "paragraph",
            "Direct deliveries to Bergen and Trondheim from our Ålesund plant, "
            "vendor-managed stock of two weeks at each site.",
        ),
    ],
    "strategy_communication": [
        (
            "paragraph",
            "One joint story for Nordlys's retail customers: the first Nordic ready "
            "meals in fibre trays. Co-funded launch material for two chains in 2027.",
        ),
    ],
    "strategy_service": [
        (
            "paragraph",
            "A named line technician during every trial and launch; 24-hour response "
            "on tray defects; quarterly quality review with Nordlys's plant managers.",
        ),
    ],
    "strategy_relationship": [
        (
            "paragraph",
            "A steering meeting each quarter (both purchasing directors), a "
            "working group every month, and one joint workshop a year on the plan itself.",
        ),
    ],
}

GOALS: dict[str, list[dict[str, Any]]] = {
    "goals_strategic": [
        {
            "id": "g-fibre-range",
            "title": "Nordlys sells its whole ready-meal range in fibre trays",
            "description": "So that Nordlys meets the retail chains' 2030 plastic targets first.",
            "metric": "Share of ready-meal units in fibre trays",
            "target": "100 %",
            "due": "2030-12-31",
            "status": "proposed",
        },
        {
            "id": "g-co2",
            "title": "Packaging CO₂ per meal halved",
            "description": "Measured the same way by both companies and reported to retailers.",
            "metric": "kg CO₂e per 1,000 trays",
            "target": "−50 % vs. 2025",
            "due": "2030-12-31",
            "status": "proposed",
        },
    ],
    "goals_tactical": [
        {
            "id": "g-three-sizes",
            "title": "All three meal sizes qualified in fibre",
            "description": "Shelf life of 21 days at 4 °C and line speed of 90 trays a minute.",
            "metric": "Sizes qualified",
            "target": "3 of 3",
            "due": "2028-06-30",
            "status": "proposed",
        },
    ],
    "goals_operative": [
        {
            "id": "g-first-size",
            "title": "First tray size running on line 2 in Bergen",
            "description": "The 400 g size, in two retail chains.",
            "metric": "Weekly volume",
            "target": "150,000 trays",
            "due": "2027-09-30",
            "status": "planned",
        },
        {
            "id": "g-trial",
            "title": "Line trial passed",
            "description": "Two shifts at full speed with under 0.5 % rejects.",
            "metric": "Reject rate",
            "target": "< 0.5 %",
            "due": "2027-03-31",
            "status": "planned",
        },
    ],
}


def activities(supplier_id: str, customer_id: str) -> list[dict[str, Any]]:
    return [
        {
            "id": "a-samples",
            "title": "Send 5,000 sample trays (400 g)",
            "goal_id": "g-trial",
            "owner": supplier_id,
            "party": "supplier",
            "start": "2027-01-11",
            "due": "2027-01-29",
            "status": "planned",
        },
        {
            "id": "a-line-slot",
            "title": "Book two shifts on line 2 for the trial",
            "goal_id": "g-trial",
            "owner": customer_id,
            "party": "customer",
            "start": "2027-02-01",
            "due": "2027-02-12",
            "status": "planned",
        },
        {
            "id": "a-shelf-life",
            "title": "Shelf-life test at 4 °C, 21 days",
            "goal_id": "g-three-sizes",
            "owner": customer_id,
            "party": "customer",
            "start": "2027-03-01",
            "due": "2027-04-15",
            "status": "proposed",
        },
        {
            "id": "a-co2-method",
            "title": "Agree one CO₂ method for packaging",
            "goal_id": "g-co2",
            "owner": supplier_id,
            "party": "supplier",
            "start": "2027-02-01",
            "due": "2027-05-31",
            "status": "proposed",
        },
        {
            "id": "a-retail-pitch",
            "title": "Joint pitch to the first retail chain",
            "goal_id": "g-first-size",
            "owner": customer_id,
            "party": "customer",
            "start": "2027-05-01",
            "due": "2027-06-15",
            "status": "proposed",
        },
    ]


def stakeholders(supplier_id: str) -> list[dict[str, Any]]:
    return [
        {
            "id": "p-hansen",
            "name": "Ola Hansen",
            "job_title": "Purchasing director",
            "buying_role": "buyer",
            "attitude": "supporter",
            "relationship_owner": supplier_id,
            "notes": "Wants the cost gap to plastic under 8 %.",
        },
        {
            "id": "p-berg",
            "name": "Ingrid Berg",
            "job_title": "CEO",
            "buying_role": "decider",
            "attitude": "neutral",
            "relationship_owner": supplier_id,
            "notes": "Decides on anything above NOK 20 m a year.",
        },
        {
            "id": "p-lie",
            "name": "Tor Lie",
            "job_title": "Plant manager, Bergen",
            "buying_role": "user",
            "attitude": "sceptic",
            "relationship_owner": supplier_id,
            "notes": "Worried about line speed; invite to the trial.",
        },
        {
            "id": "p-dahl",
            "name": "Siri Dahl",
            "job_title": "Head of sustainability",
            "buying_role": "initiator",
            "attitude": "champion",
            "relationship_owner": supplier_id,
            "notes": "Started the fibre project.",
        },
        {
            "id": "p-moe",
            "name": "Kai Moe",
            "job_title": "Quality manager",
            "buying_role": "gatekeeper",
            "attitude": "neutral",
            "relationship_owner": supplier_id,
            "notes": "Signs off every new food-contact material.",
        },
    ]
