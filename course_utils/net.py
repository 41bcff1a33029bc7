"""A fully connected network built from ``layers``: affine → [batchnorm] → activation →
[dropout] per hidden layer, then affine → softmax cross-entropy.

``net.params`` (a dict with keys ``"fc1.W"``, ``"fc1.b"``, ``"bn1.gamma"``, ...) is the single
source of truth: optimizers return a new dict and ``train`` assigns it back.
"""
import numpy as np

from . import layers as L
from . import validate as _v

PENALTIES = ("l2", "l1")


def init_std(init, fan_in):
    """Standard deviation of a layer's initial weights.

    "he": √(2/n) (He et al. 2015, for ReLU);  "xavier": √(1/n) (the textbook's Xavier;
    Glorot & Bengio's uniform form uses √(2/(n_in + n_out)));  a positive float: that std.
    ``n`` is the number of inputs of the layer (fan-in).
    """
    if isinstance(init, str):
        key = init.lower()
        if key in ("he", "kaiming"):
            return np.sqrt(2.0 / fan_in)
        if key in ("xavier", "glorot"):
            return np.sqrt(1.0 / fan_in)
        raise ValueError(f"init must be 'he', 'xavier' or a positive float, got {init!r}")
    std = float(init)
    if not np.isfinite(std) or std <= 0:
        raise ValueError(f"init std must be a positive float, got {init!r}")
    return std


def _init_args(init, fan_in):
    if not isinstance(init, str):
        _v.number("init (std)", init, 0.0, lo_open=True)


# the argument check wraps the body, which chapter 02 prints with inspect.getsource
init_std = _v.checked(init_std, _init_args)


MAX_WIDTH = 100_000          # units per layer
MAX_PARAMS = 50_000_000      # weights in the whole net (400 MB in float64)


def _check_int(name, value, lo=1):
    return _v.integer(name, value, lo, MAX_WIDTH)


def _need_labels(y, X):
    if y is None:
        raise TypeError("y must be the array of class labels, got None")
    if np.shape(X)[:1] == (0,):
        raise ValueError("X must have at least one row to compute a loss or an accuracy")


class MLP:
    """Multi-layer perceptron for classification.

    MLP(784, [100] * 6, 10, activation="relu", batchnorm=False, dropout=0.0,
        weight_decay=0.0, penalty="l2", init="he", dtype=np.float64, rng=0,
        dropout_form="inverted")

    - ``dropout`` is the drop probability p after every hidden activation (inverted dropout;
      ``dropout_form="original"`` for the textbook's form, see ``layers.dropout_forward``).
      With ``batchnorm=True`` too, dropout thus sits in front of the next layer's batch norm,
      whose running variance then no longer matches test time (chapter 05 measures it).
    - ``weight_decay`` is λ.  L2: ``loss += λ/2·Σw²`` (gradient ``λ·w``); L1: ``loss += λ·Σ|w|``
      (gradient ``λ·sign(w)``).  Only the weights ``W`` are penalized, never biases or BN's γ, β.
    - ``rng`` seeds the initial weights and, unless ``loss`` gets its own, the dropout masks.
    """

    def __init__(self, input_dim, hidden_dims, output_dim, *, activation="relu",
                 batchnorm=False, dropout=0.0, weight_decay=0.0, penalty="l2",
                 init="he", dtype=np.float64, rng=0, dropout_form="inverted"):
        input_dim = _check_int("input_dim", input_dim)
        output_dim = _check_int("output_dim", output_dim, lo=2)
        if isinstance(hidden_dims, (str, bytes, dict)) or not hasattr(hidden_dims, "__iter__"):
            raise TypeError(f"hidden_dims must be a list of layer widths such as [100, 100] "
                            f"(or [] for none), got {hidden_dims!r}")
        hidden_dims = [_check_int(f"hidden_dims[{i}]", h) for i, h in enumerate(hidden_dims)]
        if not isinstance(activation, str) or activation not in L.ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(L.ACTIVATIONS)}, got {activation!r}")
        dropout = _v.number("dropout", dropout, 0.0, 1.0, hi_open=True)
        dropout_form = _v.one_of("dropout_form", dropout_form, L.DROPOUT_FORMS)
        weight_decay = _v.number("weight_decay", weight_decay, 0.0)
        if not isinstance(penalty, str) or penalty not in PENALTIES:
            raise ValueError(f"penalty must be one of {PENALTIES}, got {penalty!r}")
        if not isinstance(batchnorm, (bool, np.bool_)):
            raise TypeError(f"batchnorm must be True or False, got {batchnorm!r}")
        try:
            dtype = np.dtype(dtype)
        except TypeError as exc:
            raise TypeError(f"dtype must be a NumPy float type such as np.float64, got {dtype!r}") from exc
        if dtype.kind != "f":
            raise TypeError(f"dtype must be a NumPy float type such as np.float64, got {dtype}")
        self.dims = [input_dim, *hidden_dims, output_dim]
        n_weights = sum(a * b for a, b in zip(self.dims, self.dims[1:]))
        if n_weights > MAX_PARAMS:
            raise ValueError(f"the layer widths {self.dims} give {n_weights:,} weights; "
                             f"input_dim, hidden_dims and output_dim must keep it at most {MAX_PARAMS:,}")
        self.activation = activation
        self.batchnorm = bool(batchnorm)
        self.dropout = float(dropout)
        self.dropout_form = dropout_form
        self.weight_decay = float(weight_decay)
        self.penalty = penalty
        self.dtype = np.dtype(dtype)
        self.rng = np.random.default_rng(rng)
        self.n_layers = len(self.dims) - 1
        self.params = {}
        self.running = {}
        for i in range(1, self.n_layers + 1):
            fan_in, fan_out = self.dims[i - 1], self.dims[i]
            std = init_std(init, fan_in)
            self.params[f"fc{i}.W"] = (std * self.rng.standard_normal((fan_in, fan_out))).astype(self.dtype)
            self.params[f"fc{i}.b"] = np.zeros(fan_out, dtype=self.dtype)
            if self.batchnorm and i < self.n_layers:
                self.params[f"bn{i}.gamma"] = np.ones(fan_out, dtype=self.dtype)
                self.params[f"bn{i}.beta"] = np.zeros(fan_out, dtype=self.dtype)
                self.running[f"bn{i}"] = {"mean": np.zeros(fan_out, dtype=self.dtype),
                                          "var": np.ones(fan_out, dtype=self.dtype)}

    # ------------------------------------------------------------------ forward / backward
    def check_input(self, X, y=None):
        """``(X, y)`` as the net computes with them: X a finite (N, input_dim) array in the
        net's dtype, y (if given) integer labels in [0, output_dim); else a clear error."""
        if X is None or isinstance(X, (str, bytes, dict)):
            raise TypeError(f"X must be an array of shape (N, {self.dims[0]}), got {type(X).__name__}")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.dims[0]:
            raise ValueError(f"X must have shape (N, {self.dims[0]}), got {X.shape}")
        if X.dtype.kind not in "biuf":
            raise TypeError(f"X must hold numbers, got dtype {X.dtype}")
        X = X.astype(self.dtype, copy=False)
        if not np.isfinite(X).all():
            raise ValueError("X must not contain NaN or inf")
        if y is not None:
            y = _v.labels("y", y, X.shape[0], self.dims[-1])
        return X, y

    def forward(self, X, *, train=False, rng=None, masks=None, keep_hidden=False,
                update_running=False):
        """Class scores (N, C) and the caches the backward pass needs.

        ``train=True`` normalizes with the batch's statistics and samples dropout masks;
        batch norm's running averages move towards this batch's statistics only with
        ``update_running=True`` (``train`` asks for it; a bare forward pass or gradient
        check leaves the net's inference behaviour as it was).
        ``masks`` (list of 0/1 arrays, one per hidden layer) fixes the dropout masks.
        ``keep_hidden=True`` also returns the pre-activations and activations per hidden
        layer (for the histograms of chapters 02 and 03).
        """
        P, caches, hidden = self.params, [], []
        rng = self.rng if rng is None else np.random.default_rng(rng)
        act_fwd = L.ACTIVATIONS[self.activation][0]
        h = X
        # region hidden-layer (chapter 03 prints it)
        for i in range(1, self.n_layers):
            h, c_fc = L.affine_forward(h, P[f"fc{i}.W"], P[f"fc{i}.b"])
            c_bn = None
            if self.batchnorm:
                h, c_bn, run = L.batchnorm_forward(h, P[f"bn{i}.gamma"], P[f"bn{i}.beta"],
                                                   self.running[f"bn{i}"], train=train)
                if train and update_running:
                    self.running[f"bn{i}"] = run
            pre = h
            h, c_act = act_fwd(h)
            # endregion
            mask = None if masks is None else masks[i - 1]
            h, c_do = L.dropout_forward(h, self.dropout, train=train, rng=rng, mask=mask,
                                        form=self.dropout_form)
            caches.append((c_fc, c_bn, c_act, c_do))
            if keep_hidden:
                hidden.append((pre, h))
        n = self.n_layers
        scores, c_fc = L.affine_forward(h, P[f"fc{n}.W"], P[f"fc{n}.b"])
        caches.append(c_fc)
        return (scores, caches, hidden) if keep_hidden else (scores, caches)

    def penalty_value(self):
        """λ/2·Σw² (L2) or λ·Σ|w| (L1) over every weight matrix; 0 when λ = 0."""
        if self.weight_decay == 0:
            return 0.0
        Ws = [self.params[f"fc{i}.W"] for i in range(1, self.n_layers + 1)]
        if self.penalty == "l2":
            return 0.5 * self.weight_decay * sum(float((W * W).sum()) for W in Ws)
        return self.weight_decay * sum(float(np.abs(W).sum()) for W in Ws)

    def loss(self, X, y, *, train=True, rng=None, masks=None, update_running=False):
        """Penalized loss and the gradient of every parameter: ``(loss, grads)``.

        ``train=True`` uses batch statistics and samples dropout masks from ``rng`` (or the
        net's own generator); ``train=False`` is inference.  ``update_running=True`` (what
        ``train`` passes) also moves BN's running averages; by default they are left alone.
        """
        _need_labels(y, X)
        X, y = self.check_input(X, y)
        scores, caches = self.forward(X, train=train, rng=rng, masks=masks,
                                      update_running=update_running)
        data_loss, dscores = L.softmax_cross_entropy(scores, y)
        grads = {}
        act_bwd = L.ACTIVATIONS[self.activation][1]
        n = self.n_layers
        dh, grads[f"fc{n}.W"], grads[f"fc{n}.b"] = L.affine_backward(dscores, caches[-1])
        for i in range(n - 1, 0, -1):
            c_fc, c_bn, c_act, c_do = caches[i - 1]
            dh = act_bwd(L.dropout_backward(dh, c_do), c_act)
            if self.batchnorm and c_bn is None:      # inference mode: a fixed affine map
                z = c_fc[0] @ self.params[f"fc{i}.W"] + self.params[f"fc{i}.b"]
                dh, grads[f"bn{i}.gamma"], grads[f"bn{i}.beta"] = L.batchnorm_inference_backward(
                    dh, z, self.params[f"bn{i}.gamma"], self.running[f"bn{i}"])
            elif self.batchnorm:
                dh, grads[f"bn{i}.gamma"], grads[f"bn{i}.beta"] = L.batchnorm_backward(dh, c_bn)
            dh, grads[f"fc{i}.W"], grads[f"fc{i}.b"] = L.affine_backward(dh, c_fc, need_dx=i > 1)
        # region weight-decay (chapter 04 prints it)
        lam = self.weight_decay
        if lam:
            for i in range(1, n + 1):
                W = self.params[f"fc{i}.W"]
                grads[f"fc{i}.W"] = grads[f"fc{i}.W"] + (lam * W if self.penalty == "l2"
                                                          else lam * np.sign(W))
        return data_loss + self.penalty_value(), grads

    # ------------------------------------------------------------------ inference
    def predict(self, X, batch_size=2000):
        """Predicted class per row (inference mode: running BN statistics, no dropout)."""
        X, _ = self.check_input(X)
        batch_size = _v.integer("batch_size", batch_size, 1)
        with np.errstate(all="ignore"):
            out = [self.forward(X[i:i + batch_size])[0].argmax(axis=1)
                   for i in range(0, X.shape[0], batch_size)]
        return np.concatenate(out) if out else np.zeros(0, dtype=int)

    def evaluate(self, X, y):
        """(mean cross-entropy without the penalty, accuracy) in inference mode."""
        _need_labels(y, X)
        X, y = self.check_input(X, y)
        with np.errstate(all="ignore"):
            scores, _ = self.forward(X)
            loss, _ = L.softmax_cross_entropy(scores, y)
        return loss, float((scores.argmax(axis=1) == y).mean())

    def accuracy(self, X, y):
        """Fraction of rows whose predicted class equals the label."""
        _need_labels(y, X)
        X, y = self.check_input(X, y)
        return float((self.predict(X) == y).mean())

    def copy_params(self):
        """Deep copy of the parameters and BN running statistics (used to restore a best epoch)."""
        return ({k: v.copy() for k, v in self.params.items()},
                {k: {s: a.copy() for s, a in r.items()} for k, r in self.running.items()})

    def set_params(self, snapshot):
        params, running = snapshot
        self.params = {k: v.copy() for k, v in params.items()}
        self.running = {k: {s: a.copy() for s, a in r.items()} for k, r in running.items()}

    def __repr__(self):
        extra = [f"activation={self.activation!r}"]
        if self.batchnorm:
            extra.append("batchnorm=True")
        if self.dropout:
            extra.append(f"dropout={self.dropout}")
            if self.dropout_form != "inverted":
                extra.append(f"dropout_form={self.dropout_form!r}")
        if self.weight_decay:
            extra.append(f"weight_decay={self.weight_decay}, penalty={self.penalty!r}")
        return f"MLP({'-'.join(map(str, self.dims))}, {', '.join(extra)})"
