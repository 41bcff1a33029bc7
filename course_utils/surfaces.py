"""Two-dimensional loss surfaces for the optimizer race.

Each ``Surface`` has ``f(x, y)`` (vectorized, for contours), ``grad(x, y) -> (gx, gy)``, a
start point, the minimum and plot bounds.
"""
from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Surface:
    name: str
    title: str
    f: Callable
    grad: Callable
    start: tuple
    minimum: tuple
    xlim: tuple
    ylim: tuple
    levels: object = None

    def value(self, p):
        return float(self.f(p[0], p[1]))

    def gradient(self, p):
        return np.array(self.grad(p[0], p[1]), dtype=np.float64)


def _two_minima(x, y):
    return (x * x - 1) ** 2 + 0.3 * x + y * y


SURFACES = {
    "textbook": Surface(
        "textbook", "f(x, y) = x²/20 + y²",
        lambda x, y: x ** 2 / 20.0 + y ** 2,
        lambda x, y: (x / 10.0, 2.0 * y),
        (-7.0, 2.0), (0.0, 0.0), (-10, 10), (-5, 5)),
    "ill_conditioned": Surface(
        "ill_conditioned", "f(x, y) = x²/100 + 4y²  (condition number 400)",
        lambda x, y: x ** 2 / 100.0 + 4.0 * y ** 2,
        lambda x, y: (x / 50.0, 8.0 * y),
        (-8.0, 1.0), (0.0, 0.0), (-10, 10), (-2, 2)),
    "rosenbrock": Surface(
        "rosenbrock", "Rosenbrock  (1 − x)² + 100(y − x²)²",
        lambda x, y: (1 - x) ** 2 + 100.0 * (y - x ** 2) ** 2,
        lambda x, y: (-2 * (1 - x) - 400.0 * x * (y - x ** 2), 200.0 * (y - x ** 2)),
        (-1.5, 2.0), (1.0, 1.0), (-2, 2), (-1, 3),
        levels=np.logspace(-1, 3.5, 15)),
    "saddle": Surface(
        "saddle", "saddle  f(x, y) = x² − y² + y⁴/4",
        lambda x, y: x ** 2 - y ** 2 + y ** 4 / 4.0,
        lambda x, y: (2.0 * x, -2.0 * y + y ** 3),
        (-2.0, 1e-3), (0.0, np.sqrt(2.0)), (-2.5, 2.5), (-2.5, 2.5)),
    "two_minima": Surface(
        "two_minima", "two minima  (x² − 1)² + 0.3x + y²",
        _two_minima,
        lambda x, y: (4 * x * (x * x - 1) + 0.3, 2.0 * y),
        (1.6, 1.5), (-1.0356, 0.0), (-2, 2), (-2, 2)),
}


def rotate(surface, degrees, *, name=None, title=None, xlim=None, ylim=None, levels=None):
    """The same surface turned by ``degrees`` (counter-clockwise) about the origin.

    With R the rotation, ``f_rot(p) = f(Rᵀp)`` and ``∇f_rot(p) = R·∇f(Rᵀp)``; the start point
    and the minimum are turned with it.  The Hessian's eigenvalues, hence the condition number,
    do not change; only its eigenvectors stop being the coordinate axes.  SGD and Momentum are
    rotation-invariant (their paths turn with the surface); the diagonal (per-coordinate)
    methods AdaGrad, RMSProp and Adam are not.
    """
    th = np.deg2rad(degrees)
    c, s = np.cos(th), np.sin(th)
    f0, g0 = surface.f, surface.grad

    def f(x, y):
        return f0(c * x + s * y, -s * x + c * y)

    def grad(x, y):
        gu, gv = g0(c * x + s * y, -s * x + c * y)
        return (c * gu - s * gv, s * gu + c * gv)

    def turn(p):
        return (float(c * p[0] - s * p[1]), float(s * p[0] + c * p[1]))

    return Surface(name or f"{surface.name}_rot{degrees:g}",
                   title or f"{surface.title}, turned by {degrees:g}°", f, grad,
                   turn(surface.start), turn(surface.minimum),
                   xlim or surface.xlim, ylim or surface.ylim,
                   surface.levels if levels is None else levels)


SURFACES["rotated"] = rotate(
    SURFACES["ill_conditioned"], 45, name="rotated",
    title="x²/100 + 4y² turned by 45°  (κ = 400)", xlim=(-8, 8), ylim=(-8, 8),
    levels=np.geomspace(0.02, 200, 13))


def get_surface(name):
    if name not in SURFACES:
        raise ValueError(f"surface must be one of {sorted(SURFACES)}, got {name!r}")
    return SURFACES[name]


def run_optimizer(surface, rule_name, steps=30, start=None, **hp):
    """Trajectory of ``steps`` updates of one registered rule (``optimizers.lookup``: any
    case) on a surface: array (steps + 1, 2).  The point is one array, so a decoupled weight
    decay (``adamw``) shrinks it (no ``decay_mask`` here).

    Stops early (rows after are NaN-free: the array is shorter) if the point leaves the
    finite range, so a diverging learning rate draws as far as it got.
    """
    from .optimizers import lookup

    entry = lookup(rule_name)                      # the registry checks the name and hp
    hp = entry.hyperparameters(hp)
    w = np.array(surface.start if start is None else start, dtype=np.float64)
    state = entry.init(w)
    path = [w]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            w, state = entry.rule(w, surface.gradient(w), state, **hp)
            if not np.all(np.isfinite(w)) or np.abs(w).max() > 1e6:
                break
            path.append(w)
    return np.array(path)
