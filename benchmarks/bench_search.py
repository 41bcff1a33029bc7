"""Parallel speed-up of a search: the same random search of an MLP on MNIST, serial and on
2 worker processes (BLAS pinned to one thread per process).  Prints seconds and the ratio,
and checks that both runs give the same scores.

    python benchmarks/bench_search.py
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # before NumPy: one BLAS thread per process
import time                                          # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402

from course_utils import MLP, Optimizer, load_mnist, train           # noqa: E402
from course_utils.search import Choice, LogUniform, random_search     # noqa: E402

DATA = load_mnist(1000, 500, 0, rng=0)
SPACE = {"lr": LogUniform(1e-4, 1e-1), "weight_decay": LogUniform(1e-6, 1e-2),
         "hidden": Choice([50, 100])}


def objective(params, seed):
    net = MLP(784, [params["hidden"]] * 2, 10, weight_decay=params["weight_decay"], rng=seed)
    hist = train(net, DATA, Optimizer("adam", lr=params["lr"]), epochs=8, batch_size=100, rng=seed)
    return (hist.val_acc[-1] if hist.val_acc else 0.0), {"val_acc": hist.val_acc}


if __name__ == "__main__":
    n = 12
    t0 = time.perf_counter()
    serial = random_search(objective, SPACE, n, rng=0)
    t_serial = time.perf_counter() - t0
    with ProcessPoolExecutor(max_workers=2) as ex:
        list(ex.map(abs, [1, 2]))                    # start the workers outside the timing
        t0 = time.perf_counter()
        parallel = random_search(objective, SPACE, n, rng=0, executor=ex)
        t_par = time.perf_counter() - t0
    assert [t.score for t in serial] == [t.score for t in parallel]
    print(f"{n} trials: serial {t_serial:.2f} s, 2 processes {t_par:.2f} s, "
          f"speed-up x{t_serial / t_par:.2f} (same scores: yes; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
