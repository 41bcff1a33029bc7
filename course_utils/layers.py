"""Layers as pairs of pure functions: ``X_forward(...) -> (out, cache)`` and
``X_backward(dout, cache) -> grads``, forward and backward side by side.

Shapes: ``N`` is the batch size, ``D`` the input width, ``H`` the output width.
Every backward pass is checked against a numerical gradient in ``tests/test_layers.py``.
"""
import numpy as np

from . import validate as _v


# ----------------------------------------------------------------------------- affine
def affine_forward(x, W, b):
    """``out = x @ W + b``.  x: (N, D), W: (D, H), b: (H,) -> out: (N, H)."""
    return x @ W + b, (x, W)


def affine_backward(dout, cache, *, need_dx=True):
    """dout: (N, H) -> (dx (N, D) or None, dW (D, H), db (H,)).

    ``need_dx=False`` skips the input gradient (the first layer of a net never needs it).
    """
    x, W = cache
    dx = dout @ W.T if need_dx else None
    return dx, x.T @ dout, dout.sum(axis=0)


# ----------------------------------------------------------------------------- activations
def relu_forward(x):
    """``max(0, x)`` elementwise, any shape."""
    mask = x > 0
    return x * mask, mask


def relu_backward(dout, mask):
    """Gradient passes where the input was positive (the derivative at 0 is taken as 0)."""
    return dout * mask


def leaky_relu_forward(x, alpha=0.01):
    """``x`` if ``x > 0`` else ``alpha * x``."""
    slope = np.where(x > 0, 1.0, alpha).astype(x.dtype, copy=False)
    return x * slope, slope


def leaky_relu_backward(dout, slope):
    return dout * slope


def elu_forward(x, alpha=1.0):
    """``x`` if ``x > 0`` else ``alpha * (exp(x) - 1)``."""
    neg = np.expm1(np.minimum(x, 0.0)) * alpha
    out = np.where(x > 0, x, neg)
    return out, (x, neg, alpha)


def elu_backward(dout, cache):
    x, neg, alpha = cache
    return dout * np.where(x > 0, 1.0, neg + alpha)


def sigmoid_forward(x):
    """``1 / (1 + exp(-x))``, computed without overflow for large |x|."""
    e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out, out


def sigmoid_backward(dout, out):
    """``dσ/dx = σ(x)·(1 − σ(x))``."""
    return dout * out * (1.0 - out)


def tanh_forward(x):
    out = np.tanh(x)
    return out, out


def tanh_backward(dout, out):
    """``d tanh/dx = 1 − tanh²(x)``."""
    return dout * (1.0 - out * out)


ACTIVATIONS = {
    "relu": (relu_forward, relu_backward),
    "sigmoid": (sigmoid_forward, sigmoid_backward),
    "tanh": (tanh_forward, tanh_backward),
    "leaky_relu": (leaky_relu_forward, leaky_relu_backward),
    "elu": (elu_forward, elu_backward),
}


# ----------------------------------------------------------------------------- maxout
def maxout_forward(x, W, b):
    """Maxout unit (Goodfellow et al. 2013): ``out_j = max_k (x @ W[:, j, k] + b[j, k])``.

    x: (N, D), W: (D, H, K), b: (H, K) -> out: (N, H).  K linear pieces per unit.
    """
    N, D = x.shape
    _, H, K = W.shape
    z = (x @ W.reshape(D, H * K)).reshape(N, H, K) + b
    idx = z.argmax(axis=2)
    out = np.take_along_axis(z, idx[..., None], axis=2)[..., 0]
    return out, (x, W, idx)


def maxout_backward(dout, cache):
    """dout: (N, H) -> (dx (N, D), dW (D, H, K), db (H, K)); only the winning piece gets gradient."""
    x, W, idx = cache
    D, H, K = W.shape
    dz = np.zeros((x.shape[0], H, K), dtype=dout.dtype)
    np.put_along_axis(dz, idx[..., None], dout[..., None], axis=2)
    dz2 = dz.reshape(-1, H * K)
    return dz2 @ W.reshape(D, H * K).T, (x.T @ dz2).reshape(D, H, K), dz.sum(axis=0)


# ----------------------------------------------------------------------------- batch norm
def batchnorm_forward(x, gamma, beta, running, *, train, momentum=0.9, eps=1e-5):
    """Batch normalization (Ioffe & Szegedy 2015, Algorithm 1), per feature.

    Training mode, over the mini-batch::

        μ_B  = mean(x)                 σ²_B = mean((x − μ_B)²)     (biased variance)
        x̂    = (x − μ_B) / √(σ²_B + ε)
        y    = γ·x̂ + β
        running ← momentum·running + (1 − momentum)·batch statistic

    Test mode uses the running mean and variance instead of the batch's, so one example
    gives the same output whoever else is in the batch.

    x: (N, D); gamma, beta: (D,); running: dict with "mean" and "var" (D,), or None for
    mean 0 / variance 1.  Returns ``(out, cache, running)`` with a new ``running`` dict
    (the input dict is not modified).

    Note: PyTorch's ``BatchNorm1d(momentum=0.1)`` is this ``momentum=0.9`` (PyTorch weights
    the *new* batch by its momentum) and it stores the *unbiased* batch variance in the
    running average; Keras' ``momentum=0.99`` uses our convention.
    """
    if running is None:
        running = {"mean": np.zeros_like(gamma), "var": np.ones_like(gamma)}
    if not train:
        xhat = (x - running["mean"]) / np.sqrt(running["var"] + eps)
        return gamma * xhat + beta, None, running
    mu = x.mean(axis=0)
    xc = x - mu
    var = (xc * xc).mean(axis=0)
    inv_std = 1.0 / np.sqrt(var + eps)
    xhat = xc * inv_std
    new_running = {
        "mean": momentum * running["mean"] + (1 - momentum) * mu,
        "var": momentum * running["var"] + (1 - momentum) * var,
    }
    return gamma * xhat + beta, (xhat, gamma, inv_std), new_running


def batchnorm_backward(dout, cache):
    """dout: (N, D) -> (dx (N, D), dgamma (D,), dbeta (D,)).

    The compact form of the chain rule through μ_B and σ²_B::

        dx = (1/N)·γ/√(σ²_B + ε) · (N·dy − Σdy − x̂·Σ(dy·x̂))
    """
    xhat, gamma, inv_std = cache
    n = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = (gamma * inv_std / n) * (n * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta


def batchnorm_inference_backward(dout, x, gamma, running, eps=1e-5):
    """Backward of ``batchnorm_forward(..., train=False)``: with the running statistics fixed,
    batch norm is the affine map y = γ·(x − r_mean)/√(r_var + ε) + β per feature, so

        dx = γ/√(r_var + ε)·dy,   dγ = Σ dy·x̂,   dβ = Σ dy

    (``net.loss(X, y, train=False)`` on a batch-norm net uses it).  x: the input of the layer.
    """
    inv_std = 1.0 / np.sqrt(running["var"] + eps)
    xhat = (x - running["mean"]) * inv_std
    return gamma * inv_std * dout, (dout * xhat).sum(axis=0), dout.sum(axis=0)


# ----------------------------------------------------------------------------- layer norm
def layernorm_forward(x, gamma, beta, *, eps=1e-5):
    """Layer normalization (Ba, Kiros & Hinton 2016), per example::

        μ_i  = mean_j(x_ij)            σ²_i = mean_j((x_ij − μ_i)²)   (biased, over features)
        x̂_ij = (x_ij − μ_i) / √(σ²_i + ε)
        y_ij = γ_j·x̂_ij + β_j

    The statistics run over the D features of one row, not over the batch: no running
    averages, the same computation in training and test mode, and a batch of one works.
    x: (N, D); gamma, beta: (D,).  Returns ``(out, cache)``.

    Note: PyTorch's ``LayerNorm(D)`` and Keras' ``LayerNormalization`` compute the same (biased
    variance, ε inside the root); their default ε are 1e-5 and 1e-3.
    """
    mu = x.mean(axis=1, keepdims=True)
    xc = x - mu
    inv_std = 1.0 / np.sqrt((xc * xc).mean(axis=1, keepdims=True) + eps)
    xhat = xc * inv_std
    return gamma * xhat + beta, (xhat, gamma, inv_std)


def layernorm_backward(dout, cache):
    """dout: (N, D) -> (dx (N, D), dgamma (D,), dbeta (D,)).

    Batch norm's compact formula with the roles of the axes swapped: per row, with
    dx̂ = γ·dy and sums over the D features::

        dx = (1/D)·1/√(σ²_i + ε) · (D·dx̂ − Σ_j dx̂ − x̂·Σ_j(dx̂·x̂))

    γ and β are per feature, so their gradients still sum over the batch.
    """
    xhat, gamma, inv_std = cache
    d = dout.shape[1]
    dxhat = dout * gamma
    dx = (inv_std / d) * (d * dxhat - dxhat.sum(axis=1, keepdims=True)
                          - xhat * (dxhat * xhat).sum(axis=1, keepdims=True))
    return dx, (dout * xhat).sum(axis=0), dout.sum(axis=0)


# ----------------------------------------------------------------------------- dropout
def dropout_forward(x, p, *, train, rng=None, mask=None, form="inverted"):
    """Dropout: during training each unit is dropped with probability ``p``.

    With the keep-mask ``m ~ Bernoulli(1 − p)``, both forms keep E[training output] = test output:

    form="inverted" (default):  training ``out = x · m / (1 − p)``;  test ``out = x``.
    form="original":            training ``out = x · m``;            test ``out = (1 − p) · x``.

    p: drop probability in [0, 1).  ``rng`` is a ``numpy.random.Generator`` (or a seed); ``mask``
    (0/1 array of x's shape) fixes the mask instead, e.g. for a gradient check.  Both forms draw
    the same mask from the same ``rng``, so they differ only in where the 1 − p goes.

    Note: PyTorch's ``nn.Dropout(p)`` and Keras' ``Dropout(rate)`` are the inverted form with
    the same drop probability: inference needs to know nothing about dropout.  The original
    form is Srivastava et al. 2014's (whose p is the *keep* probability, our 1 − p: weights
    × p at test time) and the textbook's ``Dropout`` layer (Deep Learning from Scratch §6.4.3,
    whose ``dropout_ratio`` is our p).  A net with weights W in the original form computes
    what the inverted form computes with (1 − p)·W after every dropout layer.
    """
    if not 0.0 <= p < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {p}")
    if p == 0.0:
        return x, None
    if not train:                             # inverted: nothing to do; original: × (1 − p)
        return (x, None) if form == "inverted" else (x * (1.0 - p), 1.0 - p)
    if mask is None:
        rng = np.random.default_rng(rng)
        mask = rng.random(x.shape) >= p
    scale = mask if form == "original" else mask / (1.0 - p)
    return x * scale, scale


def dropout_backward(dout, cache):
    """``dout`` times the forward pass's factor: m/(1 − p) (inverted) or m (original) in
    training, 1 (inverted) or 1 − p (original) at test; the cache holds that factor."""
    return dout if cache is None else dout * cache


# ----------------------------------------------------------------------------- loss
def softmax(scores):
    """Row-wise softmax, stable: subtracts each row's max before ``exp``."""
    z = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def softmax_cross_entropy(scores, y):
    """Mean cross-entropy of softmax(scores) against integer labels, and its gradient.

    ``L = −(1/N)·Σ_i log softmax(s_i)[y_i]``; ``dL/ds = (softmax(s) − onehot(y)) / N``.
    scores: (N, C), y: (N,) ints in [0, C).  Uses log-sum-exp, so huge scores do not overflow.
    """
    scores = np.asarray(scores)
    if scores.ndim != 2 or np.ndim(y) != 1 or len(y) != scores.shape[0]:
        raise ValueError(f"scores must be (N, C) and y (N,), got {scores.shape} and {np.shape(y)}")
    n, c = scores.shape
    y = _v.labels("y", y, n, c)
    z = scores - scores.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(z).sum(axis=1))
    rows = np.arange(n)
    loss = float((log_sum - z[rows, y]).mean())
    dscores = np.exp(z - log_sum[:, None])
    dscores[rows, y] -= 1.0
    return loss, dscores / n


# ----------------------------------------------------------------------------- argument checks
# Types, NaN/inf and ranges, each error naming the argument.  They wrap the functions above
# instead of sitting in their bodies, which the chapters print with ``inspect.getsource`` (it
# follows ``functools.wraps`` back to the formula).
def _batchnorm_args(x, gamma, beta, running, *, train, momentum=0.9, eps=1e-5):
    _v.number("momentum", momentum, 0.0, 1.0)
    _v.number("eps", eps, 0.0, lo_open=True)


DROPOUT_FORMS = ("inverted", "original")


def _dropout_args(x, p, *, train, rng=None, mask=None, form="inverted"):
    _v.number("dropout", p, 0.0, 1.0, hi_open=True)
    _v.one_of("form", form, DROPOUT_FORMS)


batchnorm_forward = _v.checked(batchnorm_forward, _batchnorm_args)
dropout_forward = _v.checked(dropout_forward, _dropout_args)


# ----------------------------------------------------------------------------- max-norm
def max_norm(W, c):
    """Max-norm constraint: project every unit's incoming weight vector into the ball ‖w‖₂ ≤ c.

    ``W`` has the course's shape (fan_in, fan_out), so column j holds the incoming weights of
    unit j: a column with ‖w_j‖₂ > c is rescaled to w_j · c/‖w_j‖₂, the others are unchanged.
    Applied after every update (Srivastava et al. 2014, §5.1: c ≈ 3–4 together with dropout
    and a large learning rate).  Returns a new array; ``W`` is not modified.

    Note: Keras' ``constraints.MaxNorm(max_value=c, axis=0)`` is the same for a Dense kernel;
    PyTorch stores ``weight`` as (fan_out, fan_in), so there it is
    ``torch.renorm(weight, 2, 0, c)`` (rows).
    """
    if not (np.isfinite(c) and c > 0):
        raise ValueError(f"c (the max-norm radius) must be a finite number > 0, got {c}")
    W = np.asarray(W)
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D (fan_in, fan_out) matrix, got shape {W.shape}")
    norms = np.sqrt((W * W).sum(axis=0, keepdims=True))
    return W * np.minimum(1.0, c / np.maximum(norms, np.finfo(W.dtype).tiny))
