"""Each mechanism's rule, stated in words and checked on small arrays."""

from __future__ import annotations

import numpy as np
import pytest

from copsim.model.config import (
    AdoptionConfig,
    ChannelsConfig,
    CoordinatorConfig,
    DemographyConfig,
    ExchangeConfig,
    ParticipationConfig,
    PracticeConfig,
    SponsorConfig,
    SupportTeamConfig,
)
from copsim.model.mechanisms import (
    adoption,
    coordination,
    demography,
    exchange,
    interaction,
    lifecycle,
    participation,
    practice,
    sponsorship,
    support,
    trust,
)
from copsim.model.streams import Streams
from copsim.model.ties import Ties

# ---------------------------------------------------------------- demography


def test_no_wave_means_only_the_base_hazard():
    d = DemographyConfig(retirement_per_year=0.05, wave=False)
    assert demography.retirement_probability(100, d) == pytest.approx(1 - np.exp(-0.05 / 52))


def test_a_wave_retires_its_share_of_the_workforce_over_its_years():
    d = DemographyConfig(retirement_per_year=0.0, wave=True, wave_share=0.5, wave_start_week=52, wave_years=7)
    weeks = np.arange(52, 52 + 7 * 52)
    survive = np.prod([1 - demography.retirement_probability(w, d) for w in weeks])
    assert survive == pytest.approx(0.5, rel=1e-9)
    assert demography.retirement_probability(51, d) == 0.0


def test_members_among_the_leavers_stay_on_as_alumni_by_their_uniform():
    was_member = np.array([False, True, True, True])
    u = np.array([0.1, 0.1, 0.9, 0.2])
    # 0 is no member; 2 drew above the share; 1 and 3 stay on
    assert demography.staying_on_as_alumni(u, was_member, 0.5).tolist() == [False, True, False, True]
    assert demography.alumni_remaining(np.array([0.5, 0.7]), 52.0).tolist() == [False, True]  # 1 - 1/e a week


def test_time_to_talent_counts_weeks_to_competence_and_never_competent_as_inf():
    hired, competent = np.array([10, 20, 30]), np.array([25, -1, 31])
    assert demography.time_to_talent(hired, competent).tolist() == [15.0, np.inf, 1.0]
    k = np.array([0.7, 0.7, 0.7, 0.2])
    newly = demography.newly_competent(k, np.array([0, 5, 5, 5]), np.array([-1, -1, 9, -1]), 0.6)
    assert newly.tolist() == [False, True, False, False]  # initial staff and the competent do not count


def test_hires_start_with_low_knowledge():
    k = Streams([0]).hiring.beta_by_moments(0.1, 0.05, np.array([5000]))
    assert k.min() >= 0 and k.max() <= 1
    assert k.mean() == pytest.approx(0.1, abs=0.005)


# ---------------------------------------------------------------- sponsors and support


def test_a_sponsor_leaves_on_schedule_and_a_board_keeps_part_of_the_level():
    s = SponsorConfig(level=0.8, departure_week=5, board=False, replacement_per_year=0.0)
    state = sponsorship.SponsorState.initial(s, 2)
    never = np.ones((2, 2))
    state = sponsorship.sponsor_week(state, never, 4, s)
    assert state.level.tolist() == [0.8, 0.8] and state.tenure_weeks.tolist() == [1, 1]
    gone = sponsorship.sponsor_week(state, never, 5, s)
    assert gone.level.tolist() == [0.0, 0.0] and not gone.present.any() and gone.departures.tolist() == [1, 1]
    board = SponsorConfig(level=0.8, departure_week=5, board=True, board_retention=0.5)
    kept = sponsorship.sponsor_week(sponsorship.SponsorState.initial(board, 1), np.ones((2, 1)), 5, board)
    assert kept.level.tolist() == [0.4] and kept.present.all()


def test_a_lost_sponsor_is_replaced_by_its_uniform():
    s = SponsorConfig(level=0.6, replacement_per_year=52.0)
    lost = sponsorship.SponsorState(np.zeros(2), np.zeros(2, bool), np.array([3, 3]), np.ones(2, np.int64))
    u = np.array([[0.9, 0.9], [0.1, 0.99]])  # replacement hazard 1 - e^-1 = 0.63 a week
    after = sponsorship.sponsor_week(lost, u, 10, s)
    assert after.present.tolist() == [True, False] and after.level.tolist() == [0.6, 0.0]
    assert after.tenure_weeks.tolist() == [0, 4]


def test_sponsorship_lends_legitimacy_and_protected_time_and_a_mandate_needs_a_sponsor():
    s = SponsorConfig(legitimacy=0.5, protected_time_max=0.7, mandate=True)
    level = np.array([0.0, 1.0])
    assert sponsorship.legitimacy(level, s, community=True).tolist() == [0.0, 0.5]
    assert sponsorship.legitimacy(level, s, community=False).tolist() == [0.0, 0.0]
    assert sponsorship.protected_time(level, s).tolist() == [0.0, 0.7]
    assert sponsorship.mandated(level, s, community=True).tolist() == [False, True]
    assert not sponsorship.mandated(level, s, community=False).any()


def test_coaching_closes_a_share_of_the_gap_to_full_competence():
    t = SupportTeamConfig(staff=2.0, communities_served=4, coaching_rate=0.1)
    assert support.coaching_gain(t) == pytest.approx(0.05)
    assert support.coached(np.array([0.6]), 0.05).tolist() == pytest.approx([0.62])


# ---------------------------------------------------------------- coordination and lifecycle


def test_coordinator_time_has_diminishing_returns_and_zero_hours_do_nothing():
    c = CoordinatorConfig()
    hours = np.array([0.0, 10.0, 20.0, 30.0, 40.0])
    got = coordination.allocate(hours, np.full(5, 0.6), np.full(5, 0.6), c)
    assert got.activity[0] == 0.0 and got.introductions[0] == 0.0 and got.recruits[0] == 0.0
    steps = np.diff(got.activity)
    assert (steps > 0).all() and (np.diff(steps) < 0).all()
    assert coordination.team_hours(CoordinatorConfig(fte=0.5, team_size=3), True, 2).tolist() == [60.0, 60.0]
    assert coordination.team_hours(c, False, 1).tolist() == [0.0]


def test_an_uncoordinated_community_decays():
    v = np.array([0.6])
    for _ in range(200):
        v = coordination.next_vitality(v, np.zeros(1), 0.08, 0.02)
    assert v[0] < 0.02
    assert coordination.next_vitality(np.array([0.3]), np.array([0.5]), 0.08, 0.02)[0] > 0.3


def test_the_lifecycle_stage_follows_vitality_and_a_fading_community_is_transforming():
    stages = lifecycle.stage(
        np.array([0.2, 0.4, 0.7, 0.9, 0.3]), np.array([9, 9, 9, 9, 4]), np.full(5, 10), True
    )
    assert [lifecycle.STAGES[s] for s in stages] == [
        "potential",
        "coalescing",
        "maturing",
        "stewardship",
        "transformation",
    ]
    assert lifecycle.stage(np.array([0.9]), np.array([9]), np.array([9]), False).tolist() == [0]


# ---------------------------------------------------------------- participation


def _utility(**changes):
    base = dict(
        gap=np.array([0.1]),
        belonging=np.array([0.3]),
        interest=np.array([0.0]),
        boundary=np.array([1.0]),
        silo=np.array([0.5]),
        legitimacy=np.array([0.3]),
        vitality=np.array([0.5]),
        protected_time=np.array([0.0]),
        time_cost_scale=1.0,
        p=ParticipationConfig(),
    )
    return participation.utility(**{**base, **changes})


def test_utility_rises_with_learning_value_trust_interest_legitimacy_and_protected_time():
    u0 = _utility()
    for key, value in [
        ("gap", np.array([0.4])),
        ("belonging", np.array([0.8])),
        ("interest", np.array([1.0])),
        ("legitimacy", np.array([0.9])),
        ("protected_time", np.array([0.8])),
    ]:
        assert _utility(**{key: value}) > u0, key
    assert _utility(silo=np.array([0.9])) < u0


def test_legitimacy_matters_more_across_boundaries():
    kw = dict(boundary=np.array([0.0, 1.0]), silo=np.full(2, 0.5))
    gain = _utility(legitimacy=np.ones(2), **kw) - _utility(legitimacy=np.zeros(2), **kw)
    assert gain[1] > gain[0] > 0


def test_ordered_logit_levels_are_nested_and_monotone_in_utility():
    p = ParticipationConfig(active_cut=1.5, core_cut=3.0)
    u = np.random.default_rng(1).random(20000)
    low = participation.chosen_level(u, np.full(u.size, -1.0), p)
    high = participation.chosen_level(u, np.full(u.size, 2.0), p)
    assert (high >= low).all()  # same uniforms: higher utility never gives a lower level
    assert high.mean() > low.mean()
    assert set(np.unique(high)) <= {0, 1, 2, 3}
    assert (low > 0).mean() == pytest.approx(1 / (1 + np.exp(1.0)), abs=0.01)


def test_a_mandate_raises_membership_but_lowers_motivation():
    membership = np.zeros(6, np.int8)
    chosen = np.array([0, 0, 1, 2, 3, 0], np.int8)
    aware, everyone = np.ones(6, bool), np.arange(6)
    voluntary = participation.revised_membership(membership, everyone, chosen, aware, np.zeros(6, bool))
    mandated = participation.revised_membership(membership, everyone, chosen, aware, np.ones(6, bool))
    assert voluntary.tolist() == [0, 0, 1, 2, 3, 0] and mandated.tolist() == [1, 1, 1, 2, 3, 1]
    shift = participation.motivation_shift(np.array([True, False]), np.array([1.0, 0.5]), 0.35, 0.3)
    assert shift.tolist() == pytest.approx([-0.35, 0.15])


def test_unaware_practitioners_cannot_join():
    # 0 and 2 reconsider and choose core; 1 was a member but no longer knows of the community
    new = participation.revised_membership(
        np.array([0, 2, 0], np.int8),
        np.array([0, 2]),
        np.full(2, 3, np.int8),
        np.array([True, False, True]),
        np.zeros(3, bool),
    )
    assert new.tolist() == [3, 0, 3]


def test_awareness_comes_from_member_colleagues_recruitment_or_a_mandate():
    p = participation.hearing_probability(np.array([0.0, 0.5, 1.0, 0.0]), 0.1, np.array([0.0, 0.0, 0.0, 0.2]))
    assert p.tolist() == pytest.approx([0.0, 0.05, 0.1, 0.2])
    aware = np.array([True, False, False, False])
    heard = participation.aware_after_hearing(aware, np.array([0.9, 0.04, 0.5, 0.5]), p, np.zeros(4, bool))
    assert heard.tolist() == [True, True, False, False]
    assert participation.aware_after_hearing(aware, np.ones(4), p, np.ones(4, bool)).all()


# ---------------------------------------------------------------- exchange and trust


def test_partners_share_more_when_motivated_and_trusted():
    ex = ExchangeConfig()
    low = exchange.share_probability(np.array([0.0]), np.array([0.2]), ex)
    assert exchange.share_probability(np.array([1.0]), np.array([0.2]), ex) > low
    assert exchange.share_probability(np.array([0.0]), np.array([0.9]), ex) > low


def test_each_side_of_a_meeting_shares_by_its_own_uniform_and_motivation():
    ex = ExchangeConfig(share_intercept=0.0, share_motivation=1.0, share_trust=0.0)
    motivation = np.array([-50.0, 50.0])  # 0 never shares, 1 always does
    shares = exchange.sharing(
        np.full((2, 1), 0.5), np.array([0]), np.array([1]), np.array([0.5]), motivation, ex
    )
    assert shares.tolist() == [[True], [False]]  # row 0: 1 tells 0; row 1: 0 tells 1


def test_receiver_gains_alpha_times_the_gap_only_from_someone_who_knows_more():
    k = np.array([0.2, 0.6])
    both = np.array([[True], [True]])
    gains = exchange.gains(k, np.array([0]), np.array([1]), both, np.zeros(0, int), np.zeros(0), 0.25)
    assert gains.tolist() == pytest.approx([0.1, 0.0])


def test_gains_add_up_per_receiver_and_alumni_answers_count():
    k = np.array([0.2, 0.6, 0.8])
    told = np.array([[True, True], [False, False]])  # 1 and 2 tell 0
    gains = exchange.gains(k, np.array([0, 0]), np.array([1, 2]), told, np.array([1]), np.array([1.0]), 0.25)
    assert gains.tolist() == pytest.approx([0.25, 0.1, 0.0])


def test_learning_stops_at_the_ceiling_and_adds_the_job_and_the_library():
    ex = ExchangeConfig(on_the_job_rate=0.0, base_ceiling=0.6)
    none = np.zeros(3, np.int8)
    capped = exchange.learned(
        np.array([0.2, 0.2, 0.8]), np.array([0.6, 0.1, 0.1]), np.full(3, 0.7), none, np.zeros(3), ex
    )
    assert capped.tolist() == pytest.approx([0.7, 0.3, 0.8])  # 0.8 is kept though above the ceiling
    job = ExchangeConfig(on_the_job_rate=0.1, base_ceiling=0.6)
    assert exchange.learned(np.array([0.2]), np.zeros(1), np.ones(1), np.zeros(1, np.int8), np.zeros(1), job)[
        0
    ] == (pytest.approx(0.24))
    # the library: a core member (level 3) takes the full rate of the gap to the ceiling,
    # a peripheral one a third of it; non-members nothing
    lib = exchange.learned(
        np.full(3, 0.2), np.zeros(3), np.full(3, 0.8), np.array([3, 1, 0]), np.full(3, 0.3), ex
    )
    assert lib.tolist() == pytest.approx([0.38, 0.26, 0.2])


def test_contributions_credit_the_giver_in_community_meetings_only():
    shares = np.array([[True, True], [True, False]])
    got = exchange.contributions(np.array([0, 2]), np.array([1, 3]), shares, np.array([True, False]), 4)
    assert got.tolist() == [1, 1, 0, 0]


def test_reciprocated_exchange_builds_more_trust_than_one_sided():
    # tie 0: reciprocated; 1: one-sided; 2: met twice, once one-sided and once reciprocated
    # (moves once, by the larger step); 3: met but nobody shared (kept); 4: idle (decays)
    shares = np.array([[True, False, True, True, False], [True, True, False, True, False]])
    step = trust.step_of_meetings(shares, 0.2)
    new = trust.trust_after_week(np.full(5, 0.5), np.full(5, 0.2), np.array([0, 1, 2, 2, 3]), step, 0.5)
    assert new.tolist() == pytest.approx([0.6, 0.55, 0.6, 0.5, 0.35])


def test_idle_trust_decays_toward_its_floor_and_never_below():
    t, floor = np.array([0.8, 0.1]), np.full(2, 0.2)
    for _ in range(60):
        t = trust.trust_after_week(t, floor, np.zeros(0, int), np.zeros(0), 0.5)
    assert t.tolist() == pytest.approx([0.2, 0.2])


def test_strangers_who_exchanged_start_a_tie_above_stranger_trust():
    step = trust.step_of_meetings(np.array([[True, False], [True, True]]), gain=0.5)
    assert trust.first_impression(step, stranger=0.2).tolist() == pytest.approx([0.6, 0.4])


# ---------------------------------------------------------------- practice


def test_a_diverse_core_builds_more_than_a_core_from_one_organization():
    # replicate 0's core: two people of org 0; replicate 1's: one each of orgs 2 and 3
    is_core = np.array([True, True, False, True, True])
    org, rep = np.array([0, 0, 1, 2, 3]), np.array([0, 0, 0, 1, 1])
    size, mean_k, diversity = practice.core_profile(
        is_core, np.full(5, 0.5), org, rep, np.array([0, 0, 1, 1])
    )
    assert size.tolist() == [2, 2] and mean_k.tolist() == [0.5, 0.5] and diversity.tolist() == [0.0, 0.5]
    items = practice.expected_items(size, mean_k, diversity, np.zeros(2), 0.0, np.ones(2), 0.1)
    assert items[1] > items[0] == 0.0
    empty = practice.core_profile(np.zeros(5, bool), np.ones(5), org, rep, np.array([0, 0, 1, 1]))
    assert [x.tolist() for x in empty] == [[0, 0], [0, 0], [0, 0]]


def test_the_repertoire_lifts_the_knowledge_ceiling_toward_one():
    ceiling = practice.knowledge_ceiling(
        np.array([0.0, 20.0, 1e9]), 0.7, PracticeConfig(half_repertoire=20.0)
    )
    assert ceiling.tolist() == pytest.approx([0.7, 0.85, 1.0])


# ---------------------------------------------------------------- interaction


def _members(is_member, rep=None):
    rep = np.zeros(is_member.size, np.int64) if rep is None else rep
    return interaction.Members.of(is_member, rep, int(rep.max()) + 1)


def test_members_are_picked_within_their_own_replicate():
    rep = np.repeat([0, 1], 5)
    members = _members(np.arange(10) % 2 == 0, rep)  # 0, 2, 4 | 6, 8
    assert members.count.tolist() == [3, 2]
    u = np.linspace(0, 0.999, 50)
    assert set(members.pick(np.zeros(50, int), u).tolist()) == {0, 2, 4}
    assert set(members.pick(np.ones(50, int), u).tolist()) == {6, 8}


def _ring_ties(n: int) -> Ties:
    a = np.arange(n)
    return Ties(np.arange(n), a, (a + 1) % n, np.full(n, 0.5))  # one practitioner per organization


def test_contacts_meet_members_and_revisits_go_back_to_a_trusted_member():
    ties = _ring_ties(10)
    ties.add(np.array([0, 0]), np.array([5, 7]), np.array([0.9, 0.9]), 0.2)
    is_member = np.isin(np.arange(10), [0, 5, 7])
    stream = Streams([5]).contacts
    rate = np.full((1, 4), 3.0)
    for revisit in (0.0, 1.0):
        i, j = interaction.contacts(
            stream,
            _members(is_member),
            is_member.astype(np.int8),
            rate,
            revisit,
            ties.rows(),
            ties.trust,
            is_member,
        )
        assert i.size > 3 and is_member[i].all() and is_member[j].all() and (i != j).all()
        if revisit == 1.0:
            assert (ties.find(i, j) >= 0).all()  # every contact went back to a tie


def test_introductions_cross_organizations():
    org = np.repeat(np.arange(5), 4)
    members = _members(np.ones(20, bool))
    i, j = interaction.introductions(Streams([3]).contacts, members, np.array([200.0]), org)
    assert i.size > 100 and (org[i] != org[j]).all()


def test_questions_go_to_the_most_knowledgeable_quarter_or_to_alumni():
    members = _members(np.arange(40) % 2 == 0)  # knowledge rises with the id: experts are 30..38
    asker, expert = interaction.questions(
        Streams([4]).contacts, members, np.array([300.0]), np.linspace(0, 1, 40), np.array([3])
    )
    to_member = expert >= 0
    assert set(expert[to_member].tolist()) == {30, 32, 34, 36, 38}
    assert set((-1 - expert[~to_member]).tolist()) == {0, 1, 2}
    assert np.isin(asker, members.ids).all() and (asker != expert).all()


def test_colleagues_meet_real_formal_neighbours():
    ties = _ring_ties(10)
    u = np.random.default_rng(2).random((2, 10))
    i, j = interaction.colleagues(u, ties.formal_indptr, ties.formal_neighbour, 0.5)
    assert i.tolist() == np.flatnonzero(u[0] < 0.5).tolist()
    assert (((j - i) % 10 == 1) | ((i - j) % 10 == 1)).all()


def test_meetings_are_listed_replicate_by_replicate_in_block_order():
    rep = np.array([0, 0, 1, 1])
    blocks = [(np.array([2, 0]), np.array([3, 1]), True), (np.array([1, 3]), np.array([0, 2]), False)]
    met = interaction.in_replicate_order(blocks, rep)
    assert met.i.tolist() == [0, 1, 2, 3] and met.community.tolist() == [True, False, True, False]
    assert met.rep.tolist() == [0, 0, 1, 1]


def test_online_channels_cost_less_on_a_good_platform():
    online = ChannelsConfig(online_library=1.0, qa_referral=1.0)
    assert interaction.time_cost_scale(online, 1.0) < interaction.time_cost_scale(online, 0.0) == 1.0
    assert interaction.channel_multiplier(online) == pytest.approx(0.6)


# ---------------------------------------------------------------- ties


def test_ties_are_found_by_either_endpoint_and_added_once():
    ties = _ring_ties(6)
    found = ties.find(np.array([1, 2, 5]), np.array([0, 1, 0]))
    assert ties.a[found].tolist() == [0, 1, 0] and ties.b[found].tolist() == [1, 2, 5]
    assert ties.find(np.array([0]), np.array([3]))[0] == -1
    ties.add(np.array([0, 3]), np.array([3, 0]), np.array([0.3, 0.9]), 0.2)
    at = ties.find(np.array([3]), np.array([0]))[0]
    assert ties.count == 7 and ties.trust[at] == 0.3 and ties.cross[at] and not ties.formal[at]
    assert (ties.find(ties.b, ties.a) == np.arange(7)).all()  # every tie is found where it is


def test_lapsed_community_ties_are_pruned_but_formal_ties_stay():
    ties = _ring_ties(6)
    ties.add(np.array([0, 1]), np.array([3, 4]), np.array([0.6, 0.2]), 0.2)
    ties.trust[:] = ties.floor  # formal ties at their floor too
    ties.trust[ties.find(np.array([0]), np.array([3]))] = 0.6
    assert ties.prune(0.02) == 1
    assert ties.count == 7 and ties.find(np.array([1]), np.array([4]))[0] == -1


def test_mean_trust_to_eligible_partners_matches_a_direct_count():
    rng = np.random.default_rng(5)
    n = 30
    a, b = rng.integers(0, n, 60), rng.integers(0, n, 60)
    ties = Ties(np.arange(n) // 3, a[a != b], b[a != b], rng.random((a != b).sum()))
    eligible = rng.random(n) < 0.5
    who = np.array([0, 3, 4, 7, 11, 12, 20, 29])
    got = ties.mean_trust_to(who, eligible, default=0.25)
    for x, value in zip(who, got, strict=True):
        partners = np.concatenate(
            [ties.trust[(ties.a == x) & eligible[ties.b]], ties.trust[(ties.b == x) & eligible[ties.a]]]
        )
        assert value == pytest.approx(partners.mean() if partners.size else 0.25)


def test_a_leavers_ties_fall_back_to_their_floor_and_no_others():
    ties = _ring_ties(10)
    ties.trust[:] = 0.9
    ties.reset_trust(np.array([2, 7]))
    touched = np.isin(ties.a, [2, 7]) | np.isin(ties.b, [2, 7])
    assert touched.sum() == 4
    assert (ties.trust[touched] == ties.floor[touched]).all() and (ties.trust[~touched] == 0.9).all()


# ---------------------------------------------------------------- adoption


def test_bass_closed_form_starts_at_zero_and_saturates():
    f = adoption.bass_closed_form(np.array([0.0, 5.0, 100.0]), 0.03, 0.38)
    assert f[0] == 0.0 and 0 < f[1] < 1 and f[2] == pytest.approx(1.0)


def test_the_ring_is_slower_than_complete_mixing():
    t = np.linspace(0.5, 10, 20)
    assert (adoption.ring_closed_form(t, 0.03, 0.38) < adoption.bass_closed_form(t, 0.03, 0.38)).all()


def test_units_without_know_how_do_not_adopt_and_the_gate_can_be_switched_off():
    gate = adoption.know_how_gate(
        np.array([0.1, 0.5, 0.9]), AdoptionConfig(know_how_threshold=0.5, know_how_width=0.05)
    )
    assert gate[0] < 0.001 and gate[1] == pytest.approx(0.5) and gate[2] > 0.999
    assert (adoption.know_how_gate(np.array([0.1]), AdoptionConfig(know_how_threshold=0.0)) == 1).all()


def test_a_units_know_how_is_its_best_practitioners_knowledge():
    best = adoption.best_knowledge(np.array([0.9, 0.2, 0.4, 0.1, 0.5]), np.array([0, 2, 3, 5]))
    assert best.tolist() == [0.9, 0.4, 0.5]


def test_exposure_counts_trust_to_adopted_adopting_units_only():
    # unit 0 is tied to unit 1 (adopted) with trust 0.6 and to unit 2 (not adopted) with 0.2;
    # unit 3 does not adopt at all and so never counts; the last tie is inside unit 0
    unit_a, unit_b = np.array([0, 0, 0, 0]), np.array([1, 2, 3, 0])
    e = adoption.tie_exposure(
        unit_a,
        unit_b,
        np.array([0.6, 0.2, 0.9, 1.0]),
        unit_a != unit_b,
        np.array([False, True, False, True]),
        np.array([True, True, True, False]),
    )
    assert e[0] == pytest.approx(0.75)


def test_exposure_of_every_unit_matches_a_direct_count_over_both_ends_of_each_tie():
    rng = np.random.default_rng(5)
    n_units, n_ties = 12, 400
    unit_a, unit_b = rng.integers(0, n_units, n_ties), rng.integers(0, n_units, n_ties)
    weight_of_tie = rng.random(n_ties)
    adopting = rng.random(n_units) < 0.8
    adopted = (rng.random(n_units) < 0.3) & adopting
    e = adoption.tie_exposure(unit_a, unit_b, weight_of_tie, unit_a != unit_b, adopted, adopting)
    for unit in range(n_units):
        partner = np.concatenate((unit_b[unit_a == unit], unit_a[unit_b == unit]))
        weight = np.concatenate((weight_of_tie[unit_a == unit], weight_of_tie[unit_b == unit]))
        counts = (partner != unit) & adopting[partner]
        expected = weight[counts & adopted[partner]].sum() / weight[counts].sum() if counts.any() else 0.0
        assert e[unit] == pytest.approx(expected, rel=1e-12)


def test_adoption_probability_rises_with_exposure_innovation_and_know_how():
    a = AdoptionConfig(q=0.38)
    p = adoption.weekly_probability(np.array([1.0, 1.0, 0.5]), np.array([0.0, 0.5, 0.5]), np.full(3, 0.03), a)
    assert p[0] == pytest.approx(1 - np.exp(-0.03 / 52)) and p[1] > p[0] and p[2] < p[1]
    assert adoption.innovation_rate(0.02, 1.0, np.array([0.0, 0.5])).tolist() == pytest.approx([0.02, 0.03])


def test_only_adopting_units_not_yet_adopted_adopt():
    now = adoption.adopting_now(
        np.array([0.1, 0.1, 0.1, 0.9]),
        np.full(4, 0.5),
        np.array([True, True, False, True]),
        np.array([False, True, False, False]),
    )
    assert now.tolist() == [True, False, False, False]
