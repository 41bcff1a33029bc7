"""Chapter 06's parallel search on a real dask.distributed cluster, as a user who outgrows one
machine would run it: a LocalCluster with two worker *processes* (the objective travels to them
with cloudpickle), a few trials of the chapter's MNIST objective, and exactly the serial results."""
import math

import pytest

from course_utils import MLP, Optimizer, load_mnist, train
from course_utils.search import LogUniform, random_search

distributed = pytest.importorskip("distributed")   # in the test extra: installed in CI

DIGITS = load_mnist(200, 50, 0, rng=0)


def mnist_objective(params, seed):
    """Chapter 06's objective, smaller: validation accuracy after a few epochs of SGD."""
    net = MLP(784, [50, 50], 10, weight_decay=params["weight_decay"], rng=seed)
    h = train(net, DIGITS, Optimizer("sgd", lr=params["lr"]), epochs=5, batch_size=50,
              rng=seed, eval_train=False)
    score = h.val_acc[-1] if h.diverged_at is None else math.nan
    return score, {"val_acc": h.val_acc}


SPACE = {"lr": LogUniform(1e-3, 1.0), "weight_decay": LogUniform(1e-6, 1e-2)}


def _key(trials):
    return [(t.params, t.seed, t.score, t.curves["val_acc"]) for t in trials]


def test_random_search_on_a_local_cluster_matches_serial():
    serial = random_search(mnist_objective, SPACE, 4, rng=0)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        assert len(client.scheduler_info()["workers"]) == 2
        parallel = random_search(mnist_objective, SPACE, 4, rng=0, executor=client.get_executor())
        # the trials really ran on the worker processes, not in this one
        ran_on = client.run(lambda: "course_utils.net" in __import__("sys").modules)
    assert _key(parallel) == _key(serial)
    assert all(ran_on.values()) and len(ran_on) == 2
    assert all(0.0 <= t.score <= 1.0 for t in parallel)
