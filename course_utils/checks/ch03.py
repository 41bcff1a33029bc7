"""Checks for chapter 03's exercises: the batch-norm forward pass (train and test mode), its
backward pass, and the layer-norm forward pass.  Each prints one line: a pass, "not implemented yet", or a targeted hint."""
from functools import partial

import numpy as np

from .. import layers as L
from .core import check, close

__all__ = ["check_batchnorm_forward", "check_batchnorm_backward", "check_layernorm_forward"]

EPS = 1e-5
# the hints' tolerance, tighter than the default: where σ ≈ 3, √σ² + ε and √(σ² + ε) give
# outputs only a few 1e-6 apart (relative), within 3.4× of the default tolerance
_close = partial(close, rtol=1e-9, atol=1e-12)


# ----------------------------------------------------------------------------- forward
def _bn_reference(x, gamma, beta, running, train, momentum):
    out, _, new_running = L.batchnorm_forward(x, gamma, beta, running, train=train,
                                              momentum=momentum, eps=EPS)
    return out, new_running


def _forward_cases():
    g = np.random.default_rng(3)

    def case(n, d, scale, train, momentum):
        x = 2.0 + scale * g.standard_normal((n, d))
        gamma = 1.0 + 0.5 * g.standard_normal(d)
        beta = g.standard_normal(d)
        running = {"mean": 2.0 + scale * g.standard_normal(d),
                   "var": scale ** 2 * (0.5 + g.random(d))}
        return (x, gamma, beta, running, train, momentum)

    # train, test, then small-variance features (ε matters) with another momentum
    return [case(8, 4, 3.0, True, 0.9), case(6, 3, 3.0, False, 0.9),
            case(10, 5, 0.01, True, 0.8), case(5, 4, 0.01, False, 0.8)]


def _batch_stats(x, ddof=0):
    return x.mean(axis=0), x.var(axis=0, ddof=ddof)


def _out_with(x, gamma, beta, mu, var, eps_outside=False):
    den = np.sqrt(var) + EPS if eps_outside else np.sqrt(var + EPS)
    return gamma * (x - mu) / den + beta


def _got_out(got):
    return got[0] if isinstance(got, tuple) else got


def _got_running(got):
    return got[1] if isinstance(got, tuple) and len(got) == 2 else None


def _running_is(got, mean, var):
    r = _got_running(got)
    return isinstance(r, dict) and _close(r.get("mean"), mean) and _close(r.get("var"), var)


def _forward_hints():
    def not_pair(got, want, args):
        return not (isinstance(got, tuple) and len(got) == 2 and isinstance(got[1], dict))

    def unbiased_var(got, want, args):
        x, g, b, r, train, m = args
        mu, var = _batch_stats(x, ddof=1)
        return train and _close(_got_out(got), _out_with(x, g, b, mu, var))

    def eps_outside(got, want, args):
        x, g, b, r, train, m = args
        mu, var = _batch_stats(x) if train else (r["mean"], r["var"])
        return _close(_got_out(got), _out_with(x, g, b, mu, var, eps_outside=True))

    def running_in_train(got, want, args):
        x, g, b, r, train, m = args
        return train and _close(_got_out(got), _out_with(x, g, b, r["mean"], r["var"]))

    def batch_in_test(got, want, args):
        x, g, b, r, train, m = args
        return not train and _close(_got_out(got), _out_with(x, g, b, *_batch_stats(x)))

    def not_updated(got, want, args):
        x, g, b, r, train, m = args
        return train and _running_is(got, r["mean"], r["var"])

    def swapped_momentum(got, want, args):
        x, g, b, r, train, m = args
        mu, var = _batch_stats(x)
        return train and _running_is(got, (1 - m) * r["mean"] + m * mu, (1 - m) * r["var"] + m * var)

    def fixed_momentum(got, want, args):
        x, g, b, r, train, m = args
        mu, var = _batch_stats(x)
        return train and m != 0.9 and _running_is(got, 0.9 * r["mean"] + 0.1 * mu, 0.9 * r["var"] + 0.1 * var)

    def unbiased_running(got, want, args):
        x, g, b, r, train, m = args
        mu, var = _batch_stats(x, ddof=1)
        return train and _running_is(got, m * r["mean"] + (1 - m) * mu, m * r["var"] + (1 - m) * var)

    def updated_in_test(got, want, args):
        x, g, b, r, train, m = args
        return not train and not _running_is(got, r["mean"], r["var"])

    return [
        (not_pair, "return a pair (out, new_running) where new_running is a dict with "
                   "'mean' and 'var'."),
        (unbiased_var, "you divided the variance by N − 1 (unbiased, like np.var(ddof=1) or "
                       "torch.var); batch norm uses the biased batch variance, divided by N."),
        (eps_outside, "ε belongs inside the square root: x̂ = (x − μ) / √(σ² + ε), "
                      "not (x − μ) / (√σ² + ε)."),
        (running_in_train, "in training mode normalize with the batch's own μ_B and σ²_B; the "
                           "running averages are only for inference."),
        (batch_in_test, "in test mode use the running averages, not the batch's statistics — "
                        "otherwise a prediction depends on the rest of the batch."),
        (not_updated, "the output is right but you forgot to update the running averages in "
                      "training mode: r ← momentum·r + (1 − momentum)·batch statistic."),
        (swapped_momentum, "wrong momentum convention: here r ← momentum·r + (1 − momentum)·batch "
                           "with momentum = 0.9 (PyTorch writes 0.1 and weights the NEW batch by it)."),
        (fixed_momentum, "the running averages use 0.9 whatever momentum is passed: use the "
                         "momentum argument."),
        (unbiased_running, "the running variance should average the biased batch variance "
                           "(÷N), the same one used to normalize (PyTorch stores the unbiased one)."),
        (updated_in_test, "test mode must not change the running averages: return them as they were."),
    ]


def check_batchnorm_forward(fn):
    """fn(x, gamma, beta, running, train, momentum) -> (out, new_running)."""
    return check("batch-norm forward (train and test mode)", fn, _bn_reference,
                 _forward_cases(), _forward_hints())


# ----------------------------------------------------------------------------- backward
def _bn_backward_reference(dout, x, gamma):
    _, cache, _ = L.batchnorm_forward(x, gamma, np.zeros_like(gamma), None, train=True, eps=EPS)
    return L.batchnorm_backward(dout, cache)


def _backward_cases():
    g = np.random.default_rng(4)
    cases = []
    for n, d, scale in ((6, 3, 1.0), (10, 5, 3.0), (4, 7, 0.5)):
        x = 1.0 + scale * g.standard_normal((n, d))
        gamma = 1.0 + 0.5 * g.standard_normal(d)
        cases.append((g.standard_normal((n, d)), x, gamma))
    return cases


def _parts(dout, x, gamma, ddof=0):
    mu, var = _batch_stats(x, ddof=ddof)
    inv_std = 1.0 / np.sqrt(var + EPS)
    xhat = (x - mu) * inv_std
    return xhat, inv_std, dout.mean(axis=0), (dout * xhat).mean(axis=0)


def _dx_is(got, dx):
    return isinstance(got, tuple) and len(got) == 3 and _close(got[0], dx)


def _backward_hints():
    def not_triple(got, want, args):
        return not (isinstance(got, tuple) and len(got) == 3)

    def not_summed(got, want, args):
        d = args[1].shape[1]
        return any(np.shape(got[k]) != (d,) for k in (1, 2))

    def swapped(got, want, args):
        return _close(got[1], want[2]) and _close(got[2], want[1])

    def no_mean_terms(got, want, args):
        dout, x, gamma = args
        xhat, inv_std, _, _ = _parts(dout, x, gamma)
        return _dx_is(got, gamma * inv_std * dout)

    def no_var_path(got, want, args):
        dout, x, gamma = args
        xhat, inv_std, m1, _ = _parts(dout, x, gamma)
        return _dx_is(got, gamma * inv_std * (dout - m1))

    def no_mu_path(got, want, args):
        dout, x, gamma = args
        xhat, inv_std, _, m2 = _parts(dout, x, gamma)
        return _dx_is(got, gamma * inv_std * (dout - xhat * m2))

    def no_gamma(got, want, args):
        return _dx_is(got, want[0] / args[2])

    def factor_n(got, want, args):
        n = args[1].shape[0]
        return _dx_is(got, want[0] * n) or _dx_is(got, want[0] / n)

    def unbiased(got, want, args):
        dout, x, gamma = args
        xhat, inv_std, m1, m2 = _parts(dout, x, gamma, ddof=1)
        n = x.shape[0]
        # the compact formula with σ² ÷ (N − 1), or the exact gradient of that variant
        return (_dx_is(got, gamma * inv_std * (dout - m1 - xhat * m2))
                or _dx_is(got, gamma * inv_std * (dout - m1 - xhat * m2 * n / (n - 1))))

    return [
        (not_triple, "return a triple (dx, dgamma, dbeta)."),
        (not_summed, "dγ and dβ have one entry per feature: sum over the batch axis (axis=0), "
                     "shape (D,)."),
        (swapped, "dγ and dβ are swapped: dβ = Σ dy and dγ = Σ dy·x̂ (sums over the batch)."),
        (no_mean_terms, "dx treats μ_B and σ²_B as constants. They depend on x too: "
                        "dx = γ/√(σ²+ε)·(dy − mean(dy) − x̂·mean(dy·x̂))."),
        (no_var_path, "the path through σ²_B is missing: subtract x̂·mean(dy·x̂) as well."),
        (no_mu_path, "the path through μ_B is missing: subtract mean(dy) as well."),
        (no_gamma, "dx is missing the factor γ (the gradient reaching x̂ is γ·dy)."),
        (factor_n, "dx is off by a factor N: the compact formula has (1/N)·(N·dy − Σdy − x̂·Σ(dy·x̂))."),
        (unbiased, "use the biased batch variance (÷N) as in the forward pass, not ÷(N − 1)."),
    ]


def check_batchnorm_backward(fn):
    """fn(dout, x, gamma) -> (dx, dgamma, dbeta) for a batch-norm layer in training mode (ε = 1e-5)."""
    return check("batch-norm backward", fn, _bn_backward_reference, _backward_cases(),
                 _backward_hints())


# ----------------------------------------------------------------------------- layer norm
def _ln_reference(x, gamma, beta):
    return L.layernorm_forward(x, gamma, beta, eps=EPS)[0]


def _layernorm_cases():
    g = np.random.default_rng(5)
    cases = []
    # a batch of 2 (where batch norm fails), one example alone, a wider batch with tiny features
    for n, d, scale in ((2, 6, 3.0), (1, 5, 2.0), (4, 8, 0.01)):
        x = 1.0 + scale * g.standard_normal((n, d))
        cases.append((x, 1.0 + 0.5 * g.standard_normal(d), g.standard_normal(d)))
    return cases


def _ln_with(x, gamma, beta, axis=1, ddof=0, eps_outside=False):
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True)
    den = np.sqrt(var) + EPS if eps_outside else np.sqrt(var + EPS)
    return gamma * (x - mu) / den + beta


def _layernorm_hints():
    def over_batch(got, want, args):
        x, g, b = args
        return x.shape[0] > 1 and _close(got, _ln_with(x, g, b, axis=0))

    def unbiased(got, want, args):
        return _close(got, _ln_with(*args, ddof=1))

    def eps_outside(got, want, args):
        return _close(got, _ln_with(*args, eps_outside=True))

    def no_affine(got, want, args):
        x, g, b = args
        return _close(got, _ln_with(x, np.ones_like(g), np.zeros_like(b)))

    def no_keepdims(got, want, args):
        return np.shape(got) != np.shape(want)

    return [
        (no_keepdims, "the output must have the shape of x, (N, D). Reduce over axis=1 with "
                      "keepdims=True so the (N, 1) statistics broadcast against x."),
        (over_batch, "you normalized over the batch (axis=0): that is batch norm. Layer norm "
                     "takes the mean and variance over the features of each row (axis=1)."),
        (unbiased, "use the biased variance over the features (÷D), not ÷(D − 1)."),
        (eps_outside, "ε belongs inside the square root: x̂ = (x − μ) / √(σ² + ε)."),
        (no_affine, "x̂ is right, but the output is y = γ·x̂ + β: apply the learned scale and shift."),
    ]


def check_layernorm_forward(fn):
    """fn(x, gamma, beta) -> out: layer normalization over the features of each row (ε = 1e-5)."""
    return check("layer-norm forward", fn, _ln_reference, _layernorm_cases(), _layernorm_hints())
