"""docs/ARCHITECTURE.md, "Change a rule": one edited mechanism function changes the outcome.

The walkthrough adds ``w_belonging_silo * belonging * silo`` to the participation utility. Here
the edit is made the way a modeller's would act: ``participation.utility`` is replaced by a
version with the extra term, and nothing else is touched.
"""

from __future__ import annotations

import copsim
from conftest import small_config
from copsim.model.mechanisms import participation

ORIGINAL = participation.utility


def _members_at_the_end(config: copsim.CopConfig) -> float:
    return copsim.simulate_ensemble(config, 4).summary["final_members"].mean()


def test_a_term_added_to_the_participation_utility_moves_participation(monkeypatch):
    config = small_config("rumble_strips", "horizon_weeks=104")
    before = _members_at_the_end(config)

    def with_belonging_in_silos(*, belonging, silo, **rest):
        w_belonging_silo = 3.0  # the walkthrough's new parameter, set high
        return ORIGINAL(belonging=belonging, silo=silo, **rest) + w_belonging_silo * belonging * silo

    monkeypatch.setattr(participation, "utility", with_belonging_in_silos)
    after = _members_at_the_end(config)
    assert after > before + 5  # the new term makes taking part more attractive: more members


def test_the_walkthroughs_files_exist_where_the_document_says():
    import inspect

    source = inspect.getsource(ORIGINAL)
    assert "p.w_belonging * belonging" in source and "silo" in source
    assert "participation.utility(" in inspect.getsource(copsim.model.model.CopModel._participation)
