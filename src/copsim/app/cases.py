"""The four cases a user can pick, in plain language, each tied to its scenario file.

The two sentences of each case are quoted verbatim from the source article (Snyder & Briggs,
*Communities of Practice: A New Tool for Government Managers*, 2003), kept in
``/work/shared/reference/cop-in-government-article.txt``; a unit test checks they still match.
The ``bass`` scenario is for validation only and is not offered on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    """The time a case's headline speaks of: its summary column and how to say it."""

    key: str  # summary outcome (a time to a threshold; NaN when not reached)
    subject: str  # who gets there, e.g. "half of the states adopt the practice"
    subject_not: str  # the same, negated: "half of the states do not adopt the practice"
    unit: str  # "years" or "weeks": the column's unit
    per_year: float  # column units per year (1 for years, 52 for weeks)
    short: str  # a card label, e.g. "Time to 50 % adoption"


def adoption_outcome(unit: str) -> Outcome:
    """The adoption cases' headline: how soon half of the adopting units use the practice."""
    return Outcome(
        "t50_years",
        f"half of the {unit} adopt the practice",
        f"half of the {unit} do not adopt the practice",
        "years",
        1.0,
        "Time to 50 % adoption",
    )


@dataclass(frozen=True)
class Case:
    """One case: scenario name, title, the adopting units' noun, two sentences from the article,
    and the outcome its headline speaks of (the article's outcome for that case)."""

    scenario: str
    title: str
    unit: str  # plural noun for the adopting units, e.g. "states"
    unit_singular: str
    sentences: tuple[str, str]
    kind: str  # what kind of community, in the article's words
    headline: Outcome | None = field(default=None)

    @property
    def outcome(self) -> Outcome:
        """The headline's outcome: time-to-talent for CompanyCommand, otherwise time to 50 % adoption."""
        return self.headline or adoption_outcome(self.unit)


CASES: dict[str, Case] = {
    c.scenario: c
    for c in (
        Case(
            scenario="rumble_strips",
            title="Rumble Strips (Federal Highway Administration)",
            unit="states",
            unit_singular="state",
            kind="An agency-based community reaching about 50 state departments of transportation.",
            sentences=(
                "The Federal Highway Administration (FHWA) set a strategic goal to reduce highway "
                "fatalities by 20 per cent nationwide in the 10 years between 1998 and 2008.",
                "Mike Burk, leader of the Knowledge Management (KM) department at the agency, worked "
                "with agency executives to design an initiative to accelerate the diffusion of rumble "
                "strips—a proven road-design innovation that significantly reduces run-off-road crashes.",
            ),
        ),
        Case(
            scenario="e_regulation",
            title="E-Regulation (Federal CIO Council)",
            unit="agencies",
            unit_singular="agency",
            kind="An inter-agency community of about ten federal regulatory agencies.",
            sentences=(
                "A number of regulatory agencies had to respond to a legislative mandate to offer "
                "online access to compliance forms for their customers.",
                "Bill Bennett, the person leading this initiative at the Federal Energy Regulatory "
                "Commission (FERC), decided to seek out his counterparts at other agencies to explore "
                "best practices for meeting that mandate.",
            ),
        ),
        Case(
            scenario="safecities",
            title="SafeCities (NPR, Justice and Treasury)",
            unit="cities",
            unit_singular="city",
            kind="An inter-sector, inter-level community of cities, federal agencies, police, "
            "faith leaders and others.",
            sentences=(
                "Reducing gun violence on the streets of America is a goal that is shared by many "
                "governmental and non-governmental organizations in cities across the nation.",
                "The SafeCities community fostered learning across its member cities as well as "
                "collaborations among players at local, state, and federal levels.",
            ),
        ),
        Case(
            scenario="company_command",
            title="CompanyCommand (West Point)",
            unit="companies",
            unit_singular="company",
            kind="An online, distributed community of thousands of company commanders.",
            # the article's outcome for this case is how fast new commanders learn their job
            headline=Outcome(
                "time_to_talent_weeks",
                "half of the new company commanders become competent",
                "half of the new company commanders do not become competent",
                "weeks",
                52.0,
                "Time-to-talent",
            ),
            sentences=(
                "Nothing can fully prepare new company commanders for the responsibilities they must "
                "take on during their two-year command.",
                "They created a forum for new and seasoned commanders to share their insights and "
                "experiences; lessons learned; and tools and methods.",
            ),
        ),
    )
}

DEFAULT_CASE = "rumble_strips"


def case_of(scenario: str) -> Case:
    """The case of ``scenario``: one of the four, or a user's own scenario (said generically)."""
    if scenario in CASES:
        return CASES[scenario]
    return Case(
        scenario=scenario,
        title=f"{scenario} (your own scenario)",
        unit="adopting units",
        unit_singular="adopting unit",
        sentences=("", ""),
        kind="A community described by a user of this page, starting from one of the cases.",
    )
