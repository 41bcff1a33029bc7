# %% [markdown] slideshow={"slide_type": "slide"}
# # 02 · Weight initialization and activations
#
# A network only trains if its signal survives the trip forward through the layers and its gradient
# survives the trip back. Both depend on two choices made before the first step: the **activation
# function** and the **scale of the initial weights**. This chapter is the reason batch normalization
# (chapter 03) exists.
#
# **Learning goals.** After this chapter you can
#
# 1. sketch sigmoid, tanh, ReLU, Leaky ReLU, ELU and Maxout with their derivatives, and say where each saturates;
# 2. explain why weights must not start all equal (symmetry);
# 3. derive Xavier √(1/n) (for tanh) and He √(2/n) (for ReLU) from one variance rule, and say why the
#    sigmoid's ½ offset and ¼ slope break Xavier's assumptions;
# 4. read per-layer activation histograms: *saturation*, *collapse* or *healthy spread*;
# 5. see vanishing gradients in a deep sigmoid net, and why std = 0.01 does not train an MNIST net while He does
#    (compared on a validation split over three seeds; the test set is used once, at the end).

# %% slideshow={"slide_type": "-"}
import inspect
import time

import numpy as np
import matplotlib.pyplot as plt
import ipywidgets
from threadpoolctl import threadpool_limits

threadpool_limits(1)          # one BLAS thread: repeatable numbers
# %matplotlib inline
from course_utils import plots
from course_utils import checks, layers as L, widgets as W
from course_utils import MLP, Optimizer, load_mnist, train
from course_utils.net import init_std
from course_utils.gradcheck import numerical_gradient_array, rel_error
from course_utils.report import mean_sd

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1 · Activation functions and their derivatives
#
# | name | $f(x)$ | $f'(x)$ | saturates? |
# |---|---|---|---|
# | sigmoid | $\sigma(x) = \dfrac{1}{1+e^{-x}}$ | $\sigma(x)\,(1-\sigma(x)) \le \tfrac14$ | both sides; output not centred on 0 |
# | tanh | $\tanh x$ | $1-\tanh^2 x \le 1$ | both sides; centred on 0 |
# | ReLU | $\max(0, x)$ | $1$ if $x>0$, else $0$ | never for $x>0$; "dead" for $x<0$ |
# | Leaky ReLU | $x$ if $x>0$, else $\alpha x$ | $1$ or $\alpha$ | never ($\alpha = 0.01$ here) |
# | ELU | $x$ if $x>0$, else $\alpha(e^{x}-1)$ | $1$ or $f(x)+\alpha$ | only towards $-\alpha$ |
# | Maxout | $\max_k \,(w_k^\top x + b_k)$ | the winning piece's $w_k$ | never (piecewise linear) |
#
# Two numbers to remember: the sigmoid's slope is **at most 1/4**, and it is almost **0** once $|x| > 5$.
# That is where gradients vanish. In `course_utils.layers` every activation is a forward/backward pair;
# the backward pass multiplies the upstream gradient `dout` by $f'$:

# %% slideshow={"slide_type": "-"}
for fn in (L.relu_forward, L.relu_backward, L.sigmoid_forward, L.sigmoid_backward):
    print(inspect.getsource(fn))

# %% [markdown] slideshow={"slide_type": "subslide"}
# **Check the code against the formulas.** For every activation in `L.ACTIVATIONS`: the forward pass
# equals the formula from the table, and the backward pass (with `dout` = 1) equals the numerical
# derivative $(f(x+h) - f(x-h))/2h$. The grid avoids the kink at 0, where the derivative is not defined.

# %% slideshow={"slide_type": "-"}
x = np.linspace(-6, 6, 401)
x = x[np.abs(x) > 1e-3]
FORMULAS = {
    "relu": np.maximum(0, x),
    "sigmoid": 1 / (1 + np.exp(-x)),
    "tanh": np.tanh(x),
    "leaky_relu": np.where(x > 0, x, 0.01 * x),
    "elu": np.where(x > 0, x, np.exp(x) - 1),
}
h = 1e-5
print(f"{'activation':<11} {'forward = formula':>18} {'backward = numerical':>21}")
for name, (fwd, bwd) in L.ACTIVATIONS.items():
    out, cache = fwd(x)
    numerical = (fwd(x + h)[0] - fwd(x - h)[0]) / (2 * h)      # elementwise functions: one pass
    analytic = bwd(np.ones_like(x), cache)
    print(f"{name:<11} {str(np.allclose(out, FORMULAS[name], rtol=1e-12, atol=1e-12)):>18} "
          f"{str(np.abs(analytic - numerical).max() < 1e-8):>21}")

# %% [markdown] slideshow={"slide_type": "-"}
# **Maxout** (Goodfellow et al., 2013) is not a fixed curve but a small layer: each unit owns $K$ linear
# pieces and outputs the largest. `maxout_forward` keeps the index of the winner, so the backward pass
# sends the gradient to that piece only.

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(L.maxout_forward))

# %% [markdown] slideshow={"slide_type": "-"}
# With $K = 2$ pieces a maxout unit can *learn* the other piecewise-linear activations:
# pieces $(0, x)$ give ReLU, $(0.01x, x)$ give Leaky ReLU, $(-x, x)$ give $|x|$. Below, one maxout layer
# with 1 input and 3 units, built with exactly those weights, and a gradient check of its backward pass.

# %% slideshow={"slide_type": "subslide"}
xs = np.linspace(-3, 3, 13)[:, None]                      # (N, 1): one input feature
Wm = np.array([[[0.0, 1.0], [0.01, 1.0], [-1.0, 1.0]]])   # (D=1, H=3 units, K=2 pieces)
bm = np.zeros((3, 2))
out, cache = L.maxout_forward(xs, Wm, bm)
x1 = xs[:, 0]
print("unit 1 = ReLU:       ", np.array_equal(out[:, 0], L.relu_forward(x1)[0]))
print("unit 2 = Leaky ReLU: ", np.array_equal(out[:, 1], L.leaky_relu_forward(x1)[0]))
print("unit 3 = |x|:        ", np.array_equal(out[:, 2], np.abs(x1)))

g = np.random.default_rng(0)
xg, Wg, bg = g.standard_normal((5, 4)), g.standard_normal((4, 3, 2)), g.standard_normal((3, 2))
dout = g.standard_normal((5, 3))
dx, dW, db = L.maxout_backward(dout, L.maxout_forward(xg, Wg, bg)[1])
errs = [rel_error(dx, numerical_gradient_array(lambda: L.maxout_forward(xg, Wg, bg)[0], xg, dout)),
        rel_error(dW, numerical_gradient_array(lambda: L.maxout_forward(xg, Wg, bg)[0], Wg, dout)),
        rel_error(db, numerical_gradient_array(lambda: L.maxout_forward(xg, Wg, bg)[0], bg, dout))]
print("maxout backward = numerical (dx, dW, db):", all(e < 1e-7 for e in errs))

# %% [markdown] slideshow={"slide_type": "-"}
# All six in one figure, left the function, right its derivative, both from the `course_utils` code
# (derivative = backward pass with `dout` = 1). Leaky ReLU is drawn with α = 0.1 so its slope is
# visible, and the maxout unit has three pieces.

# %% slideshow={"slide_type": "subslide"}
xp = np.linspace(-4, 4, 801)
ones = np.ones_like(xp)
Wmx = np.array([[[-0.5, 0.3, 1.2]]])                       # one maxout unit, 3 pieces
bmx = np.array([[-0.5, 0.0, -0.8]])
CURVES = {                                                  # name: (forward, backward) as functions of x
    "sigmoid": (L.sigmoid_forward, L.sigmoid_backward),
    "tanh": (L.tanh_forward, L.tanh_backward),
    "ReLU": (L.relu_forward, L.relu_backward),
    "Leaky ReLU (α=0.1)": (lambda v: L.leaky_relu_forward(v, alpha=0.1), L.leaky_relu_backward),
    "ELU": (L.elu_forward, L.elu_backward),
    "Maxout (3 pieces)": (lambda v: L.maxout_forward(v[:, None], Wmx, bmx),
                          lambda d, c: L.maxout_backward(d[:, None], c)[0][:, 0]),
}
fig, (ax_f, ax_d) = plots.figure(1, 2, height=4.2)
for i, (name, (fwd, bwd)) in enumerate(CURVES.items()):
    out, cache = fwd(xp)
    style = dict(color=plots.PALETTE[i], ls="--" if "Maxout" in name else "-")
    ax_f.plot(xp, np.ravel(out), label=name, **style)
    ax_d.plot(xp, bwd(ones, cache), **style)
ax_f.set(title="activation f(x)", xlabel="x", ylim=(-1.5, 3.2))
ax_d.set(title="derivative f'(x)", xlabel="x", ylim=(-0.6, 1.3))
ax_d.axhline(0.25, color="0.4", lw=1, ls=":")
ax_d.text(1.3, 0.5, "dotted: the sigmoid's\nmaximum slope 1/4", fontsize=11, color="0.3")
ax_f.legend(loc="upper left")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** On the right, the sigmoid's slope (blue) never exceeds 1/4 and is nearly 0 beyond
# |x| ≈ 5; tanh (orange) peaks at 1 but also flattens out. ReLU's slope is exactly 1 or 0, Leaky ReLU's
# 1 or α, ELU's slides smoothly down to 0 on the left. The maxout unit (dashed) is a convex polyline:
# its slope jumps from piece to piece (−0.5, 0.3, 1.2).

# %% [markdown] slideshow={"slide_type": "subslide"}
# Experiment: a 784-30-30-10 ReLU net, 320 SGD steps (10 epochs, batch 64, η = 0.1) on 2000 MNIST digits,
# started three ways. We measure, per hidden layer, the largest difference between two units' incoming
# weights, $\max_j \max_i |W_{ij} - W_{i1}|$, and count the distinct units. One more column guards against a
# second, unrelated way to fail: a layer-2 unit counts as **alive** if it is positive on at least one of the
# 2000 digits (a dead ReLU passes no gradient). The last row is a warning: starting all equal at 0.05, the
# first steps blow the loss up (the largest mini-batch loss is printed) and kill every layer-2 unit, so that
# run would be stuck for a reason that has nothing to do with symmetry. At 0.01 every unit stays alive, and
# the symmetry is the only thing holding the net back.

# %% slideshow={"slide_type": "subslide"}
mnist_sym = load_mnist(2000, n_test=0)

def unit_spread(W):
    # largest difference between hidden unit j's incoming weights (column j) and unit 1's
    return float(np.abs(W - W[:, :1]).max())

def distinct_units(W, tol=1e-9):
    reps = []
    for col in W.T:
        if not any(np.abs(col - r).max() <= tol for r in reps):
            reps.append(col)
    return len(reps)

def alive_units(net, X):
    # layer-2 units that are positive on at least one input (a dead ReLU gets no gradient)
    h1 = L.relu_forward(X @ net.params["fc1.W"] + net.params["fc1.b"])[0]
    h2 = L.relu_forward(h1 @ net.params["fc2.W"] + net.params["fc2.b"])[0]
    return int((h2 > 0).any(axis=0).sum())

equal = lambda value: (lambda k, w: np.full_like(w, value) if k.endswith(".W") else w)
starts = {"all equal (0.01)": equal(0.01),
          "all zeros": lambda k, w: np.zeros_like(w),
          "random (He)": lambda k, w: w,
          "all equal (0.05)": equal(0.05)}
sym_nets = {}
X_sym, y_sym = mnist_sym["X_train"], mnist_sym["y_train"]
print(f"{'start':<17} {'max diff L1':>11} {'L2':>6} {'distinct units':>15} {'L2 alive':>9} "
      f"{'max batch loss':>15} {'loss':>7} {'train acc':>10}")
for name, start in starts.items():
    net = MLP(784, [30, 30], 10, init="he", rng=0)
    net.params = {k: start(k, w) for k, w in net.params.items()}
    hist = train(net, mnist_sym, Optimizer("sgd", lr=0.1), epochs=10, batch_size=64, rng=0,
                 eval_train=False)
    W1, W2 = net.params["fc1.W"], net.params["fc2.W"]
    sym_nets[name] = net
    print(f"{name:<17} {unit_spread(W1):>11.3f} {unit_spread(W2):>6.3f} "
          f"{distinct_units(W1):>7d} and {distinct_units(W2):<5d} {alive_units(net, X_sym):>5d}/30 "
          f"{max(hist.batch_loss):>15.2f} {hist.train_loss[-1]:>7.4f} {net.accuracy(X_sym, y_sym):>10.1%}")

# %% slideshow={"slide_type": "subslide"}
fig, axes = plots.figure(2, 6, width=12, height=2.2)
for row, name in zip(axes, ["all equal (0.01)", "random (He)"]):
    W1 = sym_nets[name].params["fc1.W"]
    plots.show_digits(row, W1[:, :6].T)
    row[0].set_title(name, loc="left", fontsize=13)
fig.suptitle("incoming weights of hidden units 1-6 (layer 1) after training, as 28×28 images")
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** Started all equal at 0.01, the 30 units of each layer are still **one** unit after 320
# steps: the largest difference is 0.000 (exactly 0 up to floating-point round-off), and the six weight
# images in the top row are identical copies. All 30 layer-2 units are alive and the net does learn
# something, but only what a net one unit wide can: 21.4 % training accuracy (loss 1.83), against 92.1 %
# (loss 0.17) for the random start after the same 320 steps. Started at zero, the hidden weights do not move
# at all and the net stays at chance (loss ≈ ln 10 ≈ 2.30, accuracy 10 %). The 0.05 row shows why the
# equal value matters for a *fair* demonstration: its first steps send the mini-batch loss to ≈ 20, every
# layer-2 unit dies (0/30 alive) and the net sits at chance; that failure would be there even without the
# symmetry. Random initialization is not a detail: it is what breaks the symmetry.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3 · How large should the random weights be? One variance rule
#
# A unit sums $n$ inputs (the **fan-in**): $z = \sum_{i=1}^{n} w_i a_i$. With independent, zero-mean
# weights of variance $\mathrm{Var}(w)$, independent of the inputs,
#
# $$\mathrm{Var}(z) = n \cdot \mathrm{Var}(w) \cdot \mathbb{E}[a^2].$$
#
# Note $\mathbb{E}[a^2] = \mathrm{Var}(a) + \mathbb{E}[a]^2$: a mean of the inputs counts too. To keep the
# signal the same size from layer to layer we want $\mathrm{Var}(z)$ to stay put:
#
# * **Xavier** (Glorot & Bengio, 2010), for an activation that is **zero-centred with slope 1 at 0**, such as
#   tanh: near 0, $\tanh z \approx z$, so $a \approx z_{\text{prev}}$ and $\mathbb{E}[a^2] \approx \mathrm{Var}(z_{\text{prev}})$.
#   Then $\mathrm{Var}(z) = \mathrm{Var}(z_{\text{prev}})$ needs $\mathrm{Var}(w) = 1/n$: std $\sqrt{1/n}$.
# * **He** (He et al., 2015): ReLU sets half of a symmetric input to 0, so $\mathbb{E}[a^2] = \mathrm{Var}(z_{\text{prev}})/2$,
#   so $\mathrm{Var}(w) = 2/n$, std $\sqrt{2/n}$.
# * **The sigmoid fits neither.** Near 0, $\sigma(z) \approx \tfrac12 + z/4$: it is *not* centred and its
#   slope is $\tfrac14$, not 1. Write $a_i = \tfrac12 + \delta_i$ with $\delta_i \approx z_{\text{prev},i}/4$. Then
#   $$z = \underbrace{\tfrac12 \textstyle\sum_i w_i}_{\text{offset: the same for every input}} \;+\; \underbrace{\textstyle\sum_i w_i \delta_i}_{\text{the part that depends on the input}}.$$
#   With Xavier's $\mathrm{Var}(w) = 1/n$, (1) the **offset** has a std across units of $\sqrt{n \cdot \tfrac1n \cdot \tfrac14} = \tfrac12$:
#   every unit is moved to its own fixed place on the curve, whatever the input; (2) the **input-dependent**
#   part has variance $n \cdot \tfrac1n \cdot \mathrm{Var}(\delta) \approx \mathrm{Var}(z_{\text{prev}})/16$: its std
#   shrinks by the slope, **× ¼ per layer**. The variance bookkeeping still looks fine ($\mathbb{E}[a^2] \approx \tfrac14$
#   keeps $\mathrm{Var}(z)$ near ¼ in every layer), but almost all of it is offset. Section 4 measures both.
#
# (The paper's Xavier uses $\sqrt{2/(n_\text{in}+n_\text{out})}$, a compromise between the forward and the
# backward pass; like the textbook we use the fan-in only.) In `course_utils`, `MLP(init=...)` takes
# "xavier", "he" or a fixed std and asks `init_std` for each layer:

# %% slideshow={"slide_type": "subslide"}
print(inspect.getsource(init_std))

# %% [markdown] slideshow={"slide_type": "-"}
# **Check.** The function returns the formulas; an `MLP` draws its weights with that std (784 inputs
# into layer 1, 100 into layer 2); and the factor ½ behind He is real: for $z \sim N(0, 1)$,
# $\mathbb{E}[\mathrm{relu}(z)^2] = 0.5$.

# %% slideshow={"slide_type": "subslide"}
for n in (100, 784):
    print(f"n = {n:3d}: init_std('xavier') = {init_std('xavier', n):.4f}  √(1/n) = {np.sqrt(1 / n):.4f}   "
          f"init_std('he') = {init_std('he', n):.4f}  √(2/n) = {np.sqrt(2 / n):.4f}")
net = MLP(784, [100, 100], 10, init="he", rng=0)
for k, n in (("fc1.W", 784), ("fc2.W", 100)):
    print(f"MLP(init='he') {k}: std of the drawn weights {net.params[k].std():.4f}, √(2/{n}) = {np.sqrt(2 / n):.4f}")
z = np.random.default_rng(0).standard_normal(1_000_000)
print(f"E[relu(z)²] for z ~ N(0, 1): {np.mean(L.relu_forward(z)[0] ** 2):.3f}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4 · Activation histograms, reproduced from the textbook
#
# The experiment: 1000 inputs of dimension 100 drawn from N(0, 1) pass through 5 layers of 100 units
# (weights only, no bias), and we histogram every layer's activations in 30 bins. We change only the
# std of the weights. `forward_stack` is the whole experiment; the dashboard below reuses it.

# %% slideshow={"slide_type": "-"}
WIDTH = 100
X_HIST = np.random.default_rng(0).standard_normal((1000, WIDTH))   # the 1000 inputs
HIST_RANGE = {"sigmoid": (0, 1), "tanh": (-1, 1), "relu": (0, 3), "leaky_relu": (-0.5, 3), "elu": (-1, 3)}

def forward_stack(activation, std, n_layers=5, x=X_HIST, rng=1, slopes=False):
    # activations of each layer; std is "xavier", "he" or a number, as in MLP(init=...)
    # slopes=True also returns f'(z) of every activation (the backward pass with dout = 1)
    g = np.random.default_rng(rng)
    f, df = L.ACTIVATIONS[activation]
    acts, grads, h = [], [], x
    for _ in range(n_layers):
        Wl = init_std(std, h.shape[1]) * g.standard_normal((h.shape[1], WIDTH))
        h, cache = f(h @ Wl)
        acts.append(h)
        if slopes:
            grads.append(df(np.ones_like(h), cache))
    return (acts, grads) if slopes else acts

def draw_histograms(axes, acts, activation, layer_ids=None, color=None, label=None):
    # one 30-bin histogram per layer; for ReLU only the positive values (the title gives the share of zeros)
    layer_ids = layer_ids or list(range(1, len(acts) + 1))
    lo, hi = HIST_RANGE[activation]
    shown, titles, off = [], [], []
    for k in layer_ids:
        a = acts[k - 1].ravel()
        titles.append(f"layer {k}" + (f"\n{np.mean(a == 0):.0%} are 0" if activation == "relu" else ""))
        if activation == "relu":
            a = a[a > 0]
        shown.append(a)
        off.append(np.mean((a < lo) | (a > hi)) if a.size else 0.0)
    plots.plot_histograms(axes, shown, bins=30, range=(lo, hi), color=color, titles=titles)
    top = plots.nice_ceiling(max(ax.get_ylim()[1] for ax in axes))
    for ax, frac in zip(axes, off):
        ax.set_ylim(0, top)                      # one count scale per row, in 1-2-5 steps
        ax.title.set_fontsize(12)
        if frac >= 0.005:                                    # values beyond the plotted range
            big = frac > 0.5
            ax.text(0.5 if big else 0.97, 0.5 if big else 0.95, f"{frac:.0%}\noff-scale" if big else f"{frac:.0%} off-scale",
                    transform=ax.transAxes, ha="center" if big else "right", va="center" if big else "top",
                    fontsize=13 if big else 10, color="#D55E00",
                    bbox=dict(facecolor="white", edgecolor="none", alpha=0.8, pad=1))
    axes[0].set_ylabel(label or "count")
    return axes


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Sigmoid: std 1, std 0.01, Xavier
#
# For each layer we print the share of **saturated** activations (below 0.01 or above 0.99, where the
# slope is under 0.01), the share **near 0.5** (within ±0.05, where they are useless because all alike),
# the std of all the layer's activations (what the histogram shows), and the **std across inputs**: for
# each unit, the std of its output over the 1000 inputs, averaged over the units. That last number says
# how differently a unit answers different inputs.

# %% slideshow={"slide_type": "-"}
def pct(values):
    return " ".join(f"{v:6.1%}" for v in values)

def num(values):
    return " ".join(f"{v:6.3f}" for v in values)

SIGMOID_RUNS = {"std = 1": 1.0, "std = 0.01": 0.01, "Xavier √(1/n)": "xavier"}
sig_acts = {name: forward_stack("sigmoid", std) for name, std in SIGMOID_RUNS.items()}
print(f"{'sigmoid':<15}{'':<14}" + " ".join(f"{'L' + str(k):>6}" for k in range(1, 6)))
for name, acts in sig_acts.items():
    print(f"{name:<15}{'saturated':<14}" + pct([np.mean((a < 0.01) | (a > 0.99)) for a in acts]))
    print(f"{'':<15}{'near 0.5':<14}" + pct([np.mean(np.abs(a - 0.5) < 0.05) for a in acts]))
    print(f"{'':<15}{'std':<14}" + num([a.std() for a in acts]))
    print(f"{'':<15}{'across inputs':<14}" + num([a.std(axis=0).mean() for a in acts]))

# %% slideshow={"slide_type": "subslide"}
SIG_COLORS = {"std = 1": plots.PALETTE[3], "std = 0.01": plots.color_for("std=0.01"),
              "Xavier √(1/n)": plots.color_for("xavier")}
fig, axes = plots.figure(3, 5, height=2.3)
for row, (name, acts) in zip(axes, sig_acts.items()):
    draw_histograms(row, acts, "sigmoid", color=SIG_COLORS[name], label=name)
for ax in axes[-1]:
    ax.set_xlabel("activation")
fig.suptitle("sigmoid activations per layer (1000 inputs × 100 units, 30 bins)")
fig.tight_layout()
plt.show()


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.**
#
# * **std = 1 (top row): saturation.** The weights are too large: pre-activations have a std of 6 to 10,
#   so the histograms are U-shaped, piled up at 0 and 1. 64 % of the activations are saturated in layer 1
#   and 43–51 % in the later layers; there the sigmoid's slope is below 0.01 and almost no gradient gets through.
# * **std = 0.01 (middle row): collapse.** The weights are too small: every activation sits near 0.5, a
#   narrow spike two bins wide (four in layer 1). From layer 2 on, every single activation is within 0.5 ± 0.05
#   (std 0.012–0.014). Nothing saturates, but 100 units that all output ~0.5 carry no information: the
#   *representational power* is gone. The last row of numbers is blunt: across inputs, the std is 0.000 from layer 3 on.
# * **Xavier (bottom row): spread, as in the textbook — but the wrong spread.** A broad hump over roughly
#   0.2–0.8 in every layer, std 0.12–0.21, nothing saturated. But look at layers 3–5: the histogram turns
#   jagged, and the std *across inputs* falls from 0.207 to 0.048, 0.011, 0.003, 0.001 — by about ¼ per layer.
#   The spread is now almost all *between units*: each unit sits at its own almost fixed value whatever the
#   input. That is exactly the derivation of section 3: the ½ offset and the ¼ slope. The next cell checks it.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Why Xavier fails the sigmoid: the ½ offset and the ¼ slope, measured
#
# Section 3 predicts, for the sigmoid with Xavier: the input-independent **offset** of every unit's
# pre-activation, $\tfrac12\sum_i w_i$, has a std across units of about ½; the **std across inputs** shrinks by
# about ¼ per layer. For tanh (centred, slope 1) the offset should be ≈ 0 and the ratio ≈ 1. Two repairs of the
# sigmoid separate the two causes: std $4/\sqrt{n} = 0.4$ undoes the slope ¼ but not the offset, and the
# centred sigmoid $\sigma(z) - \tfrac12 = \tfrac12\tanh(z/2)$ with std 0.4 fixes both. Per layer, for 10 layers
# (same 1000 inputs, same draws): the offset (std over units of the unit's mean pre-activation), the std
# across inputs of the activations, and its ratio to the previous layer.

# %% slideshow={"slide_type": "subslide"}
def stack_with_offsets(f, std, n_layers=10, x=X_HIST, rng=1):
    # like forward_stack, for any activation f; also returns the pre-activations z
    g, h, pre, acts = np.random.default_rng(rng), x, [], []
    for _ in range(n_layers):
        z = h @ (std * g.standard_normal((h.shape[1], WIDTH)))
        h = f(z)
        pre.append(z)
        acts.append(h)
    return pre, acts

sigmoid = lambda z: L.sigmoid_forward(z)[0]
XAVIER_CASES = {"sigmoid, Xavier 1/√n": (sigmoid, 0.1),
                "tanh, Xavier 1/√n": (np.tanh, 0.1),
                "sigmoid, 4/√n": (sigmoid, 0.4),
                "σ − ½, 4/√n": (lambda z: sigmoid(z) - 0.5, 0.4)}
print(f"{'':<21}{'':<16}" + "".join(f"{'L' + str(k):>6}" for k in range(1, 11)))
xavier_ratio = {}
for name, (f, std) in XAVIER_CASES.items():
    pre, acts = stack_with_offsets(f, std)
    across = np.array([a.std(axis=0).mean() for a in acts])
    xavier_ratio[name] = across[1:] / across[:-1]
    print(f"{name:<21}{'offset std':<16}" + "".join(f"{z.mean(axis=0).std():6.2f}" for z in pre))
    print(f"{'':<21}{'across inputs':<16}" + "".join(f"{v:6.3f}" for v in across))
    print(f"{'':<21}{'ratio':<16}{'':>6}" + "".join(f"{v:6.2f}" for v in xavier_ratio[name]))
for name, r in xavier_ratio.items():
    print(f"{name:<21} mean ratio per layer {r.mean():.2f} (range {r.min():.2f}–{r.max():.2f})")

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** The prediction holds. Sigmoid with Xavier: from layer 2 on the offset std is 0.46–0.60
# (predicted ½) and the std across inputs shrinks by 0.23–0.24 per layer (predicted ¼; a little less because
# the offsets move units off the steepest point), so after 5 layers less than 1 % of the signal that tells
# inputs apart is left, while the histogram still *looks* spread. Tanh with Xavier has no offset (≤ 0.03) and
# keeps 0.77–0.94 of the signal per layer (below 1 only because tanh flattens away from 0).
# Fixing the slope alone (sigmoid, 4/√n) is not enough: the offset grows to ≈ 2 (4 × ½), units are pushed
# out onto the flat flanks, and the ratio is still about 0.6. Fixing the offset too (σ − ½, which is a scaled
# tanh) behaves like tanh. So Xavier's √(1/n) belongs to tanh; the sigmoid breaks both of its assumptions.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### ReLU: std 0.01, Xavier, He
#
# ReLU outputs exactly 0 for about half of the inputs. That spike would dwarf everything else, so the
# histograms show the **positive** activations only; the title gives the share of zeros. We print the
# std of the activations per layer.

# %% slideshow={"slide_type": "-"}
RELU_RUNS = {"std = 0.01": 0.01, "Xavier √(1/n)": "xavier", "He √(2/n)": "he"}
relu_acts = {name: forward_stack("relu", std) for name, std in RELU_RUNS.items()}
print(f"{'ReLU':<15}{'':<13}" + " ".join(f"{'L' + str(k):>9}" for k in range(1, 6)))
for name, acts in relu_acts.items():
    print(f"{name:<15}{'std':<13}" + " ".join(f"{a.std():9.3g}" for a in acts))
print(f"{'(all three)':<15}{'exactly 0':<13}" + " ".join(f"{np.mean(a == 0):9.1%}" for a in relu_acts["He √(2/n)"]))

# %% slideshow={"slide_type": "subslide"}
RELU_COLORS = {"std = 0.01": plots.color_for("std=0.01"), "Xavier √(1/n)": plots.color_for("xavier"),
               "He √(2/n)": plots.color_for("he")}
fig, axes = plots.figure(3, 5, height=2.3)
for row, (name, acts) in zip(axes, relu_acts.items()):
    draw_histograms(row, acts, "relu", color=RELU_COLORS[name], label=name)
for ax in axes[-1]:
    ax.set_xlabel("activation (positive part)")
fig.suptitle("ReLU activations per layer: positive values, 30 bins over [0, 3]")
fig.tight_layout()
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.**
#
# * **std = 0.01: collapse to 0.** From layer 2 on every positive activation falls into the first bin,
#   and it gets worse fast: the std shrinks by a factor ≈ 0.01·√(100/2) ≈ 0.07 per layer, from 0.058 in
#   layer 1 to about 10⁻⁶ in layer 5.
# * **Xavier: steady shrinking.** The histograms squeeze to the left from layer to layer; the std drops
#   by about √2 per layer (0.58 → 0.13), because Xavier ignores the half that ReLU sets to 0. Tolerable for
#   5 layers, not for 20 (below).
# * **He: the same picture in every layer.** The std stays between 0.73 and 0.83 and the five histograms
#   look alike (the 2–4 % of values beyond 3 are marked off-scale). This is the healthy spread we want.
#
# All three rows have the same share of zeros per layer (48–53 %): ReLU is positively homogeneous,
# relu(c·z) = c·relu(z), so with the same random draws the weight scale changes the size of the
# activations but not their pattern.

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Deeper nets make the differences bigger
#
# The dashboard goes up to 20 layers. Before playing, the numbers: for layers 1, 5, 10 and 20 of a few
# combinations (the same `forward_stack`, 20 layers), the std of all activations and, after the slash, the std
# across inputs. With a small std, tanh and ReLU both vanish geometrically (10⁻²⁰ and 10⁻²⁴ at layer 20);
# ReLU with Xavier is down to 5·10⁻⁴; He keeps ReLU at the same order of magnitude (0.83 → 0.54, a slow
# random drift at width 100); ELU, whose negative side is not 0, grows slowly under He (1.1 → 2.1). The
# sigmoid with Xavier is the trap: its overall std stays at 0.12, while its std across inputs is gone
# (6·10⁻⁴ at layer 5, 10⁻¹³ at layer 20). ReLU's outputs are not centred either (their mean is positive),
# so even under He the std across inputs drifts down with depth (0.82 → 0.17 at layer 20) — slowly, not
# by ×¼ per layer.

# %% slideshow={"slide_type": "-"}
DEEP = [("sigmoid", "xavier"), ("tanh", 0.01), ("tanh", "xavier"), ("relu", 0.01),
        ("relu", "xavier"), ("relu", "he"), ("elu", "he")]
print(f"{'std / across inputs':<20}" + "".join(f"{'layer ' + str(k):>20}" for k in (1, 5, 10, 20)))
for act, std in DEEP:
    acts = forward_stack(act, std, n_layers=20)
    cells = [f"{acts[k - 1].std():.3g} / {acts[k - 1].std(axis=0).mean():.2g}" for k in (1, 5, 10, 20)]
    print(f"{act + ', ' + str(std):<20}" + "".join(f"{c:>20}" for c in cells))


# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Play: the histogram dashboard
#
# Choose the activation, the std of the weights (log slider) and the number of layers; the histograms of
# three layers (the first, the middle and the last) redraw at once — there is no training, only forward
# passes. The two panels on the right show, per layer, what a histogram cannot: **std** of all activations
# (solid) against **std across inputs** (dashed: how differently a unit answers different inputs — the
# number that exposed the sigmoid), and the **saturated share**, the fraction of activations whose slope
# $f'(z)$ is below 0.01 (no gradient gets through; for ReLU these are the exact zeros). The two buttons set
# the slider to Xavier √(1/100) = 0.1 and He √(2/100) ≈ 0.141 (every layer has 100 inputs).

# %% slideshow={"slide_type": "subslide"}
def layers_to_show(n_layers, k=3):
    return sorted({int(round(v)) for v in np.linspace(1, n_layers, min(k, n_layers))})

def std_color(std):
    for name, value in (("std=0.01", 0.01), ("xavier", np.sqrt(1 / WIDTH)), ("he", np.sqrt(2 / WIDTH))):
        if abs(std / value - 1) < 0.02:
            return plots.color_for(name)
    return plots.PALETTE[3]

def hist_experiment(activation, std, n_layers, live):
    return forward_stack(activation, std, n_layers, slopes=True)

def hist_draw(axes, result, values):
    acts, slopes = result
    ids = layers_to_show(len(acts))
    hist_axes, std_ax, sat_ax = axes[:3], axes[3], axes[4]
    for ax in hist_axes:
        ax.set_axis_on() if ax in hist_axes[:len(ids)] else ax.set_axis_off()
    color = std_color(values["std"])
    draw_histograms(hist_axes[:len(ids)], acts, values["activation"], ids, color=color)
    layer = np.arange(1, len(acts) + 1)
    stds = np.array([a.std() for a in acts])
    across = np.array([a.std(axis=0).mean() for a in acts])
    std_ax.set_yscale("log")
    std_ax.plot(layer, stds, marker="o", color=color, label="all")
    std_ax.plot(layer, np.maximum(across, 1e-30), marker="s", ls="--", color="0.25", label="across inputs")
    low = max(min(stds.min(), across.min()) / 3, 1e-30)
    decades = np.floor(np.log10(min(1e-3, low))), np.ceil(np.log10(max(3.0, stds.max() * 3)))
    std_ax.set(ylabel="std", xlabel="layer", xlim=(0.5, len(acts) + 0.5),
               ylim=(10.0 ** decades[0], 10.0 ** decades[1]))   # whole decades, >= 0.001 .. 10
    # the legend sits where the title would (the curves move with σ: no corner is always free)
    std_ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False,
                  handlelength=1.6, handletextpad=0.4, borderaxespad=0.2, labelspacing=0.2)
    sat = [np.mean(s < 0.01) for s in slopes]
    sat_ax.plot(layer, sat, marker="o", color=color)
    sat_ax.set(title="saturated units\nf′(z) < 0.01", xlabel="layer",
               xlim=(0.5, len(acts) + 0.5), ylim=(-0.03, 1.03))
    sat_ax.yaxis.set_major_formatter(PERCENT)
    for ax in (std_ax, sat_ax):
        ax.xaxis.set_major_locator(plt.MaxNLocator(nbins=6, steps=[1, 2, 5, 10], integer=True))
    std_ax.figure.suptitle(f"{values['activation']}, weight std {values['std']:.3g}, {len(acts)} layers")

PERCENT = plt.FuncFormatter(lambda v, _: f"{v:.0%}")

dash = W.Dashboard(
    hist_experiment, hist_draw, layout=(1, 5), figsize=(15.5, 3.8), width_ratios=(1, 1, 1, 1.3, 1.3),
    activation=W.dropdown("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "elu"], "sigmoid"),
    std=W.log_slider("weight std σ", 1e-3, 10, 1.0, fmt=".3g"),
    n_layers=W.int_slider("layers", 1, 20, 5),
)
xavier_button = ipywidgets.Button(description="Xavier √(1/100)", tooltip="set σ = 0.1")
he_button = ipywidgets.Button(description="He √(2/100)", tooltip="set σ = 0.1414")
xavier_button.on_click(lambda _: setattr(dash.controls["std"], "value", np.sqrt(1 / WIDTH)))
he_button.on_click(lambda _: setattr(dash.controls["std"], "value", np.sqrt(2 / WIDTH)))
buttons = ipywidgets.HBox([ipywidgets.Label("set σ to:"), xavier_button, he_button])

# %% slideshow={"slide_type": "subslide"} tags=["nbval-ignore-output"]
display(buttons)
dash

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you should see** (start: sigmoid, σ = 1, 5 layers — the top row of the sigmoid figure):
#
# 1. **At the start** the saturated share is about 40–65 % in every layer: the U shape is saturation.
# 2. **Press "Xavier".** The U shape at 0 and 1 turns into a hump around 0.5 and the saturated share drops
#    to 0; the solid std line drops from ≈ 0.44 to ≈ 0.12 and stays flat — but the dashed line (std across
#    inputs) falls by ×¼ per layer: the hump is made of units that no longer react to the input.
# 3. **Slide σ down to 0.001.** The hump collapses into a single spike at 0.5 (std ≈ 0.001).
# 4. **Switch to relu, press "He", set 20 layers.** The histograms look alike and the solid std line stays between
#    about 0.5 and 0.9 (the dashed one drifts down to ≈ 0.2: ReLU's output is not centred either); the saturated share is ReLU's ~50 % of exact zeros in every layer. **Press "Xavier"**:
#    the lines fall steadily (÷√2 per layer, 5·10⁻⁴ at layer 20) and the later histograms squeeze into the first bin.
# 5. **tanh with Xavier** stays symmetric around 0, its two std lines stay together and shrink only slowly
#    with depth; **tanh with σ = 0.01** vanishes like ReLU with σ = 0.01.
# 6. **relu with σ = 10**: the std lines climb by ×70 per layer and the histograms report "off-scale":
#    exploding activations, the mirror image of collapse. **sigmoid or tanh with σ = 10**: the saturated
#    share goes to nearly 100 %.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5 · Vanishing gradients
#
# Going backwards, each layer multiplies the gradient by $W^\top$ and by $f'(z)$. For the sigmoid
# $f' \le 1/4$, so in a deep sigmoid net the gradient shrinks layer after layer towards the input, and the
# first layers barely learn. ReLU passes the gradient unchanged where it is active, and He keeps its size.
#
# Experiment: 784-100×10-10 nets (10 hidden layers) on one batch of 500 MNIST digits, no training, one
# backward pass: the norm $\lVert \partial L / \partial W_\ell \rVert$ of each layer's weight gradient.

# %% slideshow={"slide_type": "-"}
mnist_vg = load_mnist(500, n_test=0)
VG_RUNS = {"sigmoid, Xavier": ("sigmoid", "xavier"), "ReLU, std 0.01": ("relu", 0.01),
           "ReLU, He": ("relu", "he")}
VG_COLORS = {"sigmoid, Xavier": plots.color_for("xavier"), "ReLU, std 0.01": plots.color_for("std=0.01"),
             "ReLU, He": plots.color_for("he")}
grad_norms = {}
for name, (act, init) in VG_RUNS.items():
    net = MLP(784, [100] * 10, 10, activation=act, init=init, rng=0)
    _, grads = net.loss(mnist_vg["X_train"], mnist_vg["y_train"])
    grad_norms[name] = np.array([np.linalg.norm(grads[f"fc{i}.W"]) for i in range(1, 12)])
print(f"{'‖dW‖ per layer':<16}" + "".join(f"{'fc' + str(i):>9}" for i in range(1, 12)))
for name, g in grad_norms.items():
    print(f"{name:<16}" + "".join(f"{v:9.1e}" for v in g))
for name, g in grad_norms.items():
    print(f"{name:<16} first layer / last layer = {g[0] / g[-1]:.1e}")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plots.figure(1, 1, width=11, height=4.2)
layer_idx = np.arange(1, 12)
for j, (name, g) in enumerate(grad_norms.items()):
    ax.bar(layer_idx + (j - 1) * 0.27, g, width=0.27, color=VG_COLORS[name], label=name)
ax.set_yscale("log")
ax.set(xlabel="layer (1 = next to the input, 11 = output layer)", ylabel="‖∂L/∂W‖",
       title="weight-gradient norm per layer, 784-100×10-10, one batch of 500 digits")
ax.set_xticks(layer_idx)
ax.set_ylim(1e-13, 1e3)                                    # headroom for the legend
ax.legend(loc="upper left", ncols=3)
plt.show()

# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** The sigmoid net's bars (green) climb by about six orders of magnitude from the input
# to the output: ~7·10⁻⁷ at layer 1 against ~0.8 at the output layer. With plain SGD the first layers would
# need a million times more steps than the last — that is the **vanishing gradient**. The ReLU/He bars
# (vermillion) are all between 0.3 and 0.8: every layer gets a usable gradient. ReLU with std 0.01 (blue)
# is flat too, but at ~10⁻¹²: the signal has already collapsed on the way forward, so every gradient is
# tiny. The next experiment shows what that does to training.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6 · On MNIST, reproduced: std 0.01 vs Xavier vs He
#
# The textbook's comparison: a 784-100-100-100-100-10 ReLU net trained with SGD (η = 0.01, batch 128),
# one run per initialization. We train on 3000 of the bundled digits for 40 epochs (960 mini-batch steps),
# score on a separate **validation** split of 1000 digits, and repeat everything for **3 seeds** (the seed sets
# both the initial weights and the order of the mini-batches), so that a difference between two inits can be
# compared with the difference between two seeds. The 1000 test digits are split off first and stay unused
# until section 8. The figure shows the training loss of every mini-batch, smoothed over 20 steps (seed 0).

# %% slideshow={"slide_type": "subslide"}
mnist = load_mnist(3000, n_val=1000, n_test=1000)
mnist_dev = {k: v for k, v in mnist.items() if not k.endswith("_test")}   # the test digits stay out
MNIST_RUNS = {"std=0.01": 0.01, "Xavier": "xavier", "He": "he"}
SEEDS = (0, 1, 2)
mnist_hist, mnist_nets = {}, {}
t0 = time.perf_counter()
for name, init in MNIST_RUNS.items():
    for seed in SEEDS:
        net = MLP(784, [100] * 4, 10, activation="relu", init=init, rng=seed)
        mnist_hist[name, seed] = train(net, mnist_dev, Optimizer("sgd", lr=0.01), epochs=40,
                                       batch_size=128, rng=seed, eval_train=False)
        mnist_nets[name, seed] = net
print(f"⏱ {time.perf_counter() - t0:.2f} s for {len(mnist_hist)} runs of {len(mnist_hist['He', 0].batch_loss)} steps")

def first_below(losses, level, window=20):
    hit = np.flatnonzero(plots.smooth(losses, window) < level)
    return hit[0] + 1 if hit.size else None

def spread(values, fmt):
    # "mean (min–max)" over the seeds, or "never" if a run never got there
    if any(v is None for v in values):
        return "never" if all(v is None for v in values) else "not all seeds"
    return f"{format(np.mean(values), fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"

print(f"mean (min–max) over {len(SEEDS)} seeds")
print(f"{'init':<9} {'final train loss':>22} {'validation acc':>22} {'steps to loss < 1':>20} {'< 0.5':>16}")
for name in MNIST_RUNS:
    hs = [mnist_hist[name, s] for s in SEEDS]
    print(f"{name:<9} {spread([h.train_loss[-1] for h in hs], '.4f'):>22} "
          f"{spread([100 * h.val_acc[-1] for h in hs], '.1f'):>22} "
          f"{spread([first_below(h.batch_loss, 1.0) for h in hs], '.0f'):>20} "
          f"{spread([first_below(h.batch_loss, 0.5) for h in hs], '.0f'):>16}")
val_gap = [mnist_hist["He", s].val_acc[-1] - mnist_hist["Xavier", s].val_acc[-1] for s in SEEDS]
print(f"He − Xavier, validation accuracy, same seed: " + ", ".join(f"{100 * d:+.1f}" for d in val_gap) + " points")
best_init = max(MNIST_RUNS, key=lambda n: np.mean([mnist_hist[n, s].val_acc[-1] for s in SEEDS]))
print(f"chosen on validation: {best_init}")

# %% slideshow={"slide_type": "subslide"}
fig, ax = plots.figure(1, 1, width=10, height=4.4)
for name in MNIST_RUNS:
    plots.plot_loss_per_iteration(ax, mnist_hist[name, 0], label=name, color=plots.color_for(name),
                                  smooth_window=20)
ax.set(ylim=(0, 2.6), title="MNIST 784-100×4-10, ReLU, SGD η = 0.01, batch 128 (seed 0)")
ax.legend(title="weight init")
plt.show()


# %% [markdown] slideshow={"slide_type": "notes"}
# **What you see.** With std = 0.01 (blue) the loss stays flat at ln 10 ≈ 2.3026 and the validation accuracy
# at chance (10 %) for every seed: after 960 steps the net has learned nothing — the collapse of sections 4
# and 5, with four layers instead of ten. Xavier (green) and He (vermillion) both learn, and He is faster on
# every seed: the smoothed loss falls under 1 in about 160 steps instead of about 470, under 0.5 in about 310
# instead of about 760, and the validation accuracy is 91.3–91.7 % against 87.3–88.5 %. The He − Xavier gap
# (+3.1 to +4.4 points, same seed) is larger than the spread between the seeds of one init (≤ 1.2
# points) on every seed, so on this protocol — the same η = 0.01 for all three, 40 epochs — the ordering is real. What it
# does *not* show is that He wins at every learning rate: Xavier with a larger η might catch up; that would
# need each init at its own validation-tuned η. The textbook's finding, as far as this protocol goes: std 0.01
# does not learn, Xavier does, and with ReLU He learns faster.

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7 · Exercises
#
# Each exercise is a function to complete between the `BEGIN SOLUTION` and `END SOLUTION` lines; the
# cell after it checks it at once and prints one line (✓, or a hint naming the likely mistake).
#
# **Exercise 1 — Xavier and He.** Return the std of the initial weights of a layer with `fan_in` inputs
# and `fan_out` outputs (its `W` has shape `(fan_in, fan_out)`): `init` is `"xavier"` or `"he"`, as in
# section 3.

# %% slideshow={"slide_type": "-"}
def my_init_std(init, fan_in, fan_out):
    # BEGIN SOLUTION the variance rule of section 3: which n (inputs or outputs?), and which factor under the root?
    n = fan_in
    return np.sqrt((2.0 if init == "he" else 1.0) / n)
    # END SOLUTION


# %% slideshow={"slide_type": "-"}
_ = checks.check_init_std(my_init_std)


# %% [markdown] slideshow={"slide_type": "subslide"}
# **Exercise 2 — the ReLU backward pass.** Given the upstream gradient `dout` and the layer's input `x`
# (same shape), return $\partial L/\partial x$: `dout` where the unit was active, 0 elsewhere. Convention:
# the derivative at exactly `x = 0` is 0.

# %% slideshow={"slide_type": "-"}
def my_relu_backward(dout, x):
    # BEGIN SOLUTION where was the unit active? Decide from x (mind the convention at x = 0), then apply the chain rule
    return dout * (x > 0)
    # END SOLUTION


# %% slideshow={"slide_type": "-"}
_ = checks.check_relu_backward(my_relu_backward)


# %% [markdown] slideshow={"slide_type": "subslide"}
# **Exercise 3 — the sigmoid backward pass.** The forward pass cached its *output* `out` = σ(x). Return
# $\partial L/\partial x$ from `dout` and `out` only. Then look at your formula: why can it never exceed
# `dout / 4`?

# %% slideshow={"slide_type": "-"}
def my_sigmoid_backward(dout, out):
    # BEGIN SOLUTION write σ'(x) in terms of out = σ(x) (table in section 1), then apply the chain rule
    return dout * out * (1.0 - out)
    # END SOLUTION


# %% slideshow={"slide_type": "-"}
_ = checks.check_sigmoid_backward(my_sigmoid_backward)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8 · The test set, once
#
# Every choice in this chapter was made on training or validation data. Now, and only now, the 1000 test
# digits that `load_mnist` split off in section 6: the init chosen on validation (He), its three nets as
# trained, scored once. This is the number to quote for "He, 784-100×4-10, SGD η = 0.01, 40 epochs, 3000
# training digits"; it is not used to choose anything.

# %% slideshow={"slide_type": "-"}
test_acc = [mnist_nets[best_init, s].accuracy(mnist["X_test"], mnist["y_test"]) for s in SEEDS]
print(f"TEST (the one look): {best_init}, {len(SEEDS)} seeds: "
      + ", ".join(f"{a:.1%}" for a in test_acc)
      + f"   mean {mean_sd(test_acc)} (std over seeds)")
print(f"validation accuracy of the same nets: "
      + ", ".join(f"{mnist_hist[best_init, s].val_acc[-1]:.1%}" for s in SEEDS))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Summary
#
# 1. Weights must start random: equal weights give equal units that stay equal (symmetry) — a 30-unit layer
#    learns like a 1-unit layer; all zeros give no gradient at all.
# 2. Var(z) = n·Var(w)·E[a²]: pick Var(w) so the signal keeps its size — Xavier √(1/n) for a zero-centred
#    activation with slope 1 at 0 (tanh), He √(2/n) for ReLU.
# 3. The sigmoid fits neither: σ(z) ≈ ½ + z/4. Its ½ offset gives each unit a fixed, input-independent shift
#    (std ½ across units under Xavier) and its ¼ slope shrinks the input-dependent signal by ×¼ per layer; the
#    histogram still looks spread, the std *across inputs* reveals it.
# 4. Too large a std saturates sigmoid and tanh units; too small collapses every activation to one value
#    (0.5 for sigmoid, 0 for ReLU and tanh).
# 5. The sigmoid's slope is at most 1/4, so gradients vanish with depth; ReLU with He keeps every layer's
#    gradient the same size.
# 6. On MNIST (same η for all, 3 seeds, validation split): std 0.01 does not learn, Xavier learns, He learns
#    faster and scores higher on every seed; the test set, looked at once, confirms the chosen He nets.
#    Chapter 03's batch normalization enforces the healthy spread directly.
