"""numpy's PCG64 stepped in compiled code: uniforms drawn faster than numpy draws them.

A copsim stream is a ``np.random.Generator`` on a PCG64 bit generator, a 128-bit linear
congruential generator (``state = state * M + inc``, then the XSL-RR output permutation).
Through numpy's ``Generator.random`` or Numba's ``rng.random()`` every uniform is a call through
a function pointer, and each 128-bit multiplication waits for the one before: about 2.8 ns a
draw here. :func:`uniforms` reads the stream's state from numpy's own memory (through a
:func:`copsim.compiled.generator_handle`), runs four chains side by side, each jumping four
steps at a time (``state * M**4 + inc * C4``: the same sequence), and writes the state back:
about 1.6 ns a draw, the very numbers and final state numpy would give. Loops that draw one
uniform at a time hold the state in registers with :func:`stream_state`, :func:`next_uniform`
and :func:`save_stream_state`. Uniforms drawn for everyone but read for a few are jumped over
(:func:`uniforms_at`). The 128-bit arithmetic is LLVM's (llvmlite intrinsics).

Without compilation (``NUMBA_DISABLE_JIT=1``) a handle is the generator itself and these are
its own calls. ``tests/test_streams.py`` compares every size around the chains' width, single
draws, jumps and the generator's own draws in turn with numpy's, and the state after.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

from .compiled import is_handle, kernel

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
    if is_handle(handle):
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
    if is_handle(handle):
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
    if is_handle(handle):
        return lambda handle, size: _pcg_uniforms(handle, size)


@kernel
def _pcg_uniforms(handle, size):  # pragma: no cover - compiled
    """:func:`uniforms` on the stream's PCG64 state: four chains, each four steps at a time
    (``state * M**4 + inc * C4``), give the states after steps k + 1 to k + 4 side by side;
    the remainder is drawn one at a time (:func:`next_uniform`)."""
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
    state = (s_hi, s_lo, inc_hi, inc_lo)
    for rest in range(k, size):
        state, out[rest] = next_uniform(state)
    save_stream_state(handle, state)
    return out


def uniforms_at(handle, at, size):
    """``uniforms(handle, size)[at]`` for ascending distinct positions ``at``, bit for bit,
    leaving the stream where drawing all ``size`` would, without drawing the others: the state
    jumps over them (:func:`_pcg_advance`, about 0.1 µs a jump). For a draw made for every
    practitioner so that the stream stays aligned but read for a few only (the alumni uniform
    of this week's leavers)."""
    if isinstance(handle, np.random.Generator):  # NUMBA_DISABLE_JIT=1: the handle is the stream
        return handle.random(size)[at]
    return _pcg_uniforms_at(handle, at, size)


@overload(uniforms_at)
def _uniforms_at_overload(handle, at, size):  # pragma: no cover - compiled
    if is_handle(handle):
        return lambda handle, at, size: _pcg_uniforms_at(handle, at, size)


@kernel
def _pcg_uniforms_at(handle, at, size):  # pragma: no cover - compiled
    """:func:`uniforms_at` on the stream's PCG64 state."""
    state = _pcg_load(handle)
    out = np.empty(at.size)
    drawn = 0
    for k in range(at.size):
        state = _pcg_advance(state, at[k] - drawn)
        state, out[k] = next_uniform(state)
        drawn = at[k] + 1
    save_stream_state(handle, _pcg_advance(state, size - drawn))
    return out


@kernel
def _pcg_advance(state, steps):  # pragma: no cover - compiled
    """The state ``steps`` PCG64 steps on, by squaring (Brown 1994, as numpy's
    ``pcg64_advance``): the map of ``2**k`` steps, ``s * m + p``, applied for each bit of
    ``steps`` set; the next one's is ``s * m**2 + p * (m + 1)``."""
    s_hi, s_lo, inc_hi, inc_lo = state
    m_hi, m_lo, p_hi, p_lo = _M_HI, _M_LO, inc_hi, inc_lo
    while steps > 0:
        if steps & 1:
            s_hi, s_lo = _mul_add(s_hi, s_lo, m_hi, m_lo, p_hi, p_lo)
        p_hi, p_lo = _mul_add(p_hi, p_lo, m_hi, m_lo, p_hi, p_lo)
        m_hi, m_lo = _mul_add(m_hi, m_lo, m_hi, m_lo, _ZERO, _ZERO)
        steps >>= 1
    return s_hi, s_lo, inc_hi, inc_lo
