"""Fixtures shared by the tests (pytest loads this file itself; no test imports it)."""
import pytest


@pytest.fixture
def run_check(capsys):
    """``run_check(check, fn) -> (ok, out)``: an exercise check run on ``fn``, its True/False
    and the text it printed.  A check prints at least one line, and nothing on stderr."""
    def run(check, fn):
        ok = check(fn)
        printed = capsys.readouterr()
        assert printed.err == "", printed.err
        assert printed.out.strip(), "the check printed nothing"
        return ok, printed.out
    return run
