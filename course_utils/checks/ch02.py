"""Checks for chapter 02's exercises: Xavier/He standard deviations, ReLU and sigmoid backward."""
import numpy as np

from .. import layers as L
from ..net import init_std
from .core import check, close as _close, ratio_close

__all__ = ["check_init_std", "check_relu_backward", "check_sigmoid_backward"]


# ----------------------------------------------------------------------------- init std
def _ref_init_std(init, fan_in, fan_out):
    return float(init_std(init, fan_in))


def _other(init):
    return "he" if init == "xavier" else "xavier"


def check_init_std(fn):
    """``fn(init, fan_in, fan_out)`` must return Xavier √(1/fan_in) or He √(2/fan_in)."""
    cases = [("xavier", 100, 30), ("he", 100, 30), ("xavier", 784, 100), ("he", 784, 100),
             ("he", 50, 10)]
    hints = [
        (lambda got, want, a: _close(got, init_std(a[0], a[2])),
         "you divided by the fan-OUT (the layer's outputs); the rule uses the fan-in n, "
         "the number of inputs each unit sums over (W has shape (fan_in, fan_out))."),
        (lambda got, want, a: _close(got, np.sqrt((1.0 if a[0] == "xavier" else 2.0) / (a[1] + a[2]))
                                     ) or _close(got, np.sqrt(2.0 / (a[1] + a[2]))),
         "that is Glorot & Bengio's average form √(2/(n_in + n_out)); this course, like the "
         "textbook, uses the fan-in only: Xavier √(1/n), He √(2/n)."),
        (lambda got, want, a: _close(got, want ** 2),
         "you returned the variance (1/n or 2/n); the weights are drawn with the standard "
         "deviation, its square root: √(1/n) = 1/√n, not 1/n."),
        (lambda got, want, a: _close(got, init_std(_other(a[0]), a[1])),
         "Xavier and He are swapped (or the same for both): He has the 2 (√(2/n), for ReLU), "
         "Xavier the 1 (√(1/n))."),
        (lambda got, want, a: _close(got, 1.0 / want),
         "upside down: the std must shrink as the fan-in n grows — √(1/n), not √n."),
    ]
    return check("Xavier and He standard deviations", fn, _ref_init_std, cases, hints)


# ----------------------------------------------------------------------------- relu backward
def _ref_relu_backward(dout, x):
    return L.relu_backward(dout, x > 0)


def _relu_cases():
    g = np.random.default_rng(2)
    cases = []
    for shape in [(4, 5), (3, 7), (6, 2)]:
        x = g.choice([-1.5, -0.5, 0.0, 0.5, 2.0], size=shape) * g.uniform(0.5, 1.5, size=shape)
        x.flat[::3] = 0.0                      # exact zeros: the kink must be handled
        dout = g.choice([-1.0, 1.0], size=shape) * g.uniform(0.5, 2.0, size=shape)
        cases.append((dout, x))
    return cases


def check_relu_backward(fn):
    """``fn(dout, x)`` must return ``dout`` where ``x > 0`` and 0 elsewhere."""
    hints = [
        (lambda got, want, a: _close(got, a[0] * (a[1] >= 0)),
         "wrong at x = 0 exactly: ReLU's derivative there is taken as 0, so the mask is "
         "x > 0, not x >= 0."),
        (lambda got, want, a: _close(got, a[0] * (a[0] > 0)),
         "the mask comes from the layer's INPUT x (where was the unit active?), not from "
         "the incoming gradient dout."),
        (lambda got, want, a: _close(got, (a[1] > 0).astype(float)),
         "you returned only the mask: multiply it by the upstream gradient dout (chain rule)."),
        (lambda got, want, a: _close(got, np.maximum(a[1], 0.0)),
         "that is the forward pass max(0, x); the backward pass returns dout·[x > 0]."),
        (lambda got, want, a: _close(got, a[0] * (a[1] <= 0)) or _close(got, a[0] * (a[1] < 0)),
         "the mask is inverted: the gradient passes where x > 0 and is blocked where x ≤ 0."),
        (lambda got, want, a: _close(got, a[0]),
         "you returned dout unchanged: zero it wherever x ≤ 0."),
    ]
    return check("ReLU backward", fn, _ref_relu_backward, _relu_cases(), hints)


# ----------------------------------------------------------------------------- sigmoid backward
def _sigmoid(x):
    return L.sigmoid_forward(np.asarray(x, dtype=float))[0]


def _sigmoid_cases():
    g = np.random.default_rng(3)
    cases = []
    for shape in [(4, 5), (2, 3), (5, 1)]:
        out = _sigmoid(3.0 * g.standard_normal(shape))
        dout = g.standard_normal(shape)
        cases.append((dout, out))
    return cases


def check_sigmoid_backward(fn):
    """``fn(dout, out)`` (out = σ(x), the forward output) must return ``dout·out·(1 − out)``."""
    hints = [
        (lambda got, want, a: _close(got, a[1] * (1 - a[1])),
         "you returned σ'(x) alone: multiply by the upstream gradient dout (chain rule)."),
        (lambda got, want, a: _close(got, a[0] * (1 - a[1] ** 2)),
         "1 − out² is tanh's derivative; the sigmoid's is out·(1 − out)."),
        (lambda got, want, a: _close(got, a[0] * _sigmoid(a[1]) * (1 - _sigmoid(a[1]))),
         "`out` is already σ(x): use out·(1 − out) directly, do not apply σ again."),
        (lambda got, want, a: ratio_close(got, want, -1.0),
         "the sign is flipped: σ'(x) = σ(x)·(1 − σ(x)) is positive."),
        (lambda got, want, a: _close(got, a[0] * a[1]),
         "the factor (1 − out) is missing: σ'(x) = out·(1 − out)."),
    ]
    return check("sigmoid backward", fn, L.sigmoid_backward, _sigmoid_cases(), hints)
