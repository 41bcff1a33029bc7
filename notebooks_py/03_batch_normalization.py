# %% [markdown]
# # 03 · Batch normalization
#
# Chapter 02 showed that a deep net only trains when the scale of its initial weights is just right.
# **Batch normalization** (Ioffe & Szegedy, 2015) takes that worry away: it re-centres and re-scales the
# input of every activation, mini-batch by mini-batch, and lets the net learn the scale it wants.
#
# **Learning goals.** After this chapter you can
#
# 1. write the batch-norm forward pass (μ_B, σ²_B, x̂, γ, β) and its backward pass, and check both numerically;
# 2. say where the layer goes (after the affine layer, before the activation) and why the affine bias becomes useless;
# 3. reproduce the textbook experiment: with batch norm a 6-layer net learns at almost every weight scale;
# 4. explain the difference between **training mode** (batch statistics) and **inference mode** (running
#    averages), and measure what goes wrong when batch statistics are used at test time or batches are tiny.

# %%
import copy
import inspect
import time

import numpy as np
import matplotlib.pyplot as plt
from threadpoolctl import threadpool_limits

threadpool_limits(1)          # one BLAS thread: repeatable numbers
# %matplotlib inline
from course_utils import plots
from course_utils import checks, layers as L, widgets as W
from course_utils import MLP, Optimizer, load_mnist, train
from course_utils.gradcheck import numerical_gradient_array, rel_error

data = load_mnist(n_train=1000, n_val=0, n_test=1000, rng=0)     # the textbook's 1000 training digits
X, y, X_test, y_test = data["X_train"], data["y_train"], data["X_test"], data["y_test"]
print(f"training digits {X.shape}, test digits {X_test.shape}, pixels scaled to [0, 1]")

# %% [markdown]
# ## 1 · Why: the input of a layer keeps moving
#
# Every weight update changes what the layers above receive. A layer deep in the net is therefore
# learning against a moving target: the distribution of its input drifts during training
# (Ioffe & Szegedy call it *internal covariate shift*). We train a 784-100×5-10 ReLU net (He init,
# SGD η = 0.1, batch 100, 20 epochs) twice, without and with batch norm, and look at the
# **pre-activations of the 5th hidden layer** (the input of its ReLU) for all 1000 training digits after
# 0, 1, 5 and 20 epochs.

# %%
SNAP_EPOCHS = (0, 1, 5, 20)

def train_with_snapshots(batchnorm, lr=0.1, epochs=20):
    # Train a 784-100x5-10 net; keep a copy of it after the epochs in SNAP_EPOCHS.
    net = MLP(784, [100] * 5, 10, batchnorm=batchnorm, rng=0)
    snaps = {0: copy.deepcopy(net)}
    def keep(hist):
        if hist.epochs in SNAP_EPOCHS:
            snaps[hist.epochs] = copy.deepcopy(net)
    train(net, (X, y), Optimizer("sgd", lr=lr), epochs=epochs, batch_size=100, on_epoch=keep,
          eval_train=False)
    return net, snaps

def layer_input(net, layer):
    # Pre-activations of one hidden layer (after BN, if any) for all 1000 training digits,
    # with the statistics of this batch of 1000; a copy, so the net's running averages stay as they are.
    _, _, hidden = copy.deepcopy(net).forward(X, train=True, keep_hidden=True)
    return hidden[layer - 1][0]

net_plain, snaps_plain = train_with_snapshots(batchnorm=False)
net_bn, snaps_bn = train_with_snapshots(batchnorm=True)
pre = {(name, e): layer_input(s[e], 5) for name, s in (("plain", snaps_plain), ("bn", snaps_bn))
       for e in SNAP_EPOCHS}

print("layer-5 pre-activations: mean / std over all units and digits")
print(f"{'epoch':>5} | {'without BN':>14} | {'with BN':>14}")
for e in SNAP_EPOCHS:
    a, b = pre[("plain", e)], pre[("bn", e)]
    print(f"{e:>5} | {round(a.mean(), 2) + 0.0:+6.2f} / {a.std():5.2f} | "
          f"{round(b.mean(), 2) + 0.0:+6.2f} / {b.std():5.2f}")
print(f"training accuracy after 20 epochs: without BN {net_plain.accuracy(X, y):.1%}, "
      f"with BN {net_bn.accuracy(X, y):.1%}")

# %%
fig, axes = plots.figure(1, 2, height=3.8, sharey=True, layout="constrained")
shades = plt.cm.viridis(np.linspace(0.9, 0.1, len(SNAP_EPOCHS)))
for ax, (name, title) in zip(axes, (("plain", "without batch norm"), ("bn", "with batch norm"))):
    for e, c in zip(SNAP_EPOCHS, shades):
        ax.hist(pre[(name, e)].ravel(), bins=80, range=(-6, 8), density=True, histtype="step",
                lw=2, color=c, label=f"epoch {e}")
    ax.set_title(f"layer 5, {title}")
    ax.set_xlabel("pre-activation value")
axes[0].set_ylabel("density")
axes[1].legend()
plt.show()

# %% [markdown]
# Without batch norm the distribution widens and shifts as training goes on (its std grows about
# sixfold in 20 epochs): layer 6 sees a different input every epoch. With batch norm it stays at
# mean β ≈ 0 and std γ ≈ 1, whatever the layers below do. (Whether this "shift" is *the* reason batch
# norm helps is debated; Santurkar et al. (2018) credit a smoother loss surface. The measured benefits
# below do not depend on that debate.)

# %% [markdown]
# ## 2 · The algorithm
#
# For one feature (one column of the mini-batch $x_1, \dots, x_N$), in **training mode**:
#
# $$\mu_B = \frac1N\sum_{i=1}^N x_i \qquad \sigma_B^2 = \frac1N\sum_{i=1}^N (x_i-\mu_B)^2 \qquad
# \hat x_i = \frac{x_i-\mu_B}{\sqrt{\sigma_B^2+\varepsilon}} \qquad y_i = \gamma\,\hat x_i + \beta$$
#
# - σ²_B is the **biased** variance (divided by N), ε = 10⁻⁵ keeps the division safe.
# - γ (scale) and β (shift) are learned, one pair per feature, starting at γ = 1, β = 0.
# - The layer also keeps **running averages** for later, updated at every training step:
#   $\mu_{run} \leftarrow m\,\mu_{run} + (1-m)\,\mu_B$ and the same for σ², with momentum **m = 0.9**
#   (Keras writes `momentum=0.99` in the same convention; PyTorch writes `momentum=0.1` for our 0.9, because it
#   weights the *new* batch by its momentum).
#
# In **inference mode** it uses $\hat x = (x-\mu_{run})/\sqrt{\sigma^2_{run}+\varepsilon}$: a fixed affine map,
# the same for every example. The code in `course_utils.layers`:

# %%
print(inspect.getsource(L.batchnorm_forward))


# %% [markdown]
# **Check the code against the formula**: a batch of 200 rows with mean ≈ 5 and std ≈ 3; the output
# must have mean β and std γ per feature (std slightly below γ because of ε), and one training step
# moves the running mean from 0 to 0.1 × μ_B.

# %%
def clean(v):
    return np.round(v, 4) + 0.0      # + 0.0 turns -0.0 into 0.0

g = np.random.default_rng(0)
x = 5 + 3 * g.standard_normal((200, 4))
gamma, beta = np.array([1.0, 2.0, 0.5, 3.0]), np.array([0.0, -1.0, 4.0, 0.5])
out, cache, running = L.batchnorm_forward(x, gamma, beta, None, train=True)
by_hand = gamma * (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5) + beta
print("code = formula (max difference < 1e-12):", np.abs(out - by_hand).max() < 1e-12)
print("mean of y per feature:", clean(out.mean(axis=0)), "  β =", beta)
print("std  of y per feature:", clean(out.std(axis=0)), "  γ =", gamma)
print("running mean after one step:", clean(running["mean"]), " = 0.1 × μ_B =", clean(0.1 * x.mean(axis=0)))

# %% [markdown]
# ### The backward pass, step by step
#
# Given the upstream gradient $dy_i = \partial L/\partial y_i$, walk the graph
# $x \to \mu_B \to \sigma_B^2 \to \hat x \to y$ backwards (one feature; sums run over the batch):
#
# 1. $y_i = \gamma \hat x_i + \beta$: $\quad d\beta = \sum_i dy_i$, $\quad d\gamma = \sum_i dy_i\,\hat x_i$, $\quad d\hat x_i = \gamma\, dy_i$.
# 2. $\hat x_i = (x_i-\mu_B)\, s$ with $s = (\sigma_B^2+\varepsilon)^{-1/2}$: $x_i$ reaches $\hat x_i$ **directly**, and also
#    **through** $\mu_B$ and $\sigma_B^2$, which every $x_i$ helps to compute.
# 3. Through $\sigma_B^2$: $\;d\sigma_B^2 = -\tfrac12 s^3 \sum_j d\hat x_j (x_j-\mu_B)$, and $\partial\sigma_B^2/\partial x_i = \tfrac2N (x_i-\mu_B)$.
# 4. Through $\mu_B$: $\;d\mu_B = -s\sum_j d\hat x_j$ (the path $\mu_B \to \sigma_B^2$ adds
#    $-\tfrac2N\sum_j (x_j-\mu_B) = 0$), and $\partial\mu_B/\partial x_i = \tfrac1N$.
# 5. Add the three paths: $dx_i = s\, d\hat x_i + \tfrac2N (x_i-\mu_B)\, d\sigma_B^2 + \tfrac1N d\mu_B$.
#
# Substituting and writing everything with $\hat x$ gives the **compact formula**
#
# $$dx_i = \frac{\gamma\, s}{N}\Big(N\,dy_i - \sum_j dy_j - \hat x_i \sum_j dy_j\,\hat x_j\Big),$$
#
# i.e. the direct gradient minus its batch mean (the μ_B path) minus its component along x̂ (the σ²_B path).
# That is what the code computes:

# %%
print(inspect.getsource(L.batchnorm_backward))

# %% [markdown]
# **Numerical gradient check**: central differences of $\sum_i dy_i \cdot y_i$ with respect to x, γ and β
# against the formulas (a relative error below 10⁻⁷ means they agree).

# %%
g = np.random.default_rng(1)
x = 2 + 3 * g.standard_normal((16, 5))
gamma, beta = 1 + 0.5 * g.standard_normal(5), g.standard_normal(5)
dout = g.standard_normal((16, 5))
_, cache, _ = L.batchnorm_forward(x, gamma, beta, None, train=True)
dx, dgamma, dbeta = L.batchnorm_backward(dout, cache)
forward = lambda: L.batchnorm_forward(x, gamma, beta, None, train=True)[0]   # reads x, γ, β as perturbed
for name, analytic, wrt in (("dx", dx, x), ("dγ", dgamma, gamma), ("dβ", dbeta, beta)):
    err = rel_error(analytic, numerical_gradient_array(forward, wrt, dout))
    print(f"{name}: relative error {'< 1e-8  ✓' if err < 1e-8 else f'{err:.1e}  ✗'}")

# %% [markdown]
# ## 3 · Where it goes
#
# `MLP(..., batchnorm=True)` puts a batch-norm layer in every hidden layer, **after the affine layer and
# before the activation**: affine → batch norm → ReLU. The output layer has none. From `MLP.forward`:

# %%
src = inspect.getsource(MLP.forward).splitlines()
start = next(i for i, s in enumerate(src) if "for i in range" in s)
stop = next(i for i, s in enumerate(src) if "h, c_act = act_fwd" in s)
print("\n".join(src[start:stop + 1]))

# %% [markdown]
# **The affine bias becomes redundant.** Adding a constant $b$ to a feature adds $b$ to μ_B too, so
# $x - \mu_B$ and everything after it do not change; β does the bias's job. Hence the gradient of the
# hidden biases is exactly cancelled (frameworks write `Linear(..., bias=False)` before a BN layer; our
# `MLP` keeps `fc.b` for simplicity, it just never moves). Measured on a batch of 100 digits, with all biases
# set to random values first:

# %%
net = MLP(784, [100] * 5, 10, batchnorm=True, rng=0)
g = np.random.default_rng(2)
for i in range(1, 7):
    net.params[f"fc{i}.b"] = g.standard_normal(net.params[f"fc{i}.b"].shape)
loss, grads = net.loss(X[:100], y[:100])
for i in range(1, 7):
    db = np.abs(grads[f"fc{i}.b"]).max()
    note = "exactly cancelled (< 1e-12)" if db < 1e-12 else "output layer: no batch norm after it"
    print(f"fc{i}.b: max |∂L/∂b| = {db:.4f}   {note}")

shifted = copy.deepcopy(net)
shifted.params["fc3.b"] = shifted.params["fc3.b"] + 10.0
change = np.abs(shifted.forward(X[:100], train=True)[0] - net.forward(X[:100], train=True)[0]).max()
print("scores change when fc3.b moves by +10:", f"{change:.1e}" if change > 1e-9 else "no (< 1e-9)")

# %% [markdown]
# **γ and β can undo the normalization.** With $\gamma = \sqrt{\sigma_B^2+\varepsilon}$ and $\beta = \mu_B$ the layer
# returns its input unchanged, so adding batch norm never takes away what the net can represent; it only
# changes how easily gradient descent finds it.

# %%
g = np.random.default_rng(3)
x = np.array([3.0, -1.0, 0.5, 10.0]) + np.array([2.0, 0.1, 1.0, 5.0]) * g.standard_normal((50, 4))
mu, var = x.mean(axis=0), x.var(axis=0)
out, _, _ = L.batchnorm_forward(x, np.sqrt(var + 1e-5), mu, None, train=True)
print("γ = √(σ² + ε), β = μ gives back x (max |y − x| < 1e-12):", np.abs(out - x).max() < 1e-12)

# %% [markdown]
# ## 4 · The textbook experiment, reproduced
#
# The setting of *Deep Learning from Scratch* §6.3: 1000 training digits, a 784-100×5-10 ReLU net, SGD with
# η = 0.01, batch 100, 20 epochs, and the initial weight std swept over `np.logspace(0, -4, 16)` (from 1 down to
# 10⁻⁴), each once without and once with batch norm: 32 runs, 6400 SGD steps, training accuracy after every
# epoch. This is the slowest cell of the chapter (about 20 s on one core).

# %%
STDS = np.logspace(0, -4, 16)

def grid_run(std, batchnorm):
    net = MLP(784, [100] * 5, 10, batchnorm=batchnorm, init=float(std), rng=0)
    return train(net, (X, y), Optimizer("sgd", lr=0.01), epochs=20, batch_size=100, rng=0)

t0 = time.perf_counter()
grid = {(std, bn): grid_run(std, bn) for std in STDS for bn in (False, True)}
print(f"32 runs ⏱ {time.perf_counter() - t0:.1f} s")

def final_acc(h):
    # Training accuracy after the last epoch, in %; None for a run that diverged.
    return None if h.diverged_at else round(100 * h.train_acc[-1], 1)

print(f"{'init std':>9} | {'without BN':>18} | {'with BN':>8} | better")
wins = 0
for std in STDS:
    hp, hb = grid[(std, False)], grid[(std, True)]
    a, b = final_acc(hp), final_acc(hb)
    bn_better = b is not None and (a is None or b > a)
    wins += bn_better
    show = lambda h, v: f"diverged (epoch {h.diverged_at})" if v is None else f"{v:.1f} %"
    print(f"{std:9.1e} | {show(hp, a):>18} | {show(hb, b):>8} | "
          f"{'BN' if bn_better else 'tie' if a == b else 'no BN'}")
print(f"batch norm ends with the higher training accuracy in {wins} of {len(STDS)} panels")

# %%
fig, axes = plots.figure(4, 4, width=14, height=2.7, sharex=True, sharey=True, layout="constrained")
for ax, std in zip(axes.ravel(), STDS):
    for bn, name, ls in ((False, "no batchnorm", "--"), (True, "batchnorm", "-")):
        h = grid[(std, bn)]
        ax.plot(np.arange(1, h.epochs + 1), h.train_acc, ls=ls, color=plots.color_for(name),
                label="with batch norm" if bn else "without batch norm")
        plots.mark_divergence(ax, h, color=plots.color_for(name), y=0.6)
    ax.set_title(f"init std = {std:.1e}", fontsize=12)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, 20.5)
for ax in axes[-1]:
    ax.set_xlabel("epoch")
for ax in axes[:, 0]:
    ax.set_ylabel("train accuracy")
axes[1, 2].legend(loc="center right")
fig.suptitle("Training accuracy, 784-100×5-10, SGD η = 0.01: without (dashed) and with (solid) batch norm")
plt.show()

# %% [markdown]
# **What you see.** Without batch norm only a narrow band of scales trains well in 20 epochs (std 0.16–0.29,
# close to He's √(2/100) ≈ 0.14 for the 100-wide layers): larger and the net diverges in the first epoch,
# smaller and the signal fades on its way through five layers, so the accuracy stays at chance (10 %). With
# batch norm the net learns at **almost every scale**, and fast, because each layer re-normalizes whatever it
# receives. Plain SGD wins only inside its own band. At the extremes batch norm is slower too: behind a BN layer
# the scale of W does not change the output but does change the step (the gradient shrinks as the weights grow,
# so std 1 learns slowly), and the output layer, which has no BN, passes back gradients scaled by its own tiny
# weights (std ≤ 3.4·10⁻⁴).

# %% [markdown]
# ## 5 · Live: weight scale, learning rate, batch size
#
# The same net on the same 1000 digits for 10 epochs, without (left) and with (right) batch norm: accuracy on
# 500 test digits after every epoch. First, measured at std 0.1: how far can η go?

# %%
dash_data = {"X_train": X, "y_train": y, "X_test": X_test[:500], "y_test": y_test[:500]}

def bn_vs_plain(init_std, lr, batch_size, live=None, epochs=10):
    # Train the net without and with batch norm; live (from the dashboard) streams and cancels.
    runs = {}
    for name, bn in (("no batchnorm", False), ("batchnorm", True)):
        net = MLP(784, [100] * 5, 10, batchnorm=bn, init=init_std, rng=0)
        runs[name] = train(net, dash_data, Optimizer("sgd", lr=lr), epochs=epochs, batch_size=batch_size,
                           eval_train=False, on_epoch=live.track(name) if live else None)
        if live and live.cancelled:
            break
    return runs

def outcome(h):
    return h.status if h.diverged_at else f"{h.test_acc[-1]:.1%}"

print("init std 0.1 (close to He), batch 128, test accuracy after 10 epochs:")
for lr in (0.1, 1.0, 3.0):
    r = bn_vs_plain(0.1, lr, 128)
    print(f"  η = {lr:<4}  without BN: {outcome(r['no batchnorm']):>20}   with BN: {outcome(r['batchnorm'])}")

def draw_bn_vs_plain(axes, result, values):
    for ax, (name, title) in zip(axes, (("no batchnorm", "without batch norm"),
                                        ("batchnorm", "with batch norm"))):
        h = result.get(name)
        if h is None:
            ax.set_title(f"{title}: waiting…")
            continue
        plots.plot_curves(ax, h, "acc", color=plots.color_for(name), parts=("test",))
        last = f"test {h.test_acc[-1]:.1%}" if h.test_acc else h.status
        ax.set_title(f"{title}: {last}")
        ax.set_xlim(0.5, 10.5)
        ax.set_ylabel("test accuracy")

dash = W.Dashboard(
    bn_vs_plain, draw_bn_vs_plain, layout=(1, 2), figsize=(11, 4), stream_every=2,
    title="Batch norm vs plain SGD",
    init_std=W.log_slider("init std", 1e-4, 1.0, 0.01),
    lr=W.log_slider("learning rate η", 1e-4, 10.0, 0.01),
    batch_size=W.batch_slider("batch size", 128, min_exp=1, max_exp=9),
)
res = dash.result
print(f"dashboard defaults (std 0.01, η 0.01, batch 128): without BN {outcome(res['no batchnorm'])}, "
      f"with BN {outcome(res['batchnorm'])}  ⏱ {dash.seconds:.2f} s")

# %% [markdown]
# The dashboard opens at one panel of the grid (std 0.01, η = 0.01; batch 128 on the power-of-two slider).

# %% tags=["nbval-ignore-output"]
dash

# %% [markdown]
# **What you should see.**
#
# - At std 0.01 the plain net stays at chance whatever η you choose: its signal is gone before the output. The BN
#   net learns with any η from 0.01 to 3.
# - Set std to 0.1 (close to He) and raise η: both nets train up to η ≈ 0.3; at η = 1 the plain net is stuck at
#   chance, at η = 3 it diverges, while the BN net still reaches its best accuracy. Batch norm lets you use a much
#   larger learning rate.
# - Keep std 0.1, η = 0.01 and set the batch size to 2: now the plain net is far better. Batch norm normalizes each
#   feature over two numbers (x̂ = ±1); section 6d measures why that hurts.

# %% [markdown]
# ## 6 · Training mode vs inference mode
#
# In training mode a batch-norm layer normalizes with the **batch's own** μ_B and σ²_B, so the output for one
# digit depends on the other digits in the batch. At inference we want one fixed function of one example, so
# the layer uses the **running averages** collected during training. PyTorch switches with `model.train()` /
# `model.eval()`, Keras with the `training=` argument; here it is `train=True/False`.
#
# ### 6a · Running averages converge to the population statistics
#
# Take the trained BN net from section 1 and freeze its weights. The input of its first BN layer,
# $z = x W_1 + b_1$, then has exact **population** statistics over the 1000 training digits. Feed random
# mini-batches of 100 through `batchnorm_forward` in training mode, starting from the initial running
# averages (mean 0, variance 1), and measure how far the running averages are from the population values
# (mean over the 100 units, in units of the population std for the mean, relative for the variance):

# %%
Z = X @ net_bn.params["fc1.W"] + net_bn.params["fc1.b"]     # input of the first BN layer, frozen weights
pop_mean, pop_var = Z.mean(axis=0), Z.var(axis=0)

def running_averages(momentum, steps=200, batch_size=100, seed=0):
    # Running mean and variance after every training step (arrays of shape (steps, 100)).
    g = np.random.default_rng(seed)
    ones, zeros = np.ones(Z.shape[1]), np.zeros(Z.shape[1])
    running, means, variances = None, [], []
    for _ in range(steps):
        batch = Z[g.choice(len(Z), batch_size, replace=False)]
        _, _, running = L.batchnorm_forward(batch, ones, zeros, running, train=True, momentum=momentum)
        means.append(running["mean"])
        variances.append(running["var"])
    return np.array(means), np.array(variances)

def errors(means, variances):
    return (np.abs(means - pop_mean) / np.sqrt(pop_var)).mean(axis=1), (np.abs(variances / pop_var - 1)).mean(axis=1)

CHECKPOINTS = (10, 50, 200)
print(f"{'momentum':>8} | {'1/(1−m)':>7} | " + " | ".join(f"step {t:>3}: mean / var" for t in CHECKPOINTS))
ra = {}
for m in (0.5, 0.9, 0.99):
    ra[m] = running_averages(m)
    e_mean, e_var = errors(*ra[m])
    print(f"{m:>8} | {1 / (1 - m):7.0f} | " + " | ".join(f"{e_mean[t - 1]:>11.3f} / {e_var[t - 1]:.3f}" for t in CHECKPOINTS))
r = net_bn.running["bn1"]
own_mean, own_var = errors(r["mean"][None], r["var"][None])
print(f"the trained net's own running averages (momentum 0.9, weights moving): "
      f"mean {own_mean[0]:.3f} / var {own_var[0]:.3f}")

# %%
fig, axes = plots.figure(1, 2, height=3.6, layout="constrained")
steps = np.arange(1, 201)
for m, c in zip((0.5, 0.9, 0.99), (plots.PALETTE[2], plots.PALETTE[1], plots.PALETTE[0])):
    means, variances = ra[m]
    axes[0].plot(steps, means[:, 0], color=c, label=f"momentum {m}")
    axes[1].semilogy(steps, errors(means, variances)[0], color=c, label=f"momentum {m}")
axes[0].axhline(pop_mean[0], color="0.2", ls=":", lw=2, label="population mean")
axes[0].set(xlabel="training step", ylabel="running mean of unit 1", title="one unit's running mean")
axes[1].set(xlabel="training step", ylabel="mean error (in population stds)", title="all 100 units")
axes[0].legend()
plt.show()


# %% [markdown]
# The momentum trades **speed** for **noise**: the running average forgets with time constant about 1/(1 − m)
# steps. With m = 0.5 it is there after a few steps but jumps with every batch; with m = 0.99 it is smooth but
# still carries its starting value (0, 1) after 200 steps. m = 0.9 (PyTorch: 0.1) is settled after ~50 steps.
# During real training the weights move too, so the running averages lag slightly behind the final net.
# Move the slider:

# %% tags=["nbval-ignore-output"]
def running_experiment(momentum, live):
    return running_averages(momentum)

def draw_running(axes, result, values):
    means, variances = result
    e_mean, e_var = errors(means, variances)
    for k, c in zip(range(3), plots.PALETTE):
        axes[0].plot(steps, means[:, k], color=c, label=f"unit {k + 1}")
        axes[0].axhline(pop_mean[k], color=c, ls=":", lw=1.5)
    axes[0].set(xlabel="training step", ylabel="running mean",
                title=f"3 units, momentum {values['momentum']:.2f} (dotted: population)")
    axes[1].semilogy(steps, e_mean, label="mean")
    axes[1].semilogy(steps, e_var, label="variance")
    axes[1].set(xlabel="training step", ylabel="error (avg. over units)", ylim=(1e-3, 5),
                title=f"after 200 steps: mean {e_mean[-1]:.3f}, var {e_var[-1]:.3f}")
    axes[1].legend()

dash_running = W.Dashboard(running_experiment, draw_running, layout=(1, 2), figsize=(11, 3.8),
                           momentum=W.slider("momentum m", 0.0, 0.99, 0.9, step=0.01))
dash_running

# %% [markdown]
# ### 6b · Inference on a single example
#
# In training mode a "batch" of one digit has σ²_B = 0 and x − μ_B = 0, so x̂ = 0 and every layer outputs just β:
# **every digit gets the same answer**. In inference mode the running averages make single examples work.

# %%
batch_stats_net = copy.deepcopy(net_bn)        # training-mode forward passes update running averages: use a copy

def predict_with_batch_stats(Xb):
    # Predictions when batch norm normalizes with the statistics of Xb itself (training mode).
    return batch_stats_net.forward(Xb, train=True)[0].argmax(axis=1)

one_at_a_time = [int(predict_with_batch_stats(X_test[i:i + 1])[0]) for i in range(10)]
print("true labels                         :", y_test[:10].tolist())
print("inference mode (running averages)   :", net_bn.predict(X_test[:10]).tolist())
print("training mode, one digit per batch  :", one_at_a_time)


# %% [markdown]
# ### 6c · Batch statistics at test time: the answer depends on who else is in the batch
#
# If we forgot to switch to inference mode, a prediction would depend on the other examples in the batch.
# We classify the 1000 test digits in batches of 100 three ways: in inference mode, in **shuffled** batches
# with batch statistics, and in batches **sorted by label** (each batch almost one class, as when a data
# loader does not shuffle) with batch statistics. Then we move single digits between companions.

# %%
def accuracy_in_batches(order, batch_size=100):
    pred = np.empty(len(order), dtype=int)
    for s in range(0, len(order), batch_size):
        idx = order[s:s + batch_size]
        pred[idx] = predict_with_batch_stats(X_test[idx])
    return (pred == y_test).mean()

g = np.random.default_rng(0)
acc_inference = net_bn.accuracy(X_test, y_test)
acc_shuffled = np.mean([accuracy_in_batches(g.permutation(len(y_test))) for _ in range(5)])
acc_sorted = accuracy_in_batches(np.argsort(y_test, kind="stable"))
print(f"test accuracy, inference mode (running averages) : {acc_inference:.1%}")
print(f"test accuracy, batch statistics, shuffled batches : {acc_shuffled:.1%}  (mean of 5 shufflings)")
print(f"test accuracy, batch statistics, sorted by label  : {acc_sorted:.1%}")

# the same 100 digits, each placed among 99 random test digits or among 99 test digits of class 1
ones = np.flatnonzero(y_test == 1)
changed_random = changed_ones = 0
reference = net_bn.predict(X_test[:100])
for i in range(100):
    others = np.setdiff1d(np.arange(len(y_test)), [i])
    for pool, counter in ((g.choice(others, 99, replace=False), "random"),
                          (g.choice(np.setdiff1d(ones, [i]), 99, replace=False), "ones")):
        p = predict_with_batch_stats(X_test[np.r_[i, pool]])[0]
        if p != reference[i]:
            if counter == "random":
                changed_random += 1
            else:
                changed_ones += 1
print(f"of 100 test digits, the prediction differs from inference mode for {changed_random} "
      f"among 99 random digits and for {changed_ones} among 99 digits '1'")


# %% [markdown]
# With mixed batches of 100 the batch statistics are close to the population ones: the accuracy barely moves,
# yet single predictions already flip with the companions. In batches of one class the normalization is wrong
# for every feature and the accuracy collapses. That is why
# inference must use the running averages, and why forgetting `model.eval()` is a classic bug.

# %% [markdown]
# ### 6d · Small batches make batch norm noisy
#
# μ_B and σ²_B are estimates from N numbers. Their noise grows as N shrinks: the spread of μ_B is about
# σ/√N, and the biased σ²_B is on average (N − 1)/N of the true variance, so with N = 2 the running variance
# learns half the true variance and inference no longer matches training. We measure both on the frozen
# first layer, then train the 784-100×5-10 net for 3 epochs (SGD η = 0.01, He init) at each batch size,
# without and with batch norm:

# %%
def batch_statistics(batch_size, n_batches=500, seed=0):
    g = np.random.default_rng(seed)
    idx = np.array([g.choice(len(Z), batch_size, replace=False) for _ in range(n_batches)])
    return Z[idx].mean(axis=1), Z[idx].var(axis=1)          # (n_batches, 100) each

def small_batch_run(batch_size, batchnorm, epochs=3, data=(X, y, X_test, y_test), on_epoch=None):
    net = MLP(784, [100] * 5, 10, batchnorm=batchnorm, rng=0)
    d = dict(zip(("X_train", "y_train", "X_test", "y_test"), data))
    return train(net, d, Optimizer("sgd", lr=0.01), epochs=epochs, batch_size=batch_size,
                 eval_train=False, on_epoch=on_epoch)

print(f"{'batch':>5} | {'spread of μ_B / σ':>17} | {'1/√N':>5} | {'mean σ²_B / σ²':>14} | {'(N−1)/N':>7} | "
      f"{'test acc. no BN':>15} | {'with BN':>7}")
small = {}
for B in (2, 4, 8, 32):
    mus, vs = batch_statistics(B)
    spread = (mus.std(axis=0) / np.sqrt(pop_var)).mean()
    shrink = (vs.mean(axis=0) / pop_var).mean()
    small[B] = {bn: small_batch_run(B, bn) for bn in (False, True)}
    print(f"{B:>5} | {spread:17.3f} | {1 / np.sqrt(B):5.3f} | {shrink:14.3f} | {(B - 1) / B:7.3f} | "
          f"{small[B][False].test_acc[-1]:15.1%} | {small[B][True].test_acc[-1]:7.1%}")

# %% [markdown]
# (The spread is a little below 1/√N because the batches are drawn without replacement from 1000 digits.)
# With batch norm the small batches hurt badly: at N = 2 each feature is normalized to exactly ±1 during
# training and the inference statistics do not match, so the BN net is far worse than the plain one at the
# same batch size. Around N = 32 batch norm is ahead again. For tiny batches, use layer or group normalization,
# which normalize over the features of one example instead of over the batch.
#
# The slider below shows both effects at once: the distribution of μ_B for unit 1 over 300 batches (its
# population value dotted), and test accuracy over 3 epochs without and with batch norm.

# %% tags=["nbval-ignore-output"]
dash_data_small = (X, y, X_test[:500], y_test[:500])

def small_batch_experiment(batch_size, live):
    mus, _ = batch_statistics(batch_size, n_batches=300)
    runs = {"mu": mus[:, 0]}
    for name, bn in (("no batchnorm", False), ("batchnorm", True)):
        runs[name] = small_batch_run(batch_size, bn, data=dash_data_small, on_epoch=live.track(name))
        if live.cancelled:
            break
    return runs

def draw_small_batch(axes, result, values):
    if "mu" in result:
        axes[0].hist(result["mu"], bins=40, range=(pop_mean[0] - 3 * np.sqrt(pop_var[0]),
                                                   pop_mean[0] + 3 * np.sqrt(pop_var[0])),
                     color=plots.PALETTE[0])
        axes[0].axvline(pop_mean[0], color="0.2", ls=":", lw=2)
        axes[0].set(xlabel="μ_B of unit 1", ylabel="batches",
                    title=f"batch size {values['batch_size']}: spread {result['mu'].std() / np.sqrt(pop_var[0]):.2f} σ")
    for name in ("no batchnorm", "batchnorm"):
        h = result.get(name)
        if h is not None and h.test_acc:
            axes[1].plot(np.arange(1, h.epochs + 1), h.test_acc, marker="o", color=plots.color_for(name),
                         label=f"{'with' if name == 'batchnorm' else 'without'} BN: {h.test_acc[-1]:.1%}")
    axes[1].set(xlabel="epoch", ylabel="test accuracy", ylim=(0, 1), xlim=(0.5, 3.5), xticks=[1, 2, 3])
    axes[1].legend(loc="lower right")

dash_small = W.Dashboard(small_batch_experiment, draw_small_batch, layout=(1, 2), figsize=(11, 3.8),
                         stream_every=1,
                         batch_size=W.batch_slider("batch size", 8, min_exp=1, max_exp=6))
dash_small

# %% [markdown]
# ## 7 · Side effects: a little noise, no free regularization
#
# Because μ_B and σ²_B change from batch to batch, each example is normalized slightly differently every epoch:
# a noise that is often said to regularize a little. We check it on the overfitting setup of chapter 04
# (300 training digits, 784-100×6-10, SGD η = 0.01, batch 100; 100 epochs instead of 200 to save time),
# without and with batch norm:

# %%
small_data = load_mnist(n_train=300, n_val=0, n_test=1000, rng=0)
for bn in (False, True):
    net = MLP(784, [100] * 6, 10, batchnorm=bn, rng=0)
    h = train(net, (small_data["X_train"], small_data["y_train"]), Optimizer("sgd", lr=0.01),
              epochs=100, batch_size=100)
    first_full = next((e + 1 for e, a in enumerate(h.train_acc) if a == 1.0), None)
    test = net.accuracy(small_data["X_test"], small_data["y_test"])
    when = f"100 % from epoch {first_full}" if first_full else "never 100 %"
    print(f"{'with' if bn else 'without':>7} BN: train {h.train_acc[-1]:.1%} ({when}), "
          f"test {test:.1%}, gap {h.train_acc[-1] - test:.1%}")


# %% [markdown]
# Here batch norm does **not** help generalization: it fits the 300 digits much sooner, and its test accuracy
# ends far lower. Batch noise is a side effect, not a regularizer you can count on;
# chapter 04 (weight decay, early stopping) and chapter 05 (dropout) give the tools that are made for it.

# %% [markdown]
# ## 8 · Exercises
#
# ### Exercise 1 — the forward pass, training and test mode
# Write `my_batchnorm_forward(x, gamma, beta, running, train, momentum=0.9, eps=1e-5)` returning
# `(out, new_running)`, where `running` and `new_running` are dicts with `"mean"` and `"var"` of shape (D,).
# Training mode: normalize with the batch's mean and **biased** variance and update the running averages with
# our convention $r \leftarrow m\,r + (1-m)\cdot$batch. Test mode: normalize with the running averages and
# return them unchanged. Try it without looking at `L.batchnorm_forward` above.

# %%
def my_batchnorm_forward(x, gamma, beta, running, train, momentum=0.9, eps=1e-5):
    # BEGIN SOLUTION train: the batch's mean and biased variance, and new running averages; test: the running averages
    if train:
        mu, var = x.mean(axis=0), x.var(axis=0)
        running = {"mean": momentum * running["mean"] + (1 - momentum) * mu,
                   "var": momentum * running["var"] + (1 - momentum) * var}
    else:
        mu, var = running["mean"], running["var"]
    return gamma * (x - mu) / np.sqrt(var + eps) + beta, running
    # END SOLUTION


# %%
_ = checks.check_batchnorm_forward(my_batchnorm_forward)


# %% [markdown]
# ### Exercise 2 — the backward pass
# Write `my_batchnorm_backward(dout, x, gamma, eps=1e-5)` returning `(dx, dgamma, dbeta)` for a batch-norm layer
# in training mode (recompute μ_B, σ²_B and x̂ from `x`). Either follow the five steps of section 2 or use
# the compact formula.

# %%
def my_batchnorm_backward(dout, x, gamma, eps=1e-5):
    # BEGIN SOLUTION recompute x̂ and s = 1/√(σ² + ε); dγ, dβ are sums over the batch; dx adds three paths: direct, via μ_B, via σ²_B
    s = 1.0 / np.sqrt(x.var(axis=0) + eps)
    xhat = (x - x.mean(axis=0)) * s
    dbeta, dgamma = dout.sum(axis=0), (dout * xhat).sum(axis=0)
    dx = gamma * s * (dout - dout.mean(axis=0) - xhat * (dout * xhat).mean(axis=0))
    return dx, dgamma, dbeta
    # END SOLUTION


# %%
_ = checks.check_batchnorm_backward(my_batchnorm_backward)

# %% [markdown]
# ## Summary
#
# 1. Batch norm normalizes each feature with the mini-batch's mean and biased variance, then applies a learned γ, β (which can undo it); its gradient has three paths: direct, through μ_B and through σ²_B.
# 2. It goes after the affine layer and before the activation; the affine bias there is redundant (its gradient is exactly 0).
# 3. With it, the 784-100×5-10 net trains at almost every initial weight scale and tolerates larger learning rates.
# 4. Training mode uses batch statistics, inference mode running averages: forgetting the switch makes predictions depend on the batch, and tiny batches make batch norm noisy and biased.
# 5. Running averages: ours `r ← 0.9·r + 0.1·batch` (momentum 0.9, as Keras) is PyTorch's `momentum=0.1`, which weights the new batch (and keeps an unbiased running variance).
