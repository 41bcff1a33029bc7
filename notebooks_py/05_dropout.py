# %% [markdown]
# # 05 · Dropout
#
# Chapter 04 fought overfitting by keeping the weights small. **Dropout** (Srivastava et al. 2014)
# attacks it from another side: during training it switches off a random part of the network at
# every step, so no unit can count on a particular partner being there.
#
# **Learning goals.** After this chapter you can
# 1. describe what dropout does to a network during one training step, and why each mini-batch
#    trains a different "thinned" network;
# 2. write inverted dropout's forward and backward pass, say why training and test must agree in
#    expectation, and convert between the original and the inverted form (and read Keras' `rate`);
# 3. reproduce the textbook experiment and say what its narrower train–test gap does and does not show;
# 4. combine dropout with weight decay on a 2-D problem and watch the decision boundary;
# 5. read the scaled test-time network as an approximate ensemble, and compare it with a real one;
# 6. say when dropout is the wrong tool.

# %%
import inspect
import time

import numpy as np
import matplotlib.pyplot as plt
from threadpoolctl import threadpool_limits

threadpool_limits(1)          # one BLAS thread: repeatable numbers, no fight over the cores
# %matplotlib inline
from course_utils import plots, widgets, checks
from course_utils import MLP, Optimizer, train, load_mnist
from course_utils import layers as L
from course_utils.data import make_moons
from course_utils.gradcheck import numerical_gradient, numerical_gradient_array, rel_error

T_START = time.perf_counter()
C_NONE, C_DROP = plots.color_for("baseline"), plots.color_for("dropout")


def show_source(obj, start=None):
    # Print the source of a course_utils function, optionally from the first line containing `start`.
    src = inspect.getsource(obj)
    if start is not None:
        lines = src.splitlines(keepends=True)
        first = next(i for i, line in enumerate(lines) if start in line)
        src = "".join(lines[first:])
    print(src.rstrip())


# %% [markdown]
# ## 1 · The idea: a different thinned network at every step
#
# During training, every hidden unit's output is set to **zero with probability p**, independently,
# afresh for every example and every mini-batch. What remains is a *thinned* network: the same
# weights, some units missing. A layer with n units has 2ⁿ thinned versions, all sharing one set
# of weights, and each update trains the one that the random mask picked. A unit can no longer
# rely on a particular other unit being present (the paper calls such reliance *co-adaptation*),
# so it has to learn features that are useful on their own.
#
# At test time nothing is dropped: the full network is used, scaled so that each unit's input
# has the same expected value as during training (§2).
#
# The picture shows one hidden layer of 8 units with p = 0.5 over four mini-batches. The masks
# come from `course_utils.layers.dropout_forward` itself. (Strictly, every *example* in a
# mini-batch draws its own mask — the mask has the shape of the activations, examples × units —
# so each panel shows the thinned network of one example.)

# %%
P_PIC, N_IN, N_HID, N_OUT, N_BATCHES = 0.5, 4, 8, 3, 4
_, scale = L.dropout_forward(np.ones((N_BATCHES, N_HID)), P_PIC, train=True, rng=3)
KEEP_PIC = scale > 0                  # scale = mask / (1 − p): positive exactly where a unit is kept


def draw_thinned(ax, keep, title, note):
    # Inputs → one hidden layer (kept units green, dropped grey and crossed) → outputs.
    layers = [np.ones(N_IN, bool), keep, np.ones(N_OUT, bool)]
    ys = [np.linspace(1, -1, n) * (n - 1) / (N_HID - 1) for n in (N_IN, N_HID, N_OUT)]   # unit 1 on top
    for li in range(2):                                         # edges of the two weight layers
        for i, yi in enumerate(ys[li]):
            for j, yj in enumerate(ys[li + 1]):
                live = layers[li][i] and layers[li + 1][j]
                ax.plot([li, li + 1], [yi, yj], color="0.25" if live else "0.88",
                        lw=1.0 if live else 0.6, zorder=1)
    for li, (alive, y) in enumerate(zip(layers, ys)):
        for a, yy in zip(alive, y):
            face = (C_DROP if li == 1 else "white") if a else "0.9"
            ax.scatter(li, yy, s=260, color=face, edgecolor="0.2" if a else "0.7", lw=1.5, zorder=2)
            if not a:
                ax.scatter(li, yy, s=90, marker="x", color="0.55", lw=2, zorder=3)
    ax.set_title(title)
    ax.text(1, -1.22, note, ha="center", va="top", fontsize=12)
    ax.set_xlim(-0.35, 2.35)
    ax.set_ylim(-1.45, 1.12)
    ax.axis("off")


fig, axes = plots.figure(1, N_BATCHES + 1, width=14, height=3.9, layout="constrained")
for b in range(N_BATCHES):
    draw_thinned(axes[b], KEEP_PIC[b], f"mini-batch {b + 1}", f"{KEEP_PIC[b].sum()} of {N_HID} kept")
draw_thinned(axes[-1], np.ones(N_HID, bool), "test time", "all units, scaled (§2)")
fig.suptitle(f"Dropout on one hidden layer, p = {P_PIC}: inputs → hidden → outputs", fontsize=15)
plt.show()

for b in range(N_BATCHES):
    print(f"mini-batch {b + 1}: keep mask {' '.join(str(int(k)) for k in KEEP_PIC[b])}")
print(f"thinned versions of this layer: 2^{N_HID} = {2 ** N_HID}")
print(f"thinned versions of the textbook net's 6 × 100 hidden units: 2^600 ≈ {2.0 ** 600:.1e}")

# %% [markdown]
# ## 2 · Training vs testing: two ways to keep the expectation
#
# A dropped unit contributes 0, a kept one its value x, so during training a unit's output is on
# average (1 − p)·x. The next layer is trained on inputs of that size; at test time, with every
# unit present, it must see the same expected size. There are two ways to arrange that, with the
# keep-mask m (mᵢ = 1 with probability 1 − p, else 0):
#
# | form | training | test |
# |---|---|---|
# | **original** (Srivastava et al. 2014; the textbook's code) | y = m ⊙ x | y = (1 − p)·x  (or: outgoing weights × (1 − p)) |
# | **inverted** (`course_utils`, Keras, PyTorch) | y = m ⊙ x / (1 − p) | y = x |
#
# In both, E_m[y during training] = y at test. The inverted form does the correction during
# training, so inference is the plain network and needs to know nothing about dropout. Its
# backward pass lets the gradient through the kept units with the same factor:
# ∂L/∂x = ∂L/∂y ⊙ m / (1 − p).
#
# The course's implementation, side by side:

# %%
show_source(L.dropout_forward)
print()
show_source(L.dropout_backward)

# %% [markdown]
# **What p means depends on the library.** Here p is the **drop** probability, as in Keras'
# `tf.keras.layers.Dropout(rate=p)` and PyTorch's `nn.Dropout(p=p)`: `Dropout(0.2)` drops 20 % of
# the units. The paper (and TensorFlow 1's `keep_prob`) uses p for the **keep** probability: its
# "p = 0.5 for hidden units, 0.8 for inputs" is our p = 0.5 and 0.2.
#
# ### The lecture's two-input example
#
# A unit y = w₁x₁ + w₂x₂ whose two inputs are dropped with p = 0.5. The four masks are equally
# likely, so in the original form E[y] = ¼·[(w₁x₁ + w₂x₂) + w₁x₁ + w₂x₂ + 0] = ½·(w₁x₁ + w₂x₂):
# at test time the full sum must be halved. First by enumeration, then by Monte Carlo with
# `course_utils`' own masks, for both forms and three values of p.

# %%
w, x = np.array([0.5, 2.0]), np.array([3.0, 1.0])
print(f"w = {w}, x = {x}: w₁x₁ + w₂x₂ = {w @ x:.4f}\n")
print("p = 0.5, all four masks:   original y   inverted y")
masks4 = np.array([[1, 1], [1, 0], [0, 1], [0, 0]])
for m in masks4:
    print(f"  keep mask {m}          {w @ (m * x):8.4f}     {w @ (m * x) / 0.5:8.4f}")
print(f"  mean of the four        {np.mean(masks4 @ (w * x)):8.4f}     {np.mean(masks4 @ (w * x)) / 0.5:8.4f}")
print(f"  ½·(w₁x₁ + w₂x₂) = {0.5 * (w @ x):.4f}\n")

N_MC = 100_000
print(f"Monte Carlo over {N_MC:,} masks from L.dropout_forward (mean ± standard error):")
print(f"{'p':>4s}  {'form':9s} {'training: mean of y':>22s}   {'test: y':>21s}")
for p in (0.2, 0.5, 0.8):
    out, _ = L.dropout_forward(np.tile(x, (N_MC, 1)), p, train=True, rng=0)
    y_inv = out @ w                       # inverted: what dropout_forward returns
    y_orig = (1 - p) * y_inv              # original: the same masks, without the 1/(1 − p)
    for form, y_tr, y_te, te_name in (("original", y_orig, (1 - p) * (w @ x), "(1 − p)·w·x"),
                                      ("inverted", y_inv, w @ x, "w·x")):
        se = y_tr.std() / np.sqrt(N_MC)
        print(f"{p:4.1f}  {form:9s} {y_tr.mean():13.4f} ± {se:.4f}   {te_name:>12s} = {y_te:.4f}")


# %% [markdown]
# Each form's training average matches its own test-time rule, within the Monte-Carlo error.
# But note the two columns for the same weights: the original form's unit is (1 − p) times the
# inverted one. **The two forms compute the same family of functions with different weights:** an
# original-form net with weights W behaves exactly like an inverted-form net whose weights after
# each dropout layer are (1 − p)·W. To run the textbook's form in §3 we build it on `MLP` — no new
# layer code: `dropout_forward(x, p, mask=M)` returns x·M/(1 − p), so feeding it M = m·(1 − p)
# gives the original training step x·m, and M = (1 − p)² everywhere gives the test rule x·(1 − p).

# %%
class OriginalDropoutMLP(MLP):
    # MLP with the original (textbook) dropout: training x·m, test x·(1 − p).  No batch norm.

    def forward(self, X, *, train=False, rng=None, masks=None, keep_hidden=False):
        p = self.dropout
        if p == 0:
            return super().forward(X, train=train, rng=rng, masks=masks, keep_hidden=keep_hidden)
        shapes = [(len(X), h) for h in self.dims[1:-1]]
        if train:      # the same random numbers, in the same order, as MLP's own masks
            g = self.rng if rng is None else np.random.default_rng(rng)
            keep = masks if masks is not None else [g.random(s) >= p for s in shapes]
            masks = [k * (1 - p) for k in keep]
        else:
            masks = [np.full(s, (1 - p) ** 2) for s in shapes]
        return super().forward(X, train=True, masks=masks, keep_hidden=keep_hidden)


p = 0.2
D100 = load_mnist(100, 0, 0, rng=0)                       # 100 digits, just to push through the nets
X100, y100 = D100["X_train"], D100["y_train"]
orig = OriginalDropoutMLP(784, [100] * 6, 10, dropout=p, rng=0)
inv = MLP(784, [100] * 6, 10, dropout=p, rng=0)
inv.params = {k: (1 - p) * v if k.endswith(".W") and k != "fc1.W" else v.copy()
              for k, v in orig.params.items()}           # fc2 … fc7 see dropped inputs
keep = [np.random.default_rng(1).random((100, 100)) >= p for _ in range(6)]
same_test = np.allclose(orig.forward(X100)[0], inv.forward(X100)[0], rtol=1e-12, atol=1e-12)
same_train = np.allclose(orig.forward(X100, train=True, masks=keep)[0],
                         inv.forward(X100, train=True, masks=keep)[0], rtol=1e-12, atol=1e-12)
print(f"original form with W  ==  inverted form with (1 − p)·W after each dropout layer:")
print(f"  at test time: {same_test};  in training, same masks: {same_train}")

# %% [markdown]
# Same functions — but not the same training. Start both forms from the **same** He-initialised
# weights, as the textbook does. Each of the six dropout layers of the original form passes on
# (1 − p) times what the inverted form passes on (and ReLU keeps a factor), so with the same masks
# its scores are 0.8⁶ ≈ 0.26 times smaller, and its gradients shrink too. The inverted form keeps
# the scale He initialisation was designed for. (Both differ from the net without dropout: the
# random masks add spread.)

# %%
print(f"{'same weights, training mode, same masks':40s} {'std of scores':>14s} {'‖∂L/∂W₁‖':>10s}")
init_stats = {}
for name, net in (("dropout 0.2, inverted", MLP(784, [100] * 6, 10, dropout=0.2, rng=0)),
                  ("dropout 0.2, original", OriginalDropoutMLP(784, [100] * 6, 10, dropout=0.2, rng=0)),
                  ("no dropout (for reference)", MLP(784, [100] * 6, 10, rng=0))):
    scores = net.forward(X100, train=True, rng=1)[0]
    _, grads = net.loss(X100, y100, rng=1)
    init_stats[name] = np.array([scores.std(), np.linalg.norm(grads["fc1.W"])])
    print(f"{name:40s} {init_stats[name][0]:14.3f} {init_stats[name][1]:10.3f}")
ratio = init_stats["dropout 0.2, original"] / init_stats["dropout 0.2, inverted"]
print(f"original ÷ inverted: scores {ratio[0]:.3f} (0.8⁶ = {0.8 ** 6:.3f}), first-layer gradient {ratio[1]:.3f}")

# %% [markdown]
# ### Gradient check under a fixed mask
#
# A numerical gradient compares f(w + h) with f(w − h); both must use the **same** thinned network,
# so the mask is fixed (`mask=` for the layer, `masks=` for the net). With a fresh mask on every
# call the difference quotient measures the change of mask, not of w.

# %%
g = np.random.default_rng(1)
x_gc, dout_gc = g.standard_normal((5, 7)), g.standard_normal((5, 7))
keep_gc = g.random((5, 7)) >= 0.3
_, cache_gc = L.dropout_forward(x_gc, 0.3, train=True, mask=keep_gc)
err = rel_error(L.dropout_backward(dout_gc, cache_gc),
                numerical_gradient_array(lambda: L.dropout_forward(x_gc, 0.3, train=True, mask=keep_gc)[0],
                                         x_gc, dout_gc))
print(f"dropout layer, p = 0.3, fixed mask: relative error {'< 1e-8  ✓' if err < 1e-8 else f'{err:.1e}  ✗'}")

small = MLP(6, [5, 4], 3, dropout=0.3, init=1.0, rng=2)
Xs, ys = g.standard_normal((8, 6)), np.arange(8) % 3
masks_gc = [g.random((8, 5)) >= 0.3, g.random((8, 4)) >= 0.3]
_, grads = small.loss(Xs, ys, masks=masks_gc)
err = max(rel_error(grads[k], numerical_gradient(lambda: small.loss(Xs, ys, masks=masks_gc)[0], small.params[k]))
          for k in small.params)
print(f"MLP 6-5-4-3, p = 0.3, fixed masks, all {len(small.params)} parameter arrays: "
      f"relative error {'< 1e-7  ✓' if err < 1e-7 else f'{err:.1e}  ✗'}")
err = max(rel_error(grads[k], numerical_gradient(lambda: small.loss(Xs, ys)[0], small.params[k]))
          for k in small.params)
print(f"the same with a fresh mask on every call: relative error {'> 0.1, meaningless' if err > 0.1 else f'{err:.1e}'}")

# %% [markdown]
# ## 3 · The textbook experiment, reproduced
#
# The textbook's recipe: **300** MNIST training digits, a 784-100×6-10 ReLU net (He initialisation),
# plain SGD with η = 0.01, batches of 100, **300 epochs**, dropout p = 0.2 after every hidden
# layer, accuracy on training and test data after every epoch, next to the same net without
# dropout. We use chapter 04's split (the same 300 training and 500 test digits) and run the
# dropout net twice: in the textbook's form (its `Dropout` layer is the original one) and in the
# inverted form. All three nets start from the same weights and see the same mini-batches; the
# two dropout nets even draw the same masks.

# %%
DIGITS = load_mnist(300, 500, 500, rng=0)        # chapter 04's split; the 500 validation digits stay unused
TEXTBOOK = {k: DIGITS[k] for k in ("X_train", "y_train", "X_test", "y_test")}
EPOCHS = 300


def textbook_net(dropout=0.0, form="inverted", rng=0):
    cls = OriginalDropoutMLP if form == "original" else MLP
    return cls(784, [100] * 6, 10, dropout=dropout, rng=rng)


def textbook_run(net, rng=0, evaluate=True):
    # SGD η = 0.01, batch 100, 300 epochs; evaluate=False skips the per-epoch accuracies.
    data = TEXTBOOK if evaluate else {k: TEXTBOOK[k] for k in ("X_train", "y_train")}
    return train(net, data, Optimizer("sgd", lr=0.01), epochs=EPOCHS, batch_size=100, rng=rng,
                 eval_train=evaluate)


t0 = time.perf_counter()
RUNS = {}
for name, kw in (("no dropout", {}), ("dropout 0.2, textbook's form", dict(dropout=0.2, form="original")),
                 ("dropout 0.2, inverted", dict(dropout=0.2))):
    net = textbook_net(**kw)
    RUNS[name] = (net, textbook_run(net))
print(f"three 300-epoch runs ⏱ {time.perf_counter() - t0:.1f} s\n")
print(f"{'after 300 epochs':30s} {'train':>7s} {'test':>7s} {'gap':>11s}")
for name, (net, h) in RUNS.items():
    tr, te = h.train_acc[-1], h.test_acc[-1]
    print(f"{name:30s} {tr:7.1%} {te:7.1%} {100 * (tr - te):5.1f} points")
h0 = RUNS["no dropout"][1]
print(f"\nno dropout: 100 % training accuracy from epoch {int(np.argmax(np.array(h0.train_acc) == 1.0)) + 1}; "
      f"test at epoch 200 {h0.test_acc[199]:.1%} (chapter 04's run)")

# %%
FORM_COLORS = {"no dropout": C_NONE, "dropout 0.2, textbook's form": C_DROP,
               "dropout 0.2, inverted": plots.PALETTE[0]}


def gap_panel(ax, h, title, color):
    plots.plot_curves(ax, h, "acc", parts=("train", "test"), color=color)
    ep = np.arange(1, h.epochs + 1)
    ax.fill_between(ep, h.test_acc, h.train_acc, color=color, alpha=0.12, lw=0)
    ax.set_title(f"{title}: gap {100 * (h.train_acc[-1] - h.test_acc[-1]):.1f} points", fontsize=13)
    ax.legend(loc="lower right")


fig, axes = plots.figure(2, 2, width=13, height=4.0, layout="constrained")
for ax, (name, (net, h)) in zip(axes.ravel(), RUNS.items()):
    gap_panel(ax, h, name, FORM_COLORS[name])
ax = axes[1, 1]
for name, (net, h) in RUNS.items():
    ax.plot(h.train_acc, h.test_acc, color=FORM_COLORS[name], lw=1.5, label=name)
ax.plot([0, 1], [0, 1], color="0.6", ls=":", lw=1)
ax.text(0.55, 0.6, "test = train", rotation=35, color="0.5", fontsize=11, ha="center")
ax.set(xlabel="training accuracy", ylabel="test accuracy", xlim=(0, 1.02), ylim=(0, 1.02),
       title="test vs train accuracy, one point per epoch")
ax.legend(loc="upper left", fontsize=10)
fig.suptitle("300 MNIST digits, 784-100×6-10, SGD η = 0.01, batch 100", fontsize=15)
plt.show()


# %%
def test_at_train(h, level):
    # Test accuracy at the first epoch whose training accuracy reaches `level` (None if never).
    hit = np.flatnonzero(np.array(h.train_acc) >= level)
    return (int(hit[0]) + 1, h.test_acc[hit[0]]) if hit.size else None


print("equal fit, fair comparison: test accuracy when training accuracy first reaches …")
print(f"{'':30s}" + "".join(f"{f'{lv:.0%}':>16s}" for lv in (0.6, 0.8, 0.95)))
for name, (net, h) in RUNS.items():
    cells = []
    for lv in (0.6, 0.8, 0.95):
        r = test_at_train(h, lv)
        cells.append(f"{r[1]:6.1%} (ep {r[0]:3d})" if r else f"{'never':>15s}")
    print(f"{name:30s}" + "".join(f"{c:>16s}" for c in cells))

# %% [markdown]
# **What you should see.** Without dropout the net memorises the 300 digits (100 % from epoch
# 104) and stalls at 79.2 % on the test set: a gap of 20.8 points. The **textbook's form**
# reproduces the book's picture: after 300 epochs 64.0 % train and 54.2 % test, a gap of only
# 9.8 points. But look at its speed — it is still climbing slowly. Its gap is small mostly because
# it has not fitted the training set yet (§2: its signal starts about 4× weaker than the
# inverted form's). The **inverted form**, from the same weights and with the same masks, learns much
# faster; by epoch 300 it is at 97.3 % / 78.0 %, a gap of 19.3 points, hardly narrower than without
# dropout.
#
# The fair comparison is at equal fit (bottom right, and the table): at the same training accuracy
# the dropout nets are better on the test set, by 5–7 points at 60 % and by about 2 points at 80 %
# and 95 % (inverted form; the textbook's form never gets there). So p = 0.2 does regularise,
# mildly. A narrow gap on its own does not show it, because a net that has not finished learning
# has a narrow gap too: judge a regulariser by test (in practice: validation) accuracy.

# %% [markdown]
# ## 4 · Live: dropout rate, weight decay and the decision boundary
#
# On 2-D data we can *see* what a regulariser does. Two noisy half-moons (noise 0.3), only **60**
# training points and 500 test points; a 2-100-100-2 ReLU net with dropout p after both hidden
# layers and optional L2 weight decay λ (chapter 04), trained with Adam (η = 0.01, batches of 20)
# for 300 epochs. First the reference runs without and with dropout, then the dashboard.

# %%
X_m, y_m = make_moons(560, noise=0.3, rng=0)
perm = np.random.default_rng(0).permutation(len(y_m))          # make_moons returns class 0 first
X_m, y_m = X_m[perm], y_m[perm]
MOONS = dict(X_train=X_m[:60], y_train=y_m[:60], X_test=X_m[60:], y_test=y_m[60:])
TOY_CACHE = {}                                                  # finished runs, by control values


def toy_run(p, lam, lr, epochs, on_epoch=None, live=None):
    key = (round(p, 4), lam, lr, epochs)
    if key in TOY_CACHE:
        return TOY_CACHE[key]
    net = MLP(2, [100, 100], 2, dropout=p, weight_decay=lam, rng=0)
    if live is not None:
        live.partial["net"] = net
    h = train(net, MOONS, Optimizer("adam", lr=lr), epochs=int(epochs), batch_size=20,
              on_epoch=on_epoch, rng=0)
    if not h.cancelled:
        TOY_CACHE[key] = (net, h)
    return net, h


TOY_DEFAULTS = dict(p=0.5, lam=0.0, lr=0.01, epochs=300)
t0 = time.perf_counter()
toy_ref = {p: toy_run(**{**TOY_DEFAULTS, "p": p}) for p in (0.0, 0.5)}
print(f"two toy runs ⏱ {time.perf_counter() - t0:.2f} s")
print(f"{'moons, 60 points':18s} {'train':>7s} {'test':>7s}")
for p, (net, h) in toy_ref.items():
    print(f"{f'p = {p}':18s} {h.train_acc[-1]:7.1%} {h.test_acc[-1]:7.1%}")

# %%
fig, axes = plots.figure(1, 3, height=4.2, layout="constrained")
for ax, (p, (net, h)) in zip(axes, toy_ref.items()):
    plots.plot_decision_boundary(ax, net.predict, MOONS["X_train"], MOONS["y_train"], resolution=120)
    ax.set_title(f"p = {p}: train {h.train_acc[-1]:.0%} · test {h.test_acc[-1]:.1%}")
for p, (net, h) in toy_ref.items():
    plots.plot_curves(axes[2], h, "acc", parts=("train", "test"), label=f"p = {p}",
                      color=C_NONE if p == 0 else C_DROP)
axes[2].set_ylim(0.5, 1.02)
axes[2].legend(loc="lower right", fontsize=10)
axes[2].set_title("accuracy per epoch")
plt.show()


# %%
def toy_experiment(p, lam, lr, epochs, live):
    every = max(1, int(epochs) // 6)                 # about six live frames per run

    def on_epoch(h):
        live.partial["run"] = h
        if h.epochs % every:
            return not live.cancelled
        return live.tick(f"epoch {h.epochs}/{epochs}")

    net, h = toy_run(p, lam, lr, epochs, on_epoch=on_epoch, live=live)
    return {"run": h, "net": net}


def toy_draw(axes, result, values):
    net, h = result.get("net"), result.get("run")
    if net is None or h is None:
        return
    ax0, ax1 = axes
    lam = "off" if values["lam"] == 0 else f"{values['lam']:g}"
    if h.diverged_at is not None or not h.train_acc:
        ax0.text(0.5, 0.5, h.status, transform=ax0.transAxes, ha="center", va="center",
                 fontsize=15, color="#D55E00", fontweight="bold")
        ax0.axis("off")
    else:
        plots.plot_decision_boundary(ax0, net.predict, MOONS["X_train"], MOONS["y_train"], resolution=90)
        ax0.set_title(f"p = {values['p']:.2f}, λ {lam}: train {h.train_acc[-1]:.0%} · "
                      f"test {h.test_acc[-1]:.1%}", fontsize=13)
    ref = toy_ref[0.0][1]
    ax1.plot(np.arange(1, ref.epochs + 1), ref.test_acc, color="0.65", lw=1.5,
             label="p = 0, λ off (test)")
    if h.train_acc:
        plots.plot_curves(ax1, h, "acc", parts=("train", "test"), color=C_DROP)
    ax1.set_ylim(0.4, 1.02)
    ax1.set_xlim(0, max(values["epochs"], ref.epochs) + 1)
    ax1.legend(loc="lower right", fontsize=10)
    ax1.set_title(f"Adam η = {values['lr']:.2g}, {values['epochs']} epochs", fontsize=13)


toy_dash = widgets.Dashboard(
    toy_experiment, toy_draw, layout=(1, 2), figsize=(11, 4.4), stream_every=1,
    title="Dropout and weight decay on the moons (60 training points)",
    p=widgets.slider("dropout rate p", 0.0, 0.8, TOY_DEFAULTS["p"], step=0.05),
    lam=widgets.log_choice_slider("λ (L2)", 1e-4, 1.0, TOY_DEFAULTS["lam"]),
    lr=widgets.log_slider("learning rate η (Adam)", 1e-4, 0.3, TOY_DEFAULTS["lr"], fmt=".4f"),
    epochs=widgets.int_slider("epochs", 20, 1000, TOY_DEFAULTS["epochs"], step=20))
h = toy_dash.history
print(f"dashboard default (p = 0.5, λ off, η = 0.01, 300 epochs): train {h.train_acc[-1]:.1%}, "
      f"test {h.test_acc[-1]:.1%}")

# %% tags=["nbval-ignore-output"]
toy_dash

# %% [markdown]
# **What you should see — try these:**
# * **p:** at 0 the boundary grows a spike towards a single orange point inside the blue moon
#   (100 % train, 85.2 % test); at 0.5 it is a smooth S (88.8 % test). At 0.8 it is almost a bent
#   line and the training accuracy falls to 88 %: too much dropout underfits.
# * **epochs:** 1000 epochs at p = 0.5 bring the hooks back (98 % train, 84 % test). On 60 points
#   dropout slows memorisation down; it does not stop it.
# * **λ:** 0.01 alone gives 89.6 %, and together with p = 0.5 90.4 %, the best here — the two
#   regularisers combine. λ = 0.1 already flattens the boundary to a straight line; λ = 1 leaves
#   one class everywhere.
# * **η:** at 0.3 (with p = 0.5) Adam jumps around and the boundary is erratic (about 70 %); at 0.0003 the net is
#   still underfitting after 300 epochs.

# %% [markdown]
# ## 5 · Dropout as an ensemble
#
# Averaging the predictions of several independently trained models (an **ensemble**) almost always
# beats a single model: their errors are partly independent and cancel. Dropout trains 2ⁿ
# weight-sharing sub-networks at the price of one. At test time the scaled full network stands in
# for their average — an approximation (for one softmax layer it is exactly the normalised
# geometric mean of the sub-networks' predictions; with hidden non-linearities it is not exact).
#
# ### Monte-Carlo averaging of K thinned networks
#
# We can also average explicitly: K forward passes in training mode, each with fresh masks
# (`net.forward(X, train=True, rng=…)`), and average the K softmax outputs. This is the inverted
# dropout net from §3 on the 500 test digits. (The same trick, "MC dropout", is used to estimate
# a model's uncertainty from the spread of the K predictions.)

# %%
net_drop = RUNS["dropout 0.2, inverted"][0]
X_test, y_test = TEXTBOOK["X_test"], TEXTBOOK["y_test"]
scaled_pred = net_drop.predict(X_test)
acc_scaled = np.mean(scaled_pred == y_test)

K_MAX, K_SHOW = 200, (1, 2, 5, 10, 20, 50, 100, 200)
g = np.random.default_rng(0)
prob_sum, mc_acc, mc_agree = 0.0, {}, {}
for k in range(1, K_MAX + 1):
    prob_sum = prob_sum + L.softmax(net_drop.forward(X_test, train=True, rng=g)[0])
    pred = prob_sum.argmax(axis=1)
    mc_acc[k], mc_agree[k] = np.mean(pred == y_test), np.mean(pred == scaled_pred)

print(f"scaled network (one pass, inference mode): test accuracy {acc_scaled:.1%}")
print(f"{'K':>4s} {'MC average of K':>16s} {'same answer as scaled net':>27s}")
for k in K_SHOW:
    print(f"{k:4d} {mc_acc[k]:16.1%} {mc_agree[k]:27.1%}")

# %% [markdown]
# ### A real ensemble: M independently trained nets
#
# Now the thing dropout imitates. Four nets **without** dropout, each trained with the textbook
# recipe from its own random initialisation and mini-batch order (the first is §3's "no dropout"
# net; the other three are trained here, without the per-epoch evaluation). The ensemble averages
# their softmax outputs.

# %%
t0 = time.perf_counter()
members = [RUNS["no dropout"][0]]
for seed in (1, 2, 3):
    net = textbook_net(rng=seed)
    textbook_run(net, rng=seed, evaluate=False)
    members.append(net)
print(f"three more 300-epoch runs ⏱ {time.perf_counter() - t0:.1f} s\n")

member_probs = [L.softmax(m.forward(X_test)[0]) for m in members]
member_acc = [np.mean(pr.argmax(axis=1) == y_test) for pr in member_probs]
ens_acc = [np.mean(np.mean(member_probs[:m], axis=0).argmax(axis=1) == y_test)
           for m in range(1, len(members) + 1)]
print(f"{'M':>2s} {'net M alone':>12s} {'ensemble of nets 1…M':>21s}")
for m in range(len(members)):
    print(f"{m + 1:2d} {member_acc[m]:12.1%} {ens_acc[m]:21.1%}")
print(f"\nfor comparison, one dropout net (p = 0.2, inverted): scaled {acc_scaled:.1%}, "
      f"MC average of 100 thinned nets {mc_acc[100]:.1%}")

# %%
fig, axes = plots.figure(1, 2, height=4.0, layout="constrained")
ks = np.arange(1, K_MAX + 1)
axes[0].plot(ks, [mc_acc[k] for k in ks], color=C_DROP, label="MC average of K thinned nets")
axes[0].axhline(acc_scaled, color="0.3", ls="--", lw=1.5, label=f"scaled net, one pass ({acc_scaled:.1%})")
axes[0].set(xscale="log", xlabel="K (forward passes with fresh masks)", ylabel="test accuracy",
            ylim=(0.5, 0.9), xticks=K_SHOW, xticklabels=[str(k) for k in K_SHOW],
            title="one dropout net (p = 0.2, inverted)")
axes[0].minorticks_off()
axes[0].legend(loc="lower right")
ms = np.arange(1, len(members) + 1)
axes[1].plot(ms, member_acc, "o", color=C_NONE, ms=8, label="each net alone (no dropout)")
axes[1].plot(ms, ens_acc, "-s", color=plots.PALETTE[0], ms=8, label="ensemble of nets 1…M")
axes[1].axhline(acc_scaled, color=C_DROP, ls="--", lw=1.5, label=f"dropout net, scaled ({acc_scaled:.1%})")
axes[1].set(xlabel="M (independently trained nets)", ylabel="test accuracy", ylim=(0.5, 0.9),
            xticks=ms, title="a real ensemble")
axes[1].legend(loc="lower right")
fig.suptitle("500 test digits; every net trained on the same 300 digits for 300 epochs", fontsize=14)
plt.show()

# %% [markdown]
# **What you should see.** One thinned network (K = 1) gets only 59.4 % — it is a net with a fifth
# of its units missing. Averaging a few fixes that quickly: from about K = 10 the Monte-Carlo
# average is within a point of the scaled network, and with 200 passes it matches it (78.0 %), so
# one cheap pass with scaled weights is a good stand-in for the average over thinned nets. It
# does not *beat* it here, though. The real ensemble does: four independently trained nets
# together reach 83.0 % against 79.2–81.4 % for each alone, and the gain grows with every member
# — because their errors are more independent than those of weight-sharing sub-networks. The
# price is M times the training and M times the inference. Dropout gets some of the ensemble
# effect for the price of one net.

# %% [markdown]
# ## 6 · A caveat: dropout in front of batch norm
#
# `MLP(batchnorm=True, dropout=p)` runs affine → BN → ReLU → dropout in every hidden layer, so the
# batch norm of layers 2–6 normalises inputs that went through dropout. During training, BN's
# running variance records the variance *with* the dropout noise; at test time the noise is gone,
# the variance is smaller, and BN divides by a number that is too large. The error compounds from
# layer to layer (Li et al. 2019 call it *variance shift*). To see it without any training, we run
# 60 mini-batches through a freshly initialised net in training mode (only BN's running averages
# change), then look at the BN outputs at test time on the 300 digits: their variance should be 1.

# %%
print(f"{'variance of the BN output at test time':40s}" + "".join(f"{f'layer {i}':>9s}" for i in range(1, 7)))
for p in (0.0, 0.2, 0.5):
    net = MLP(784, [100] * 6, 10, batchnorm=True, dropout=p, rng=0)
    g = np.random.default_rng(0)
    for _ in range(60):                                  # fills the running mean and variance
        net.forward(TEXTBOOK["X_train"][g.choice(300, 100, replace=False)], train=True, rng=g)
    _, _, hidden = net.forward(TEXTBOOK["X_train"], keep_hidden=True)     # inference mode
    print(f"{f'p = {p}':40s}" + "".join(f"{pre.var(axis=0).mean():9.3f}" for pre, _ in hidden))


# %% [markdown]
# Without dropout BN delivers variance 1 at test time, as in training. With p = 0.5 the sixth
# layer sees 1/70 of it: the net at test time is not the net that was trained. Remedies: put
# dropout only after the last batch-norm layer (in front of the output layer), or keep p small —
# `MLP` puts dropout after every hidden layer, so with `batchnorm=True` use p ≤ 0.1 or none.

# %% [markdown]
# ## 7 · Exercises
#
# **Exercise 1 — inverted dropout, forward.** Write `inverted_dropout_forward(x, p, mask, train)`.
# `p` is the drop probability; `mask` is an array of 0.0/1.0 shaped like `x`, **1 = keep** (it is
# passed in, instead of drawn inside, so that the check is deterministic — in `course_utils` it
# comes from `rng.random(x.shape) >= p`). In training mode return the inverted-dropout output; in
# test mode (`train=False`) return what inverted dropout does at test time.

# %%
def inverted_dropout_forward(x, p, mask, train):
    # BEGIN SOLUTION training: zero the units with mask 0 and rescale the rest so that E[out] = x; test mode: what is left to do?
    if not train:
        return x
    return x * mask / (1 - p)
    # END SOLUTION


# %%
_ = checks.check_dropout_forward(inverted_dropout_forward)


# %% [markdown]
# **Exercise 2 — inverted dropout, backward.** Write `inverted_dropout_backward(dout, p, mask)` for
# training mode: given the upstream gradient ∂L/∂out, return ∂L/∂x for the forward pass of
# Exercise 1 with the same `p` and `mask`.

# %%
def inverted_dropout_backward(dout, p, mask):
    # BEGIN SOLUTION out is x times a constant factor per unit: the gradient gets the same factor
    return dout * mask / (1 - p)
    # END SOLUTION


# %%
_ = checks.check_dropout_backward(inverted_dropout_backward)

# %% [markdown]
# ## Summary
#
# 1. Dropout zeroes each hidden unit with probability p (Keras' `rate`) at every training step, so each update trains one of 2ⁿ thinned networks that share the weights.
# 2. Training and test must agree in expectation: inverted dropout divides by 1 − p in training and leaves inference alone; the original form multiplies by 1 − p at test — same functions, but from the same initial weights they train at different speeds.
# 3. On 300 digits, p = 0.2 gives a narrower gap in the textbook's form mostly by slowing the fit; at equal training accuracy dropout is a few points better on the test set — judge by test accuracy, not by the gap.
# 4. The scaled network approximates the average of the thinned networks (Monte-Carlo averaging converges to it); a real ensemble of independently trained nets is better but costs M times as much.
# 5. Skip it for small nets that underfit (it removes capacity) and when data is plentiful; and never in front of a batch-norm layer, whose running variance then disagrees with test time — put dropout after the last BN layer.

# %%
print(f"whole notebook ⏱ {time.perf_counter() - T_START:.1f} s")
