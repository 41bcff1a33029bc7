"""The mini-batch training loop, its per-epoch record, and early stopping."""
import time
from dataclasses import dataclass, field

import numpy as np

from . import validate as _v
from .optimizers import Optimizer


@dataclass
class History:
    """What happened during ``train``.

    - ``train_loss``: mean mini-batch loss of every finished epoch (penalty included, as
      minimized); ``history.epochs`` is its length;
    - ``train_acc``: accuracy on the whole training set at the end of an evaluated epoch
      (inference mode);
    - ``val_loss``/``val_acc`` and ``test_loss``/``test_acc``: the same for the validation and
      test parts when the data has them (loss without the penalty);
    - ``evaluated_at``: for each part ("train", "val", "test"), the 1-based epoch of every entry
      of its accuracy/loss lists; ``epochs_of("val_acc")`` gives the x of a curve.  With
      ``train(eval_every=1)`` (the default) that is every epoch;
    - ``batch_loss``: the loss of every mini-batch (for "noisy" curves), ``lr``: η per epoch;
    - ``diverged_at``: the epoch (1-based) whose loss became inf/NaN, else None;
    - ``stopped_at``: the last epoch run if early stopping or ``on_epoch`` ended the run;
    - ``best_epoch``: epoch with the best monitored value (validation loss by default).
    """
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    test_loss: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    evaluated_at: dict = field(default_factory=dict)   # part -> epochs of its acc/loss entries
    diverged_at: int | None = None
    stopped_at: int | None = None
    best_epoch: int | None = None
    cancelled: bool = False
    seconds: float = 0.0
    planned_epochs: int | None = None      # the ``epochs`` train was asked for ("epoch 3 / 20")
    n_classes: int | None = None

    @property
    def epochs(self):
        """Number of epochs that finished (1-based epoch e is at index e − 1 of ``train_loss``)."""
        return len(self.train_loss)

    def epochs_of(self, series):
        """The 1-based epoch of every entry of a per-epoch series ("val_acc" -> [1, 3, 6, 9, ...]).

        ``train_loss`` has every epoch; the accuracy/loss lists of a part have the epochs in
        ``evaluated_at`` (a History built by hand without it: 1, 2, 3, ...).  A series cut to
        its first n entries (``h.val_acc[:300]``) gets the first n epochs.
        """
        values = getattr(self, series)
        part = series.rsplit("_", 1)[0]
        if series == "train_loss" or part not in self.evaluated_at:
            return list(range(1, len(values) + 1))
        return list(self.evaluated_at[part][:len(values)])

    @property
    def finished(self):
        """True once the run is over: every planned epoch ran, or it diverged, stopped early or
        was cancelled (a History built by hand, with no ``planned_epochs``, counts as over).
        A dashboard draws a run in progress more cheaply (a coarser decision-boundary grid)."""
        return (self.diverged_at is not None or self.stopped_at is not None
                or self.planned_epochs is None or self.epochs >= self.planned_epochs)

    @property
    def status(self):
        """One line for a plot title or a dashboard: finished / diverged / stopped."""
        if self.diverged_at is not None:
            return f"diverged at epoch {self.diverged_at}"
        if self.cancelled:
            return f"cancelled after epoch {self.epochs}"
        if self.stopped_at is not None:
            return f"stopped early at epoch {self.stopped_at} (best epoch {self.best_epoch})"
        if self.near_chance:
            return f"finished {self.epochs} epochs — loss did not decrease (near chance)"
        return f"finished {self.epochs} epochs"

    @property
    def near_chance(self):
        """True when a finished run learned nothing: its last epoch's loss is above 90 % of the
        first mini-batch's and its accuracy (train, else validation) is within 10 points of
        chance (1 / number of classes), e.g. SGD at η = 10 or AdaDelta on a sigmoid net."""
        if self.diverged_at is not None or not self.train_loss or not self.batch_loss:
            return False
        acc = self.train_acc or self.val_acc
        if not acc or not self.n_classes:
            return False
        return bool(self.train_loss[-1] >= 0.9 * self.batch_loss[0]
                    and acc[-1] <= 1.0 / self.n_classes + 0.1)


class EarlyStopping:
    """Early stopping: tolerate ``patience`` epochs in a row without improvement, stop at the
    next one (the counter of non-improving epochs exceeds ``patience``).

    ``monitor`` is "val_loss" (lower is better) or "val_acc" / "test_acc" / "test_loss"
    (accuracy: higher is better).  An improvement must beat the best by more than
    ``min_delta``.  With ``restore_best=True`` the net gets back the weights of its best epoch.

    Note: Keras' ``EarlyStopping(patience)``, PyTorch Lightning and Goodfellow et al.'s
    Algorithm 7.1 stop *at* the ``patience``-th non-improving epoch, one epoch earlier:
    their ``patience=p`` is our ``patience=p − 1``.
    """

    def __init__(self, patience=5, *, monitor="val_loss", min_delta=0.0, restore_best=True):
        patience = _v.integer("patience", patience, 0)
        if not isinstance(monitor, str) or \
                monitor not in ("val_loss", "val_acc", "test_loss", "test_acc", "train_loss"):
            raise ValueError(f"monitor must be 'val_loss', 'val_acc', 'test_loss', 'test_acc' "
                             f"or 'train_loss', got {monitor!r}")
        min_delta = _v.number("min_delta", min_delta, 0.0)
        self.patience, self.monitor = int(patience), monitor
        self.min_delta, self.restore_best = float(min_delta), restore_best
        self.sign = -1.0 if monitor.endswith("acc") else 1.0   # minimize sign·value
        self.best, self.best_epoch, self.wait, self.snapshot = np.inf, None, 0, None

    @property
    def part(self):
        """The data part whose evaluation the monitored value needs ("val", "test"; "train" for
        the training loss, which every epoch has anyway)."""
        return self.monitor.split("_")[0]

    def reset(self):
        """Forget the previous run (``train`` calls it before the first epoch)."""
        self.best, self.best_epoch, self.wait, self.snapshot = np.inf, None, 0, None

    def step(self, value, epoch, net=None):
        """Record epoch ``epoch``'s value; return True when training should stop."""
        v = self.sign * value
        if v < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = v, epoch, 0
            if self.restore_best and net is not None:
                self.snapshot = net.copy_params()
            return False
        self.wait += 1
        return self.wait > self.patience


# ----------------------------------------------------------------------------- argument checks
_KEYS = ("X_train", "y_train", "X_val", "y_val", "X_test", "y_test")


def _split(data):
    if isinstance(data, dict):
        unknown = [k for k in data if k not in _KEYS]
        missing = [k for k in ("X_train", "y_train") if k not in data]
        unpaired = [p for p in ("val", "test") if (f"X_{p}" in data) != (f"y_{p}" in data)]
        if unknown or missing or unpaired:
            raise ValueError(f"data must be a dict with the keys X_train, y_train (and optional "
                             f"X_val, y_val, X_test, y_test in pairs); got keys {sorted(map(str, data))}")
        return data
    if isinstance(data, (tuple, list)) and len(data) in (2, 4, 6):
        return dict(zip(_KEYS, data))
    raise ValueError("data must be a dict with X_train, y_train (and optional X_val, y_val, "
                     "X_test, y_test), or a tuple (X_train, y_train[, X_val, y_val[, X_test, y_test]])")


def _checked_data(net, data):
    """{part: (X, y)} for "train" and the non-empty "val"/"test" parts, each checked by the net
    (labels as ints, X finite and of the net's input width)."""
    d = _split(data)
    if not callable(getattr(net, "loss", None)) or not hasattr(net, "params") \
            or not callable(getattr(net, "check_input", None)):
        raise TypeError(f"net must be an MLP (with .loss and .params), got {type(net).__name__}")
    sets = {"train": net.check_input(d["X_train"], d["y_train"])}
    for p in ("val", "test"):
        if d.get(f"X_{p}") is not None and len(d[f"X_{p}"]):
            sets[p] = net.check_input(d[f"X_{p}"], d[f"y_{p}"])
    return sets


def _checked_optimizer(optimizer):
    if isinstance(optimizer, str):
        optimizer = Optimizer(optimizer)
    # an Optimizer, or anything with its two methods (chapters wrap one: max-norm, proximal L1)
    if isinstance(optimizer, type) or not (
            callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "update", None))
            and hasattr(optimizer, "lr")):
        raise TypeError(f"optimizer must be an Optimizer (e.g. Optimizer('sgd', lr=0.1)), an object "
                        f"with its lr, init(params) and update(params, grads, state, lr), or a "
                        f"name such as 'adam', got {optimizer!r}")
    return optimizer


def _checked_schedule(schedule):
    """``schedule`` that raises when it returns no usable η (None, NaN, inf, < 0)."""
    schedule = _v.function("schedule", schedule, "schedule(epoch) -> learning rate")

    def checked(epoch):
        lr = schedule(epoch)
        try:
            _v.number("the learning rate", lr, 0.0)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"schedule({epoch}) must return a learning rate >= 0, got {lr!r}") from exc
        return lr
    return checked


def _checked_early_stopping(early_stopping, sets):
    if early_stopping is None:
        return None
    if not isinstance(early_stopping, EarlyStopping):
        raise TypeError(f"early_stopping must be an EarlyStopping(...) or None, got {early_stopping!r}")
    if early_stopping.part not in sets:
        raise ValueError(f"early stopping monitors {early_stopping.monitor!r} "
                         "but the data has no such part")
    return early_stopping


def random_streams(rng):
    """Two independent generators from one seed: ``(shuffling, dropout masks)``.

    - shuffling is ``np.random.default_rng(rng)`` itself, so a run without dropout shuffles
      exactly as ``default_rng(seed).permutation`` would, epoch after epoch;
    - the masks come from a child stream of the same seed: ``SeedSequence(seed).spawn(1)[0]``
      for an integer seed (or None, or a SeedSequence, which is spawned from), and
      ``Generator.spawn(1)[0]`` for a Generator (or BitGenerator) passed in, which still does
      the shuffling.

    The masks never consume numbers of the shuffling stream, so switching dropout on (or
    changing p) leaves the mini-batch order as it was.  Both streams are fixed by the seed:
    the same seed gives the same orders and the same masks on every machine.
    """
    if isinstance(rng, np.random.BitGenerator):          # what default_rng also accepts
        rng = np.random.Generator(rng)
    if isinstance(rng, np.random.Generator):
        return rng, rng.spawn(1)[0]
    seq = rng if isinstance(rng, np.random.SeedSequence) else np.random.SeedSequence(rng)
    return np.random.default_rng(seq), np.random.default_rng(seq.spawn(1)[0])


# ----------------------------------------------------------------------------- one epoch
def one_epoch(net, X, y, optimizer, state, *, lr, batch_size, rngs, hist, limit=None):
    """One epoch of mini-batch updates; returns ``(mean loss, optimizer state, limit)``.

    The mean loss is None when a mini-batch loss blew up: inf/NaN, or above ``limit``
    (set from the run's first mini-batch: ``max(1e3, 100 × its loss)``).  ``rngs`` is the
    pair (shuffling, dropout masks) from ``random_streams``.
    """
    # region epoch (chapter 00 prints it)
    shuffle_rng, masks_rng = rngs
    order = shuffle_rng.permutation(len(y))           # 1. a new order of the rows every epoch
    total = 0.0
    for start in range(0, len(order), batch_size):
        idx = order[start:start + batch_size]          # 2. the next mini-batch (the last may be smaller)
        loss, grads = net.loss(X[idx], y[idx], train=True, rng=masks_rng, update_running=True)
        hist.batch_loss.append(loss)
        if limit is None:
            limit = max(1e3, 100.0 * loss)
        if not loss <= limit:                          # 3. blown up (also True for NaN): stop here
            return None, state, limit
        total += loss * len(idx)
        net.params, state = optimizer.update(net.params, grads, state, lr=lr)   # 4. one step
    # endregion
    return total / len(order), state, limit


def _evaluate(net, sets, parts, hist, epoch):
    """Record accuracy (and, for validation/test, loss) of ``parts`` at ``epoch``, exactly."""
    for p in parts:
        loss, acc = net.evaluate(*sets[p])
        if p != "train":                                  # the train loss is the epoch's mean
            getattr(hist, f"{p}_loss").append(loss)
        getattr(hist, f"{p}_acc").append(acc)
        hist.evaluated_at.setdefault(p, []).append(epoch)


def _finite(params):
    return all(np.all(np.isfinite(w)) for w in params.values())


def _stop_early(early_stopping, hist, epoch, net):
    """Give early stopping this epoch's monitored value; True (best weights restored if asked)
    when the run should end."""
    stop = early_stopping.step(getattr(hist, early_stopping.monitor)[-1], epoch, net)
    hist.best_epoch = early_stopping.best_epoch
    if stop:
        hist.stopped_at = epoch
    return stop


def _restore_best(early_stopping, net):
    if early_stopping.restore_best and early_stopping.snapshot is not None:
        net.set_params(early_stopping.snapshot)


# ----------------------------------------------------------------------------- the loop
def train(net, data, optimizer, *, epochs, batch_size, schedule=None, early_stopping=None,
          on_epoch=None, rng=0, eval_train=True, eval_every=1):
    """Mini-batch training; returns a ``History``.

    1. each epoch, shuffle the training rows with ``rng`` and walk through them in
       mini-batches of ``batch_size`` (the last one may be smaller);
    2. per mini-batch: loss and gradients, then one optimizer update (η from ``schedule(epoch)``);
       batch norm's running averages are updated;
    3. a loss that is inf/NaN, or above ``max(1e3, 100 × the first mini-batch loss)`` (the
       weights have blown up even if ReLUs then die and the loss falls back), stops the run
       at once: ``history.diverged_at`` is that epoch;
    4. evaluation: accuracy and loss on train (accuracy only; ``eval_train=False`` skips it),
       validation and test, exact, on epoch 1, the multiples of k and the last epoch
       (k = ``eval_every``; ``history.evaluated_at`` keeps the epochs).  The part that early
       stopping monitors is evaluated every epoch;
    5. early stopping, then ``on_epoch(history)``; if it returns False the run is cancelled
       (its last evaluation may then be up to k − 1 epochs old).

    ``optimizer`` is an ``Optimizer`` or a name ("adam") with default hyperparameters.
    ``rng`` (a seed, SeedSequence or Generator) fixes two independent streams
    (``random_streams``): one shuffles, a child stream draws the dropout masks, so switching
    dropout on does not change the mini-batch order.  No NumPy warnings escape, whatever
    the learning rate.
    """
    # 1. arguments
    sets = _checked_data(net, data)
    X, y = sets["train"]
    n = len(y)
    epochs = _v.integer("epochs", epochs, 1)
    batch_size = _v.integer("batch_size", batch_size, 1, n)
    eval_every = _v.integer("eval_every", eval_every, 1)
    optimizer = _checked_optimizer(optimizer)
    if schedule is not None:
        schedule = _checked_schedule(schedule)
    if on_epoch is not None:
        _v.function("on_epoch", on_epoch, "on_epoch(history) -> False to stop, else None")
    early_stopping = _checked_early_stopping(early_stopping, sets)
    parts = [p for p in sets if p != "train" or eval_train]
    # the training loss is there every epoch anyway; a monitored validation/test part is not
    every_epoch = [p for p in parts if p != "train" and early_stopping is not None
                   and p == early_stopping.part]
    # 2. state of the run
    rngs = random_streams(rng)
    state = optimizer.init(net.params)
    hist = History(planned_epochs=epochs, n_classes=net.dims[-1] if hasattr(net, "dims") else None)
    limit = None
    t0 = time.perf_counter()
    if early_stopping is not None:
        early_stopping.reset()
    with np.errstate(all="ignore"):
        for epoch in range(1, epochs + 1):
            # 3. one pass over shuffled mini-batches; a blown-up loss ends the run
            lr = optimizer.lr if schedule is None else schedule(epoch - 1)
            hist.lr.append(lr)
            mean_loss, state, limit = one_epoch(net, X, y, optimizer, state, lr=lr,
                                                batch_size=batch_size, rngs=rngs, hist=hist, limit=limit)
            if mean_loss is None:
                hist.diverged_at = epoch
                break
            hist.train_loss.append(mean_loss)
            # 4. evaluation on the epochs due, the monitored part on every epoch
            due = epoch == 1 or epoch % eval_every == 0 or epoch == epochs
            done = parts if due else every_epoch
            _evaluate(net, sets, done, hist, epoch)
            if not _finite(net.params):
                hist.diverged_at = epoch
                break
            # 5. early stopping: the last epoch gets every part evaluated, then the best weights
            if early_stopping is not None and _stop_early(early_stopping, hist, epoch, net):
                _evaluate(net, sets, [p for p in parts if p not in done], hist, epoch)
                _restore_best(early_stopping, net)
                break
            # 6. the callback may cancel
            hist.seconds = time.perf_counter() - t0
            if on_epoch is not None and on_epoch(hist) is False:
                hist.cancelled, hist.stopped_at = True, epoch
                break
    if hist.best_epoch is None and hist.val_loss:
        hist.best_epoch = hist.epochs_of("val_loss")[int(np.argmin(hist.val_loss))]
    hist.seconds = time.perf_counter() - t0
    return hist
