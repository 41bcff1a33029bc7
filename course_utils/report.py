"""Printing results over seeds: one formatter for "mean ± spread".

Every chapter prints a seed average with its spread (docs/architecture.md, "Claims"), and every
chapter prints it with ``mean_sd``; only the format differs, and the format is an argument::

    mean_sd([0.912, 0.925, 0.919])                      # '91.9% ± 0.7%'   (accuracies)
    mean_sd(losses, ".4f")                              # '0.1234 ± 0.0056'
    mean_sd(accs, ".1f", scale=100, suffix=" %")        # '91.9 ± 0.7 %'
    mean_sd(diffs, "+.1f", error="se")                  # '+1.2 ± 0.4'     (paired differences)
"""
import math

import numpy as np

__all__ = ["mean_sd"]


def _without_sign_and_width(spec):
    # ".1%" from "6.1%", ".1f" from "+.1f" or ">7.1f": the spread is >= 0 and is not aligned.
    precision = spec.find(".")
    head, tail = (spec, "") if precision < 0 else (spec[:precision], spec[precision:])
    head = head.lstrip("<>=^").replace("+", "").replace("-", "").replace(" ", "")
    return head.lstrip("0123456789") + tail


def mean_sd(values, fmt=".1%", *, sd_fmt=None, scale=1, suffix="", error="sd"):
    """``"mean ± sd"`` of a few runs (seeds), as text.

        m = mean(x),   sd = √(Σ(x − m)² / (n − 1))       (sample standard deviation, ddof = 1)

    with x = ``scale``·values.  ``error="se"`` prints the standard error of the mean,
    sd/√n, instead of sd (for a paired difference).

    - ``fmt`` formats the mean, a Python format spec: ``".1%"`` (accuracies, the default:
      ×100 and a "%" after each number), ``".4f"`` (losses), ``"+.1f"`` (a difference),
      ``"6.1%"`` (a width to align the mean).  The spread uses ``sd_fmt``, by default ``fmt``
      without its sign and width (``"+.1f"`` → ``".1f"``).
    - ``scale`` multiplies the values *before* mean and sd (``scale=100``: fractions as
      percentage points without "%"); ``suffix`` is appended once (``" %"``).
    - One value has no sample sd: it is printed alone, ``fmt`` and ``suffix`` as usual, with no
      "± …" (the missing spread shows).  A NaN or ±inf (a diverged run) makes both numbers
      ``nan`` (with inf, the mean may be ``inf``): the run is not hidden.  ``None`` or an empty
      list raises ``ValueError``.

    Note: NumPy's ``np.std`` defaults to ddof = 0 (the population sd) and PyTorch's
    ``torch.std`` to the sample sd (ddof = 1, ``correction=1``); over three seeds the two differ
    by a factor √(3/2) ≈ 1.22, so a chapter always uses ddof = 1.
    """
    if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
        raise TypeError(f"values must be a list or array of numbers, got {values!r}")
    if len(values) == 0:
        raise ValueError("mean_sd needs at least one value, got an empty list")
    if any(v is None for v in np.ravel(np.asarray(values, dtype=object))):
        raise ValueError(f"mean_sd got None among {list(values)!r}; drop the runs that have no value "
                         f"(and say how many) before averaging")
    if error not in ("sd", "se"):
        raise ValueError(f"error must be 'sd' (standard deviation) or 'se' (standard error), got {error!r}")
    v = scale * np.asarray(values, dtype=float)
    mean = format(v.mean(), fmt)
    if v.size == 1:
        return mean + suffix
    with np.errstate(invalid="ignore"):                      # inf − inf: the spread is nan
        spread = v.std(ddof=1)
    if error == "se":
        spread = spread / math.sqrt(v.size)
    return f"{mean} ± {format(spread, _without_sign_and_width(fmt) if sd_fmt is None else sd_fmt)}{suffix}"
