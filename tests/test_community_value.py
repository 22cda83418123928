"""A community costs members' time, so it can be worth less than it costs (issue #18, item 2).

Both configurations come from the same mechanisms (time in the community lowers on-the-job
learning and units' capacity to implement; coordinated exchange raises know-how and exposure),
and are documented in docs/VALIDATION.md ("What a community costs").
"""

from __future__ import annotations

import numpy as np

import copsim

#: Rumble Strips turned into a community of meetings, calls, a conference and a joint project
#: (no library, no Q&A), mandated for everyone at four times an active member's hours in them
#: (about a quarter of the working week), with no coordinator to make the meetings useful
DEMANDING = [
    "community.channels.online_library=0",
    "community.channels.qa_referral=0",
    "community.channels.face_to_face=1",
    "community.channels.conference=1",
    "community.channels.joint_project=1",
    "community.channels.teleconference=1",
    "sponsor.mandate=true",
    "participation.hours_peripheral=4",
    "coordinator.fte=0",
]


def _paired_gain(scenario: str, overrides: list[str], replicates: int = 8) -> np.ndarray:
    """Adopter-years with the community minus without it (same endorsement), per paired run."""
    with_it = copsim.simulate_ensemble(copsim.load_config(scenario, overrides), replicates)
    without = copsim.simulate_ensemble(
        copsim.load_config(scenario, [*overrides, "community.enabled=false"]), replicates
    )
    return with_it.summary["adopter_years"].to_numpy() - without.summary["adopter_years"].to_numpy()


def test_a_demanding_mandated_uncoordinated_community_slows_adoption():
    gain = _paired_gain("rumble_strips", DEMANDING)
    assert (gain < 0).sum() >= 6, gain  # worse than dissemination alone in at least 6 of 8 pairs
    assert gain.mean() < -5.0, gain


def test_the_rumble_strips_community_is_worth_its_time():
    gain = _paired_gain("rumble_strips", [])
    assert (gain > 0).sum() >= 7, gain
    assert gain.mean() > 10.0, gain
