"""What keeps a day of lecture safe for the dashboards of ``widgets``: the checks of a value set
from Python (``Dashboard.set``) against its control's range, the release of every widget a
dashboard made, and the registry that closes the dashboard a re-run cell made last time."""
import weakref

import numpy as np

from . import validate as _v


def _w():
    import ipywidgets
    return ipywidgets


def close_tree(widget):
    for child in getattr(widget, "children", ()):
        close_tree(child)
    for part in ("layout", "style"):
        sub = getattr(widget, part, None)
        if sub is not None and hasattr(sub, "close"):
            sub.close()
    widget.close()


def check_control_value(name, control, value):
    """A ValueError naming the control and its range instead of ipywidgets' silent clamping."""
    w = _w()
    desc = f"{name} ({control.description})" if getattr(control, "description", "") else name
    if isinstance(control, w.Checkbox):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{desc} must be True or False, got {value!r}")
        return bool(value)
    if isinstance(control, (w.SelectionSlider, w.Dropdown)):
        options = list(control._options_values)
        for o in options:                    # the option itself (2.0 selects the option 2)
            try:
                if value is o or (not isinstance(value, (bool, np.bool_)) and bool(value == o)):
                    return o
            except (TypeError, ValueError):
                continue
        raise ValueError(f"{desc} must be one of {options}, got {value!r}")
    if isinstance(control, w.FloatLogSlider):
        lo, hi = control.base ** control.min, control.base ** control.max
        v = _v.number(desc, value, 0.0, lo_open=True, where=f"in [{lo:.3g}, {hi:.3g}]")
        if not lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9):
            raise ValueError(f"{desc} must be in [{lo:.3g}, {hi:.3g}] (the slider's range), got {value!r}")
        return value
    if isinstance(control, (w.IntSlider, w.BoundedIntText)):
        return _v.integer(desc, value, control.min, control.max)
    if hasattr(control, "min") and hasattr(control, "max"):
        _v.number(desc, value, control.min, control.max)
    return value


# re-running a dashboard cell replaces the dashboard it made last time: key -> [(run, ref)]
_REGISTRY = {}


def _cell_context():
    """(a key for the running notebook cell, its execution count), or None outside IPython."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    ip = get_ipython()
    if ip is None or getattr(ip, "kernel", None) is None:
        return None
    cell = None
    try:
        cell = ip.kernel.get_parent()["metadata"].get("cellId")     # JupyterLab, Notebook 7
    except Exception:
        pass
    if not cell:                                                    # nbconvert, classic
        hist = ip.user_ns.get("_ih") or [""]
        cell = hash(hist[-1])
    return cell, ip.execution_count


def release_previous(dash, experiment, key):
    """Close the dashboard that the same ``key`` (or, in a notebook, the same cell and
    experiment function) made before: ``Dashboard(..., key="race")`` re-created replaces it."""
    if key is not None:
        k, run = ("key", key), None
    else:
        ctx = _cell_context()
        if ctx is None:
            return
        k = ("cell", ctx[0], getattr(experiment, "__qualname__", repr(experiment)))
        run = ctx[1]
    keep = []
    for run0, ref in _REGISTRY.get(k, []):
        old = ref()
        if old is None:
            continue
        if run is not None and run0 == run:       # made by this same execution of the cell
            keep.append((run0, ref))
        else:
            old.close()
    _REGISTRY[k] = keep + [(run, weakref.ref(dash))]
