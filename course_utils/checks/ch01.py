"""Checks for chapter 01's exercises: the Momentum update and the Adam update.

    check_momentum(fn)   fn(w, dw, v, lr, mu) -> (w_new, v_new)
    check_adam(fn)       fn(w, dw, m, v, t, lr, beta1, beta2, eps) -> (w_new, m_new, v_new, t_new)

The references are ``course_utils.optimizers.momentum`` and ``.adam`` (the course's
conventions: v ← μ·v + η·g, w ← w − v; Adam per Kingma & Ba, ε outside the root).  Each hint
recomputes one typical wrong formula and names it when the student's output equals it.
"""
import numpy as np

from .. import optimizers as _opt
from .core import check, close as _close

__all__ = ["check_momentum", "check_adam", "momentum_reference", "adam_reference"]



def _same(got, alt):
    """True when every output of ``got`` matches the alternative (wrong) formula's."""
    return (isinstance(got, tuple) and len(got) == len(alt)
            and all(_close(g, a) for g, a in zip(got, alt)))


# ----------------------------------------------------------------------------- Momentum
def momentum_reference(w, dw, v, lr, mu):
    """The course's Momentum step on one array: returns (w_new, v_new)."""
    w_new, state = _opt.momentum(w, dw, {"v": v}, lr=lr, momentum=mu)
    return w_new, state["v"]


def _momentum_cases():
    g = np.random.default_rng(101)
    return [
        (g.standard_normal(4), g.standard_normal(4), np.zeros(4), 0.1, 0.9),          # first step
        (g.standard_normal((2, 3)), g.standard_normal((2, 3)), 0.3 * g.standard_normal((2, 3)), 0.05, 0.9),
        (g.standard_normal(5), g.standard_normal(5), 0.5 * g.standard_normal(5), 0.3, 0.5),
    ]


def _momentum_hints():
    def alt(fn):
        return lambda got, want, args: _same(got, fn(*args))

    v_over_eta = lambda w, dw, v, lr, mu: (w - lr * (mu * v + dw), mu * v + dw)
    textbook = lambda w, dw, v, lr, mu: (w + (mu * v - lr * dw), mu * v - lr * dw)
    plus_v = lambda w, dw, v, lr, mu: (w + (mu * v + lr * dw), mu * v + lr * dw)
    old_v = lambda w, dw, v, lr, mu: (w - v, mu * v + lr * dw)
    no_mu = lambda w, dw, v, lr, mu: (w - (v + lr * dw), v + lr * dw)
    ema = lambda w, dw, v, lr, mu: (w - (mu * v + (1 - mu) * lr * dw), mu * v + (1 - mu) * lr * dw)
    ema2 = lambda w, dw, v, lr, mu: (w - lr * (mu * v + (1 - mu) * dw), mu * v + (1 - mu) * dw)

    def v_only_over_eta(got, want, args):          # v stored as v/η, w step right or wrong
        w, dw, v, lr, mu = args
        return isinstance(got, tuple) and len(got) == 2 and _close(got[1], mu * v + dw)

    return [
        (alt(v_over_eta), "off by a factor η — did you store v/η (PyTorch's b ← μ·b + g)? "
                          "Here the velocity carries η: v ← μ·v + η·g, then w ← w − v."),
        (v_only_over_eta, "off by a factor η in v — did you store v/η? Here v ← μ·v + η·g."),
        (alt(textbook), "that is the textbook's sign convention (v ← μ·v − η·g, w ← w + v); this "
                        "course stores v with the other sign: v ← μ·v + η·g, w ← w − v."),
        (alt(plus_v), "sign error: the step goes downhill, w ← w − v (you added v)."),
        (alt(old_v), "w moved by the old velocity: update v first, then w ← w − v with the new v."),
        (alt(no_mu), "the old velocity must decay: v ← μ·v + η·g (you left out μ)."),
        (alt(ema), "that is the averaged form v ← μ·v + (1 − μ)·η·g (Andrew Ng's); here v ← μ·v + η·g."),
        (alt(ema2), "that is the averaged form v ← μ·v + (1 − μ)·g (Andrew Ng's); here v ← μ·v + η·g."),
    ]


def check_momentum(fn):
    """Check ``fn(w, dw, v, lr, mu) -> (w_new, v_new)`` against the course's Momentum rule."""
    return check("Momentum update", fn, momentum_reference, _momentum_cases(), _momentum_hints())


# ----------------------------------------------------------------------------- Adam
def adam_reference(w, dw, m, v, t, lr, beta1, beta2, eps):
    """The course's Adam step on one array: returns (w_new, m_new, v_new, t_new)."""
    w_new, s = _opt.adam(w, dw, {"m": m, "v": v, "t": t}, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    return w_new, s["m"], s["v"], s["t"]


def _adam_cases():
    g = np.random.default_rng(202)
    z = np.zeros(4)
    return [
        (g.standard_normal(4), g.standard_normal(4), z, z, 0, 0.001, 0.9, 0.999, 1e-8),   # first step
        (g.standard_normal((2, 3)), g.standard_normal((2, 3)), 0.1 * g.standard_normal((2, 3)),
         0.01 * g.random((2, 3)), 3, 0.01, 0.9, 0.999, 1e-8),
        (g.standard_normal(5), 1e-4 * g.standard_normal(5), np.zeros(5), np.zeros(5), 0,
         0.1, 0.8, 0.99, 1e-8),                                                          # tiny g: ε shows
        (g.standard_normal(3), g.standard_normal(3), 0.2 * g.standard_normal(3),
         0.05 * g.random(3), 10, 0.003, 0.95, 0.9, 1e-3),
    ]


def _adam_parts(w, dw, m, v, t, lr, b1, b2, eps):
    m1 = b1 * m + (1 - b1) * dw
    v1 = b2 * v + (1 - b2) * dw * dw
    return m1, v1, t + 1


def _adam_hints():
    def alt(fn):
        return lambda got, want, args: _same(got, fn(*args))

    def no_bias(w, dw, m, v, t, lr, b1, b2, eps):
        m1, v1, t1 = _adam_parts(w, dw, m, v, t, lr, b1, b2, eps)
        return w - lr * m1 / (np.sqrt(v1) + eps), m1, v1, t1

    def w_only_no_bias(got, want, args):
        return isinstance(got, tuple) and len(got) == 4 and _close(got[0], no_bias(*args)[0])

    def old_t(w, dw, m, v, t, lr, b1, b2, eps):
        m1, v1, t1 = _adam_parts(w, dw, m, v, t, lr, b1, b2, eps)
        with np.errstate(all="ignore"):
            mh, vh = m1 / (1 - b1 ** t), v1 / (1 - b2 ** t)
            return w - lr * mh / (np.sqrt(vh) + eps), m1, v1, t1

    def w_old_t(got, want, args):
        if not (isinstance(got, tuple) and len(got) == 4):
            return False
        if args[4] == 0:                             # 1 − β⁰ = 0: the step is inf or NaN
            m1, v1, _ = _adam_parts(*args)
            return (not np.all(np.isfinite(np.asarray(got[0], dtype=float)))
                    and _close(got[1], m1) and _close(got[2], v1))
        return _close(got[0], old_t(*args)[0])

    def t_not_returned(got, want, args):
        return (isinstance(got, tuple) and len(got) == 4 and all(_close(g, w) for g, w in
                                                              zip(got[:3], want[:3]))
                and np.asarray(got[3]).shape == () and int(got[3]) == int(args[4]))

    def eps_inside(w, dw, m, v, t, lr, b1, b2, eps):
        m1, v1, t1 = _adam_parts(w, dw, m, v, t, lr, b1, b2, eps)
        mh, vh = m1 / (1 - b1 ** t1), v1 / (1 - b2 ** t1)
        return w - lr * mh / np.sqrt(vh + eps), m1, v1, t1

    def plus(w, dw, m, v, t, lr, b1, b2, eps):
        m1, v1, t1 = _adam_parts(w, dw, m, v, t, lr, b1, b2, eps)
        mh, vh = m1 / (1 - b1 ** t1), v1 / (1 - b2 ** t1)
        return w + lr * mh / (np.sqrt(vh) + eps), m1, v1, t1

    def stored_hat(got, want, args):
        w, dw, m, v, t, lr, b1, b2, eps = args
        m1, v1, t1 = _adam_parts(*args)
        mh, vh = m1 / (1 - b1 ** t1), v1 / (1 - b2 ** t1)
        return (isinstance(got, tuple) and len(got) == 4 and _close(got[0], want[0])
                and (_close(got[1], mh) or _close(got[2], vh)))

    def swapped(w, dw, m, v, t, lr, b1, b2, eps):
        m1, v1 = (1 - b1) * m + b1 * dw, (1 - b2) * v + b2 * dw * dw
        mh, vh = m1 / (1 - b1 ** (t + 1)), v1 / (1 - b2 ** (t + 1))
        return w - lr * mh / (np.sqrt(vh) + eps), m1, v1, t + 1

    def v_not_squared(got, want, args):
        w, dw, m, v, t, lr, b1, b2, eps = args
        return isinstance(got, tuple) and len(got) == 4 and _close(got[2], b2 * v + (1 - b2) * dw)

    return [
        (w_old_t, "t not incremented before the bias correction: do t ← t + 1 first, so the "
                  "first step divides by 1 − β₁¹ (with t = 0 you divide by 1 − β⁰ = 0)."),
        (alt(no_bias), "missing bias correction: use m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ) in the "
                       "step (the early steps are too large without it)."),
        (w_only_no_bias, "missing bias correction: the step must use m̂ = m/(1 − β₁ᵗ) and "
                         "v̂ = v/(1 − β₂ᵗ), not m and v."),
        (alt(eps_inside), "ε inside the root: Adam adds ε after the square root, "
                          "w ← w − η·m̂/(√v̂ + ε)."),
        (alt(plus), "sign error: Adam steps downhill, w ← w − η·m̂/(√v̂ + ε)."),
        (stored_hat, "return the raw moments m and v as the new state; m̂ and v̂ are only used "
                     "for the step."),
        (alt(swapped), "β and 1 − β swapped: m ← β₁·m + (1 − β₁)·g (the old m gets the big weight)."),
        (v_not_squared, "v averages the squared gradient: v ← β₂·v + (1 − β₂)·g⊙g."),
        (t_not_returned, "the step is right, but return the incremented t (t + 1) as the new t."),
    ]


def check_adam(fn):
    """Check ``fn(w, dw, m, v, t, lr, beta1, beta2, eps) -> (w_new, m_new, v_new, t_new)``."""
    return check("Adam update", fn, adam_reference, _adam_cases(), _adam_hints())
