"""Speed of the NumPy core: one training step (forward + backward + SGD update) of the
chapters' networks, side by side with the same network in PyTorch on CPU (float64, the same
number of BLAS threads), and the seconds of the textbook's overfitting run.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_core.py

Times are medians of repeats.  PyTorch is optional ("torch not installed: skipped").
"""
import os
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_info

from course_utils import MLP, Optimizer, load_mnist, train


def numpy_blas_threads():
    """Threads of NumPy's own BLAS (OPENBLAS_NUM_THREADS, or all cores by default)."""
    infos = [i for i in threadpool_info() if i["user_api"] == "blas"]
    mine = [i for i in infos if "numpy" in i["filepath"]] or infos
    return mine[0]["num_threads"] if mine else 1


BLAS_THREADS = numpy_blas_threads()          # read before torch brings its own thread pools


def median_time(fn, *, inner, repeats, warmup=3):
    """Median over ``repeats`` of the mean time of ``inner`` calls of ``fn``."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - t0) / inner)
    return statistics.median(times)


# ----------------------------------------------------------------------------- course_utils
def course_step(net, X, y, lr=0.01):
    opt = Optimizer("sgd", lr=lr)
    state = opt.init(net.params)

    def step():
        nonlocal state
        loss, grads = net.loss(X, y)
        net.params, state = opt.update(net.params, grads, state)
        return loss

    return step


# ----------------------------------------------------------------------------- PyTorch
def torch_net_like(net):
    """The same layers as ``net`` (affine → [BN] → ReLU, then affine), with its weights."""
    import torch
    from torch import nn

    layers = []
    n = net.n_layers
    for i in range(1, n + 1):
        W, b = net.params[f"fc{i}.W"], net.params[f"fc{i}.b"]
        lin = nn.Linear(W.shape[0], W.shape[1]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.T.copy()))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if i < n:
            if net.batchnorm:
                layers.append(nn.BatchNorm1d(W.shape[1], eps=1e-5, momentum=0.1).double())
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def torch_step(model, X, y, lr=0.01):
    import torch
    import torch.nn.functional as F

    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    model.train()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(Xt), yt)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def main():
    try:
        import torch
    except ImportError:
        torch = None
    if torch is not None:
        torch.set_num_threads(BLAS_THREADS)

    batch = load_mnist(100, 0, 0, rng=0)
    X, y = batch["X_train"], batch["y_train"]
    rows = []
    for label, hidden, bn in (("784-100x6-10", [100] * 6, False),
                              ("784-100x5-10 + batchnorm", [100] * 5, True)):
        net = MLP(784, hidden, 10, batchnorm=bn, rng=0)
        model = torch_net_like(net) if torch is not None else None
        ours = course_step(net, X, y)
        theirs = torch_step(model, X, y) if model is not None else None
        same = None
        if theirs is not None:                       # the first step: the same loss
            same = abs(ours() - theirs()) < 1e-10
        t_ours, t_theirs = [], []
        for _ in range(5):                           # interleaved, against load changes
            t_ours.append(median_time(ours, inner=20, repeats=3))
            if theirs is not None:
                t_theirs.append(median_time(theirs, inner=20, repeats=3))
        c = statistics.median(t_ours)
        t = statistics.median(t_theirs) if t_theirs else None
        rows.append((f"train step {label}, batch 100 (ms)", 1e3 * c,
                     None if t is None else 1e3 * t, None if t is None else c / t, same))

    # the textbook's overfitting run: 300 training digits, 6 hidden layers, SGD, 200 epochs
    data = load_mnist(300, 0, 1000, rng=0)
    only_train = (data["X_train"], data["y_train"])

    def run(with_eval):
        net = MLP(784, [100] * 6, 10, rng=0)
        if with_eval:    # train and test accuracy after every epoch, as the chapter plots
            return train(net, data, Optimizer("sgd", lr=0.01), epochs=200, batch_size=100)
        return train(net, only_train, Optimizer("sgd", lr=0.01), epochs=200, batch_size=100,
                     eval_train=False)

    for label, with_eval in (("with per-epoch evaluation", True), ("training only", False)):
        secs = []
        for _ in range(3):
            t0 = time.perf_counter()
            hist = run(with_eval)
            secs.append(time.perf_counter() - t0)
        if with_eval:
            accs = f"train acc {hist.train_acc[-1]:.3f}, test acc {hist.test_acc[-1]:.3f}"
        rows.append((f"textbook run, 200 epochs, {label} (s)", statistics.median(secs),
                     None, None, None))

    print(f"numpy {np.__version__}, BLAS threads {BLAS_THREADS}, "
          + (f"torch {torch.__version__} with {torch.get_num_threads()} threads"
             if torch is not None else "torch not installed: skipped")
          + f", float64, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    w = max(len(r[0]) for r in rows)
    print(f"{'measurement':<{w}}  {'course':>9}  {'torch':>9}  {'course/torch':>12}")
    for name, c, t, ratio, same in rows:
        t_s = f"{t:9.3f}" if t is not None else f"{'-':>9}"
        r_s = f"{ratio:12.2f}" if ratio is not None else f"{'-':>12}"
        print(f"{name:<{w}}  {c:9.3f}  {t_s}  {r_s}")
    print(f"textbook run (load_mnist(300, 0, 1000), MLP(784, [100]*6, 10), SGD lr 0.01, "
          f"batch 100) after 200 epochs: {accs}")
    checks = [r[4] for r in rows if r[4] is not None]
    if checks:
        print("same first-step loss in both libraries:", "yes" if all(checks) else "NO")


if __name__ == "__main__":
    main()
