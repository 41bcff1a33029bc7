"""The training loop: early stopping restores the best weights, divergence is reported (not
raised, no warnings), on_epoch can cancel, batch_size is checked, runs are deterministic."""
import dataclasses
import warnings

import numpy as np
import pytest

from course_utils.data import load_mnist, make_moons
from course_utils.net import MLP
from course_utils.optimizers import Optimizer
from course_utils.schedules import step_decay
from course_utils.training import EarlyStopping, History, train


@pytest.fixture(scope="module")
def digits():
    return load_mnist(100, 200, 100, rng=0)


def snapshot(net):
    return ({k: v.copy() for k, v in net.params.items()},
            {k: {s: a.copy() for s, a in r.items()} for k, r in net.running.items()})


def assert_same_weights(a, b):
    assert a[0].keys() == b[0].keys() and a[1].keys() == b[1].keys()
    for k in a[0]:
        np.testing.assert_array_equal(a[0][k], b[0][k])
    for k in a[1]:
        for s in a[1][k]:
            np.testing.assert_array_equal(a[1][k][s], b[1][k][s])


# ----------------------------------------------------------------------------- early stopping
@pytest.mark.parametrize("batchnorm", [False, True], ids=["plain", "batchnorm"])
def test_early_stopping_restores_best_weights(digits, batchnorm):
    net = MLP(784, [64], 10, batchnorm=batchnorm, rng=0)
    seen = {}                                            # epoch -> weights at its end

    def record(h):
        seen[h.epochs] = snapshot(net)

    patience = 3
    h = train(net, digits, Optimizer("sgd", lr=0.3), epochs=60, batch_size=10,
              early_stopping=EarlyStopping(patience), on_epoch=record)
    assert h.stopped_at is not None and h.stopped_at < 60 and not h.cancelled
    assert h.best_epoch == int(np.argmin(h.val_loss)) + 1
    assert h.stopped_at == h.best_epoch + patience + 1 == h.epochs
    assert h.status == f"stopped early at epoch {h.stopped_at} (best epoch {h.best_epoch})"
    assert_same_weights(snapshot(net), seen[h.best_epoch])
    # restoring mattered: the weights one epoch before the stop were different
    assert not np.array_equal(seen[h.stopped_at - 1][0]["fc1.W"], net.params["fc1.W"])
    loss, acc = net.evaluate(digits["X_val"], digits["y_val"])
    assert loss == pytest.approx(h.val_loss[h.best_epoch - 1], rel=1e-12)
    assert acc == h.val_acc[h.best_epoch - 1]


def test_early_stopping_without_restore_and_on_accuracy(digits):
    net = MLP(784, [64], 10, rng=0)
    last = {}
    h = train(net, digits, Optimizer("sgd", lr=0.3), epochs=60, batch_size=10,
              early_stopping=EarlyStopping(2, monitor="val_acc", restore_best=False),
              on_epoch=lambda h: last.update(w=net.params["fc1.W"].copy()))
    assert h.stopped_at is not None
    best = max(h.val_acc)
    assert h.val_acc[h.best_epoch - 1] == best and best > max(h.val_acc[h.best_epoch:])
    assert h.best_epoch == h.val_acc.index(best) + 1     # the first epoch reaching the best
    assert not np.array_equal(last["w"], net.params["fc1.W"])   # kept the last weights


def test_early_stopping_unit():
    # the course's rule: ``patience`` non-improving epochs are tolerated, the next one stops
    # (Keras stops one epoch earlier, at the patience-th)
    es = EarlyStopping(patience=2, min_delta=0.1)
    assert [es.step(v, e) for e, v in enumerate([1.0, 0.95, 0.85, 0.9, 0.8, 0.8], start=1)] == \
        [False, False, False, False, False, True]
    assert es.best_epoch == 3 and es.best == 0.85
    es = EarlyStopping(patience=0, monitor="val_acc")
    assert es.step(0.5, 1) is False and es.step(0.6, 2) is False and es.step(0.6, 3) is True


@pytest.mark.parametrize("kwargs, match", [
    (dict(patience=-1), "patience"),
    (dict(patience=1.5), "patience"),
    (dict(monitor="loss"), "monitor"),
    (dict(min_delta=-0.01), "min_delta"),
])
def test_early_stopping_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        EarlyStopping(**kwargs)


def test_early_stopping_needs_the_monitored_part(digits):
    data = (digits["X_train"], digits["y_train"])
    with pytest.raises(ValueError, match="val_loss"):
        train(MLP(784, [8], 10), data, "sgd", epochs=2, batch_size=50,
              early_stopping=EarlyStopping(2))


# ----------------------------------------------------------------------------- divergence
@pytest.mark.parametrize("name, lr, batchnorm", [
    ("sgd", 1e4, False), ("sgd", 1e300, False), ("adam", 1e4, False),
    ("sgd", 1e4, True), ("momentum", 50.0, True), ("rmsprop", 1e6, False),
])
def test_huge_learning_rate_is_reported_not_raised(digits, name, lr, batchnorm):
    net = MLP(784, [50, 50], 10, batchnorm=batchnorm, rng=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                   # any warning would fail the test
        with np.errstate(all="raise"):                   # even with NumPy set to raise
            h = train(net, digits, Optimizer(name, lr=lr), epochs=20, batch_size=20)
    assert type(h.diverged_at) is int and 1 <= h.diverged_at <= 20
    assert "diverged at epoch" in h.status and str(h.diverged_at) in h.status
    assert h.epochs == h.diverged_at - 1                 # the diverged epoch is not recorded
    assert not h.cancelled


def test_divergence_after_some_epochs(digits):
    net = MLP(784, [50], 10, rng=0)
    growing = lambda epoch: 0.01 * 10.0 ** epoch         # 0.01, 0.1, 1, 10, 100, ...
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(net, digits, Optimizer("sgd", lr=0.01), epochs=12, batch_size=20,
                  schedule=growing)
    assert type(h.diverged_at) is int and 3 <= h.diverged_at <= 12
    assert h.status == f"diverged at epoch {h.diverged_at}"
    assert len(h.train_loss) == len(h.val_loss) == h.diverged_at - 1
    assert all(np.isfinite(h.train_loss))
    assert h.lr == pytest.approx([growing(e) for e in range(h.diverged_at)])


def test_normal_run_does_not_diverge(digits):
    h = train(MLP(784, [32], 10, rng=0), digits, Optimizer("sgd", lr=0.1), epochs=3,
              batch_size=20)
    assert h.diverged_at is None and h.stopped_at is None and not h.cancelled
    assert h.status == "finished 3 epochs"


# ----------------------------------------------------------------------------- on_epoch, history
def test_on_epoch_false_cancels(digits):
    calls = []

    def on_epoch(h):
        calls.append(h.epochs)
        return h.epochs < 3                              # False after the third epoch

    h = train(MLP(784, [16], 10, rng=0), digits, "sgd", epochs=10, batch_size=25,
              on_epoch=on_epoch)
    assert calls == [1, 2, 3]
    assert h.cancelled and h.stopped_at == 3 and h.epochs == 3
    assert h.status == "cancelled after epoch 3"
    # returning None (no return) keeps going
    h2 = train(MLP(784, [16], 10, rng=0), digits, "sgd", epochs=4, batch_size=25,
               on_epoch=lambda h: None)
    assert not h2.cancelled and h2.epochs == 4


def test_finished_is_false_only_while_a_run_is_in_progress(digits):
    seen = []
    h = train(MLP(784, [16], 10, rng=0), digits, "sgd", epochs=3, batch_size=25,
              on_epoch=lambda h: seen.append(h.finished))
    assert seen == [False, False, True] and h.finished
    stopped = train(MLP(784, [16], 10, rng=0), digits, "sgd", epochs=10, batch_size=25,
                    on_epoch=lambda h: h.epochs < 2)
    assert stopped.epochs == 2 and stopped.finished                   # cancelled: over
    diverged = train(MLP(784, [16], 10, rng=0), digits, Optimizer("sgd", lr=1e6), epochs=10, batch_size=25)
    assert diverged.diverged_at is not None and diverged.finished
    assert History(train_loss=[1.0]).finished                         # by hand: no plan, over


def test_history_contents(digits):
    h = train(MLP(784, [16], 10, rng=0), digits, Optimizer("sgd", lr=0.1), epochs=4,
              batch_size=30, schedule=step_decay(0.1, drop=0.5, every=2))
    assert isinstance(h, History)
    for name in ("train_loss", "train_acc", "val_loss", "val_acc", "test_loss", "test_acc"):
        assert len(getattr(h, name)) == 4, name
    assert h.lr == pytest.approx([0.1, 0.1, 0.05, 0.05])
    assert len(h.batch_loss) == 4 * 4                    # 100 rows / 30 → 4 batches (last: 10)
    assert h.best_epoch == int(np.argmin(h.val_loss)) + 1
    assert all(0.0 <= a <= 1.0 for a in h.val_acc + h.train_acc + h.test_acc)
    assert h.seconds > 0
    quiet = train(MLP(784, [16], 10, rng=0), (digits["X_train"], digits["y_train"]), "sgd",
                  epochs=2, batch_size=30, eval_train=False)
    assert quiet.train_acc == [] and quiet.val_loss == [] and len(quiet.train_loss) == 2
    assert quiet.best_epoch is None


def test_training_learns_moons():
    X, y = make_moons(200, 0.1, rng=0)
    net = MLP(2, [16, 16], 2, activation="tanh", rng=0)
    h = train(net, (X, y), Optimizer("adam", lr=0.01), epochs=60, batch_size=20)
    assert h.train_loss[-1] < 0.5 * h.train_loss[0]
    assert net.accuracy(X, y) > 0.95


# ----------------------------------------------------------------------------- arguments
@pytest.mark.parametrize("batch_size", [0, -5, 101, 2.5])
def test_bad_batch_size(digits, batch_size):
    with pytest.raises(ValueError, match=r"batch_size must be an integer in \[1, 100\]"):
        train(MLP(784, [8], 10), digits, "sgd", epochs=1, batch_size=batch_size)


def test_batch_size_edges_are_allowed(digits):
    net = MLP(784, [8], 10, rng=0)
    assert train(net, digits, "sgd", epochs=1, batch_size=100).epochs == 1
    assert len(train(net, digits, "sgd", epochs=1, batch_size=1).batch_loss) == 100


@pytest.mark.parametrize("epochs", [0, -1, 1.5])
def test_bad_epochs(digits, epochs):
    with pytest.raises(ValueError, match="epochs"):
        train(MLP(784, [8], 10), digits, "sgd", epochs=epochs, batch_size=10)


def test_bad_data(digits):
    with pytest.raises(ValueError, match="data must be"):
        train(MLP(784, [8], 10), digits["X_train"], "sgd", epochs=1, batch_size=10)
    with pytest.raises(ValueError, match="X must have shape"):
        train(MLP(10, [8], 10), digits, "sgd", epochs=1, batch_size=10)
    with pytest.raises(ValueError, match="unknown optimizer"):
        train(MLP(784, [8], 10), digits, "adamax", epochs=1, batch_size=10)


# ----------------------------------------------------------------------------- determinism
def test_train_is_deterministic(digits):
    def run(rng):
        net = MLP(784, [32, 16], 10, batchnorm=True, dropout=0.2, rng=0)
        h = train(net, digits, Optimizer("adam", lr=1e-3), epochs=3, batch_size=20, rng=rng)
        return h, net

    (h1, n1), (h2, n2), (h3, n3) = run(0), run(0), run(1)
    assert h1.batch_loss == h2.batch_loss and h1.val_acc == h2.val_acc
    assert_same_weights(snapshot(n1), snapshot(n2))
    assert h1.batch_loss != h3.batch_loss
    assert not np.array_equal(n1.params["fc1.W"], n3.params["fc1.W"])


# ----------------------------------------------------------------------------- eval_every
def counting(net):
    """Wrap ``net.evaluate`` so every full forward evaluation is counted."""
    calls = []
    evaluate = net.evaluate

    def counted(X, y):
        calls.append(len(X))
        return evaluate(X, y)
    net.evaluate = counted
    return calls


def test_eval_every_keeps_exact_values_at_the_evaluated_epochs(digits):
    def run(k):
        net = MLP(784, [32], 10, batchnorm=True, dropout=0.1, rng=0)
        calls = counting(net)
        h = train(net, digits, Optimizer("sgd", lr=0.1), epochs=8, batch_size=20, eval_every=k)
        return h, net, calls

    (h1, n1, c1), (h3, n3, c3) = run(1), run(3)
    assert h3.evaluated_at == {p: [1, 3, 6, 8] for p in ("train", "val", "test")}
    assert h1.evaluated_at == {p: list(range(1, 9)) for p in ("train", "val", "test")}
    # training itself is untouched: same mini-batch losses and final weights
    assert h3.batch_loss == h1.batch_loss and h3.train_loss == h1.train_loss
    assert_same_weights(snapshot(n3), snapshot(n1))
    for name in ("train_acc", "val_loss", "val_acc", "test_loss", "test_acc"):
        assert h3.epochs_of(name) == [1, 3, 6, 8]
        assert getattr(h3, name) == [getattr(h1, name)[e - 1] for e in (1, 3, 6, 8)], name
    assert h3.epochs_of("train_loss") == list(range(1, 9))
    # a History cut to its first entries by hand (chapter 05 does) keeps matching epochs
    cut = dataclasses.replace(h3, val_acc=h3.val_acc[:2], train_loss=h3.train_loss[:5])
    assert cut.epochs_of("val_acc") == [1, 3] and cut.epochs_of("train_loss") == [1, 2, 3, 4, 5]
    # the cost: 3 parts × 4 evaluated epochs instead of 3 × 8
    assert len(c1) == 3 * 8 and len(c3) == 3 * 4
    assert h3.best_epoch in (1, 3, 6, 8)
    assert h3.best_epoch == h3.epochs_of("val_loss")[int(np.argmin(h3.val_loss))]


@pytest.mark.parametrize("epochs, k, expected", [
    (7, 3, [1, 3, 6, 7]), (5, 10, [1, 5]), (1, 4, [1]), (6, 2, [1, 2, 4, 6]), (4, 1, [1, 2, 3, 4]),
])
def test_eval_every_epochs_and_the_last_one(digits, epochs, k, expected):
    h = train(MLP(784, [8], 10, rng=0), digits, "sgd", epochs=epochs, batch_size=50, eval_every=k)
    assert h.epochs == epochs
    assert h.evaluated_at["val"] == h.evaluated_at["train"] == expected
    assert len(h.val_acc) == len(h.test_loss) == len(h.train_acc) == len(expected)


def test_eval_every_with_early_stopping_monitors_every_epoch(digits):
    def run(k):
        net = MLP(784, [64], 10, rng=0)
        calls = counting(net)
        h = train(net, digits, Optimizer("sgd", lr=0.3), epochs=60, batch_size=10,
                  early_stopping=EarlyStopping(3), eval_every=k)
        return h, net, calls

    (h1, n1, c1), (h5, n5, c5) = run(1), run(5)
    assert h5.stopped_at == h1.stopped_at and h5.best_epoch == h1.best_epoch
    assert h5.val_loss == h1.val_loss and h5.evaluated_at["val"] == list(range(1, h1.epochs + 1))
    assert_same_weights(snapshot(n5), snapshot(n1))      # best weights restored alike
    # the other parts: epoch 1, every 5th epoch and the stopping epoch, with exact values
    due = sorted({1, *range(5, h1.epochs + 1, 5), h1.stopped_at})
    assert h5.evaluated_at["test"] == h5.evaluated_at["train"] == due
    assert h5.test_acc == [h1.test_acc[e - 1] for e in due]
    assert len(c5) == h1.epochs + 2 * len(due) < len(c1) == 3 * h1.epochs


@pytest.mark.parametrize("k", [0, -2, 2.5])
def test_bad_eval_every(digits, k):
    with pytest.raises(ValueError, match=r"eval_every must be an integer >= 1"):
        train(MLP(784, [8], 10), digits, "sgd", epochs=2, batch_size=50, eval_every=k)


def test_plot_curves_puts_points_at_their_epochs(digits):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from course_utils import plots

    h = train(MLP(784, [8], 10, rng=0), digits, "sgd", epochs=7, batch_size=50, eval_every=3)
    fig, ax = plt.subplots()
    plots.plot_curves(ax, h, "acc", parts=("train", "val"))
    plots.plot_curves(ax, h, "loss", parts=("train",))
    xs = [list(line.get_xdata()) for line in ax.get_lines()]
    plt.close(fig)
    assert xs == [[1, 3, 6, 7], [1, 3, 6, 7], list(range(1, 8))]


def test_plot_curves_on_an_axis_of_updates(digits):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from course_utils import plots

    h = train(MLP(784, [8], 10, rng=0), digits, "sgd", epochs=7, batch_size=50, eval_every=3)
    h.diverged_at = 6                                   # (as if: the dotted line's place)
    fig, ax = plt.subplots()
    plots.plot_curves(ax, h, "acc", parts=("val",), updates_per_epoch=4)
    xs = [list(line.get_xdata()) for line in ax.get_lines()]
    label = ax.get_xlabel()
    plt.close(fig)
    assert xs[0] == [4, 12, 24, 28] and xs[1] == [24, 24] and label == "updates"
    for bad in (0, 0.5, -2):
        with pytest.raises(ValueError, match="updates_per_epoch must be >= 1"):
            plots.plot_curves(ax, h, "acc", updates_per_epoch=bad)


# ----------------------------------------------------------------------------- random streams
def recorded_batches(net, data, **kw):
    """The labels of every mini-batch ``train`` feeds to ``net.loss``, in order."""
    seen = []
    loss = net.loss

    def spy(X, y, **kwargs):
        seen.append(np.array(y))
        return loss(X, y, **kwargs)
    net.loss = spy
    train(net, data, "sgd", epochs=3, batch_size=16, **kw)
    return seen


def test_dropout_does_not_change_the_batch_order():
    X, _ = make_moons(80, 0.1, rng=0)
    data = (X, np.arange(80) % 2)          # labels = row parity: the batches show the order
    plain = recorded_batches(MLP(2, [8], 2, rng=0), data, rng=5)
    dropped = recorded_batches(MLP(2, [8], 2, dropout=0.5, rng=0), data, rng=5)
    assert len(plain) == len(dropped) == 3 * 5
    for a, b in zip(plain, dropped):
        np.testing.assert_array_equal(a, b)
    # the shuffling stream is np.random.default_rng(seed) itself: 3 permutations in a row
    g = np.random.default_rng(5)
    orders = np.concatenate([g.permutation(80) for _ in range(3)])
    np.testing.assert_array_equal(np.concatenate(plain), data[1][orders])


def recorded_masks(monkeypatch, seed, p=0.5):
    """The dropout factors (mask / (1 − p)) of every training forward pass of a short run."""
    from course_utils import layers as L
    seen, forward = [], L.dropout_forward

    def spy(x, p, **kw):
        out, scale = forward(x, p, **kw)
        if kw.get("train") and scale is not None:
            seen.append(np.array(scale))
        return out, scale
    monkeypatch.setattr(L, "dropout_forward", spy)
    X, y = make_moons(80, 0.1, rng=0)
    net = MLP(2, [8, 8], 2, dropout=p, rng=0)
    train(net, (X, y), "sgd", epochs=2, batch_size=16, rng=seed, eval_train=False)
    monkeypatch.undo()
    return seen, snapshot(net)


def test_dropout_masks_are_reproducible_from_the_seed(monkeypatch):
    a, wa = recorded_masks(monkeypatch, 3)
    b, wb = recorded_masks(monkeypatch, 3)
    c, _ = recorded_masks(monkeypatch, 4)
    assert len(a) == len(b) == len(c) == 2 * 5 * 2          # epochs × batches × hidden layers
    for m, n in zip(a, b):
        np.testing.assert_array_equal(m, n)                  # same seed: the same masks
    assert_same_weights(wa, wb)                              # ... and the same run
    assert any(not np.array_equal(m, n) for m, n in zip(a, c))   # another seed: other masks
    # the masks come from the seed's child stream, SeedSequence(seed).spawn(1)[0]
    child = np.random.default_rng(np.random.SeedSequence(3).spawn(1)[0])
    np.testing.assert_array_equal(a[0], (child.random(a[0].shape) >= 0.5) / 0.5)


def test_random_streams_for_every_kind_of_rng():
    from course_utils.training import random_streams

    def draws(pair):
        return [g.random(4) for g in pair]
    ref = draws(random_streams(7))
    assert not np.array_equal(*ref)                          # two different streams
    np.testing.assert_array_equal(ref[0], np.random.default_rng(7).random(4))
    for same in (np.random.SeedSequence(7), np.random.default_rng(7), np.random.PCG64(7)):
        for x, y in zip(draws(random_streams(same)), ref):
            np.testing.assert_array_equal(x, y)
    g = np.random.default_rng(7)
    assert random_streams(g)[0] is g                         # a Generator passed in still shuffles
    none = draws(random_streams(None))
    assert not np.array_equal(*none)


def test_run_without_dropout_is_unchanged_by_the_split(digits, monkeypatch):
    """No dropout draws no masks: the run is bit-identical to the old single shared stream."""
    from course_utils import training

    def run():
        net = MLP(784, [16, 16], 10, rng=1)
        h = train(net, digits, Optimizer("sgd", lr=0.1), epochs=3, batch_size=32, rng=9)
        return h, snapshot(net)
    h_new, w_new = run()
    monkeypatch.setattr(training, "random_streams", lambda rng: (np.random.default_rng(rng),) * 2)
    h_old, w_old = run()
    assert_same_weights(w_new, w_old)
    assert h_new.batch_loss == h_old.batch_loss and h_new.val_acc == h_old.val_acc
