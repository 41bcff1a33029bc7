"""Learning-rate schedules: each builder returns ``schedule(step) -> lr``.

``train`` calls the schedule once per epoch with the 0-based epoch number as ``step``.
"""
import math

from . import validate as _v


def _check(lr):
    return _v.number("lr", lr, 0.0, lo_open=True)


def _t(step):
    """The step a schedule is asked about: a number >= 0 (train passes the 0-based epoch)."""
    return _v.number("step", step, 0.0)


def constant(lr):
    """η_t = η."""
    lr = _check(lr)
    return lambda step: (_t(step), lr)[1]


def step_decay(lr, drop=0.5, every=10):
    """η_t = η·drop^⌊t / every⌋ (Keras' ``PiecewiseConstantDecay`` pattern, PyTorch's ``StepLR``)."""
    lr = _check(lr)
    drop = _v.number("drop", drop, 0.0, 1.0, lo_open=True)
    every = _v.number("every", every, 1.0)
    return lambda step: lr * drop ** (_t(step) // every)


def exponential(lr, decay_rate=0.95, decay_steps=1):
    """η_t = η·decay_rate^(t / decay_steps) (Keras' ``ExponentialDecay``, unstaircased)."""
    lr = _check(lr)
    decay_rate = _v.number("decay_rate", decay_rate, 0.0, 1.0, lo_open=True)
    decay_steps = _v.number("decay_steps", decay_steps, 0.0, lo_open=True)
    return lambda step: lr * decay_rate ** (_t(step) / decay_steps)


def inverse_time(lr, decay_rate=1.0, power=0.5):
    """η_t = η / (1 + decay_rate·t)^power; the default is the lecture's η/√(t + 1).

    ``power=1`` gives Keras' ``InverseTimeDecay``.
    """
    lr = _check(lr)
    decay_rate = _v.number("decay_rate", decay_rate, 0.0)
    # power < 0 would make η grow without bound
    power = _v.number("power", power, 0.0)

    def schedule(step):
        try:
            return lr / (1.0 + decay_rate * _t(step)) ** power
        except OverflowError:                    # the denominator passed 1e308: η is 0
            return 0.0

    return schedule


def cosine(lr, total_steps, min_lr=0.0, warmup_steps=0):
    """Linear warm-up over ``warmup_steps``, then η_t = η_min + ½(η − η_min)(1 + cos(π·s/S))
    with s the steps since warm-up ended and S the remaining steps (Loshchilov & Hutter's
    SGDR without restarts; PyTorch's ``CosineAnnealingLR``)."""
    lr = _check(lr)
    total_steps = _v.integer("total_steps", total_steps, 1)
    # a whole number of steps: warmup_steps = 0.1 would give η·10 at step 0
    warmup_steps = _v.integer("warmup_steps", warmup_steps, 0, total_steps - 1)
    min_lr = _v.number("min_lr", min_lr, 0.0, lr, where=f"in [0, lr] = [0, {lr:g}]")

    def schedule(step):
        step = _t(step)
        # 1. warm-up: rise linearly to lr
        if step < warmup_steps:
            return lr * (step + 1) / warmup_steps
        # 2. after the end: stay at min_lr
        s = min(step - warmup_steps, total_steps - warmup_steps)
        # 3. in between: half a cosine from lr down to min_lr
        return min_lr + 0.5 * (lr - min_lr) * (1 + math.cos(math.pi * s / (total_steps - warmup_steps)))

    return schedule


SCHEDULES = {"constant": constant, "step": step_decay, "exponential": exponential,
             "inverse_time": inverse_time, "cosine": cosine}
