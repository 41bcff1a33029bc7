"""Checks for chapter 05's exercises: inverted dropout, max-norm, MC-dropout prediction.

    check_dropout_forward(fn)   fn(x, p, mask, train) -> out
    check_dropout_backward(fn)  fn(dout, p, mask) -> dx          (training mode)
    check_max_norm(fn)          fn(W, c) -> W projected so every column has ‖w_j‖₂ ≤ c
    check_mc_dropout(fn)        fn(net, X, K, rng) -> (mean probabilities, predictive entropy)

Conventions (those of ``course_utils.layers.dropout_forward``): ``p`` is the DROP probability
(Keras' ``rate``); ``mask`` is an array of 0.0/1.0 shaped like ``x`` with 1 = keep, passed in
so the answer is deterministic; training scales the kept units by 1/(1 − p); test mode returns
``x`` unchanged.  A returned ``(out, cache)`` pair is accepted too (only ``out`` is compared).
No case uses p = 0.5, where dividing by p and by 1 − p coincide.
Each hint recomputes one typical wrong answer and names it when the student's output equals it.
"""
import numpy as np

from .. import layers as L
from .core import check, close as _close

__all__ = ["check_dropout_forward", "check_dropout_backward", "dropout_forward_reference",
           "dropout_backward_reference", "check_max_norm", "max_norm_reference",
           "check_mc_dropout", "mc_dropout_reference"]


def _first(out):
    """Accept ``(out, cache)`` as well as ``out``."""
    return out[0] if isinstance(out, tuple) and len(out) == 2 else out


# ----------------------------------------------------------------------------- references
def dropout_forward_reference(x, p, mask, train):
    """Inverted dropout via ``course_utils.layers.dropout_forward`` with the given keep-mask."""
    return L.dropout_forward(x, p, train=train, mask=mask)[0]


def dropout_backward_reference(dout, p, mask):
    """dx = dout · mask / (1 − p), via ``course_utils.layers.dropout_backward``."""
    _, cache = L.dropout_forward(np.ones_like(dout), p, train=True, mask=mask)
    return L.dropout_backward(dout, cache)


def _mask(g, shape, p):
    """A keep-mask (0.0/1.0) with at least one kept and one dropped unit."""
    while True:
        m = (g.random(shape) >= p).astype(float)
        if 0 < m.sum() < m.size:
            return m


def _forward_cases():
    g = np.random.default_rng(505)

    def case(shape, p, train):
        x = g.standard_normal(shape) + 0.1          # no exact zeros, both signs
        return (x, p, _mask(g, shape, p), train)

    # training first (p = 0.2, 0.6, 0.75), then test mode; never p = 0.5
    return [case((4, 5), 0.2, True), case((3, 6), 0.6, True), case((5, 4), 0.2, False),
            case((2, 8), 0.75, True), case((3, 5), 0.6, False)]


def _backward_cases():
    g = np.random.default_rng(506)
    return [(g.standard_normal(shape), p, _mask(g, shape, p))
            for shape, p in (((4, 5), 0.2), ((3, 6), 0.6), ((2, 8), 0.75))]


# ----------------------------------------------------------------------------- forward hints
def _forward_hints():
    def train_is(rule):
        """Matches on a training case when out == rule(x, p, mask)."""
        return lambda got, want, a: a[3] and _close(_first(got), rule(a[0], a[1], a[2]))

    def test_is(rule):
        return lambda got, want, a: (not a[3]) and _close(_first(got), rule(a[0], a[1], a[2]))

    def own_mask(got, want, a):
        # right scale on the units it kept, but a different set of units: a self-drawn mask
        x, p, mask, train = a
        out = np.asarray(_first(got), dtype=float)
        if not train or out.shape != x.shape:
            return False
        kept = out != 0
        return (not np.array_equal(kept, mask.astype(bool))
                and np.allclose(out[kept], x[kept] / (1 - p)))

    return [
        (train_is(lambda x, p, m: x * m), "the kept units are not scaled. That is the original "
         "form's training step; inverted dropout divides the kept units by the keep probability "
         "(1 − p), so that E[out] = x and test time needs no change."),
        (train_is(lambda x, p, m: x * m / p), "you divided by p, the DROP probability: the kept "
         "units are scaled by 1/(1 − p), one over the KEEP probability."),
        (train_is(lambda x, p, m: x * m * p), "you multiplied by p: the kept units are scaled by "
         "1/(1 − p), one over the keep probability."),
        (train_is(lambda x, p, m: x * m * (1 - p)), "multiplying by (1 − p) is the original "
         "form's rule for TEST time; inverted dropout divides by (1 − p) during training."),
        (train_is(lambda x, p, m: x * (1 - m) / (1 - p)), "mask = 1 means KEEP: you zeroed the "
         "kept units and kept the dropped ones."),
        (train_is(lambda x, p, m: x * (1 - m) / p), "mask = 1 means KEEP (it is not a drop "
         "mask), and the kept units are scaled by 1/(1 − p)."),
        (train_is(lambda x, p, m: x), "in training mode the units with mask = 0 must be set to "
         "0 (and the others scaled by 1/(1 − p)); you returned x unchanged."),
        (train_is(lambda x, p, m: x / (1 - p)), "multiply by the mask: the units with mask = 0 "
         "are dropped (set to 0)."),
        (own_mask, "use the mask argument (1 = keep) instead of drawing your own random "
         "numbers: the kept units must be exactly those with mask = 1."),
        (test_is(lambda x, p, m: x * (1 - p)), "at test time inverted dropout does nothing: "
         "out = x. Multiplying by (1 − p) at test is the ORIGINAL form, which does not scale "
         "during training — doing both would shrink the activations twice."),
        (test_is(lambda x, p, m: x / (1 - p)), "at test time out = x: the factor 1/(1 − p) "
         "belongs to training only."),
        (test_is(lambda x, p, m: x * m / (1 - p)), "in test mode no unit is dropped and "
         "nothing is scaled: return x unchanged (ignore the mask)."),
        (test_is(lambda x, p, m: x * m), "in test mode no unit is dropped: return x unchanged "
         "(ignore the mask)."),
    ]


def check_dropout_forward(fn):
    """Check ``fn(x, p, mask, train) -> out`` (inverted dropout, mask 1 = keep)."""
    return check("inverted dropout forward (training and test mode)",
                 lambda *a: _first(fn(*a)), dropout_forward_reference,
                 _forward_cases(), _forward_hints())


# ----------------------------------------------------------------------------- backward hints
def _backward_hints():
    def dx_is(rule):
        return lambda got, want, a: _close(_first(got), rule(a[0], a[1], a[2]))

    return [
        (dx_is(lambda d, p, m: d * m), "you forgot the scale: the forward pass multiplied every "
         "kept unit by 1/(1 − p), so its gradient gets the same factor, dx = dout · mask / (1 − p)."),
        (dx_is(lambda d, p, m: d / (1 - p)), "a dropped unit had no effect on the output, so its "
         "gradient is 0: multiply by the mask too."),
        (dx_is(lambda d, p, m: d), "in training mode dropout is not the identity: "
         "dx = dout · mask / (1 − p), the same factor as in the forward pass."),
        (dx_is(lambda d, p, m: d * (1 - m) / (1 - p)), "mask = 1 means KEEP: the gradient flows "
         "through the kept units and is 0 for the dropped ones."),
        (dx_is(lambda d, p, m: d * m / p), "you divided by p, the drop probability: the scale "
         "is 1/(1 − p), as in the forward pass."),
        (dx_is(lambda d, p, m: d * m * (1 - p)), "you multiplied by (1 − p): the forward pass "
         "divided by (1 − p), so the backward pass divides too."),
        (dx_is(lambda d, p, m: d * m * p), "you multiplied by p: the scale is 1/(1 − p), as in "
         "the forward pass."),
        (dx_is(lambda d, p, m: d * m / (1 - p) ** 2), "the factor 1/(1 − p) appears once, not "
         "squared: dx = dout · mask / (1 − p)."),
    ]


def check_dropout_backward(fn):
    """Check ``fn(dout, p, mask) -> dx`` (training mode, mask 1 = keep)."""
    return check("inverted dropout backward", lambda *a: _first(fn(*a)),
                 dropout_backward_reference, _backward_cases(), _backward_hints())


# ----------------------------------------------------------------------------- max-norm
def max_norm_reference(W, c):
    """Every column (a unit's incoming weights) with ‖w_j‖₂ > c rescaled to norm c."""
    return L.max_norm(W, c)


def _max_norm_cases():
    g = np.random.default_rng(507)
    cases = []
    for shape, c in (((6, 5), 3.0), ((4, 7), 0.5), ((8, 3), 4.0)):
        W = g.standard_normal(shape) * g.uniform(0.3, 2.5, shape[1])
        norms = np.linalg.norm(W, axis=0)
        W[:, np.argmin(norms)] *= 0.5 * c / norms.min()         # one column surely inside
        W[:, np.argmax(norms)] *= 2.0 * c / norms.max()         # one column surely outside
        cases.append((W, c))
    return cases


def _max_norm_hints():
    def is_(rule):
        return lambda got, want, a: _close(got, rule(a[0], a[1]))

    col = lambda W: np.linalg.norm(W, axis=0, keepdims=True)           # noqa: E731
    row = lambda W: np.linalg.norm(W, axis=1, keepdims=True)           # noqa: E731
    return [
        (is_(lambda W, c: L.max_norm(W.T, c).T), "you normalised the ROWS. In the course's "
         "(fan_in, fan_out) layout a unit's incoming weights are a COLUMN: use the norm along "
         "axis 0 (PyTorch's (fan_out, fan_in) weight would use rows)."),
        (is_(lambda W, c: W * c / col(W)), "you rescaled every column to norm c. Max-norm is a "
         "projection: columns already inside the ball (‖w‖ ≤ c) stay unchanged."),
        (is_(lambda W, c: np.clip(W, -c, c)), "clipping each weight to [−c, c] bounds the "
         "entries, not the norm: rescale the whole column w_j by c/‖w_j‖₂ when ‖w_j‖₂ > c."),
        (is_(lambda W, c: np.where(col(W) > c, W / col(W), W)), "the too-long columns must "
         "end up with norm c, not 1: multiply by c/‖w_j‖₂."),
        (is_(lambda W, c: W * np.minimum(1, c / col(W) ** 2)), "use the norm ‖w_j‖₂ = √Σw², "
         "not its square."),
        (is_(lambda W, c: W * np.minimum(1, c / row(W))), "you normalised the ROWS: a unit's "
         "incoming weights are a column (axis 0)."),
        (is_(lambda W, c: W), "some columns are longer than c and must be shrunk: "
         "w_j ← w_j · c/‖w_j‖₂ when ‖w_j‖₂ > c."),
    ]


def check_max_norm(fn):
    """Check ``fn(W, c) -> W_new`` (max-norm projection of each column, W is (fan_in, fan_out))."""
    return check("max-norm constraint", fn, max_norm_reference, _max_norm_cases(),
                 _max_norm_hints())


# ----------------------------------------------------------------------------- MC dropout
def _mc(net, X, K, rng, combine="probs", train=True, reseed=False):
    """K dropout passes of ``net`` on X with ONE Generator; averaged as ``combine`` says."""
    g = np.random.default_rng(rng)
    passes = [net.forward(X, train=train, rng=(rng if reseed else g))[0] for _ in range(int(K))]
    if combine == "scores":
        return L.softmax(np.mean(passes, axis=0)), passes
    return np.mean([L.softmax(s) for s in passes], axis=0), passes


def _entropy(P, base=np.e):
    return -(P * np.log(np.clip(P, 1e-300, None))).sum(axis=1) / np.log(base)


def mc_dropout_reference(net, X, K, rng=0):
    """MC-dropout prediction: K forward passes in training mode, each with fresh masks drawn
    from ONE Generator ``np.random.default_rng(rng)``; returns ``(p̄, H)`` with
    p̄ = (1/K)·Σ_k softmax(f(X; m_k)) (n × classes) and the predictive entropy
    H = −Σ_c p̄_c·ln p̄_c per example (in nats; 0·ln 0 = 0)."""
    P, _ = _mc(net, X, K, rng)
    return P, _entropy(P)


def _mc_cases():
    from ..net import MLP
    g = np.random.default_rng(508)
    cases = []
    for k, (p, K) in enumerate(((0.3, 7), (0.5, 25), (0.2, 4))):
        net = MLP(5, [16, 16], 3, dropout=p, rng=k + 1)
        cases.append((net, 1.5 * g.standard_normal((6, 5)), K, 10 + k))
    return cases


def _mc_hints():
    def is_(make):
        def test(got, want, a):
            P = np.asarray(got[0] if isinstance(got, tuple) else got, dtype=float)
            return _close(P, make(*a))
        return test

    def entropy_is(make):
        def test(got, want, a):
            return isinstance(got, tuple) and len(got) == 2 and _close(got[0], want[0]) \
                and _close(got[1], make(*a))
        return test

    def mean_of_entropies(net, X, K, rng):
        _, passes = _mc(net, X, K, rng)
        return np.mean([_entropy(L.softmax(s)) for s in passes], axis=0)

    return [
        (lambda got, want, a: not isinstance(got, tuple) and _close(got, want[0]),
         "the probabilities are right; return the pair (p̄, H) with the predictive entropy too."),
        (is_(lambda n, X, K, r: L.softmax(n.forward(X)[0])), "that is the scaled network in "
         "inference mode (no unit dropped). MC dropout runs the passes with train=True, so "
         "every pass draws fresh masks."),
        (is_(lambda n, X, K, r: _mc(n, X, 1, r)[0]), "all K passes used the same mask (or you "
         "made only one pass). Create ONE Generator g = np.random.default_rng(rng) before the "
         "loop and pass g to every forward pass; passing the integer seed each time redraws "
         "the same mask."),
        (is_(lambda n, X, K, r: _mc(n, X, K, r, combine="scores")[0]), "you averaged the "
         "scores and then took the softmax. Average the K probability vectors: "
         "p̄ = (1/K)·Σ softmax(scores_k)."),
        (is_(lambda n, X, K, r: np.mean(_mc(n, X, K, r)[1], axis=0)), "take the softmax of "
         "each pass's scores before averaging: p̄ must be probabilities."),
        (is_(lambda n, X, K, r: K * _mc(n, X, K, r)[0]), "divide the sum by K: p̄ is a mean."),
        (entropy_is(mean_of_entropies), "that is the mean of the K per-pass entropies. The "
         "predictive entropy is the entropy of the MEAN: H = −Σ_c p̄_c·ln p̄_c."),
        (entropy_is(lambda n, X, K, r: _entropy(_mc(n, X, K, r)[0], base=2)), "use the "
         "natural logarithm (entropy in nats), not log₂."),
        (entropy_is(lambda n, X, K, r: -_entropy(_mc(n, X, K, r)[0])), "the entropy has a minus "
         "sign: H = −Σ p̄·ln p̄ ≥ 0."),
    ]


def check_mc_dropout(fn):
    """Check ``fn(net, X, K, rng) -> (p̄, H)`` (MC-dropout mean probabilities and entropy)."""
    return check("MC-dropout prediction", fn, mc_dropout_reference, _mc_cases(), _mc_hints())
