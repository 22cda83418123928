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
functions of this module that kernels elsewhere call (``uniforms``, ``next_uniform``,
``generator``, ``pairwise_sum``): after changing those, delete the cached ``*.nbi``/``*.nbc``
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

**Uniforms** come from :func:`uniforms`, which steps the stream's PCG64 itself (numpy's
algorithm on numpy's own state, so the numbers and the state after are numpy's, bit for bit)
in four interleaved chains: a draw costs about 1.6 ns against 2.8 ns through numpy's or
Numba's call per draw, whose 128-bit multiplications each wait for the one before.
"""

from __future__ import annotations

import ctypes
import functools

import numba
import numpy as np
from llvmlite import ir
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
    """Check, once a process, that numpy keeps PCG64's state as :func:`_pcg_words` reads it.

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


def _is_handle(handle) -> bool:
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
    if _is_handle(handle):
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


# ------------------------------------------------------------------------------ uniform draws
#: PCG64's multiplier (numpy's ``PCG_DEFAULT_MULTIPLIER_128``): a step is ``state * M + inc``
_PCG_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
_UINT128 = (1 << 128) - 1


def _pcg_jump(steps: int) -> tuple[int, int]:
    """``(A, C)`` such that ``steps`` PCG64 steps take ``state`` to ``state * A + inc * C``."""
    multiplier, increments = 1, 0
    for _ in range(steps):
        multiplier = multiplier * _PCG_MULTIPLIER & _UINT128
        increments = (increments * _PCG_MULTIPLIER + 1) & _UINT128
    return multiplier, increments


def _words(value: int) -> tuple[np.uint64, np.uint64]:
    """A 128-bit integer as (high, low) 64-bit words."""
    return np.uint64(value >> 64), np.uint64(value & (2**64 - 1))


_M_HI, _M_LO = _words(_PCG_MULTIPLIER)
_JUMP = _pcg_jump(4)
_M4_HI, _M4_LO = _words(_JUMP[0])
_C4_HI, _C4_LO = _words(_JUMP[1])
_ZERO = np.uint64(0)
_I64, _I128 = ir.IntType(64), ir.IntType(128)


def _wide(builder, high, low):
    """(high, low) 64-bit words as one LLVM 128-bit integer."""
    high = builder.shl(builder.zext(high, _I128), ir.Constant(_I128, 64))
    return builder.or_(high, builder.zext(low, _I128))


def _pcg_words(context, builder, handle_type, handle):
    """Pointer to the four 64-bit words of a handle's PCG64 state (state low, high; inc low,
    high): numpy's ``pcg64_state`` struct, at the handle's ``state_address``, holds a pointer
    to them as its first field (``numpy/random/src/pcg64/pcg64.h``; its 128-bit integers are
    ``__uint128_t``, low word first on x86-64 and aarch64)."""
    addresses = context.make_array(handle_type)(context, builder, handle)
    state_struct = builder.inttoptr(builder.load(addresses.data), _I64.as_pointer().as_pointer())
    return builder.load(state_struct)


@intrinsic
def _pcg_load(typingctx, handle):  # pragma: no cover - compiled
    """The stream's PCG64 state and increment as ``(state_hi, state_lo, inc_hi, inc_lo)``."""
    u64 = types.uint64

    def codegen(context, builder, signature, args):
        words = _pcg_words(context, builder, signature.args[0], args[0])
        w = [builder.load(builder.gep(words, [ir.Constant(ir.IntType(32), k)])) for k in range(4)]
        return context.make_tuple(builder, signature.return_type, (w[1], w[0], w[3], w[2]))

    return types.UniTuple(u64, 4)(handle), codegen


@intrinsic
def _pcg_store(typingctx, handle, state_hi, state_lo):  # pragma: no cover - compiled
    """Write the stream's PCG64 state back (numpy's generator carries on from it)."""

    def codegen(context, builder, signature, args):
        words = _pcg_words(context, builder, signature.args[0], args[0])
        builder.store(args[2], builder.gep(words, [ir.Constant(ir.IntType(32), 0)]))
        builder.store(args[1], builder.gep(words, [ir.Constant(ir.IntType(32), 1)]))
        return context.get_dummy_value()

    return types.void(handle, types.uint64, types.uint64), codegen


@intrinsic
def _mul_add(typingctx, a_hi, a_lo, b_hi, b_lo, c_hi, c_lo):  # pragma: no cover - compiled
    """``(a * b + c) mod 2**128`` on (high, low) words: LLVM's 128-bit integers, three
    multiplications on x86-64."""
    u64 = types.uint64

    def codegen(context, builder, signature, args):
        a, b, c = (_wide(builder, args[k], args[k + 1]) for k in (0, 2, 4))
        r = builder.add(builder.mul(a, b), c)
        high = builder.trunc(builder.lshr(r, ir.Constant(_I128, 64)), _I64)
        return context.make_tuple(builder, signature.return_type, (high, builder.trunc(r, _I64)))

    return types.UniTuple(u64, 2)(u64, u64, u64, u64, u64, u64), codegen


@intrinsic
def _pcg_double(typingctx, state_hi, state_lo):  # pragma: no cover - compiled
    """The uniform numpy makes of a PCG64 state: the XSL-RR output (``high ^ low`` rotated right
    by ``high >> 58``), its top 53 bits, times 2**-53."""

    def codegen(context, builder, signature, args):
        high, low = args
        x = builder.xor(high, low)
        rot = builder.lshr(high, ir.Constant(_I64, 58))
        back = builder.and_(builder.sub(ir.Constant(_I64, 64), rot), ir.Constant(_I64, 63))
        output = builder.or_(builder.lshr(x, rot), builder.shl(x, back))
        top = builder.uitofp(builder.lshr(output, ir.Constant(_I64, 11)), ir.DoubleType())
        return builder.fmul(top, ir.Constant(ir.DoubleType(), 1.0 / 9007199254740992.0))

    return types.float64(types.uint64, types.uint64), codegen


def stream_state(handle):
    """A stream's state for drawing uniforms one at a time with :func:`next_uniform` (inside a
    kernel: its PCG64 words, held in registers); :func:`save_stream_state` hands it back to the
    stream, which must be done before anything else draws from it."""
    return handle


def next_uniform(state):
    """``(state, u)``: the next uniform from a :func:`stream_state`, and the state after it."""
    return state, state.random()


def save_stream_state(handle, state) -> None:
    """Write a :func:`stream_state` back to its stream (nothing to do without compilation)."""


@overload(stream_state)
def _stream_state_overload(handle):  # pragma: no cover - compiled
    if _is_handle(handle):
        return lambda handle: _pcg_load(handle)


@overload(next_uniform)
def _next_uniform_overload(state):  # pragma: no cover - compiled
    if isinstance(state, types.UniTuple) and state.dtype == types.uint64 and state.count == 4:

        def step(state):
            s_hi, s_lo, inc_hi, inc_lo = state
            s_hi, s_lo = _mul_add(s_hi, s_lo, _M_HI, _M_LO, inc_hi, inc_lo)
            return (s_hi, s_lo, inc_hi, inc_lo), _pcg_double(s_hi, s_lo)

        return step


@overload(save_stream_state)
def _save_stream_state_overload(handle, state):  # pragma: no cover - compiled
    if _is_handle(handle):
        return lambda handle, state: _pcg_store(handle, state[0], state[1])


def uniforms(handle, size):
    """``size`` uniforms on [0, 1) from a stream: ``generator(handle).random(size)``, bit for
    bit, leaving the stream where that would (see the module's docstring). Callable from
    Python too (the benchmarks' bare pass draws with it)."""
    if isinstance(handle, np.random.Generator):  # NUMBA_DISABLE_JIT=1: the handle is the stream
        return handle.random(size)
    return _pcg_uniforms(handle, size)


@overload(uniforms)
def _uniforms_overload(handle, size):  # pragma: no cover - compiled
    if _is_handle(handle):
        return lambda handle, size: _pcg_uniforms(handle, size)


@kernel
def _pcg_uniforms(handle, size):  # pragma: no cover - compiled
    """:func:`uniforms` on the stream's PCG64 state: four chains, each four steps at a time
    (``state * M**4 + inc * C4``), give the states after steps k + 1 to k + 4 side by side;
    the remainder is stepped one at a time."""
    s_hi, s_lo, inc_hi, inc_lo = _pcg_load(handle)
    out = np.empty(size)
    d_hi, d_lo = _mul_add(inc_hi, inc_lo, _C4_HI, _C4_LO, _ZERO, _ZERO)  # inc * C4
    a_hi, a_lo = _mul_add(s_hi, s_lo, _M_HI, _M_LO, inc_hi, inc_lo)
    b_hi, b_lo = _mul_add(a_hi, a_lo, _M_HI, _M_LO, inc_hi, inc_lo)
    c_hi, c_lo = _mul_add(b_hi, b_lo, _M_HI, _M_LO, inc_hi, inc_lo)
    e_hi, e_lo = _mul_add(c_hi, c_lo, _M_HI, _M_LO, inc_hi, inc_lo)
    k = 0
    while k + 4 <= size:
        out[k], out[k + 1] = _pcg_double(a_hi, a_lo), _pcg_double(b_hi, b_lo)
        out[k + 2], out[k + 3] = _pcg_double(c_hi, c_lo), _pcg_double(e_hi, e_lo)
        s_hi, s_lo = e_hi, e_lo
        a_hi, a_lo = _mul_add(a_hi, a_lo, _M4_HI, _M4_LO, d_hi, d_lo)
        b_hi, b_lo = _mul_add(b_hi, b_lo, _M4_HI, _M4_LO, d_hi, d_lo)
        c_hi, c_lo = _mul_add(c_hi, c_lo, _M4_HI, _M4_LO, d_hi, d_lo)
        e_hi, e_lo = _mul_add(e_hi, e_lo, _M4_HI, _M4_LO, d_hi, d_lo)
        k += 4
    while k < size:
        s_hi, s_lo = _mul_add(s_hi, s_lo, _M_HI, _M_LO, inc_hi, inc_lo)
        out[k] = _pcg_double(s_hi, s_lo)
        k += 1
    _pcg_store(handle, s_hi, s_lo)
    return out
