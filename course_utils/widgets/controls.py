"""The controls of a dashboard: sliders, a dropdown, a check box, each sized and labelled alike.

Every helper checks its range and default with ``course_utils.validate`` (ipywidgets would
silently clamp a default outside ``[min, max]``) and returns an ordinary ipywidgets control
with ``continuous_update=False`` (a run starts when the slider is released, or per arrow key).
"""
import numpy as np

from .. import validate as _v

_SHARED = dict(continuous_update=False, style={"description_width": "initial"})


# ----------------------------------------------------------------------------- controls
def _w():
    import ipywidgets
    return ipywidgets


def _layout(width):
    return _w().Layout(width=width)


def log_slider(description, min, max, value, *, width="340px", fmt=".1e"):
    """A base-10 log slider (learning rate, λ) from ``min`` to ``max``."""
    for name, x in (("min", min), ("max", max), ("value", value)):
        _v.number(f"{description}: {name}", x, 0.0, lo_open=True)
    if not 0 < min <= value <= max:
        raise ValueError(f"{description}: need 0 < min <= value <= max, got {min}, {value}, {max}")
    lo, hi = np.log10(min), np.log10(max)
    return _w().FloatLogSlider(value=value, base=10, min=lo, max=hi, step=(hi - lo) / 40,
                               description=description, readout_format=fmt,
                               layout=_layout(width), **_SHARED)


def log_choice_slider(description, min, max, value, *, per_decade=2, off=True, width="340px"):
    """A slider over log-spaced values with an "off" (0) position first (λ with "no decay")."""
    _v.number(f"{description}: min", min, 0.0, lo_open=True)
    _v.number(f"{description}: max", max, min, where=f">= min = {min:g}")
    _v.number(f"{description}: value", value, 0.0)
    if per_decade not in (1, 2, 3) or isinstance(per_decade, bool):
        raise ValueError(f"{description}: per_decade must be 1, 2 or 3, got {per_decade!r}")
    lo, hi = int(np.floor(np.log10(min))), int(np.ceil(np.log10(max)))
    steps = np.array([1.0, 3.0] if per_decade == 2 else [1.0, 2.0, 5.0] if per_decade == 3 else [1.0])
    vals = sorted({float(f"{m * 10.0 ** e:.3g}") for e in range(lo, hi + 1) for m in steps
                   if min <= m * 10.0 ** e <= max})
    options = ([("off", 0.0)] if off else []) + [(f"{v:g}", v) for v in vals]
    if value not in [v for _, v in options]:
        raise ValueError(f"{description}: value {value} is not one of {[v for _, v in options]}")
    return _w().SelectionSlider(options=options, value=value, description=description,
                                layout=_layout(width), **_SHARED)


def slider(description, min, max, value, step=None, *, width="340px", fmt=".2f"):
    """A linear float slider (dropout rate, init scale, momentum...)."""
    _check_range(description, min, max, value)
    if step is not None:
        _v.number(f"{description}: step", step, 0.0, lo_open=True)
    step = step if step is not None else (max - min) / 20
    return _w().FloatSlider(value=value, min=min, max=max, step=step, description=description,
                            readout_format=fmt, layout=_layout(width), **_SHARED)


def int_slider(description, min, max, value, step=1, *, width="340px"):
    min, max, value = (_v.integer(f"{description}: {name}", x)
                       for name, x in (("min", min), ("max", max), ("value", value)))
    step = _v.integer(f"{description}: step", step, 1)
    _check_range(description, min, max, value)
    return _w().IntSlider(value=value, min=min, max=max, step=step, description=description,
                          layout=_layout(width), **_SHARED)


def _check_range(description, min, max, value):
    # ipywidgets would silently clamp a default outside [min, max]
    for name, x in (("min", min), ("max", max), ("value", value)):
        _v.number(f"{description}: {name}", x)
    if not min <= value <= max:
        raise ValueError(f"{description}: need min <= value <= max, got {min}, {value}, {max}")


def batch_slider(description="batch size", value=128, *, min_exp=0, max_exp=10, width="340px"):
    """Batch size restricted to powers of two, 2**min_exp .. 2**max_exp."""
    min_exp = _v.integer(f"{description}: min_exp", min_exp, 0, 20)
    max_exp = _v.integer(f"{description}: max_exp", max_exp, 0, 20)
    if min_exp > max_exp:
        raise ValueError(f"{description}: need min_exp <= max_exp (both integers in [0, 20]), "
                         f"got min_exp = {min_exp}, max_exp = {max_exp}")
    options = [2 ** e for e in range(min_exp, max_exp + 1)]
    value = _v.integer(f"{description}: value", value)
    if value not in options:
        raise ValueError(f"{description}: value must be a power of two in [{options[0]}, {options[-1]}] "
                         f"(2**min_exp .. 2**max_exp), got {value}")
    return _w().SelectionSlider(options=options, value=value, description=description,
                                layout=_layout(width), **_SHARED)


def dropdown(description, options, value=None, *, width="260px"):
    if isinstance(options, (str, bytes)) or not hasattr(options, "__iter__") or not _values(options):
        raise ValueError(f"{description}: options must be a non-empty list (or dict), got {options!r}")
    if value is not None and value not in _values(options):
        raise ValueError(f"{description}: value {value!r} is not one of {_values(options)}")
    return _w().Dropdown(options=options, value=value if value is not None else _first(options),
                         description=description, layout=_layout(width),
                         style={"description_width": "initial"})


def checkbox(description, value=True, *, width="auto"):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{description}: value must be True or False, got {value!r}")
    value = bool(value)
    return _w().Checkbox(value=value, description=description, indent=False, layout=_layout(width))


def _first(options):
    return _values(options)[0]


def _values(options):
    items = list(options.values()) if isinstance(options, dict) else list(options)
    return [o[1] if isinstance(o, tuple) else o for o in items]
