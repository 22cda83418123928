"""Each mechanism's rule, stated in words and checked on small arrays."""

from __future__ import annotations

import numpy as np
import pytest

from copsim.compiled import generator_handle
from copsim.config import CoordinatorConfig, ParticipationConfig
from copsim.mechanisms import (
    adoption,
    coordination,
    demography,
    exchange,
    interaction,
    participation,
    practice,
    trust,
)
from copsim.network import Ties, _filter_slot, incidence
from copsim.outcomes import census

# ---------------------------------------------------------------- demography


def test_no_wave_means_only_the_base_hazard():
    p = demography.retirement_probability(100, 0.05, False, 0.5, 52, 7)
    assert p == pytest.approx(1 - np.exp(-0.05 / 52))


def test_a_wave_retires_its_share_of_the_workforce_over_its_years():
    weeks = np.arange(52, 52 + 7 * 52)
    survive = np.prod([1 - demography.retirement_probability(w, 0.0, True, 0.5, 52, 7) for w in weeks])
    assert survive == pytest.approx(0.5, rel=1e-9)
    assert demography.retirement_probability(51, 0.0, True, 0.5, 52, 7) == 0.0


def test_hires_start_with_low_knowledge():
    k = demography.hire_knowledge(np.random.default_rng(0), 5000, 0.1)
    assert k.min() >= 0 and k.max() <= 1
    assert k.mean() == pytest.approx(0.1, abs=0.005)


# ---------------------------------------------------------------- participation


def test_utility_rises_with_learning_value_trust_interest_and_legitimacy():
    p = ParticipationConfig()
    base = dict(
        gap=np.array([0.1]),
        belonging=np.array([0.3]),
        interest=np.array([0.0]),
        boundary=np.array([1.0]),
        silo=np.array([0.5]),
        legitimacy=0.3,
        vitality=0.5,
        protected_time=0.0,
        time_cost_scale=1.0,
        p=p,
    )
    u0 = participation.utility(**base)
    for key, value in [
        ("gap", np.array([0.4])),
        ("belonging", np.array([0.8])),
        ("interest", np.array([1.0])),
        ("legitimacy", 0.9),
        ("protected_time", 0.8),
    ]:
        assert participation.utility(**{**base, key: value}) > u0, key


def test_legitimacy_matters_more_across_boundaries():
    p = ParticipationConfig()
    kw = dict(
        gap=np.zeros(2),
        belonging=np.zeros(2),
        interest=np.zeros(2),
        boundary=np.array([0.0, 1.0]),
        silo=np.full(2, 0.5),
        vitality=0.5,
        protected_time=0.0,
        time_cost_scale=1.0,
        p=p,
    )
    gain = participation.utility(legitimacy=1.0, **kw) - participation.utility(legitimacy=0.0, **kw)
    assert gain[1] > gain[0] > 0


def test_ordered_logit_levels_are_nested_and_monotone_in_utility():
    u = np.random.default_rng(1).random(20000)
    low = participation.ordered_level(u, np.full(u.size, -1.0), 1.5, 3.0)
    high = participation.ordered_level(u, np.full(u.size, 2.0), 1.5, 3.0)
    assert (high >= low).all()  # same uniforms: higher utility never gives a lower level
    assert high.mean() > low.mean()
    assert set(np.unique(high)) <= {0, 1, 2, 3}
    assert (low > 0).mean() == pytest.approx(participation.logistic(-1.0), abs=0.01)


def test_a_decision_by_the_logistic_table_is_the_decision_by_the_logistic_itself():
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.normal(0, 8, 200_000), [np.nan, np.inf, -np.inf, 40.0, -40.0, 16.0, -16.0]])
    p = participation.logistic(x)
    # uniforms anywhere, and uniforms within a few ulps or a hair of the probability (the screen's edge)
    hair = participation._GRID_ERROR * rng.choice([-1.5, -1.0, -0.5, 0.5, 1.0, 1.5], x.size)
    for u in (rng.random(x.size), np.nextafter(p, 0), p, np.nextafter(p, 1), p + hair):
        decided = np.array([participation.below_logistic(a, b) for a, b in zip(u, x, strict=True)])
        assert np.array_equal(decided, u < p)


def test_only_aware_practitioners_who_reconsider_choose_by_their_own_uniform():
    aware = np.arange(400) % 3 > 0
    rng, twin = np.random.default_rng(9), np.random.default_rng(9)
    who, u = participation.reconsidering(generator_handle(rng), 0.2, aware)
    first, second = twin.random(400), twin.random(400)  # two uniforms each, whoever reconsiders
    assert who.tolist() == np.flatnonzero((first < 0.2) & aware).tolist() and 50 < who.size < 110
    assert u.tolist() == second[who].tolist()
    assert rng.random() == twin.random()


def test_a_practitioners_level_follows_its_own_utility_and_learning_gap():
    p, rng = ParticipationConfig(), np.random.default_rng(12)
    n, ceiling, vitality = 300, 0.6, 0.5
    knowledge, interest = rng.random(n), rng.standard_normal(n)  # some know more than the ceiling
    org = rng.integers(0, 7, n)
    org_boundary, org_silo = rng.random(7), rng.random(7)
    who = np.sort(rng.choice(n, 120, replace=False))
    u, belonging = rng.random(who.size), rng.random(who.size)
    terms, cuts = participation.utility_terms(0.3, vitality, 0.2, 1.0, p), (p.active_cut, p.core_cut)
    people = (knowledge, ceiling, vitality, interest, org, org_boundary, org_silo)
    levels = participation.choose_levels(u, who, belonging, *people, terms, cuts)
    gap = vitality * np.maximum(ceiling - knowledge[who], 0.0)
    boundary, silo = org_boundary[org[who]], org_silo[org[who]]
    util = participation.utility(gap, belonging, interest[who], boundary, silo, 0.3, vitality, 0.2, 1.0, p)
    assert levels.tolist() == participation.ordered_level(u, util, *cuts).tolist()
    assert len(set(levels.tolist())) > 1


def test_a_mandate_raises_membership_but_lowers_motivation():
    membership = np.zeros(6, np.int8)
    chosen = np.array([0, 0, 1, 2, 3, 0], np.int8)
    aware = np.ones(6, bool)
    everyone = np.arange(6)
    voluntary = participation.revise(membership, everyone, chosen, aware, mandated=False)
    mandated = participation.revise(membership, everyone, chosen, aware, mandated=True)
    assert (mandated > 0).sum() > (voluntary > 0).sum()
    assert participation.motivation_shift(True, 1.0, 0.35, 0.3) == -0.35
    assert participation.motivation_shift(False, 1.0, 0.35, 0.3) == 0.3


def test_unaware_practitioners_cannot_join():
    # 0 and 2 reconsider and choose core; 1 was a member but no longer knows of the community
    new = participation.revise(
        np.array([0, 2, 0], np.int8),
        np.array([0, 2]),
        np.full(2, 3, np.int8),
        np.array([True, False, True]),
        mandated=False,
    )
    assert new.tolist() == [3, 0, 3]


def test_awareness_comes_from_member_colleagues_and_recruitment():
    p = [participation.awareness_probability(share, 0.1, 0.0) for share in (0.0, 0.5, 1.0)]
    assert p == pytest.approx([0.0, 0.05, 0.1])
    assert participation.awareness_probability(0.0, 0.1, 0.2) == pytest.approx(0.2)
    # a ring of 4: practitioner 0 is a member; 1 and 3 have one member colleague of two
    ties = _ring_ties(4)
    member = np.array([True, False, False, False])
    heard = [np.array([True, False, False, False]) for _ in range(2000)]
    stream = generator_handle(rng := np.random.default_rng(3))
    tally = participation.colleague_tally(4)
    for aware in heard:
        participation.hear(stream, aware, member, tally, ties.indptr, ties.neighbour, 0.4, 0.0, False)
    share = np.mean(heard, axis=0)
    assert share[1] == pytest.approx(0.2, abs=0.03) and share[3] == pytest.approx(0.2, abs=0.03)
    assert share[2] == 0.0 and share[0] == 1.0  # no member colleague, no recruitment: nobody tells 2
    mandated = np.zeros(4, bool)
    participation.hear(stream, mandated, member, tally, ties.indptr, ties.neighbour, 0.4, 0.0, True)
    assert mandated.all()
    recruited = np.zeros(4, bool)  # recruits spread over the unaware: 2 expected of 4
    told = [recruited.copy() for _ in range(2000)]
    for aware in told:
        nobody = np.zeros(4, bool)
        participation.hear(stream, aware, nobody, tally, ties.indptr, ties.neighbour, 0.4, 2.0, False)
    assert np.mean(told) == pytest.approx(0.5, abs=0.03)
    # four uniforms a call, whoever is unaware (the stream stays aligned)
    assert rng.random() == np.random.default_rng(3).random(4 * 4001 + 1)[-1]


def test_the_tally_of_member_colleagues_follows_membership_changes():
    ties, rng = _ring_ties(30), np.random.default_rng(4)
    ties.add(np.array([0, 3, 7]), np.array([15, 22, 29]), 0.5, 0.2)  # community ties do not count
    tally, stream = participation.colleague_tally(30), generator_handle(rng)
    degree = np.diff(ties.indptr)
    for _ in range(20):
        member = rng.random(30) < 0.4
        participation.hear(
            stream, np.ones(30, bool), member, tally, ties.indptr, ties.neighbour, 0.1, 0.0, False
        )
        formal = np.zeros(30, np.int64)
        for x in range(30):
            formal[x] = member[ties.neighbour[ties.indptr[x] : ties.indptr[x + 1]]].sum()
        assert (tally[1] == formal).all() and (tally[0] == member).all() and (degree == 2).all()


# ---------------------------------------------------------------- exchange and trust


def test_partners_share_more_when_motivated_and_trusted():
    p_low = exchange.share_probability(np.array([0.0]), np.array([0.2]), 0.0, 1.0, 2.0)
    assert exchange.share_probability(np.array([1.0]), np.array([0.2]), 0.0, 1.0, 2.0) > p_low
    assert exchange.share_probability(np.array([0.0]), np.array([0.9]), 0.0, 1.0, 2.0) > p_low


def _learn(knowledge, i, j, j_shares, i_shares, ceiling=1.0, on_the_job=0.0, library=0.0, level=None, **more):
    k = np.asarray(knowledge, float)
    return exchange.learn(
        k,
        np.asarray(i, np.int64),
        np.asarray(j, np.int64),
        np.array([j_shares, i_shares], bool).reshape(2, -1),
        askers=more.get("askers", np.zeros(0, np.int64)),
        alumni_answers=more.get("answers", np.zeros(0)),
        is_member=np.ones(k.size, bool),
        member_ceiling=ceiling,
        alpha=0.25,
        base_ceiling=0.6,
        on_the_job_rate=on_the_job,
        library_rate=library,
        membership=np.zeros(k.size, np.int8) if level is None else np.asarray(level, np.int8),
    )


def test_receiver_gains_alpha_times_the_gap_only_from_someone_who_knows_more():
    # pair (0, 1): both share; 0 knows less and gains 0.25 * 0.4, 1 gains nothing
    new = _learn([0.2, 0.6], [0], [1], [True], [True])
    assert new.tolist() == pytest.approx([0.3, 0.6])
    assert _learn([0.2, 0.6], [0], [1], [False], [True]).tolist() == pytest.approx([0.2, 0.6])


def test_gains_add_up_per_receiver_and_stop_at_the_ceiling():
    # 0 is told by 1 and 2 (gains 0.1 + 0.15 from last week's values), capped at 0.7; 2 keeps
    # what it knew above the ceiling
    new = _learn([0.2, 0.6, 0.8], [0, 0], [1, 2], [True, True], [False, False], ceiling=0.7)
    assert new.tolist() == pytest.approx([0.45, 0.6, 0.8])
    assert _learn([0.2, 0.6, 0.8], [0, 0], [1, 2], [True, True], [False, False], ceiling=0.4)[0] == 0.4


def test_alumni_answer_questions_and_everyone_learns_on_the_job_and_in_the_library():
    new = _learn([0.2, 0.2], [], [], [], [], askers=np.array([0]), answers=np.array([1.0]))
    assert new.tolist() == pytest.approx([0.4, 0.2])
    # on the job: 10 % of the gap to the base ceiling 0.6
    assert _learn([0.2], [], [], [], [], on_the_job=0.1)[0] == pytest.approx(0.24)
    # the library: a core member (level 3) takes the full rate of the gap to the ceiling,
    # a peripheral one a third of it; non-members nothing
    lib = _learn([0.2, 0.2, 0.2], [], [], [], [], ceiling=0.8, library=0.3, level=[3, 1, 0])
    assert lib.tolist() == pytest.approx([0.38, 0.26, 0.2])


def test_reciprocated_exchange_builds_more_trust_than_one_sided():
    # tie 0: reciprocated; 1: one-sided; 2: met twice, once one-sided and once reciprocated
    # (moves once, by the larger step); 3: met but nobody shared (kept); 4: idle (decays);
    # the last meeting was between strangers (no tie) and changes no tie
    t = np.full(5, 0.5)
    floor = np.full(5, 0.2)
    edge = np.array([0, 1, 2, 2, 3, -1])
    shares = np.array([[True, False, True, True, False, True], [True, True, False, True, False, True]])
    trust.update(t, floor, edge, shares, gain=0.2, decay=0.5)
    assert t.tolist() == pytest.approx([0.6, 0.55, 0.6, 0.5, 0.35])


def test_idle_trust_decays_toward_its_floor_and_never_below():
    t = np.array([0.8, 0.1, 0.8])
    floor = np.array([0.2, 0.2, 0.2])
    for _ in range(60):
        trust.update(t, floor, np.array([2]), np.zeros((2, 1), bool), gain=0.2, decay=0.5)
    assert t[:2] == pytest.approx([0.2, 0.2]) and t[2] == 0.8
    trust.update(t, floor, np.zeros(0, np.int64), np.zeros((2, 0), bool), gain=0.2, decay=0.5)
    assert t[2] == pytest.approx(0.5)


def test_strangers_who_exchanged_start_a_tie_above_stranger_trust():
    # meetings: tie 7 (no new tie), strangers who both shared, strangers one-sided, strangers silent
    i, j = np.array([0, 1, 2, 3]), np.array([4, 5, 6, 7])
    edge = np.array([7, -1, -1, -1])
    shares = np.array([[True, True, False, False], [True, True, True, False]])
    ni, nj, start = trust.first_impressions(i, j, edge, shares, stranger=0.2, gain=0.5)
    assert ni.tolist() == [1, 2] and nj.tolist() == [5, 6]
    assert start.tolist() == pytest.approx([0.6, 0.4])


# ---------------------------------------------------------------- practice and coordination


def test_a_diverse_core_builds_more_than_a_core_from_one_organization():
    same = practice.diversity(np.array([1, 1, 1, 1]))
    mixed = practice.diversity(np.array([1, 2, 3, 4]))
    assert same == 0.0 and mixed == pytest.approx(0.75)
    assert practice.expected_items(4, mixed, 0.5, 0.1, 0.0) > practice.expected_items(4, same, 0.5, 0.1, 0.0)


def test_the_repertoire_lifts_the_knowledge_ceiling_toward_one():
    assert practice.knowledge_ceiling(0.0, 0.7, 20.0) == 0.7
    assert practice.knowledge_ceiling(20.0, 0.7, 20.0) == pytest.approx(0.85)
    assert practice.knowledge_ceiling(1e9, 0.7, 20.0) == pytest.approx(1.0)


def test_coordinator_time_has_diminishing_returns_and_zero_hours_do_nothing():
    c = CoordinatorConfig()
    effects = [coordination.allocate(h, 0.6, 0.6, 0.5, c).activity for h in (0, 10, 20, 30, 40)]
    assert effects[0] == 0.0
    steps = np.diff(effects)
    assert (steps > 0).all() and (np.diff(steps) < 0).all()
    assert coordination.allocate(0.0, 1, 1, 1, c) == coordination.Coordination()


def test_an_uncoordinated_community_decays():
    v = 0.6
    for _ in range(200):
        v = coordination.next_vitality(v, 0.0, 0.08, 0.02)
    assert v < 0.02
    assert coordination.next_vitality(0.3, 0.5, 0.08, 0.02) > 0.3


# ---------------------------------------------------------------- interaction and ties


def _ring_ties(n: int) -> Ties:
    a = np.arange(n)
    return Ties(np.arange(n), a, (a + 1) % n, np.full(n, 0.5))  # one practitioner per organization


def test_ties_are_found_by_either_endpoint_and_added_once():
    ties = _ring_ties(6)
    found = ties.find(np.array([1, 2, 5]), np.array([0, 1, 0]))
    assert ties.view("a")[found].tolist() == [0, 1, 0] and ties.view("b")[found].tolist() == [1, 2, 5]
    assert ties.find(np.array([0]), np.array([3]))[0] == -1
    ties.add(np.array([0, 3, 0]), np.array([3, 0, 3]), 0.3, 0.2)
    assert ties.count == 7 and ties.find(np.array([3]), np.array([0]))[0] == 6
    assert (ties.org_a[6], ties.org_b[6], ties.crossing()[6]) == (0, 3, True)


def test_lapsed_community_ties_are_pruned_but_formal_ties_stay():
    ties = _ring_ties(6)
    ties.add(np.array([0, 1]), np.array([3, 4]), 0.2, 0.2)
    ties.trust[6] = 0.6
    assert ties.prune(0.02) == 1
    assert ties.count == 7 and ties.find(np.array([3]), np.array([0]))[0] == 6
    assert ties.find(np.array([1]), np.array([4]))[0] == -1


def test_trusted_partner_prefers_high_trust_ties_and_only_eligible_ones():
    ties = Ties(np.zeros(4), np.array([0, 0]), np.array([1, 2]), np.array([0.9, 0.1]))
    u = np.random.default_rng(0).random(4000)
    chosen = ties.trusted_partner(np.zeros(4000, np.int64), u, np.ones(4, bool))
    assert (chosen == 1).mean() == pytest.approx(0.9, abs=0.03)
    only_2 = ties.trusted_partner(np.zeros(10, np.int64), u[:10], np.array([True, False, True, True]))
    assert (only_2 == 2).all()
    assert ties.trusted_partner(np.array([3]), u[:1], np.ones(4, bool))[0] == -1


def _grown_ties(seed: int, prune: bool) -> Ties:
    """Random formal ties, community ties added after the partner snapshot, maybe a prune."""
    rng = np.random.default_rng(seed)
    n = 30
    a, b = rng.integers(0, n, 60), rng.integers(0, n, 60)
    keep = a != b
    ties = Ties(np.arange(n) // 3, a[keep], b[keep], rng.random(keep.sum()))
    for _ in range(3):
        i, j = rng.integers(0, n, 15), rng.integers(0, n, 15)
        ok = i != j
        ties.add(i[ok], j[ok], rng.random(ok.sum()), 0.1)
        if _ == 0:
            ties.rebuild_partner_index()  # later additions are newer than the snapshot
    if prune:
        ties.trust[ties.n_formal : ties.count : 3] = 0.1  # every third community tie lapses
        assert ties.prune(0.02) > 0
    return ties


@pytest.mark.parametrize("prune", [False, True])
def test_mean_trust_to_eligible_partners_matches_a_direct_count(prune):
    ties = _grown_ties(5, prune)
    eligible = np.random.default_rng(6).random(ties.n) < 0.5
    who = np.array([0, 3, 4, 7, 11, 12, 20, 29])
    got = ties.mean_trust_to(who, eligible, default=0.25)
    a, b, t = ties.view("a"), ties.view("b"), ties.view("trust")
    for x, value in zip(who, got, strict=True):
        partners = np.concatenate([t[(a == x) & eligible[b]], t[(b == x) & eligible[a]]])
        assert value == pytest.approx(partners.mean() if partners.size else 0.25)


@pytest.mark.parametrize("prune", [False, True])
def test_a_leavers_ties_fall_back_to_their_floor_and_no_others(prune):
    ties = _grown_ties(9, prune)
    before = ties.view("trust").copy()
    leaving = np.array([2, 17, 25])
    ties.reset_trust(leaving)
    a, b = ties.view("a"), ties.view("b")
    touched = np.isin(a, leaving) | np.isin(b, leaving)
    assert touched.any()
    assert (ties.view("trust")[touched] == ties.view("floor")[touched]).all()
    assert (ties.view("trust")[~touched] == before[~touched]).all()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_incidence_lists_each_practitioners_ties_in_stable_sorted_order(seed):
    rng = np.random.default_rng(seed)
    n = 12
    a, b = rng.integers(0, n, 40), rng.integers(0, n, 40)
    indptr, edge, neighbour, b_start = incidence(a, b, n)
    order = np.argsort(np.concatenate([a, b]), kind="stable")  # a ends first, then b ends
    assert edge.tolist() == (order % a.size).tolist()
    a_end = np.zeros(edge.size, bool)
    for x in range(n):
        a_end[indptr[x] : b_start[x]] = True
    assert a_end.tolist() == (order < a.size).tolist()
    assert neighbour.tolist() == np.concatenate([b, a])[order].tolist()
    assert np.diff(indptr).tolist() == np.bincount(np.concatenate([a, b]), minlength=n).tolist()


def test_ties_keep_the_organizations_of_their_ends_through_growth_and_prunes():
    ties = _grown_ties(4, prune=True)
    org = np.arange(ties.n) // 3
    assert (ties.view("org_a") == org[ties.view("a")]).all()
    assert (ties.view("org_b") == org[ties.view("b")]).all()
    assert (ties.crossing() == (org[ties.view("a")] != org[ties.view("b")])).all()


def test_the_census_counts_levels_and_cross_ties_and_sums_as_numpy_does():
    ties = _grown_ties(8, prune=True)
    rng = np.random.default_rng(9)
    membership = rng.integers(0, 4, ties.n).astype(np.int8)
    knowledge = rng.random(ties.n)
    live = (ties.view(column) for column in ("org_a", "org_b", "a", "b", "trust"))
    levels, total, squares, member_total, cross, best_total = census(membership, knowledge, *live, 0.05)
    assert levels.tolist() == np.bincount(membership, minlength=4).tolist()
    assert total == knowledge.sum() and squares == ((knowledge - knowledge.mean()) ** 2).sum()
    assert member_total == knowledge[membership > 0].sum()
    crossing = ties.crossing()
    assert cross == crossing.sum() > 0
    # each practitioner's strongest tie into another organization (0.05 if weaker or none)
    a, b, t = ties.view("a")[crossing], ties.view("b")[crossing], ties.view("trust")[crossing]
    best = [max([0.05, *t[(a == x) | (b == x)]]) for x in range(ties.n)]
    assert best_total == np.sum(best)


def _meet(
    rng, ties, members, rate=2.0, introductions=0.0, referrals=0.0, n_alumni=0, formal_rate=0.5, revisit=0.0
):
    n = ties.n
    is_member = np.isin(np.arange(n), members)
    return interaction.meetings(
        generator_handle(rng),
        ties,
        np.asarray(members, np.int64),
        level_rate=np.full(4, rate),
        membership=is_member.astype(np.int8),
        is_member=is_member,
        org=ties.org,
        knowledge=np.linspace(0.0, 1.0, n),
        revisit=revisit,
        introductions=introductions,
        referrals=referrals,
        n_alumni=n_alumni,
        formal_rate=formal_rate,
    )


def test_colleagues_meet_real_neighbours_after_the_community_pairs():
    ties = _ring_ties(10)
    ties.add(np.array([0]), np.array([5]), 0.4, 0.2)
    rng = np.random.default_rng(2)
    weeks = [_meet(rng, ties, [0, 5, 7], introductions=1.0) for _ in range(40)]
    assert sum(n_community for _, _, _, n_community, _, _ in weeks) > 40  # the community met
    for i, j, edge, n_community, _, _ in weeks:
        ci, cj = i[:n_community], j[:n_community]
        assert np.isin(ci, [0, 5, 7]).all() and np.isin(cj, [0, 5, 7]).all() and (ci != cj).all()
        assert (edge[:n_community] == ties.find(ci, cj)).all()  # tie ids, -1 for strangers
        who, nb = i[n_community:], j[n_community:]
        assert (((nb - who) % 10 == 1) | ((who - nb) % 10 == 1)).all()
        assert (ties.view("a")[edge[n_community:]] == np.minimum(who, nb)).all()  # edge ids point at that tie
        assert (ties.view("b")[edge[n_community:]] == np.maximum(who, nb)).all()
    seekers = np.array([i.size - n_community for i, _, _, n_community, _, _ in weeks])
    assert seekers.mean() == pytest.approx(5, abs=0.8)  # half of the 10 practitioners a week


def test_revisits_go_back_to_a_tie_and_carry_its_id():
    ties = _ring_ties(10)
    ties.add(np.array([0, 0]), np.array([5, 7]), 0.4, 0.2)
    ties.rebuild_partner_index()  # revisits draw from the snapshot
    rng = np.random.default_rng(5)
    weeks = [_meet(rng, ties, [0, 5, 7], formal_rate=0.0, revisit=1.0) for _ in range(30)]
    assert sum(i.size for i, *_ in weeks) > 100
    for i, j, edge, n_community, _, _ in weeks:
        assert n_community == i.size
        assert (edge >= 0).all() and (edge == ties.find(i, j)).all()  # every pair is a tie, and its id


def test_questions_go_to_the_most_knowledgeable_quarter_or_to_alumni():
    ties = _ring_ties(40)
    members = np.arange(0, 40, 2)  # knowledge rises with the id: experts are 30, 32, ..., 38
    i, j, _, n_community, askers, alumni = _meet(
        np.random.default_rng(4), ties, members, rate=0.0, referrals=200.0, n_alumni=3, formal_rate=0.0
    )
    assert n_community == i.size > 50 and askers.size > 10
    assert set(j.tolist()) == {30, 32, 34, 36, 38} and (i != j).all() and np.isin(i, members).all()
    assert set(alumni.tolist()) == {0, 1, 2} and np.isin(askers, members).all()


def test_brokered_introductions_cross_organizations():
    org = np.repeat(np.arange(5), 4)
    i, j = interaction._introductions(np.random.default_rng(3), np.arange(20), org, 200.0)
    assert i.size > 100 and (org[i] != org[j]).all()


@pytest.mark.parametrize("size", [1, 2, 4, 5, 7, 8, 9, 100, 101, 1000])
def test_upper_quartile_is_numpys_linear_quantile_bit_for_bit(size):
    values = np.random.default_rng(size).random(size)
    assert interaction.upper_quartile(values) == np.quantile(values, 0.75)


def test_online_channels_cost_less_on_a_good_platform():
    class Channels:
        online_library, qa_referral, face_to_face, teleconference, conference, joint_project = (
            1,
            1,
            0,
            0,
            0,
            0,
        )

    assert interaction.time_cost_scale(Channels, 1.0) < interaction.time_cost_scale(Channels, 0.0) == 1.0


# ---------------------------------------------------------------- adoption


def test_bass_closed_form_starts_at_zero_and_saturates():
    f = adoption.bass_closed_form(np.array([0.0, 5.0, 100.0]), 0.03, 0.38)
    assert f[0] == 0.0 and 0 < f[1] < 1 and f[2] == pytest.approx(1.0)


def test_the_ring_is_slower_than_complete_mixing():
    t = np.linspace(0.5, 10, 20)
    assert (adoption.ring_closed_form(t, 0.03, 0.38) < adoption.bass_closed_form(t, 0.03, 0.38)).all()


def test_units_without_know_how_do_not_adopt_and_the_gate_can_be_switched_off():
    gate = adoption.know_how_gate(np.array([0.1, 0.5, 0.9]), 0.5, 0.05)
    assert gate[0] < 0.001 and gate[1] == pytest.approx(0.5) and gate[2] > 0.999
    assert (adoption.know_how_gate(np.array([0.1]), 0.0, 0.05) == 1).all()


def test_exposure_counts_trust_to_adopted_adopting_units_only():
    # unit 0 is tied to unit 1 (adopted) with trust 0.6 and to unit 2 (not adopted) with 0.2;
    # unit 3 does not adopt at all and so never counts
    # the ties' ends are in units (0, 1), (0, 2), (0, 3) and (0, 0); tie 3 is inside unit 0
    e = adoption.tie_exposure(
        np.array([0, 0, 0, 0]),
        np.array([1, 2, 3, 0]),
        np.array([0.6, 0.2, 0.9, 1.0]),
        np.array([False, True, False, True]),
        np.array([True, True, True, False]),
        4,
    )
    assert e[0] == pytest.approx(0.75)


def test_exposure_of_every_unit_matches_a_direct_count_over_both_ends_of_each_tie():
    rng = np.random.default_rng(5)
    n_units, n_ties = 12, 400
    unit_a, unit_b = rng.integers(0, n_units, n_ties), rng.integers(0, n_units, n_ties)
    trust = rng.random(n_ties)
    adopted, adopting = rng.random(n_units) < 0.3, rng.random(n_units) < 0.8
    adopted &= adopting
    e = adoption.tie_exposure(unit_a, unit_b, trust, adopted, adopting, n_units)
    for unit in range(n_units):
        if not adopting[unit] or adopted[unit]:
            assert e[unit] == 0.0
            continue
        partner = np.concatenate((unit_b[unit_a == unit], unit_a[unit_b == unit]))
        weight = np.concatenate((trust[unit_a == unit], trust[unit_b == unit]))
        counts = (partner != unit) & adopting[partner]
        expected = weight[counts & adopted[partner]].sum() / weight[counts].sum() if counts.any() else 0.0
        assert e[unit] == pytest.approx(expected, rel=1e-12)


def test_only_adopting_units_not_yet_adopted_adopt_and_keep_their_first_week():
    week = np.array([-1, 3, -1, -1])
    adopting = np.array([True, True, False, True])
    rng, twin = np.random.default_rng(8), np.random.default_rng(8)
    count = adoption.adopt(generator_handle(rng), np.array([1.0, 1.0, 1.0, 0.0]), adopting, week, 7)
    assert count == 1 and week.tolist() == [7, 3, -1, -1]
    twin.random(4)
    assert rng.random() == twin.random()  # one uniform per unit, drawn whoever adopts


def test_adoption_probability_rises_with_exposure_and_know_how():
    class Cfg:
        q, know_how_threshold, know_how_width = 0.38, 0.5, 0.05

    knowledge, unit_start = np.array([0.9, 0.2, 0.9, 0.9, 0.5]), np.array([0, 2, 3, 5])
    tie = np.array([0.0, 0.0, 0.5])  # units: [0.9, 0.2], [0.9], [0.9, 0.5]
    p = adoption.weekly_adoption_probability(knowledge, unit_start, 0.0, tie, 0.0, 0.03, Cfg)
    gate = adoption.know_how_gate(np.array([0.9]), 0.5, 0.05)[0]
    assert p[0] == p[1] == pytest.approx(1 - np.exp(-0.03 * gate / 52)) and p[2] > p[1]
    mixed = adoption.weekly_adoption_probability(knowledge, unit_start, 0.5, tie, 1.0, 0.03, Cfg)
    assert mixed[0] == mixed[2] == pytest.approx(1 - np.exp(-(0.03 + 0.38 * 0.5) * gate / 52))


@pytest.mark.parametrize("seed", range(6))
def test_order_statistics_match_sorting_with_ties_and_skew(seed):
    """Bins hold all, one or none of the values near the rank; repeated values and a heavy
    tail keep several in one bin (the knowledge of members at a common ceiling)."""
    rng = np.random.default_rng(seed)
    values = np.concatenate([rng.beta(0.3, 5, 3000), np.full(500, 0.8), rng.random(7) * 1e-9])
    rng.shuffle(values)
    ordered = np.sort(values)
    for rank in (0, 1, 500, 2249, 2250, 3000, 3400, values.size - 2):
        assert interaction.order_statistics(values, rank) == (ordered[rank], ordered[rank + 1])


@pytest.mark.parametrize(
    "level_rate",
    [[0.0, 1e-3, 0.3, 2.0], [0.0, 9.999, 10.0, 25.0], [0.0, 0.5, 12.0, 0.0], [0.0, 0.0, 0.0, 0.0]],
)
def test_poisson_counts_are_numpys_draws_and_leave_the_stream_where_numpy_would(level_rate):
    level_rate = np.array(level_rate)
    level = np.random.default_rng(3).integers(0, 4, 500).astype(np.int8)  # rates of 10+ interleaved
    ours, numpys = np.random.default_rng(11), np.random.default_rng(11)
    counts = interaction.poisson_counts(generator_handle(ours), level, level_rate)
    assert counts.tolist() == [numpys.poisson(level_rate[x]) for x in level]
    assert ours.random() == numpys.random()  # the stream advanced by as much


def test_the_key_filter_rules_out_most_absent_pairs_and_never_a_tie():
    rng = np.random.default_rng(6)
    n = 3000
    ties = Ties(np.arange(n) // 10, rng.integers(0, n, 4000), rng.integers(0, n, 4000), np.full(4000, 0.5))
    for week in range(40):  # grow past the filter's room (it is rebuilt) and drop ties on the way
        ties.add(rng.integers(0, n, 500), rng.integers(0, n, 500), 0.3, 0.1)
        if week % 10 == 9:
            ties.view("trust")[ties.n_formal :: 2] = 0.1  # every other community tie has lapsed
            ties.prune(0.01)
    a, b = ties.view("a"), ties.view("b")
    assert ties.count > 8000 and ties.key_index[0].size > 16384  # the filter was rebuilt, larger
    assert (ties.find(b, a) == np.arange(ties.count)).all()
    i, j = rng.integers(0, n, 20_000), rng.integers(0, n, 20_000)
    live = set((a.astype(np.int64) * n + b).tolist())
    absent = np.array([min(x, y) * n + max(x, y) not in live for x, y in zip(i, j, strict=True)])
    assert (ties.find(i, j)[absent] == -1).all() and (ties.find(i, j)[~absent] >= 0).all()
    key_filter = ties.key_index[0]
    keys = np.minimum(i, j).astype(np.int64)[absent] * n + np.maximum(i, j)[absent]
    slots = [_filter_slot(key, key_filter.size) for key in keys]
    passed = np.mean([(key_filter[byte] & bits) == bits for byte, bits in slots])
    assert passed < 0.05  # few absent pairs get past the filter to a search


def test_members_among_the_leavers_stay_on_as_alumni_by_their_uniform():
    membership = np.array([0, 1, 3, 2, 0], np.int8)
    u_leaving = np.array([0.1, 0.1, 0.9, 0.2])
    knowledge = np.array([0.1, 0.2, 0.3, 0.4, 0.5])
    leaving = np.array([0, 1, 2, 3])
    # 0 is no member; 2 drew above the share; 1 and 3 stay on, in the order they left
    assert demography.new_alumni(leaving, membership, u_leaving, 0.5, knowledge).tolist() == [0.2, 0.4]


def test_time_to_talent_counts_hires_hired_early_enough_and_never_competent_as_inf():
    hired = np.array([0, 10, 20, 30, 400])  # 0: initial workforce; 400: too late to count
    competent = np.array([-1, 25, -1, 31, 410])
    weeks = demography.time_to_talent(np.array([4, 3, 2, 1, 0]), hired, competent, 416 - 104)
    assert weeks.tolist() == [1.0, np.inf, 15.0]


def test_members_of_gives_the_member_mask_and_the_members_ids_in_order():
    membership = np.random.default_rng(8).integers(0, 4, 1000).astype(np.int8)
    is_member, ids = participation.members_of(membership)
    assert (is_member == (membership > 0)).all()
    assert (ids == np.flatnonzero(membership > 0)).all()
    assert participation.members_of(np.zeros(5, np.int8))[1].size == 0
