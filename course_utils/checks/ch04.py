"""Checks for chapter 04's exercises: the L2 penalty with its gradient, the proximal
(soft-threshold) L1 step, and the early-stopping rule.

    check_l2_penalty(fn)      fn(params, lam) -> (penalty, grads)
    check_prox_l1_step(fn)    fn(w, dw, lr, lam) -> w_new
    check_early_stopping(fn)  fn(val_losses, patience) -> (stop_epoch, best_epoch)

Conventions (those of ``course_utils.net.MLP`` and ``course_utils.training.EarlyStopping``):
- L2 penalizes the weight matrices only (keys ending in ".W"): penalty ``λ/2·Σw²``, gradient
  ``λ·w``; biases and batch-norm parameters get a zero gradient from the penalty.
- Proximal L1 step (ISTA / "soft-thresholding"): a plain gradient step on the data loss,
  ``u = w − η·dw``, then the proximal map of ``η·λ·|w|``:
  ``w_new = sign(u)·max(|u| − ηλ, 0)``.  Weights with ``|u| <= ηλ`` become exactly 0.
- Early stopping on a validation loss: an epoch improves when its loss is strictly below the
  best so far; ``patience`` non-improving epochs in a row are tolerated and training stops at
  the next one (the counter exceeds ``patience``).  Epochs count from 1; if the rule never
  fires, training ends at the last epoch, ``len(val_losses)``.
Each hint recomputes one typical wrong answer and names it when the student's output equals it.
"""
import numpy as np

from ..training import EarlyStopping
from ..optimizers import soft_threshold
from .core import check, close as _close

__all__ = ["check_l2_penalty", "check_early_stopping", "l2_penalty_reference",
           "early_stopping_reference", "check_prox_l1_step", "prox_l1_step_reference"]


def _as_pair(out):
    """Accept a list [a, b] as well as a tuple (a, b)."""
    return tuple(out) if isinstance(out, list) and len(out) == 2 else out


# ----------------------------------------------------------------------------- L2 penalty
def _is_weight(key):
    return key.endswith(".W")


def l2_penalty_reference(params, lam):
    """λ/2·Σw² over the weight matrices ("*.W"), and the penalty's gradient for every parameter."""
    penalty = 0.5 * lam * sum(float(np.sum(v * v)) for k, v in params.items() if _is_weight(k))
    grads = {k: lam * v if _is_weight(k) else np.zeros_like(v) for k, v in params.items()}
    return penalty, grads


def _l2_cases():
    g = np.random.default_rng(404)

    def net_params(dims, bn=False):
        p = {}
        for i in range(1, len(dims)):
            p[f"fc{i}.W"] = g.standard_normal((dims[i - 1], dims[i]))
            p[f"fc{i}.b"] = g.standard_normal(dims[i])          # nonzero, so penalizing them shows
            if bn and i < len(dims) - 1:
                p[f"bn{i}.gamma"] = 1.0 + 0.5 * g.standard_normal(dims[i])
                p[f"bn{i}.beta"] = g.standard_normal(dims[i])
        return p

    return [
        (net_params([3, 4, 2]), 0.1),
        (net_params([5, 6, 6, 3]), 0.01),
        (net_params([4, 5, 3], bn=True), 1.0),
    ]


def _l2_hints():
    def pen_is(fn):
        return lambda got, want, args: _close(_as_pair(got)[0], fn(*args))

    def grads_are(fn):
        def test(got, want, args):
            grads, ref = _as_pair(got)[1], fn(*args)
            return isinstance(grads, dict) and set(grads) == set(ref) and all(
                _close(grads[k], ref[k]) for k in ref)
        return test

    def W(params):
        return [v for k, v in params.items() if _is_weight(k)]

    no_half = lambda p, lam: lam * sum(float(np.sum(w * w)) for w in W(p))
    with_biases = lambda p, lam: 0.5 * lam * sum(float(np.sum(v * v)) for v in p.values())
    with_biases_no_half = lambda p, lam: lam * sum(float(np.sum(v * v)) for v in p.values())
    mean = lambda p, lam: 0.5 * lam * float(np.mean(np.concatenate([w.ravel() ** 2 for w in W(p)])))
    mean_per_layer = lambda p, lam: 0.5 * lam * sum(float(np.mean(w * w)) for w in W(p))
    l1 = lambda p, lam: lam * sum(float(np.sum(np.abs(w))) for w in W(p))
    norm = lambda p, lam: 0.5 * lam * np.sqrt(sum(float(np.sum(w * w)) for w in W(p)))
    norm_per_layer = lambda p, lam: 0.5 * lam * sum(float(np.linalg.norm(w)) for w in W(p))

    def g_scaled(factor, biases=False):
        return lambda p, lam: {k: factor * lam * v if (_is_weight(k) or biases) else np.zeros_like(v)
                               for k, v in p.items()}

    def grads_weights_only(got, want, args):
        grads = _as_pair(got)[1]
        return isinstance(grads, dict) and set(grads) == {k for k in args[0] if _is_weight(k)}

    return [
        (pen_is(no_half), "your penalty is twice too large: L2 is λ/2·Σw² — the ½ is there so that "
                          "the gradient comes out as exactly λ·w."),
        (pen_is(with_biases), "your penalty includes the biases (and BN's γ, β): only the weight "
                              "matrices, the keys ending in '.W', are decayed."),
        (pen_is(with_biases_no_half), "two mistakes: the ½ is missing (λ/2·Σw²) and the biases are "
                                      "penalized (only keys ending in '.W')."),
        (pen_is(mean), "you averaged w² — the penalty is a sum over all weights, λ/2·Σw², not a mean."),
        (pen_is(mean_per_layer), "you averaged w² per layer — the penalty is a sum over all weights, "
                                 "λ/2·Σw²."),
        (pen_is(l1), "that is the L1 penalty λ·Σ|w|; L2 squares the weights: λ/2·Σw²."),
        (pen_is(norm), "you took the norm ‖w‖, not its square: L2 is λ/2·Σw² (no square root)."),
        (pen_is(norm_per_layer), "you took each layer's norm ‖W‖, not its square: L2 is λ/2·Σw² "
                                 "(no square root)."),
        (grads_are(g_scaled(0.5)), "the gradient is λ·w, not λ/2·w: d/dw (λ/2·w²) = λ·w — the ½ "
                                   "cancels the 2 from the square."),
        (grads_are(g_scaled(2.0)), "2λ·w is the gradient of λ·w²; with the ½ in the penalty the "
                                   "gradient is λ·w."),
        (grads_are(g_scaled(-1.0)), "sign error: the penalty's gradient is +λ·w (the update then "
                                    "subtracts η·λ·w, shrinking the weights)."),
        (grads_are(g_scaled(1.0, biases=True)), "the biases got a gradient λ·b: they are not "
                                                "penalized, so their penalty gradient is zero."),
        (grads_weights_only, "return a gradient for every parameter — zeros for the biases and BN "
                             "parameters — so it can be added to the loss gradients key by key."),
    ]


def check_l2_penalty(fn):
    """Check ``fn(params, lam) -> (penalty, grads)``: λ/2·Σw² over "*.W" and λ·w (0 for the rest)."""
    return check("L2 penalty and its gradient", lambda *a: _as_pair(fn(*a)), l2_penalty_reference,
                 _l2_cases(), _l2_hints())


# ----------------------------------------------------------------------------- proximal L1
def prox_l1_step_reference(w, dw, lr, lam):
    """One proximal-gradient (ISTA) step for ``L(w) + λ·Σ|w|``.

    1. gradient step on the data loss only: ``u = w − η·dw``;
    2. soft-threshold: ``w_new = sign(u)·max(|u| − ηλ, 0)`` (the proximal map of ``ηλ·|w|``).

    Every ``|u| <= ηλ`` lands on exactly 0.  Note: the subgradient step
    ``w − η·(dw + λ·sign(w))`` (what ``MLP(penalty="l1")`` + SGD does) takes the same step
    for large weights but overshoots small ones to ``±ηλ`` around 0: it never gives exact zeros.
    """
    u = np.asarray(w, dtype=float) - lr * np.asarray(dw, dtype=float)
    return soft_threshold(u, lr * lam)


def _prox_cases():
    g = np.random.default_rng(4040)
    w1 = np.array([0.5, -0.5, 0.004, -0.003, 0.0, 0.02, -0.02, 0.0102])
    dw1 = np.array([0.1, -0.2, 0.05, 0.0, 0.0, 1.0, -1.0, 0.0])
    w2, dw2 = 0.05 * g.standard_normal((6, 5)), g.standard_normal((6, 5))
    w3, dw3 = 0.1 * g.standard_normal((4, 3)), 0.5 * g.standard_normal((4, 3))
    return [(w1, dw1, 0.1, 0.1), (w2, dw2, 0.01, 1.0), (w3, dw3, 0.05, 0.0),
            (w2.copy(), dw2.copy(), 0.02, 3.0)]


def _prox_hints():
    def is_(fn):
        return lambda got, want, args: not _close(want, fn(*args)) and _close(got, fn(*args))

    def soft(u, t):
        return np.sign(u) * np.maximum(np.abs(u) - t, 0.0)

    subgradient = lambda w, dw, lr, lam: w - lr * (dw + lam * np.sign(w))
    no_lr = lambda w, dw, lr, lam: soft(w - lr * dw, lam)
    hard = lambda w, dw, lr, lam: np.where(np.abs(w - lr * dw) > lr * lam, w - lr * dw, 0.0)
    shrink_first = lambda w, dw, lr, lam: soft(w, lr * lam) - lr * dw
    no_sign = lambda w, dw, lr, lam: np.maximum(np.abs(w - lr * dw) - lr * lam, 0.0)
    double = lambda w, dw, lr, lam: soft(w - lr * dw, 2 * lr * lam)
    half = lambda w, dw, lr, lam: soft(w - lr * dw, 0.5 * lr * lam)
    plus = lambda w, dw, lr, lam: w + lr * dw
    plus_soft = lambda w, dw, lr, lam: soft(w + lr * dw, lr * lam)

    def near_not_exact(got, want, args):
        got = np.asarray(got, dtype=float)
        zero = np.asarray(want) == 0
        return (got.shape == np.shape(want) and zero.any() and np.all(got[zero] != 0)
                and np.allclose(got, want, atol=max(args[2] * args[3], 1e-12) * 1.01))

    return [
        (is_(subgradient), "that is the plain subgradient step w − η·(dw + λ·sign(w)): small weights "
                           "jump to ±ηλ around 0 and never land on it. Take the gradient step on "
                           "the data loss only, u = w − η·dw, then soft-threshold u by ηλ."),
        (is_(no_lr), "the threshold is ηλ, not λ: the step minimises ηλ·|w| + ½(w − u)², so the "
                     "learning rate scales the penalty too."),
        (is_(hard), "you set small values to 0 but left the others unchanged (hard thresholding): "
                    "soft-thresholding also shrinks every surviving weight by ηλ towards 0."),
        (is_(shrink_first), "soft-threshold the result of the gradient step, u = w − η·dw, not w "
                            "before the step: otherwise the step moves the zeros off 0 again."),
        (is_(no_sign), "you lost the sign: w_new = sign(u)·max(|u| − ηλ, 0), negative weights stay "
                       "negative."),
        (is_(double), "your threshold is 2ηλ; the proximal map of ηλ·|w| shrinks by ηλ."),
        (is_(half), "your threshold is ηλ/2; the proximal map of ηλ·|w| shrinks by ηλ (the ½ belongs "
                    "to L2's λ/2·Σw², not to L1)."),
        (is_(plus), "the gradient step goes downhill, u = w − η·dw, and the soft-threshold is missing."),
        (is_(plus_soft), "sign error in the gradient step: u = w − η·dw (downhill)."),
        (near_not_exact, "close, but the weights that should be 0 are only nearly 0: set them to "
                         "exactly 0 (np.maximum(|u| − ηλ, 0) does)."),
    ]


def _with_zeros(out):
    """(w_new, w_new == 0): the second part makes "nearly 0" a mismatch where 0 is expected."""
    if out is None:
        return None
    try:
        w = np.asarray(out, dtype=float)
    except (TypeError, ValueError):
        return out
    return w, (w == 0).astype(float)


def check_prox_l1_step(fn):
    """Check ``fn(w, dw, lr, lam) -> w_new``: the soft-threshold step sign(u)·max(|u| − ηλ, 0),
    u = w − η·dw, with exact zeros."""
    return check("proximal L1 step (soft-thresholding)", lambda *a: _with_zeros(fn(*a)),
                 lambda *a: _with_zeros(prox_l1_step_reference(*a)), _prox_cases(),
                 [(lambda got, want, args, t=t: t(got[0], want[0], args), m) for t, m in _prox_hints()])


# ----------------------------------------------------------------------------- early stopping
def early_stopping_reference(val_losses, patience):
    """(stop_epoch, best_epoch), 1-based, by replaying ``course_utils.training.EarlyStopping``."""
    es = EarlyStopping(patience, monitor="val_loss", restore_best=False)
    for epoch, value in enumerate(val_losses, start=1):
        if es.step(value, epoch):
            return epoch, es.best_epoch
    return len(val_losses), es.best_epoch


def _rule(val_losses, patience, *, improves=lambda v, best: v < best, stop=lambda w, p: w > p,
          against_previous=False, reset=True, base=1, best_from_all=False, end=None):
    """The early-stopping rule with one knob turned (for the hints)."""
    best, best_epoch, wait, prev = np.inf, None, 0, np.inf
    stopped = None
    for epoch, v in enumerate(val_losses, start=base):
        if improves(v, prev if against_previous else best):
            if improves(v, best) or not against_previous:
                best, best_epoch = v, epoch
            if reset:
                wait = 0
            prev = v
            continue
        prev = v
        wait += 1
        if stop(wait, patience):
            stopped = epoch
            break
    if stopped is None:
        stopped = (len(val_losses) - 1 + base) if end is None else end
    if best_from_all:
        best_epoch = int(np.argmin(val_losses)) + base
    return stopped, best_epoch


def _es_cases():
    return [
        # a tie with the best, a rise, then a late improvement
        ([1.0, 0.8, 0.6, 0.6, 0.7, 0.75, 0.55, 0.58, 0.59, 0.61, 0.62, 0.63, 0.64], 2),
        # noisy decrease: a drop that is not below the best, then a new best
        ([2.0, 1.5, 1.7, 1.6, 1.65, 1.4, 1.45, 1.42, 1.5, 1.44, 1.6, 1.7], 3),
        # patience 0: stop at the first epoch that does not improve
        ([0.9, 0.7, 0.7, 0.5, 0.4], 0),
        # never stops; the best is at the very end
        ([1.0, 0.9, 0.95, 0.85, 0.8], 5),
        # improvement after a long wait, then the stop; a lower value only after the stop
        ([1.0, 1.1, 1.2, 0.9, 1.0, 1.0, 1.05, 0.5], 2),
    ]


def _es_hints():
    def alt(**kw):
        return lambda got, want, args: _pair_eq(got, _rule(*args, **kw))

    def alt_stop(**kw):                  # only the stop epoch (the best epoch varies by variant)
        def test(got, want, args):
            got = _as_pair(got)
            stop = _rule(*args, **kw)[0]
            return (isinstance(got, tuple) and len(got) == 2 and got[0] is not None
                    and stop != want[0] and _close(got[0], stop))
        return test

    def returned_none(got, want, args):
        got = _as_pair(got)
        return isinstance(got, tuple) and len(got) == 2 and got[0] is None

    return [
        (alt(base=0), "epochs are counted from 1 (the first validation loss is epoch 1) — you "
                      "returned 0-based indices."),
        (alt(stop=lambda w, p: w >= p), "you stop one epoch early: `patience` non-improving epochs "
                                        "are tolerated and training stops at the next one, when "
                                        "the counter exceeds patience (wait > patience, not >=; "
                                        "Keras counts the other way)."),
        (alt(stop=lambda w, p: w > p + 1), "you stop one epoch late: stop as soon as the number of "
                                           "non-improving epochs exceeds patience."),
        (alt(improves=lambda v, b: v <= b), "a tie is not an improvement: the loss must be strictly "
                                            "below the best so far (use <, not <=)."),
        (alt_stop(against_previous=True), "compare each loss with the best loss so far, not with the "
                                     "previous epoch's: a small dip that stays above the best is "
                                     "no improvement."),
        (alt(reset=False), "reset the counter of non-improving epochs to 0 whenever the loss "
                           "improves."),
        (alt(best_from_all=True), "the best epoch must be the best among the epochs seen before "
                                  "the stop — you looked into the future (argmin of the whole list)."),
        (returned_none, "when the rule never fires, training ends at the last epoch: return "
                        "len(val_losses) as the stop epoch."),
    ]


def _pair_eq(got, ref):
    got = _as_pair(got)
    return (isinstance(got, tuple) and len(got) == 2 and all(
        g is not None and r is not None and _close(g, r) for g, r in zip(got, ref)))


def check_early_stopping(fn):
    """Check ``fn(val_losses, patience) -> (stop_epoch, best_epoch)`` against EarlyStopping."""
    return check("early-stopping rule", lambda losses, p: _as_pair(fn(list(losses), p)),
                 early_stopping_reference,
                 _es_cases(), _es_hints())
