"""Update rules, one short pure function per rule, lines in the order of the slides, and the
one table that registers them.

Each rule works on one array: ``rule(w, dw, state, *, lr=..., ...) -> (w_new, state_new)``;
its keyword defaults are the lecture's hyperparameters.  Nothing is modified in place.
``TABLE`` (at the end) registers each rule once: its name, its state, its label and, if it
wants them, its plot colour and marker.  Everything else follows from that row: ``Optimizer``
applies a rule to every array of a parameter dict, ``DEFAULTS`` are read from the rule's
signature, ``RANGES`` check the hyperparameters, ``plots`` draws it, the tests test it.

Notation: g = ``dw``, η = ``lr``, μ = ``momentum``, ρ = ``rho``, β₁, β₂ = ``beta1``, ``beta2``,
ε = ``eps``, λ = ``weight_decay``; the state holds ``v``, ``m``, ``G``, ``s``, ``d``, ``t``.
"""
import inspect
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from . import validate as _v


# ----------------------------------------------------------------------------- SGD
def sgd(w, dw, state, *, lr=0.01):
    """Stochastic gradient descent.

        w ← w − η·g

    Note: the same rule in PyTorch (``SGD(lr=1e-3)``) and Keras (``SGD(learning_rate=0.01)``);
    "stochastic" is in the data (a mini-batch's gradient), not in the rule.
    """
    return w - lr * dw, state


# ----------------------------------------------------------------------------- Momentum
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


def adamw(w, dw, state, *, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01):
    """AdamW (Loshchilov & Hutter 2019): Adam with *decoupled* weight decay.

        (t, m, v, m̂, v̂ as in Adam, from the gradient of the unpenalized loss)
        w ← w − η·(m̂ / (√v̂ + ε) + λ·w)

    L2 inside Adam (``MLP(weight_decay=λ)`` with ``adam``) adds λ·w to g *before* the
    adaptive scaling, so large-gradient weights are decayed less; here every weight shrinks
    by the same factor (1 − ηλ).  Note: PyTorch's ``AdamW`` (weight_decay=0.01) is this rule;
    ``Optimizer`` applies λ only where its ``decay_mask(key)`` is true, by default to weight
    matrices ("*.W"), not to biases or batch norm's γ, β.
    """
    # region update (chapter 04 prints it)
    t = state["t"] + 1
    m = beta1 * state["m"] + (1 - beta1) * dw
    v = beta2 * state["v"] + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * (m_hat / (np.sqrt(v_hat) + eps) + weight_decay * w), {"m": m, "v": v, "t": t}


# ----------------------------------------------------------------------------- registry
def zero_state(*arrays, **counters):
    """A rule's state init: ``arrays`` start as zeros shaped like w, ``counters`` at the
    numbers given.  ``zero_state("m", "v", t=0)(w) -> {"m": 0·w, "v": 0·w, "t": 0}``."""
    def init(w):
        return {**{k: np.zeros_like(w) for k in arrays}, **counters}
    return init


# The allowed range of every hyperparameter name, as ``validate.number``'s arguments; a rule
# whose hyperparameter has a new name needs a row here (the registry says so on import).
RANGES = {
    "lr": dict(lo=0.0, lo_open=True),
    "eps": dict(lo=0.0, lo_open=True),
    "momentum": dict(lo=0.0, hi=1.0, hi_open=True),
    "rho": dict(lo=0.0, hi=1.0, hi_open=True),
    "beta1": dict(lo=0.0, hi=1.0, hi_open=True),
    "beta2": dict(lo=0.0, hi=1.0, hi_open=True),
    "weight_decay": dict(lo=0.0),
}


@dataclass(frozen=True)
class OptimizerEntry:
    """One registered optimizer: its ``rule``, its state ``init(w) -> state``, the ``label``
    plots print and, optionally, its plot ``color`` and ``marker`` (``plots`` picks unused
    ones when they are None).  ``defaults`` are the rule's keyword defaults."""
    name: str
    rule: Callable
    init: Callable
    label: str
    color: Optional[str] = None
    marker: Optional[str] = None
    defaults: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        # 1. a lower-case name, a state init and a label
        if not (isinstance(self.name, str) and self.name == self.name.lower().strip() and self.name):
            raise ValueError(f"an optimizer's name is lower case, got {self.name!r}")
        if not callable(self.init) or not (isinstance(self.label, str) and self.label):
            raise TypeError(f"optimizer {self.name!r} needs a state init(w) and a label")
        # 2. the rule's signature: (w, dw, state, *, hyperparameter=default, ...)
        params = list(inspect.signature(self.rule).parameters.values())
        if [p.name for p in params[:3]] != ["w", "dw", "state"] or not all(
                p.kind is p.KEYWORD_ONLY and p.default is not p.empty for p in params[3:]):
            raise TypeError(f"optimizer {self.name!r}: the rule must be written "
                            f"rule(w, dw, state, *, name=default, ...), got {self.rule.__name__}"
                            f"{inspect.signature(self.rule)}")
        defaults = {p.name: p.default for p in params[3:]}
        # 3. every hyperparameter has a range, and its default lies in it
        unknown = sorted(set(defaults) - set(RANGES))
        if unknown:
            raise ValueError(f"optimizer {self.name!r}: hyperparameters {unknown} have no row in "
                             f"optimizers.RANGES; allowed names: {sorted(RANGES)}")
        object.__setattr__(self, "defaults", defaults)
        self.check(defaults)

    def check(self, hp):
        """Raise ``ValueError`` naming an unknown hyperparameter, or one out of its range."""
        for key, value in hp.items():
            if key not in self.defaults:
                raise ValueError(f"{self.name} has no hyperparameter {key!r}; "
                                 f"allowed: {sorted(self.defaults)}")
            _v.number(key, value, **RANGES[key])

    def hyperparameters(self, hp):
        """The defaults updated by ``hp`` (checked first); the values are kept as given."""
        self.check(hp)
        return {**self.defaults, **hp}


# One row per optimizer, in the order of the slides; a new optimizer is one more row (see
# docs/CONTRIBUTING.md).  Colours are Okabe-Ito (plots.PALETTE): neighbours get far-apart hues
# (Momentum blue, RMSProp purple, Adam vermillion, ...), Nesterov is Momentum's lighter cousin;
# a row without colour or marker gets unused ones from ``plots.optimizer_styles``.
TABLE = [
    #              name        rule      state                       label       colour     marker
    OptimizerEntry("sgd",      sgd,      zero_state(),               "SGD",      "#000000", "o"),
    OptimizerEntry("momentum", momentum, zero_state("v"),            "Momentum", "#0072B2", "s"),
    OptimizerEntry("nesterov", nesterov, zero_state("v"),            "Nesterov", "#56B4E9", "D"),
    OptimizerEntry("adagrad",  adagrad,  zero_state("G"),            "AdaGrad",  "#009E73", "^"),
    OptimizerEntry("rmsprop",  rmsprop,  zero_state("s"),            "RMSProp",  "#CC79A7", "v"),
    OptimizerEntry("adadelta", adadelta, zero_state("s", "d"),       "AdaDelta", "#B8A000", "P"),
    OptimizerEntry("adam",     adam,     zero_state("m", "v", t=0),  "Adam",     "#D55E00", "X"),
    OptimizerEntry("adamw",    adamw,    zero_state("m", "v", t=0),  "AdamW",    "#E69F00", "*"),
]


def _index(table):
    registry = {}
    for entry in table:
        if entry.name in registry:
            raise ValueError(f"optimizer {entry.name!r} is registered twice")
        registry[entry.name] = entry
    return registry


REGISTRY = _index(TABLE)
# Views of the registry under their old names (chapters and tests read them).
OPTIMIZERS = {name: e.rule for name, e in REGISTRY.items()}
INIT = {name: e.init for name, e in REGISTRY.items()}
DEFAULTS = {name: dict(e.defaults) for name, e in REGISTRY.items()}
init_sgd, init_momentum, init_nesterov = INIT["sgd"], INIT["momentum"], INIT["nesterov"]
init_adagrad, init_rmsprop, init_adadelta = INIT["adagrad"], INIT["rmsprop"], INIT["adadelta"]
init_adam, init_adamw = INIT["adam"], INIT["adamw"]


def lookup(name):
    """The registered optimizer called ``name`` (any case), else a ``ValueError`` listing them."""
    key = name.lower() if isinstance(name, str) else None
    if key not in REGISTRY:
        raise ValueError(f"unknown optimizer name {name!r}; choose one of {sorted(REGISTRY)}")
    return REGISTRY[key]


def check_hyperparameters(name, hp):
    """Raise ``ValueError`` naming the hyperparameter and its allowed range."""
    lookup(name).check(hp)


def weights_only(key):
    """The default ``decay_mask``: decoupled weight decay shrinks weight matrices (keys ending
    in ".W"), not biases or batch norm's γ, β."""
    return key.endswith(".W")


class Optimizer:
    """Applies one rule to every array of a parameter dict.

    opt = Optimizer("adam", lr=1e-3)
    state = opt.init(params)
    params, state = opt.update(params, grads, state)            # lr=... overrides η (schedules)

    Missing hyperparameters take the rule's defaults (``DEFAULTS[name]``).  Inputs are never
    modified.  For a rule with decoupled weight decay (a ``weight_decay`` hyperparameter, as
    ``adamw``), ``decay_mask(key) -> bool`` says which parameters it shrinks; the others get
    the rule with λ = 0.  The default, ``weights_only``, decays the keys ending in ".W".
    """

    def __init__(self, name, *, decay_mask=None, **hp):
        self.entry = lookup(name)
        self.name = self.entry.name
        self.rule = self.entry.rule
        self.hp = self.entry.hyperparameters(hp)
        if decay_mask is not None and "weight_decay" not in self.hp:
            decaying = [n for n, e in REGISTRY.items() if "weight_decay" in e.defaults]
            raise ValueError(f"decay_mask applies to rules with decoupled weight decay "
                             f"{decaying}; {self.name} has none")
        if decay_mask is not None and not callable(decay_mask):
            raise TypeError(f"decay_mask must be a function key -> bool "
                            f"(e.g. lambda key: key.endswith('.W')), got {decay_mask!r}")
        self.decay_mask = weights_only if decay_mask is None else decay_mask

    @property
    def lr(self):
        return self.hp["lr"]

    def init(self, params):
        return {k: self.entry.init(w) for k, w in params.items()}

    def _decays(self, key):
        decays = self.decay_mask(key)
        if not isinstance(decays, (bool, np.bool_)):
            raise TypeError(f"decay_mask({key!r}) must return True or False, got {decays!r}")
        return decays

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
        decoupled = "weight_decay" in hp                       # λ only where decay_mask says
        undecayed = {**hp, "weight_decay": 0.0} if decoupled else hp
        new_params, new_state = {}, {}
        for k, w in params.items():
            kw = hp if not decoupled or self._decays(k) else undecayed
            new_params[k], new_state[k] = self.rule(w, grads[k], state[k], **kw)
        return new_params, new_state

    def __repr__(self):
        mask = "" if self.decay_mask is weights_only else f", decay_mask={self.decay_mask!r}"
        return f"Optimizer({self.name!r}, {', '.join(f'{k}={v}' for k, v in self.hp.items())}{mask})"


# ----------------------------------------------------------------------------- post-steps
def soft_threshold(w, threshold):
    """Soft-thresholding, the proximal map of t·|w| (t = ``threshold``), elementwise:

        w ← sign(w)·max(|w| − t, 0)

    Every |w| ≤ t becomes exactly 0, the others move t towards 0.  Returns a new array.
    Note: ``torch.nn.functional.softshrink(w, t)`` is this map; neither PyTorch nor Keras has
    a proximal optimizer, the subgradient step of an L1 penalty (``MLP(penalty="l1")``) never
    lands on 0.
    """
    w = np.asarray(w, dtype=float)
    return np.sign(w) * np.maximum(np.abs(w) - threshold, 0.0)


def post_prox_l1(lam):
    """Post-step of proximal L1 (ISTA, λ = ``lam``): after the optimizer's step on the data
    loss, u = w − η·g for SGD,

        w ← sign(u)·max(|u| − η·λ, 0)            (``soft_threshold(u, η·λ)``)

    with the η of that step.  Use it with an ``MLP`` whose own ``weight_decay`` is 0: the
    penalty lives in this step only.  Note: with SGD this is exact proximal gradient descent;
    after an adaptive rule (Adam) η·λ is only a heuristic threshold.
    """
    _v.number("lam", lam, 0.0)

    def prox_l1(w, lr):
        return soft_threshold(w, lr * lam)
    prox_l1.__qualname__ = f"post_prox_l1({lam})"
    return prox_l1


def post_max_norm(c):
    """Post-step of the max-norm constraint (``layers.max_norm``): each unit's incoming weight
    vector (a column of W, shape (fan_in, fan_out)) is projected into the ball ‖w‖₂ ≤ c,

        w_j ← w_j · min(1, c / ‖w_j‖₂)

    after every step.  Note: Keras' ``MaxNorm(c, axis=0)`` for a Dense kernel; Srivastava et
    al. (2014) use c ≈ 3–4.  Apply it to hidden layers' weights only (``keys=...``).
    """
    from .layers import max_norm
    _v.number("c", c, 0.0, lo_open=True)

    def project(w, lr):
        return max_norm(w, c)
    project.__qualname__ = f"post_max_norm({c})"
    return project


class PostStep:
    """An optimizer whose every update is followed by ``post(w, lr) -> w_new`` on some of the
    parameters: ``with_post_step(optimizer, post, keys=weights_only)``.  See ``with_post_step``."""

    def __init__(self, optimizer, post, keys=weights_only):
        if not all(callable(getattr(optimizer, m, None)) for m in ("init", "update")):
            raise TypeError(f"optimizer must have init(params) and update(params, grads, state, lr=None) "
                            f"(an Optimizer), got {optimizer!r}")
        self.optimizer = optimizer
        self.post = _v.function("post", post, "post(w, lr) -> w_new")
        if callable(keys):
            self.keys, self._applies = keys, keys
        elif isinstance(keys, str):
            raise TypeError(f"keys must be a function key -> bool or a list of parameter names, got {keys!r}")
        else:
            self.keys = frozenset(keys)
            self._applies = self.keys.__contains__

    @property
    def lr(self):
        return self.optimizer.lr

    def init(self, params):
        return self.optimizer.init(params)

    def update(self, params, grads, state, lr=None):
        if isinstance(self.keys, frozenset) and not self.keys <= set(params):
            raise ValueError(f"post-step keys {sorted(self.keys - set(params))} are not parameters; "
                             f"the parameters are {list(params)}")
        params, state = self.optimizer.update(params, grads, state, lr=lr)
        lr = self.optimizer.lr if lr is None else lr
        return {k: self.post(w, lr) if self._applies(k) else w for k, w in params.items()}, state

    def __repr__(self):
        keys = getattr(self.keys, "__name__", None) or sorted(self.keys)
        return f"with_post_step({self.optimizer!r}, {self.post.__qualname__}, keys={keys})"


def with_post_step(optimizer, post, *, keys=weights_only):
    """``optimizer`` followed, after every update, by a post-step on the chosen parameters:

        w ← optimizer step(w, g)
        w ← post(w, η)              for every key in ``keys`` (the others keep the step's w)

    ``post(w, lr) -> w_new`` is a pure function of one array and the step's η (the ``lr``
    ``train`` passes, i.e. the schedule's); ``post_prox_l1(λ)`` (exact zeros from L1, ISTA) and
    ``post_max_norm(c)`` (dropout's max-norm) are the course's.  ``keys`` is a function
    key -> bool, by default ``weights_only`` (the "*.W" matrices, not biases or BN's γ, β), or a
    list of parameter names.  The result has ``init``, ``update`` and ``lr`` like an
    ``Optimizer``, so ``train`` takes it, and it can be wrapped again::

        opt = with_post_step(Optimizer("sgd", lr=0.01), post_prox_l1(0.01))            # ISTA
        opt = with_post_step(Optimizer("sgd", lr=0.05), post_max_norm(3.0), keys=["fc1.W"])

    Note: Keras attaches such a projection to the layer (``kernel_constraint=MaxNorm(c)``), applied
    after each optimizer step; PyTorch has no hook for it, one writes it after ``opt.step()``
    under ``torch.no_grad()``.
    """
    return PostStep(optimizer, post, keys)
