"""Instant feedback for the exercises: ``check_<exercise>(fn)`` runs a student's function
against the reference on seeded cases and prints one line: a pass, "not implemented yet",
or a targeted hint.  It returns True on a pass, so a notebook can fall back to the reference.

One module per chapter (``ch00.py`` ...; chapter 06's earlier exercises in ``ch06_sampling.py``,
re-exported by ``ch06``), all re-exported here; the engine (``check``, ``judge_cases``,
``close``) is ``core.py``.
"""
from .core import check, first_mismatch  # noqa: F401
from .ch00 import *  # noqa: F401,F403
from .ch01 import *  # noqa: F401,F403
from .ch02 import *  # noqa: F401,F403
from .ch03 import *  # noqa: F401,F403
from .ch04 import *  # noqa: F401,F403
from .ch05 import *  # noqa: F401,F403
from .ch06 import *  # noqa: F401,F403
