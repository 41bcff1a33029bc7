"""Search spaces for hyperparameters: where each value is drawn from, and its grid.

``Uniform(lo, hi)``, ``LogUniform(lo, hi)`` (uniform in log10), ``OneMinusLogUniform(lo, hi)``
(1 − β log-uniform, for momentum-like β), ``IntRange(lo, hi)`` (inclusive) and
``Choice(options)``.  Each has ``sample(rng, size)``, ``grid(n)``, and ``to_unit`` /
``from_unit`` (a map to [0, 1] used by Bayesian optimization).  Used by ``search``.
"""
import functools
import math
from dataclasses import dataclass

import numpy as np

from . import validate as _v

MAX_DRAWS = 10**7     # values one sample() or grid() call may make


def _check_int(name, value, lo=1, hi=None):
    return _v.integer(name, value, lo, hi)


def _rng(rng):
    """A Generator from a Generator, a seed (int) or a SeedSequence."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, bool) or not isinstance(rng, (int, np.integer, np.random.SeedSequence)):
        raise TypeError(f"rng must be a numpy Generator or an integer seed, got {rng!r}")
    return np.random.default_rng(rng)


def _size(size):
    if size is None:
        return None
    if isinstance(size, tuple):
        dims = tuple(_check_int(f"size[{i}]", d, 0) for i, d in enumerate(size))
        if int(np.prod(dims, dtype=float)) > MAX_DRAWS:
            raise ValueError(f"size must ask for at most {MAX_DRAWS:,} values, got {size}")
        return dims
    return _check_int("size", size, 0, MAX_DRAWS)


class Space:
    """One hyperparameter's range: ``sample(rng, size=None)`` (a scalar if size is None),
    ``grid(n)``, and ``to_unit(values)`` / ``from_unit(u)`` mapping a 1-D sequence of values to
    [0, 1] and back (for ``narrow`` and ``bayes_opt``).  ``cells``: K for a discrete space."""
    cells = None


@dataclass(frozen=True)
class _Continuous(Space):
    """[lo, hi], uniform in the coordinate t = f(x): u = (f(x) − f(lo)) / (f(hi) − f(lo))."""
    lo: float
    hi: float
    rule = ("lo < hi", lambda lo, hi: lo < hi)

    def __post_init__(self):
        try:
            lo, hi = _v.number("lo", self.lo), _v.number("hi", self.hi)
        except (TypeError, ValueError):
            lo = hi = math.nan
        text, ok = self.rule
        if not (math.isfinite(lo) and math.isfinite(hi) and ok(lo, hi)):
            raise ValueError(f"{type(self).__name__}(lo, hi) needs {text} (finite), "
                             f"got lo={self.lo!r}, hi={self.hi!r}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    def to_unit(self, x):
        a, b = self.f(self.lo), self.f(self.hi)
        return (self.f(np.asarray(x, float)) - a) / (b - a)

    def from_unit(self, u):
        a, b = self.f(self.lo), self.f(self.hi)
        return np.clip(self.finv(a + np.asarray(u, float) * (b - a)), self.lo, self.hi)

    def sample(self, rng, size=None):
        return self.from_unit(rng.uniform(0.0, 1.0, size))

    def grid(self, n, centered=False):
        """n points evenly spaced in t (the middle one when n = 1), ends exactly lo and hi.
        ``centered=True``: the centres of n equal cells instead, u = (i + ½)/n (Bergstra &
        Bengio's figure 1): no point wasted on the edges, none closer than 1/(2n) to them."""
        if centered:
            return self.from_unit(_centred_grid(n))
        x = self.from_unit(_unit_grid(n))
        if n > 1:
            x[0], x[-1] = self.lo, self.hi
        return x


class Uniform(_Continuous):
    """x ~ U(lo, hi).  Grid: evenly spaced.  Needs lo < hi."""
    f = finv = staticmethod(lambda x: x)


class LogUniform(_Continuous):
    """x = 10**t with t ~ U(log10 lo, log10 hi): every decade gets the same share of the samples
    (a learning rate in [1e-4, 1e-1] lands in [1e-4, 1e-3] as often as in [1e-2, 1e-1]).
    Grid: geometric spacing, like ``np.geomspace(lo, hi, n)``.  Needs 0 < lo < hi."""
    rule = ("0 < lo < hi", lambda lo, hi: 0 < lo < hi)
    f, finv = staticmethod(np.log), staticmethod(np.exp)


class OneMinusLogUniform(_Continuous):
    """β with 1 − β ~ LogUniform(1 − hi, 1 − lo), for momentum μ or Adam's β₂: 0.9, 0.99 and
    0.999 are equally spaced (one decade of 1 − β each).  Needs 0 <= lo < hi < 1."""
    rule = ("0 <= lo < hi < 1", lambda lo, hi: 0 <= lo < hi < 1)
    f = staticmethod(lambda x: -np.log1p(-x))          # t = −log(1 − β)
    finv = staticmethod(lambda t: -np.expm1(-t))       # β = 1 − e^(−t)


def _unit_grid(n):
    return np.array([0.5]) if _check_int("n", n, 1, MAX_DRAWS) == 1 else np.linspace(0.0, 1.0, int(n))


def _centred_grid(n):
    return (np.arange(_check_int("n", n)) + 0.5) / n


class _Discrete(Space):
    """K = ``cells`` values; value k owns the cell [k/K, (k+1)/K) of [0, 1]."""

    def sample(self, rng, size=None):
        return self._value(rng.integers(self.cells, size=size))

    def to_unit(self, x):
        return (np.asarray(self._index(x), float) + 0.5) / self.cells

    def from_unit(self, u):
        k = np.clip(np.floor(np.asarray(u, float) * self.cells), 0, self.cells - 1)
        return self._value(k.astype(np.int64))


@dataclass(frozen=True)
class IntRange(_Discrete):
    """An integer, uniform on lo, lo + 1, ..., hi (both included), e.g. a number of layers.
    Grid: n evenly spaced integers, rounded and deduplicated.  Needs integers lo <= hi."""
    lo: int
    hi: int

    def __post_init__(self):
        try:
            lo, hi = _v.integer("lo", self.lo), _v.integer("hi", self.hi)
        except (TypeError, ValueError):
            lo = hi = None
        if lo is None or not lo <= hi:
            raise ValueError(f"IntRange(lo, hi) needs integers lo <= hi, "
                             f"got lo={self.lo!r}, hi={self.hi!r}")
        object.__setattr__(self, "lo", lo)
        object.__setattr__(self, "hi", hi)

    cells = property(lambda self: self.hi - self.lo + 1)

    def _value(self, k):
        return self.lo + k

    def _index(self, x):
        return np.asarray(x) - self.lo

    def grid(self, n, centered=False):
        """``centered=True``: the values whose cells hold u = (i + ½)/n (deduplicated)."""
        if centered:
            return np.unique(self.from_unit(_centred_grid(n)))
        mid = [(self.lo + self.hi) / 2]
        n = _check_int("n", n, 1, MAX_DRAWS)
        x = np.linspace(self.lo, self.hi, n) if n > 1 else mid
        return np.unique(np.round(x).astype(np.int64))


@dataclass(frozen=True)
class Choice(_Discrete):
    """One of ``options``, each equally likely (activation, optimizer, batch size).  Grid: all
    options, whatever n.  ``bayes_opt``'s GP treats the options as ordered by their cells, so
    list them in a meaningful order (16, 32, 64); for unordered options (names) expect it to do
    no better than random search on that dimension."""
    options: tuple

    def __post_init__(self):
        try:
            opts = () if isinstance(self.options, (str, bytes)) else tuple(self.options)
        except TypeError:
            opts = ()
        if not opts:
            raise ValueError(f"Choice(options) needs a non-empty list of options, "
                             f"got {self.options!r}")
        object.__setattr__(self, "options", opts)

    cells = property(lambda self: len(self.options))

    def _value(self, k):
        return _objects(self.options)[k]

    def _index(self, x):
        return [self.options.index(v) for v in x]

    def grid(self, n, centered=False):
        _check_int("n", n)
        return list(self.options)


def _sampling(sample):
    """``sample`` taking a seed as well as a Generator, with ``size`` checked.  A wrapper, not
    lines in the methods: chapter 06 prints ``_Continuous.sample`` with inspect.getsource."""
    @functools.wraps(sample)
    def checked(self, rng, size=None):
        return sample(self, _rng(rng), _size(size))
    return checked


_Continuous.sample = _sampling(_Continuous.sample)
_Discrete.sample = _sampling(_Discrete.sample)


def _objects(seq):
    out = np.empty(len(seq), dtype=object)
    for i, v in enumerate(seq):   # element-wise, so list-valued options stay whole
        out[i] = v
    return out
