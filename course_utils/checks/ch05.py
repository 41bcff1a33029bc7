"""Checks for chapter 05's exercises: inverted dropout, forward and backward.

    check_dropout_forward(fn)   fn(x, p, mask, train) -> out
    check_dropout_backward(fn)  fn(dout, p, mask) -> dx          (training mode)

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
           "dropout_backward_reference"]


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
