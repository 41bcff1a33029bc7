# %% [markdown]
# # 04 · Overfitting, weight decay and early stopping
#
# A network with enough weights can memorise its training set. This chapter shows when that
# happens, how to recognise it, and three ways to fight it.
#
# **Learning goals.** After this chapter you can
# 1. tell underfitting (high bias) from overfitting (high variance) from two numbers, training and
#    test accuracy, and name the remedy for each;
# 2. reproduce the textbook overfit (300 MNIST digits, a 7-layer net) and narrow its gap with L2
#    weight decay;
# 3. explain why an SGD step on `L + λ/2·Σw²` *is* a weight decay `w ← (1 − ηλ)·w − η·∂L/∂w`, why
#    biases are left alone, and why Adam needs the decoupled form (AdamW);
# 4. contrast L1 (sparse weights) with L2 (small weights) in a weight histogram;
# 5. stop training at the right time with a validation set (patience, restore-best);
# 6. see that more data is the most reliable regulariser of all.

# %%
import inspect
import time

import numpy as np
import matplotlib.pyplot as plt
import ipywidgets
from threadpoolctl import threadpool_limits

threadpool_limits(1)          # one BLAS thread: repeatable numbers, no fight over the cores
# %matplotlib inline
from course_utils import plots, widgets, checks
from course_utils import MLP, Optimizer, train, EarlyStopping, load_mnist
from course_utils import optimizers
from course_utils.data import make_moons
from course_utils.gradcheck import numerical_gradient, rel_error

T_START = time.perf_counter()


def show_source(obj, start=None):
    # Print the source of a course_utils function, optionally from the first line containing `start`.
    src = inspect.getsource(obj)
    if start is not None:
        lines = src.splitlines(keepends=True)
        first = next(i for i, line in enumerate(lines) if start in line)
        src = "".join(lines[first:])
    print(src.rstrip())


# %% [markdown]
# ## 1 · Diagnosis: bias or variance?
#
# Two questions, asked in this order, decide what to do next:
#
# | question | if **no** | it is called | remedies |
# |---|---|---|---|
# | 1. Does the net do well **on the training data**? | it cannot even fit what it sees | **underfitting** (high bias) | bigger net (wider/deeper), train longer, better optimizer or learning rate, *less* regularisation |
# | 2. Does it do (almost) as well **on held-out data**? | it fits the noise of its sample | **overfitting** (high variance) | more data, weight decay (§3–4), dropout (ch. 05), early stopping (§6), smaller net |
#
# If both answers are yes, you are done. The held-out data here is a test set; in practice you
# decide on a **validation** set and touch the test set once, at the end (§6).
#
# A 2-D example makes both failure modes visible: two noisy half-moons (noise 0.3, so the
# classes overlap and no boundary gets every point right; the best nets here reach about 90 %). Every net below gets the same budget of 600
# Adam updates (η = 0.01, batches of up to 50 points), whatever its training-set size. Our
# verdict rule: training accuracy below 87 % → underfitting; training minus test accuracy above
# 5 points → overfitting.

# %%
X_moons, y_moons = make_moons(1500, noise=0.3, rng=0)
perm = np.random.default_rng(0).permutation(len(y_moons))        # make_moons returns class 0 first
X_moons, y_moons = X_moons[perm], y_moons[perm]
X_pool, y_pool = X_moons[:1000], y_moons[:1000]                   # training points are taken from here
X_mtest, y_mtest = X_moons[1000:], y_moons[1000:]                 # 500 test points, never trained on
TOY_UPDATES = 600


def toy_fit(width, depth, n, on_epoch=None):
    # Train a 2-[width]*depth-2 net on the first n pool points for TOY_UPDATES Adam updates.
    batch = min(n, 50)
    epochs = int(np.ceil(TOY_UPDATES / np.ceil(n / batch)))
    net = MLP(2, [width] * depth, 2, rng=0)
    data = dict(X_train=X_pool[:n], y_train=y_pool[:n], X_test=X_mtest, y_test=y_mtest)
    hist = train(net, data, Optimizer("adam", lr=0.01), epochs=epochs, batch_size=batch,
                 on_epoch=on_epoch, rng=0)
    return net, hist


def verdict(train_acc, test_acc):
    if train_acc < 0.87:
        return "underfitting (high bias)"
    if train_acc - test_acc > 0.05:
        return "overfitting (high variance)"
    return "good fit"


TOY_CASES = {"small net, 1000 points": (2, 1, 1000),
             "big net, 30 points": (64, 3, 30),
             "big net, 1000 points": (64, 3, 1000)}
toy = {name: toy_fit(*args) for name, args in TOY_CASES.items()}

print(f"{'':24s} {'net':>12s} {'train':>7s} {'test':>7s} {'gap':>6s}   verdict")
for name, (width, depth, n) in TOY_CASES.items():
    h = toy[name][1]
    tr, te = h.train_acc[-1], h.test_acc[-1]
    print(f"{name:24s} {'2-' + '-'.join([str(width)] * depth) + '-2':>12s} {tr:7.1%} {te:7.1%} "
          f"{100 * (tr - te):5.1f}   {verdict(tr, te)}")

# %%
fig, axes = plots.figure(1, 3, height=4.6, layout="constrained")
for ax, (name, (width, depth, n)) in zip(axes, TOY_CASES.items()):
    net, h = toy[name]
    plots.plot_decision_boundary(ax, net.predict, X_pool[:n], y_pool[:n], resolution=120)
    ax.set_title(f"{name}\ntrain {h.train_acc[-1]:.0%} · test {h.test_acc[-1]:.0%}")
    ax.set_xlabel(verdict(h.train_acc[-1], h.test_acc[-1]))
fig.suptitle("Decision boundaries (training points shown)", fontsize=15)
plt.show()


# %% [markdown]
# **What you should see.** The 2-unit net draws an almost straight boundary: it misses the bend of
# the moons on the training points themselves, so more data would not help — it needs capacity.
# The big net trained on 30 points wraps the boundary around individual points (100 % train) and
# pays for it on the test set. The same big net with 1000 points has no room to wrap around
# each point and finds the smooth boundary. Try it yourself: the dashboard re-trains as you move
# the sliders and redraws the boundary every few epochs.

# %%
def toy_experiment(width, depth, n, live):
    n = int(n)                                       # the slider's values are floats
    batch = min(n, 50)
    epochs = int(np.ceil(TOY_UPDATES / np.ceil(n / batch)))
    every = max(1, epochs // 6)                      # about six live frames per run

    def on_epoch(h):
        live.partial["run"] = h
        if h.epochs % every:
            return not live.cancelled
        return live.tick(f"epoch {h.epochs}/{epochs}")

    net = MLP(2, [width] * depth, 2, rng=0)
    live.partial["net"] = net
    data = dict(X_train=X_pool[:n], y_train=y_pool[:n], X_test=X_mtest, y_test=y_mtest)
    h = train(net, data, Optimizer("adam", lr=0.01), epochs=epochs, batch_size=batch,
              on_epoch=on_epoch, rng=0)
    return {"run": h, "net": net}


def toy_draw(axes, result, values):
    net, h = result.get("net"), result.get("run")
    if net is None or h is None:
        return
    n = int(values["n"])
    plots.plot_decision_boundary(axes[0], net.predict, X_pool[:n], y_pool[:n], resolution=90)
    axes[0].set_title(f"2-{'-'.join([str(values['width'])] * values['depth'])}-2 net, {n} points")
    plots.plot_curves(axes[1], h, "acc", parts=("train", "test"))
    axes[1].set_ylim(0.4, 1.02)
    tr, te = h.train_acc[-1], h.test_acc[-1]
    axes[1].set_title(f"train {tr:.1%} · test {te:.1%} → {verdict(tr, te)}", fontsize=13)
    axes[1].legend(loc="lower right")


toy_dash = widgets.Dashboard(
    toy_experiment, toy_draw, layout=(1, 2), figsize=(11, 4.4), stream_every=1,
    title="Bias or variance? Model size and training-set size on the moons",
    width=widgets.batch_slider("units per layer", 64, min_exp=1, max_exp=7),
    depth=widgets.int_slider("hidden layers", 1, 3, 3),
    n=widgets.log_choice_slider("training points", 20, 1000, 50, per_decade=3, off=False))
print(f"default run (64 units × 3 layers, 50 points): train {toy_dash.history.train_acc[-1]:.1%}, "
      f"test {toy_dash.history.test_acc[-1]:.1%}  ⏱ {toy_dash.seconds:.2f} s")

# %% tags=["nbval-ignore-output"]
toy_dash

# %% [markdown]
# ## 2 · The textbook overfit, reproduced
#
# The textbook's recipe for overfitting: only **300** MNIST training digits, a deep net
# 784-100-100-100-100-100-100-10 (six hidden layers of 100 ReLUs, He initialisation), plain SGD
# with η = 0.01, batches of 100, **200 epochs**, accuracy on training and test data after every
# epoch. Then the same with L2 weight decay λ = 0.1.
#
# We load the digits once: 4000 training digits (the first 300 are the textbook's set; §7 uses the
# rest), 500 validation digits (not used for training; §6 needs them) and 500 test digits.

# %%
DIGITS = load_mnist(4000, 500, 500, rng=0)


def digits(n, val=False):
    # The first n training digits with the test set (and the validation set if val=True).
    d = dict(X_train=DIGITS["X_train"][:n], y_train=DIGITS["y_train"][:n],
             X_test=DIGITS["X_test"], y_test=DIGITS["y_test"])
    if val:
        d.update(X_val=DIGITS["X_val"], y_val=DIGITS["y_val"])
    return d


def textbook_net(weight_decay=0.0, penalty="l2"):
    return MLP(784, [100] * 6, 10, weight_decay=weight_decay, penalty=penalty, rng=0)


def textbook_run(weight_decay=0.0, penalty="l2", n=300, epochs=200, val=False, **kw):
    net = textbook_net(weight_decay, penalty)
    hist = train(net, digits(n, val), Optimizer("sgd", lr=0.01), epochs=epochs, batch_size=100,
                 rng=0, **kw)
    return net, hist


t0 = time.perf_counter()
net_none, h_none = textbook_run(val=True)      # no regularisation (validation recorded for §6)
net_l2, h_l2 = textbook_run(weight_decay=0.1)  # L2 weight decay, λ = 0.1
print(f"two 200-epoch runs ⏱ {time.perf_counter() - t0:.1f} s")
print(f"{'':22s} {'train':>7s} {'test':>7s} {'gap':>11s}")
for name, h in (("no regularisation", h_none), ("L2, λ = 0.1", h_l2)):
    tr, te = h.train_acc[-1], h.test_acc[-1]
    print(f"{name:22s} {tr:7.1%} {te:7.1%} {100 * (tr - te):5.1f} points")


# %%
def overfit_panel(ax, h, title, color):
    plots.plot_curves(ax, h, "acc", parts=("train", "test"), color=color)
    epochs = np.arange(1, h.epochs + 1)
    ax.fill_between(epochs, h.test_acc, h.train_acc, color=color, alpha=0.12, lw=0)
    ax.annotate(f"gap {100 * (h.train_acc[-1] - h.test_acc[-1]):.1f} points",
                xy=(h.epochs, (h.train_acc[-1] + h.test_acc[-1]) / 2), xytext=(-10, 0),
                textcoords="offset points", ha="right", va="center", fontsize=13, color=color)
    ax.set_title(title)
    ax.legend(loc="lower right")


C_NONE, C_L2, C_L1 = plots.color_for("baseline"), plots.color_for("l2"), plots.color_for("l1")
fig, axes = plots.figure(1, 3, height=4.2, layout="constrained")
overfit_panel(axes[0], h_none, "no regularisation", C_NONE)
overfit_panel(axes[1], h_l2, "L2 weight decay, λ = 0.1", C_L2)
for h, name, c in ((h_none, "no regularisation", C_NONE), (h_l2, "L2, λ = 0.1", C_L2)):
    axes[2].plot(np.arange(1, h.epochs + 1), 100 * (np.array(h.train_acc) - np.array(h.test_acc)),
                 color=c, label=name)
axes[2].set(xlabel="epoch", ylabel="train − test accuracy (points)", title="the generalisation gap")
axes[2].legend(loc="lower right")
fig.suptitle("300 MNIST digits, 784-100×6-10, SGD η = 0.01", fontsize=15)
plt.show()

# %% [markdown]
# **What you should see.** Without regularisation the training accuracy climbs to 100 % (from
# epoch 104 on) while test accuracy flattens just below 80 %: a gap of about 21 points. The net
# has memorised 300 digits; what it learned beyond that does not transfer. With λ = 0.1 training
# accuracy stops in the low 90s and the gap narrows to about 17 points, as in the textbook. Note
# that test accuracy did **not** go up here: weight decay traded fit for a smaller gap, and on
# 300 digits that trade costs a little test accuracy too. Regularisation is a tool for the variance
# side of §1, not a free lunch; §7 shows what actually lifts test accuracy.

# %% [markdown]
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

# %%
show_source(MLP.penalty_value)
print("    ...")
show_source(MLP.loss, start="lam = self.weight_decay")

# %% [markdown]
# **Check 1: the code matches the formula.** The penalty against λ/2·Σw² by hand, the extra
# gradient against λw, and both against a numerical gradient on a small net.

# %%
lam, eta = 0.1, 0.01
Xb, yb = DIGITS["X_train"][:100], DIGITS["y_train"][:100]     # one mini-batch of the textbook set
net_pen, net_raw = textbook_net(lam), textbook_net(0.0)        # same seed: identical initial weights
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

# %% [markdown]
# **Check 2: one SGD step on the penalised loss = shrink, then step.** Same initial weights, same
# mini-batch. Left: the optimizer's step with the penalised gradient. Right: shrink every `W` by
# (1 − ηλ) = 0.999, then step with the *unpenalised* gradient.

# %%
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

# %% [markdown]
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

# %%
net_bn = MLP(784, [100] * 6, 10, batchnorm=True, weight_decay=0.1, rng=0)
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

# %% [markdown]
# ### L2 inside Adam is not weight decay: AdamW
#
# For SGD the two forms above are identical. For Adam they are not, because Adam divides each
# gradient by a running estimate of its size, √v̂:
#
# * **L2 inside Adam** (`MLP(weight_decay=λ)` with `adam`): first add λw to the gradient, *then*
#   rescale — the decay term is divided by √v̂ along with everything else.
# * **AdamW** (decoupled, Loshchilov & Hutter 2019): rescale the gradient of the unpenalised loss,
#   *then* shrink: `w ← w − η·(m̂/(√v̂ + ε) + λ·w)`.
#
# Same two steps, different order. `course_utils.optimizers.adamw`:

# %%
show_source(optimizers.adamw, start="t = state")


# %% [markdown]
# A small example makes the difference concrete. Two weights start at 1.0. Weight A gets no
# gradient from the loss (say, it multiplies a pixel that is always 0); weight B gets a large
# one, ±10 alternating. We run 5 steps (η = 0.01, λ = 0.01) with and without decay and report
# what the decay did: w(with decay) − w(without).

# %%
def run_rule(rule, steps=5, lam_in_grad=0.0, **hp):
    w = np.array([1.0, 1.0])
    state = optimizers.init_adam(w)
    for t in range(steps):
        g_loss = np.array([0.0, 10.0 * (-1) ** t])          # A: no loss gradient, B: ±10
        w, state = rule(w, g_loss + lam_in_grad * w, state, lr=0.01, **hp)
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

# %% [markdown]
# **What you should see.** AdamW shrinks both weights by the same amount, about 5·ηλw, as SGD's
# weight decay would. L2 inside Adam is a different regulariser: on B the decay term is drowned in
# the large gradient and then divided by it, so B is decayed about 13× less than λ asks; on A, Adam's
# normalisation turns the tiny λw into a full-size step of about η, so A is pushed to zero 100×
# faster than λ says — at a speed that does not depend on λ. How much a weight is decayed now
# depends on its gradient history rather than on λ. With AdamW, λ means the same as with SGD and
# can be tuned separately from η; that is why AdamW is the usual choice for Adam-type training.

# %% [markdown]
# ## 4 · L1: a constant pull towards zero
#
# $$L'(w) = L(w) + \lambda\sum |w| \qquad \frac{\partial L'}{\partial w} = \frac{\partial L}{\partial w} + \lambda\,\operatorname{sign}(w)$$
#
# L2's pull λw fades as w approaches 0, so L2 makes every weight small but none exactly zero.
# L1's pull has the same size λ however small the weight is, so weights the data does not defend
# are driven to zero (with SGD they then jitter within ±ηλ around it): L1 makes the weights
# **sparse**. We train the textbook net once more with L1, λ = 0.01 (chosen to cost about as much
# training accuracy as L2 with λ = 0.1), and compare all weight matrices of the three nets.

# %%
t0 = time.perf_counter()
net_l1 = textbook_net(0.01, "l1")     # only the final weights matter: train without per-epoch evaluation
_ = train(net_l1, (DIGITS["X_train"][:300], DIGITS["y_train"][:300]), Optimizer("sgd", lr=0.01),
          epochs=200, batch_size=100, rng=0, eval_train=False)
print(f"one 200-epoch run ⏱ {time.perf_counter() - t0:.1f} s")


def all_weights(net):
    return np.concatenate([w.ravel() for k, w in net.params.items() if k.endswith(".W")])


NETS = {"none": (net_none, C_NONE), "L2, λ = 0.1": (net_l2, C_L2), "L1, λ = 0.01": (net_l1, C_L1)}
print(f"{'penalty':14s} {'train':>7s} {'test':>7s} {'gap':>6s} {'mean |w|':>9s} {'|w| < 1e-3':>11s}")
for name, (net, _) in NETS.items():
    w = all_weights(net)
    tr = net.accuracy(DIGITS["X_train"][:300], DIGITS["y_train"][:300])
    te = net.accuracy(DIGITS["X_test"], DIGITS["y_test"])
    print(f"{name:14s} {tr:7.1%} {te:7.1%} {100 * (tr - te):6.1f} {np.mean(np.abs(w)):9.4f} "
          f"{np.mean(np.abs(w) < 1e-3):11.1%}")

# %%
fig, axes = plots.figure(1, 3, height=4.0, sharey=True, layout="constrained")
for ax, (name, (net, c)) in zip(axes, NETS.items()):
    plots.plot_weight_histogram(ax, net, bins=81, range=(-0.4, 0.4), color=c)
    ax.set_yscale("log")
    ax.set_title(f"{name}: {np.mean(np.abs(all_weights(net)) < 1e-3):.0%} of |w| < 1e-3")
axes[1].set_ylabel("")
axes[2].set_ylabel("")
fig.suptitle(f"The {all_weights(net_none).size:,} weights of the 7 layers after 200 epochs "
             "(log count; the few with |w| > 0.4 not shown)", fontsize=15)
plt.show()

# %% [markdown]
# **What you should see.** Without a penalty the weights keep roughly their initial spread. L2
# narrows the whole distribution (mean |w| falls by about half) but leaves its shape: few weights
# are *exactly* small. L1 produces a tall spike at zero — more than half of all weights are below
# 10⁻³, i.e. the net effectively stopped using them — while the surviving weights stay large.

# %% [markdown]
# ## 5 · Live: λ, penalty, data and learning rate
#
# Reproduce, then play. To answer a slider within a second or two, the dashboard trains for
# **40 epochs with η = 0.05** instead of 200 epochs with η = 0.01: the same overfit appears
# (100 % train, about 80 % test) five times faster. Larger training sets take longer (3000
# digits about 10 s; the curves stream in). Left: accuracy, with the gap shaded. Middle: the gap
# per epoch (a 5-epoch moving average), with the default run (λ off, 300 digits, η = 0.05) in grey
# for reference. Right: the weight histogram (log count).

# %%
DASH_EPOCHS = 40
DASH_REFERENCE = {}


def wd_experiment(lam, penalty, n_train, lr, live):
    net = textbook_net(lam, penalty)
    live.partial["net"] = net
    h = train(net, digits(int(n_train)), Optimizer("sgd", lr=lr), epochs=DASH_EPOCHS, batch_size=100,
              on_epoch=live.track("run"), rng=0)
    return {"run": h, "net": net}


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
    plots.plot_curves(axes[0], h, "acc", parts=("train", "test"), color=color)
    ep = np.arange(1, len(h.test_acc) + 1)
    axes[0].fill_between(ep, h.test_acc, h.train_acc, color=color, alpha=0.12, lw=0)
    axes[0].set_xlim(0, DASH_EPOCHS + 1)
    axes[0].legend(loc="lower right")
    axes[0].set_title(f"{label}, {int(values['n_train'])} digits, η = {values['lr']:.2g}", fontsize=12)
    gap = plots.smooth(100 * (np.array(h.train_acc) - np.array(h.test_acc)), 5)
    if h.epochs == DASH_EPOCHS and values == DASH_DEFAULTS:
        DASH_REFERENCE.setdefault("gap", gap)
    if "gap" in DASH_REFERENCE:
        axes[1].plot(np.arange(1, DASH_EPOCHS + 1), DASH_REFERENCE["gap"], color="0.6", ls="--",
                     label="reference (default)")
    axes[1].plot(ep, gap, color=color, label=label)
    axes[1].set(xlim=(0, DASH_EPOCHS + 1), xlabel="epoch", ylabel="train − test (points, 5-epoch mean)")
    axes[1].set_title(f"gap, last epoch: {100 * (h.train_acc[-1] - h.test_acc[-1]):.1f} points", fontsize=12)
    axes[1].legend(loc="upper left")
    w = all_weights(net)
    plots.plot_weight_histogram(axes[2], net, bins=81, range=(-0.4, 0.4), color=color)
    axes[2].set_yscale("log")
    axes[2].set_title(f"weights: {np.mean(np.abs(w) < 1e-3):.0%} of |w| < 1e-3", fontsize=12)


wd_controls = dict(
    lam=widgets.log_choice_slider("λ (weight decay)", 1e-4, 1.0, 0.0),
    penalty=widgets.dropdown("penalty", {"L2: λ/2·Σw²": "l2", "L1: λ·Σ|w|": "l1"}, "l2"),
    n_train=widgets.log_choice_slider("training digits", 100, 3000, 300, off=False),
    lr=widgets.log_slider("learning rate η", 1e-3, 0.5, 0.05, fmt=".3f"))
DASH_DEFAULTS = {k: c.value for k, c in wd_controls.items()}
wd_dash = widgets.Dashboard(wd_experiment, wd_draw, layout=(1, 3), figsize=(14, 4.2), stream_every=10,
                            title="Weight decay, live", **wd_controls)
h = wd_dash.history
print(f"default run ({DASH_EPOCHS} epochs, η = 0.05, 300 digits, λ off): train {h.train_acc[-1]:.1%}, "
      f"test {h.test_acc[-1]:.1%}  ⏱ {wd_dash.seconds:.2f} s")

# %% tags=["nbval-ignore-output"]
wd_dash

# %% [markdown]
# **What you should see — try these:**
# * **λ, L2:** from "off" to 0.01 almost nothing changes; at 0.1 the gap narrows and the histogram
#   narrows; at 1 both accuracies collapse — too much decay *underfits* (§1, question 1).
# * **L1:** at λ = 0.003–0.01 a spike at zero appears in the histogram; at 0.03 the net loses most
#   of its weights and cannot learn.
# * **Training digits:** 1000 or 3000 digits with λ off shrink the gap more than any λ does, and
#   raise the test accuracy (§7).
# * **η:** at 0.005 the net is still underfitting after 40 epochs (train accuracy about 50 %); at
#   0.3 it overfits faster; at 0.5 training turns unstable (about 50 % again), and with a large λ
#   on top it diverges — the plot says so.

# %% [markdown]
# ## 6 · Early stopping
#
# Instead of choosing the number of epochs in advance, watch the loss on a **validation set**
# (500 digits, disjoint from training and test data) after every epoch and
#
# 1. remember the epoch with the lowest validation loss so far (and, with *restore-best*, its weights);
# 2. count the epochs since the last improvement; when the count exceeds the **patience**, stop;
# 3. hand back the remembered weights.
#
# An epoch improves when its value is strictly better than the best so far. With `patience = p`,
# training stops at the (p + 1)-th epoch in a row without improvement. (Keras and PyTorch Lightning
# stop already at the p-th: their `patience=p` is our `p − 1`.) The course's `EarlyStopping`:

# %%
show_source(EarlyStopping.step)


# %% [markdown]
# The validation curves of the unregularised run from §2 were recorded, so we can replay the rule
# on them for any patience without retraining — and then confirm with one real training run.

# %%
def replay(series, patience, monitor="val_loss"):
    # Stop epoch and best epoch of EarlyStopping on a recorded validation series.
    es = EarlyStopping(patience, monitor=monitor, restore_best=False)
    for epoch, value in enumerate(series, start=1):
        if es.step(value, epoch):
            return epoch, es.best_epoch
    return len(series), es.best_epoch


last_test = h_none.test_acc[-1]
print(f"full run: 200 epochs, test accuracy at the last epoch {last_test:.1%}; "
      f"lowest validation loss at epoch {int(np.argmin(h_none.val_loss)) + 1}")
print(f"{'monitor':14s} {'patience':>8s} {'stop':>5s} {'best':>5s} {'test @ best':>12s} {'epochs saved':>13s}")
for monitor in ("val_loss", "val_acc"):
    for patience in (5, 10, 20):
        stop, best = replay(getattr(h_none, monitor), patience, monitor)
        print(f"{monitor:14s} {patience:8d} {stop:5d} {best:5d} {h_none.test_acc[best - 1]:12.1%} "
              f"{200 - stop:13d}")

# %%
t0 = time.perf_counter()
net_es, h_es = textbook_run(val=True, early_stopping=EarlyStopping(10, monitor="val_loss", restore_best=True))
print(f"real run with EarlyStopping(patience=10, restore_best=True) ⏱ {time.perf_counter() - t0:.1f} s")
print(f"  {h_es.status}")
print(f"  same stop and best epoch as the replay: {(h_es.stopped_at, h_es.best_epoch) == replay(h_none.val_loss, 10)}")
print(f"  identical to the full run up to the stop: {np.allclose(h_es.val_loss, h_none.val_loss[:h_es.epochs])}")
acc_restored = net_es.accuracy(DIGITS["X_test"], DIGITS["y_test"])
print(f"  test accuracy of the returned (restored) net: {acc_restored:.1%} "
      f"(= epoch {h_es.best_epoch} of the full run: {h_none.test_acc[h_es.best_epoch - 1]:.1%})")
print(f"  test accuracy at the best epoch {acc_restored:.1%} vs at the last epoch (200) {last_test:.1%}")

# %%
ES_MONITORS = {"validation loss": "val_loss", "validation accuracy": "val_acc"}


def es_experiment(patience, monitor, restore, live):
    stop, best = replay(getattr(h_none, monitor), patience, monitor)
    return {"stop": stop, "best": best, "kept": best if restore else stop}


def es_draw(axes, r, values):
    ep = np.arange(1, h_none.epochs + 1)
    monitor = values["monitor"]
    series = getattr(h_none, monitor)
    name = "validation loss" if monitor == "val_loss" else "validation accuracy"
    c_val, c_test = plots.color_for("val"), plots.color_for("train")
    axes[0].plot(ep, series, color=c_val, label=name)
    axes[0].axvspan(r["stop"], h_none.epochs, color="0.85", label="epochs not run")
    axes[0].axvline(r["best"], color="0.2", ls="--", lw=1.5, label=f"best epoch {r['best']}")
    axes[0].plot(r["best"], series[r["best"] - 1], "o", color="0.2", ms=8)
    axes[0].set(xlabel="epoch", ylabel=name, title=f"stopped at epoch {r['stop']} (patience {values['patience']})")
    if monitor == "val_loss":
        axes[0].set_ylim(0.5, 2.4)
    axes[0].legend(loc="upper right" if monitor == "val_loss" else "lower right")
    axes[1].plot(ep, h_none.test_acc, color=c_test, label="test accuracy (full run)")
    axes[1].axvspan(r["stop"], h_none.epochs, color="0.85")
    kept = h_none.test_acc[r["kept"] - 1]
    axes[1].plot(r["kept"], kept, "o", color="0.2", ms=9,
                 label=f"returned net (epoch {r['kept']}): {kept:.1%}")
    axes[1].plot(h_none.epochs, h_none.test_acc[-1], "s", color=c_test, ms=8,
                 label=f"last epoch (200): {h_none.test_acc[-1]:.1%}")
    axes[1].set(xlabel="epoch", ylabel="test accuracy", ylim=(0.0, 1.0),
                title="restore-best on" if values["restore"] else "restore-best off")
    axes[1].legend(loc="lower right")


es_dash = widgets.Dashboard(
    es_experiment, es_draw, layout=(1, 2), figsize=(12, 4.2), title="Early stopping (replayed on §2's run)",
    patience=widgets.int_slider("patience", 0, 50, 10),
    monitor=widgets.dropdown("monitor", ES_MONITORS, "val_loss"),
    restore=widgets.checkbox("restore best weights", True))
r = es_dash.result
print(f"default: patience 10 on the validation loss → stop at epoch {r['stop']}, "
      f"best epoch {r['best']}, test accuracy kept {h_none.test_acc[r['kept'] - 1]:.1%}")

# %% tags=["nbval-ignore-output"]
es_dash

# %% [markdown]
# **What you should see.** The validation loss is U-shaped: lowest at epoch 110, then rising
# again although the validation *accuracy* still creeps up — the net grows over-confident on the
# digits it gets wrong, and cross-entropy punishes that. With patience 10 the run stops at epoch
# 121 (79 epochs, 40 % of the cost, saved) and returns the epoch-110 weights: 77.2 % on the test
# set against 78.8 % after all 200 epochs. On this tiny, unregularised problem early stopping buys
# time, not accuracy; its real value is that you no longer have to guess the number of epochs.
# Two lessons from the table: monitor the quantity you care about, and make the patience longer
# than the noise — accuracy on 500 digits moves in steps of 0.2 points and often stays flat for a
# few epochs, which counts as "no improvement", so patience 5 on the accuracy stops far too early
# (epoch 75, 73.0 %).

# %% [markdown]
# ## 7 · More data: the most effective regulariser
#
# The same net, the same SGD, but 300, 1000 and 4000 training digits (the same 500 test digits).
# To keep this affordable every run gets the same number of **weight updates** as the textbook
# run, 600 (200 epochs × 3 batches): 60 epochs for 1000 digits, 15 epochs for 4000. The
# 300-digit run is the one from §2.

# %%
t0 = time.perf_counter()
MORE = {300: (h_none, 200)}
for n, epochs in ((1000, 60), (4000, 15)):
    MORE[n] = (textbook_run(n=n, epochs=epochs)[1], epochs)
print(f"two runs of 600 updates ⏱ {time.perf_counter() - t0:.1f} s")
print(f"{'digits':>7s} {'epochs':>7s} {'updates':>8s} {'train':>7s} {'test':>7s} {'gap':>6s}")
for n, (h, epochs) in MORE.items():
    print(f"{n:7d} {epochs:7d} {epochs * n // 100:8d} {h.train_acc[-1]:7.1%} {h.test_acc[-1]:7.1%} "
          f"{100 * (h.train_acc[-1] - h.test_acc[-1]):6.1f}")
print(f"{'300, L2 λ = 0.1':>23s}  {h_l2.train_acc[-1]:13.1%} {h_l2.test_acc[-1]:7.1%} "
      f"{100 * (h_l2.train_acc[-1] - h_l2.test_acc[-1]):6.1f}")

# %%
fig, axes = plots.figure(1, 2, height=4.0)
for i, (n, (h, epochs)) in enumerate(MORE.items()):
    c = [C_NONE, plots.PALETTE[2], plots.PALETTE[5]][i]      # 300 digits: the baseline run of §2
    updates = np.arange(1, h.epochs + 1) * (n // 100)
    axes[0].plot(updates, h.train_acc, ls="--", color=c)
    axes[0].plot(updates, h.test_acc, color=c, label=f"{n} digits")
axes[0].plot([], [], ls="--", color="0.4", label="train (dashed)")
axes[0].set(xlabel="weight updates", ylabel="accuracy", ylim=(0, 1.02), title="test solid, train dashed")
axes[0].legend(loc="lower right")
names = [f"{n}" for n in MORE] + ["300\nL2 0.1"]
hs = [h for h, _ in MORE.values()] + [h_l2]
x = np.arange(len(hs))
axes[1].bar(x - 0.2, [h.train_acc[-1] for h in hs], 0.4, color=plots.color_for("train"), label="train")
axes[1].bar(x + 0.2, [h.test_acc[-1] for h in hs], 0.4, color=plots.color_for("test"), label="test")
for xi, h in zip(x, hs):
    axes[1].text(xi, h.train_acc[-1] + 0.02, f"gap {100 * (h.train_acc[-1] - h.test_acc[-1]):.1f}",
                 ha="center", fontsize=12)
axes[1].set(xticks=x, xticklabels=names, ylim=(0.5, 1.1), ylabel="final accuracy",
            xlabel="training digits", title="after 600 updates")
axes[1].grid(axis="x", visible=False)
axes[1].legend(loc="upper right", ncols=2)
plt.show()


# %% [markdown]
# **What you should see.** With the same 600 updates, 1000 digits lift test accuracy from 78.8 %
# to 87.0 % and 4000 digits to 90.2 %, while the gap falls from 21 to 12 to 3 points. No penalty
# came close: L2 narrowed the gap only by lowering the training accuracy. With 4000 digits the net
# is not even finished — its training accuracy (93.6 %) is still rising, so more epochs would
# help; with 300 digits more epochs only add memorisation. When you can get more data, get it.

# %% [markdown]
# ## 8 · Exercises
#
# **Exercise 1 — the L2 penalty and its gradient.** Write `l2_penalty(params, lam)` for a parameter
# dict like `net.params` (keys `"fc1.W"`, `"fc1.b"`, `"bn1.gamma"`, …). Return the penalty
# λ/2·Σw² over the weight matrices only (keys ending in `".W"`), and a dict with the penalty's
# gradient for **every** parameter: λ·W for weight matrices, zeros for everything else.

# %%
def l2_penalty(params, lam):
    # BEGIN SOLUTION loop over params.items(); only weight matrices count, every key gets a gradient
    penalty = 0.0
    grads = {}
    for key, value in params.items():
        if key.endswith(".W"):
            penalty += 0.5 * lam * np.sum(value ** 2)
            grads[key] = lam * value
        else:
            grads[key] = np.zeros_like(value)
    return penalty, grads
    # END SOLUTION


# %%
_ = checks.check_l2_penalty(l2_penalty)


# %% [markdown]
# **Exercise 2 — the early-stopping rule.** Write `early_stopping_epochs(val_losses, patience)`.
# Epochs count from 1. An epoch improves when its loss is strictly below the best so far; stop at
# the first epoch at which the number of epochs in a row without improvement exceeds `patience`.
# Return `(stop_epoch, best_epoch)`; if the rule never fires, `stop_epoch` is the last epoch,
# `len(val_losses)`.

# %%
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


# %%
_ = checks.check_early_stopping(early_stopping_epochs)

# %% [markdown]
# ## Summary
#
# 1. Diagnose first: low training accuracy is underfitting (bigger net, train longer); a large
#    train–test gap is overfitting (more data, regularisation, early stopping).
# 2. L2 adds λ/2·Σw² to the loss; for SGD that is exactly weight decay, w ← (1 − ηλ)·w − η·∂L/∂w,
#    applied to weights only, never to biases or batch-norm parameters.
# 3. With Adam, L2 in the gradient is not weight decay; AdamW decouples it so every weight shrinks
#    by the same factor.
# 4. L1 (λ·Σ|w|) pulls with constant force and zeroes many weights; L2 shrinks all of them.
# 5. Early stopping keeps the best validation epoch at a fraction of the cost, and more data closes
#    the gap better than any penalty.

# %%
print(f"whole notebook ⏱ {time.perf_counter() - T_START:.1f} s")
