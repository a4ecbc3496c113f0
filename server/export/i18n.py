"""Export wording in the plan's language (English or Norwegian bokmål)."""

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "summary": "Summary",
        "exported": "Exported {when} for {name} ({party})",
        "version": "Version “{name}”, frozen {when} by {by}",
        "current": "The plan as it stands",
        "horizon.strategic": "Strategic goals (3–5 years)",
        "horizon.tactical": "Tactical goals (1–2 years)",
        "horizon.operative": "Operative goals (this year)",
        "horizon.none": "Other goals",
        "key_activities": "Key activities",
        "no_goals": "No goals yet.",
        "no_activities": "No activities yet.",
        "more": "… and {n} more",
        "goal": "Goal",
        "target": "Target",
        "due": "Due",
        "agreement": "Agreement",
        "activity": "Activity",
        "owner": "Owner",
        "start": "Start",
        "status": "Status",
        "description": "Description",
        "metric": "Metric",
        "goal_status": "Goal status",
        "sections": "Sections",
        "signatures": "Signatures",
        "no_signatures": "Nobody has signed anything yet.",
        "signed_by": "Signed by",
        "party": "Party",
        "time": "Time (UTC)",
        "hash": "Content hash (SHA-256)",
        "signed_content": "Signed content (canonical JSON)",
        "agreed_content": "Agreed content (canonical JSON)",
        "version_signatures": "Signatures of the version as a whole",
        "version_hash": "Hash of the shared sections (SHA-256)",
        "record": "Agreement record",
        "record_help": "The machine-readable record of this export. "
        "Check it against the server with `jointplan verify FILE` or POST /api/verify.",
        "record_help_pdf": "The machine-readable record is attached to this PDF "
        "(jointplan-record.json). Check it with `jointplan verify FILE` or POST /api/verify.",
        "status.agreed": "agreed",
        "status.pending": "pending",
        "status.changed": "changed since agreement",
        "deleted": "deleted after agreement",
        "name": "Name",
        "job_title": "Job title",
        "buying_role": "Buying role",
        "attitude": "Attitude",
        "relationship_owner": "Relationship owner",
        "notes": "Notes",
        "empty": "Nothing here yet.",
        "page": "Page {n} of {total}",
        "supplier": "supplier",
        "customer": "customer",
        "agreed_on": "agreed",
    },
    "nb": {
        "summary": "Sammendrag",
        "exported": "Eksportert {when} for {name} ({party})",
        "version": "Versjon «{name}», frosset {when} av {by}",
        "current": "Planen slik den står nå",
        "horizon.strategic": "Strategiske mål (3–5 år)",
        "horizon.tactical": "Taktiske mål (1–2 år)",
        "horizon.operative": "Operative mål (i år)",
        "horizon.none": "Andre mål",
        "key_activities": "Nøkkelaktiviteter",
        "no_goals": "Ingen mål ennå.",
        "no_activities": "Ingen aktiviteter ennå.",
        "more": "… og {n} til",
        "goal": "Mål",
        "target": "Målverdi",
        "due": "Frist",
        "agreement": "Enighet",
        "activity": "Aktivitet",
        "owner": "Ansvarlig",
        "start": "Start",
        "status": "Status",
        "description": "Beskrivelse",
        "metric": "Måltall",
        "goal_status": "Målstatus",
        "sections": "Seksjoner",
        "signatures": "Signaturer",
        "no_signatures": "Ingen har signert noe ennå.",
        "signed_by": "Signert av",
        "party": "Part",
        "time": "Tidspunkt (UTC)",
        "hash": "Innholdshash (SHA-256)",
        "signed_content": "Signert innhold (kanonisk JSON)",
        "agreed_content": "Avtalt innhold (kanonisk JSON)",
        "version_signatures": "Signaturer på versjonen som helhet",
        "version_hash": "Hash av de delte seksjonene (SHA-256)",
        "record": "Avtaleprotokoll",
        "record_help": "Den maskinlesbare protokollen for denne eksporten. "
        "Kontroller den mot serveren med `jointplan verify FIL` eller POST /api/verify.",
        "record_help_pdf": "Den maskinlesbare protokollen er vedlagt denne PDF-en "
        "(jointplan-record.json). Kontroller den med `jointplan verify FIL` "
        "eller POST /api/verify.",
        "status.agreed": "enige",
        "status.pending": "avventer",
        "status.changed": "endret etter enighet",
        "deleted": "slettet etter enighet",
        "name": "Navn",
        "job_title": "Stilling",
        "buying_role": "Rolle i kjøpet",
        "attitude": "Holdning",
        "relationship_owner": "Relasjonseier",
        "notes": "Notater",
        "empty": "Ingenting her ennå.",
        "page": "Side {n} av {total}",
        "supplier": "leverandør",
        "customer": "kunde",
        "agreed_on": "enige",
    },
}

VALUES: dict[str, dict[str, str]] = {
    "nb": {
        "proposed": "foreslått",
        "planned": "planlagt",
        "in_progress": "pågår",
        "done": "ferdig",
        "dropped": "droppet",
        "decider": "beslutter",
        "influencer": "påvirker",
        "user": "bruker",
        "buyer": "kjøper",
        "gatekeeper": "portvokter",
        "initiator": "initiativtaker",
        "champion": "forkjemper",
        "supporter": "støttespiller",
        "neutral": "nøytral",
        "sceptic": "skeptiker",
        "blocker": "motstander",
    },
    "en": {"in_progress": "in progress"},
}


class Texts:
    def __init__(self, language: str) -> None:
        self.language = language if language in TEXTS else "en"
        self._texts = TEXTS[self.language]
        self._values = VALUES.get(self.language, {})

    def __call__(self, key: str, **args: Any) -> str:
        return self._texts[key].format(**args)

    def value(self, raw: Any) -> str:
        """A field value as a reader sees it: enum values translated, None as empty."""
        if raw is None:
            return ""
        text = str(raw)
        return self._values.get(text, text)

    def status(self, status: str) -> str:
        return self._texts.get(f"status.{status}", status)
