# %% [markdown]
# # 01 · Optimizer race
#
# Training a network is walking downhill on a loss surface with a million dimensions, seeing only the
# local slope. *How* each step is taken — the **optimizer** — decides whether you arrive in 30 steps, in
# 3000, or never. This chapter races seven update rules: first on 2-D surfaces where every step is
# visible, then on a real MNIST network, and finally with a learning rate that shrinks over time.
#
# **Learning goals.** After this chapter you can
#
# 1. write the update rules of SGD, Momentum, Nesterov, AdaGrad, RMSProp, AdaDelta and Adam, and point to
#    each one in `course_utils.optimizers`;
# 2. say what goes wrong with plain SGD: a learning rate too small or too large, zig-zagging in a narrow
#    valley, stalling at a saddle point or in a local minimum;
# 3. say what the mini-batch size changes: gradient noise, updates per epoch, time per epoch;
# 4. explain AdaGrad's shrinking step and how RMSProp fixes it, why AdaDelta needs no η, and why Adam
#    corrects the bias of its moving averages;
# 5. choose an optimizer and a learning-rate schedule, and translate their settings between Keras,
#    PyTorch and this course.

# %%
import inspect
import time

import numpy as np
import matplotlib.pyplot as plt
import ipywidgets
from threadpoolctl import threadpool_limits

threadpool_limits(1)          # one BLAS thread: repeatable numbers
# %matplotlib inline
from course_utils import plots
from course_utils import checks, optimizers as opt, schedules, widgets as W
from course_utils import MLP, Optimizer, load_mnist, train
from course_utils.surfaces import SURFACES, run_optimizer
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

NAMES = ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adadelta", "adam"]
LABEL = plots.OPTIMIZER_LABELS          # "sgd" -> "SGD", ...
bowl = SURFACES["textbook"]             # f(x, y) = x²/20 + y², start (−7, 2)


def fmt(a):
    # an array printed with 4 decimals, the same on every machine
    return np.array2string(np.asarray(a, dtype=float), precision=4, floatmode="fixed", sign=" ")


def compare(by_hand, by_code):
    # each quantity computed by hand from the formula, next to the code's; then whether all agree
    for key in by_hand:
        print(f"{key + ' by hand:':<13}{fmt(by_hand[key])}")
        print(f"{key + ' by code:':<13}{fmt(by_code[key])}")
    print("match:", all(np.allclose(by_hand[k], by_code[k], rtol=1e-12, atol=1e-15) for k in by_hand))



# %% [markdown]
# ## 1 · Gradient descent and the learning rate
#
# Gradient descent moves every weight a small step against its gradient:
#
# $$w \leftarrow w - \eta\,\frac{\partial L}{\partial w}$$
#
# The **learning rate** η sets the step size. *Stochastic* gradient descent (SGD) takes the gradient
# from a mini-batch instead of the whole training set (section 2); the rule is the same. In
# `course_utils.optimizers` every rule is a small pure function on one array,
# `rule(w, dw, state, **hp) -> (w_new, state_new)`, with g = `dw` and η = `lr`:

# %%
print(inspect.getsource(opt.sgd))

# %% [markdown]
# **Check.** One step computed by hand with NumPy from the formula, one step of the code: the same
# numbers. Every rule in this chapter gets this check.

# %%
rng = np.random.default_rng(0)
w, dw = rng.standard_normal(4), rng.standard_normal(4)
w_code, _ = opt.sgd(w, dw, {}, lr=0.1)
compare({"w": w - 0.1 * dw}, {"w": w_code})


# %% [markdown]
# ### Too small, good, too large
#
# On $f(w) = w^2$ (gradient $2w$) one step multiplies $w$ by $1 - 2\eta$. With η = 0.05 that factor is
# 0.9 (slow), with η = 0.4 it is 0.2 (fast), with η = 1.05 it is −1.1: every step overshoots the minimum
# and lands *further* away on the other side. Twelve steps from $w = 4$:

# %%
def gd_1d(lr, w0=4.0, steps=12):
    ws = [w0]
    for _ in range(steps):
        ws.append(ws[-1] - lr * 2 * ws[-1])          # w ← w − η·f'(w) with f(w) = w²
    return np.array(ws)

LR_1D = {"too small": 0.05, "good": 0.4, "too large": 1.05}
LR_COLORS = {"too small": plots.PALETTE[0], "good": plots.PALETTE[2], "too large": plots.PALETTE[1]}
for name, lr in LR_1D.items():
    ws = gd_1d(lr)
    print(f"{name:<10} η = {lr:<5} w after 12 steps = {ws[-1]:9.4f}   f(w) = {ws[-1] ** 2:9.4f}")

# %%
fig, axes = plots.figure(1, 3, height=3.6)
for ax, (name, lr) in zip(axes, LR_1D.items()):
    ws = gd_1d(lr)
    span = max(4.5, 1.1 * np.abs(ws).max())
    xs = np.linspace(-span, span, 300)
    ax.plot(xs, xs ** 2, color="0.6", lw=1.5)
    ax.plot(ws, ws ** 2, "o-", color=LR_COLORS[name], ms=5, lw=1)
    ax.plot(ws[0], ws[0] ** 2, "s", color=LR_COLORS[name], ms=9)
    ax.set(title=f"{name}: η = {lr}", xlabel="w", ylabel="f(w) = w²" if ax is axes[0] else None)
fig.suptitle("12 gradient-descent steps on f(w) = w² from w = 4 (square = start)")
fig.tight_layout()
plt.show()

# %% [markdown]
# The same three regimes in 2-D, on the textbook's bowl $f(x, y) = x^2/20 + y^2$ (start $(-7, 2)$,
# 30 steps). The bowl is 20 times steeper in $y$ than in $x$, and the steep direction decides when
# gradient descent diverges: here the factor per step is $1 - 2\eta$ in $y$, so every η above 1 explodes.

# %%
LR_2D = {"too small": 0.1, "good": 0.95, "too large": 1.05}
paths_2d = {name: run_optimizer(bowl, "sgd", steps=30, lr=lr) for name, lr in LR_2D.items()}
for name, path in paths_2d.items():
    x, y = path[-1]
    print(f"{name:<10} η = {LR_2D[name]:<5} after 30 steps: (x, y) = ({x:8.4f}, {y:9.4f})   "
          f"f = {bowl.value(path[-1]):10.4f}")

# %%
fig, axes = plots.figure(1, 3, height=3.4)
for ax, (name, path) in zip(axes, paths_2d.items()):
    plots.plot_contours(ax, bowl)
    plots.plot_trajectory(ax, path, color=LR_COLORS[name])
    ax.set_title(f"SGD, {name}: η = {LR_2D[name]}")
fig.tight_layout()
plt.show()

# %% [markdown]
# **What you see.** Too small: the point creeps and is still far from the minimum (+) after 30 steps.
# Good (η = 0.95, the textbook's value): the $y$ coordinate flips sign at every step — the zig-zag — but
# shrinks, while $x$ slides slowly along the flat direction. Too large: the zig-zag grows until the point
# leaves the picture; f is above 1000 after 30 steps.
#
# ### The two problems of SGD
#
# Even with a good η, plain SGD has two weaknesses:
#
# 1. **Zig-zag in an ill-conditioned valley.** When the surface is much steeper in one direction than in
#    another, η must be small enough for the steep direction, so progress along the flat one is slow.
# 2. **Stalling where the gradient is (nearly) zero:** at a **saddle point** the slope vanishes, so SGD
#    crawls until a tiny push in the downhill direction has grown; in a **local minimum** it stops for good.

# %%
PROBLEMS = {"ill_conditioned": (0.24, 60), "saddle": (0.05, 100), "two_minima": (0.1, 100)}
prob_paths = {s: run_optimizer(SURFACES[s], "sgd", steps=n, lr=lr) for s, (lr, n) in PROBLEMS.items()}

p = prob_paths["ill_conditioned"]
flips = int(np.sum(np.sign(p[1:, 1]) != np.sign(p[:-1, 1])))
print(f"ill-conditioned (η = 0.24): y changes sign in {flips} of 60 steps; x went from {p[0, 0]:.1f} "
      f"to {p[-1, 0]:.4f} (minimum at 0)")
p = prob_paths["saddle"]
near = int(np.sum(np.linalg.norm(p, axis=1) < 0.3))
print(f"saddle (η = 0.05): {near} of 101 points lie within 0.3 of the saddle point (0, 0); "
      f"end ({p[-1, 0]:.4f}, {p[-1, 1]:.4f}), a minimum is (0, 1.4142)")
p, S = prob_paths["two_minima"], SURFACES["two_minima"]
print(f"two minima (η = 0.1): stops at ({p[-1, 0]:.4f}, {p[-1, 1]:.4f}) with f = {S.value(p[-1]):.4f}; "
      f"the global minimum ({S.minimum[0]:.4f}, 0) has f = {S.value(S.minimum):.4f}")

# %%
fig, axes = plots.figure(1, 3, height=3.6)
TITLES = {"ill_conditioned": "zig-zag: x²/100 + 4y²", "saddle": "saddle: x² − y² + y⁴/4",
          "two_minima": "local minimum: (x² − 1)² + 0.3x + y²"}
for ax, (s, path) in zip(axes, prob_paths.items()):
    plots.plot_contours(ax, SURFACES[s], levels=np.linspace(0.05, 4, 25) if s == "ill_conditioned" else None)
    plots.plot_trajectory(ax, path, color=plots.color_for("sgd"))
    lr, n = PROBLEMS[s]
    ax.set_title(f"{TITLES[s]}\nSGD η = {lr}, {n} steps", fontsize=12)
axes[0].set(xlim=(-8.3, -5.7), ylim=(-1.2, 1.2))          # zoom in: the minimum (0, 0) is far to the right
axes[0].annotate("minimum (0, 0)\nfar to the right →", (0.97, 0.04), xycoords="axes fraction", ha="right",
                 fontsize=11, color="0.3")
fig.tight_layout()
plt.show()

# %% [markdown]
# **What you see.** Left: the zig-zag across the narrow valley — $y$ changes sign at every step, while
# $x$ has covered only a quarter of the way to 0 after 60 steps (the panel is zoomed in). Middle: the points pile up
# around the saddle point in the centre; SGD needs dozens of steps before the tiny initial $y = 0.001$
# has grown enough to fall off. Right: SGD slides into the nearer, *shallower* minimum on the right and
# stays there; the deeper one on the left is never found. Momentum and the adaptive methods below each
# attack one of these problems.

# %% [markdown]
# ## 2 · Mini-batches
#
# The loss is an average over $N$ training examples, so its exact gradient needs all $N$. A
# **mini-batch** of $B$ random examples gives a cheaper, noisy estimate:
#
# $$g = \frac{1}{B} \sum_{i \in \text{batch}} \nabla L_i(w), \qquad \text{updates per epoch} = \lceil N / B \rceil$$
#
# $B = N$ is full-batch gradient descent, $B = 1$ is "pure" SGD. Below: the 784-100×4-10 network of
# this chapter on 512 MNIST digits, SGD with η = 0.01 for 3 epochs, three batch sizes.

# %%
mnist_small = load_mnist(512, n_test=500)
BATCHES = {"batch 1 (SGD)": 1, "batch 32": 32, "batch 512 (full)": 512}
BATCH_COLORS = dict(zip(BATCHES, [plots.PALETTE[1], plots.PALETTE[0], plots.PALETTE[2]]))
mb_hist = {}
for name, b in BATCHES.items():
    net = MLP(784, [100] * 4, 10, rng=0)
    h = mb_hist[name] = train(net, mnist_small, Optimizer("sgd", lr=0.01), epochs=3, batch_size=b, rng=0)
    print(f"{name:<17} {len(h.batch_loss) // 3:4d} updates/epoch   loss in epoch 3: {h.train_loss[-1]:.4f}"
          f"   test accuracy {h.test_acc[-1]:6.1%}   ⏱ {h.seconds / 3:.3f} s per epoch")

# %%
fig, axes = plots.figure(1, 3, height=3.4, sharey=True)
for ax, (name, h) in zip(axes, mb_hist.items()):
    per_epoch = len(h.batch_loss) / 3
    x = np.arange(1, len(h.batch_loss) + 1) / per_epoch
    ax.plot(x, h.batch_loss, color=BATCH_COLORS[name], alpha=0.25, lw=1)
    ax.plot(x, plots.smooth(h.batch_loss, max(1, int(per_epoch) // 8)), color=BATCH_COLORS[name])
    ax.set(title=f"{name}: {int(per_epoch)} updates/epoch", xlabel="epoch", xlim=(0, 3), ylim=(0, 4))
axes[0].set_ylabel("mini-batch loss")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Time per epoch.** Small batches do many cheap updates, large batches few expensive ones — but a
# computer handles a batch of 32 almost as fast as a batch of 1 (vectorized matrix products), so the
# time *per epoch* drops sharply as the batch grows, then levels off. One epoch on the same 512 digits
# for every power of two (your numbers will differ; the shape will not):

# %%
SIZES = [2 ** k for k in range(10)]                         # 1, 2, 4, ..., 512
train_only = {"X_train": mnist_small["X_train"], "y_train": mnist_small["y_train"]}
sec_per_epoch = {}
for b in SIZES:
    net = MLP(784, [100] * 4, 10, rng=0)
    sec_per_epoch[b] = train(net, train_only, Optimizer("sgd", lr=0.01), epochs=1, batch_size=b,
                             rng=0, eval_train=False).seconds
for b in SIZES:
    n_up = -(-512 // b)
    print(f"batch {b:3d}: {n_up:3d} updates/epoch   ⏱ {sec_per_epoch[b]:.3f} s per epoch   "
          f"⏱ {1000 * sec_per_epoch[b] / n_up:.2f} ms per update")

# %%
fig, axes = plots.figure(1, 2, height=3.4)
axes[0].loglog(SIZES, [sec_per_epoch[b] for b in SIZES], "o-", color=plots.PALETTE[0])
axes[0].set(xlabel="batch size", ylabel="seconds per epoch", title="time per epoch")
axes[1].loglog(SIZES, [1000 * sec_per_epoch[b] / -(-512 // b) for b in SIZES], "o-", color=plots.PALETTE[1])
axes[1].set(xlabel="batch size", ylabel="ms per update", title="time per update")
for ax in axes:
    ax.set_xticks(SIZES, [str(b) for b in SIZES])
    ax.minorticks_off()
fig.tight_layout()
plt.show()


# %% [markdown]
# **What you see.** Batch 1 makes 512 updates per epoch: its loss curve is a cloud (single digits are
# easy or hard), but after 3 epochs its loss is by far the lowest — it simply took 1536 steps. Batch 32
# is much less noisy but has made only 48 updates. The full batch gives a smooth curve of just 3 points
# and has barely started: with the same η it gets one update per epoch. In wall time, batch 1 is the
# slowest per epoch by far; from about 16 examples on, the time per epoch changes little (the exact
# numbers depend on the machine and its load). Hence the usual compromise, mini-batches of 32–256:
# many updates per epoch, little noise, the hardware fully used — with η tuned to the batch size.
#
# **Play.** Move the batch size (powers of two) and the learning rate. The right panel puts the run on
# the timing curve measured above.

# %%
def batch_experiment(batch_size, lr, live):
    net = MLP(784, [100] * 4, 10, rng=0)
    return {"run": train(net, mnist_small, Optimizer("sgd", lr=lr), epochs=3, batch_size=batch_size,
                         rng=0, on_epoch=live.track("run"))}

def batch_draw(axes, result, values):
    ax, ax_t = axes
    b = values["batch_size"]
    per_epoch = -(-512 // b)
    h = (result or {}).get("run")
    color = plots.PALETTE[0]
    if h is not None and h.batch_loss:
        x = np.arange(1, len(h.batch_loss) + 1) / per_epoch
        ax.plot(x, h.batch_loss, color=color, alpha=0.25, lw=1)
        ax.plot(x, plots.smooth(h.batch_loss, max(1, per_epoch // 8)), color=color)
        plots.mark_divergence(ax, h)
    ax.set(xlim=(0, 3), ylim=(0, 4), xlabel="epoch", ylabel="mini-batch loss",
           title=f"batch {b}: {per_epoch} updates per epoch, η = {values['lr']:.3g}")
    ax_t.loglog(SIZES, [sec_per_epoch[s] for s in SIZES], "o-", color="0.6", label="measured above")
    if h is not None and h.epochs:
        ax_t.loglog([b], [h.seconds / h.epochs], "o", ms=13, color=color, label="this run")
    ax_t.set_xticks(SIZES, [str(s) for s in SIZES])
    ax_t.minorticks_off()
    ax_t.set(xlabel="batch size", ylabel="seconds per epoch", title="time per epoch")
    ax_t.legend(loc="upper right")

batch_dash = W.Dashboard(
    batch_experiment, batch_draw, layout=(1, 2), figsize=(11, 3.8), stream_every=1,
    batch_size=W.batch_slider("batch size", 32, min_exp=0, max_exp=9),
    lr=W.log_slider("learning rate η", 1e-3, 1.0, 0.01),
    margins=dict(left=0.07, right=0.98, bottom=0.14, top=0.9, wspace=0.25))

# %% tags=["nbval-ignore-output"]
batch_dash

# %% [markdown]
# ## 3 · The textbook race, reproduced
#
# The classic comparison: four optimizers, 30 updates each on $f(x, y) = x^2/20 + y^2$ from $(-7, 2)$,
# with the learning rates of *Deep Learning from Scratch* (ch. 6): SGD η = 0.95, Momentum η = 0.1
# (μ = 0.9), AdaGrad η = 1.5, Adam η = 0.3 (β₁ = 0.9, β₂ = 0.999). `run_optimizer` applies a rule
# from `course_utils.optimizers` to a surface and returns the path.

# %%
RACE = {"sgd": dict(lr=0.95), "momentum": dict(lr=0.1, momentum=0.9), "adagrad": dict(lr=1.5),
        "adam": dict(lr=0.3)}

def hp_text(hp):
    names = {"lr": "η", "momentum": "μ", "rho": "ρ", "beta1": "β₁", "beta2": "β₂", "eps": "ε"}
    return ", ".join(f"{names.get(k, k)} = {v:g}" for k, v in hp.items())

race = {name: run_optimizer(bowl, name, steps=30, **hp) for name, hp in RACE.items()}
for name, path in race.items():
    x, y = path[-1]
    print(f"{LABEL[name]:<9} {hp_text(RACE[name]):<16} after 30 updates: ({x:7.4f}, {y:7.4f})   "
          f"f = {bowl.value(path[-1]):.4f}   distance to (0, 0) = {np.hypot(x, y):.4f}")

# %%
fig, axes = plots.figure(2, 2, width=11, height=3.9)
for ax, (name, path) in zip(axes.ravel(), race.items()):
    plots.plot_contours(ax, bowl)
    plots.plot_trajectory(ax, path, color=plots.color_for(name))
    ax.set_title(f"{LABEL[name]}  ({hp_text(RACE[name])})")
fig.suptitle("30 updates on f(x, y) = x²/20 + y² from (−7, 2)")
fig.tight_layout()
plt.show()

# %% [markdown]
# **What you see** — the textbook's picture:
#
# * **SGD** zig-zags in $y$ (the steep direction) and needs all 30 steps to slide along $x$.
# * **Momentum** rolls like a ball: instead of a zig-zag it makes smooth swings in $y$ (alternating
#   gradients cancel in $v$), and its speed carries it past $x = 0$ to about $x \approx 0.9$ before it turns.
# * **AdaGrad** takes big steps at first, then its per-coordinate steps shrink; the $y$ oscillation dies
#   out almost at once and it ends closest to the minimum.
# * **Adam** moves almost diagonally at first (its first steps have size ≈ η in *every* coordinate), then
#   curves in with a mild overshoot, like momentum.

# %% [markdown]
# ## 4 · Each rule, formula next to code
#
# For every rule: the formula from the slides, the `course_utils` code (shown from the source), and one
# step by hand against one step of the code, with a state that is not zero.
#
# ### Momentum
#
# The velocity $v$ accumulates past gradients; the weight moves by the velocity:
#
# $$v \leftarrow \mu\, v + \eta\, g, \qquad w \leftarrow w - v$$
#
# A constant gradient builds up a velocity of $\eta g/(1-\mu)$ — ten steps' worth for μ = 0.9 — while
# gradients that flip sign (the zig-zag) cancel each other. (Other books store $-v$ or $v/\eta$; see
# section 8.)

# %%
print(inspect.getsource(opt.momentum))

# %%
rng = np.random.default_rng(1)
w, dw, v = rng.standard_normal(4), rng.standard_normal(4), rng.standard_normal(4)
lr, mu = 0.1, 0.9
v_hand = mu * v + lr * dw
w_code, state = opt.momentum(w, dw, {"v": v}, lr=lr, momentum=mu)
compare({"v": v_hand, "w": w - v_hand}, {"v": state["v"], "w": w_code})

# %% [markdown]
# ### Nesterov (look-ahead)
#
# Momentum will carry the weights to about $\theta - \mu v$ anyway, so take the gradient *there*:
#
# $$v \leftarrow \mu\, v + \eta\, \nabla L(\theta - \mu v), \qquad \theta \leftarrow \theta - v$$
#
# A network gives us the gradient only at its current weights, so the code stores the look-ahead point
# $w = \theta - \mu v$ itself; then the update needs just $g = \nabla L(w)$:
# $v \leftarrow \mu v + \eta g,\; w \leftarrow w - \mu v - \eta g$ (with the new $v$).

# %%
print(inspect.getsource(opt.nesterov))

# %% [markdown]
# **Check.** Five steps on the textbook bowl: the slide's form (by hand, gradient at $\theta - \mu v$)
# against the code (gradient at $w$). At every step the code's $w$ must equal the slide's $\theta - \mu v$.

# %%
lr, mu = 0.1, 0.9
theta, v = np.array(bowl.start), np.zeros(2)                  # the slide's variables
w, state = np.array(bowl.start), opt.init_nesterov(np.zeros(2))
ok = True
for step in range(1, 6):
    v = mu * v + lr * bowl.gradient(theta - mu * v)           # by hand: gradient at the look-ahead point
    theta = theta - v
    w, state = opt.nesterov(w, bowl.gradient(w), state, lr=lr, momentum=mu)
    ok = ok and np.allclose(theta - mu * v, w, rtol=1e-12, atol=1e-15)
    print(f"step {step}:  θ − μv by hand {fmt(theta - mu * v)}   w by code {fmt(w)}")
print("match:", ok)

# %% [markdown]
# ### AdaGrad
#
# Every weight gets its own step size, from the sum of its squared gradients so far:
#
# $$G \leftarrow G + g \odot g, \qquad w \leftarrow w - \frac{\eta}{\sqrt{G + \varepsilon}} \odot g$$
#
# Weights with large gradients get small steps and vice versa — that is why AdaGrad killed the
# $y$-oscillation in the race. ($\varepsilon = 10^{-7}$ inside the root, as on the slides.)

# %%
print(inspect.getsource(opt.adagrad))

# %%
rng = np.random.default_rng(2)
w, dw, G = rng.standard_normal(4), rng.standard_normal(4), rng.random(4)
lr, eps = 0.1, 1e-7
G_hand = G + dw * dw
w_code, state = opt.adagrad(w, dw, {"G": G}, lr=lr, eps=eps)
compare({"G": G_hand, "w": w - lr * dw / np.sqrt(G_hand + eps)}, {"G": state["G"], "w": w_code})

# %% [markdown]
# ### RMSProp
#
# AdaGrad's $G$ only grows, so its steps only shrink — after enough steps, learning stops. RMSProp
# replaces the sum by a **moving average** that forgets old gradients:
#
# $$s \leftarrow \rho\, s + (1 - \rho)\, g \odot g, \qquad w \leftarrow w - \frac{\eta}{\sqrt{s + \varepsilon}} \odot g$$
#
# with ρ = 0.9 (Keras' default; PyTorch uses 0.99 and calls it α).

# %%
print(inspect.getsource(opt.rmsprop))

# %%
rng = np.random.default_rng(3)
w, dw, s = rng.standard_normal(4), rng.standard_normal(4), rng.random(4)
lr, rho, eps = 0.01, 0.9, 1e-7
s_hand = rho * s + (1 - rho) * dw * dw
w_code, state = opt.rmsprop(w, dw, {"s": s}, lr=lr, rho=rho, eps=eps)
compare({"s": s_hand, "w": w - lr * dw / np.sqrt(s_hand + eps)}, {"s": state["s"], "w": w_code})

# %% [markdown]
# **AdaGrad's problem, and RMSProp's fix.** Feed both rules the same stream of gradients — noisy, around
# 1, as on a long slope — with the same η = 0.1, and record the effective step size η/√(G + ε) and
# η/√(s + ε) after each update:

# %%
T = 300
g_stream = 1.0 + 0.5 * np.random.default_rng(4).standard_normal(T)     # noisy gradients around 1
eff = {"adagrad": [], "rmsprop": []}
travelled = {"adagrad": [0.0], "rmsprop": [0.0]}
for name in eff:
    w, state = np.zeros(1), opt.INIT[name](np.zeros(1))
    for g in g_stream:
        w, state = opt.OPTIMIZERS[name](w, np.array([g]), state, lr=0.1)
        acc = state["G"] if name == "adagrad" else state["s"]
        eff[name].append(float(0.1 / np.sqrt(acc[0] + opt.DEFAULTS[name]["eps"])))
        travelled[name].append(float(-w[0]))
for t in (1, 10, 100, 300):
    print(f"after {t:3d} steps: AdaGrad η/√(G+ε) = {eff['adagrad'][t - 1]:.4f}   "
          f"RMSProp η/√(s+ε) = {eff['rmsprop'][t - 1]:.4f}")
print(f"distance travelled in {T} steps: AdaGrad {travelled['adagrad'][-1]:.2f}, "
      f"RMSProp {travelled['rmsprop'][-1]:.2f}")

# %%
fig, axes = plots.figure(1, 2, height=3.6)
steps = np.arange(1, T + 1)
for name in eff:
    axes[0].plot(steps, eff[name], color=plots.color_for(name), label=LABEL[name])
    axes[1].plot(np.arange(T + 1), travelled[name], color=plots.color_for(name), label=LABEL[name])
axes[0].plot(steps, 0.1 / np.sqrt(1.25 * steps), "--", color="0.5", lw=1.5, label="η/√(1.25·t)")
axes[0].set(yscale="log", xlabel="step t", ylabel="effective step size", title="step size per weight")
axes[1].set(xlabel="step t", ylabel="distance travelled", title="progress down a long slope")
for ax in axes:
    ax.legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# **What you see.** AdaGrad's effective step falls like $1/\sqrt{t}$ (dashed line: $\mathbb{E}[g^2] = 1.25$
# here): after 100 steps it is 16 times smaller than at the first step; its distance travelled grows only like
# $\sqrt{t}$. RMSProp's step settles near η/RMS(g) ≈ 0.09 and stays there, so it keeps moving at a
# constant speed. On a network, AdaGrad's steps can become too small before the job is done; RMSProp's
# cannot.
#
# ### AdaDelta (no learning rate)
#
# AdaDelta keeps RMSProp's average of squared gradients $s$ and adds a second average $d$ of squared
# *steps*; the ratio of the two roots sets the step, so no η is needed:
#
# $$s \leftarrow \rho s + (1 - \rho)\, g \odot g, \quad
# \Delta w = -\frac{\sqrt{d + \varepsilon}}{\sqrt{s + \varepsilon}} \odot g, \quad
# d \leftarrow \rho d + (1 - \rho)\, \Delta w \odot \Delta w, \quad
# w \leftarrow w + \Delta w$$
#
# ρ = 0.95 and ε = 10⁻⁶ are Zeiler's values. The code's `lr` only multiplies the final step and is 1 by
# default, i.e. absent.

# %%
print(inspect.getsource(opt.adadelta))

# %%
rng = np.random.default_rng(5)
w, dw = rng.standard_normal(4), rng.standard_normal(4)
s, d = rng.random(4), 0.01 * rng.random(4)
rho, eps = 0.95, 1e-6
s_hand = rho * s + (1 - rho) * dw * dw
delta = -np.sqrt(d + eps) / np.sqrt(s_hand + eps) * dw
w_code, state = opt.adadelta(w, dw, {"s": s, "d": d}, rho=rho, eps=eps)
compare({"s": s_hand, "d": rho * d + (1 - rho) * delta * delta, "w": w + delta},
        {"s": state["s"], "d": state["d"], "w": w_code})

# %% [markdown]
# **Without η, where does the step size come from?** From ε and AdaDelta's own history. Feed it a
# constant gradient $c$: the first step is $\sqrt{\varepsilon}/\sqrt{(1-\rho)c^2}\cdot c \approx 0.0045$
# whatever $c$ is, and then the steps grow as $d$ fills up. Scaling the gradient by 100 leaves the steps
# unchanged — the step has the units of $w$, not of the gradient.

# %%
ada_steps = {}
for c in (0.1, 1.0, 10.0):
    w, state, sizes = np.zeros(1), opt.init_adadelta(np.zeros(1)), []
    for _ in range(300):
        w_new, state = opt.adadelta(w, np.array([c]), state)
        sizes.append(float(abs(w_new[0] - w[0])))
        w = w_new
    ada_steps[c] = sizes
    print(f"gradient c = {c:<5} |Δw| at steps 1, 10, 100, 300: "
          + "  ".join(f"{sizes[t - 1]:.5f}" for t in (1, 10, 100, 300)))

# %% [markdown]
# ### Adam
#
# Momentum (a moving average $m$ of the gradient) plus RMSProp (a moving average $v$ of its square), both
# started at 0 and therefore **bias-corrected**:
#
# $$t \leftarrow t + 1, \quad m \leftarrow \beta_1 m + (1-\beta_1)\, g, \quad v \leftarrow \beta_2 v + (1-\beta_2)\, g \odot g$$
# $$\hat m = \frac{m}{1 - \beta_1^t}, \quad \hat v = \frac{v}{1 - \beta_2^t}, \quad w \leftarrow w - \eta\, \frac{\hat m}{\sqrt{\hat v} + \varepsilon}$$
#
# with β₁ = 0.9, β₂ = 0.999, ε = 10⁻⁸ *outside* the root (Kingma & Ba, Algorithm 1).

# %%
print(inspect.getsource(opt.adam))

# %%
rng = np.random.default_rng(6)
w, dw, m, v = rng.standard_normal(4), rng.standard_normal(4), 0.1 * rng.standard_normal(4), 0.01 * rng.random(4)
t, lr, b1, b2, eps = 3, 0.001, 0.9, 0.999, 1e-8
m_hand, v_hand = b1 * m + (1 - b1) * dw, b2 * v + (1 - b2) * dw * dw
m_hat, v_hat = m_hand / (1 - b1 ** (t + 1)), v_hand / (1 - b2 ** (t + 1))
w_code, state = opt.adam(w, dw, {"m": m, "v": v, "t": t}, lr=lr, beta1=b1, beta2=b2, eps=eps)
compare({"m": m_hand, "v": v_hand, "w": w - lr * m_hat / (np.sqrt(v_hat) + eps)},
        {"m": state["m"], "v": state["v"], "w": w_code})
print("t by code:", state["t"], "(was 3)")

# %% [markdown]
# **Why the bias correction?** $m$ and $v$ start at 0, so early on they are too small: after one step
# $m = 0.1\,g$ and $v = 0.001\,g^2$. Dividing by $1 - \beta^t$ undoes exactly that. Take a constant
# gradient $g$: with the correction every step has size η (m̂ = g, v̂ = g²); without it the step is
# $\eta\,(1-\beta_1^t)/\sqrt{1-\beta_2^t}$ — because β₂ is closer to 1 than β₁, $v$ is underestimated
# more than $m$, and the first steps come out several times **too large**.

# %%
tt = np.arange(1, 301)
with_corr, g = [], 0.5
w, state = np.zeros(1), opt.init_adam(np.zeros(1))
for _ in tt:
    w_new, state = opt.adam(w, np.array([g]), state, lr=0.001)
    with_corr.append(float(abs(w_new[0] - w[0])) / 0.001)
    w = w_new
without_corr = (1 - 0.9 ** tt) * g / (np.sqrt((1 - 0.999 ** tt) * g * g) + 1e-8)   # m/(√v + ε) by hand
for k in (1, 2, 3, 5, 10, 100, 300):
    print(f"step {k:3d}:  |Δw|/η with correction {with_corr[k - 1]:.4f}   without {without_corr[k - 1]:.4f}")

# %%
fig, axes = plots.figure(1, 2, height=3.6)
for i, (c, sizes) in enumerate(ada_steps.items()):
    axes[0].plot(np.arange(1, 301), sizes, color=plots.PALETTE[i], lw=2 + (2 - i),
                 label=f"gradient {c:g}", alpha=0.9)
axes[0].set(xlabel="step", ylabel="|Δw|", title="AdaDelta: step size without η", ylim=(0, 0.007))
axes[1].plot(tt, with_corr, color=plots.color_for("adam"), label="with correction")
axes[1].plot(tt, without_corr, "--", color="0.3", label="without")
axes[1].set(xscale="log", xlabel="step t", ylabel="|Δw| / η", title="Adam, constant gradient",
            ylim=(0, 8.5))
axes[0].legend(loc="lower right")
axes[1].legend(loc="upper right")
fig.tight_layout()
plt.show()

# %% [markdown]
# **What you see.** Left: the three AdaDelta curves lie on top of each other (gradients 0.1, 1 and 10
# give the same steps), starting at about 0.0045 = √ε/√(1 − ρ) and growing slowly as $d$ fills up
# (0.0061 after 300 steps): AdaDelta sets its own step size, and it starts small. Right: with bias correction Adam's step is exactly η from the first
# step on; without it, the step is 3.2η at step 1 and about 6.5η around step 10, and it takes hundreds of
# steps to come back near η.

# %% [markdown]
# ## 5 · All seven on one surface
#
# Now all seven rules together, 100 steps each, on five surfaces: the textbook bowl, an ill-conditioned
# bowl (condition number 400), Rosenbrock's banana valley, a saddle, and a surface with two minima.
# Each surface has a preset learning rate per optimizer (μ = 0.9, ρ and β at their defaults) that gives
# a sensible picture; AdaDelta's multiplier is 1, i.e. no η. First the textbook bowl as a static figure:

# %%
PRESETS = {
    'textbook': dict(sgd=0.95, momentum=0.1, nesterov=0.1, adagrad=1.5, rmsprop=0.3, adadelta=1, adam=0.3),
    'ill_conditioned': dict(sgd=0.24, momentum=0.1, nesterov=0.1, adagrad=1, rmsprop=0.1, adadelta=1, adam=0.3),
    'rosenbrock': dict(sgd=0.001, momentum=0.001, nesterov=0.001, adagrad=1.5, rmsprop=0.5, adadelta=1, adam=1),
    'saddle': dict(sgd=0.05, momentum=0.01, nesterov=0.01, adagrad=0.3, rmsprop=0.03, adadelta=1, adam=0.1),
    'two_minima': dict(sgd=0.1, momentum=0.05, nesterov=0.03, adagrad=0.5, rmsprop=0.1, adadelta=1, adam=0.3),
}
MAX_STEPS = 200
LIMITS = {"sgd": (1e-4, 10), "momentum": (1e-4, 10), "nesterov": (1e-4, 10), "adagrad": (1e-4, 10),
          "rmsprop": (1e-4, 10), "adadelta": (0.1, 1000), "adam": (1e-4, 10)}

def distance(surface, path):
    return np.linalg.norm(path - np.array(surface.minimum), axis=1)

def dist_text(d):
    return f"{d:9.2e}" if d >= 1e-12 else "  < 1e-12"

all7 = {n: run_optimizer(bowl, n, steps=100, lr=PRESETS["textbook"][n]) for n in NAMES}
print(f"{'textbook bowl':<10} {'η':>7}   distance to the minimum after 10, 30, 100 steps")
for n, path in all7.items():
    d = distance(bowl, path)
    print(f"{LABEL[n]:<10} {PRESETS['textbook'][n]:7g}   " + "  ".join(dist_text(d[k]) for k in (10, 30, 100)))

# %%
fig, axes = plots.figure(1, 2, width=13, height=4.6)
plots.plot_contours(axes[0], bowl)
for n, path in all7.items():
    axes[0].plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1.3, color=plots.color_for(n), label=LABEL[n])
    axes[1].semilogy(np.maximum(distance(bowl, path), 1e-12), color=plots.color_for(n), label=LABEL[n])
axes[0].set_title("100 steps on x²/20 + y², preset learning rates")
axes[1].set(xlabel="step", ylabel="distance to the minimum", ylim=(1e-12, 20), title="distance (log scale)")
axes[1].legend(ncols=2, loc="lower left")
fig.tight_layout()
plt.show()

# %% [markdown]
# **Play.** Choose a surface (the learning rates jump to that surface's presets), switch optimizers on
# and off (the coloured squares are the legend), and move their learning rates. **▶** animates all paths together, one step per frame; the
# step slider scrubs back and forth. The right panel shows the distance to the global minimum on a log
# scale — a straight falling line is linear convergence; a flat line is a stall. Changing a learning rate
# recomputes only the paths (a few milliseconds); moving the step only redraws.

# %%
SURFACE_LABELS = [("textbook bowl  x²/20 + y²", "textbook"), ("ill-conditioned bowl", "ill_conditioned"),
                  ("Rosenbrock valley", "rosenbrock"), ("saddle point", "saddle"), ("two minima", "two_minima")]
_paths = {}                                              # (surface, optimizer, lr) -> path: the precomputed race

def race_path(surface, name, lr):
    key = (surface, name, float(lr))
    if key not in _paths:
        _paths[key] = run_optimizer(SURFACES[surface], name, steps=MAX_STEPS, lr=lr)
    return _paths[key]

def contour_lines(S):
    # the contour lines of a surface as polylines (computed once, drawn as one LineCollection)
    X, Y = np.meshgrid(np.linspace(*S.xlim, 150), np.linspace(*S.ylim, 150))
    cs = Figure().add_subplot().contour(X, Y, S.f(X, Y), levels=S.levels if S.levels is not None else 20)
    return [poly for path in cs.get_paths() for poly in path.to_polygons(closed_only=False)]

CONTOURS = {name: contour_lines(S) for name, S in SURFACES.items()}

def race_experiment(surface, step, live, **values):
    # all paths for MAX_STEPS steps; cached, so a step change costs nothing here
    return {n: race_path(surface, n, values[f"lr_{n}"]) for n in NAMES if values[f"on_{n}"]}

def race_draw(axes, paths, values):
    # colours are keyed by the swatches next to the controls, so no legend (cheaper frames)
    S, k = SURFACES[values["surface"]], values["step"]
    ax, ax_d = axes
    ax.add_collection(LineCollection(CONTOURS[S.name], colors="0.7", linewidths=0.8))
    ax.plot(*S.minimum, "+", color="0.2", ms=14, mew=2)
    d0 = float(np.linalg.norm(np.array(S.start) - np.array(S.minimum)))
    diverged = []
    for n, path in paths.items():
        c, shown = plots.color_for(n), path[:k + 1]
        ax.plot(shown[:, 0], shown[:, 1], "-", lw=1.5, color=c)
        ax.plot(*shown[-1], "o", ms=9, color=c, mec="white", mew=1.5)
        ax_d.plot(np.arange(len(shown)), np.maximum(distance(S, shown), 1e-10), color=c)
        if len(path) <= k:
            diverged.append(f"{LABEL[n]} (step {len(path)})")
    ax.plot(*S.start, "s", color="0.2", ms=8)
    ax.set(xlim=S.xlim, ylim=S.ylim, title=f"{S.title}, step {k}")
    ax.grid(False)
    ax_d.axvline(k, color="0.6", lw=1)
    ax_d.set(yscale="log", xlim=(0, MAX_STEPS), ylim=(1e-10, 10 * d0), xlabel="step",
             ylabel="distance to the minimum",
             title="diverged: " + ", ".join(diverged) if diverged else "distance to the global minimum")
    ax_d.yaxis.set_minor_locator(plt.NullLocator())

race_controls = {"surface": W.dropdown("surface", SURFACE_LABELS, "textbook"),
                 "step": W.int_slider("step", 0, MAX_STEPS, 30, width="420px")}
race_controls["step"].continuous_update = True        # scrubbing redraws while dragging (stale frames are skipped)
for n in NAMES:
    race_controls[f"on_{n}"] = W.checkbox(LABEL[n], True, width="105px")
    race_controls[f"lr_{n}"] = W.log_slider("scale" if n == "adadelta" else "η", *LIMITS[n],
                                            PRESETS["textbook"][n], width="300px", fmt=".3g")

def use_presets(change):
    # a new surface: its preset learning rates, applied with one run
    race_dash.set(**{f"lr_{n}": lr for n, lr in PRESETS[change["new"]].items()})

race_controls["surface"].observe(use_presets, names="value")      # before the dashboard's own observer
race_dash = W.Dashboard(race_experiment, race_draw, layout=(1, 2), figsize=(12.5, 4.8),
                        **race_controls,
                        margins=dict(left=0.06, right=0.985, bottom=0.11, top=0.93, wspace=0.2))

# the layout: surface, ▶ and step on top, then one row per optimizer (colour, on/off, η)
play = ipywidgets.Play(value=30, min=0, max=MAX_STEPS, step=1, interval=150, description="play")
ipywidgets.jslink((play, "value"), (race_controls["step"], "value"))
swatch = lambda n: ipywidgets.HTML(f"<span style='color:{plots.color_for(n)};font-size:22px'>■</span>")
rows = [ipywidgets.HBox([swatch(n), race_controls[f"on_{n}"], race_controls[f"lr_{n}"]]) for n in NAMES]
race_dash.widget.children = (ipywidgets.VBox([
    ipywidgets.HBox([race_controls["surface"], play, race_controls["step"]]),
    ipywidgets.GridBox(rows, layout=ipywidgets.Layout(grid_template_columns="repeat(auto-fill, 440px)", width="100%"))]),
    *race_dash.widget.children[1:])

# %% tags=["nbval-ignore-output"]
race_dash

# %%
t0 = time.perf_counter(); race_dash.set(step=60, sync=True); t_step = time.perf_counter() - t0
t0 = time.perf_counter(); race_dash.set(lr_sgd=0.5, sync=True); t_lr = time.perf_counter() - t0
race_dash.set(step=30, lr_sgd=0.95, sync=True)                  # back to the textbook settings
print(f"new frame after a step change ⏱ {1000 * t_step:.0f} ms, after a learning-rate change ⏱ {1000 * t_lr:.0f} ms")

# %% [markdown]
# **What you should see** (try them in order):
#
# 1. **Textbook bowl, press ▶.** SGD zig-zags; Momentum and Nesterov swing past $x = 0$ and come back
#    (Nesterov's look-ahead damps the swing). AdaGrad's distance falls fastest and steadily, a straight
#    line on the log scale (about 10⁻¹⁰ after 200 steps). RMSProp and Adam dive quickly, then hover: with
#    a constant η their steps do not shrink to zero (RMSProp stays about 0.2 away) — one reason for
#    learning-rate decay (section 7). AdaDelta has barely moved: without η its steps start at
#    √ε/√(1 − ρ) ≈ 0.0045. Set its scale to 100 to watch the same rule move.
# 2. **Ill-conditioned bowl.** SGD at η = 0.24 is at the edge of divergence in $y$ (try 0.26: it
#    explodes) and is still 3 away from the minimum after 200 steps; Momentum gets to 0.06, AdaGrad and
#    Adam to about 3·10⁻⁴ — per-coordinate step sizes do not care about the condition number.
# 3. **Rosenbrock.** SGD needs η ≈ 0.001 or it explodes on the steep walls (try 0.003); then it crawls
#    along the curved valley floor and is still 2.4 away after 200 steps. Nesterov, Adam and Momentum get
#    furthest; none reaches (1, 1) in 200 steps — this function is built to be hard.
# 4. **Saddle.** SGD's distance line stays flat at ≈ 1.4 (that is the saddle point) from about step 15
#    to step 70 before it falls off. Adam and AdaGrad divide the tiny $y$ gradient by its own size and
#    leave the saddle within 20 steps.
# 5. **Two minima.** Everything except Momentum ends in the nearer, shallower minimum (distance ≈ 2 for
#    good). Momentum at η = 0.05 carries enough speed over the bump into the global one; lower its η to
#    0.01 and it is caught too. Nesterov brakes earlier: at η = 0.03 it stays, at 0.05 it crosses.

# %% [markdown]
# ## 6 · The race on MNIST
#
# The textbook's experiment: a 784-100-100-100-100-10 ReLU network with He initialization, trained by
# each optimizer at its **default** hyperparameters with batch 128: SGD η = 0.01, Momentum η = 0.01 (μ = 0.9),
# Nesterov likewise, AdaGrad η = 0.01, RMSProp η = 0.001 (ρ = 0.9), AdaDelta (ρ = 0.95, no η),
# Adam η = 0.001 (β₁ = 0.9, β₂ = 0.999). We use 2000 of the bundled digits for 10 epochs (160 updates)
# and test on 1000 others; every network starts from the same weights.

# %%
mnist = load_mnist(2000, n_test=1000)
race_hist = {}
print(f"{'optimizer':<10}{'defaults':<30}{'final loss':>11}{'test acc':>10}")
for name in NAMES:
    net = MLP(784, [100] * 4, 10, init="he", rng=0)
    h = race_hist[name] = train(net, mnist, Optimizer(name), epochs=10, batch_size=128, rng=0,
                                eval_train=False)
    shown = {k: v for k, v in opt.DEFAULTS[name].items() if k != "eps" and not (name == "adadelta" and k == "lr")}
    print(f"{LABEL[name]:<10}{hp_text(shown):<30}{h.train_loss[-1]:11.4f}{h.test_acc[-1]:10.1%}   ⏱ {h.seconds:.2f} s")

# %%
fig, axes = plots.figure(1, 2, width=13, height=4.4)
for name, h in race_hist.items():
    plots.plot_loss_per_iteration(axes[0], h, label=LABEL[name], color=plots.color_for(name),
                                  smooth_window=10, raw=False)
    axes[1].plot(np.arange(1, 11), h.test_acc, "o-", ms=4, color=plots.color_for(name), label=LABEL[name])
axes[0].set(ylim=(0, 2.5), title="training loss (moving average over 10 mini-batches)")
axes[1].set(xlabel="epoch", ylabel="test accuracy", ylim=(0, 1), title="test accuracy (1000 digits)")
axes[0].legend(ncols=2)
fig.tight_layout()
plt.show()

# %% [markdown]
# **What you see.** The textbook's ordering: plain SGD is far behind — after 160 updates its loss has
# only just begun to fall and its test accuracy is the lowest by a wide margin. Momentum and Nesterov
# (the same η, but a velocity up to ten times larger) are well ahead, and the adaptive methods are
# ahead of both: AdaGrad, Adam and RMSProp reach the lowest losses. AdaDelta, with no η at all, is
# close behind them. "Final loss" is the mean mini-batch loss of the last epoch.
#
# Defaults are a starting point, not a verdict: SGD with a larger η (or a schedule, section 7) catches
# up. Try it below.
#
# **Play.** Switch optimizers on and off, multiply every learning rate by the same factor (AdaDelta's
# multiplier too), change the batch size. To answer quickly the dashboard trains on 1000 digits for 5
# epochs and streams the curves as they come; finished runs are remembered, so switching an optimizer
# back on is instant.

# %%
mnist_dash_data = load_mnist(1000, n_test=500)
DASH_EPOCHS = 5
_mnist_runs = {}                                       # (optimizer, multiplier, batch) -> History

def mnist_experiment(lr_mult, batch_size, live, **on):
    result = {}
    for name in NAMES:
        if not on[f"on_{name}"]:
            continue
        key = (name, float(lr_mult), int(batch_size))
        if key not in _mnist_runs:
            net = MLP(784, [100] * 4, 10, init="he", rng=0)
            h = train(net, mnist_dash_data, Optimizer(name, lr=opt.DEFAULTS[name]["lr"] * lr_mult),
                      epochs=DASH_EPOCHS, batch_size=batch_size, rng=0, eval_train=False,
                      on_epoch=live.track(name))
            if h.cancelled:
                return result
            _mnist_runs[key] = h
        result[name] = live.partial[name] = _mnist_runs[key]
    return result

def mnist_draw(axes, result, values):
    ax, ax_acc = axes
    per_epoch = -(-1000 // values["batch_size"])
    for name, h in (result or {}).items():
        c = plots.color_for(name)
        if h.batch_loss:
            x = np.arange(1, len(h.batch_loss) + 1) / per_epoch
            ax.plot(x, plots.smooth(h.batch_loss, max(1, per_epoch // 2)), color=c)
        label = LABEL[name] + (f" (diverged at epoch {h.diverged_at})" if h.diverged_at
                               else f" {h.test_acc[-1]:.1%}" if h.test_acc else "")
        ax_acc.plot(np.arange(1, len(h.test_acc) + 1), h.test_acc, "o-", ms=4, color=c, label=label)
    ax.set(xlim=(0, DASH_EPOCHS), ylim=(0, 2.5), xlabel="epoch", ylabel="training loss (smoothed)",
           title=f"η × {values['lr_mult']:.3g}, batch {values['batch_size']} ({per_epoch} updates/epoch)")
    ax_acc.set(xlim=(0.5, DASH_EPOCHS + 0.5), ylim=(0, 1), xlabel="epoch", ylabel="test accuracy",
               title="test accuracy (500 digits)")
    for old in list(ax.figure.legends):                  # one legend for both panels, right of them
        old.remove()
    if result:
        ax.figure.legend(*ax_acc.get_legend_handles_labels(), loc="center right", fontsize=11,
                         title="test accuracy")

mnist_controls = {f"on_{n}": W.checkbox(LABEL[n], True, width="105px") for n in NAMES}
mnist_controls["lr_mult"] = W.log_slider("learning rate × (all)", 0.01, 100, 1.0, fmt=".3g")
mnist_controls["batch_size"] = W.batch_slider("batch size", 128, min_exp=4, max_exp=9)
mnist_dash = W.Dashboard(mnist_experiment, mnist_draw, layout=(1, 2), figsize=(13, 4.2),
                         stream_every=2, **mnist_controls,
                         margins=dict(left=0.06, right=0.78, bottom=0.13, top=0.92, wspace=0.22))
print(f"default run of the dashboard (7 optimizers, 1000 digits, {DASH_EPOCHS} epochs): "
      f"⏱ {mnist_dash.seconds:.2f} s")

# %% tags=["nbval-ignore-output"]
mnist_dash

# %% [markdown]
# **What you should see:**
#
# 1. **At the defaults**, the ordering of the race above on fewer digits: SGD stays near chance (about
#    28 % after 5 epochs), all the others reach roughly 80 %.
# 2. **η × 10.** SGD and Momentum improve a lot (SGD reaches about 80 %), and so does Adam; AdaGrad,
#    RMSProp and AdaDelta get *worse* — their defaults were already near the top of their useful range.
# 3. **η × 100.** Most runs diverge, and the legend says at which epoch; the survivors sit at chance level.
# 4. **η × 0.1.** Everything slows down; AdaGrad and AdaDelta suffer least.
# 5. **Batch 16 vs 512.** Batch 16 makes 63 updates per epoch and every optimizer gets far, SGD included
#    (about 80 %); at batch 512 there are only 2 updates per epoch and only the adaptive methods get
#    anywhere in 5 epochs.

# %% [markdown]
# ## 7 · Learning-rate decay
#
# A large η makes fast progress at first but then bounces around the minimum (the noise of the mini-batch
# gradient never goes away); a small η is precise but slow. **Decay** gets both: start large, shrink
# over time. `train` calls `schedule(epoch)` once per epoch (t = 0, 1, 2, …) and uses the result as η.
#
# | schedule | η at epoch t | `course_utils.schedules` |
# |---|---|---|
# | step | $\eta \cdot \text{drop}^{\lfloor t / \text{every} \rfloor}$ | `step_decay(lr, drop, every)` |
# | exponential | $\eta \cdot r^{t}$ | `exponential(lr, decay_rate=r)` |
# | 1/t | $\eta / \sqrt{1 + k\,t}$ (k = 1: the slide's $\eta/\sqrt{t+1}$) | `inverse_time(lr, decay_rate=k)` |
# | cosine | $\eta_{\min} + \tfrac12(\eta - \eta_{\min})(1 + \cos(\pi t / T))$ | `cosine(lr, total_steps=T, min_lr)` |

# %%
for f in (schedules.step_decay, schedules.exponential, schedules.inverse_time, schedules.cosine):
    print(inspect.getsource(f))

# %% [markdown]
# To compare shapes fairly, one **decay rate** $r$ drives all four: exponential multiplies η by $r$ every
# epoch; step decay multiplies it by $r^5$ every 5 epochs; 1/t and cosine are set to end at the same
# final η as exponential, $\eta\, r^{T-1}$ after $T$ epochs. **Check** the code against the formulas:

# %%
EPOCHS_DECAY = 15

def make_schedule(kind, lr, r, T=EPOCHS_DECAY):
    final = r ** (T - 1)                                   # every schedule ends at η·r^(T−1)
    if kind == "constant":
        return schedules.constant(lr)
    if kind == "step":
        return schedules.step_decay(lr, drop=r ** 5, every=5)
    if kind == "exponential":
        return schedules.exponential(lr, decay_rate=r)
    if kind == "1/t":
        return schedules.inverse_time(lr, decay_rate=(final ** -2 - 1) / (T - 1))
    if kind == "cosine":
        return schedules.cosine(lr, total_steps=T - 1, min_lr=lr * final)
    raise ValueError(f"unknown schedule {kind!r}")

lr0, r, T = 0.1, 0.9, EPOCHS_DECAY
k = (r ** (-2 * (T - 1)) - 1) / (T - 1)
BY_HAND = {"step": lambda t: lr0 * (r ** 5) ** (t // 5), "exponential": lambda t: lr0 * r ** t,
           "1/t": lambda t: lr0 / np.sqrt(1 + k * t),
           "cosine": lambda t: lr0 * r ** (T - 1) + 0.5 * (lr0 - lr0 * r ** (T - 1)) * (1 + np.cos(np.pi * t / (T - 1)))}
ok = True
print(f"k for 1/t: {k:.4f}")
for kind, hand in BY_HAND.items():
    sched = make_schedule(kind, lr0, r)
    code_vals, hand_vals = [sched(t) for t in (0, 4, 5, 14)], [hand(t) for t in (0, 4, 5, 14)]
    ok = ok and np.allclose(code_vals, hand_vals, rtol=1e-12)
    print(f"{kind:<12} η at t = 0, 4, 5, 14 by code: {fmt(code_vals)}  by hand: {fmt(hand_vals)}")
print("match:", ok)

# %% [markdown]
# **The experiment.** Momentum with η = 0.1 — ten times its default, fast but too large to settle —
# trained for 15 epochs (batch 64, 1000 digits), once with a constant η and once with each schedule at
# $r = 0.9$ (η falls to 0.023 by the last epoch).

# %%
mnist_decay = load_mnist(1000, n_test=500)
KINDS = ["constant", "step", "exponential", "1/t", "cosine"]
DECAY_COLORS = dict(zip(KINDS, ["#000000", plots.PALETTE[0], plots.PALETTE[1], plots.PALETTE[2], plots.PALETTE[3]]))

def decay_run(kind, lr, r, on_epoch=None):
    net = MLP(784, [100] * 4, 10, init="he", rng=0)
    return train(net, mnist_decay, Optimizer("momentum", lr=lr), epochs=EPOCHS_DECAY, batch_size=64,
                 schedule=make_schedule(kind, lr, r), rng=0, eval_train=False, on_epoch=on_epoch)

decay_hist = {kind: decay_run(kind, 0.1, 0.9) for kind in KINDS}
print(f"{'schedule':<12}{'η last epoch':>13}{'loss epochs 6-10':>18}{'final loss':>12}{'test acc':>10}")
for kind, h in decay_hist.items():
    print(f"{kind:<12}{h.lr[-1]:13.4f}{np.mean(h.train_loss[5:10]):18.4f}{h.train_loss[-1]:12.4f}"
          f"{h.test_acc[-1]:10.1%}")

# %%
fig, axes = plots.figure(1, 2, width=12, height=4.2)
epochs = np.arange(1, EPOCHS_DECAY + 1)
for kind, h in decay_hist.items():
    style = dict(color=DECAY_COLORS[kind], lw=3 if kind == "constant" else 2, ls="--" if kind == "constant" else "-")
    axes[0].plot(np.arange(EPOCHS_DECAY), h.lr, **style, label=kind, drawstyle="steps-post")
    axes[1].plot(epochs, h.train_loss, **style, label=kind)
axes[0].set(xlabel="epoch t", ylabel="learning rate η", title="the schedules (r = 0.9)")
axes[1].set(yscale="log", xlabel="epoch", ylabel="training loss", title="Momentum, η = 0.1, batch 64")
axes[1].legend()
fig.tight_layout()
plt.show()

# %% [markdown]
# **What you see.** With a constant η = 0.1 the loss stops improving after about 10 epochs and bounces
# between 0.06 and 0.25: a **plateau** set by η, not by the network. Every decayed run keeps going down,
# to 0.0015–0.0025 — about a hundred times lower — and tests 3–5 points better. The shape matters less
# than the fact of decaying: step, exponential, 1/t and cosine all end close together.
#
# **Play.** Choose the schedule, the decay rate $r$ (1 = no decay) and the starting η. The left panel
# shows all four schedules at this $r$; the right one trains the chosen schedule next to the constant
# η (every finished run is remembered, so going back is instant).

# %%
_decay_runs = {(kind, 1.0 if kind == "constant" else 0.9, 0.1): h     # the runs above, reused
               for kind, h in decay_hist.items()}

def decay_experiment(kind, r, lr, live):
    result = {}
    for name, rate in (("constant", 1.0), (kind, round(r, 2))):
        key = (name, rate, lr)
        if key not in _decay_runs:                         # train only what has not been trained
            h = decay_run(name, lr, rate, on_epoch=live.track(name))
            if h.cancelled:
                return result
            _decay_runs[key] = h
        result[name] = live.partial[name] = _decay_runs[key]
    return result

def decay_draw(axes, result, values):
    ax_lr, ax = axes
    lr, r, chosen = values["lr"], values["r"], values["kind"]
    t = np.arange(EPOCHS_DECAY)
    for kind in KINDS:
        sched = make_schedule(kind, lr, r)
        ax_lr.plot(t, [sched(s) for s in t], color=DECAY_COLORS[kind], label=kind, drawstyle="steps-post",
                   lw=3 if kind == chosen else 1.2, ls="--" if kind == "constant" else "-")
    ax_lr.set(xlabel="epoch t", ylabel="η", title=f"schedules at r = {r:.2f}", ylim=(0, 1.05 * lr))
    ax_lr.legend(fontsize=10)
    for kind, h in (result or {}).items():
        if h.train_loss:
            ax.plot(np.arange(1, h.epochs + 1), h.train_loss, color=DECAY_COLORS[kind], label=kind,
                    lw=3 if kind == "constant" else 2, ls="--" if kind == "constant" else "-")
        plots.mark_divergence(ax, h, color=DECAY_COLORS[kind])
    ax.set(yscale="log", xlim=(0.5, EPOCHS_DECAY + 0.5), ylim=(1e-4, 5), xlabel="epoch",
           ylabel="training loss", title=f"Momentum, η = {lr:.3g}: constant vs {chosen}")
    ax.yaxis.set_minor_locator(plt.NullLocator())
    if result:
        ax.legend(loc="lower left")

decay_dash = W.Dashboard(
    decay_experiment, decay_draw, layout=(1, 2), figsize=(12, 4.2), stream_every=3,
    kind=W.dropdown("schedule", ["step", "exponential", "1/t", "cosine"], "exponential"),
    r=W.slider("decay rate r", 0.6, 1.0, 0.9, step=0.01),
    lr=W.log_choice_slider("start η", 0.01, 1.0, 0.1, per_decade=3, off=False),
    margins=dict(left=0.07, right=0.985, bottom=0.12, top=0.92, wspace=0.22))

# %% tags=["nbval-ignore-output"]
decay_dash

# %% [markdown]
# **What you should see:**
#
# 1. **r = 1.0**: no decay — the chosen curve lies on the constant one, plateau and all.
# 2. **r = 0.8 with 1/t**: η falls to a sixth after one epoch, and the run ends about ten times higher than
#    the other schedules at r = 0.8 (still below the constant η): decaying too early costs progress.
#    Step decay at r = 0.8 keeps η high for 5 epochs and does best.
# 3. **Start η = 0.5**: the constant run diverges, and so does step decay (it keeps η = 0.5 for five
#    epochs); the others survive but stay at chance level. Decay cannot repair weights that the first
#    epochs have already wrecked.
# 4. **Start η = 0.01** (Momentum's default): there is no plateau within 15 epochs, so decay has nothing
#    to fix and only slows the run down. Decay pays off once η, not the number of steps, is the limit.

# %% [markdown]
# ## 8 · Defaults you will meet
#
# The same optimizer has different argument names, defaults and even formulas in different libraries.
# The conventions of this course are stated in each rule's docstring (section 4); the table maps them.
#
# | optimizer | `course_utils` (`DEFAULTS`) | Keras (`keras.optimizers`) | PyTorch (`torch.optim`) | watch out |
# |---|---|---|---|---|
# | SGD | `sgd`: lr=0.01 | `SGD(learning_rate=0.01)` | `SGD(lr=1e-3)` (older versions: lr required) | — |
# | Momentum | `momentum`: lr=0.01, momentum=0.9 | `SGD(momentum=0.0)`, stores −v: v ← μv − ηg, w ← w + v | `SGD(momentum=0)`, stores v/η: b ← μb + g, w ← w − ηb | Keras' −v gives our steps exactly; PyTorch's v/η gives the same steps only while η is constant (not under a schedule) |
# | Nesterov | `nesterov`: lr=0.01, momentum=0.9 | `SGD(nesterov=True)`, same look-ahead reparametrization (−v stored) | `SGD(nesterov=True)`, same reparametrization with v/η | all store the look-ahead point |
# | AdaGrad | `adagrad`: lr=0.01, eps=1e-07, ε inside √, G₀ = 0 | `Adagrad(learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7)`, ε inside √ (Keras 3; tf.keras 2: outside) | `Adagrad(lr=0.01, eps=1e-10)`, ε outside √, G₀ = 0 | Keras starts G at 0.1 and η 10× lower |
# | RMSProp | `rmsprop`: lr=0.001, rho=0.9, eps=1e-07, ε inside √ | `RMSprop(learning_rate=0.001, rho=0.9, epsilon=1e-7)`, ε inside √ | `RMSprop(lr=0.01, alpha=0.99, eps=1e-8)`, ε outside √ | ρ is called **α** in PyTorch, default 0.99 |
# | AdaDelta | `adadelta`: rho=0.95, eps=1e-06, lr=1.0 (no η) | `Adadelta(learning_rate=0.001, rho=0.95, epsilon=1e-7)` | `Adadelta(lr=1.0, rho=0.9, eps=1e-6)` | Keras' lr = 0.001 shrinks every step 1000× (use 1.0 for the paper's rule) |
# | Adam | `adam`: lr=0.001, beta1=0.9, beta2=0.999, eps=1e-08, ε outside √ | `Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)`, correction folded into η, so ε is added to √v, not √v̂ | `Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)` | ε differs in size and place; matters only when √v̂ is tiny |
# | AdamW | `adamw`: lr=0.001, weight_decay=0.01 | `AdamW(weight_decay=0.004)` | `AdamW(weight_decay=0.01)` | decoupled decay, not L2 (chapter 04) |
#
# The `course_utils` column is read from the code below — if a default changes, this cell's output changes.

# %%
for name, hp in opt.DEFAULTS.items():
    print(f"{name:<9}", ", ".join(f"{k}={v:g}" for k, v in hp.items()))


# %% [markdown]
# **What to tune first** (a common order of priority, e.g. in Andrew Ng's course):
#
# 1. **the learning rate η** — by far the most important; search it on a log scale (chapter 06);
# 2. then **momentum** μ (≈ 0.9), the **mini-batch size**, and the **number of hidden units**;
# 3. last the **number of layers** and the **learning-rate decay**.
#
# Adam's β₁ = 0.9, β₂ = 0.999, ε are almost never tuned.

# %% [markdown]
# ## 9 · Exercises
#
# Each exercise is a function to complete between `BEGIN SOLUTION` and `END SOLUTION`; the cell after it
# checks it at once on seeded cases and prints one line: ✓, or a hint naming the likely mistake.
#
# **Exercise 1 — the Momentum update.** Given the weights `w`, their gradient `dw`, the velocity `v`, the
# learning rate `lr` and the momentum `mu`, return `(w_new, v_new)` with this course's convention
# $v \leftarrow \mu v + \eta g,\; w \leftarrow w - v$.

# %%
def my_momentum(w, dw, v, lr, mu):
    # BEGIN SOLUTION the velocity first, then the weights (section 4, Momentum)
    v_new = mu * v + lr * dw
    return w - v_new, v_new
    # END SOLUTION


# %%
_ = checks.check_momentum(my_momentum)


# %% [markdown]
# **Exercise 2 — the Adam update with bias correction.** Given `w`, `dw`, the moments `m`, `v`, the
# step counter `t` (the number of updates so far: 0 before the first), and `lr`, `beta1`, `beta2`,
# `eps`, return `(w_new, m_new, v_new, t_new)` — Adam as in section 4, ε outside the root.

# %%
def my_adam(w, dw, m, v, t, lr, beta1, beta2, eps):
    # BEGIN SOLUTION in the order of section 4: the step counter, the two moments, their bias correction, the step
    t = t + 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v, t
    # END SOLUTION


# %%
_ = checks.check_adam(my_adam)

# %% [markdown]
# **Exercise 3 — think.** (a) In the textbook race, SGD with η = 1.05 diverges on $x^2/20 + y^2$. What is
# the largest η for which SGD converges on the ill-conditioned bowl $x^2/100 + 4y^2$? (Hint: the factor
# per step in $y$.) Check your answer with the dashboard of section 5. (b) Why does Adam's first step
# have size η in *every* coordinate, whatever the gradient?
#
# ## Summary
#
# 1. Gradient descent steps against the gradient; η too small crawls, too large diverges — the steepest direction sets the limit.
# 2. Momentum and Nesterov accumulate a velocity: faster along consistent slopes, damped zig-zag, and enough speed to cross small bumps.
# 3. AdaGrad, RMSProp and AdaDelta give every weight its own step size; RMSProp's moving average fixes AdaGrad's ever-shrinking steps, AdaDelta even drops η.
# 4. Adam = momentum + RMSProp + bias correction; at its defaults it is the safe first choice, and on MNIST the adaptive methods and Momentum beat plain SGD.
# 5. Tune η first; when the loss plateaus, decay η (step, exponential, 1/t or cosine) — and know your library's conventions before copying hyperparameters.
