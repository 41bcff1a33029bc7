"""The settings of *Deep Learning from Scratch* (Koki Saitoh, ゼロから作るDeep Learning, O'Reilly
Japan 2016), chapter 6 (training techniques), that chapters 03-06 reproduce.

These are facts about the book, not choices of ours: each value is the one in the book's text
and in its script in ``ch06/`` of the book's code (github.com/oreilly-japan/deep-learning-from-scratch).
Where a chapter departs from the book (several seeds, a validation split, a longer budget), the
chapter says so at the call; the value here stays the book's.

Common to the four experiments: MNIST (784 pixels scaled to [0, 1], 10 classes), a ReLU net
with He initialisation, plain SGD, mini-batches of 100.  The book draws its training digits as
the first n of MNIST's training set and its mini-batches with replacement; ``load_mnist`` draws
a stratified sample of n digits and ``train`` shuffles once per epoch.

==================  ==========  ======================================================
recipe              section     script
==================  ==========  ======================================================
``BATCH_NORM``      §6.3.2      ``batch_norm_test.py`` (with ``BN_INIT_STDS``)
``OVERFIT``         §6.4.1-2    ``overfit_weight_decay.py`` (with ``WEIGHT_DECAY``)
``DROPOUT``         §6.4.3      ``overfit_dropout.py`` (with ``DROPOUT_RATE``)
``SEARCH``          §6.5.3      ``hyperparameter_optimization.py`` (with ``SEARCH_*``)
==================  ==========  ======================================================
"""
from dataclasses import dataclass

import numpy as np

from .net import MLP

INPUTS, CLASSES = 784, 10            # MNIST: 28 x 28 pixels, digits 0-9
BATCH_SIZE = 100                     # every chapter-6 experiment


@dataclass(frozen=True)
class Recipe:
    """One experiment of the book's chapter 6.

    section: where the book describes it; script: its code in the book's ``ch06/``;
    n_train: training digits; hidden: the widths of the hidden layers; lr: SGD's learning rate η
    (None where the experiment searches it); epochs: passes over the training digits;
    batch_size: digits per mini-batch.
    """
    section: str
    script: str
    n_train: int
    hidden: tuple
    lr: float | None
    epochs: int
    batch_size: int = BATCH_SIZE

    def mlp(self, **kw):
        """The book's network for this experiment, ``MLP(784, hidden, 10, **kw)`` (He
        initialisation unless ``init=`` says otherwise; ``rng=`` seeds it)."""
        return MLP(INPUTS, list(self.hidden), CLASSES, **kw)


# §6.3.2, evaluating batch normalization: 1000 digits, 784-100x5-10, η = 0.01, 20 epochs, run
# with and without batch norm for 16 initial weight scales (the script's ``weight_scale_list``).
BATCH_NORM = Recipe("§6.3.2", "ch06/batch_norm_test.py", n_train=1000, hidden=(100,) * 5,
                    lr=0.01, epochs=20)
BN_INIT_STDS = np.logspace(0, -4, 16)          # the init std of every layer, from 1 down to 1e-4
BN_INIT_STDS.setflags(write=False)

# §6.4.1, overfitting: 300 digits, 784-100x6-10, η = 0.01, 200 epochs (the script's
# ``max_epochs = 201`` counts the accuracy recorded after the first update);
# §6.4.2, weight decay: the same run with λ = 0.1 (the book's ``weight_decay_lambda``; its loss
# adds 0.5·λ·ΣW², as ``MLP(weight_decay=λ)`` does).
OVERFIT = Recipe("§6.4.1", "ch06/overfit_weight_decay.py", n_train=300, hidden=(100,) * 6,
                 lr=0.01, epochs=200)
WEIGHT_DECAY = 0.1

# §6.4.3, dropout: the overfitting net with dropout after every hidden layer, 300 epochs (the
# script's ``Trainer(epochs=301)``).  The book's ``dropout_ratio = 0.2`` is a drop probability,
# like our p, and its ``Dropout`` layer is the original form: ``layers.dropout_forward(...,
# form="original")``.
DROPOUT = Recipe("§6.4.3", "ch06/overfit_dropout.py", n_train=300, hidden=(100,) * 6,
                 lr=0.01, epochs=300)
DROPOUT_RATE = 0.2

# §6.5.3, implementing the hyperparameter search: the first 500 digits, 20 % of them
# (``validation_rate = 0.20``) for validation, 784-100x6-10, 50 epochs; 100 random trials with
# η = 10^U(−6, −2) and λ = 10^U(−8, −4), scored by the last epoch's validation accuracy.
SEARCH = Recipe("§6.5.3", "ch06/hyperparameter_optimization.py", n_train=400, hidden=(100,) * 6,
                lr=None, epochs=50)
SEARCH_N_VAL = 100
SEARCH_TRIALS = 100
SEARCH_LR = (1e-6, 1e-2)
SEARCH_WEIGHT_DECAY = (1e-8, 1e-4)
