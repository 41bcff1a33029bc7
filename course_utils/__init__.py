"""course_utils: the NumPy core shared by the course's notebooks.

Import what you need from the modules (``from course_utils.net import MLP``); the
shortcuts below cover the common ones.  matplotlib and ipywidgets are imported only by
``plots`` and ``widgets``, so ``import course_utils`` stays fast.
"""
from .data import load_mnist
from .net import MLP
from .optimizers import OPTIMIZERS, Optimizer
from .training import EarlyStopping, History, train

__all__ = ["MLP", "Optimizer", "OPTIMIZERS", "train", "History", "EarlyStopping", "load_mnist"]
__version__ = "0.1.0"
