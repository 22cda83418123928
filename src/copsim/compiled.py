"""Compiled loops for the weekly step's hot spots (Numba), with the project's settings.

At a few hundred practitioners a week of the model is a few hundred numpy calls on small arrays,
and each call's fixed cost (1-3 µs) outweighs its work; at 100,000 practitioners chains of numpy
calls each write a temporary the next one reads. The loops marked ``@kernel`` do such a chain in
one pass. Each is written to give, bit for bit, the numbers of the numpy code it replaced:
the same operations on the same operands in the same order (sums accumulate sequentially, as
``np.bincount`` and ``np.cumsum`` do), and ``fastmath`` stays off. Transcendental functions
(``expm1`` in the retirement and adoption probabilities) stay in numpy, whose SIMD
versions may differ from libm in the last bit. The logistic of a decision is the exception
(:func:`copsim.mechanisms.participation.logistic`, compiled ``exp``): it is only ever compared
with a uniform, so a last-bit difference changes a result only if the uniform falls within
that bit of the probability (about one decision in 10^16). Exposure
(:func:`copsim.mechanisms.adoption.tie_exposure`) sums in its own order for the same reason.

Compiled code is cached on disk beside the module (``cache=True``), so only the first run after
installing copsim compiles (about 40 s on 2 cores; ``make setup`` does it ahead with
``python -m copsim.warm_up``); later processes, including sweep workers, load it (about 0.5 s).
Numba notices edits to a kernel's source file, but not to the options below, nor to the
functions that kernels in other modules call (``generator`` and ``pairwise_sum`` here, those
of :mod:`copsim.pcg64`): after changing those, delete the cached ``*.nbi``/``*.nbc``
files under ``src/copsim`` (``make clean-cache``).

``tests/test_compiled.py`` runs the model with ``NUMBA_DISABLE_JIT=1`` (the same loops as plain
Python) and requires the very same numbers; with ``fastmath=True`` it fails.

**Random draws inside kernels.** A kernel may draw from a run's named stream through
:func:`generator_handle` / :func:`generator`: Numba's own ``np.random.Generator`` methods
(``random``, ``integers``, ``poisson``, ...) reproduce numpy's algorithms and advance the very
same bit generator state, so a draw inside a kernel is the draw numpy would have made at that
point of the stream. Passing the ``Generator`` object itself to a kernel would cost about 13 µs a
call (Numba reads five ctypes attributes to unbox it); a handle, the bit generator's addresses
in a small array, costs what any array argument costs.

**Uniforms** come from :func:`copsim.pcg64.uniforms`, which steps the stream's PCG64 itself;
:func:`generator_handle` checks that numpy lays out PCG64's state the way it reads it.
"""

from __future__ import annotations

import ctypes
import functools

import numba
import numpy as np
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic, overload

#: decorator for compiled loops: no Python objects, GIL released, cached on disk
kernel = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")

#: the bit generator's ctypes interface, in the order a handle stores it, with the field of
#: Numba's bit generator model (``numba/np/random/generator_core.py``) each one fills
_HANDLE_FIELDS = (
    ("state_address", "state_address"),
    ("state", "state"),
    ("next_uint64", "fnptr_next_uint64"),
    ("next_uint32", "fnptr_next_uint32"),
    ("next_double", "fnptr_next_double"),
    ("bit_generator", "bit_generator"),
)


def generator_handle(rng: np.random.Generator) -> np.ndarray | np.random.Generator:
    """A handle through which kernels draw from ``rng`` (see :func:`generator`).

    The handle holds raw addresses into ``rng``'s bit generator: it is valid only while ``rng``
    lives, so keep the two together (:class:`copsim.streams.Streams` does). With
    ``NUMBA_DISABLE_JIT=1`` kernels run as Python and the handle is ``rng`` itself.
    """
    if numba.config.DISABLE_JIT:
        return rng
    if not isinstance(rng.bit_generator, np.random.PCG64):
        name = type(rng.bit_generator).__name__
        raise TypeError(f"compiled draws step PCG64 themselves (uniforms); got a {name} generator")
    _check_pcg64_layout()
    interface = rng.bit_generator.ctypes

    def address(value) -> int:
        return value if isinstance(value, int) else ctypes.cast(value, ctypes.c_void_p).value

    return np.array([address(getattr(interface, name)) for name, _ in _HANDLE_FIELDS], np.uint64)


@functools.cache
def _check_pcg64_layout() -> None:
    """Check, once a process, that numpy keeps PCG64's state as :mod:`copsim.pcg64` reads it.

    The layout is numpy's C struct, not its API: a numpy built without 128-bit integers
    (MSVC) stores the high word first, and a future numpy might change it. Reading it wrong
    would draw wrong numbers silently, so copsim refuses to draw instead.
    """
    bit_generator = np.random.PCG64(20261129)
    state = bit_generator.state["state"]
    struct = ctypes.cast(bit_generator.ctypes.state_address, ctypes.POINTER(ctypes.c_void_p))
    words = ctypes.cast(struct[0], ctypes.POINTER(ctypes.c_uint64))
    found = (words[1] << 64 | words[0], words[3] << 64 | words[2])
    if found != (state["state"], state["inc"]):
        raise RuntimeError(
            f"numpy {np.__version__} lays out PCG64's state in a way copsim.compiled does not "
            "read (expected the state, then the increment, as 128-bit integers, low word first)"
        )


def generator(handle):
    """Inside a kernel, the ``np.random.Generator`` behind a :func:`generator_handle`."""
    return handle


def is_handle(handle) -> bool:
    """Whether a Numba type is that of a :func:`generator_handle`."""
    return isinstance(handle, types.Array) and handle.dtype == types.uint64 and handle.ndim == 1


@intrinsic
def _generator_at(typingctx, handle):  # pragma: no cover - compiled
    """Numba's Generator struct filled from a handle (no Python object: nothing to unbox)."""

    def codegen(context, builder, signature, args):
        addresses = context.make_array(signature.args[0])(context, builder, args[0])
        bit_generator = cgutils.create_struct_proxy(types.npy_bitgen)(context, builder)
        for k, (_, field) in enumerate(_HANDLE_FIELDS):
            setattr(bit_generator, field, builder.load(cgutils.gep(builder, addresses.data, k)))
        rng = cgutils.create_struct_proxy(signature.return_type)(context, builder)
        rng.bit_generator = bit_generator._getvalue()  # parent and meminfo stay NULL: not owned
        return rng._getvalue()

    return types.npy_rng(handle), codegen


@overload(generator)
def _generator_overload(handle):  # pragma: no cover - compiled
    if is_handle(handle):
        return lambda handle: _generator_at(handle)


@kernel
def pairwise_sum(values):  # pragma: no cover - compiled
    """``np.sum(values)`` of a 1-d float array, bit for bit: numpy's pairwise summation.

    numpy (``pairwise_sum`` in ``loops_utils.h``) sums up to 128 values directly
    (:func:`_block_sum`); a longer run is split in two halves, the first a multiple of 8 long,
    each summed the same way, and the two sums added. This walks that tree with an explicit
    stack (Numba cannot cache a recursive function called from another module). It lets a
    kernel fuse a mean or a standard deviation into its loop and keep numpy's numbers.
    """
    start = np.zeros(64, np.int64)  # the path from the root: a run's start and length,
    size = np.zeros(64, np.int64)
    left = np.zeros(64)  # and, once its first half is summed, that sum
    left_done = np.zeros(64, np.bool_)
    size[0] = values.size
    top = 0
    while True:
        if size[top] > 128:  # descend into the first half
            half = size[top] // 2
            half -= half % 8
            start[top + 1], size[top + 1], left_done[top + 1] = start[top], half, False
            top += 1
            continue
        total = _block_sum(values, start[top], size[top])
        top -= 1
        while top >= 0 and left_done[top]:  # second halves done: add them to their first
            total = left[top] + total
            top -= 1
        if top < 0:
            return total
        left[top], left_done[top] = total, True  # first half done: now the second
        half = size[top] // 2
        half -= half % 8
        start[top + 1], size[top + 1], left_done[top + 1] = start[top] + half, size[top] - half, False
        top += 1


@kernel
def _block_sum(values, start, n):  # pragma: no cover - compiled
    """numpy's sum of ``values[start:start + n]``, n <= 128: eight running sums, then the rest."""
    v = values[start : start + n]
    if n < 8:
        total = 0.0
        for k in range(n):
            total += v[k]
        return total
    r0, r1, r2, r3, r4, r5, r6, r7 = v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]
    k = 8
    while k < n - n % 8:
        r0, r1, r2, r3 = r0 + v[k], r1 + v[k + 1], r2 + v[k + 2], r3 + v[k + 3]
        r4, r5, r6, r7 = r4 + v[k + 4], r5 + v[k + 5], r6 + v[k + 6], r7 + v[k + 7]
        k += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for rest in range(k, n):
        total += v[rest]
    return total
