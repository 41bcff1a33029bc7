"""Data: the bundled MNIST subset (shapes, stratified, disjoint, seeded), scaling fitted on
training data only, stratified splits, k-fold, the 2-D toy sets, and the ValueErrors."""
import numpy as np
import pytest

from course_utils import data as D


def row_bytes(X):
    return {r.tobytes() for r in np.ascontiguousarray(X)}


# ----------------------------------------------------------------------------- MNIST
@pytest.fixture(scope="module")
def mnist():
    return D.load_mnist(300, 200, 500, normalize=None, rng=0)


def test_load_mnist_shapes_and_types(mnist):
    for part, n in (("train", 300), ("val", 200), ("test", 500)):
        X, y = mnist[f"X_{part}"], mnist[f"y_{part}"]
        assert X.shape == (n, 784) and X.dtype == np.float64
        assert y.shape == (n,) and np.issubdtype(y.dtype, np.integer)
        assert y.min() >= 0 and y.max() <= 9
    assert X.min() >= 0 and X.max() <= 255 and X.max() > 1        # normalize=None keeps 0-255
    images = D.load_mnist(20, 0, 10, flatten=False)
    assert images["X_train"].shape == (20, 1, 28, 28)
    empty = D.load_mnist(10, 0, 0)
    assert empty["X_val"].shape == (0, 784) and empty["y_test"].shape == (0,)


def test_load_mnist_is_stratified(mnist):
    for part, n in (("train", 300), ("val", 200), ("test", 500)):
        np.testing.assert_array_equal(np.bincount(mnist[f"y_{part}"], minlength=10), n // 10)
    counts = np.bincount(D.load_mnist(53, 0, 0, rng=4)["y_train"], minlength=10)
    assert counts.max() - counts.min() <= 1                      # not a multiple of 10: ±1


def test_load_mnist_parts_are_disjoint(mnist):
    parts = [row_bytes(mnist[f"X_{p}"]) for p in ("train", "val", "test")]
    assert [len(p) for p in parts] == [300, 200, 500]           # no duplicate inside a part
    assert not parts[0] & parts[1] and not parts[0] & parts[2] and not parts[1] & parts[2]
    big = D.load_mnist(3000, 1000, 1000, normalize=None, rng=1)  # all 5,000 digits
    assert len(row_bytes(np.concatenate([big["X_train"], big["X_val"], big["X_test"]]))) == 5000


def test_load_mnist_is_seeded(mnist):
    again = D.load_mnist(300, 200, 500, normalize=None, rng=0)
    for k in mnist:
        np.testing.assert_array_equal(again[k], mnist[k])
    other = D.load_mnist(300, 200, 500, normalize=None, rng=1)
    assert not np.array_equal(other["X_train"], mnist["X_train"])
    assert row_bytes(other["X_test"]) != row_bytes(mnist["X_test"])
    # the test part does not depend on the sizes of the other parts
    np.testing.assert_array_equal(D.load_mnist(50, 0, 500, normalize=None, rng=0)["X_test"],
                                  mnist["X_test"])


def test_load_mnist_normalization(mnist):
    mm = D.load_mnist(300, 200, 500, rng=0)                      # default: minmax = /255
    for p in ("train", "val", "test"):
        X = mm[f"X_{p}"]
        assert X.min() >= 0.0 and X.max() <= 1.0
        np.testing.assert_allclose(X * 255.0, mnist[f"X_{p}"], atol=1e-9)
    assert mm["X_train"].max() == 1.0 and mm["X_train"].min() == 0.0
    st = D.load_mnist(300, 200, 500, normalize="standardize", rng=0)
    used = mnist["X_train"].std(axis=0) > 1e-8
    np.testing.assert_allclose(st["X_train"].mean(axis=0), 0.0, atol=1e-10)
    np.testing.assert_allclose(st["X_train"].std(axis=0)[used], 1.0, rtol=1e-9)
    mean, std = mnist["X_train"].mean(axis=0)[used], mnist["X_train"].std(axis=0)[used]
    np.testing.assert_allclose(st["X_val"][:, used], (mnist["X_val"][:, used] - mean) / std,
                               rtol=1e-10, atol=1e-10)
    f32 = D.load_mnist(10, 0, 10, dtype=np.float32)
    assert f32["X_train"].dtype == np.float32


@pytest.mark.parametrize("args, kwargs, match", [
    ((0, 0, 10), {}, "n_train"),
    ((10, -1, 10), {}, "n_val"),
    ((10, 0, 2.5), {}, "n_test"),
    ((4000, 500, 501), {}, "5000"),
    ((10, 0, 10), dict(normalize="zscore"), "normalize"),
])
def test_load_mnist_bad_arguments(args, kwargs, match):
    with pytest.raises(ValueError, match=match):
        D.load_mnist(*args, **kwargs)


# ----------------------------------------------------------------------------- scaling
@pytest.fixture
def three_sets():
    g = np.random.default_rng(0)
    A = g.normal([1.0, -5.0, 100.0], [2.0, 0.5, 30.0], size=(50, 3))
    return A, g.normal(size=(20, 3)) * 10, g.normal(size=(30, 3)) * 10


@pytest.mark.parametrize("scale", [D.standardize, D.minmax_scale])
def test_scaling_is_fitted_on_train_only(scale, three_sets):
    A, B, C = three_sets
    a1, b1, c1 = scale(A, B, C)
    a2, b2 = scale(A, B * 7 + 3)                         # other val data, no test data
    np.testing.assert_array_equal(a1, a2)                # train's transform does not change
    a3, = scale(A)
    np.testing.assert_array_equal(a1, a3)
    # the val output uses the train statistics: the same affine map as train
    if scale is D.standardize:
        expected = (B - A.mean(axis=0)) / A.std(axis=0)
    else:
        expected = (B - A.min(axis=0)) / (A.max(axis=0) - A.min(axis=0))
    np.testing.assert_allclose(b1, expected, rtol=1e-12, atol=1e-12)
    assert not np.allclose(b1, scale(B)[0])              # not B's own statistics


def test_standardize_values(three_sets):
    A, B, _ = three_sets
    a, b = D.standardize(A, B)
    np.testing.assert_allclose(a.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(a.std(axis=0), 1.0, rtol=1e-12)
    const = np.c_[np.ones(5), np.arange(5.0)]            # a constant feature is only centred
    out, = D.standardize(const)
    np.testing.assert_array_equal(out[:, 0], 0.0)


def test_minmax_values(three_sets):
    A, B, _ = three_sets
    a, b = D.minmax_scale(A, B)
    np.testing.assert_allclose(a.min(axis=0), 0.0, atol=1e-15)
    np.testing.assert_allclose(a.max(axis=0), 1.0, rtol=1e-15)
    assert a.min() >= 0.0 and a.max() <= 1.0
    assert b.min() < 0.0 or b.max() > 1.0                # val may leave the range
    r, = D.minmax_scale(A, feature_range=(-1.0, 1.0))
    np.testing.assert_allclose(r.min(axis=0), -1.0)
    np.testing.assert_allclose(r.max(axis=0), 1.0)
    const, = D.minmax_scale(np.c_[np.full(4, 3.0), np.arange(4.0)])
    np.testing.assert_array_equal(const[:, 0], 0.0)      # constant feature → lower bound
    with pytest.raises(ValueError, match="feature_range"):
        D.minmax_scale(A, feature_range=(1.0, 1.0))


# ----------------------------------------------------------------------------- splits
@pytest.fixture
def labelled():
    g = np.random.default_rng(5)
    y = np.repeat(np.arange(4), [100, 60, 40, 200])      # unbalanced on purpose
    X = np.c_[np.arange(len(y)), g.normal(size=len(y))]  # first column: the row id
    return X, y


def test_train_val_test_split(labelled):
    X, y = labelled
    n = len(y)
    d = D.train_val_test_split(X, y, val=0.2, test=0.1, rng=0)
    assert [len(d[f"y_{p}"]) for p in ("train", "val", "test")] == [n - 80 - 40, 80, 40]
    ids = [set(d[f"X_{p}"][:, 0].astype(int)) for p in ("train", "val", "test")]
    assert not ids[0] & ids[1] and not ids[0] & ids[2] and not ids[1] & ids[2]
    assert set.union(*ids) == set(range(n))
    for p in ("train", "val", "test"):                   # rows keep their labels
        np.testing.assert_array_equal(d[f"y_{p}"], y[d[f"X_{p}"][:, 0].astype(int)])
    # stratified: each part has the class proportions of the whole, to within one row
    share = np.bincount(y) / n
    for p in ("train", "val", "test"):
        counts = np.bincount(d[f"y_{p}"], minlength=4)
        assert np.all(np.abs(counts - share * len(d[f"y_{p}"])) <= 1), (p, counts)
    again = D.train_val_test_split(X, y, val=0.2, test=0.1, rng=0)
    other = D.train_val_test_split(X, y, val=0.2, test=0.1, rng=1)
    for k in d:
        np.testing.assert_array_equal(again[k], d[k])
    assert not np.array_equal(other["X_val"], d["X_val"])
    counts = D.train_val_test_split(X, y, val=50, test=30, rng=0)    # whole counts
    assert len(counts["y_val"]) == 50 and len(counts["y_test"]) == 30


@pytest.mark.parametrize("kwargs, match", [
    (dict(val=-0.1), "val"),
    (dict(test=2.5), "test"),
    (dict(val=0.5, test=0.5), "training rows"),
])
def test_train_val_test_split_bad_arguments(labelled, kwargs, match):
    X, y = labelled
    with pytest.raises(ValueError, match=match):
        D.train_val_test_split(X, y, **kwargs)
    with pytest.raises(ValueError, match="same number of rows"):
        D.train_val_test_split(X[:-1], y)


@pytest.mark.parametrize("k", [2, 4, 5, 7])
def test_kfold_every_index_once_and_stratified(labelled, k):
    _, y = labelled
    n = len(y)
    folds = D.kfold(y, k, rng=0)
    assert len(folds) == k
    vals = np.concatenate([va for _, va in folds])
    np.testing.assert_array_equal(np.sort(vals), np.arange(n))        # each index exactly once
    for tr, va in folds:
        assert not set(tr) & set(va)
        np.testing.assert_array_equal(np.sort(np.concatenate([tr, va])), np.arange(n))
        assert abs(len(va) - n / k) <= 1
        # stratified: each class's share of the fold within one row of its overall count / k
        counts = np.bincount(y[va], minlength=4)
        assert np.all(np.abs(counts - np.bincount(y) / k) <= 1), counts


def test_kfold_balanced_classes_two_folds():
    y = np.repeat([0, 1], 10)
    for _, va in D.kfold(y, 2, rng=0):
        np.testing.assert_array_equal(np.bincount(y[va], minlength=2), [5, 5])


def test_kfold_seeded_and_unlabelled(labelled):
    _, y = labelled
    a, b, c = D.kfold(y, 5, rng=0), D.kfold(y, 5, rng=0), D.kfold(y, 5, rng=1)
    for (ta, va), (tb, vb) in zip(a, b):
        np.testing.assert_array_equal(va, vb)
    assert not all(np.array_equal(va, vc) for (_, va), (_, vc) in zip(a, c))
    plain = D.kfold(23, 4, rng=0)
    np.testing.assert_array_equal(np.sort(np.concatenate([va for _, va in plain])), np.arange(23))
    for bad in (1, 401, 2.5):
        with pytest.raises(ValueError, match="k must be"):
            D.kfold(y, bad)


# ----------------------------------------------------------------------------- toy sets
@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spirals"])
def test_toy_sets(name):
    make = D.TOY_SETS[name]
    X, y = make(101, 0.1, rng=0)
    assert X.shape == (101, 2) and X.dtype == np.float64 and y.shape == (101,)
    np.testing.assert_array_equal(np.unique(y), [0, 1])
    assert np.all(np.isfinite(X))
    X2, y2 = make(101, 0.1, rng=0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = make(101, 0.1, rng=1)
    assert not np.array_equal(X, X3)
    if name != "xor":                                    # balanced by construction
        assert abs(np.bincount(y)[0] - np.bincount(y)[1]) <= 1
    with pytest.raises(ValueError, match="n must be"):
        make(1, 0.1)
    with pytest.raises(ValueError, match="n must be"):
        make(10.5, 0.1)
    with pytest.raises(ValueError, match="noise"):
        make(10, -0.1)


def test_toy_set_geometry():
    X, y = D.make_circles(400, 0.0, factor=0.5, rng=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0)
    np.testing.assert_allclose(r[y == 1], 0.5)
    X, y = D.make_xor(400, 0.0, rng=0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] > 0).astype(int))
    X, y = D.make_spirals(300, 0.1, rng=0, classes=3)
    np.testing.assert_array_equal(np.bincount(y), [100, 100, 100])
    with pytest.raises(ValueError, match="classes"):
        D.make_spirals(10, 0.1, classes=1)


def test_make_moons_shuffle_reorders_rows_only():
    X, y = D.make_moons(301, noise=0.2, rng=4)
    Xs, ys = D.make_moons(301, noise=0.2, rng=4, shuffle=True)
    assert (y[:150] == 0).all() and (y[150:] == 1).all()              # default: class 0 first
    order = np.random.default_rng(4).permutation(301)                 # the chapters' old hand shuffle
    np.testing.assert_array_equal(Xs, X[order])
    np.testing.assert_array_equal(ys, y[order])
    assert 0.3 < ys[:60].mean() < 0.7                                 # the first rows mix both classes
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    a, b = D.make_moons(50, rng=g1, shuffle=True), D.make_moons(50, rng=g2, shuffle=True)
    np.testing.assert_array_equal(a[0], b[0])                         # a Generator: deterministic too


def test_make_moons_shuffle_must_be_a_bool():
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        D.make_moons(10, shuffle="yes")
