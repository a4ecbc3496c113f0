"""Plan templates. The `kam` template follows the key-account-strategy method.

Defaults, and why:
- Goals on all three horizons and the action plan are joint and shared: both parties write
  the goals they will sign off together, and the mutual action plan has steps on each side.
- Customer analysis and the relationship and communication strategies are joint: they are
  written from the customer's perspective, best by the customer.
- Product, distribution and service strategies are supplier-owned but shared: the supplier
  commits to them, the customer reads and comments.
- Price strategy and the buying center are supplier-owned and supplier-only: prices, terms
  and how the supplier sees each person at the customer (champion, sceptic, blocker) are
  internal by nature. A facilitator can share either at any time.
"""

from dataclasses import dataclass
from typing import Literal

TemplateName = Literal["kam", "blank"]
Language = Literal["en", "nb"]


@dataclass(frozen=True)
class SectionTemplate:
    key: str
    kind: str
    horizon: str | None
    owner: str
    visibility: str
    title: dict[str, str]
    help: dict[str, str]


KAM: tuple[SectionTemplate, ...] = (
    SectionTemplate(
        "analysis",
        "text",
        None,
        "joint",
        "shared",
        {"en": "Customer analysis and opportunities", "nb": "Kundeanalyse og muligheter"},
        {
            "en": "Where is the customer's market heading, and what must the customer become "
            "good at to win there? List the opportunities this opens for working together. "
            "Write it as the customer would say it.",
            "nb": "Hvor er kundens marked på vei, og hva må kunden bli god på for å lykkes der? "
            "Skriv opp mulighetene dette gir for samarbeid. Skriv det slik kunden ville sagt det.",
        },
    ),
    SectionTemplate(
        "buying_center",
        "stakeholders",
        None,
        "supplier",
        "supplier-only",
        {"en": "Buying center", "nb": "Kjøpssenter"},
        {
            "en": "Who initiates, uses, influences, decides, buys and gatekeeps at the "
            "customer, how each sees us, and who on our side owns the relationship. "
            "Internal to the supplier unless a facilitator shares it.",
            "nb": "Hvem tar initiativ, bruker, påvirker, beslutter, kjøper og slipper inn hos "
            "kunden, hvordan hver enkelt ser på oss, og hvem hos oss som eier relasjonen. "
            "Intern for leverandøren med mindre en fasilitator deler den.",
        },
    ),
    SectionTemplate(
        "goals_strategic",
        "goals",
        "strategic",
        "joint",
        "shared",
        {"en": "Strategic goals (3–5 years)", "nb": "Strategiske mål (3–5 år)"},
        {
            "en": "Where do we want to be together in three to five years? Few goals, each "
            "with a measure and a target, each with a route to it in the strategies below.",
            "nb": "Hvor vil vi være sammen om tre til fem år? Få mål, hvert med et måltall og "
            "en vei dit i strategiene under.",
        },
    ),
    SectionTemplate(
        "goals_tactical",
        "goals",
        "tactical",
        "joint",
        "shared",
        {"en": "Tactical goals (1–2 years)", "nb": "Taktiske mål (1–2 år)"},
        {
            "en": "The steps in the next one to two years that lead to the strategic goals.",
            "nb": "Stegene de neste ett til to årene som leder mot de strategiske målene.",
        },
    ),
    SectionTemplate(
        "goals_operative",
        "goals",
        "operative",
        "joint",
        "shared",
        {"en": "Operative goals (this year)", "nb": "Operative mål (i år)"},
        {
            "en": "What we reach together in the coming year, measurable and dated.",
            "nb": "Det vi når sammen det kommende året, målbart og datert.",
        },
    ),
    SectionTemplate(
        "strategy_product",
        "text",
        None,
        "supplier",
        "shared",
        {"en": "Product strategy", "nb": "Produktstrategi"},
        {
            "en": "Standard or tailored offerings for this customer, and on what terms.",
            "nb": "Standard eller skreddersydde tilbud til denne kunden, og på hvilke vilkår.",
        },
    ),
    SectionTemplate(
        "strategy_price",
        "text",
        None,
        "supplier",
        "supplier-only",
        {"en": "Price strategy", "nb": "Prisstrategi"},
        {
            "en": "Prices, terms, price policy and discounts. Internal to the supplier.",
            "nb": "Priser, vilkår, prispolitikk og rabatter. Intern for leverandøren.",
        },
    ),
    SectionTemplate(
        "strategy_distribution",
        "text",
        None,
        "supplier",
        "shared",
        {"en": "Distribution strategy", "nb": "Distribusjonsstrategi"},
        {
            "en": "How deliveries reach the customer: direct or through partners, means and terms.",
            "nb": "Hvordan leveransene når kunden: direkte eller via partnere, midler og vilkår.",
        },
    ),
    SectionTemplate(
        "strategy_communication",
        "text",
        None,
        "joint",
        "shared",
        {"en": "Communication strategy", "nb": "Kommunikasjonsstrategi"},
        {
            "en": "Channels, messages and any joint marketing, combined into one mix.",
            "nb": "Kanaler, budskap og eventuell felles markedsføring, samlet i én miks.",
        },
    ),
    SectionTemplate(
        "strategy_service",
        "text",
        None,
        "supplier",
        "shared",
        {"en": "Service strategy", "nb": "Servicestrategi"},
        {
            "en": "The service the customer gets and how it supports the rest of the plan.",
            "nb": "Servicen kunden får, og hvordan den støtter resten av planen.",
        },
    ),
    SectionTemplate(
        "strategy_relationship",
        "text",
        None,
        "joint",
        "shared",
        {"en": "Relationship strategy", "nb": "Relasjonsstrategi"},
        {
            "en": "The balance between transactions and relationship, and the meetings and "
            "activities that keep both sides close where it pays.",
            "nb": "Balansen mellom transaksjoner og relasjon, og møtene og aktivitetene som "
            "holder partene nær hverandre der det lønner seg.",
        },
    ),
    SectionTemplate(
        "action_plan",
        "activities",
        None,
        "joint",
        "shared",
        {"en": "Action plan", "nb": "Handlingsplan"},
        {
            "en": "Activities with an owner on each side, start and due dates and a status. "
            "Either party may propose; proposals become planned when both agree.",
            "nb": "Aktiviteter med en eier på hver side, start- og fristdato og status. Begge "
            "parter kan foreslå; forslag blir planlagt når begge er enige.",
        },
    ),
)

TEMPLATES: dict[str, tuple[SectionTemplate, ...]] = {"kam": KAM, "blank": ()}
