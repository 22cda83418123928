"""The page's settings in its address, so that a link (or a reload) reproduces the page.

The query string holds the case, the number of runs, each lever that differs from the case's
own value, the saved scenarios, and cost rates that differ from the defaults::

    ?case=safecities&runs=10&set=coordinator.fte=0.5&set=sponsor.board=true
     &saved=Half-time with board|safecities/10/coordinator.fte=0.5;sponsor.board=true
     &saved=As planned|safecities/10/
     &rates=150000,120000,220000,0.05

A link is input from outside, so it is read like any other: only the four cases, runs within the
page's bounds and the page's own lever keys are accepted, and every value goes through
:func:`copsim.load_config`. What does not pass is left out and named in one line per problem;
the rest of the link still applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..analysis.costs import CostRates
from ..model.config import ConfigError
from .cases import DEFAULT_CASE
from .levers import DEFAULT_REPLICATES, Levers, Request, check_case, check_replicates, levers_from_overrides
from .saved import Saved

#: saved scenarios a page keeps
MAX_SAVED = 3
#: the cost rates in the order the ``rates`` parameter lists them
RATE_NAMES = ("coordinator", "support_staff", "sponsor", "sponsor_fte_at_full")


def encode_saved(saved: Saved) -> str:
    """``name|case/runs/key=value;key=value`` (one saved scenario in the ``saved`` parameter)."""
    request = saved.request
    return f"{saved.name}|{request.scenario}/{request.replicates}/{';'.join(request.overrides)}"


def decode_saved(text: str) -> Saved:
    """A saved scenario from its text; ConfigError naming what is wrong."""
    name, _, rest = text.rpartition("|")
    return Saved.of(decode_request(rest), name)


def decode_request(text: str) -> Request:
    """A request from ``case/runs/key=value;...``; ConfigError naming what is wrong."""
    scenario, sep1, rest = text.partition("/")
    runs, sep2, overrides = rest.partition("/")
    if not (sep1 and sep2):
        raise ConfigError(f"saved: {text!r} is not a saved scenario (case/runs/levers)")
    check_case(scenario)
    if not runs.isdigit():
        raise ConfigError(f"saved: runs {runs!r} is not allowed; a whole number")
    items = tuple(item for item in overrides.split(";") if item)
    levers_from_overrides(scenario, list(items))  # validates keys and values
    return Request(scenario, items, check_replicates(int(runs)))


def encode_rates(rates: CostRates) -> str:
    """``coordinator,support_staff,sponsor,sponsor_fte_at_full`` as short numbers."""
    return ",".join(f"{getattr(rates, name):g}" for name in RATE_NAMES)


def decode_rates(text: str) -> CostRates:
    """Cost rates from their text; ConfigError naming what is wrong."""
    parts = text.split(",")
    if len(parts) != len(RATE_NAMES):
        raise ConfigError(f"rates: {text!r} is not allowed; {len(RATE_NAMES)} numbers separated by commas")
    try:
        values = {name: float(part) for name, part in zip(RATE_NAMES, parts, strict=True)}
        return CostRates(**values).check()
    except ValueError as exc:
        raise ConfigError(f"rates: {exc}") from None


def to_query(
    request: Request, saved: list[Saved], rates: CostRates | None = None
) -> dict[str, str | list[str]]:
    """The query parameters for a page showing ``request``'s settings, ``saved`` and cost ``rates``."""
    query: dict[str, str | list[str]] = {"case": request.scenario, "runs": str(request.replicates)}
    if request.overrides:
        query["set"] = list(request.overrides)
    if saved:
        query["saved"] = [encode_saved(s) for s in saved]
    if rates is not None and rates != CostRates():
        query["rates"] = encode_rates(rates)
    return query


@dataclass
class LinkSettings:
    """What a link asks for; ``problems`` holds one line per part that was left out."""

    scenario: str = DEFAULT_CASE
    levers: Levers | None = None  # None: the case's own values
    replicates: int = DEFAULT_REPLICATES
    saved: list[Saved] = field(default_factory=list)
    rates: CostRates = field(default_factory=CostRates)
    problems: list[str] = field(default_factory=list)


def from_query(get_all: Callable[[str], list[str]] | Mapping[str, list[str]]) -> LinkSettings:
    """Read a page's settings from its query parameters (``st.query_params.get_all`` or a dict)."""
    if isinstance(get_all, Mapping):
        params = get_all
        get_all = lambda key: list(params.get(key, []))  # noqa: E731
    out = LinkSettings()
    cases = get_all("case")
    if cases:
        try:
            check_case(cases[-1])
            out.scenario = cases[-1]
        except ConfigError as exc:
            out.problems.append(str(exc))
    runs = get_all("runs")
    if runs:
        try:
            if not runs[-1].isdigit():
                raise ConfigError(f"runs: {runs[-1]!r} is not allowed; a whole number")
            out.replicates = check_replicates(int(runs[-1]))
        except ConfigError as exc:
            out.problems.append(str(exc))
    accepted: list[str] = []
    for item in get_all("set"):
        try:
            levers_from_overrides(out.scenario, [*accepted, item])
            accepted.append(item)
        except ConfigError as exc:
            out.problems.append(str(exc))
    if accepted:
        out.levers = levers_from_overrides(out.scenario, accepted)
    for text in get_all("saved")[:MAX_SAVED]:
        try:
            out.saved.append(decode_saved(text))
        except ConfigError as exc:
            out.problems.append(str(exc))
    for text in get_all("rates")[-1:]:
        try:
            out.rates = decode_rates(text)
        except ConfigError as exc:
            out.problems.append(str(exc))
    return out
