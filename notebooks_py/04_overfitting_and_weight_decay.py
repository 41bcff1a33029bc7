# %% [markdown] slideshow={"slide_type": "slide"}
# # 04 · Overfitting, weight decay and early stopping
#
# A network with enough weights can memorise its training set. This chapter shows when that
# happens, how to recognise it, and three ways to fight it.
#
# **Learning goals.** After this chapter you can
# 1. tell underfitting (high bias) from overfitting (high variance) from two numbers, training and
#    validation accuracy, and name the remedy for each;
# 2. reproduce the textbook overfit (300 MNIST digits, a 7-layer net) and measure what L2 weight
#    decay does to it — over several seeds, on a validation set;
# 3. explain why an SGD step on `L + λ/2·Σw²` *is* a weight decay `w ← (1 − ηλ)·w − η·∂L/∂w`,
#    convert the slide's λ/(2n) to our λ, why biases are left alone, and what AdamW decouples (and
#    what it does not);
# 4. contrast L1 (sparse weights) with L2 (small weights), and say where *exact* zeros come from;
# 5. stop training at the right time with a validation set (patience, restore-best), and see when
#    that helps;
# 6. see that more data is the most reliable regulariser of all.
#
# **Protocol.** Every comparison in this chapter is made on a **validation** set, over several
# seeds (initial weights and batch order), printed as mean ± standard deviation. The **test** sets
# are touched once, in §8, at the end.

# %% slideshow={"slide_type": "-"}
import time

import numpy as np
import matplotlib.pyplot as plt
from threadpoolctl import threadpool_limits

threadpool_limits(1)          # one BLAS thread: repeatable numbers, no fight over the cores
# %matplotlib inline
from course_utils import plots, widgets, checks
from course_utils import MLP, Optimizer, train, EarlyStopping, load_mnist
from course_utils import optimizers, textbook
from course_utils.data import make_moons
from course_utils.gradcheck import numerical_gradient, rel_error
from course_utils.report import mean_sd
from course_utils.source import show_source

T_START = time.perf_counter()


# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Diagnosis: bias or variance?
#
# Two questions, asked in this order, decide what to do next:
#
# | question | if **no** | it is called | remedies |
# |---|---|---|---|
# | 1. Does the net do well **on the training data**? | it cannot even fit what it sees | **underfitting** (high bias) | bigger net (wider/deeper), train longer, better optimizer or learning rate, *less* regularisation |
# | 2. Does it do (almost) as well **on held-out data**? | it fits the noise of its sample | **overfitting** (high variance) | more data, weight decay (§3–4), dropout (ch. 05), early stopping (§6), smaller net |
#
# If both answers are yes, you are done. The held-out data for these decisions is a
# **validation** set; a separate **test** set is read once, at the end (§8), to report how well the
# chosen model does on data no decision has seen.
#
# A 2-D example makes both failure modes visible: two noisy half-moons (noise 0.3, so the classes
# overlap and no boundary gets every point right; the best nets here reach about 90 %). Training
# points come from a pool of 1000, the 500 validation points are disjoint from it, and 1000 test
# points are a fresh draw. Every net gets the same budget of 600 Adam updates (η = 0.01, batches
# of up to 50 points), whatever its training-set size, and is trained with 5 seeds. Our verdict
# rule: training accuracy below 87 % → underfitting; training minus validation accuracy above
# 5 points → overfitting.

# %% slideshow={"slide_type": "subslide"}
X_moons, y_moons = make_moons(1500, noise=0.3, rng=0, shuffle=True)   # both classes mixed
X_pool, y_pool = X_moons[:1000], y_moons[:1000]                   # training points are taken from here
X_mval, y_mval = X_moons[1000:], y_moons[1000:]                   # 500 validation points
X_mtest, y_mtest = make_moons(1000, noise=0.3, rng=1)             # 1000 test points: read only in §8
TOY_UPDATES, TOY_SEEDS = 600, range(5)


def toy_fit(width, depth, n, seed=0, on_epoch=None, early_stopping=None):
    # Train a 2-[width]*depth-2 net on the first n pool points for TOY_UPDATES Adam updates.
    batch = min(n, 50)
    epochs = int(np.ceil(TOY_UPDATES / np.ceil(n / batch)))
    net = MLP(2, [width] * depth, 2, rng=seed)
    data = dict(X_train=X_pool[:n], y_train=y_pool[:n], X_val=X_mval, y_val=y_mval)
    hist = train(net, data, Optimizer("adam", lr=0.01), epochs=epochs, batch_size=batch,
                 on_epoch=on_epoch, early_stopping=early_stopping, rng=seed)
    return net, hist


def verdict(train_acc, val_acc):
    if train_acc < 0.87:
        return "underfitting (high bias)"
    if train_acc - val_acc > 0.05:
        return "overfitting (high variance)"
    return "good fit"


TOY_CASES = {"small net, 1000 points": (2, 1, 1000),
             "big net, 50 points": (64, 3, 50),
             "big net, 1000 points": (64, 3, 1000)}
t0 = time.perf_counter()
toy = {name: [toy_fit(*args, seed=s) for s in TOY_SEEDS] for name, args in TOY_CASES.items()}
print(f"{len(TOY_CASES) * len(TOY_SEEDS)} runs ⏱ {time.perf_counter() - t0:.1f} s; "
      f"final accuracy in %, mean ± sd over {len(TOY_SEEDS)} seeds")
print(f"{'':23s} {'net':>12s} {'train':>11s} {'validation':>11s} {'gap':>11s}   verdict")
for name, (width, depth, n) in TOY_CASES.items():
    tr = [h.train_acc[-1] for _, h in toy[name]]
    va = [h.val_acc[-1] for _, h in toy[name]]
    print(f"{name:23s} {'2-' + '-'.join([str(width)] * depth) + '-2':>12s} "
          f"{mean_sd(tr, '.1f', scale=100):>11s} {mean_sd(va, '.1f', scale=100):>11s} "
          f"{mean_sd(np.subtract(tr, va), '.1f', scale=100):>11s}   {verdict(np.mean(tr), np.mean(va))}")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plots.figure(1, 3, height=4.6, layout="constrained")
for ax, (name, (width, depth, n)) in zip(axes, TOY_CASES.items()):
    net, h = toy[name][0]
    plots.plot_decision_boundary(ax, net.predict, X_pool[:n], y_pool[:n], resolution=120)
    ax.set_title(f"{name}\ntrain {h.train_acc[-1]:.0%} · validation {h.val_acc[-1]:.0%}")
    ax.set_xlabel(verdict(h.train_acc[-1], h.val_acc[-1]))
fig.suptitle("Decision boundaries, seed 0 (training points shown)", fontsize=15)
plt.show()


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see.** The 2-unit net draws an almost straight boundary: it misses the bend of
# the moons on the training points themselves (about 85 % train, as on validation), so more data
# would not help — it needs capacity. The big net trained on 50 points wraps the boundary around
# individual points (100 % train on every seed) and pays for it on the validation set: a gap of
# 14 ± 2 points. The same big net with 1000 points has no room to wrap around each point and
# finds the smooth boundary (gap 1.5 ± 0.5 points, and the best validation accuracy of the three,
# about 90 %). Try it
# yourself: the dashboard re-trains as you move the sliders and redraws the boundary every few
# epochs (seed 0).

# %% slideshow={"slide_type": "subslide"}
def toy_experiment(width, depth, n, live):
    n = int(n)                                       # the slider's values are floats
    batch = min(n, 50)
    epochs = int(np.ceil(TOY_UPDATES / np.ceil(n / batch)))
    every = max(1, epochs // 6)     # evaluated (and streamed) on epoch 1, about six times, and at the end

    net = MLP(2, [width] * depth, 2, rng=0)
    live.partial["net"] = net
    data = dict(X_train=X_pool[:n], y_train=y_pool[:n], X_val=X_mval, y_val=y_mval)
    h = train(net, data, Optimizer("adam", lr=0.01), epochs=epochs, batch_size=batch,
              on_epoch=live.track("run"), rng=0, eval_every=every)
    return {"run": h, "net": net}


TOY_VIEW = plots.data_bounds(X_pool)            # the whole pool's range, whatever n is shown


def toy_draw(axes, result, values):
    net, h = result.get("net"), result.get("run")
    if net is None or h is None:
        return
    n = int(values["n"])
    # one view and one x axis for every n (600 updates, however many epochs that is): the
    # same scale to compare on, and the first frame after a move re-uses the cached background
    # (a coarser grid while the run streams: 2.2x fewer points to predict per frame)
    plots.plot_decision_boundary(axes[0], net.predict, X_pool[:n], y_pool[:n], resolution=90 if h.finished else 60,
                                 bounds=TOY_VIEW)
    axes[0].set_title(f"2-{'-'.join([str(values['width'])] * values['depth'])}-2 net, {n} points")
    plots.plot_curves(axes[1], h, "acc", parts=("train", "val"), updates_per_epoch=np.ceil(n / min(n, 50)))
    axes[1].set(xlim=(0, 1.02 * TOY_UPDATES), ylim=(0.4, 1.02), xlabel="Adam updates",
                xticks=range(0, TOY_UPDATES + 1, 100))
    tr, va = h.train_acc[-1], h.val_acc[-1]
    axes[1].set_title(f"train {tr:.1%} · val {va:.1%} → {verdict(tr, va)}", fontsize=12)
    axes[1].legend(loc="lower right")


toy_dash = widgets.Dashboard(
    toy_experiment, toy_draw, layout=(1, 2), figsize=(11, 4.4), stream_every=1,
    title="Bias or variance? Model size and training-set size on the moons",
    width=widgets.batch_slider("units per layer", 64, min_exp=1, max_exp=7),
    depth=widgets.int_slider("hidden layers", 1, 3, 3),
    n=widgets.log_choice_slider("training points", 20, 1000, 50, per_decade=3, off=False))
print(f"default run (64 units × 3 layers, 50 points, seed 0): train {toy_dash.history.train_acc[-1]:.1%}, "
      f"validation {toy_dash.history.val_acc[-1]:.1%}  ⏱ {toy_dash.seconds:.2f} s")

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
toy_dash

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2 · The textbook overfit, reproduced
#
# The textbook's recipe for overfitting: only **300** MNIST training digits, a deep net
# 784-100-100-100-100-100-100-10 (six hidden layers of 100 ReLUs, He initialisation), plain SGD
# with η = 0.01, batches of 100, **200 epochs**, accuracy after every epoch. Then the same with L2
# weight decay λ = 0.1 — and, since one λ is not a fair test of an idea, also λ = 0.03. Each
# setting runs with 3 seeds (initial weights and batch order).
#
# We load the digits once: 4000 training digits (the first 300 are the textbook's set; §7 uses the
# rest), 500 validation digits (every comparison below) and 500 test digits (§8 only).

# %% slideshow={"slide_type": "subslide"}
DIGITS = load_mnist(4000, 500, 500, rng=0)
SEEDS = (0, 1, 2)


def digits(n):
    # The first n training digits and the validation set (the test set waits for §8).
    return dict(X_train=DIGITS["X_train"][:n], y_train=DIGITS["y_train"][:n],
                X_val=DIGITS["X_val"], y_val=DIGITS["y_val"])


BOOK = textbook.OVERFIT          # 300 digits, 784-100×6-10, SGD η = 0.01, batch 100, 200 epochs


def textbook_run(weight_decay=0.0, penalty="l2", n=BOOK.n_train, epochs=BOOK.epochs, seed=0, optimizer=None,
                 **kw):
    net = BOOK.mlp(weight_decay=weight_decay, penalty=penalty, rng=seed)
    hist = train(net, digits(n), optimizer or Optimizer("sgd", lr=BOOK.lr), epochs=epochs,
                 batch_size=BOOK.batch_size, rng=seed, **kw)
    return net, hist


def table(runs, header=True):
    # Final train / validation accuracy and gap, mean ± sd over the seeds of each setting.
    if header:
        print(f"{'':20s} {'train':>12s} {'validation':>12s} {'gap (points)':>13s}")
    for name, rs in runs.items():
        tr, va = [h.train_acc[-1] for _, h in rs], [h.val_acc[-1] for _, h in rs]
        print(f"{name:20s} {mean_sd(tr, '.1f', scale=100):>12s} {mean_sd(va, '.1f', scale=100):>12s} "
              f"{mean_sd(np.subtract(tr, va), '.1f', scale=100):>13s}")


t0 = time.perf_counter()
RUNS = {name: [textbook_run(lam, seed=s) for s in SEEDS]
        for name, lam in (("no regularisation", 0.0), ("L2, λ = 0.03", 0.03),
                          ("L2, λ = 0.1", textbook.WEIGHT_DECAY))}
print(f"{3 * len(SEEDS)} runs of 200 epochs ⏱ {time.perf_counter() - t0:.1f} s; "
      f"accuracy in % after epoch 200, mean ± sd over {len(SEEDS)} seeds")
table(RUNS)
net_none, h_none = RUNS["no regularisation"][0]          # seed 0: the runs plotted below
net_l2, h_l2 = RUNS["L2, λ = 0.1"][0]


# %% slideshow={"slide_type": "subslide"}
C_NONE, C_L2, C_L1 = plots.color_for("baseline"), plots.color_for("l2"), plots.color_for("l1")
C_L2_SMALL = plots.PALETTE[5]
fig, axes = plots.figure(1, 3, height=4.2, layout="constrained")
plots.plot_gap(axes[0], h_none, color=C_NONE, title="no regularisation (seed 0)", gap_label="end")
plots.plot_gap(axes[1], h_l2, color=C_L2, title="L2 weight decay, λ = 0.1 (seed 0)", gap_label="end")
ep = np.arange(1, BOOK.epochs + 1)
for name, c in (("no regularisation", C_NONE), ("L2, λ = 0.03", C_L2_SMALL), ("L2, λ = 0.1", C_L2)):
    gaps = 100 * np.array([np.subtract(h.train_acc, h.val_acc) for _, h in RUNS[name]])
    axes[2].plot(ep, gaps.mean(0), color=c, label=name)
    axes[2].fill_between(ep, gaps.min(0), gaps.max(0), color=c, alpha=0.15, lw=0)
axes[2].set(xlabel="epoch", ylabel="train − validation (points)",
            title=f"the gap: mean and range of {len(SEEDS)} seeds")
axes[2].legend(loc="lower right")
fig.suptitle("300 MNIST digits, 784-100×6-10, SGD η = 0.01, batches of 100", fontsize=15)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see.** Without regularisation the training accuracy climbs to 100 % while
# validation accuracy flattens near 80 %: a gap of about 19 points. The net has memorised 300
# digits; what it learned beyond that does not transfer. With λ = 0.1 training accuracy stops in
# the low-to-mid 90s and the gap narrows to about 17 points, as in the textbook — but validation
# accuracy **falls** by about 4 points, far more than the seed spread: the penalty traded fit for a
# smaller gap, and on 300 digits that trade costs accuracy. λ = 0.03 leaves training at 100 % and
# validation accuracy within the seed spread of no regularisation. So on this problem no λ we tried
# buys validation accuracy: regularisation is a tool for the variance side of §1, not a free lunch,
# and a narrower gap alone is not the goal. §7 shows what actually lifts accuracy.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · L2 regularisation is weight decay
#
# The slide's formulas, with λ ↔ `weight_decay` and η ↔ `lr`:
#
# $$L'(w) = L(w) + \frac{\lambda}{2}\sum w^2 \qquad
# \frac{\partial L'}{\partial w} = \frac{\partial L}{\partial w} + \lambda w \qquad
# w \leftarrow w - \eta\Big(\frac{\partial L}{\partial w} + \lambda w\Big) = (1-\eta\lambda)\,w - \eta\,\frac{\partial L}{\partial w}$$
#
# The ½ is there only so the gradient is λw rather than 2λw. The last form explains the name:
# every step first **shrinks** each weight by the factor (1 − ηλ), then takes the ordinary
# gradient step. A weight that the data does not need decays towards 0.
#
# This is how `MLP` adds the penalty to the loss and its gradient (only the weight matrices `W`):

# %% slideshow={"slide_type": "subslide"}
show_source(MLP.penalty_value)
print("    ...")
show_source(MLP.loss, "weight-decay")

# %% [markdown] slideshow={"slide_type": "-"}
# **Check 1: the code matches the formula.** The penalty against λ/2·Σw² by hand, the extra
# gradient against λw, and both against a numerical gradient on a small net.

# %% slideshow={"slide_type": "subslide"}
lam, eta = textbook.WEIGHT_DECAY, BOOK.lr
Xb, yb = DIGITS["X_train"][:100], DIGITS["y_train"][:100]     # one mini-batch of the textbook set
net_pen, net_raw = BOOK.mlp(weight_decay=lam), BOOK.mlp()      # same seed: identical initial weights
loss_pen, g_pen = net_pen.loss(Xb, yb)
loss_raw, g_raw = net_raw.loss(Xb, yb)
by_hand = lam / 2 * sum(np.sum(w ** 2) for k, w in net_pen.params.items() if k.endswith(".W"))
print(f"L' − L = {loss_pen - loss_raw:.4f}   λ/2·Σw² by hand = {by_hand:.4f}")
extra_ok = all(np.allclose(g_pen[k] - g_raw[k], lam * w if k.endswith(".W") else 0.0)
               for k, w in net_pen.params.items())
print(f"gradient difference = λ·w for every W and 0 for every b: {extra_ok}")

# numerical gradient of the penalised loss on a small 6-5-4-3 net, for L2 and L1
g = np.random.default_rng(1)
Xs, ys = g.standard_normal((8, 6)), np.arange(8) % 3
for penalty in ("l2", "l1"):
    small = MLP(6, [5, 4], 3, weight_decay=0.3, penalty=penalty, init=1.0, rng=2)
    _, grads = small.loss(Xs, ys)
    err = max(rel_error(grads[k], numerical_gradient(lambda: small.loss(Xs, ys)[0], small.params[k]))
              for k in small.params)
    print(f"{penalty.upper()}: largest relative error, analytic vs numerical gradient < 1e-6: {err < 1e-6}")

# %% [markdown] slideshow={"slide_type": "-"}
# **Check 2: one SGD step on the penalised loss = shrink, then step.** Same initial weights, same
# mini-batch. Left: the optimizer's step with the penalised gradient. Right: shrink every `W` by
# (1 − ηλ) = 0.999, then step with the *unpenalised* gradient.

# %% slideshow={"slide_type": "subslide"}
sgd = Optimizer("sgd", lr=eta)
step_on_penalised, _ = sgd.update(net_pen.params, g_pen, sgd.init(net_pen.params))
shrink_then_step = {k: (1 - eta * lam if k.endswith(".W") else 1.0) * w - eta * g_raw[k]
                    for k, w in net_raw.params.items()}
diff = max(np.max(np.abs(step_on_penalised[k] - shrink_then_step[k])) for k in net_raw.params)
n_params = sum(w.size for w in net_raw.params.values())
print(f"largest difference over all {n_params:,} parameters < 1e-15: {diff < 1e-15}")
w0, d0 = net_raw.params["fc2.W"][0, 0], g_raw["fc2.W"][0, 0]
print(f"example weight fc2.W[0, 0]: w = {w0:+.6f}, ∂L/∂w = {d0:+.6f}")
print(f"  step on L':        w − η(∂L/∂w + λw)   = {step_on_penalised['fc2.W'][0, 0]:+.6f}")
print(f"  shrink then step:  (1 − ηλ)·w − η·∂L/∂w = {shrink_then_step['fc2.W'][0, 0]:+.6f}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### The slide's λ/(2n) and our λ
#
# The slide (in the notation of Nielsen's book) writes the penalised cost and the step as
#
# $$C = C_0 + \frac{\lambda_\text{slide}}{2n}\sum w^2 \qquad
# w \leftarrow \Big(1 - \frac{\eta\lambda_\text{slide}}{n}\Big)\,w - \eta\,\frac{\partial C_0}{\partial w}$$
#
# with n the size of the **training set** (not the batch) and C₀ the mean loss per example, like
# our data loss. Our convention (DESIGN: `loss += λ/2·Σw²`, `dw += λ·w`) has no n, so the two λ
# differ by the factor n:
#
# $$\lambda = \frac{\lambda_\text{slide}}{n}, \qquad \text{i.e. } \lambda_\text{slide} = n\,\lambda .$$
#
# The penalty and the step are then identical. The textbook's λ = 0.1 on 300 digits is therefore
# λ_slide = 30; Nielsen's λ_slide = 5 on 50,000 images is our λ = 10⁻⁴. One consequence: with
# λ_slide fixed, more data automatically weakens the penalty per example (λ = λ_slide/n); with our
# λ fixed (as in the dashboard of §5 when you move the "training digits" slider) it does not.

# %% slideshow={"slide_type": "subslide"}
n_slide, lam_slide = 300, 30.0
net_s = BOOK.mlp(weight_decay=lam_slide / n_slide)
sum_w2 = sum(np.sum(w ** 2) for k, w in net_s.params.items() if k.endswith(".W"))
print(f"λ_slide = {lam_slide:g}, n = {n_slide}  →  λ = λ_slide / n = {lam_slide / n_slide:g}")
print(f"penalty  λ_slide/(2n)·Σw² = {lam_slide / (2 * n_slide) * sum_w2:.4f}   "
      f"MLP(weight_decay=λ_slide/n).penalty_value() = {net_s.penalty_value():.4f}")
print(f"shrink factor per step (η = {eta}):  1 − η·λ_slide/n = {1 - eta * lam_slide / n_slide:.4f}"
      f" = 1 − η·λ = {1 - eta * net_s.weight_decay:.4f}")
print(f"Nielsen's λ_slide = 5 with n = 50,000  →  weight_decay = {5 / 50_000:g}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Biases and batch-norm parameters are not decayed
#
# `MLP` penalises only the weight matrices: here 7 matrices against 7 bias vectors. Why:
#
# * **Biases** shift a unit's input; they do not multiply an input, so a large bias does not make
#   the output more sensitive to small changes of the input — it adds no capacity to fit noise.
#   There are few of them (under 1.5 % of the parameters below, even with batch norm's γ and β),
#   so decaying them barely constrains the model; it only pulls every unit towards a zero offset,
#   which can cause underfitting.
# * **Batch norm** divides each unit by its batch standard deviation, so scaling the `W` in front
#   of it changes nothing downstream (checked below). Its β is a bias; its γ sets the scale the
#   next layer sees. Shrinking γ towards 0 would fight exactly what the layer is meant to learn.

# %% slideshow={"slide_type": "-"}
net_bn = BOOK.mlp(batchnorm=True, weight_decay=0.1, rng=0)
_, g_bn_pen = net_bn.loss(Xb, yb)
net_bn.weight_decay = 0.0
_, g_bn_raw = net_bn.loss(Xb, yb)
changed = [k for k in net_bn.params if not np.array_equal(g_bn_pen[k], g_bn_raw[k])]
kept = [k for k in net_bn.params if k not in changed]
n_pen = sum(net_bn.params[k].size for k in changed)
n_free = sum(net_bn.params[k].size for k in kept)
print(f"penalised:     {len(changed)} arrays ({', '.join(changed[:2])}, …), {n_pen:,} numbers")
print(f"not penalised: {len(kept)} arrays (biases, bn γ and β), {n_free:,} numbers "
      f"= {n_free / (n_pen + n_free):.1%} of all")

scores_1 = net_bn.forward(Xb, train=True)[0]
net_bn.params["fc2.W"] = 0.5 * net_bn.params["fc2.W"]          # shrink a matrix that feeds a BN layer
scores_2 = net_bn.forward(Xb, train=True)[0]
print(f"halving fc2.W (followed by batch norm) changes the scores by < 1e-4 (relative): "
      f"{np.max(np.abs(scores_2 - scores_1)) / np.max(np.abs(scores_1)) < 1e-4}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### L2 inside Adam is not weight decay: AdamW
#
# For SGD the two forms above are identical. For Adam they are not, because Adam divides each
# gradient by a running estimate of its size, √v̂:
#
# * **L2 inside Adam** (`MLP(weight_decay=λ)` with `adam`): first add λw to the gradient, *then*
#   rescale — the decay term is divided by √v̂ along with everything else.
# * **AdamW** (decoupled weight decay, Loshchilov & Hutter 2019): rescale the gradient of the
#   unpenalised loss, *then* shrink: `w ← w − η·(m̂/(√v̂ + ε) + λ·w)`.
#
# Same two steps, different order. `course_utils.optimizers.adamw` (the parametrization of
# PyTorch's `torch.optim.AdamW`):

# %% slideshow={"slide_type": "-"}
show_source(optimizers.adamw, "update")


# %% [markdown] slideshow={"slide_type": "-"}
# A small example makes the difference concrete. Two weights start at 1.0. Weight A gets no
# gradient from the loss (say, it multiplies a pixel that is always 0); weight B gets a large
# one, ±10 alternating. We run 5 steps (η = 0.01, λ = 0.01) with and without decay and report
# what the decay did: w(with decay) − w(without).

# %% slideshow={"slide_type": "subslide"}
def run_rule(rule, steps=5, lam_in_grad=0.0, lr=0.01, **hp):
    w = np.array([1.0, 1.0])
    state = optimizers.init_adam(w)
    for t in range(steps):
        g_loss = np.array([0.0, 10.0 * (-1) ** t])          # A: no loss gradient, B: ±10
        w, state = rule(w, g_loss + lam_in_grad * w, state, lr=lr, **hp)
    return w


lam_demo = 0.01
w_plain = run_rule(optimizers.adam)
effects = {"L2 inside Adam": run_rule(optimizers.adam, lam_in_grad=lam_demo) - w_plain,
           "AdamW (decoupled)": run_rule(optimizers.adamw, weight_decay=lam_demo) - w_plain}
print(f"adamw with λ = 0 is adam: {np.allclose(run_rule(optimizers.adamw, weight_decay=0.0), w_plain)}")
print(f"decay effect after 5 steps    A (gradient 0)   B (gradient ±10)")
for name, e in effects.items():
    print(f"{name:26s} {e[0]:+14.2e} {e[1]:+16.2e}")
print(f"for reference, 5 × η·λ·w   = {-5 * 0.01 * lam_demo:+14.2e}")

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see.** AdamW shrinks both weights by the same amount, about 5·ηλw, as SGD's
# weight decay would. L2 inside Adam is a different regulariser: on B the decay term is drowned in
# the large gradient and then divided by it, so B is decayed about 13× less than λ asks; on A,
# Adam's normalisation turns the tiny λw into a full-size step of about η, so A is pushed to zero
# 100× faster than λ says — at a speed that does not depend on λ. With AdamW the decay no longer
# depends on a weight's gradient history.
#
# **What AdamW does *not* decouple (in this form).** In our `adamw`, as in PyTorch's
# `torch.optim.AdamW`, the decay is multiplied by the learning rate: each step shrinks w by the
# factor (1 − ηλ). So η and λ are still **coupled**, exactly as in SGD: halve η and you halve the
# decay per step (printed below), and the best λ moves when you retune η. Loshchilov & Hutter's
# original AdamW (their Algorithm 2) separates the two with a **schedule multiplier** ηₜ:
#
# $$w \leftarrow w - \eta_t\Big(\alpha\,\frac{\hat m}{\sqrt{\hat v}+\epsilon} + \lambda\,w\Big)$$
#
# with α the learning rate and ηₜ the schedule (1 for a constant one). There λ multiplies only ηₜ,
# not α, so α and λ can be tuned independently; both still follow the schedule. To get their
# decay λ_LH from PyTorch's form at learning rate `lr` = ηₜ·α, set `weight_decay` = λ_LH / α.

# %% slideshow={"slide_type": "subslide"}
print("decay effect on A (gradient 0) after 5 AdamW steps, λ = 0.01 (our / PyTorch's parametrization):")
for lr in (0.01, 0.005):
    effect = run_rule(optimizers.adamw, lr=lr, weight_decay=lam_demo)[0] - run_rule(optimizers.adam, lr=lr)[0]
    print(f"  η = {lr:<6g} {effect:+.2e}   (5·η·λ = {5 * lr * lam_demo:.2e})")
lam_lh, alpha = 0.01, 0.005
effect = (run_rule(optimizers.adamw, lr=alpha, weight_decay=lam_lh / alpha)[0]
          - run_rule(optimizers.adam, lr=alpha)[0])
print(f"L&H decoupled, λ_LH = {lam_lh}, α = {alpha}: weight_decay = λ_LH/α = {lam_lh / alpha:g} → "
      f"{effect:+.2e} (5·λ_LH = {5 * lam_lh:.2e}, whatever α)")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · L1: a constant pull towards zero
#
# $$L'(w) = L(w) + \lambda\sum |w| \qquad \frac{\partial L'}{\partial w} = \frac{\partial L}{\partial w} + \lambda\,\operatorname{sign}(w)$$
#
# L2's pull λw fades as w approaches 0, so L2 makes every weight small but none exactly zero.
# L1's pull has the same size λ however small the weight is, so weights the data does not defend
# are driven towards zero: L1 makes the weights **sparse**.
#
# *Where exact zeros come from.* The plain (sub)gradient step `w ← w − η(∂L/∂w + λ·sign(w))`,
# which `MLP(penalty="l1")` with SGD performs, does **not** produce zeros: a weight near 0 is
# pushed by ηλ across zero, then back, and jitters within about ±ηλ around it; it lands on 0.0 only
# by accident. Exact zeros come from the **proximal step** (ISTA, *soft-thresholding*): take the
# gradient step on the data loss only, `u = w − η·∂L/∂w`, then solve the L1 part exactly,
#
# $$w \leftarrow \arg\min_x\Big(\eta\lambda|x| + \tfrac12 (x-u)^2\Big) = \operatorname{sign}(u)\,\max(|u| - \eta\lambda,\ 0).$$
#
# Every weight with |u| ≤ ηλ becomes exactly 0; the others shrink by ηλ, the same pull as the
# subgradient step. (You write this step in Exercise 1; here the course's reference implementation
# is used without showing it.) We train the textbook net with L1, λ = 0.01 (chosen to cost about as
# much training accuracy as L2 with λ = 0.1), once with each step, and compare with §2.

# %% slideshow={"slide_type": "subslide"}
LAM_L1 = 0.01
# SGD on the data loss, u = w − η·dw, then on every weight matrix (not the biases) the L1 proximal
# step w ← sign(u)·max(|u| − ηλ, 0) (ISTA); the MLP's own weight_decay is 0: the penalty lives in the step.
prox_l1_sgd = optimizers.with_post_step(Optimizer("sgd", lr=BOOK.lr), optimizers.post_prox_l1(LAM_L1))
t0 = time.perf_counter()
RUNS["L1 subgradient"] = [textbook_run(LAM_L1, "l1", seed=s) for s in SEEDS]
RUNS["L1 proximal"] = [textbook_run(0.0, seed=s, optimizer=prox_l1_sgd) for s in SEEDS]
print(f"{2 * len(SEEDS)} runs of 200 epochs ⏱ {time.perf_counter() - t0:.1f} s; λ = {LAM_L1}, η = 0.01, "
      f"so ηλ = {0.01 * LAM_L1:g}")


def all_weights(params):
    return np.concatenate([w.ravel() for k, w in params.items() if k.endswith(".W")])


PENALTIES = ["no regularisation", "L2, λ = 0.1", "L1 subgradient", "L1 proximal"]
table({k: RUNS[k] for k in PENALTIES})
n_w = all_weights(net_none.params).size
print(f"\nnumber of the {n_w:,} weights (mean ± sd over {len(SEEDS)} seeds)")
print(f"{'':20s} {'mean |w|':>16s} {'exactly 0':>16s} {'0 < |w| ≤ ηλ':>16s} {'|w| < 1e-3':>16s}")
for name in PENALTIES:
    ws = [all_weights(net.params) for net, _ in RUNS[name]]
    print(f"{name:20s} {mean_sd([np.mean(np.abs(w)) for w in ws], '.4f'):>16s} "
          f"{mean_sd([np.sum(w == 0) for w in ws], '.0f'):>16s} "
          f"{mean_sd([np.sum((w != 0) & (np.abs(w) <= 1e-4)) for w in ws], '.0f'):>16s} "
          f"{mean_sd([np.sum(np.abs(w) < 1e-3) for w in ws], '.0f'):>16s}")

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### What the weight histograms show — and what they do not
#
# A histogram of all weights after training mixes two things: where the weights **started** and
# how training **moved** them. With 300 digits and 600 small SGD steps the data gradient barely
# moves most weights, so the final histogram is mostly the initialisation (He: a normal
# distribution with std √(2/fan-in), 0.05 for the first layer, 0.14 for the others). L2 then
# mostly *shrinks the initialisation*: without any data gradient each weight would be
# (1 − ηλ)^600 = 0.999^600 ≈ 0.55 of its initial value. Two views separate the effects:
# per layer, how far each matrix moved from its start, ‖W − W_init‖/‖W_init‖, and how much it
# shrank, ‖W‖/‖W_init‖.

# %% slideshow={"slide_type": "subslide"}
N_STEPS = BOOK.epochs * (BOOK.n_train // BOOK.batch_size)        # 600 SGD steps


def layer_ratios(name, seed=0):
    net = RUNS[name][seed][0]
    init = BOOK.mlp(rng=seed).params                       # same seed: the weights it started from
    keys = [k for k in init if k.endswith(".W")]
    moved = [np.linalg.norm(net.params[k] - init[k]) / np.linalg.norm(init[k]) for k in keys]
    kept = [np.linalg.norm(net.params[k]) / np.linalg.norm(init[k]) for k in keys]
    return np.array(moved), np.array(kept)


COLORS = {"no regularisation": C_NONE, "L2, λ = 0.1": C_L2, "L1 subgradient": C_L1,
          "L1 proximal": plots.PALETTE[2]}
ratios = {name: np.array([layer_ratios(name, s) for s in range(len(SEEDS))]) for name in PENALTIES}
fig, axes = plots.figure(1, 3, height=4.3, layout="constrained")
x = np.arange(1, 8)
for i, name in enumerate(PENALTIES):
    for j, ax in enumerate(axes[:2]):
        r = ratios[name][:, j]                             # (seeds, layers)
        ax.bar(x + (i - 1.5) * 0.2, r.mean(0), 0.2, yerr=r.std(0, ddof=1), color=COLORS[name],
               label=name, capsize=2)
axes[0].set(xticks=x, xlabel="layer (fc1 … fc7)", ylabel="‖W − W_init‖ / ‖W_init‖",
            title="how far each layer moved")
axes[1].axhline((1 - BOOK.lr * textbook.WEIGHT_DECAY) ** N_STEPS, color=C_L2, ls="--", lw=1.5,
                label="L2: decay alone, (1 − ηλ)$^{600}$")
axes[1].set(xticks=x, xlabel="layer (fc1 … fc7)", ylabel="‖W‖ / ‖W_init‖", ylim=(0, 1.35),
            title="how much each layer kept")
axes[1].legend(handles=axes[1].get_legend_handles_labels()[0][:1], loc="upper center", fontsize=10)
axes[0].set_ylim(0, 1.05)
axes[0].legend(loc="upper center", fontsize=10, ncols=2)
w0 = BOOK.mlp(rng=0).params["fc2.W"].ravel()
for name in ("no regularisation", "L2, λ = 0.1"):
    axes[2].hist(RUNS[name][0][0].params["fc2.W"].ravel(), bins=80, range=(-0.6, 0.6), histtype="step",
                 lw=2, color=COLORS[name], label=f"{name}, after")
axes[2].hist(w0, bins=80, range=(-0.6, 0.6), color="0.75", label="at initialisation")
axes[2].set(xlabel="weight value (layer fc2)", ylabel="count", title="fc2: before and after (seed 0)")
axes[2].legend(loc="upper left", fontsize=10)
fig.suptitle(f"Where the weights went: bars are the mean ± sd of {len(SEEDS)} seeds", fontsize=15)
plt.show()
moved = ratios["no regularisation"][:, 0]
print(f"no penalty: each layer moved {100 * moved.mean(0).min():.0f}–{100 * moved.mean(0).max():.0f} % "
      f"of its initial norm; L2 λ = 0.1 kept {100 * ratios['L2, λ = 0.1'][:, 1].mean(0).min():.0f}–"
      f"{100 * ratios['L2, λ = 0.1'][:, 1].mean(0).max():.0f} % (pure decay: {100 * 0.999 ** N_STEPS:.0f} %)")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plots.figure(1, 3, height=4.0, layout="constrained")
for name in ("L2, λ = 0.1", "L1 subgradient", "L1 proximal"):
    w = all_weights(RUNS[name][0][0].params)
    axes[0].hist(w, bins=81, range=(-0.4, 0.4), histtype="step", lw=2, color=COLORS[name], label=name)
    for ax, lim in ((axes[1], 5e-3), (axes[2], 5e-4)):
        ax.hist(w[w != 0], bins=50, range=(-lim, lim), histtype="step", lw=2, color=COLORS[name])
        n0 = np.count_nonzero(w == 0)
        if n0:
            ax.bar(0, n0, width=lim / 25, color=COLORS[name], alpha=0.5, label=f"exactly 0: {n0:,}")
axes[0].set(yscale="log", xlabel="weight value", ylabel="count (log)", title="all 129,400 weights (seed 0)")
axes[0].legend(loc="upper right", fontsize=10)
axes[1].set(yscale="log", xlabel="weight value", ylabel="count (log)", title="zoom: |w| < 5·10⁻³")
axes[2].axvspan(-1e-4, 1e-4, color="0.85", zorder=0, label="±ηλ")
axes[2].set_xticks([-4e-4, -2e-4, 0, 2e-4, 4e-4], ["−4e-4", "−2e-4", "0", "2e-4", "4e-4"])
axes[2].set(yscale="log", xlabel="weight value", ylabel="count (log)", title="zoom: |w| < 5·10⁻⁴ (bar: exact zeros)")
axes[2].legend(loc="upper right", fontsize=10)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see.** Without a penalty every layer moved only a small fraction of its
# initial norm: the final histogram *is* essentially the initialisation (right panel, black line on
# the grey one). L2 with λ = 0.1 kept roughly the (1 − ηλ)⁶⁰⁰ ≈ 55 % the decay alone predicts, a
# little more where the data gradient holds weights up: the narrower histogram is the initialisation,
# shrunk. L1 moves far more: both L1 variants end with a tall peak near zero. The zooms show the
# difference between the two steps: with the **subgradient** step the peak is a plateau of width
# ±ηλ and (almost) no weight is exactly 0 — "sparse" in the histogram, but not in memory; with the
# **proximal** step a large share of the weights is exactly 0.0 (the bar at 0; table above), so the
# matrices could be stored sparse. The accuracies of the two L1 variants agree within their seed
# spread.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · Live: λ, penalty, data, learning rate and batch size
#
# Reproduce, then play. To answer a slider within a second or two, the dashboard trains for
# **40 epochs with η = 0.05** instead of 200 epochs with η = 0.01: the same overfit appears
# (100 % train, about 80 % validation) five times faster. Every slider position is a value you can
# quote: λ and η move through 1–2–5 steps, the batch size through 10, 20, 50, 100, 200 (capped at
# the training-set size). The number of epochs stays 40, so a smaller batch means more updates.
# Larger training sets take longer (3000 digits about 10 s; the curves stream in). Left: accuracy
# on training and validation data, with the gap shaded. Middle: the gap per epoch (a 5-epoch moving
# average), with the default run in grey for reference. Right: the weight histogram (log count)
# with the initial weights as a grey outline — what moved is the difference between the two.

# %% slideshow={"slide_type": "subslide"}
DASH_EPOCHS = 40
WD_EVAL_EVERY = 5                                    # accuracies on epochs 1, 5, 10, …, 40
DASH_REFERENCE = {}


def wd_experiment(lam, penalty, n_train, lr, batch, seed, live):
    n = int(n_train)
    net = BOOK.mlp(weight_decay=lam, penalty=penalty, rng=seed)
    # the initial weights' histogram, counted once (every frame draws it)
    init_counts = np.histogram(all_weights(net.params), bins=81, range=(-0.4, 0.4))
    live.partial.update(net=net, init=init_counts)
    h = train(net, digits(n), Optimizer("sgd", lr=lr), epochs=DASH_EPOCHS, batch_size=min(int(batch), n),
              on_epoch=live.track("run"), rng=seed, eval_every=WD_EVAL_EVERY)
    return {"run": h, "net": net, "init": live.partial["init"]}


def wd_draw(axes, result, values):
    net, h = result.get("net"), result.get("run")
    if net is None or h is None:
        return
    if not h.train_acc:                              # diverged in the first epoch: say so
        axes[0].text(0.5, 0.5, h.status, transform=axes[0].transAxes, ha="center", va="center",
                     fontsize=15, color="#D55E00", fontweight="bold")
        return
    label = "λ off" if values["lam"] == 0 else f"{values['penalty'].upper()}, λ = {values['lam']:g}"
    color = C_NONE if values["lam"] == 0 else plots.color_for(values["penalty"])
    plots.plot_gap(axes[0], h, color=color, gap_label=None)       # the gap's number is in the middle panel
    ep = h.epochs_of("val_acc")
    axes[0].set_xlim(0, DASH_EPOCHS + 1)
    batch = min(int(values["batch"]), int(values["n_train"]))
    # two lines, so the run's λ (the gap panel's "this run") stays large enough for a projector
    axes[0].set_title(f"{label}\n{int(values['n_train'])} digits, η = {values['lr']:g}, batch {batch}",
                      fontsize=12)
    gap = 100 * (np.array(h.train_acc) - np.array(h.val_acc))
    if h.epochs == DASH_EPOCHS and values == DASH_DEFAULTS:
        DASH_REFERENCE.setdefault("gap", (ep, gap))
    if "gap" in DASH_REFERENCE:
        axes[1].plot(*DASH_REFERENCE["gap"], color="0.6", ls="--", label="reference (default)")
    axes[1].plot(ep, gap, color=color, label="this run")   # (what it is: the left panel's title)
    top = max([20.0, *gap] + list(DASH_REFERENCE.get("gap", ([], []))[1]))
    axes[1].set(xlim=(0, DASH_EPOCHS + 1), ylim=(min(-5.0, gap.min() - 2), plots.nice_ceiling(top)), xlabel=f"epoch (evaluated every {WD_EVAL_EVERY})", ylabel="train − val (points)")
    axes[1].set_title(f"gap, last epoch: {100 * (h.train_acc[-1] - h.val_acc[-1]):.1f} points", fontsize=12)
    axes[1].legend(loc="upper left")
    w = all_weights(net.params)
    # (each histogram one artist, not 81 bars: a frame draws faster)
    plots.histogram_shape(axes[2], *result["init"], fill=False,
                          color="0.6", lw=1.5, label="initial")
    plots.histogram_shape(axes[2], *np.histogram(w, bins=81, range=(-0.4, 0.4)), color=color, alpha=0.7,
                          label="now")
    axes[2].set(yscale="log", xlabel="weight value", ylabel="count", ylim=(0.7, plots.nice_ceiling(len(w))))
    axes[2].legend(loc="upper right", fontsize=10)
    axes[2].set_title(f"weights: {np.mean(np.abs(w) < 1e-3):.0%} of |w| < 1e-3", fontsize=12)


wd_controls = dict(
    lam=widgets.log_choice_slider("λ (weight decay)", 1e-4, 1.0, 0.0),
    penalty=widgets.dropdown("penalty", {"L2: λ/2·Σw²": "l2", "L1: λ·Σ|w| (subgradient)": "l1"}, "l2"),
    n_train=widgets.log_choice_slider("training digits", 100, 3000, 300, off=False),
    lr=widgets.log_choice_slider("learning rate η", 1e-3, 0.5, 0.05, per_decade=3, off=False),
    batch=widgets.log_choice_slider("batch size", 10, 200, 100, per_decade=3, off=False),
    seed=widgets.int_slider("seed", 0, 4, 0))
DASH_DEFAULTS = {k: c.value for k, c in wd_controls.items()}
wd_dash = widgets.Dashboard(wd_experiment, wd_draw, layout=(1, 3), figsize=(14, 4.2), stream_every=10,
                            title="Weight decay, live", **wd_controls)
h = wd_dash.history
print(f"default run ({DASH_EPOCHS} epochs, η = 0.05, batch 100, 300 digits, λ off, seed 0): "
      f"train {h.train_acc[-1]:.1%}, validation {h.val_acc[-1]:.1%}  ⏱ {wd_dash.seconds:.2f} s")

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
wd_dash


# %% [markdown] slideshow={"slide_type": "-"}
# **Checking the "try this" list.** Each sentence below was checked by driving the dashboard from
# Python (`wd_dash.set(...)`), at the slider positions it quotes, for seeds 0 and 1 (the seed
# slider). The table prints what the dashboard shows: final training and validation accuracy, the
# first epoch with 100 % training accuracy ("—": never in 40 epochs), and the share of weights
# below 10⁻³. Unstable runs (η = 0.5) are chaotic — their exact accuracies depend on the CPU's
# arithmetic — so they are printed only as a range.

# %% slideshow={"slide_type": "subslide"}
def dash_outcome(**values):
    wd_dash.set(sync=True, **{**DASH_DEFAULTS, **values})
    h, net = wd_dash.history, wd_dash.result["net"]
    full = np.flatnonzero(np.array(h.train_acc) >= 1.0)
    return dict(train=h.train_acc[-1], val=h.val_acc[-1], first100=int(h.epochs_of("train_acc")[full[0]]) if full.size else None,
                small=np.mean(np.abs(all_weights(net.params)) < 1e-3),
                maxw=np.max(np.abs(all_weights(net.params))), status=h.status)


TRY = {"default (λ off)": {}, "L2 λ = 0.01": dict(lam=0.01), "L2 λ = 0.1": dict(lam=0.1),
       "L2 λ = 1": dict(lam=1.0), "L1 λ = 0.003": dict(lam=0.003, penalty="l1"),
       "L1 λ = 0.01": dict(lam=0.01, penalty="l1"), "L1 λ = 0.03": dict(lam=0.03, penalty="l1"),
       "1000 digits": dict(n_train=1000), "η = 0.005": dict(lr=0.005), "η = 0.1": dict(lr=0.1),
       "η = 0.2": dict(lr=0.2), "η = 0.5": dict(lr=0.5), "η = 0.5, L2 λ = 1": dict(lr=0.5, lam=1.0),
       "batch 10": dict(batch=10)}
CHAOTIC = {"η = 0.5"}
t0 = time.perf_counter()
WD_EVAL_EVERY = 1                                        # "100 % train at" needs every epoch
OUT = {name: [dash_outcome(seed=s, **v) for s in (0, 1)] for name, v in TRY.items()}
WD_EVAL_EVERY = 5
wd_dash.set(sync=True, **DASH_DEFAULTS)                  # leave the dashboard at its defaults
print(f"{2 * len(TRY)} dashboard runs ⏱ {time.perf_counter() - t0:.1f} s   (seed 0 / seed 1)")
print(f"{'setting':20s} {'train %':>12s} {'validation %':>13s} {'100 % train at':>15s} {'|w| < 1e-3':>11s}")
for name, (a, b) in OUT.items():
    if name in CHAOTIC:
        hi = max(a["train"], b["train"], a["val"], b["val"])
        print(f"{name:20s} chaotic: train and validation below {10 * int(np.ceil(10 * hi))} % on both seeds, "
              f"100 % train {'never' if a['first100'] is None and b['first100'] is None else 'reached'}")
        continue
    ep = lambda r: "—" if r["first100"] is None else str(r["first100"])
    print(f"{name:20s} {100 * a['train']:5.1f} /{100 * b['train']:5.1f} {100 * a['val']:6.1f} /{100 * b['val']:5.1f} "
          f"{ep(a):>7s} / {ep(b):>4s} {100 * a['small']:4.0f} /{100 * b['small']:3.0f} %")
big = OUT["η = 0.5, L2 λ = 1"]
print(f"\nη = 0.5, λ = 1 (ηλ = 0.5, decay factor 1 − ηλ = 0.5 per step): {big[0]['status']} on seed 0, "
      f"{big[1]['status']} on seed 1, no divergence; largest |w| after 120 steps < 0.001: "
      f"{max(r['maxw'] for r in big) < 1e-3}")


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see — try these** (numbers: the table above, seeds 0 and 1):
# * **λ, L2:** from "off" to 0.01 almost nothing changes; at 0.1 the gap narrows — but mostly
#   because training accuracy drops, and validation accuracy drops too; at 1 every weight decays
#   towards 0 (the histogram collapses into the first bin) and both accuracies fall to chance,
#   10 % — too much decay *underfits* (§1, question 1).
# * **L1 (subgradient):** at λ = 0.003 a peak at zero appears in the histogram (about a fifth of the
#   weights below 10⁻³) while accuracy holds; at 0.01 over half of the weights are below 10⁻³ and
#   the net underfits; at 0.03 it falls to chance.
# * **Training digits:** 1000 digits with λ off shrink the gap more than any λ does, and raise
#   the validation accuracy (§7 measures it with the same number of updates).
# * **η:** at 0.005 the net is still underfitting after 40 epochs (train accuracy 50–60 %);
#   η = 0.1 overfits *faster* than the default 0.05 (100 % training accuracy several epochs
#   earlier); at 0.2 runs become erratic (100 % is reached late or not at all); at 0.5 training is
#   unstable (train accuracy around 50 %). Nothing diverges, not even with λ = 1 on top: the
#   decay factor 1 − ηλ = 0.5 stays between 0 and 1 (divergence from the decay alone would need
#   ηλ > 2), so the weights simply decay to 0 and accuracy falls to chance.
# * **Batch size:** with batch 10 an epoch has 30 updates instead of 3, so the net reaches 100 %
#   training accuracy within about 10 epochs; validation accuracy ends about where the default does.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6 · Early stopping
#
# Instead of choosing the number of epochs in advance, watch a **validation** quantity after every
# epoch and
#
# 1. remember the epoch with the best value so far (and, with *restore-best*, its weights);
# 2. count the epochs since the last improvement; when the count exceeds the **patience**, stop;
# 3. hand back the remembered weights.
#
# An epoch improves when its value is strictly better than the best so far. With `patience = p`,
# training stops at the (p + 1)-th epoch in a row without improvement. (Keras and PyTorch Lightning
# stop already at the p-th: their `patience=p` is our `p − 1`.) The course's `EarlyStopping`
# (in `course_utils/training.py`) implements exactly these steps; its `step` method is Exercise 2,
# so we do not print it here.
#
# The validation curves of every run were recorded, so we can replay the rule on them for any
# patience without retraining — and then confirm with real training runs. First the textbook
# run of §2 (seed 0):

# %% slideshow={"slide_type": "subslide"}
def replay(series, patience, monitor="val_loss"):
    # Stop epoch and best epoch of EarlyStopping on a recorded validation series.
    es = EarlyStopping(patience, monitor=monitor, restore_best=False)
    for epoch, value in enumerate(series, start=1):
        if es.step(value, epoch):
            return epoch, es.best_epoch
    return len(series), es.best_epoch


print(f"§2, seed 0: validation accuracy at epoch 200 {h_none.val_acc[-1]:.1%}; lowest validation loss at "
      f"epoch {int(np.argmin(h_none.val_loss)) + 1}, highest validation accuracy at epoch "
      f"{int(np.argmax(h_none.val_acc)) + 1}")
print(f"{'monitor':9s} {'patience':>8s} {'stop':>5s} {'best':>5s} {'val acc @ best':>15s} {'epochs saved':>13s}")
for monitor in ("val_loss", "val_acc"):
    for patience in (5, 10, 20):
        stop, best = replay(getattr(h_none, monitor), patience, monitor)
        print(f"{monitor:9s} {patience:8d} {stop:5d} {best:5d} {h_none.val_acc[best - 1]:15.1%} {200 - stop:13d}")

# %% slideshow={"slide_type": "subslide"}
t0 = time.perf_counter()
net_es, h_es = textbook_run(early_stopping=EarlyStopping(10, monitor="val_loss", restore_best=True))
print(f"real run with EarlyStopping(patience=10, restore_best=True) ⏱ {time.perf_counter() - t0:.1f} s")
print(f"  {h_es.status}")
print(f"  same stop and best epoch as the replay: {(h_es.stopped_at, h_es.best_epoch) == replay(h_none.val_loss, 10)}")
print(f"  identical to the full run up to the stop: {np.allclose(h_es.val_loss, h_none.val_loss[:h_es.epochs])}")
acc_restored = net_es.accuracy(DIGITS["X_val"], DIGITS["y_val"])
print(f"  validation accuracy of the returned (restored) net: {acc_restored:.1%} "
      f"(= epoch {h_es.best_epoch} of the full run: {h_none.val_acc[h_es.best_epoch - 1]:.1%})")

# %% [markdown] slideshow={"slide_type": "-"}
# On the textbook run the validation loss is U-shaped (lowest near epoch 110, then rising although
# the validation *accuracy* still creeps up — the net grows over-confident on the digits it gets
# wrong, and cross-entropy punishes that). Validation accuracy here only rises, so there is nothing
# for early stopping to win: it saves 40 % of the epochs and can only cost accuracy (§8 measures how
# much on the test set). Its real value there is that you no longer have to guess the number of
# epochs.
#
# **Where it helps: the big net on 50 moon points (§1).** Its validation accuracy *peaks* and then
# *falls* as the net wraps the boundary around the 50 points. We monitor validation **accuracy**
# with patience 20 — the validation loss is no guide here: its minimum comes within the first
# 35 epochs, long before the accuracy peaks (printed below). Real runs with `restore_best=True`,
# 5 seeds:

# %% slideshow={"slide_type": "subslide"}
t0 = time.perf_counter()
TOY_ES = [toy_fit(64, 3, 50, seed=s, early_stopping=EarlyStopping(20, monitor="val_acc", restore_best=True))
          for s in TOY_SEEDS]
print(f"{len(TOY_SEEDS)} real runs with EarlyStopping(20, monitor='val_acc', restore_best=True) "
      f"⏱ {time.perf_counter() - t0:.1f} s")
full = [h for _, h in toy["big net, 50 points"]]                   # the 600-epoch runs of §1
print(f"{'seed':>4s} {'min val loss':>13s} {'peak val acc':>13s} {'stop':>5s} {'best':>5s} "
      f"{'val acc @ best':>15s} {'@ epoch 600':>12s} {'same as replay':>15s}")
for s, ((net, h), hf) in enumerate(zip(TOY_ES, full)):
    print(f"{s:4d} {'epoch ' + str(int(np.argmin(hf.val_loss)) + 1):>13s} "
          f"{'epoch ' + str(int(np.argmax(hf.val_acc)) + 1):>13s} {h.stopped_at:5d} {h.best_epoch:5d} "
          f"{hf.val_acc[h.best_epoch - 1]:15.1%} {hf.val_acc[-1]:12.1%} "
          f"{str((h.stopped_at, h.best_epoch) == replay(hf.val_acc, 20, 'val_acc')):>15s}")
print(f"epochs run: {mean_sd([h.stopped_at for _, h in TOY_ES], '.0f')} of 600; validation accuracy of the "
      f"returned net {mean_sd([h.val_acc[h.best_epoch - 1] for _, h in TOY_ES], '.1f', scale=100)} % vs "
      f"{mean_sd([hf.val_acc[-1] for hf in full], '.1f', scale=100)} % at epoch 600 (the former is the selection criterion, so "
      f"optimistic: the fair comparison is on the test set, §8)")

# %% slideshow={"slide_type": "subslide"}
ES_RUNS = {"MNIST, 300 digits (§2, seed 0)": h_none, "moons, 50 points (§1, seed 0)": full[0]}
ES_MONITORS = {"validation loss": "val_loss", "validation accuracy": "val_acc"}


def es_experiment(run, patience, monitor, restore, live):
    h = ES_RUNS[run]
    stop, best = replay(getattr(h, monitor), patience, monitor)
    return {"stop": stop, "best": best, "kept": best if restore else stop}


def es_draw(axes, r, values):
    h = ES_RUNS[values["run"]]
    ep = np.arange(1, h.epochs + 1)
    monitor = values["monitor"]
    series = getattr(h, monitor)
    name = "validation loss" if monitor == "val_loss" else "validation accuracy"
    c_val = plots.color_for("val")
    band = dict(color="0.85", lw=0)
    axes[0].plot(ep, series, color=c_val, label=name)
    axes[0].axvspan(r["stop"], h.epochs, label="epochs not run", **band)
    axes[0].axvline(r["best"], color="0.2", ls="--", lw=1.5, label=f"best epoch {r['best']}")
    axes[0].plot(r["best"], series[r["best"] - 1], "o", color="0.2", ms=8)
    axes[0].set(xlabel="epoch", ylabel=name, title=f"stopped at epoch {r['stop']} (patience {values['patience']})")
    if monitor == "val_loss":
        lo, hi = np.min(series), np.percentile(series, 98)
        axes[0].set_ylim(lo - 0.1 * (hi - lo), hi + 0.35 * (hi - lo))
    else:
        axes[0].set_ylim(np.min(series[5:]) - 0.02, 1.0)
    axes[0].legend(loc="upper center", ncols=3, fontsize=10, frameon=True, facecolor="white",
                   framealpha=1, edgecolor="0.8")
    axes[1].plot(ep, h.val_acc, color=c_val, label="validation accuracy (full run)")
    axes[1].axvspan(r["stop"], h.epochs, **band)
    kept = h.val_acc[r["kept"] - 1]
    axes[1].plot(r["kept"], kept, "o", color="0.2", ms=9, label=f"returned net (epoch {r['kept']}): {kept:.1%}")
    axes[1].plot(h.epochs, h.val_acc[-1], "s", color=c_val, ms=8, label=f"last epoch ({h.epochs}): {h.val_acc[-1]:.1%}")
    axes[1].set(xlabel="epoch", ylabel="validation accuracy", ylim=(np.min(h.val_acc[5:]) - 0.05, 1.0),
                title="restore-best on" if values["restore"] else "restore-best off")
    axes[1].legend(loc="lower right")


es_dash = widgets.Dashboard(
    es_experiment, es_draw, layout=(1, 2), figsize=(12, 4.2), title="Early stopping (replayed on recorded runs)",
    run=widgets.dropdown("run", list(ES_RUNS), "MNIST, 300 digits (§2, seed 0)"),
    patience=widgets.int_slider("patience", 0, 50, 10),
    monitor=widgets.dropdown("monitor", ES_MONITORS, "val_loss"),
    restore=widgets.checkbox("restore best weights", True))
r = es_dash.result
print(f"default: MNIST, patience 10 on the validation loss → stop at epoch {r['stop']}, best epoch {r['best']}")

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
es_dash

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see.** On the MNIST run the grey band of epochs not run starts at 121 with the
# default patience. Two lessons from the tables: monitor the quantity you care about, and make the
# patience longer than the noise — accuracy on 500 digits moves in steps of 0.2 points and often
# stays flat for a few epochs, which counts as "no improvement", so patience 5 on the accuracy stops
# far too early (epoch 75). Switch the run to the moons: on the validation loss (patience 10) the
# rule stops at epoch 30, at the very start of the plateau; on the validation accuracy with
# patience 20 it stops at epoch 81, on the noisy plateau and long before the fall, and returns the
# epoch-60 weights (87.4 % against 84.2 % at epoch 600, seed 0). Move the patience up to 50 and
# the returned epoch moves along the plateau to 126: the returned accuracy rises by under a point
# (88.2 %) while the number of epochs run doubles (177).

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7 · More data: the most effective regulariser
#
# The same net, the same SGD, but 300, 1000 and 4000 training digits (the same 500 validation
# digits), 3 seeds each. To keep this affordable every run gets the same number of **weight
# updates** as the textbook run, 600 (200 epochs × 3 batches): 60 epochs for 1000 digits,
# 15 epochs for 4000. The 300-digit runs are those of §2.

# %% slideshow={"slide_type": "-"}
t0 = time.perf_counter()
MORE = {300: (RUNS["no regularisation"], 200)}
for n, epochs in ((1000, 60), (4000, 15)):
    MORE[n] = ([textbook_run(n=n, epochs=epochs, seed=s) for s in SEEDS], epochs)
print(f"{2 * len(SEEDS)} runs of 600 updates ⏱ {time.perf_counter() - t0:.1f} s; "
      f"accuracy in %, mean ± sd over {len(SEEDS)} seeds")
print(f"{'digits':>7s} {'epochs':>7s} {'updates':>8s} {'train':>12s} {'validation':>12s} {'gap':>12s}")
for n, (rs, epochs) in MORE.items():
    tr, va = [h.train_acc[-1] for _, h in rs], [h.val_acc[-1] for _, h in rs]
    print(f"{n:7d} {epochs:7d} {epochs * n // 100:8d} {mean_sd(tr, '.1f', scale=100):>12s} "
          f"{mean_sd(va, '.1f', scale=100):>12s} {mean_sd(np.subtract(tr, va), '.1f', scale=100):>12s}")
rs = RUNS["L2, λ = 0.1"]
tr, va = [h.train_acc[-1] for _, h in rs], [h.val_acc[-1] for _, h in rs]
print(f"{'300, L2 λ = 0.1':>15s} {'600':>8s} {mean_sd(tr, '.1f', scale=100):>12s} "
      f"{mean_sd(va, '.1f', scale=100):>12s} {mean_sd(np.subtract(tr, va), '.1f', scale=100):>12s}")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plots.figure(1, 2, height=4.0)
for i, (n, (rs, epochs)) in enumerate(MORE.items()):
    c = [C_NONE, plots.PALETTE[2], plots.PALETTE[5]][i]      # 300 digits: the baseline run of §2
    h = rs[0][1]
    updates = np.arange(1, h.epochs + 1) * (n // 100)
    axes[0].plot(updates, h.train_acc, ls="--", color=c)
    axes[0].plot(updates, h.val_acc, color=c, label=f"{n} digits")
axes[0].plot([], [], ls="--", color="0.4", label="train (dashed)")
axes[0].set(xlabel="weight updates", ylabel="accuracy", ylim=(0, 1.02), title="validation solid, train dashed (seed 0)")
axes[0].legend(loc="lower right")
names = [f"{n}" for n in MORE] + ["300\nL2 0.1"]
groups = [rs for rs, _ in MORE.values()] + [RUNS["L2, λ = 0.1"]]
x = np.arange(len(groups))
for dx, part, c in ((-0.2, "train", plots.color_for("train")), (0.2, "val", plots.color_for("val"))):
    vals = np.array([[getattr(h, f"{part}_acc")[-1] for _, h in rs] for rs in groups])
    axes[1].bar(x + dx, vals.mean(1), 0.4, yerr=vals.std(1, ddof=1), capsize=3, color=c,
                label={"val": "validation"}.get(part, part))
for xi, rs in zip(x, groups):
    gap = np.mean([h.train_acc[-1] - h.val_acc[-1] for _, h in rs])
    top = np.mean([h.train_acc[-1] for _, h in rs])
    axes[1].text(xi, top + 0.02, f"gap {100 * gap:.1f}", ha="center", fontsize=12)
axes[1].set(xticks=x, xticklabels=names, ylim=(0.5, 1.15), ylabel="final accuracy",
            xlabel="training digits", title=f"after 600 updates (mean ± sd, {len(SEEDS)} seeds)")
axes[1].grid(axis="x", visible=False)
axes[1].legend(loc="upper right", ncols=2)
plt.show()


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see.** With the same 600 updates, 1000 digits lift validation accuracy from
# about 81 % to about 86 % and 4000 digits to about 90 %, while the gap falls from about 19 to
# about 13 to about 4 points — differences many times the seed spread (under 1 point). No penalty came close: L2
# narrowed the gap only by lowering the training accuracy, and lowered validation accuracy with it.
# With 4000 digits the net is not even finished — its training accuracy is still rising, so more
# epochs would help; with 300 digits more epochs only add memorisation. When you can get more data,
# get it.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8 · The test sets, touched once
#
# Every decision above — which λ, which monitor and patience, which number of training digits — was
# made on validation data. Only now do we read the test sets, once, to report how the chosen
# models do on data no decision has seen:
#
# 1. **MNIST, 300 digits:** the setting with the best mean validation accuracy in §2 and §4, against
#    the textbook's L2 λ = 0.1;
# 2. **early stopping on the moons** (50 points, §6): the net returned by early stopping (best
#    validation epoch) against the net after all 600 epochs, same seed — a paired comparison;
# 3. **early stopping on MNIST** (§6, seed 0): the restored net against epoch 200;
# 4. **more data** (§7): 4000 digits.

# %% slideshow={"slide_type": "subslide"}
def test_acc(net, X, y):
    return net.accuracy(X, y)


Xt, yt = DIGITS["X_test"], DIGITS["y_test"]
val_mean = {name: np.mean([h.val_acc[-1] for _, h in RUNS[name]]) for name in RUNS}
chosen = max(val_mean, key=val_mean.get)
print("TEST SET — read once, here.")
print(f"1. MNIST 300 digits, chosen on validation: '{chosen}' (validation {100 * val_mean[chosen]:.1f} %)")
for name in dict.fromkeys([chosen, "no regularisation", "L2, λ = 0.1"]):
    accs = [test_acc(net, Xt, yt) for net, _ in RUNS[name]]
    print(f"   {name:20s} test {mean_sd(accs, '.1f', scale=100)} %  (seeds: {', '.join(f'{100 * a:.1f}' for a in accs)})")
last = [test_acc(net, X_mtest, y_mtest) for net, _ in toy["big net, 50 points"]]
best = [test_acc(net, X_mtest, y_mtest) for net, _ in TOY_ES]
diff = np.subtract(best, last)
print(f"2. moons, 50 points, early stopping (val acc, patience 20): test {mean_sd(best, '.1f', scale=100)} % at the best validation "
      f"epoch vs {mean_sd(last, '.1f', scale=100)} % at epoch 600")
print(f"   paired difference {mean_sd(diff, '+.1f', scale=100, error='se')} points "
      f"(mean ± standard error, {len(diff)} seeds); better on {np.sum(diff > 0)} of {len(diff)} seeds")
print(f"3. MNIST, early stopping (val loss, patience 10), seed 0: test {test_acc(net_es, Xt, yt):.1%} at the "
      f"best validation epoch {h_es.best_epoch} vs {test_acc(net_none, Xt, yt):.1%} at epoch 200")
print(f"4. MNIST, 4000 digits, 600 updates: test {mean_sd([test_acc(net, Xt, yt) for net, _ in MORE[4000][0]], '.1f', scale=100)} % "
      f"({len(SEEDS)} seeds)")


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see.** The test numbers tell the same story as validation did, with no
# selection left in them: on 300 digits the λ chosen on validation (0.03) is no better on the test
# set than no regularisation (80.0 ± 1.1 % both), and the textbook's λ = 0.1 is worse (76.5 ± 0.7 %).
# Early stopping on the moons returns a net that is better on the test set than the one trained to
# the end — 88.3 ± 0.8 % against 84.5 ± 2.6 %, a paired gain of 3.8 ± 1.4 points (standard error),
# on 4 of 5 seeds — while on MNIST, whose validation accuracy kept rising, it costs 1.6 points
# (77.2 % against 78.8 %, one seed). 4000 digits beat everything else by about 10 points.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 9 · Exercises
#
# **Exercise 1 — the proximal L1 step.** Write `prox_l1_step(w, dw, lr, lam)`: one step of
# proximal gradient descent (ISTA) for `L(w) + λ·Σ|w|`. First take the gradient step on the data
# loss only, `u = w − lr·dw`; then soft-threshold: `sign(u)·max(|u| − lr·lam, 0)`. Weights that
# end up in the dead zone must be **exactly** 0. Return the new array.

# %% slideshow={"slide_type": "-"}
def prox_l1_step(w, dw, lr, lam):
    # BEGIN SOLUTION gradient step u = w − lr·dw, then sign(u)·max(|u| − lr·lam, 0)
    u = w - lr * dw
    return np.sign(u) * np.maximum(np.abs(u) - lr * lam, 0.0)
    # END SOLUTION


# %% slideshow={"slide_type": "-"}
_ = checks.check_prox_l1_step(prox_l1_step)


# %% [markdown] slideshow={"slide_type": "subslide"}
# **Exercise 2 — the early-stopping rule.** Write `early_stopping_epochs(val_losses, patience)`.
# Epochs count from 1. An epoch improves when its loss is strictly below the best so far; stop at
# the first epoch at which the number of epochs in a row without improvement exceeds `patience`.
# Return `(stop_epoch, best_epoch)`; if the rule never fires, `stop_epoch` is the last epoch,
# `len(val_losses)`.

# %% slideshow={"slide_type": "-"}
def early_stopping_epochs(val_losses, patience):
    # BEGIN SOLUTION one pass over the losses, keeping the best loss, its epoch and a counter
    best, best_epoch, wait = np.inf, 0, 0
    for epoch, loss in enumerate(val_losses, start=1):
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
        else:
            wait += 1
            if wait > patience:
                return epoch, best_epoch
    return len(val_losses), best_epoch
    # END SOLUTION


# %% slideshow={"slide_type": "-"}
_ = checks.check_early_stopping(early_stopping_epochs)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# 1. Diagnose first, on validation data: low training accuracy is underfitting (bigger net, train
#    longer); a large train–validation gap is overfitting (more data, regularisation, early
#    stopping). Decide on validation, over several seeds; read the test set once.
# 2. L2 adds λ/2·Σw² to the loss; for SGD that is exactly weight decay, w ← (1 − ηλ)·w − η·∂L/∂w,
#    applied to weights only. The slide's λ/(2n) is our λ times n.
# 3. With Adam, L2 in the gradient is not weight decay; AdamW decouples the decay from the gradient
#    history — but in PyTorch's form the decay per step is still ηλ; Loshchilov & Hutter's schedule
#    multiplier is what separates λ from the learning rate.
# 4. L1 (λ·Σ|w|) pulls with constant force; exact zeros need the proximal (soft-threshold) step.
#    Without a penalty the weights hardly leave their initialisation on 300 digits; L2 mostly
#    shrinks that initialisation.
# 5. On 300 digits no λ we tried raised validation accuracy. Early stopping helps where validation
#    accuracy peaks and falls (the moons), and only saves time where it keeps rising (MNIST). More
#    data closes the gap better than any penalty.

# %% slideshow={"slide_type": "-"}
print(f"whole notebook ⏱ {time.perf_counter() - T_START:.1f} s wall clock, CPU time of this kernel ⏱ {time.process_time():.1f} s")
