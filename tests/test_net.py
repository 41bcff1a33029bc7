"""MLP: gradient check of the whole network (every activation, batch norm, dropout under a fixed
mask, L1 and L2), the penalty, inference with batch norm, and the ValueErrors on bad input."""
import numpy as np
import pytest

from course_utils.gradcheck import numerical_gradient, rel_error
from course_utils.net import MLP, init_std

TOL = 1e-7
ACTIVATIONS = ["relu", "sigmoid", "tanh", "leaky_relu", "elu"]
N = 6          # examples in the gradient-check batch
HIDDEN = [7, 6]
H = 1e-5


def small_net(seed, **kw):
    """A 5-7-6-3 net and a batch of N examples; BN's gamma, beta moved away from 1, 0."""
    net = MLP(5, HIDDEN, 3, init=1.0, rng=seed, **kw)
    g = np.random.default_rng(seed + 1)
    X, y = g.standard_normal((N, 5)), np.arange(N) % 3
    for k in net.params:
        if k.startswith("bn"):
            net.params[k] = net.params[k] + 0.3 * g.standard_normal(net.params[k].shape)
    if kw.get("penalty") == "l1":            # |w| is not differentiable at 0: keep away from it
        for k, W in net.params.items():
            if k.endswith(".W"):
                net.params[k] = np.sign(W) * (np.abs(W) + 0.1)
    return net, X, y, g


def check_net_gradients(net, X, y, **loss_kw):
    """Every parameter's analytic gradient against central differences of ``net.loss``."""
    # the kinks of relu / leaky relu / elu must be more than h away from every pre-activation
    _, _, hidden = net.forward(X, train=True, keep_hidden=True, masks=loss_kw.get("masks"))
    assert min(np.abs(pre).min() for pre, _ in hidden) > 1e-3
    loss, grads = net.loss(X, y, **loss_kw)
    assert set(grads) == set(net.params)
    f = lambda: net.loss(X, y, **loss_kw)[0]
    errors = {}
    for k, w in net.params.items():
        num = numerical_gradient(f, w, h=H)
        assert grads[k].shape == w.shape and grads[k].dtype == np.float64
        if net.batchnorm and k.endswith(".b") and f"bn{k[2:-2]}.gamma" in net.params:
            # a bias right before batch norm is cancelled by its mean: no gradient at all
            assert np.abs(num).max() < 1e-9 and np.abs(grads[k]).max() < 1e-12, k
            continue
        errors[k] = rel_error(num, grads[k])
    assert max(errors.values()) < TOL, errors
    return loss, grads


# The relative error is taken entry by entry, so an entry of ~1e-6 meets the rounding floor of
# central differences (~1e-11 for a loss of ~1 and h = 1e-5) whatever the code.  Each case's
# seed gives a net without such tiny entries: its max error stays <= 2e-8 (5x margin) even when
# the inputs are perturbed by 1e-13 to mimic another CPU's rounding.  float64, deterministic.
GRAD_CASES = [
    ("relu", dict(activation="relu"), 18),
    ("relu-bn", dict(activation="relu", batchnorm=True), 13),
    ("sigmoid", dict(activation="sigmoid"), 17),
    ("sigmoid-bn", dict(activation="sigmoid", batchnorm=True), 4),
    ("tanh", dict(activation="tanh"), 10),
    ("tanh-bn", dict(activation="tanh", batchnorm=True), 6),
    ("leaky_relu", dict(activation="leaky_relu"), 0),
    ("leaky_relu-bn", dict(activation="leaky_relu", batchnorm=True), 1),
    ("elu", dict(activation="elu"), 7),
    ("elu-bn", dict(activation="elu", batchnorm=True), 6),
    ("l2-relu", dict(activation="relu", weight_decay=0.1), 6),
    ("l2-relu-bn", dict(activation="relu", batchnorm=True, weight_decay=0.1), 4),
    ("l2-tanh", dict(activation="tanh", weight_decay=0.1), 3),
    ("l2-tanh-bn", dict(activation="tanh", batchnorm=True, weight_decay=0.1), 17),
    ("l1-relu", dict(activation="relu", weight_decay=0.1, penalty="l1"), 17),
    ("l1-relu-bn", dict(activation="relu", batchnorm=True, weight_decay=0.1, penalty="l1"), 10),
    ("l1-tanh", dict(activation="tanh", weight_decay=0.1, penalty="l1"), 4),
    ("l1-tanh-bn", dict(activation="tanh", batchnorm=True, weight_decay=0.1, penalty="l1"), 11),
]


@pytest.mark.parametrize("kwargs, seed", [c[1:] for c in GRAD_CASES], ids=[c[0] for c in GRAD_CASES])
def test_mlp_gradients(kwargs, seed):
    net, X, y, _ = small_net(seed, **kwargs)
    check_net_gradients(net, X, y)


DROPOUT_CASES = [
    ("relu", dict(activation="relu"), 10),
    ("tanh-bn", dict(activation="tanh", batchnorm=True), 6),
    ("elu-l2", dict(activation="elu", weight_decay=0.1), 6),
]


@pytest.mark.parametrize("kwargs, seed", [c[1:] for c in DROPOUT_CASES], ids=[c[0] for c in DROPOUT_CASES])
def test_mlp_gradients_dropout_fixed_masks(kwargs, seed):
    net, X, y, g = small_net(seed, dropout=0.3, **kwargs)
    masks = [g.random((N, h)) >= 0.3 for h in HIDDEN]
    check_net_gradients(net, X, y, masks=masks)


DROPOUT_SEED, DROPOUT_RNG = 5, 3        # the net's seed, and the seed given to every loss call


def test_mlp_gradients_dropout_fresh_seed_each_call():
    net, X, y, _ = small_net(DROPOUT_SEED, activation="tanh", dropout=0.3)
    check_net_gradients(net, X, y, rng=DROPOUT_RNG)
    # the seed really fixes the mask, and dropout is really on
    l1, l2, l3 = (net.loss(X, y, rng=s)[0] for s in (DROPOUT_RNG, DROPOUT_RNG, DROPOUT_RNG + 1))
    assert l1 == l2 and l1 != l3


@pytest.mark.parametrize("penalty", ["l2", "l1"])
def test_penalty_applies_to_weights_only(penalty):
    lam = 0.05
    plain, X, y, _ = small_net(3, activation="tanh", batchnorm=True)
    reg = MLP(5, HIDDEN, 3, activation="tanh", batchnorm=True, weight_decay=lam, penalty=penalty)
    reg.params = {k: v.copy() for k, v in plain.params.items()}
    l0, g0 = plain.loss(X, y)
    l1, g1 = reg.loss(X, y)
    Ws = [v for k, v in reg.params.items() if k.endswith(".W")]
    if penalty == "l2":
        expected = lam / 2 * sum((W ** 2).sum() for W in Ws)
    else:
        expected = lam * sum(np.abs(W).sum() for W in Ws)
    assert reg.penalty_value() == pytest.approx(expected, rel=1e-13)
    assert l1 == pytest.approx(l0 + expected, rel=1e-13)
    for k in g0:
        if k.endswith(".W"):
            extra = lam * reg.params[k] if penalty == "l2" else lam * np.sign(reg.params[k])
            np.testing.assert_allclose(g1[k], g0[k] + extra, rtol=1e-12, atol=1e-15)
        else:                                 # biases and BN's gamma, beta: not penalized
            np.testing.assert_array_equal(g1[k], g0[k])


# ----------------------------------------------------------------------------- structure
def test_params_are_namespaced_float64():
    net = MLP(5, [7, 6], 3, batchnorm=True)
    assert list(net.params) == ["fc1.W", "fc1.b", "bn1.gamma", "bn1.beta", "fc2.W", "fc2.b",
                                "bn2.gamma", "bn2.beta", "fc3.W", "fc3.b"]
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes["fc1.W"] == (5, 7) and shapes["fc2.W"] == (7, 6) and shapes["fc3.W"] == (6, 3)
    assert shapes["bn2.gamma"] == (6,) and shapes["fc3.b"] == (3,)
    assert all(v.dtype == np.float64 for v in net.params.values())
    assert list(MLP(5, [4], 2).params) == ["fc1.W", "fc1.b", "fc2.W", "fc2.b"]


def test_init_std_and_seed():
    assert init_std("he", 50) == pytest.approx(np.sqrt(2 / 50))
    assert init_std("xavier", 50) == pytest.approx(np.sqrt(1 / 50))
    assert init_std(0.01, 50) == 0.01
    net = MLP(400, [300], 10, init="he", rng=0)
    assert net.params["fc1.W"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    np.testing.assert_array_equal(net.params["fc1.b"], 0.0)
    same, other = MLP(400, [300], 10, rng=0), MLP(400, [300], 10, rng=1)
    np.testing.assert_array_equal(same.params["fc1.W"], net.params["fc1.W"])
    assert not np.array_equal(other.params["fc1.W"], net.params["fc1.W"])
    for bad in ("lecun", 0.0, -1.0, np.inf):
        with pytest.raises(ValueError, match="init"):
            MLP(4, [3], 2, init=bad)


def test_predict_accuracy_evaluate():
    net, X, y, _ = small_net(0, activation="tanh")
    scores, _ = net.forward(X)
    np.testing.assert_array_equal(net.predict(X), scores.argmax(axis=1))
    np.testing.assert_array_equal(net.predict(X, batch_size=4), scores.argmax(axis=1))
    assert net.accuracy(X, y) == pytest.approx(np.mean(scores.argmax(axis=1) == y))
    loss, acc = net.evaluate(X, y)
    assert acc == net.accuracy(X, y)
    assert loss == pytest.approx(net.loss(X, y, train=False)[0], rel=1e-14)


def test_batchnorm_net_inference_single_example():
    """After training steps, inference uses running statistics: one example alone gives the
    same scores as inside a bigger batch, and does not change the running averages."""
    net = MLP(5, [7, 6], 3, batchnorm=True, rng=0)
    g = np.random.default_rng(0)
    X, y = g.standard_normal((32, 5)) * 2 + 1, g.integers(0, 3, 32)
    for _ in range(5):
        _, grads = net.loss(X, y, update_running=True)
        net.params = {k: v - 0.1 * grads[k] for k, v in net.params.items()}
    running = {k: {s: a.copy() for s, a in r.items()} for k, r in net.running.items()}
    assert not np.allclose(running["bn1"]["mean"], 0.0)          # they did move
    batch, _ = net.forward(X[:10])
    for i in range(10):
        one, _ = net.forward(X[i:i + 1])
        np.testing.assert_allclose(one[0], batch[i], rtol=1e-12, atol=1e-14)
    assert net.predict(X[3:4]).shape == (1,)
    for k in running:
        for s in running[k]:
            np.testing.assert_array_equal(net.running[k][s], running[k][s])


def test_dropout_off_at_inference():
    net = MLP(5, [20], 3, dropout=0.5, rng=0)
    X = np.random.default_rng(0).standard_normal((4, 5))
    a, _ = net.forward(X, train=False, rng=1)
    b, _ = net.forward(X, train=False, rng=2)
    np.testing.assert_array_equal(a, b)
    c, _ = net.forward(X, train=True, rng=1)
    assert not np.allclose(a, c)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("kwargs, match", [
    (dict(activation="softplus"), "activation"),
    (dict(dropout=1.0), "dropout"),
    (dict(dropout=-0.1), "dropout"),
    (dict(weight_decay=-1e-3), "weight_decay"),
    (dict(weight_decay=np.nan), "weight_decay"),
    (dict(penalty="l3"), "penalty"),
])
def test_mlp_bad_hyperparameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        MLP(5, [4], 3, **kwargs)


@pytest.mark.parametrize("args, match", [
    ((0, [4], 3), "input_dim"),
    ((5, [4], 1), "output_dim"),
    ((5, [0], 3), "hidden_dims"),
    ((5, [2.5], 3), "hidden_dims"),
])
def test_mlp_bad_dims(args, match):
    with pytest.raises(ValueError, match=match):
        MLP(*args)


def test_mlp_bad_data():
    net = MLP(5, [4], 3)
    X, y = np.zeros((4, 5)), np.array([0, 1, 2, 1])
    with pytest.raises(ValueError, match=r"labels y must be in \[0, 2\]"):
        net.loss(X, np.array([0, 1, 3, 1]))
    with pytest.raises(ValueError, match="labels"):
        net.loss(X, np.array([0, -1, 2, 1]))
    with pytest.raises(ValueError, match="y must have shape"):
        net.loss(X, y[:3])
    with pytest.raises(ValueError, match=r"X must have shape \(N, 5\)"):
        net.loss(np.zeros((4, 6)), y)
    with pytest.raises(ValueError, match="X must have shape"):
        net.predict(np.zeros(5))
    with pytest.raises(ValueError, match="labels"):
        net.accuracy(X, np.array([0, 1, 2, 7]))


def test_batchnorm_running_averages_move_only_when_asked():
    net = MLP(5, [7], 3, batchnorm=True, rng=0)
    g = np.random.default_rng(1)
    X, y = g.standard_normal((16, 5)) * 3 + 2, g.integers(0, 3, 16)

    def running():
        return {s: a.copy() for s, a in net.running["bn1"].items()}

    before = running()
    net.loss(X, y)                                       # a bare training-mode loss / gradcheck
    net.forward(X, train=True)
    for s in before:
        np.testing.assert_array_equal(net.running["bn1"][s], before[s])
    # asked for: one step of r ← 0.9·r + 0.1·batch statistic
    z = X @ net.params["fc1.W"] + net.params["fc1.b"]
    net.loss(X, y, update_running=True)
    np.testing.assert_allclose(net.running["bn1"]["mean"], 0.9 * before["mean"] + 0.1 * z.mean(0))
    np.testing.assert_allclose(net.running["bn1"]["var"], 0.9 * before["var"] + 0.1 * z.var(0))
    moved = running()
    net.forward(X, train=True, update_running=True)
    assert not np.allclose(net.running["bn1"]["mean"], moved["mean"])


def test_train_updates_the_running_averages():
    from course_utils.training import train
    net = MLP(5, [7], 3, batchnorm=True, rng=0)
    g = np.random.default_rng(1)
    X, y = g.standard_normal((40, 5)) * 3 + 2, g.integers(0, 3, 40)
    train(net, (X, y), "sgd", epochs=2, batch_size=10)
    assert not np.allclose(net.running["bn1"]["mean"], 0.0)
    assert not np.allclose(net.running["bn1"]["var"], 1.0)


def test_check_input_is_public():
    net = MLP(3, [4], 2)
    X, y = net.check_input([[1, 2, 3]], [1.0])
    assert X.dtype == np.float64 and X.shape == (1, 3) and y.dtype.kind == "i" and y[0] == 1
    with pytest.raises(ValueError, match=r"X must have shape \(N, 3\)"):
        net.check_input(np.zeros((2, 4)))
    with pytest.raises(ValueError, match="NaN"):
        net.check_input([[np.nan, 0, 0]])
