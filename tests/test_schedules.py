"""Learning-rate schedules: values at given steps, and their ValueErrors."""
import math

import pytest

from course_utils import schedules as S


def values(schedule, steps):
    return [schedule(t) for t in steps]


def test_constant():
    assert values(S.constant(0.05), [0, 1, 10, 1000]) == [0.05] * 4


def test_step_decay():
    sch = S.step_decay(0.1, drop=0.5, every=10)
    assert values(sch, [0, 9, 10, 19, 20, 35]) == pytest.approx(
        [0.1, 0.1, 0.05, 0.05, 0.025, 0.0125], rel=1e-15)
    assert S.step_decay(0.2)(10) == pytest.approx(0.1)        # defaults: halve every 10


def test_exponential():
    sch = S.exponential(0.1, decay_rate=0.5, decay_steps=2)
    assert values(sch, [0, 1, 2, 4]) == pytest.approx([0.1, 0.1 * math.sqrt(0.5), 0.05, 0.025],
                                                      rel=1e-14)
    assert S.exponential(1.0)(3) == pytest.approx(0.95 ** 3)   # defaults: × 0.95 per step


def test_inverse_time_default_is_lr_over_sqrt_t_plus_1():
    sch = S.inverse_time(0.3)
    assert values(sch, [0, 3, 8, 99]) == pytest.approx([0.3, 0.15, 0.1, 0.03], rel=1e-14)
    for t in range(20):
        assert sch(t) == pytest.approx(0.3 / math.sqrt(t + 1), rel=1e-14)
    keras = S.inverse_time(1.0, decay_rate=0.5, power=1)      # Keras' InverseTimeDecay
    assert values(keras, [0, 2, 6]) == pytest.approx([1.0, 0.5, 0.25], rel=1e-14)


def test_cosine_without_warmup():
    sch = S.cosine(1.0, total_steps=4)
    expected = [0.5 * (1 + math.cos(math.pi * t / 4)) for t in range(5)]     # 1, .854, .5, .146, 0
    assert values(sch, range(5)) == pytest.approx(expected, abs=1e-15)
    assert sch(2) == pytest.approx(0.5)
    assert sch(4) == pytest.approx(0.0, abs=1e-15) and sch(100) == pytest.approx(0.0, abs=1e-15)


def test_cosine_with_warmup_and_floor():
    sch = S.cosine(1.0, total_steps=10, min_lr=0.1, warmup_steps=2)
    # linear warm-up to lr: (t + 1)/warmup · lr
    assert values(sch, [0, 1]) == pytest.approx([0.5, 1.0])
    # then half a cosine over the remaining 8 steps, from lr down to min_lr
    assert sch(2) == pytest.approx(1.0)
    assert sch(6) == pytest.approx(0.1 + 0.45 * (1 + math.cos(math.pi * 4 / 8)))      # 0.55
    assert sch(10) == pytest.approx(0.1) and sch(50) == pytest.approx(0.1)           # stays at min
    seq = values(sch, range(1, 15))
    assert all(a >= b - 1e-15 for a, b in zip(seq, seq[1:]))                          # non-increasing


@pytest.mark.parametrize("build, match", [
    (lambda: S.constant(0.0), "lr must be > 0"),
    (lambda: S.constant(-0.1), "lr must be > 0"),
    (lambda: S.constant(float("nan")), "lr must be > 0"),
    (lambda: S.step_decay(0.0), "lr must be > 0"),
    (lambda: S.step_decay(0.1, drop=0.0), r"drop must be in \(0, 1\]"),
    (lambda: S.step_decay(0.1, drop=1.5), r"drop must be in \(0, 1\]"),
    (lambda: S.step_decay(0.1, every=0), "every must be >= 1"),
    (lambda: S.exponential(-1.0), "lr must be > 0"),
    (lambda: S.exponential(0.1, decay_rate=0.0), r"decay_rate must be in \(0, 1\]"),
    (lambda: S.exponential(0.1, decay_rate=1.01), r"decay_rate must be in \(0, 1\]"),
    (lambda: S.exponential(0.1, decay_steps=0), "decay_steps"),
    (lambda: S.exponential(0.1, decay_steps=-5), "decay_steps"),
    (lambda: S.inverse_time(0.0), "lr must be > 0"),
    (lambda: S.inverse_time(0.1, decay_rate=-1.0), "decay_rate must be >= 0"),
    (lambda: S.cosine(0.0, 10), "lr must be > 0"),
    (lambda: S.cosine(0.1, 0), "total_steps"),
    (lambda: S.cosine(0.1, 10, warmup_steps=10), "warmup_steps"),
    (lambda: S.cosine(0.1, 10, warmup_steps=-1), "warmup_steps"),
    (lambda: S.cosine(0.1, 10, min_lr=0.2), r"min_lr must be in \[0, lr\]"),
    (lambda: S.cosine(0.1, 10, min_lr=-0.01), r"min_lr must be in \[0, lr\]"),
])
def test_bad_arguments(build, match):
    with pytest.raises(ValueError, match=match):
        build()


def test_registry():
    assert S.SCHEDULES == {"constant": S.constant, "step": S.step_decay, "exponential": S.exponential,
                           "inverse_time": S.inverse_time, "cosine": S.cosine,
                           "inverse_sqrt_time": S.inverse_sqrt_time,
                           "inverse_time_decay": S.inverse_time_decay}


def test_inverse_time_decay_is_true_one_over_t():
    # η/(1 + k·t/T) by hand: 0.1/(1 + 0.5·t/2) at t = 0, 2, 4, 6, 3 -> 0.1, 0.1/1.5, 0.05, 0.04, 0.1/1.75
    sch = S.inverse_time_decay(0.1, decay_rate=0.5, decay_steps=2)
    assert values(sch, [0, 2, 4, 6, 3]) == pytest.approx([0.1, 0.1 / 1.5, 0.05, 0.04, 0.1 / 1.75],
                                                         rel=1e-14)
    # staircase: t/T rounded down -> t = 3 gives the value of t = 2
    stair = S.inverse_time_decay(0.1, decay_rate=0.5, decay_steps=2, staircase=True)
    assert values(stair, [0, 1, 2, 3, 4]) == pytest.approx([0.1, 0.1, 0.1 / 1.5, 0.1 / 1.5, 0.05],
                                                           rel=1e-14)
    # the old Keras SGD(lr=0.1, decay=1e-3) after 1000 and 3000 iterations: 0.05 and 0.025
    old_keras = S.inverse_time_decay(0.1, decay_rate=1e-3)
    assert old_keras(1000) == pytest.approx(0.05, rel=1e-14)
    assert old_keras(3000) == pytest.approx(0.025, rel=1e-14)
    # 1/t: doubling the (large) step halves η; 1/√t would only divide it by √2
    assert sch(20000) / sch(40000) == pytest.approx(2.0, rel=1e-3)
    # the same as inverse_time with power 1
    for t in range(30):
        assert sch(t) == pytest.approx(S.inverse_time(0.1, decay_rate=0.25, power=1)(t), rel=1e-14)


def test_inverse_sqrt_time_is_the_old_default():
    sch = S.inverse_sqrt_time(0.2, decay_rate=3.0)
    # 0.2/√(1 + 3t) at t = 0, 1, 5: 0.2, 0.1, 0.05
    assert values(sch, [0, 1, 5]) == pytest.approx([0.2, 0.1, 0.05], rel=1e-14)
    for t in range(30):
        assert sch(t) == S.inverse_time(0.2, decay_rate=3.0)(t)
    assert sch(4 * 10 ** 6) / sch(16 * 10 ** 6) == pytest.approx(2.0, rel=1e-6)   # 1/√t


@pytest.mark.parametrize("build, match", [
    (lambda: S.inverse_time_decay(0.0), "lr must be > 0"),
    (lambda: S.inverse_time_decay(0.1, decay_rate=-0.1), "decay_rate must be >= 0"),
    (lambda: S.inverse_time_decay(0.1, decay_rate=float("nan")), "decay_rate must be >= 0"),
    (lambda: S.inverse_time_decay(0.1, decay_steps=0), "decay_steps must be > 0"),
    (lambda: S.inverse_sqrt_time(-1.0), "lr must be > 0"),
    (lambda: S.inverse_sqrt_time(0.1, decay_rate=-2.0), "decay_rate must be >= 0"),
])
def test_bad_arguments_of_the_inverse_time_schedules(build, match):
    with pytest.raises(ValueError, match=match):
        build()
