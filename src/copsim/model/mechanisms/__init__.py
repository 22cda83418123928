"""The model's rules: one module per submodel, each a set of plain numpy functions over arrays.

Each function states its rule, units and source in its docstring; it takes this week's state
and random numbers as arrays (drawn by the model from the named streams,
:mod:`copsim.model.streams`) and returns new arrays. None holds state, draws random numbers
itself, or knows about Mesa, Hydra, files or plots. Quantities that belong to a replicate's
community (vitality, sponsorship, ...) come as one value per replicate and are read for a
practitioner through its replicate index (:mod:`copsim.model.replicates`).

To change a rule, edit its function here (and add a parameter to :mod:`copsim.model.config` if
it needs one): docs/ARCHITECTURE.md, "Change a rule".
"""
