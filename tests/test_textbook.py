"""textbook: the book's chapter-6 recipes build the book's nets and stay read-only."""
import dataclasses

import numpy as np
import pytest

from course_utils import textbook as T
from course_utils.net import MLP

RECIPES = [T.BATCH_NORM, T.OVERFIT, T.DROPOUT, T.SEARCH]


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: r.section)
def test_mlp_is_the_books_net(recipe):
    net = recipe.mlp(rng=3)
    assert net.dims == [784, *recipe.hidden, 10]
    ref = MLP(784, list(recipe.hidden), 10, rng=3)             # He initialisation, same seed
    assert all(np.array_equal(net.params[k], ref.params[k]) for k in ref.params)
    std = net.params["fc2.W"].std()
    assert abs(std - np.sqrt(2 / recipe.hidden[0])) < 0.01      # He: √(2/fan-in)


def test_mlp_passes_options_through():
    net = T.DROPOUT.mlp(dropout=T.DROPOUT_RATE, dropout_form="original", weight_decay=0.1, rng=0)
    assert (net.dropout, net.dropout_form, net.weight_decay) == (0.2, "original", 0.1)
    assert T.BATCH_NORM.mlp(batchnorm=True).batchnorm


def test_recipes_are_read_only():
    with pytest.raises(dataclasses.FrozenInstanceError):
        T.OVERFIT.epochs = 10
    with pytest.raises(ValueError):
        T.BN_INIT_STDS[0] = 2.0
    np.testing.assert_array_equal(T.BN_INIT_STDS, np.logspace(0, -4, 16))


@pytest.mark.parametrize("recipe", RECIPES, ids=lambda r: r.section)
def test_recipes_are_consistent(recipe):
    assert recipe.section.startswith("§6.") and recipe.script.startswith("ch06/")
    assert recipe.n_train % recipe.batch_size == 0                # whole mini-batches per epoch
    assert recipe.lr is None or 0 < recipe.lr < 1


def test_search_box_and_split():
    (lo, hi), (wlo, whi) = T.SEARCH_LR, T.SEARCH_WEIGHT_DECAY
    assert np.log10(hi / lo) == pytest.approx(4) and np.log10(whi / wlo) == pytest.approx(4)
    n_all = T.SEARCH.n_train + T.SEARCH_N_VAL
    assert T.SEARCH_N_VAL == 0.2 * n_all                          # validation_rate = 0.20
