"""course_utils.report.mean_sd: the one "mean ± sd over seeds" formatter (strings worked out by hand)."""
import numpy as np
import pytest

from course_utils.report import mean_sd


# [0.91, 0.92, 0.96]: mean 0.93, deviations −0.02, −0.01, +0.03, Σd² = 0.0014,
# sample sd = √(0.0014 / 2) = √0.0007 = 0.026458 (ddof = 1; ddof = 0 would give 0.021602).
ACC = [0.91, 0.92, 0.96]


def test_default_is_percent_with_one_decimal():
    assert mean_sd(ACC) == "93.0% ± 2.6%"


def test_sample_sd_not_population_sd():
    # ddof = 0 would print 2.2 %
    assert mean_sd(ACC, ".2%") == "93.00% ± 2.65%"


def test_width_aligns_the_mean_only():
    # chapter 01: '{m:6.1%} ± {s:4.1%}'
    assert mean_sd(ACC, "6.1%") == " 93.0% ± 2.6%"
    assert mean_sd([0.05, 0.07, 0.09], "6.1%") == "  7.0% ± 2.0%"


def test_plain_decimals_for_losses():
    # [0.1, 0.2, 0.6]: mean 0.3, Σd² = 0.04 + 0.01 + 0.09 = 0.14, sd = √0.07 = 0.264575
    assert mean_sd([0.1, 0.2, 0.6], ".4f") == "0.3000 ± 0.2646"


def test_scale_and_suffix_chapter_03_style():
    assert mean_sd(ACC, ".1f", scale=100, suffix=" %") == "93.0 ± 2.6 %"
    assert mean_sd(ACC, ".1f", scale=100) == "93.0 ± 2.6"


def test_separate_sd_format_keeps_its_width():
    # chapter 03's panel: '{m:5.1f} ± {s:4.1f} %'
    assert mean_sd([91.0, 92.0, 96.0], "5.1f", sd_fmt="4.1f", suffix=" %") == " 93.0 ±  2.6 %"


def test_sign_goes_to_the_mean_only():
    # [−0.01, 0.02, 0.05] in points ×100: −1, 2, 5; mean 2, Σd² = 9 + 0 + 9 = 18, sd = 3
    assert mean_sd([-0.01, 0.02, 0.05], "+.1f", scale=100) == "+2.0 ± 3.0"
    assert mean_sd([-5.0, -3.0, -1.0], "+.1f") == "-3.0 ± 2.0"


def test_standard_error():
    # [1, 3, 5, 7]: mean 4, Σd² = 9 + 1 + 1 + 9 = 20, sd = √(20/3) = 2.5820,
    # s.e. = sd/√4 = 1.2910
    assert mean_sd([1, 3, 5, 7], ".3f", error="se") == "4.000 ± 1.291"
    assert mean_sd([1, 3, 5, 7], ".3f") == "4.000 ± 2.582"


def test_integers_and_zero_decimals():
    assert mean_sd([10, 12, 17], ".0f") == "13 ± 4"          # sd = √((9 + 1 + 16)/2) = √13 = 3.61


def test_one_value_prints_the_value_alone():
    assert mean_sd([0.5]) == "50.0%"
    assert mean_sd(np.array([0.25]), ".1f", scale=100, suffix=" %") == "25.0 %"


def test_nan_and_inf_show_instead_of_hiding_a_run():
    with np.errstate(all="raise"):
        assert mean_sd([0.9, float("nan"), 0.8]) == "nan% ± nan%"
        assert mean_sd([1.0, float("inf")], ".2f") == "inf ± nan"


def test_same_as_the_chapters_old_formatters():
    rng = np.random.default_rng(17)
    for _ in range(200):
        v = rng.uniform(0, 1, size=rng.integers(2, 6))
        assert mean_sd(v, "6.1%") == f"{v.mean():6.1%} ± {v.std(ddof=1):4.1%}"                  # ch01
        assert mean_sd(v, ".4f") == f"{v.mean():.4f} ± {v.std(ddof=1):.4f}"                     # ch01
        w = 100 * v
        assert mean_sd(v, ".1f", scale=100, suffix=" %") == f"{w.mean():.1f} ± {w.std(ddof=1):.1f} %"   # ch03
        assert mean_sd(v, "+.1f") == f"{v.mean():+.1f} ± {v.std(ddof=1):.1f}"                   # ch05
        assert mean_sd(v, "+.1f", error="se") == f"{v.mean():+.1f} ± {v.std(ddof=1) / np.sqrt(len(v)):.1f}"


@pytest.mark.parametrize("bad, message", [([], "empty"), ([0.9, None], "None"), ([None], "None")])
def test_empty_or_none_raise_value_error(bad, message):
    with pytest.raises(ValueError, match=message):
        mean_sd(bad)


def test_bad_arguments():
    with pytest.raises(ValueError, match="'sd'.*'se'"):
        mean_sd(ACC, error="sem")
    with pytest.raises(TypeError, match="list or array"):
        mean_sd(0.9)
    with pytest.raises(TypeError, match="list or array"):
        mean_sd("0.9")
