"""Chapter 03's checks: they pass the reference, say "not implemented yet" for a stub, and give
the intended hint for typical wrong answers."""
import numpy as np
import pytest

from course_utils import layers as L
from course_utils.checks import (check_batchnorm_backward, check_batchnorm_forward,
                                 check_layernorm_forward)

EPS = 1e-5


# ----------------------------------------------------------------------------- forward
def bn_forward(x, gamma, beta, running, train, momentum=0.9, *, ddof=0, eps_outside=False,
               stats_in_train="batch", stats_in_test="running", update=True,
               convention="ours", running_ddof=0, update_in_test=False, fixed_momentum=False):
    """A configurable batch-norm forward pass: the defaults are right, each option is a mistake."""
    mu, var = x.mean(axis=0), x.var(axis=0, ddof=ddof)
    momentum = 0.9 if fixed_momentum else momentum
    use = stats_in_train if train else stats_in_test
    m_, v_ = (mu, var) if use == "batch" else (running["mean"], running["var"])
    den = np.sqrt(v_) + EPS if eps_outside else np.sqrt(v_ + EPS)
    out = gamma * (x - m_) / den + beta
    new = dict(running)
    if (train and update) or (not train and update_in_test):
        rv = x.var(axis=0, ddof=running_ddof)
        k = momentum if convention == "ours" else 1 - momentum
        new = {"mean": k * running["mean"] + (1 - k) * mu, "var": k * running["var"] + (1 - k) * rv}
    return out, new


def test_forward_reference_passes(capsys):
    def ref(x, gamma, beta, running, train, momentum=0.9):
        out, _, r = L.batchnorm_forward(x, gamma, beta, running, train=train, momentum=momentum)
        return out, r
    assert check_batchnorm_forward(ref) is True
    assert check_batchnorm_forward(bn_forward) is True
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, hint", [
    (dict(ddof=1), "N − 1"),
    (dict(eps_outside=True), "inside the square root"),
    (dict(stats_in_train="running"), "in training mode normalize with the batch"),
    (dict(stats_in_test="batch"), "in test mode use the running averages"),
    (dict(update=False), "forgot to update the running averages"),
    (dict(convention="pytorch"), "wrong momentum convention"),
    (dict(running_ddof=1), "PyTorch stores the unbiased one"),
    (dict(fixed_momentum=True), "use the momentum argument"),
    (dict(update_in_test=True), "test mode must not change"),
])
def test_forward_hints(mistake, hint, capsys):
    def wrong(x, gamma, beta, running, train, momentum=0.9):
        return bn_forward(x, gamma, beta, running, train, momentum, **mistake)
    assert check_batchnorm_forward(wrong) is False
    out = capsys.readouterr().out
    assert out.startswith("✗") and hint in out, out


def test_forward_output_only(capsys):
    assert check_batchnorm_forward(lambda *a: bn_forward(*a)[0]) is False
    assert "return a pair (out, new_running)" in capsys.readouterr().out


def test_forward_does_not_leak_mutation(capsys):
    """A student function that updates ``running`` in place must not change the reference."""
    def in_place(x, gamma, beta, running, train, momentum=0.9):
        out, new = bn_forward(x, gamma, beta, running, train, momentum)
        running["mean"][:] = new["mean"]
        running["var"][:] = new["var"]
        return out, running
    assert check_batchnorm_forward(in_place) is True


# ----------------------------------------------------------------------------- backward
def bn_backward(dout, x, gamma, *, mistake=None):
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = x.var(axis=0, ddof=1 if mistake == "unbiased" else 0)
    inv = 1.0 / np.sqrt(var + EPS)
    xhat = (x - mu) * inv
    dbeta, dgamma = dout.sum(axis=0), (dout * xhat).sum(axis=0)
    m1, m2 = dout.mean(axis=0), (dout * xhat).mean(axis=0)
    g = 1.0 if mistake == "no_gamma" else gamma
    dx = {
        "no_mean_terms": g * inv * dout,
        "no_var_path": g * inv * (dout - m1),
        "no_mu_path": g * inv * (dout - xhat * m2),
        "factor_n": g * inv * (n * dout - dbeta - xhat * dgamma),
    }.get(mistake, g * inv * (dout - m1 - xhat * m2))
    if mistake == "swapped":
        dgamma, dbeta = dbeta, dgamma
    if mistake == "not_summed":
        dgamma, dbeta = dout * xhat, dout
    return dx, dgamma, dbeta


def test_backward_reference_passes(capsys):
    def ref(dout, x, gamma):
        _, cache, _ = L.batchnorm_forward(x, gamma, np.zeros_like(gamma), None, train=True)
        return L.batchnorm_backward(dout, cache)
    assert check_batchnorm_backward(ref) is True
    assert check_batchnorm_backward(bn_backward) is True
    assert "✓" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, hint", [
    ("swapped", "dγ and dβ are swapped"),
    ("not_summed", "sum over the batch axis"),
    ("no_mean_terms", "treats μ_B and σ²_B as constants"),
    ("no_var_path", "path through σ²_B is missing"),
    ("no_mu_path", "path through μ_B is missing"),
    ("no_gamma", "missing the factor γ"),
    ("factor_n", "off by a factor N"),
    ("unbiased", "biased batch variance"),
])
def test_backward_hints(mistake, hint, capsys):
    assert check_batchnorm_backward(lambda d, x, g: bn_backward(d, x, g, mistake=mistake)) is False
    out = capsys.readouterr().out
    assert out.startswith("✗") and hint in out, out


def test_backward_crash_is_reported(capsys):
    def crash(dout, x, gamma):
        return dout @ x            # shapes do not fit
    assert check_batchnorm_backward(crash) is False
    assert "raised ValueError" in capsys.readouterr().out


# ----------------------------------------------------------------------------- layer norm
def ln_forward(x, gamma, beta, *, axis=1, ddof=0, eps_outside=False, affine=True, keepdims=True):
    """A configurable layer-norm forward pass: the defaults are right, each option is a mistake."""
    mu = x.mean(axis=axis, keepdims=True)
    var = x.var(axis=axis, ddof=ddof, keepdims=True)
    den = np.sqrt(var) + EPS if eps_outside else np.sqrt(var + EPS)
    xhat = (x - mu) / den
    if not keepdims:
        xhat = xhat.mean(axis=1)
    return gamma * xhat + beta if affine else xhat


def test_layernorm_reference_passes(capsys):
    assert check_layernorm_forward(lambda x, g, b: L.layernorm_forward(x, g, b)[0]) is True
    assert check_layernorm_forward(ln_forward) is True
    assert "✓ layer-norm forward" in capsys.readouterr().out


@pytest.mark.parametrize("mistake, hint", [
    (dict(axis=0), "that is batch norm"),
    (dict(ddof=1), "biased variance over the features"),
    (dict(eps_outside=True), "inside the square root"),
    (dict(affine=False), "apply the learned scale and shift"),
])
def test_layernorm_hints(mistake, hint, capsys):
    assert check_layernorm_forward(lambda x, g, b: ln_forward(x, g, b, **mistake)) is False
    out = capsys.readouterr().out
    assert out.startswith("✗") and hint in out, out


def test_layernorm_wrong_shape_hint(capsys):
    def per_row_scalar(x, gamma, beta):
        return ((x - x.mean(axis=1, keepdims=True)) / np.sqrt(x.var(axis=1, keepdims=True) + EPS)).mean(axis=1)
    assert check_layernorm_forward(per_row_scalar) is False
    assert "the output must have the shape of x" in capsys.readouterr().out


# ----------------------------------------------------------------------------- all three
@pytest.mark.parametrize("check", [check_batchnorm_forward, check_batchnorm_backward,
                                   check_layernorm_forward])
def test_stub_is_not_implemented_yet(check, run_check):
    def stub(*args):
        raise NotImplementedError("write it")
    ok, out = run_check(check, stub)
    assert not ok and "not implemented yet" in out
