"""One pure, vectorized function per submodel, operating on arrays over all practitioners.

Each module states its rule, units and source in its docstrings; none holds state, draws from
global random state, or knows about Mesa, Hydra, files or plots.
"""
