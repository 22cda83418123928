"""Compiled loops for the weekly step's hot spots (Numba), with the project's settings.

At a few hundred practitioners a week of the model is a few hundred numpy calls on small arrays,
and each call's fixed cost (1-3 µs) outweighs its work; at 100,000 practitioners chains of numpy
calls each write a temporary the next one reads. The loops marked ``@kernel`` do such a chain in
one pass. Each is written to give, bit for bit, the numbers of the numpy code it replaced:
the same operations on the same operands in the same order (sums accumulate sequentially, as
``np.bincount`` and ``np.cumsum`` do), and ``fastmath`` stays off. Transcendental functions
(``exp``, ``tanh``) stay in numpy, whose SIMD versions may differ from libm in the last bit.

Compiled code is cached on disk beside the module (``cache=True``), so only the first run after
installing copsim compiles (about 20 s; ``make setup`` does it ahead with
``python -m copsim.warm_up``); later processes, including sweep workers, load it (about 0.5 s).
Numba notices edits to a kernel's source file, but not to the options below: after changing
them, delete the cached ``*.nbi``/``*.nbc`` files under ``src/copsim`` (``__pycache__``).

``tests/test_compiled.py`` runs the model with ``NUMBA_DISABLE_JIT=1`` (the same loops as plain
Python) and requires the very same numbers; with ``fastmath=True`` it fails.
"""

from __future__ import annotations

import numba

#: decorator for compiled loops: no Python objects, GIL released, cached on disk
kernel = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")
