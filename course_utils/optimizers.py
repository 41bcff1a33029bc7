"""Update rules, one short pure function per rule, lines in the order of the slides.

Each rule works on one array: ``rule(w, dw, state, **hp) -> (w_new, state_new)``, with
``init_rule(w) -> state``.  Nothing is modified in place.  ``Optimizer`` applies a rule to
every array of a parameter dict.

Notation: g = ``dw``, η = ``lr``, μ = ``momentum``, ρ = ``rho``, β₁, β₂ = ``beta1``, ``beta2``,
ε = ``eps``, λ = ``weight_decay``; the state holds ``v``, ``m``, ``G``, ``s``, ``d``, ``t``.
"""
import numpy as np

from . import validate as _v


def _zeros(w):
    return np.zeros_like(w)


def _positive(name, value):
    return _v.number(name, value, 0.0, lo_open=True)


def _unit(name, value):
    return _v.number(name, value, 0.0, 1.0, hi_open=True)


# ----------------------------------------------------------------------------- SGD
def init_sgd(w):
    return {}


def sgd(w, dw, state, *, lr=0.01):
    """Stochastic gradient descent.

        w ← w − η·g
    """
    return w - lr * dw, state


# ----------------------------------------------------------------------------- Momentum
def init_momentum(w):
    return {"v": _zeros(w)}


def momentum(w, dw, state, *, lr=0.01, momentum=0.9):
    """Momentum (Polyak's heavy ball).

        v ← μ·v + η·g
        w ← w − v

    Note: PyTorch's ``SGD(momentum=μ)`` stores v/η (``b ← μ·b + g; w ← w − η·b``): the same
    steps while η is constant, different once η changes.  Andrew Ng's form averages the
    gradient, ``v ← β·v + (1 − β)·g``, which is ours with η scaled by (1 − β).  The textbook
    (Deep Learning from Scratch) keeps −v: ``v ← μ·v − η·g; w ← w + v``.
    """
    v = momentum * state["v"] + lr * dw
    return w - v, {"v": v}


# ----------------------------------------------------------------------------- Nesterov
def init_nesterov(w):
    return {"v": _zeros(w)}


def nesterov(w, dw, state, *, lr=0.01, momentum=0.9):
    """Nesterov accelerated gradient.

    Look-ahead form (the slide), with the gradient taken at the look-ahead point::

        v ← μ·v + η·∇L(θ − μ·v)
        θ ← θ − v

    Implemented on the look-ahead point w = θ − μ·v, where the network's gradient g is
    evaluated, so the rule needs only g at the current parameters::

        v ← μ·v + η·g
        w ← w − μ·v − η·g           (the new v on the right)

    ``tests/test_optimizers.py`` checks that w equals θ − μ·v of the look-ahead form at every
    step.  Note: PyTorch's ``SGD(nesterov=True)`` is the same reparametrization with v/η
    stored; Keras' ``SGD(nesterov=True)`` stores −v (``m ← μ·m − η·g; w ← w + μ·m − η·g``).
    """
    v = momentum * state["v"] + lr * dw
    return w - momentum * v - lr * dw, {"v": v}


# ----------------------------------------------------------------------------- AdaGrad
def init_adagrad(w):
    return {"G": _zeros(w)}


def adagrad(w, dw, state, *, lr=0.01, eps=1e-7):
    """AdaGrad (Duchi et al. 2011): a per-weight step that shrinks as gradients accumulate.

        G ← G + g ⊙ g
        w ← w − η·g / √(G + ε)

    Note: ε sits inside the root, as on the slides and in Keras 3 (epsilon=1e-7); PyTorch
    (eps=1e-10), tf.keras 2 and the textbook (1e-7) add it outside, ``η·g / (√G + ε)``.
    Keras also starts G at 0.1, PyTorch and we at 0.
    """
    G = state["G"] + dw * dw
    return w - lr * dw / np.sqrt(G + eps), {"G": G}


# ----------------------------------------------------------------------------- RMSProp
def init_rmsprop(w):
    return {"s": _zeros(w)}


def rmsprop(w, dw, state, *, lr=0.001, rho=0.9, eps=1e-7):
    """RMSProp (Hinton's lecture 6e): AdaGrad with a moving average instead of a sum.

        s ← ρ·s + (1 − ρ)·g ⊙ g
        w ← w − η·g / √(s + ε)

    Note: ρ = 0.9 as in Keras (``rho``), which also puts ε (1e-7) inside the root, like the
    slides and we do; PyTorch calls ρ ``alpha`` and defaults to 0.99, with ε = 1e-8 outside
    the root.
    """
    s = rho * state["s"] + (1 - rho) * dw * dw
    return w - lr * dw / np.sqrt(s + eps), {"s": s}


# ----------------------------------------------------------------------------- AdaDelta
def init_adadelta(w):
    return {"s": _zeros(w), "d": _zeros(w)}


def adadelta(w, dw, state, *, rho=0.95, eps=1e-6, lr=1.0):
    """AdaDelta (Zeiler 2012, Algorithm 1): no learning rate; the step's units come from a
    moving average of past squared steps.

        s  ← ρ·s + (1 − ρ)·g ⊙ g
        Δw ← −(√(d + ε) / √(s + ε))·g
        d  ← ρ·d + (1 − ρ)·Δw ⊙ Δw
        w  ← w + Δw

    ρ = 0.95 and ε = 1e-6 are the paper's.  ``lr`` multiplies Δw in the last line only and
    is 1.0 by default (no η), as in PyTorch's ``Adadelta(lr=1.0)``; d is updated with the
    unscaled Δw.  Note: PyTorch defaults to ρ = 0.9, Keras to lr = 0.001 and ε = 1e-7.
    """
    s = rho * state["s"] + (1 - rho) * dw * dw
    delta = -np.sqrt(state["d"] + eps) / np.sqrt(s + eps) * dw
    d = rho * state["d"] + (1 - rho) * delta * delta
    return w + lr * delta, {"s": s, "d": d}


# ----------------------------------------------------------------------------- Adam
def init_adam(w):
    return {"m": _zeros(w), "v": _zeros(w), "t": 0}


def adam(w, dw, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    """Adam (Kingma & Ba 2015, Algorithm 1): momentum plus RMSProp, bias-corrected.

        t ← t + 1
        m ← β₁·m + (1 − β₁)·g
        v ← β₂·v + (1 − β₂)·g ⊙ g
        m̂ ← m / (1 − β₁ᵗ)
        v̂ ← v / (1 − β₂ᵗ)
        w ← w − η·m̂ / (√v̂ + ε)

    ε sits outside the root, as in the paper and PyTorch.  Note: Keras defaults ε to 1e-7;
    the textbook folds the corrections into η_t = η·√(1 − β₂ᵗ)/(1 − β₁ᵗ), which moves ε.
    """
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), {"m": m, "v": v, "t": t}


def init_adamw(w):
    return init_adam(w)


def adamw(w, dw, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """AdamW (Loshchilov & Hutter 2019): Adam with *decoupled* weight decay.

        (t, m, v, m̂, v̂ as in Adam, from the gradient of the unpenalized loss)
        w ← w − η·(m̂ / (√v̂ + ε) + λ·w)

    L2 inside Adam (``MLP(weight_decay=λ)`` with ``adam``) adds λ·w to g *before* the
    adaptive scaling, so large-gradient weights are decayed less; here every weight shrinks
    by the same factor (1 − ηλ).  Note: PyTorch's ``AdamW`` (weight_decay=0.01) is this rule;
    ``Optimizer`` applies λ to weight matrices ("*.W") only.
    """
    # region update (chapter 04 prints it)
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * w), {"m": m, "v": v, "t": t}


# ----------------------------------------------------------------------------- registry
OPTIMIZERS = {
    "sgd": sgd, "momentum": momentum, "nesterov": nesterov, "adagrad": adagrad,
    "rmsprop": rmsprop, "adadelta": adadelta, "adam": adam, "adamw": adamw,
}
INIT = {
    "sgd": init_sgd, "momentum": init_momentum, "nesterov": init_nesterov,
    "adagrad": init_adagrad, "rmsprop": init_rmsprop, "adadelta": init_adadelta,
    "adam": init_adam, "adamw": init_adamw,
}
# The lecture's defaults (see each rule's docstring for other libraries').
DEFAULTS = {
    "sgd": {"lr": 0.01},
    "momentum": {"lr": 0.01, "momentum": 0.9},
    "nesterov": {"lr": 0.01, "momentum": 0.9},
    "adagrad": {"lr": 0.01, "eps": 1e-7},
    "rmsprop": {"lr": 0.001, "rho": 0.9, "eps": 1e-7},
    "adadelta": {"rho": 0.95, "eps": 1e-6, "lr": 1.0},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "adamw": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01},
}


def check_hyperparameters(name, hp):
    """Raise ``ValueError`` naming the hyperparameter and its allowed range."""
    for key, value in hp.items():
        if key not in DEFAULTS[name]:
            raise ValueError(f"{name} has no hyperparameter {key!r}; allowed: {sorted(DEFAULTS[name])}")
        if key in ("lr", "eps"):
            _positive(key, value)
        elif key in ("momentum", "rho", "beta1", "beta2"):
            _unit(key, value)
        elif key == "weight_decay":
            _v.number("weight_decay", value, 0.0)


class Optimizer:
    """Applies one rule to every array of a parameter dict.

    opt = Optimizer("adam", lr=1e-3)
    state = opt.init(params)
    params, state = opt.update(params, grads, state)            # lr=... overrides η (schedules)

    Missing hyperparameters take ``DEFAULTS[name]``.  Inputs are never modified.
    """

    def __init__(self, name, **hp):
        key = name.lower() if isinstance(name, str) else None
        if key not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer name {name!r}; choose one of {sorted(OPTIMIZERS)}")
        check_hyperparameters(key, hp)
        self.name = key
        self.rule = OPTIMIZERS[key]
        self.hp = {**DEFAULTS[key], **hp}

    @property
    def lr(self):
        return self.hp["lr"]

    def init(self, params):
        return {k: INIT[self.name](w) for k, w in params.items()}

    def update(self, params, grads, state, lr=None):
        if lr is not None:
            _v.number("lr", lr, 0.0, where=">= 0 (a schedule may reach 0)")
        hp = self.hp if lr is None else {**self.hp, "lr": lr}
        if not isinstance(params, dict) or not isinstance(grads, dict) or not isinstance(state, dict):
            raise TypeError("params, grads and state must be dicts name -> array "
                            "(state from opt.init(params))")
        missing = [k for k in params if k not in grads or k not in state]
        if missing:
            raise ValueError(f"grads and state need an entry for every parameter; missing for {missing}")
        new_params, new_state = {}, {}
        for k, w in params.items():
            kw = hp
            if self.name == "adamw" and not k.endswith(".W"):
                kw = {**hp, "weight_decay": 0.0}
            new_params[k], new_state[k] = self.rule(w, grads[k], state[k], **kw)
        return new_params, new_state

    def __repr__(self):
        return f"Optimizer({self.name!r}, {', '.join(f'{k}={v}' for k, v in self.hp.items())})"
