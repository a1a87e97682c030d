"""View dataclasses for the spot sections: the cost table and the spot preemptions."""

from __future__ import annotations

from dataclasses import dataclass

from harness.report import fmt
from harness.report.facts import Fact
from harness.results import Cost, CostLine, Preemption, Replacement, Results

PRICING = {"on_demand": "on-demand", "spot": "spot"}
CAPACITY = {"on_demand": "on-demand", "spot": "spot", "none": "none"}
NO_TYPE = "(no type)"
NO_PRICES = (
    "No prices given: no instance has a priced type (stack.instance_types), "
    "so the run is counted in instance-seconds only."
)


@dataclass(frozen=True)
class CostRow:
    """One row of the cost table: an instance type in one pricing class (or the total)."""

    instance_type: str
    pricing: str
    pricing_css: str
    instances: str
    instance_seconds: str
    hourly_price: str
    cost: str


@dataclass(frozen=True)
class CostView:
    """The cost section: the headline figures and one row per type and pricing class.

    Without a single price (`priced` false) the table has no price or cost columns and
    `note` says so once.
    """

    facts: list[Fact]
    rows: list[CostRow]
    total: CostRow
    priced: bool
    note: str


@dataclass(frozen=True)
class PreemptionRow:
    """One preempted spot instance: its notice, how it left, what it cost, who replaced it."""

    fault: str
    wave: str
    instance: str
    instance_type: str
    provider: str
    rebalance_at: str
    notice_at: str
    terminated_at: str
    terminated_detail: str
    notice_to_drained: str
    notice_to_drained_css: str
    drained: str
    drained_css: str
    failed_requests: str
    failed_css: str
    without_full_capacity: str
    replacement: str
    replacement_css: str
    replacement_detail: str
    css: str


@dataclass(frozen=True)
class Finding:
    """What the report has to say about one preemption, e.g. an ignored notice."""

    where: str
    text: str


@dataclass(frozen=True)
class PreemptionsView:
    """The spot preemptions section: a summary, the findings, one row per preemption."""

    summary: str
    findings: list[Finding]
    rows: list[PreemptionRow]


def cost_view(results: Results) -> CostView | None:
    """Build the cost section, or None when the run has no cost model."""
    cost = results.cost
    if cost is None:
        return None
    cur = cost.currency
    priced = any(line.hourly_price is not None for line in cost.lines)
    no_price = _no_price(cost)
    total = CostRow(
        instance_type="total",
        pricing="",
        pricing_css="",
        instances=fmt.count(sum(line.instances for line in cost.lines)),
        instance_seconds=fmt.amount(cost.instance_seconds),
        hourly_price="",
        cost=fmt.money(cost.total, cur) if cost.total is not None else no_price,
    )
    rows = [_cost_row(x, cur) for x in cost.lines]
    facts = _cost_facts(cost, no_price, priced)
    return CostView(facts, rows, total, priced, "" if priced else NO_PRICES)


def _no_price(cost: Cost) -> str:
    unpriced = sorted(
        {x.instance_type or NO_TYPE for x in cost.lines if x.hourly_price is None or x.cost is None}
    )
    return f"n/a — no price for {', '.join(unpriced)}" if unpriced else "n/a"


def _cost_facts(cost: Cost, no_price: str, priced: bool) -> list[Fact]:
    """The headline figures; the money ones only when some instance has a price."""
    cur = cost.currency
    if cost.per_1k_predictions is not None:
        per_1k = fmt.money(cost.per_1k_predictions, cur)
    elif cost.total is None:
        per_1k = no_price
    else:
        per_1k = "n/a — no successful predictions"
    total = fmt.money(cost.total, cur) if cost.total is not None else no_price
    lost = cost.capacity_seconds_lost
    return [
        *([Fact("total cost", total)] if priced else []),
        Fact("spot share", fmt.ratio(cost.spot_share)),
        *([Fact("per 1,000 successful predictions", per_1k)] if priced else []),
        Fact("successful predictions", fmt.count(cost.successful_predictions)),
        Fact("instance-seconds", fmt.amount(cost.instance_seconds)),
        Fact(
            "capacity lost to preemptions",
            f"{fmt.amount(lost)} instance-seconds",
            "bad" if lost > 0 else "",
        ),
    ]


def _cost_row(line: CostLine, currency: str) -> CostRow:
    return CostRow(
        instance_type=line.instance_type or NO_TYPE,
        pricing=PRICING.get(line.pricing, line.pricing),
        pricing_css="spot" if line.pricing == "spot" else "muted",
        instances=fmt.count(line.instances),
        instance_seconds=fmt.amount(line.instance_seconds),
        hourly_price=fmt.hourly(line.hourly_price, currency)
        if line.hourly_price is not None
        else "no price",
        cost=fmt.money(line.cost, currency) if line.cost is not None else "n/a",
    )


def preemptions_view(results: Results) -> PreemptionsView | None:
    """Build the spot preemptions section, or None when no spot instance was preempted."""
    preemptions = results.preemptions
    if not preemptions:
        return None
    findings = [Finding(_where(p), p.finding) for p in preemptions if p.finding]
    return PreemptionsView(
        _summary(preemptions, len(findings)), findings, [_preemption_row(p) for p in preemptions]
    )


def _where(p: Preemption) -> str:
    return f"{p.instance} ({p.fault}, wave {p.wave})"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _summary(preemptions: list[Preemption], findings: int) -> str:
    faults = len({p.fault for p in preemptions})
    drained = sum(p.drained_before_termination for p in preemptions)
    failed = sum(p.failed_requests for p in preemptions)
    text = (
        f"{_plural(len(preemptions), 'spot instance')} preempted by {_plural(faults, 'fault')}: "
        f"{drained} of {len(preemptions)} drained before termination, "
        f"{_plural(failed, 'failed request')}"
    )
    return text + (f", {_plural(findings, 'finding')}." if findings else ".")


def _preemption_row(p: Preemption) -> PreemptionRow:
    if p.notice_to_drained_s is not None:
        to_drained, to_drained_css = fmt.seconds(p.notice_to_drained_s), ""
    else:
        to_drained, to_drained_css = "never drained", "bad"
    replacement, replacement_css, replacement_detail = _replacement(p.replacement)
    return PreemptionRow(
        fault=p.fault,
        wave=str(p.wave),
        instance=p.instance,
        instance_type=p.instance_type or NO_TYPE,
        provider=p.provider,
        rebalance_at=f"rebalance {fmt.at(p.rebalance_at)}" if p.rebalance_at is not None else "",
        notice_at=fmt.at(p.notice_at),
        terminated_at=fmt.at(p.terminate_at),
        terminated_detail=_gone(p),
        notice_to_drained=to_drained,
        notice_to_drained_css=to_drained_css,
        drained="yes" if p.drained_before_termination else "no",
        drained_css="pass" if p.drained_before_termination else "fail",
        failed_requests=fmt.count(p.failed_requests),
        failed_css="bad" if p.failed_requests else "",
        without_full_capacity=fmt.seconds(p.without_full_capacity_s),
        replacement=replacement,
        replacement_css=replacement_css,
        replacement_detail=replacement_detail,
        css="has-finding" if p.finding else "",
    )


def _gone(p: Preemption) -> str:
    if p.forced:
        return "killed after the grace"
    return f"exited {fmt.at(p.gone_at)}" if p.gone_at is not None else ""


def _replacement(r: Replacement) -> tuple[str, str, str]:
    """The replacement's capacity, its pill class, and how far it got."""
    capacity = CAPACITY.get(r.capacity, r.capacity)
    if r.capacity == "none":
        return "none", "fail", "no replacement capacity"
    if r.joined_at is not None:
        return capacity, "pass", f"joined {fmt.at(r.joined_at)}"
    if r.ready_at is not None:
        return capacity, "fail", f"ready {fmt.at(r.ready_at)}, never joined"
    if r.started_at is not None:
        return capacity, "fail", f"launched {fmt.at(r.started_at)}, never ready"
    return capacity, "fail", "never launched"
