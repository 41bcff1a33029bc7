"""source / show_source: whole functions and named regions, as the chapters print them."""
import importlib
import inspect
import sys
import textwrap

import pytest

from course_utils import net, optimizers, training
from course_utils.source import regions, show_source, source

MARKED = '''
def demo(xs):
    """Doc."""
    total = 0
    # region loop (a test prints it)
    for x in xs:
        total += x
    # endregion
    # region tail
    total *= 2
    return total
'''


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("src") / "marked_demo.py"
    path.write_text(MARKED)
    sys.path.insert(0, str(path.parent))
    try:
        yield importlib.import_module("marked_demo").demo
    finally:
        sys.path.remove(str(path.parent))
        sys.modules.pop("marked_demo", None)


def test_whole_function_drops_only_the_marker_lines(demo):
    text = source(demo)
    assert "region" not in text
    expected = [line for line in inspect.getsource(demo).splitlines() if "region" not in line]
    assert text == "\n".join(expected).rstrip()
    assert demo([1, 2]) == 6                       # the markers are plain comments


def test_region_up_to_endregion_or_the_end(demo):
    assert source(demo, "loop") == "    for x in xs:\n        total += x"
    assert source(demo, "loop", dedent=True) == "for x in xs:\n    total += x"
    assert source(demo, "tail", dedent=True) == "total *= 2\nreturn total"
    assert regions(demo) == ["loop", "tail"]


def test_missing_region_names_the_ones_there(demo):
    with pytest.raises(ValueError, match=r"no region 'lop'.*\['loop', 'tail'\]"):
        source(demo, "lop")


def test_show_source_prints(demo, capsys):
    show_source(demo, "tail", dedent=True)
    assert capsys.readouterr().out == "total *= 2\nreturn total\n"


# the regions chapters 00, 03 and 04 print: renaming one must fail here, not only in nbval
@pytest.mark.parametrize("obj, region, first, last", [
    (training.one_epoch, "epoch", "shuffle_rng, masks_rng = rngs", "optimizer.update("),
    (net.MLP.forward, "hidden-layer", "for i in range", "h, c_act = act_fwd(h)"),
    (net.MLP.loss, "weight-decay", "lam = self.weight_decay", "return data_loss"),
    (optimizers.adamw, "update", 't = state["t"] + 1', "return w - lr"),
])
def test_chapter_regions_exist(obj, region, first, last):
    lines = source(obj, region, dedent=True).splitlines()
    assert lines[0].startswith(first) and last in lines[-1]
    assert textwrap.dedent(lines[0]) == lines[0]
