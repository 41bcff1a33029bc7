"""Numerical gradients by central differences, and the relative error used to compare them."""
import numpy as np


def numerical_gradient(f, x, h=1e-5):
    """∂f/∂x by central differences, ``(f(x + h·e_i) − f(x − h·e_i)) / 2h`` for every entry.

    ``f`` takes no arguments and reads ``x``, which is perturbed in place and restored.
    Use float64: in float32 the rounding error swamps the O(h²) truncation error.
    """
    grad = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + h
        fp = f()
        x[i] = old - h
        fm = f()
        x[i] = old
        grad[i] = (fp - fm) / (2 * h)
    return grad


def numerical_gradient_array(f, x, dout, h=1e-5):
    """Gradient of ``sum(f() * dout)`` w.r.t. x, for functions with array output."""
    return numerical_gradient(lambda: float(np.sum(f() * dout)), x, h)


def rel_error(a, b):
    """max |a − b| / max(|a| + |b|, 1e-8), elementwise: about 1e-7 or less means they agree."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
