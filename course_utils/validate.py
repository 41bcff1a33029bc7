"""One set of argument checks for the whole package, so every bad input gets the same kind of
message: a ``ValueError`` (wrong value) or ``TypeError`` (wrong kind of object) that names the
parameter, the allowed range and what was passed.

The rule for whole numbers (counts, sizes, seeds of a grid, class labels): an ``int`` or a NumPy
integer, or a float with an integral value (``0.8 * 1000``, ``5.0``, labels ``y.astype(float)``),
which is converted to ``int``.  ``True``/``False``, strings, NaN, inf and non-integral floats
are rejected.
"""
import functools
import math
import numbers

import numpy as np


def _got(value):
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _range_text(lo, hi, lo_open=False, hi_open=False):
    if lo is not None and hi is not None:
        return f"in {'(' if lo_open else '['}{lo:g}, {hi:g}{')' if hi_open else ']'}"
    if lo is not None:
        return f"{'>' if lo_open else '>='} {lo:g}"
    if hi is not None:
        return f"{'<' if hi_open else '<='} {hi:g}"
    return "finite"


def integer(name, value, lo=None, hi=None):
    """``value`` as an ``int`` in [lo, hi] (either bound may be None), else a clear error."""
    where = _range_text(lo, hi)
    text = f"{name} must be an integer {where}".rstrip()
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{text}, got {_got(value)}")
    if not (math.isfinite(value) and float(value).is_integer()):
        raise ValueError(f"{text}, got {value!r}")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        raise ValueError(f"{text}, got {value!r}")
    return v


def number(name, value, lo=None, hi=None, *, lo_open=False, hi_open=False, finite=True,
           where=None):
    """``value`` as a ``float`` in the given range (open ends with ``lo_open``/``hi_open``);
    ``where`` replaces the range's wording in the message (e.g. "in [0, lr]")."""
    where = where or _range_text(lo, hi, lo_open, hi_open)
    text = f"{name} must be {where}"
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number {where}, got {_got(value)}")
    v = float(value)
    if math.isnan(v) or (finite and math.isinf(v)):
        raise ValueError(f"{text}, got {value!r}")
    if lo is not None and (v <= lo if lo_open else v < lo):
        raise ValueError(f"{text}, got {value!r}")
    if hi is not None and (v >= hi if hi_open else v > hi):
        raise ValueError(f"{text}, got {value!r}")
    return v


def labels(name, y, n_rows=None, n_classes=None):
    """Class labels as a 1-D int64 array (integral floats accepted; NaN, inf, 2-D rejected)."""
    try:
        arr = np.asarray(y)
    except Exception as exc:                     # ragged lists and the like
        raise TypeError(f"{name} must be a 1-D array of integer class labels, got {_got(y)}") from exc
    if arr.ndim != 1 or (n_rows is not None and arr.shape[0] != n_rows):
        want = f"({n_rows},)" if n_rows is not None else "(N,)"
        where = " (one label per row of X)" if n_rows is not None else ""
        raise ValueError(f"{name} must have shape {want}, a 1-D array of class labels{where}, "
                         f"got shape {arr.shape}")
    if arr.dtype.kind in "iu":
        out = arr.astype(np.int64, copy=False)
    elif arr.dtype.kind == "f":
        if arr.size and not (np.all(np.isfinite(arr)) and np.all(arr == np.round(arr))):
            bad = arr[~(np.isfinite(arr) & (arr == np.round(arr)))][0]
            raise ValueError(f"{name} must hold integer class labels, got the value {bad!r}")
        out = arr.astype(np.int64)
    elif arr.dtype.kind == "b":
        out = arr.astype(np.int64)
    else:
        raise TypeError(f"{name} must hold integer class labels, got dtype {arr.dtype}")
    if n_classes is not None and out.size and (out.min() < 0 or out.max() >= n_classes):
        raise ValueError(f"labels {name} must be in [0, {n_classes - 1}], "
                         f"got range [{out.min()}, {out.max()}]")
    return out


def array(name, X, ndim=None, *, finite=True):
    """A float64 array (``ndim`` dimensions if given) without NaN/inf when ``finite``."""
    if X is None or isinstance(X, (str, bytes, dict)):
        raise TypeError(f"{name} must be a numeric array, got {_got(X)}")
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{name} must be a numeric array, got {_got(X)}") from exc
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {arr.shape}")
    if finite and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must not contain NaN or inf")
    return arr


def one_of(name, value, options):
    """``value`` itself when it is one of ``options``, else a ValueError listing them."""
    try:
        ok = value in options
    except TypeError:                            # unhashable value against a set/dict
        ok = False
    if not ok:
        raise ValueError(f"{name} must be one of {list(options)}, got {value!r}")
    return value


def function(name, f, usage):
    """``f`` when callable, else a TypeError saying how it is called."""
    if not callable(f):
        raise TypeError(f"{name} must be a function called as {usage}, got {_got(f)}")
    return f


def checked(fn, check, result=None):
    """``fn`` with ``check(*args, **kwargs)`` run first (it raises on bad arguments) and, if
    given, ``result(value)`` applied to what ``fn`` returns.  ``check`` has ``fn``'s signature,
    so Python itself reports unknown or missing arguments.  ``functools.wraps`` keeps the name,
    the docstring, the signature and ``inspect.getsource`` of ``fn``: the chapters that print a
    formula's code keep printing the formula."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        check(*args, **kwargs)
        out = fn(*args, **kwargs)
        return out if result is None else result(out)
    return wrapper
