"""Learning-rate schedules: each builder returns ``schedule(step) -> lr``.

``train`` calls the schedule once per epoch with the 0-based epoch number as ``step``.
"""
import math

from . import validate as _v


def _check(lr):
    return _v.number("lr", lr, 0.0, lo_open=True)


def _t(step):
    """The step a schedule is asked about: a number >= 0 (train passes the 0-based epoch);
    returned unchanged, like every checked value here (the arithmetic stays as it was)."""
    _v.number("step", step, 0.0)
    return step


def constant(lr):
    """η_t = η."""
    _check(lr)
    return lambda step: (_t(step), lr)[1]


def step_decay(lr, drop=0.5, every=10):
    """η_t = η·drop^⌊t / every⌋ (Keras' ``PiecewiseConstantDecay`` pattern, PyTorch's ``StepLR``)."""
    _check(lr)
    if not 0 < drop <= 1:
        raise ValueError(f"drop must be in (0, 1], got {drop}")
    if every < 1:
        raise ValueError(f"every must be >= 1, got {every}")
    return lambda step: lr * drop ** (step // every)


def exponential(lr, decay_rate=0.95, decay_steps=1):
    """η_t = η·decay_rate^(t / decay_steps) (Keras' ``ExponentialDecay``, unstaircased)."""
    _check(lr)
    if not 0 < decay_rate <= 1:
        raise ValueError(f"decay_rate must be in (0, 1], got {decay_rate}")
    if not decay_steps > 0:
        raise ValueError(f"decay_steps must be > 0, got {decay_steps}")
    return lambda step: lr * decay_rate ** (step / decay_steps)


def inverse_time(lr, decay_rate=1.0, power=0.5):
    """η_t = η / (1 + decay_rate·t)^power; the default is the lecture's η/√(t + 1).

    Note: at the default ``power=0.5`` this decays like 1/√t, although the slide labels it
    "1/t" (``inverse_sqrt_time`` is the same under a clear name).  ``power=1`` gives true 1/t
    decay, Keras' ``InverseTimeDecay`` (see ``inverse_time_decay``).
    """
    _check(lr)
    if decay_rate < 0:
        raise ValueError(f"decay_rate must be >= 0, got {decay_rate}")
    return lambda step: lr / (1.0 + decay_rate * step) ** power


def inverse_sqrt_time(lr, decay_rate=1.0):
    """η_t = η / √(1 + decay_rate·t): a 1/√t decay (the lecture's η/√(t + 1) at decay_rate 1).

    The same as ``inverse_time(lr, decay_rate)`` at its default ``power=0.5``, under a name that
    says what it is.  Note: the slide calls this schedule "1/t"; it falls like 1/√t.  True
    1/t decay is ``inverse_time_decay``.
    """
    return inverse_time(lr, decay_rate=decay_rate, power=0.5)


def inverse_time_decay(lr, decay_rate=1.0, decay_steps=1, staircase=False):
    """True 1/t decay: η_t = η / (1 + decay_rate·t / decay_steps), with ⌊t / decay_steps⌋
    instead of t / decay_steps when ``staircase``.

    This is Keras' ``InverseTimeDecay(initial_learning_rate=η, decay_steps, decay_rate,
    staircase)``.  The old Keras optimizers' ``decay=`` argument (``SGD(lr=η, decay=d)``) is the
    same with ``decay_rate=d, decay_steps=1`` and t = the number of mini-batch updates so far:
    η / (1 + d·iterations).  Note: ``train`` calls a schedule once per epoch, so there t counts
    epochs; for Keras' per-update ``decay=d`` over an epoch of n updates, decay_rate ≈ d·n
    gives the same η at every epoch boundary.
    """
    _check(lr)
    if not (math.isfinite(decay_rate) and decay_rate >= 0):
        raise ValueError(f"decay_rate must be >= 0, got {decay_rate}")
    if not decay_steps > 0:
        raise ValueError(f"decay_steps must be > 0, got {decay_steps}")
    if staircase:
        return lambda step: lr / (1.0 + decay_rate * (step // decay_steps))
    return lambda step: lr / (1.0 + decay_rate * step / decay_steps)


def cosine(lr, total_steps, min_lr=0.0, warmup_steps=0):
    """Linear warm-up over ``warmup_steps``, then η_t = η_min + ½(η − η_min)(1 + cos(π·s/S))
    with s the steps since warm-up ended and S the remaining steps (Loshchilov & Hutter's
    SGDR without restarts; PyTorch's ``CosineAnnealingLR``)."""
    _check(lr)
    if total_steps < 1 or not 0 <= warmup_steps < total_steps:
        raise ValueError(f"need total_steps >= 1 and 0 <= warmup_steps < total_steps, "
                         f"got {total_steps}, {warmup_steps}")
    if not 0 <= min_lr <= lr:
        raise ValueError(f"min_lr must be in [0, lr], got {min_lr}")

    def schedule(step):
        # 1. warm-up: rise linearly to lr
        if step < warmup_steps:
            return lr * (step + 1) / warmup_steps
        # 2. after the end: stay at min_lr
        s = min(step - warmup_steps, total_steps - warmup_steps)
        # 3. in between: half a cosine from lr down to min_lr
        return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * s / (total_steps - warmup_steps)))

    return schedule


# ----------------------------------------------------------------------------- argument checks
# Types, NaN/inf, whole numbers and ranges the bodies above do not catch, each error naming the
# argument; they wrap the builders instead of sitting in them, because chapter 01 prints the
# builders with inspect.getsource (which follows functools.wraps back to the formula).
def _step_decay_args(lr, drop=0.5, every=10):
    _check(lr)
    _v.number("drop", drop, 0.0, 1.0, lo_open=True)
    _v.number("every", every, 1.0)


def _exponential_args(lr, decay_rate=0.95, decay_steps=1):
    _check(lr)
    _v.number("decay_rate", decay_rate, 0.0, 1.0, lo_open=True)
    _v.number("decay_steps", decay_steps, 0.0, lo_open=True)


def _inverse_time_args(lr, decay_rate=1.0, power=0.5):
    _check(lr)
    _v.number("decay_rate", decay_rate, 0.0)
    _v.number("power", power, 0.0)              # power < 0 would make η grow without bound


def _cosine_args(lr, total_steps, min_lr=0.0, warmup_steps=0):
    _check(lr)
    total = _v.integer("total_steps", total_steps, 1)
    # a whole number of steps: warmup_steps = 0.1 would give 10·η at step 0
    _v.integer("warmup_steps", warmup_steps, 0, total - 1)
    _v.number("min_lr", min_lr, 0.0, lr, where=f"in [0, lr] = [0, {lr:g}]")


def _stepped(schedule):
    """The schedule, checking its step (a number >= 0); η = 0 once a power overflows."""
    def at(step):
        _t(step)
        try:
            return schedule(step)
        except OverflowError:                    # (1 + k·t)**power beyond 1e308: η is 0
            return 0.0
    return at


step_decay = _v.checked(step_decay, _step_decay_args, _stepped)
exponential = _v.checked(exponential, _exponential_args, _stepped)
inverse_time = _v.checked(inverse_time, _inverse_time_args, _stepped)
cosine = _v.checked(cosine, _cosine_args, _stepped)

SCHEDULES = {"constant": constant, "step": step_decay, "exponential": exponential,
             "inverse_time": inverse_time, "cosine": cosine,
             "inverse_sqrt_time": inverse_sqrt_time, "inverse_time_decay": inverse_time_decay}
