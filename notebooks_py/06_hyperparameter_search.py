# %% [markdown] slideshow={"slide_type": "slide"}
# # 06 · Hyperparameter search
#
# Gradient descent finds the weights. Nobody finds the learning rate, the weight decay or the batch size
# for you: you pick them, train, look at a score, and pick again. This chapter turns that loop into a
# method — on which data to score, on which scale to sample, grid or random, coarse to fine, Bayesian —
# and runs it in parallel.
#
# **Learning goals.** After this chapter you can
#
# 1. tell parameters from hyperparameters and name the ones to tune first (the learning rate);
# 2. explain why hyperparameters are chosen on a validation set, and measure how optimistic a test score becomes when the test set is used for choosing;
# 3. use k-fold cross-validation when data is scarce, and say what k changes;
# 4. sample a learning rate or a momentum β on the right scale (log-uniform, and log-uniform in 1 − β);
# 5. explain why random search beats grid search when only a few hyperparameters matter, and why a grid stops working beyond 3–4 dimensions;
# 6. run the textbook's random search, read its results, and narrow the range coarse-to-fine;
# 7. follow Bayesian optimization step by step (Gaussian process, expected improvement) and compare it with random search;
# 8. run many trials in parallel and get exactly the serial results, and compare babysitting one run with many runs in parallel;
# 9. use successive halving (few epochs for many configurations, many for the best) and say which configurations it is biased against.

# %% slideshow={"slide_type": "-"}
import inspect
import math
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle
from threadpoolctl import threadpool_limits

threadpool_limits(1)          # one BLAS thread: repeatable numbers
# %matplotlib inline
from course_utils import plots
from course_utils import checks, widgets as W
from course_utils import MLP, Optimizer, load_mnist, train
from course_utils.data import kfold
from course_utils.report import mean_sd
from course_utils import search, textbook
from course_utils.search import (LogUniform, OneMinusLogUniform, Uniform, Choice, IntRange,
                                 grid_search, random_search, narrow, bayes_opt, top_k, best,
                                 gp_posterior, expected_improvement)

COLORS = {"random": plots.PALETTE[0], "grid": plots.PALETTE[1], "bayes": plots.PALETTE[2],
          "fine": plots.PALETTE[3], "truth": "0.3"}

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Parameters vs hyperparameters
#
# | | parameters | hyperparameters |
# |---|---|---|
# | examples | weights $W$, biases $b$, batch norm's $\gamma, \beta$ | learning rate η, weight decay λ, batch size, epochs, layers, units, dropout $p$, momentum μ, Adam's β₁, β₂, the schedule |
# | set by | gradient descent, on the **training** set | you, before training — by a search scored on the **validation** set |
# | how many | 130,010 in the net below | 2 in this chapter's search |
#
# Not all hyperparameters matter equally. A common order of priority (Andrew Ng's):
#
# 1. **the learning rate η** — nearly always the most important;
# 2. the momentum μ (≈ 0.9), the mini-batch size, the number of hidden units;
# 3. the number of layers, the learning-rate decay;
# 4. Adam's β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸ — rarely worth tuning.
#
# Section 5 measures the first line on MNIST.

# %% slideshow={"slide_type": "-"}
net = textbook.SEARCH.mlp(weight_decay=1e-6, rng=0)           # the textbook's §6.5.3 net
n_params = sum(v.size for v in net.params.values())
print(f"{net}: {len(net.params)} parameter arrays, {n_params:,} numbers learned by SGD")
print("parameter arrays:", ", ".join(net.params))
print("hyperparameters searched in section 5: lr (η), weight_decay (λ); fixed: 6 layers of 100 units, "
      "batch 100, 50 epochs")


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · Which data to tune on
#
# Every decision taken by looking at a data set fits the model a little to that data set. So the
# data has three jobs, and each job gets its own part:
#
# | part | used for | touched |
# |---|---|---|
# | **training** | fitting the parameters (gradient descent) | every step |
# | **validation** | choosing hyperparameters, early stopping | after every trial |
# | **test** | the final, honest estimate | once, at the very end |
#
# *Tuning on the training set* rewards memorizing: a large enough net reaches 100 % training accuracy
# and the score can no longer tell configurations apart. *Tuning on the test set* makes the reported
# number the **maximum of many noisy estimates**, which is higher than the truth. Both can be measured.
#
# **Experiment.** 40 random configurations (learning rate, weight decay, hidden units, epochs) of a
# small one-hidden-layer net, trained on 300 digits. To keep each fit at a few milliseconds the digits are
# shrunk to 14×14 pixels. Every configuration is then scored on a pool of 2,000 other digits.

# %% slideshow={"slide_type": "subslide"}
def shrink(X):
    # 28×28 → 14×14 by averaging 2×2 blocks: 4× fewer inputs, 4× cheaper fits
    return X.reshape(-1, 14, 2, 14, 2).mean(axis=(2, 4)).reshape(len(X), -1)

small = load_mnist(300, 0, 2000, rng=1)
X_fit, y_fit = shrink(small["X_train"]), small["y_train"]
X_pool, y_pool = shrink(small["X_test"]), small["y_test"]

def small_objective(params, seed):
    # score = training accuracy; the curves keep which of the 2,000 pool digits it gets right
    net = MLP(196, [params["hidden"]], 10, weight_decay=params["weight_decay"], rng=seed)
    train(net, (X_fit, y_fit), Optimizer("sgd", lr=params["lr"]), epochs=params["epochs"],
          batch_size=50, rng=seed, eval_train=False)
    return net.accuracy(X_fit, y_fit), {"correct": net.predict(X_pool) == y_pool}

small_space = {"lr": LogUniform(1e-3, 1.0), "weight_decay": LogUniform(1e-5, 1e-1),
               "hidden": Choice([16, 32, 64]), "epochs": IntRange(5, 30)}
t0 = time.perf_counter()
configs = random_search(small_objective, small_space, 40, rng=0)
print(f"⏱ {time.perf_counter() - t0:.2f} s for 40 configurations")

correct = np.array([t.curves["correct"] for t in configs])        # (40, 2000) booleans
train_acc = np.array([t.score for t in configs])
pool_acc = correct.mean(axis=1)                                    # ≈ each one's true accuracy
by_train = int(np.argmax(train_acc))
rank = int((pool_acc > pool_acc[by_train]).sum()) + 1
print(f"configurations at 100 % training accuracy: {(train_acc == 1).sum()} of 40")
print(f"picked by training accuracy: {train_acc[by_train]:.1%} on training, {pool_acc[by_train]:.1%} "
      f"on the pool (rank {rank} of 40); the best on the pool reaches {pool_acc.max():.1%}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# Now the test-set trap. We draw a "test set" of $m$ digits from the pool, pick the configuration with the
# best score on it, and report that score — then check the same configuration on the pool digits it has not
# seen (a fresh hold-out). Repeated for 1,000 random draws, with the first $K$ configurations as the
# candidates:

# %% slideshow={"slide_type": "-"}
def selection_bias(correct, m, K, repeats=1000, rng=0):
    # mean reported (best-on-test) accuracy and the same configurations' accuracy on fresh digits
    g = np.random.default_rng(rng)
    n = correct.shape[1]
    on_test = np.argsort(g.random((repeats, n)), axis=1)[:, :m]    # a random test set per repeat
    mask = np.zeros((repeats, n), bool)
    np.put_along_axis(mask, on_test, True, axis=1)
    C = correct[:K].astype(float)
    test_acc = mask @ C.T / m                                        # (repeats, K)
    pick = test_acc.argmax(axis=1)
    reported = test_acc[np.arange(repeats), pick]
    fresh = ((~mask) * C[pick]).sum(axis=1) / (n - m)
    return reported.mean(), fresh.mean()

K_LIST = [1, 5, 10, 20, 40]
bias = {m: [selection_bias(correct, m, K) for K in K_LIST] for m in (100, 1000)}
print(f"{'test digits':>11} {'configs K':>9} {'reported (best on test)':>24} {'fresh hold-out':>15} {'optimistic by':>14}")
for m, rows in bias.items():
    for K, (rep, fresh) in zip(K_LIST, rows):
        print(f"{m:>11} {K:>9} {rep:>24.1%} {fresh:>15.1%} {100 * (rep - fresh):>+11.1f} pts")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plots.figure(1, 1, width=8, height=3.8)
for m, ls in ((100, "-"), (1000, "--")):
    rep, fresh = np.array(bias[m]).T
    ax.plot(K_LIST, 100 * (rep - fresh), ls=ls, marker="o", color=COLORS["grid"],
            label=f"test set of {m} digits")
ax.axhline(0, color="0.5", lw=1)
ax.set(xscale="log", xticks=K_LIST, xticklabels=K_LIST, xlabel="configurations compared on the test set (K)",
       ylabel="reported − fresh (points)", title="selecting on the test set inflates the test score")
ax.legend()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** With one configuration there is nothing to select and no bias. The more configurations
# compete on the same 100 test digits, the further the winner's score rises above what it gets on fresh
# digits — about 3 points with 40 candidates. A 10× larger test set shrinks the bias (noise ∝ 1/√m) but does
# not remove it. On the training set, by contrast, two configurations tie at 100 % and the one picked is not
# the best on fresh data. Hence: **choose on validation data, report on test data touched once.**
#
# ### k-fold cross-validation: when data is scarce
#
# With 200 labelled digits a 20 % validation part is only 40 digits: its score jumps around with the
# split. k-fold cross-validation splits the data into $k$ folds, trains $k$ times (each time on $k-1$
# folds) and averages the $k$ validation scores. Every digit is used for validation exactly once.
#
# `course_utils.data.kfold(y, k, rng)` returns the $k$ (train, validation) index pairs, stratified by
# label. Below: one fixed model (softmax regression on 14×14 digits) estimated by a single 80/20 hold-out
# split and by $k$-fold for $k$ = 2, 5, 10, each repeated with 8 different shuffles; the reference is the
# same model trained on all 200 digits and tested on 2,000 fresh ones.

# %% slideshow={"slide_type": "subslide"}
cv = load_mnist(200, 0, 2000, rng=2)
X_cv, y_cv = shrink(cv["X_train"]), cv["y_train"]
X_fresh, y_fresh = shrink(cv["X_test"]), cv["y_test"]

def fit_softmax(rows):
    net = MLP(196, [], 10, weight_decay=1e-3, rng=0)               # no hidden layer: softmax regression
    train(net, (X_cv[rows], y_cv[rows]), Optimizer("sgd", lr=0.5), epochs=15, batch_size=40,
          rng=0, eval_train=False)
    return net

def holdout_estimate(shuffle):
    order = np.random.default_rng(shuffle).permutation(len(y_cv))
    val, tr = order[:40], order[40:]
    return fit_softmax(tr).accuracy(X_cv[val], y_cv[val]), 0.0

def kfold_estimate(k, shuffle):
    scores = [fit_softmax(tr).accuracy(X_cv[va], y_cv[va]) for tr, va in kfold(y_cv, k, rng=shuffle)]
    return np.mean(scores), np.std(scores)

t0 = time.perf_counter()
truth = fit_softmax(np.arange(len(y_cv))).accuracy(X_fresh, y_fresh)
SHUFFLES = range(8)
cv_results = {"hold-out 80/20": [holdout_estimate(s) for s in SHUFFLES]}
for k in (2, 5, 10):
    cv_results[f"{k}-fold"] = [kfold_estimate(k, s) for s in SHUFFLES]
print(f"⏱ {time.perf_counter() - t0:.2f} s for {1 + 8 * (1 + 2 + 5 + 10)} fits")
print(f"reference: trained on all 200, tested on 2,000 fresh digits: {truth:.1%}")
print(f"{'method':<15} {'fits':>5} {'mean estimate':>14} {'spread over shuffles':>21} {'fold-to-fold std':>17}")
for name, res in cv_results.items():
    est, fold_sd = np.array(res).T
    fits = 1 if name.startswith("hold") else int(name.split("-")[0])
    fold = "-" if fits == 1 else f"{fold_sd.mean():.1%}"
    print(f"{name:<15} {fits:>5} {est.mean():>14.1%} {est.std():>21.1%} {fold:>17}")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plots.figure(1, 1, width=8, height=3.8)
for i, (name, res) in enumerate(cv_results.items()):
    est = np.array(res)[:, 0]
    ax.plot(np.full(len(est), i) + np.linspace(-0.12, 0.12, len(est)), 100 * est, "o",
            color=COLORS["random"], alpha=0.8)
    ax.plot([i - 0.25, i + 0.25], [100 * est.mean()] * 2, color="black", lw=3)
ax.axhline(100 * truth, color=COLORS["truth"], ls="--", label="trained on all 200, fresh test")
ax.set(xticks=range(len(cv_results)), xticklabels=list(cv_results), ylabel="estimated accuracy (%)",
       title="200 digits: one estimate per shuffle (dots) and their mean (bar)")
ax.legend(loc="lower right")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** The single 40-digit hold-out gives a different answer for every shuffle (the largest
# spread). k-fold averages $k$ scores, so its estimate moves much less with the shuffle, and the spread
# shrinks as $k$ grows. The mean rises with $k$ towards the reference: with $k = 2$ each model trains on only
# 100 digits and the estimate is pessimistic; with $k = 10$ it trains on 180. The price is $k$ fits per
# configuration — affordable for small data, which is exactly when you need it. The fold-to-fold std grows
# with $k$ because each fold gets smaller (20 digits at $k = 10$).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · Sampling on the right scale
#
# A learning rate between $10^{-4}$ and $1$ drawn *uniformly* lands in $[0.1, 1]$ nine times out of
# ten: the small values, where the good learning rate often is, are hardly ever tried. Sample the
# **exponent** uniformly instead:
#
# $$r = -4 \cdot \text{rand}(), \qquad \eta = 10^{\,r} \quad\Rightarrow\quad \eta \in [10^{-4}, 1],\ \text{each decade equally often.}$$
#
# For an averaging coefficient β (momentum, Adam's β₂) what matters is $1/(1-\beta)$, the number of steps
# averaged: 0.9 → 10, 0.99 → 100, 0.999 → 1,000. So sample **1 − β** on a log scale: $r \in [-3, -1]$
# uniform, $1 - \beta = 10^{\,r}$, so β ∈ [0.9, 0.999].
#
# In `course_utils.search` every space maps a uniform $u \in [0, 1]$ to a value (`from_unit`): `Uniform`
# linearly, `LogUniform` through the log, `OneMinusLogUniform` through $-\log(1-\beta)$:

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(search._Continuous.sample))
print(inspect.getsource(search._Continuous.from_unit))
print(inspect.getsource(LogUniform))
print(inspect.getsource(OneMinusLogUniform))

# %% [markdown] slideshow={"slide_type": "-"}
# **Check the code against the formulas**, sample for sample: with the same generator, `LogUniform(1e-4, 1)`
# must give $10^{-4 + 4u}$ (the slide's $r = -4\cdot\text{rand}$, mirrored: also uniform on $[-4, 0]$), and
# `OneMinusLogUniform(0.9, 0.999)` must give $\beta = 1 - 10^{-1-2u}$.

# %% slideshow={"slide_type": "subslide"}
N = 100_000
u = np.random.default_rng(0).uniform(0, 1, N)
lr_log = LogUniform(1e-4, 1).sample(np.random.default_rng(0), N)
beta_log = OneMinusLogUniform(0.9, 0.999).sample(np.random.default_rng(0), N)
print("LogUniform(1e-4, 1)             == 10**(-4 + 4u):      ", np.allclose(lr_log, 10 ** (-4 + 4 * u), rtol=1e-12))
print("OneMinusLogUniform(0.9, 0.999)  == 1 - 10**(-1 - 2u):  ", np.allclose(beta_log, 1 - 10 ** (-1 - 2 * u), rtol=1e-12))

lr_lin = Uniform(1e-4, 1).sample(np.random.default_rng(1), N)
beta_lin = Uniform(0.9, 0.999).sample(np.random.default_rng(1), N)
print(f"\n{'η in':<16} {'uniform':>8} {'log-uniform':>12}")
for lo, hi in ((1e-4, 1e-3), (1e-3, 1e-2), (1e-2, 1e-1), (1e-1, 1)):
    share = lambda x: np.mean((x >= lo) & ((x < hi) if hi < 1 else (x <= hi)))
    print(f"{f'[{lo:g}, {hi:g})':<16} {share(lr_lin):>8.1%} {share(lr_log):>12.1%}")
print(f"\n{'β in':<16} {'uniform':>8} {'1-β log-unif.':>13}")
for lo, hi in ((0.9, 0.99), (0.99, 0.999)):
    share = lambda x: np.mean((x >= lo) & (x <= hi))
    print(f"{f'[{lo:g}, {hi:g}]':<16} {share(beta_lin):>8.1%} {share(beta_log):>13.1%}")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plots.figure(2, 2, height=3.0, layout="constrained")
bins_lr = np.logspace(-4, 0, 41)
for ax, x, name, color in ((axes[0, 0], lr_lin, "uniform", COLORS["grid"]),
                           (axes[0, 1], lr_log, "log-uniform", COLORS["random"])):
    ax.hist(x, bins=bins_lr, color=color)
    ax.set(xscale="log", title=f"η: {name} on [1e-4, 1]", xlabel="learning rate η (log axis)")
bins_b = 1 - np.logspace(-1, -3, 41)[::-1]
for ax, x, name, color in ((axes[1, 0], beta_lin, "uniform", COLORS["grid"]),
                           (axes[1, 1], beta_log, "1 − β log-uniform", COLORS["random"])):
    ax.hist(1 - x, bins=np.logspace(-3, -1, 41), color=color)
    ax.set(xscale="log", title=f"β: {name} on [0.9, 0.999]", xlabel="1 − β (log axis)")
    ax.invert_xaxis()
for ax in axes[:, 0]:
    ax.set_ylabel("count")
plt.show()


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** On a log axis the log-uniform samples fill every decade evenly (right), the uniform ones
# pile up in the last decade (left). For β the log axis is $1 - \beta$ (0.1 on the left = β 0.9, 0.001 on
# the right = β 0.999): uniform sampling spends 91 % of its budget between 0.9 and 0.99 and almost never
# tries the long averages near 0.999.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Grid vs random search
#
# Bergstra & Bengio (2012): when a few hyperparameters matter and the others hardly do, random search wins.
# A 3 × 3 grid spends 9 trials but tries only **3 distinct values** of each hyperparameter; 9 random points
# try **9** of each. If only one of them matters, the grid has wasted two thirds of its budget.
#
# Objective on $[0, 1]^2$ (higher is better): $f(x, y) = g(x) + 0.1\,h(y)$ with an important $g$, a
# bump at $x = c$, and an unimportant $h$. Both searches use the same `course_utils.search` calls as the
# MNIST search later: `grid_search(objective, space, 3, centered=True)` and `random_search(objective, space, 9, rng=...)`.
# The grid is **cell-centred**, as in Bergstra & Bengio's figure 1: its points sit at the centres $(i + ½)/n$ of
# $n$ equal cells, here 1/6, ½, 5/6. (The default `grid_search` includes both ends, 0, ½ and 1: two of its
# three values then sit on the edges of the range, where a sensible range rarely has its optimum — a handicap
# that would exaggerate random search's advantage.)
# In the figure the shading is $f$ (darker is better), the top row shows $g$ with the values of $x$ each
# search tried, and the ticks along the bottom and right edges mark the values of $x$ and $y$ tried.

# %% slideshow={"slide_type": "-"}
def bumpy(params, seed, c=0.35):
    x, y = params["x"], params["y"]
    g = math.exp(-(x - c) ** 2 / (2 * 0.08 ** 2))             # important: a bump at x = c
    h = math.cos(2 * math.pi * y)                               # unimportant: 0.1·cos(2πy)
    return g + 0.1 * h

plane = {"x": Uniform(0, 1), "y": Uniform(0, 1)}
grid9 = grid_search(bumpy, plane, 3, rng=0, centered=True)    # x, y ∈ {1/6, 1/2, 5/6}
rand9 = random_search(bumpy, plane, 9, rng=0)
for name, trials in (("grid", grid9), ("random", rand9)):
    xs = sorted({round(t.params["x"], 3) for t in trials})
    print(f"{name:<6}: {len(trials)} trials, {len(xs)} distinct x values, best f = {best(trials).score:.3f}")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plots.figure(2, 2, height=2.6, width=11, gridspec_kw={"height_ratios": [1, 2.4]}, sharex="col",
                        layout="constrained")
xx = np.linspace(0, 1, 300)
gx = np.exp(-(xx - 0.35) ** 2 / (2 * 0.08 ** 2))
XX, YY = np.meshgrid(xx, xx)
FF = np.exp(-(XX - 0.35) ** 2 / (2 * 0.08 ** 2)) + 0.1 * np.cos(2 * np.pi * YY)
for col, (name, trials) in enumerate((("grid", grid9), ("random", rand9))):
    px = np.array([t.params["x"] for t in trials])
    py = np.array([t.params["y"] for t in trials])
    top, ax = axes[0, col], axes[1, col]
    top.plot(xx, gx, color="0.4")
    top.plot(px, np.exp(-(px - 0.35) ** 2 / (2 * 0.08 ** 2)), "o", color=COLORS[name], ms=8)
    top.set(title=f"{name}: {len(set(np.round(px, 6)))} distinct values of x", ylabel="g(x)", ylim=(-0.1, 1.15))
    ax.contourf(XX, YY, FF, levels=20, cmap="Greys", alpha=0.6)
    ax.plot(px, py, "o", color=COLORS[name], ms=9, mec="white")
    # marginal ticks: the values each hyperparameter was tried at (bottom: x, right: y)
    ax.vlines(px, 0, 0.06, color=COLORS[name], lw=3, transform=ax.get_xaxis_transform())
    ax.hlines(py, 0.94, 1.0, color=COLORS[name], lw=3, transform=ax.get_yaxis_transform())
    ax.set(xlabel="x (important)", ylabel="y (unimportant)", xlim=(-0.04, 1.04), ylim=(-0.04, 1.04))
    ax.grid(False)
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# The bump's position $c$ is unknown in practice. Over 500 objectives with $c$ drawn uniformly in
# $[0.1, 0.9]$, the best score each strategy finds with 9 trials (a grid is the same every time, random
# search draws new points). Three strategies: the edge grid {0, ½, 1}, the cell-centred grid, and random
# search; each mean carries its standard error over the 500 objectives, each win rate too.

# %% slideshow={"slide_type": "-"}
g = np.random.default_rng(4)
found = {"edge grid": [], "centred grid": [], "random": []}
for rep in range(500):
    c = g.uniform(0.1, 0.9)
    obj = lambda params, seed, c=c: bumpy(params, seed, c)
    found["edge grid"].append(best(grid_search(obj, plane, 3, rng=rep)).score)
    found["centred grid"].append(best(grid_search(obj, plane, 3, rng=rep, centered=True)).score)
    found["random"].append(best(random_search(obj, plane, 9, rng=rep)).score)
found = {name: np.array(v) for name, v in found.items()}
print("best f found with 9 trials, 500 objectives (the maximum is 1.1):")
print(f"{'strategy':<14} {'mean ± s.e.':>14} {'10th–90th percentile':>22}")
for name, v in found.items():
    lo, hi = np.percentile(v, [10, 90])
    print(f"{name:<14} {mean_sd(v, '>7.3f', error='se')} {lo:>13.2f} – {hi:.2f}")     # ± standard error
for name in ("edge grid", "centred grid"):
    win = (found["random"] > found[name]).astype(float)
    print(f"random search finds the better point than the {name:<12}: {mean_sd(win, '.0%', error='se')} of the objectives")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plots.figure(1, 1, width=8, height=3.6)
bins = np.linspace(0, 1.1, 23)
ax.hist(found["centred grid"], bins=bins, color=COLORS["grid"], alpha=0.6,
        label=f"3×3 centred grid (mean {found['centred grid'].mean():.2f})")
ax.hist(found["random"], bins=bins, color=COLORS["random"], alpha=0.6,
        label=f"9 random (mean {found['random'].mean():.2f})")
ax.hist(found["edge grid"], bins=bins, histtype="step", color="0.25", lw=2, ls="--",
        label=f"3×3 grid with the ends (mean {found['edge grid'].mean():.2f})")
ax.set(xlabel="best f found with 9 trials", ylabel="objectives", title="500 objectives, bump at a random c")
ax.legend(loc="upper center", fontsize=11)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** A grid tests only 3 values of $x$: unless the bump sits near one of them, its best trial
# lands on the bump's flank. Random search tests nine values of $x$ and usually has one close to the bump. The
# unimportant $y$ costs the grid three trials per value of $x$ and costs random search nothing. The grid's
# placement matters a lot: the edge grid wastes two of its three values on $x$ = 0 and 1, where the bump never
# is (mean best 0.40, random search better on 79 % ± 2 % of the objectives). The fair, cell-centred grid
# does much better (0.69 ± 0.01), and random search's advantage shrinks accordingly — but it remains:
# mean best 0.79 ± 0.01, and the better point on 58 % ± 2 % of the objectives.
#
# ### The grid's curse of dimensionality
#
# A grid with $n$ values per hyperparameter costs $n^d$ trials in $d$ dimensions. Turned around: a budget of
# $N$ trials buys $\lfloor N^{1/d} \rfloor$ values per axis, whatever the number of axes, while $N$ random
# trials try $N$ values of **every** axis. With 81 trials and one important hyperparameter among $d$, a bump
# as above on the important one and the rest irrelevant:

# %% slideshow={"slide_type": "subslide"}
N_BUDGET = 81
x_cells = lambda n: (np.arange(n) + 0.5) / n                      # a centred grid on one axis
g = np.random.default_rng(5)
centres = g.uniform(0.1, 0.9, 300)
bump = lambda x, c: np.exp(-(x - c) ** 2 / (2 * 0.08 ** 2))
print(f"{'d':>2} {'values per axis':>16} {'grid trials':>12} {'mean best g: grid':>18} {'random (81)':>12}")
for d in range(1, 7):
    n = int(round(N_BUDGET ** (1 / d), 9))                         # ⌊81^(1/d)⌋ values per axis
    grid_best = np.array([bump(x_cells(n), c).max() for c in centres])
    rand_best = np.array([bump(g.uniform(0, 1, N_BUDGET), c).max() for c in centres])
    print(f"{d:>2} {n:>16} {n ** d:>12} {mean_sd(grid_best, '>11.3f', error='se')} "
          f"{mean_sd(rand_best, '>6.3f', error='se')}")

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** Random search finds the bump equally well in every dimension: its 81 values of the
# important axis do not depend on $d$. The grid collapses: at $d$ = 2 it has 9 values per axis, at $d$ = 4
# only 3 ($3^4$ = 81), at $d$ = 5 and 6 only 2 (it cannot even afford $3^5$ = 243 trials). That is why
# grids are used for at most 3–4 hyperparameters, and random search beyond.
#
# ### Linear scale for units and layers
#
# Not everything goes on a log scale. A log scale is for hyperparameters whose effect is multiplicative
# and that span decades (η, λ, 1 − β). The number of layers (2–6) or of hidden units within a small factor
# (50–200) act additively: one more layer is one more layer, 150 units differ from 100 as much as 200 from
# 150. There a uniform draw is right: `IntRange(2, 6)` for layers, `IntRange(50, 200)` for units. (For units
# over a wide range, 16 to 1,024, use powers of two: `Choice([16, 32, 64, ..., 1024])`, a log scale again.)

# %% slideshow={"slide_type": "-"}
g = np.random.default_rng(6)
layers = IntRange(2, 6).sample(g, 10_000)
units = IntRange(50, 200).sample(g, 10_000)
units_log = np.round(LogUniform(50, 200).sample(g, 10_000))
print("layers, IntRange(2, 6):  ", {int(k): f"{np.mean(layers == k):.0%}" for k in range(2, 7)})
print(f"units,  IntRange(50, 200): {np.mean(units < 100):.0%} below 100, {np.mean(units >= 150):.0%} at 150 or more")
print(f"units,  log-uniform:       {np.mean(units_log < 100):.0%} below 100, {np.mean(units_log >= 150):.0%} at 150 or more"
      "  (over-samples the small nets)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · The textbook search, reproduced
#
# The textbook's experiment: 500 MNIST digits, 400 for training and 100 for validation; a 784-100×6-10 ReLU
# net trained with plain SGD, batch 100, 50 epochs; **100 random trials** with
#
# $$\eta = 10^{\,U(-6,\,-2)}, \qquad \lambda = 10^{\,U(-8,\,-4)} \quad\text{(L2 weight decay)},$$
#
# scored by the validation accuracy after the last epoch. The objective is an ordinary function of the
# parameters and a seed (every random choice inside follows the seed, so a trial is reproducible):

# %% slideshow={"slide_type": "-"}
BOOK = textbook.SEARCH                       # 784-100×6-10, SGD, batch 100, 50 epochs
digits = load_mnist(BOOK.n_train, textbook.SEARCH_N_VAL, 0, rng=0)   # 400 train, 100 validation, no test part

def mnist_objective(params, seed):
    # params: lr, weight_decay and optionally epochs (50 unless given; section 8 gives fewer)
    net = BOOK.mlp(weight_decay=params["weight_decay"], rng=seed)
    h = train(net, digits, Optimizer("sgd", lr=params["lr"]), epochs=params.get("epochs", BOOK.epochs),
              batch_size=BOOK.batch_size, rng=seed, eval_train=False)    # validation accuracy per epoch only
    score = h.val_acc[-1] if h.diverged_at is None else math.nan
    return score, {"val_acc": h.val_acc}

space = {"lr": LogUniform(*textbook.SEARCH_LR), "weight_decay": LogUniform(*textbook.SEARCH_WEIGHT_DECAY)}
print("one trial takes", len(digits["y_train"]) // 100 * 50, "SGD steps")


# %% [markdown] slideshow={"slide_type": "-"}
# 100 trials × 200 steps is about a minute of computing, so we run them on **two worker processes**
# (section 7 explains the pool and checks that the results equal a serial run). `make_pool` uses `fork` on
# Linux: the workers inherit this notebook's functions and data. On macOS and Windows workers start with
# `spawn` and cannot see a function defined in a notebook, so there it falls back to threads (NumPy's matrix
# products release the GIL); for real process pools there, put the objective in a `.py` file and import it.

# %% slideshow={"slide_type": "subslide"}
def make_pool(workers=2):
    if sys.platform.startswith("linux"):
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    return ThreadPoolExecutor(workers)

t0 = time.perf_counter()
with make_pool() as pool:
    coarse = random_search(mnist_objective, space, textbook.SEARCH_TRIALS, rng=0, executor=pool, progress=True)
coarse_seconds = time.perf_counter() - t0
print(f"⏱ {coarse_seconds:.1f} s for 100 trials on 2 processes")
for i, t in enumerate(top_k(coarse, 5), start=1):
    print(f"Best-{i} (val acc:{t.score:.2f}) | lr:{t.params['lr']:.3g}, weight decay:{t.params['weight_decay']:.3g}")

# %% slideshow={"slide_type": "-"}
p_best, n_val = best(coarse).score, len(digits["y_val"])
se_acc = math.sqrt(p_best * (1 - p_best) / n_val)               # binomial standard error of one accuracy
top10 = [t.score for t in top_k(coarse, 10)]
print(f"standard error of one accuracy near {p_best:.2f} on {n_val} validation digits: "
      f"√(p(1 − p)/n) = {se_acc:.3f}, about {100 * se_acc:.0f} points")
print(f"the top 10 span {min(top10):.2f} to {max(top10):.2f}: all within 2 standard errors "
      f"({2 * se_acc:.2f}) of the best: {max(top10) - min(top10) <= 2 * se_acc}")

# %% [markdown] slideshow={"slide_type": "-"}
# **Validation noise.** One accuracy on 100 digits is a coin-flip count: near 0.78 its standard error is
# about 4 points, so the whole top 10 lies within the noise of one another — their order says nothing. And
# the winner's 0.78 is the **maximum of 100 noisy estimates**, the selection bias measured in section 2: it
# is optimistic. Section 6 re-scores the winners on fresh digits with new seeds.

# %% slideshow={"slide_type": "subslide"}
fig, axes = plt.subplots(4, 5, figsize=(14, 8.4), sharex=True, sharey=True, layout="constrained")
for i, (ax, t) in enumerate(zip(axes.ravel(), top_k(coarse, 20)), start=1):
    ax.plot(np.arange(1, len(t.curves["val_acc"]) + 1), t.curves["val_acc"], color=COLORS["random"])
    ax.set_title(f"Best-{i}: {t.score:.2f}", fontsize=12)
    ax.text(0.03, 0.95, f"η {t.params['lr']:.1e}\nλ {t.params['weight_decay']:.0e}", transform=ax.transAxes,
            va="top", fontsize=10, color="0.3")
    ax.set_ylim(0, 1)
for ax in axes[-1]:
    ax.set_xlabel("epoch")
for ax in axes[:, 0]:
    ax.set_ylabel("val. acc.")
fig.suptitle("the 20 best of 100 trials: validation accuracy per epoch")
plt.show()

# %% slideshow={"slide_type": "subslide"}
lr_all = np.array([t.params["lr"] for t in coarse])
wd_all = np.array([t.params["weight_decay"] for t in coarse])
acc_all = np.array([t.score for t in coarse])
print(f"{'decade of η':<16} {'trials':>6} {'mean val acc':>13}   |   {'decade of λ':<16} {'trials':>6} {'mean val acc':>13}")
for k in range(4):
    in_lr = (np.log10(lr_all) >= -6 + k) & (np.log10(lr_all) < -5 + k)
    in_wd = (np.log10(wd_all) >= -8 + k) & (np.log10(wd_all) < -7 + k)
    print(f"[1e{-6 + k}, 1e{-5 + k}){'':<4} {in_lr.sum():>6} {acc_all[in_lr].mean():>13.1%}   |   "
          f"[1e{-8 + k}, 1e{-7 + k}){'':<4} {in_wd.sum():>6} {acc_all[in_wd].mean():>13.1%}")
steps = 50 * len(digits["y_train"]) // 100
print(f"\nL2 shrinks every weight by (1 − ηλ) per SGD step; at the box's largest η and λ, over the {steps} steps "
      f"of a run: (1 − 1e-2·1e-4)^{steps} = {(1 - 1e-2 * 1e-4) ** steps:.4f}")

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** Even the best runs are still climbing at epoch 50: with SGD and at most 200 steps, the
# limit is how far the optimizer gets, so the largest learning rates win.
#
# **Learning rate first, measured.** Across its four decades the learning rate moves the mean validation
# accuracy from chance (9 %) to 52 %; across four decades of weight decay the mean stays between 20 % and 30 %
# without a trend (the differences come from which learning rates happened to fall in each decade). Here λ
# **cannot act**: the whole run shrinks the weights by a factor 0.9998 at most (printed above). So the
# textbook's conclusion from this very search — "the weight decay should be in 10⁻⁸–10⁻⁶" — is noise: the
# λ of its best trials is whatever the random draw gave (its own Best-4 and Best-5 have λ ≈ 10⁻⁵; ours are
# spread over all four decades). The end of this section searches λ over a range where it acts.
#
# **Coarse to fine.** Keep the best 20 % of the trials and shrink the box to the range they span, measured on
# the log scale and widened by 10 % (`search.narrow`); then search again inside it.
# `coarse_to_fine(objective, space, n_trials, rounds=...)` does these rounds in one call; here we do one round
# by hand so the box can be drawn.

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(narrow))
fine_space = narrow(space, coarse, keep=0.2)
for name, s in fine_space.items():
    print(f"{name:<13} coarse [{space[name].lo:.0e}, {space[name].hi:.0e}]  →  fine [{s.lo:.2e}, {s.hi:.2e}]")

with make_pool() as pool:
    fine = random_search(mnist_objective, fine_space, 20, rng=1, executor=pool)
print(f"best of 100 coarse trials: {best(coarse).score:.2f};  best of 20 fine trials: {best(fine).score:.2f}")
print(f"trials above 0.70: coarse {np.mean([t.score > 0.7 for t in coarse]):.0%}, "
      f"fine {np.mean([t.score > 0.7 for t in fine]):.0%}")


# %% slideshow={"slide_type": "subslide"}
def draw_search(ax, trials, marker="o", label=None, size=55, edge="white"):
    x = [t.params["lr"] for t in trials]
    y = [t.params["weight_decay"] for t in trials]
    c = [t.score if math.isfinite(t.score) else 0.0 for t in trials]
    return ax.scatter(x, y, c=c, cmap="viridis", vmin=0.0, vmax=0.85, s=size, marker=marker,
                      edgecolors=edge, linewidths=0.8, label=label)

def draw_box(ax, box, color=COLORS["fine"]):
    lr, wd = box["lr"], box["weight_decay"]
    ax.add_patch(Rectangle((lr.lo, wd.lo), lr.hi - lr.lo, wd.hi - wd.lo, fill=False, ec=color, lw=2.5))

fig, (ax0, ax1) = plots.figure(1, 2, width=13, height=4.8, layout="constrained")
sc = draw_search(ax0, coarse)
draw_box(ax0, fine_space)
ax0.text(fine_space["lr"].lo, 1.15e-4, "narrowed box", color=COLORS["fine"], ha="center", fontsize=12)
ax0.set(title="coarse: 100 random trials", xlim=(7e-7, 1.4e-2), ylim=(7e-9, 1.4e-4))
draw_search(ax1, [t for t in coarse if fine_space["lr"].lo <= t.params["lr"]], label="coarse trials in the box")
draw_search(ax1, fine, marker="^", size=90, edge="black", label="fine: 20 new trials")
draw_box(ax1, fine_space)
ax1.set(title="fine: 20 more trials inside the box", xlim=(fine_space["lr"].lo / 1.08, fine_space["lr"].hi * 1.08),
        ylim=(7e-9, 1.4e-4))
ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2, fontsize=11)
for ax in (ax0, ax1):
    ax.set(xscale="log", yscale="log", xlabel="learning rate η", ylabel="weight decay λ")
ax1.set_xticks([4e-3, 6e-3, 1e-2], ["4e-3", "6e-3", "1e-2"])
ax1.xaxis.set_minor_formatter(plt.NullFormatter())
fig.colorbar(sc, ax=[ax0, ax1], label="validation accuracy")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** The 20 best trials all have η above 3.5·10⁻³, whatever their λ: the good region is a
# vertical band at the right edge, and the narrowed box (purple) is that band, still spanning all four decades
# of λ. Inside it a quarter of the new trials score above 0.70 (a tenth of the coarse ones did), and the best
# reaches 0.80 (the textbook's best: 0.83). Two lessons from the picture: the best values lie **at the edge**
# of the range, so the next search should extend η beyond 10⁻² rather than only narrow; and with 100
# validation digits a difference of 0.01–0.02 between the top trials is noise (1 digit = 1 %, one standard error ≈ 4 %).

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Where weight decay acts
#
# Both lessons applied: η extended past the edge to $[10^{-4}, 10^{-1}]$, and λ moved to $[10^{-4}, 1]$, where
# $(1 - \eta\lambda)^{200}$ ranges from 1 down to almost 0. 60 random trials, then the same decade table,
# and the **share of the variance** of the validation accuracy that each hyperparameter explains on its own
# (the variance of the per-decade means, weighted by the trials in each decade, over the total variance — a
# one-variable analysis of variance). With 15–25 trials per decade an irrelevant hyperparameter still gets
# a few percent by chance: the textbook box's λ shows that floor.

# %% slideshow={"slide_type": "subslide"}
space_act = {"lr": LogUniform(1e-4, 1e-1), "weight_decay": LogUniform(1e-4, 1.0)}
t0 = time.perf_counter()
with make_pool() as pool:
    acting = random_search(mnist_objective, space_act, 60, rng=0, executor=pool)
print(f"⏱ {time.perf_counter() - t0:.1f} s for 60 trials on 2 processes")
print(f"(1 − ηλ)^200 over the box: from {(1 - 1e-4 * 1e-4) ** 200:.4f} to {(1 - 1e-1 * 1.0) ** 200:.1e}")

def decade_share(trials, name, lo_exp, hi_exp):
    # share of the score variance explained by the decade of `name`; and the per-decade means
    x = np.log10([t.params[name] for t in trials])
    y = np.array([t.score if math.isfinite(t.score) else 0.1 for t in trials])
    k = np.minimum(np.floor(x - lo_exp).astype(int), hi_exp - lo_exp - 1)
    means = np.array([y[k == j].mean() for j in range(hi_exp - lo_exp)])
    counts = np.array([(k == j).sum() for j in range(hi_exp - lo_exp)])
    return (counts * (means - y.mean()) ** 2).sum() / len(y) / y.var(), means, counts

print(f"\n{'box':<38} {'η explains':>10} {'λ explains':>10}")
for label, trials, (lr_lo, lr_hi), (wd_lo, wd_hi) in (
        ("textbook: η 1e-6–1e-2, λ 1e-8–1e-4", coarse, (-6, -2), (-8, -4)),
        ("acting:   η 1e-4–1e-1, λ 1e-4–1", acting, (-4, -1), (-4, 0))):
    print(f"{label:<38} {decade_share(trials, 'lr', lr_lo, lr_hi)[0]:>10.0%} "
          f"{decade_share(trials, 'weight_decay', wd_lo, wd_hi)[0]:>10.0%}")
_, wd_means, wd_counts = decade_share(acting, "weight_decay", -4, 0)
print("\nacting box, mean validation accuracy per decade of λ:")
for j, (m, c) in enumerate(zip(wd_means, wd_counts)):
    print(f"  λ in [1e{j - 4}, 1e{j - 3}): {m:.1%} over {c} trials")
for i, t in enumerate(top_k(acting, 5), start=1):
    print(f"Best-{i} (val acc:{t.score:.2f}) | lr:{t.params['lr']:.3g}, weight decay:{t.params['weight_decay']:.3g}, "
          f"ηλ·200 = {200 * t.params['lr'] * t.params['weight_decay']:.2f}")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plots.figure(1, 1, width=8.5, height=4.6, layout="constrained")
sc = ax.scatter([t.params["lr"] for t in acting], [t.params["weight_decay"] for t in acting],
                c=[t.score for t in acting], cmap="viridis", vmin=0.0, vmax=0.9, s=70, edgecolors="white")
lr_line = np.geomspace(1e-4, 1e-1, 50)
for total, ls in ((0.1, ":"), (1.0, "--"), (10.0, "-")):
    ax.plot(lr_line, total / (200 * lr_line), color="0.3", ls=ls, lw=1.5,
            label=f"ηλ·200 = {total:g}  (shrink e^−{total:g})")
ax.set(xscale="log", yscale="log", xlim=(8e-5, 1.25e-1), ylim=(8e-5, 1.25), xlabel="learning rate η",
       ylabel="weight decay λ", title="60 trials where λ acts: accuracy collapses above ηλ·200 ≈ 1")
ax.legend(loc="lower left", fontsize=10)
fig.colorbar(sc, ax=ax, label="validation accuracy")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** In this box both hyperparameters matter: η explains 49 % of the variance of the scores
# and λ 27 % (against 70 % and 2 % in the textbook's box, where 2 % is the chance floor). λ acts through the
# product ηλ (the lines of constant shrink $(1-\eta\lambda)^{200}$): above ηλ·200 ≈ 1 the weights are held
# so small that most runs end at chance, whatever η; the decade λ ∈ [0.1, 1] averages 17 %. Below that line
# the learning rate decides again, and the best trials, with η ≈ 0.03–0.08, reach 0.85–0.90 — beyond
# everything in the textbook's box (whose η stopped at 10⁻²). What λ does not show here is a clear optimum
# below the collapse: the Best-5 spread over more than two decades of λ (10⁻⁴ to 3·10⁻²), within the 4-point
# noise of one validation score. The order of importance holds — **learning rate first** — and λ's job on
# this small problem is mainly "not too large".

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6 · Bayesian optimization, step by step
#
# Random search ignores what it has already seen. **Bayesian optimization** fits a probabilistic model of
# the score — a *Gaussian process* (GP) — to the trials so far, and spends the next trial where the model
# expects the most gain.
#
# **The GP** (zero mean, RBF kernel $k(a, b) = s^2 \exp(-\lVert a-b\rVert^2 / 2\ell^2)$), given scores $y$ at
# points $X$, predicts at a new point $x$:
#
# $$\mu(x) = k(x, X)\,[K + \sigma_n^2 I]^{-1} y, \qquad
# \sigma^2(x) = s^2 - k(x, X)\,[K + \sigma_n^2 I]^{-1} k(X, x), \qquad K = k(X, X).$$
#
# **Expected improvement** over the best score so far $f^*$, with a margin ξ ≥ 0:
#
# $$\mathrm{EI}(x) = (\mu - f^* - \xi)\,\Phi(z) + \sigma\,\varphi(z), \qquad z = \frac{\mu - f^* - \xi}{\sigma},
# \qquad \mathrm{EI} = 0 \text{ where } \sigma = 0,$$
#
# with Φ and φ the standard normal CDF and density. The first term rewards a high mean (exploitation),
# the second a large uncertainty (exploration). `course_utils.search` solves with a Cholesky factor
# instead of inverting $K$:

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(gp_posterior))
print(inspect.getsource(expected_improvement))

# %% [markdown] slideshow={"slide_type": "-"}
# **Check the code against the formulas.** (1) Without noise the GP interpolates: at the data, μ = y and
# σ = 0, so EI = 0 — a sampled point is never proposed again. (2) The mean equals the matrix formula above,
# computed with an explicit inverse. (3) EI is the average gain $\mathbb{E}[\max(F - f^* - \xi, 0)]$ for
# $F \sim \mathcal{N}(\mu, \sigma^2)$: compare with a Monte-Carlo average over 10⁶ draws.

# %% slideshow={"slide_type": "subslide"}
g = np.random.default_rng(0)
Xd, yd = g.uniform(0, 1, 6), g.normal(0, 1, 6)
mu_d, sd_d = gp_posterior(Xd, yd, Xd, 0.2, 1.0, 1e-10)
print("GP at its data: μ = y:", np.allclose(mu_d, yd, atol=1e-6), "  σ = 0:", np.allclose(sd_d, 0, atol=1e-3),
      "  EI = 0:", np.allclose(expected_improvement(mu_d, sd_d, yd.max(), 0.01), 0, atol=1e-6))

xq = np.linspace(0, 1, 7)
K = search.rbf_kernel(Xd, Xd, 0.2) + 1e-6 * np.eye(6)
mu_formula = search.rbf_kernel(xq, Xd, 0.2) @ np.linalg.inv(K) @ yd
print("μ(x) = k(x, X)(K + σ²I)⁻¹y:", np.allclose(gp_posterior(Xd, yd, xq, 0.2)[0], mu_formula, atol=1e-6))

mu_t, sd_t, f_best, xi = np.array([0.3, 1.0, 1.4]), np.array([0.5, 0.2, 0.8]), 1.1, 0.05
F = mu_t + sd_t * g.standard_normal((1_000_000, 3))
ei_mc = np.maximum(F - f_best - xi, 0).mean(axis=0)
ei_formula = expected_improvement(mu_t, sd_t, f_best, xi)
print("EI formula:", np.round(ei_formula, 4), " Monte Carlo:", np.round(ei_mc, 4),
      " agree to 0.002:", np.allclose(ei_formula, ei_mc, atol=2e-3))


# %% [markdown] slideshow={"slide_type": "-"}
# **One dimension, step by step.** A 1-D objective with a broad local maximum at $x \approx 0.22$ and a
# narrower, higher one at $x \approx 0.74$ (think of $x$ as $\log_{10}\eta$ rescaled to $[0, 1]$). Two random
# starting points; then, at every iteration: standardize the scores, pick the length scale ℓ that makes the
# data most likely (`gp_log_likelihood`), compute μ and σ on a grid of 401 points, and evaluate the objective
# where EI is largest. `search.bayes_step` does one such step; `bayes_opt` calls the same function, on random
# candidate points instead of a grid.

# %% slideshow={"slide_type": "subslide"}
def f1d(x):
    x = np.asarray(x, float)
    return (0.6 * np.exp(-(x - 0.22) ** 2 / (2 * 0.08 ** 2)) + np.exp(-(x - 0.74) ** 2 / (2 * 0.05 ** 2))
            + 0.15 * np.sin(9 * x))

X_GRID = np.linspace(0, 1, 401)

def bo_1d(n_iter=12, xi=0.01, n_init=2, rng=0):
    # the state before each evaluation: data so far, posterior, EI and the next point
    g = np.random.default_rng(rng)
    X = list(g.uniform(0, 1, n_init))
    states = []
    for it in range(n_iter + 1):
        x, y = np.array(X), f1d(X)
        ys, center, scale = search.standardize_scores(y)           # mean 0, std 1
        step = search.bayes_step(x, ys, X_GRID, xi=xi)             # ℓ, μ, σ, EI (ξ in std units)
        nxt = X_GRID[step.pick]
        states.append(dict(X=x, Y=y, mean=step.mean * scale + center, std=step.std * scale,
                           ei=step.ei * scale, next=nxt, ell=step.length_scale, best=y.max()))
        X.append(nxt)
    return states

bo_states = bo_1d()
print(f"true maximum: f({X_GRID[np.argmax(f1d(X_GRID))]:.3f}) = {f1d(X_GRID).max():.3f}")
print(f"{'iteration':>9} {'trials':>6} {'ℓ':>6} {'best so far':>11} {'max EI':>9} {'next x':>7}")
for i, s in enumerate(bo_states):
    print(f"{i:>9} {len(s['X']):>6} {s['ell']:>6.3f} {s['best']:>11.3f} {s['ei'].max():>9.2e} {s['next']:>7.3f}")


# %% slideshow={"slide_type": "subslide"}
EI_FLOOR = 1e-6

def draw_bo(ax_gp, ax_ei, s, title=""):
    ax_gp.plot(X_GRID, f1d(X_GRID), color=COLORS["truth"], ls="--", lw=1.5, label="objective")
    ax_gp.plot(X_GRID, s["mean"], color=COLORS["bayes"], label="GP mean μ")
    ax_gp.fill_between(X_GRID, s["mean"] - 2 * s["std"], s["mean"] + 2 * s["std"], color=COLORS["bayes"],
                       alpha=0.2, label="μ ± 2σ")
    ax_gp.plot(s["X"], s["Y"], "o", color="black", ms=7, label="samples")
    ax_gp.axvline(s["next"], color=COLORS["grid"], lw=1.5, ls=":")
    ax_gp.set(ylim=(-1.0, 2.0), title=title)
    # EI on a fixed log axis (10⁻⁶ .. 1): its fall over the iterations reads off one scale
    ei = np.maximum(s["ei"], EI_FLOOR)
    ax_ei.fill_between(X_GRID, ei, EI_FLOOR, color=COLORS["grid"], alpha=0.35)
    ax_ei.plot(X_GRID, ei, color=COLORS["grid"])
    ax_ei.axvline(s["next"], color=COLORS["grid"], lw=1.5, ls=":")
    ax_ei.set(xlabel="x", yscale="log", ylim=(EI_FLOOR, 1.0), yticks=[1e-6, 1e-4, 1e-2, 1])

SHOW = [0, 3, 6, 9]
fig, axes = plt.subplots(2, 4, figsize=(14, 5.4), sharex=True, layout="constrained",
                         gridspec_kw={"height_ratios": [2.2, 1]})
for col, it in enumerate(SHOW):
    draw_bo(axes[0, col], axes[1, col], bo_states[it], f"iteration {it}: {len(bo_states[it]['X'])} samples")
axes[0, 0].legend(loc="upper left", fontsize=9)
axes[1, 0].set_ylabel("EI")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Play: step through the iterations.** The slider moves through the iterations; ξ changes how much the
# search explores (the whole run is recomputed, in a fraction of a second). The dotted line is the next point
# to evaluate: the maximum of EI.

# %% slideshow={"slide_type": "subslide"}
_bo_cache = W.RunCache()                      # ξ -> the 12 iterations of its run

def bo_experiment(iteration, xi, live):
    return _bo_cache.get_or_run(round(xi, 12), lambda: bo_1d(n_iter=12, xi=xi), live)[iteration]

def bo_draw(axes, s, values):
    draw_bo(axes[0], axes[1], s, f"iteration {values['iteration']}: {len(s['X'])} samples, "
            f"best {s['best']:.3f} (max 1.057), ξ = {values['xi']:.3g}")
    axes[0].legend(loc="upper left", fontsize=10, ncols=4)
    axes[1].set_ylabel("EI")

bo_dash = W.Dashboard(bo_experiment, bo_draw, layout=(2, 1), figsize=(11, 6),
                      margins=dict(left=0.08, right=0.98, bottom=0.09, top=0.93, hspace=0.25,
                                   height_ratios=[2.2, 1]),            # fixed: the axes never move
                      iteration=W.int_slider("iteration", 0, 12, 0),
                      xi=W.log_slider("exploration ξ", 1e-3, 1.0, 0.01, fmt=".3g"))

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
bo_dash

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see** (ξ = 0.01):
#
# 1. **Iterations 0–1.** The starting points are at 0.27, on the flank of the left bump, and at 0.64. EI
#    peaks right beside the better one, and the next two samples climb the left bump (0.22, 0.15): exploitation.
# 2. **Iterations 2–7.** The left bump is pinned down (σ ≈ 0 there), so its EI vanishes, and the peaks of EI
#    move to the gaps where the band is wide: x = 1, 0.45, 0.82, 0, 0.89 — exploration. The one exception,
#    iteration 5, goes back to x = 0.21 beside the best sample: EI still finds a little to gain there, and
#    the best edges up from 0.734 to 0.739 (the sin ripple on the bump). Watch the EI panel (log scale): its
#    maximum falls from 0.04 to 10⁻⁴ as the model grows confident.
# 3. **Iteration 8.** The next point is 0.74, on the narrow bump. At iteration 9 the best jumps from 0.74 to
#    1.055, the fitted ℓ shrinks (0.098 → 0.070) and EI concentrates around 0.74.
# 4. **Move ξ to ≈ 0.5.** EI now asks for a large margin over the best: the narrow bump is hit two iterations
#    sooner (the dotted line reaches 0.74 at iteration 6), and afterwards the samples keep spreading into the
#    gaps (0.54, 0.35, 0.92) instead of refining 0.74. **ξ = 0.001** behaves like 0.01 here.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Bayesian vs random on the MNIST search
#
# Now `bayes_opt` on the textbook problem, with 20 trials instead of 100. Its first 5 trials are random —
# exactly the first 5 of the random search above (same `rng`) — then it proposes 2 points per GP fit
# (`batch_size=2`, one per worker). Validation accuracy on 100 digits is noisy, so the GP is told so:
# `noise=0.01` is the noise **variance**, in units of the standardized score (its variance across the trials
# is 1), i.e. a noise standard deviation of 0.1 score-std. With the measured 4-point standard error and a
# spread of the scores of about 0.25 the honest value would be nearer (0.04/0.25)² ≈ 0.03; 0.01 makes the GP
# trust single scores a little too much.

# %% slideshow={"slide_type": "-"}
t0 = time.perf_counter()
with make_pool() as pool:
    bayes = bayes_opt(mnist_objective, space, 20, rng=0, n_init=5, batch_size=2, noise=0.01, executor=pool)
print(f"⏱ {time.perf_counter() - t0:.1f} s for 20 trials")
rand20 = coarse[:20]                          # the first 20 of the random search: the same rng
print("the first 5 trials are the same:", [t.params for t in bayes[:5]] == [t.params for t in rand20[:5]])
running = {name: np.maximum.accumulate([t.score for t in ts]) for name, ts in (("random", rand20), ("bayes", bayes))}
for name, r in running.items():
    print(f"{name:<7} best after 5, 10, 20 trials: {r[4]:.2f}, {r[9]:.2f}, {r[19]:.2f}")
print(f"random search needed all 100 trials to reach {best(coarse).score:.2f}")
for name, ts in (("random", rand20), ("bayes", bayes)):
    print(f"{name:<7} trials with η ≥ 5e-3: {sum(t.params['lr'] >= 5e-3 for t in ts):>2} of 20")

# %% slideshow={"slide_type": "subslide"}
fig, (ax0, ax1) = plots.figure(1, 2, height=4.2, layout="constrained")
n = np.arange(1, 21)
ax0.step(n, running["random"], where="post", color=COLORS["random"], label="random search")
ax0.step(n, running["bayes"], where="post", color=COLORS["bayes"], label="Bayesian optimization")
ax0.axvline(5.5, color="0.5", lw=1, ls=":")
ax0.text(5.8, 0.84, "GP starts", color="0.4", fontsize=11)
ax0.set(xlabel="trials", ylabel="best validation accuracy so far", ylim=(0, 0.9), xticks=[1, 5, 10, 15, 20],
        title="best so far")
ax0.legend(loc="lower right")
for name, ts, m in (("random", rand20, "o"), ("bayes", bayes, "^")):
    ax1.scatter([t.params["lr"] for t in ts], [t.params["weight_decay"] for t in ts], marker=m, s=70,
                color=COLORS[name], edgecolors="white", label={"random": "random search", "bayes": "Bayesian opt."}[name])
ax1.add_patch(Rectangle((1e-6, 1e-8), 1e-2 - 1e-6, 1e-4 - 1e-8, fill=False, ec="0.5", ls="--", lw=1))
ax1.set(xscale="log", yscale="log", xlim=(5e-7, 2.5e-2), ylim=(5e-9, 2.5e-4), xlabel="learning rate η",
        ylabel="weight decay λ", title="where the 20 trials went")
ax1.legend(loc="lower left")
plt.show()

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Re-score the winners.** The best validation score of a search is the maximum of noisy estimates
# (section 2). To compare the searches' *answers*, retrain each winner's configuration with 5 new seeds on
# the same 400 training digits and test on 1,000 digits that no trial has seen (`load_mnist` with the same
# `rng` and a larger training part keeps the 400 and the validation digits, and adds new ones).

# %% slideshow={"slide_type": "-"}
more = load_mnist(1400, 100, 0, rng=0)
assert np.array_equal(more["X_train"][:400], digits["X_train"]) and np.array_equal(more["X_val"], digits["X_val"])
X_new, y_new = more["X_train"][400:], more["y_train"][400:]      # 1,000 digits no trial has seen
NEW_SEEDS = list(range(1000, 1005))

def fresh_accuracy(job):
    params, seed = job
    net = BOOK.mlp(weight_decay=params["weight_decay"], rng=seed)
    train(net, (digits["X_train"], digits["y_train"]), Optimizer("sgd", lr=params["lr"]), epochs=BOOK.epochs,
          batch_size=BOOK.batch_size, rng=seed, eval_train=False)
    return net.accuracy(X_new, y_new)

winners = {"random, 20 trials": best(rand20), "random, 100 trials": best(coarse), "Bayesian, 20 trials": best(bayes)}
with make_pool() as pool:
    rescored = {name: np.array(list(pool.map(fresh_accuracy, [(t.params, s) for s in NEW_SEEDS])))
                for name, t in winners.items()}
print(f"{'winner of':<20} {'η':>9} {'λ':>8} {'validation':>10} {'fresh digits, 5 new seeds':>27}")
for name, t in winners.items():
    a = rescored[name]
    print(f"{name:<20} {t.params['lr']:>9.2e} {t.params['weight_decay']:>8.1e} {t.score:>10.2f} "
          f"{mean_sd(a, '>17.3f', error='se')} (s.e.)")

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** Bayesian optimization finds the good region sooner: after 10 trials its best is 0.75,
# where random search gets only after 20 (0.54 after 10), and 14 of its 20 trials sit at η ≥ 5·10⁻³ against
# 2 of random search's. That part of the old claim holds. "BO wins with 0.83" does not: its winning *score*
# is a selection from noisy estimates like any other. Re-scored on 1,000 fresh digits with 5 new seeds, the
# BO winner gets 0.775 ± 0.010 and the winner of the 100 random trials 0.774 ± 0.009 — the same; the winner
# of the first 20 random trials, 0.752 ± 0.011, is lower by about 1.5 standard errors of the difference. All
# three winners are the same kind of configuration (η near the top of the box, λ unable to act). On this
# problem BO saves trials; it does not find a better net. Two caveats: this is one run of each search, and
# BO's advantage shrinks when many hyperparameters matter or when hundreds of trials can run at once — then
# the simplicity of random search wins.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7 · Pandas vs caviar: one model or many in parallel
#
# Two ways to search, named after how the animals raise their young:
#
# | | **panda**: babysit one model | **caviar**: many models in parallel |
# |---|---|---|
# | how | train one model, watch its curves, stop it and adjust η when it goes wrong | start many configurations at once, keep the best |
# | when | little compute, a huge model or data set | enough compute for many runs |
# | needs | your attention | a pool of workers, and reproducible trials |
#
# **A demonstration with the same budget: 400 epochs** (8 full runs of 50 epochs) in the textbook's box.
# The panda is a simple babysitting rule, run serially: (1) start in the middle of the box (η = 10⁻⁴ on the
# log scale); (2) watch every run and stop it at epoch 10 if it is behind — below 20 % (not learning) or 5
# points below the best finished run at that epoch; (3) next η: ×10 as long as no run has finished, then
# the untried neighbours ×½, ×2, ×¼, ×4 of the best finished run (within the box), and once those are
# tried, the best η again with a new seed. The caviar is 8 random trials run at once on 2 workers: they are
# the first 8 trials of section 5's search (same `rng`), and the other 11 blocks of 8 trials of that search
# give its spread.

# %% slideshow={"slide_type": "subslide"}
LR_BOX = textbook.SEARCH_LR                  # (1e-6, 1e-2)

def babysit(budget=400, lr=1e-4, weight_decay=1e-6, look_at=10, seed=0):
    runs, used = [], 0
    while used + look_at <= budget:
        finished = [r for r in runs if r["done"]]
        bar = max([0.2] + [r["curve"][look_at - 1] - 0.05 for r in finished])
        watch = lambda h: not (len(h.val_acc) == look_at and h.val_acc[-1] < bar)    # False: stop the run
        net = BOOK.mlp(weight_decay=weight_decay, rng=seed + len(runs))
        h = train(net, digits, Optimizer("sgd", lr=lr), epochs=min(BOOK.epochs, budget - used),
                  batch_size=BOOK.batch_size, rng=seed + len(runs), eval_train=False, on_epoch=watch)
        used += len(h.val_acc)
        runs.append(dict(lr=lr, curve=h.val_acc, done=len(h.val_acc) == BOOK.epochs))
        finished = [r for r in runs if r["done"]]
        if not finished:
            lr = min(lr * 10, LR_BOX[1])
            continue
        best_lr = max(finished, key=lambda r: r["curve"][-1])["lr"]
        tried = {round(math.log10(r["lr"]), 6) for r in runs}
        options = [min(max(best_lr * f, LR_BOX[0]), LR_BOX[1]) for f in (0.5, 2, 0.25, 4)]
        lr = next((o for o in options if round(math.log10(o), 6) not in tried), best_lr)
    return runs

panda = babysit()
print(f"{'run':>3} {'η':>8} {'epochs':>6} {'val acc':>8}")
for i, r in enumerate(panda, start=1):
    print(f"{i:>3} {r['lr']:>8.1e} {len(r['curve']):>6} {r['curve'][-1]:>8.2f}" + ("" if r["done"] else "  stopped"))
panda_best = max(r["curve"][-1] for r in panda if r["done"])
panda_done = np.array([r["curve"][-1] for r in panda if r["done"] and r["lr"] == 1e-2])
caviar_blocks = np.array([best(coarse[8 * b: 8 * b + 8]).score for b in range(12)])
print(f"epochs used: panda {sum(len(r['curve']) for r in panda)}, caviar {8 * 50}")
print(f"best validation accuracy: panda {panda_best:.2f}; caviar (first 8 trials) {caviar_blocks[0]:.2f}, "
      f"over 12 blocks of 8 {caviar_blocks.mean():.2f} ± {caviar_blocks.std(ddof=1):.2f} (s.d.), "
      f"at least the panda's in {np.sum(caviar_blocks >= panda_best)} of 12")
print(f"the panda's {len(panda_done)} finished runs at η = 1e-2 (same η, other seeds): "
      f"{panda_done.mean():.2f} ± {panda_done.std(ddof=1):.2f} (s.d.) — its 0.81 is the luckiest of them")

# %% slideshow={"slide_type": "subslide"}
fig, (ax0, ax1) = plots.figure(1, 2, width=13, height=4.2, layout="constrained",
                               gridspec_kw={"width_ratios": [2, 1]})
start = 0
for i, r in enumerate(panda):
    x = start + np.arange(1, len(r["curve"]) + 1)
    color = COLORS["bayes"] if r["done"] else COLORS["grid"]
    ax0.plot(x, r["curve"], color=color, lw=2)
    ax0.text(x[0], 1.11, f"η {r['lr']:.0e}", fontsize=9, color="0.3", rotation=90, va="top")
    if not r["done"]:
        ax0.plot(x[-1], r["curve"][-1], "x", color=COLORS["grid"], ms=10, mew=2.5)
    start = x[-1]
ax0.plot([], [], "x", color=COLORS["grid"], ms=10, mew=2.5, label="stopped at epoch 10")
ax0.plot([], [], color=COLORS["bayes"], lw=2, label="finished (50 epochs)")
ax0.set(xlim=(0, 400), ylim=(0, 1.12), xlabel="epochs of compute used, one after the other",
        ylabel="validation accuracy", title="panda: one run at a time, watched and adjusted")
ax0.legend(loc="center right", fontsize=10)
for t in coarse[:8]:
    ax1.plot(np.arange(1, 51), t.curves["val_acc"], color=COLORS["random"], alpha=0.8)
ax1.set(xlim=(0, 50), ylim=(0, 1.12), xlabel="epoch (8 runs at once, 2 workers)",
        title="caviar: 8 random runs in parallel")
plt.show()


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** The panda learns from each run: its first two runs are stopped after 10 epochs (η far
# too small), the third, at η = 10⁻², finishes at 0.81, and the rest of the budget goes into its neighbours
# (stopped: behind at epoch 10) and into repeats of η = 10⁻² — many of which its rule also stops, because
# the first run set a high bar at epoch 10. Its 0.81 is the luckiest of six finished runs of the same
# configuration (printed: mean 0.78), the selection effect of section 2 again. The caviar spends its 400 epochs
# blind: 8 random draws over four decades of η rarely put more than one or two runs in the good decade,
# so its best is far lower on average (0.57 ± 0.23 over 12 blocks) and never reached the panda's here. With
# one dominant hyperparameter and a small budget, babysitting wins. It costs attention, and its epochs run one
# after the other, while the caviar's 8 runs take the wall time of 4 on 2 workers (of 1 on 8). With several
# hyperparameters that interact, or more workers than you can watch, the caviar wins.
#
# ### Trials in parallel: the executor
#
# Every search function takes an `executor`: any `concurrent.futures.Executor`. Trials are submitted in
# order, their seeds come from `rng` in the calling process, and the results come back in submission order —
# so the executor changes **when** the trials run, never **what** they return. The check: the first 4 trials
# of section 5's search, run here serially, on 2 processes and on 2 threads, back to back (so all timings
# see the same machine load), against the trials of section 5.

# %% slideshow={"slide_type": "subslide"}
def identical(trials_a, trials_b):
    return all(a.params == b.params and a.seed == b.seed and a.score == b.score
               and a.curves["val_acc"] == b.curves["val_acc"] for a, b in zip(trials_a, trials_b))

load_before = os.getloadavg()[0]
wall = {}
t0 = time.perf_counter()
serial = random_search(mnist_objective, space, 4, rng=0)                     # no executor
wall["serial"] = time.perf_counter() - t0
t0 = time.perf_counter()
with make_pool() as pool:                                                  # 2 processes on Linux
    parallel = random_search(mnist_objective, space, 4, rng=0, executor=pool)
wall["2 processes"] = time.perf_counter() - t0
t0 = time.perf_counter()
with ThreadPoolExecutor(2) as pool:
    threaded = random_search(mnist_objective, space, 4, rng=0, executor=pool)
wall["2 threads"] = time.perf_counter() - t0
print("process pool identical to serial:", identical(serial, parallel))
print("thread pool identical to serial: ", identical(serial, threaded))
print("and to the first 4 trials of section 5:", identical(serial, coarse[:4]))
for name, sec in wall.items():
    print(f"⏱ {sec:.2f} s for 4 trials, {name}")
print(f"wall-time ratio serial / 2 processes: speed-up ×{wall['serial'] / wall['2 processes']:.2f}")
print(f"wall-time ratio serial / 2 threads:   speed-up ×{wall['serial'] / wall['2 threads']:.2f}")
# section 5's 100 trials: the work of its trials (each timed in its worker) against its wall time
work = sum(t.seconds for t in coarse)
print(f"section 5: ⏱ {work:.1f} s of trial time in ⏱ {coarse_seconds:.1f} s of wall time on 2 processes")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plots.figure(1, 1, width=9, height=2.8, layout="constrained")
names = list(wall)
ax.barh(names, [wall[n] for n in names], color=[COLORS["grid"], COLORS["random"], COLORS["bayes"]])
for n in names[1:]:
    ax.text(wall[n], n, f"  ×{wall['serial'] / wall[n]:.2f}", va="center", fontsize=12)
ax.set(xlabel="wall time for the same 4 trials (s)", xlim=(0, 1.25 * max(wall.values())),
       title=f"serial vs parallel (load {load_before:.1f} on {os.cpu_count()} cores); "
             f"section 5's pool: workers busy {work / coarse_seconds / 2:.0%}")
ax.invert_yaxis()
plt.show()


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** Both pools give bit-for-bit the same trials. The **speed-up** is the direct ratio of wall
# times, serial over parallel, for the same 4 trials (printed, and on the bars). It is not the same as
# "Σ trial time / wall time" of section 5's 100 trials: that ratio says how busy the workers were (their
# utilization, in the figure's title) and reaches 2 on 2 workers even if each trial ran slower than it would
# alone — it is an upper bound of the speed-up, not a measurement of it. Both depend on the machine's load (a
# load average above the number of cores means other programs share them), so the notebook's tests mask them. (An earlier run of this notebook on a lightly loaded 2-core machine measured ×1.45 for the 4 trials on
# 2 processes, 1.80 s against 1.24 s, pool start-up included; on a machine shared with other jobs the
# parallel runs can even be slower than the serial one, as in the run saved here.)
#
# **On macOS and Windows** `make_pool` falls back to threads, because process pools there start workers with
# `spawn`: each worker imports the objective by name, so it must be defined in a `.py` module (not in a
# notebook cell), be picklable (no lambda), and a script must guard its entry point with
# `if __name__ == "__main__":`. Threads share one interpreter and its GIL; NumPy releases the GIL inside its
# matrix products, so two threads overlap only during those — the thread speed-up above is what is left after
# the Python-level work (the loop over mini-batches, the layers' bookkeeping) has waited for the lock. On a
# laptop with more cores, pass `make_pool(workers=os.cpu_count())`.
#
# **The same call on a cluster.** `dask.distributed` (an optional extra: `pip install "dask[distributed]"`)
# provides an executor too; its workers receive the objective with `cloudpickle`, so even a notebook
# function travels:
#
# ```python
# from dask.distributed import Client
#
# client = Client()                       # a local cluster; or Client("tcp://scheduler:8786")
# trials = random_search(mnist_objective, space, 100, rng=0, executor=client.get_executor())
# client.close()
# ```
#
# The trials are the same as with the process pool or without any executor.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8 · Few epochs, and successive halving
#
# A common piece of advice: to try more configurations, train each one for fewer epochs. It has a bias.
# A short run ranks configurations by **how fast they learn**, not by how well they end: a configuration
# that starts slowly but finishes best is thrown away, and one that learns fast and then stalls or
# collapses is kept. Measured on the curves of section 5's two searches, which we have for every epoch:
# the rank correlation (Spearman) between the validation accuracy after $e$ epochs and after 50.

# %% slideshow={"slide_type": "-"}
def rank(a):
    return np.argsort(np.argsort(a, kind="stable"), kind="stable")

def spearman(a, b):
    return np.corrcoef(rank(a), rank(b))[0, 1]

for label, trials in (("textbook box", coarse), ("acting box", acting)):
    V = np.array([t.curves["val_acc"] for t in trials])
    print(f"{label:<13} rank correlation with epoch 50:  " +
          ",  ".join(f"epoch {e}: {spearman(V[:, e - 1], V[:, -1]):.2f}" for e in (2, 6, 17)))
V = np.array([t.curves["val_acc"] for t in acting])
w = int(np.argmax(V[:, -1]))
early_top = np.argsort(-V[:, 5], kind="stable")[:20]
print(f"acting box: the best trial at epoch 50 ({V[w, -1]:.2f}) ranks {int((V[:, 5] > V[w, 5]).sum()) + 1} of 60 after 6 epochs")
collapsed = [i for i in early_top if V[i, -1] <= 0.15]
print(f"acting box: of the 20 best after 6 epochs, {len(collapsed)} end at chance (≤ 15 %) after 50 epochs"
      + (f", all with ηλ·200 ≥ {min(200 * acting[i].params['lr'] * acting[i].params['weight_decay'] for i in collapsed):.0f}"
         if collapsed else ""))

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Successive halving** (Jamieson & Talwalkar 2016; the inner loop of Hyperband) uses few epochs only as a
# first filter: train $n$ configurations briefly, keep the best $1/\eta$, train those $\eta$ times longer,
# and repeat until the survivors get the full budget. `search.halving_rungs(27, 5, 50)` gives the rungs
# (configurations, epochs) below, for a cost of about 9 full runs; `search.successive_halving` runs them
# (each rung retrains from scratch with `params["epochs"]` set; every configuration keeps its seed, so a
# 6-epoch run is exactly the first 6 epochs of the 50-epoch run with the same seed). Three searches with
# different `rng` in the acting box, against random search with the same cost, 9 full runs (the 6 blocks of
# 9 trials of the 60 above):

# %% slideshow={"slide_type": "subslide"}
rungs = search.halving_rungs(27, 5, 50)
cost = sum(n * b for n, b in rungs)
print("rungs (configurations, epochs):", rungs, f"→ {cost} epochs, {cost / 50:.1f} full runs")
t0 = time.perf_counter()
with make_pool() as pool:
    halvings = [search.successive_halving(mnist_objective, space_act, 27, rng=r, min_budget=5, max_budget=50,
                                          executor=pool) for r in range(3)]
print(f"⏱ {time.perf_counter() - t0:.1f} s for 3 searches on 2 processes")
first = halvings[0][:27]
print("rung 0 of the first search = the first 27 trials of the acting search, cut at epoch 6:",
      all(t.params["lr"] == a.params["lr"] and t.curves["val_acc"] == a.curves["val_acc"][:6]
          for t, a in zip(first, acting[:27])))
sh_best = np.array([best([t for t in h if t.round == len(rungs) - 1]).score for h in halvings])
rand9 = np.array([best(acting[9 * b: 9 * b + 9]).score for b in range(6)])
print(f"successive halving, 3 searches: best {', '.join(f'{s:.2f}' for s in sh_best)}; mean {sh_best.mean():.2f}")
print(f"random search, 9 full runs, 6 blocks: best {', '.join(f'{s:.2f}' for s in rand9)}; "
      f"mean {mean_sd(rand9, '.2f', error='se')} (s.e.)")
for r, h in enumerate(halvings):
    cut = [t for t in h if t.round == 0]
    ended = [t for t in h if t.round == len(rungs) - 1]
    print(f"search {r}: kept after 6 epochs: η " + ", ".join(f"{t.params['lr']:.0e}" for t in h if t.round == 1)
          + f" | winner η {best(ended).params['lr']:.2e}, λ {best(ended).params['weight_decay']:.1e}")


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** After 6 epochs the ranking agrees only roughly with the final one (rank correlation
# 0.76–0.77 in both boxes, 0.4–0.6 after 2 epochs), better after 17 (0.90–0.94). The misses are systematic:
# the acting box's best trial (0.90 at epoch 50) is only 13th of 60 after 6 epochs — a slow starter — and
# 2 of the 20 best after 6 epochs are runs with strong weight decay that learn fast and then collapse to
# chance. A search on few epochs alone would be biased towards such fast learners. Successive halving uses
# few epochs only as a filter and checks the survivors at 17 and 50 epochs: it sees 27 configurations for the
# cost of 9 full runs. Here its three searches find 0.84–0.87 (mean 0.86) against 0.85 ± 0.02 for random
# search with 9 full runs: the same within the spread — in this box a quarter of the configurations are good,
# so 9 random full runs already find one. Successive halving pays off when good configurations are rare. Its
# bias remains: a configuration that is slow in the first 6 epochs (small η, or a schedule that starts low)
# never gets a second chance — make the first rung long enough for early progress to predict the final score.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9 · Exercises
#
# Each exercise is a function to complete between the `BEGIN SOLUTION` and `END SOLUTION` lines; the
# cell after it checks it at once and prints one line (✓, or a hint naming the likely mistake), and then
# uses it on this chapter's data.
#
# **Exercise 1 — choose by k-fold cross-validation.** `fit_score(c, train_idx, val_idx)` trains
# configuration `c` (0, 1, ..., `n_configs` − 1) on the rows `train_idx` and returns its score on the rows
# `val_idx`; `folds` is the list of (train_idx, val_idx) pairs from `kfold`. Return the index of the
# configuration with the best **mean** score over the folds, and the array of the `n_configs` mean scores.

# %% slideshow={"slide_type": "-"}
def my_kfold_select(fit_score, n_configs, folds):
    # BEGIN SOLUTION score every configuration on every fold, average over the folds, pick the largest mean
    scores = np.array([[fit_score(c, tr, va) for tr, va in folds] for c in range(n_configs)])
    means = scores.mean(axis=1)
    return int(np.argmax(means)), means
    # END SOLUTION


# %% slideshow={"slide_type": "-"}
if checks.check_kfold_select(my_kfold_select):
    # use it: the weight decay of section 2's softmax regression, chosen by 5-fold CV on the 200 digits
    WD = [1e-4, 1e-2, 1e-1, 1.0]
    def fit_score(c, tr, va):
        net = MLP(196, [], 10, weight_decay=WD[c], rng=0)
        train(net, (X_cv[tr], y_cv[tr]), Optimizer("sgd", lr=0.5), epochs=15, batch_size=40, rng=0, eval_train=False)
        return net.accuracy(X_cv[va], y_cv[va])
    pick, means = my_kfold_select(fit_score, len(WD), kfold(y_cv, 5, rng=0))
    print("5-fold mean accuracy per λ:", {wd: f"{m:.1%}" for wd, m in zip(WD, means)}, f"→ λ = {WD[pick]:g}")


# %% [markdown] slideshow={"slide_type": "subslide"}
# **Exercise 2 — successive halving.** `score(i, budget)` trains configuration `i` with `budget` epochs and
# returns its validation score; `rungs` is a list of (n_k, budget_k), with n₀ the number of configurations
# (as from `search.halving_rungs`). Rung 0 runs every configuration; rung k + 1 runs the n_{k+1} best of
# rung k, ranked by their scores **at rung k's budget**. Return one list per rung with the indices of the
# configurations it runs (in increasing order). Ties do not occur in the checks.

# %% slideshow={"slide_type": "-"}
def my_successive_halving(score, rungs):
    # BEGIN SOLUTION keep the best n_{k+1} of each rung, scored at that rung's budget
    alive, out = list(range(rungs[0][0])), []
    for k, (_, budget) in enumerate(rungs):
        out.append(alive)
        if k + 1 < len(rungs):
            s = {i: score(i, budget) for i in alive}
            alive = sorted(sorted(alive, key=lambda i: -s[i])[:rungs[k + 1][0]])
    return out
    # END SOLUTION


# %% slideshow={"slide_type": "-"}
if checks.check_successive_halving(my_successive_halving):
    # use it: replay section 8's first search from the 50-epoch curves of the first 27 acting trials
    replay = my_successive_halving(lambda i, b: acting[i].curves["val_acc"][b - 1], rungs)
    ran = [sorted(t.index for t in halvings[0] if t.round == r) for r in range(len(rungs))]
    print("replayed from the curves:", replay[1:], "| successive_halving ran:", ran[1:], "| same:", replay == ran)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# 1. Hyperparameters are chosen on a validation set (k-fold when data is scarce); a test set used for choosing reports a score that is too high — 3 points here with 40 candidates. One accuracy on 100 validation digits carries a standard error of about 4 points: differences in a top 10 are noise.
# 2. Sample scale-like hyperparameters log-uniformly (η = 10^r) and averaging coefficients through 1 − β; counts over a small range (layers, units) linearly. Tune the learning rate first: in the textbook's box λ cannot act at all, and where it does, η still explains the most.
# 3. Random search beats even a fair, cell-centred grid because it tries a new value of every hyperparameter in every trial, and usually only a few of them matter; a grid's values per axis shrink as N^(1/d), so grids stop at 3–4 dimensions.
# 4. Start coarse, then narrow the box around the best trials — and widen it when the best sit at an edge.
# 5. Bayesian optimization (GP + expected improvement) finds the good region in fewer trials; re-scored on fresh data its winner is as good as random search's, not better. Trials run in parallel on any executor with exactly the serial results; measure the speed-up as a ratio of wall times.
# 6. Babysitting one run wins with little compute and one dominant hyperparameter; many runs in parallel win with workers to spare. Successive halving spends few epochs on many configurations and many on the best — biased towards fast learners, so make its first rung long enough.
