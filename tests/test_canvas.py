"""The canvas view (course_utils/widgets/canvas.py, view.py): the foreground as drawing commands.

The browser draws the commands; here ``canvas.replay`` draws them with Agg exactly as
frame_view.js does (the same coordinates, styles, clips, fonts), so comparing its picture
with Agg drawing the artists directly checks every field the browser gets.  The two are not
bit-identical: replayed text is drawn from its baseline origin, mathtext as outlines, and
markers one by one at sub-pixel places; hence the tolerances below (measured: ≤ 0.4 % of the
pixels differ by more than a quarter of the range in any case here).
"""
import io

import numpy as np
import PIL.Image
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from course_utils.widgets import Dashboard, canvas, slider
from course_utils.widgets.frame import Frame, png_bytes
from test_widgets import BLIT_CASES

MARGINS = dict(left=0.12, right=0.9, bottom=0.2, top=0.8, wspace=0.35)


def figure(dpi=80):
    fig = Figure(figsize=(6, 2.5), dpi=dpi)
    FigureCanvasAgg(fig)
    return fig, list(fig.subplots(1, 2, gridspec_kw=MARGINS))


def rgba(png):
    return np.asarray(PIL.Image.open(io.BytesIO(png)).convert("RGBA")).astype(int)


def far_off(a, b, levels=64):
    """Share of pixels where some channel differs by more than ``levels``."""
    return float((np.abs(a - b).max(axis=-1) > levels).mean())


@pytest.mark.parametrize("case", BLIT_CASES)
def test_replayed_frames_look_like_agg_drawing_the_figure(case):
    """Frame by frame, the background the browser keeps (sent only when it changed) with the
    overlay replayed over it is the picture Agg draws of a brand-new figure, up to text and
    marker rasterisation; and the background is re-sent only when it changes."""
    fn = BLIT_CASES[case]
    frame = Frame(*figure())
    shown, resent = None, 0
    for i in range(8):
        background, overlay = frame.render_client(lambda axes, r, v: fn(axes, i), None, {}, streamed=i > 0)
        if background is not None:
            shown, resent = background, resent + 1
        got = rgba(canvas.picture(shown, overlay))
        fig, axes = figure()
        fn(axes, i)
        fig.canvas.draw()
        want = rgba(png_bytes(fig))
        assert got.shape == want.shape
        assert far_off(got, want) < 0.006, f"frame {i}: {far_off(got, want):.2%} of the pixels far off"
        assert np.abs(got - want).mean() < 1.5, f"frame {i}: mean difference {np.abs(got - want).mean():.2f}"
    if case in ("fixed limits", "collections"):
        assert resent == 1                   # the first background served all eight frames
    if case == "grid colour only":
        assert resent == 2                   # and once more when only the grid changed


def test_legends_from_the_memo_draw_what_new_legends_would():
    """Frame by frame, a figure whose legends come from the memo (built once, replayed from
    their recorded commands while they stay the same) sends exactly the overlay of a figure
    that builds and draws every legend afresh: through changed labels, a legend changed after
    it was made (odd frames), one that moves (loc="best") and a figure legend."""
    from test_widgets import _legends

    memo, plain = Frame(*figure()), Frame(*figure())
    for ax in plain.axes:
        del ax.legend                                  # (matplotlib's own legend())
    del plain.fig.legend
    plain.legends = None
    for i in range(8):
        draw = lambda axes, r, v: _legends(axes, i)
        _, got = memo.render_client(draw, None, {}, streamed=i > 0)
        _, want = plain.render_client(draw, None, {}, streamed=i > 0)
        assert got["ops"] == want["ops"], f"frame {i}"
        assert got["xy"] == want["xy"] and got["codes"] == want["codes"], f"frame {i}"
    # counted by hand: the left legend is handed back on frames 1, 3 and 7 (the last one was
    # not changed after it was made), the right one on 2, 3, 4, 7 (its loc alternates; the key
    # holds it), the figure's on 1-4, 6, 7; replayed: the right one on 3 (frame 0's, at
    # "lower right"; never at "best"), the figure's on 1-4, 6, 7 (the left one is always changed)
    m = memo.legends
    assert (m.built, m.reused) == (11, 13)
    assert (m.redrawn, m.replayed) == (17, 7)


def test_one_line_hand_checked():
    """A 2-pt dashed red line at 50 % alpha in a 100-dpi figure: the fields the browser gets."""
    fig = Figure(figsize=(2, 1), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0.25, 0.2, 0.5, 0.6])
    ax.set_axis_off()
    ax.plot([0, 1], [0, 1], color="red", lw=2, alpha=0.5, ls=(0, (3, 1)), solid_capstyle="round")
    ax.set(xlim=(0, 1), ylim=(0, 1))
    fig.canvas.draw()
    rec = canvas.Recorder(fig.canvas.get_renderer())
    ax.lines[0].draw(rec)
    (op,) = rec.commands
    assert op["kind"] == "path" and op["fill"] is None
    assert op["stroke"] == "rgba(255,0,0,0.5)"
    assert op["lw"] == pytest.approx(2 * 100 / 72)                      # points -> pixels
    assert op["dash"] == pytest.approx([3 * 2 * 100 / 72, 1 * 2 * 100 / 72])   # (Line2D scales dashes by lw)
    # y down: data (0, 0) is the axes' lower-left corner, (1, 1) its upper right, in pixels
    x0, y0 = 0.25 * 200, 100 - 0.2 * 100
    x1, y1 = 0.75 * 200, 100 - 0.8 * 100
    assert op["xy"][0] == pytest.approx([x0, y0], abs=0.01) and op["xy"][-1] == pytest.approx([x1, y1], abs=0.01)
    assert op["clip"] == [50, 20, 100, 60]                               # the axes, y down


def test_text_keeps_font_size_place_and_angle():
    fig = Figure(figsize=(2, 1), dpi=100)
    FigureCanvasAgg(fig)
    t = fig.text(0.5, 0.25, "loss", fontsize=12, ha="left", va="baseline", color="0.2")
    turned = fig.text(0.5, 0.5, "accuracy", rotation=90)
    fig.canvas.draw()
    rec = canvas.Recorder(fig.canvas.get_renderer())
    t.draw(rec)
    turned.draw(rec)
    op, op90 = rec.commands
    assert op["kind"] == "text" and op["text"] == "loss" and op["angle"] == 0 and op90["angle"] == 90
    assert op["x"] == pytest.approx(100)
    assert op["px"] == pytest.approx(12 * 100 / 72)
    assert op["font"] in rec.fonts and rec.fonts[op["font"]].lower().endswith(".ttf")
    assert op["color"] == "rgba(51,51,51,1)"
    assert op["y"] == pytest.approx(75, abs=1)                            # baseline at 25 % from the bottom
    message = canvas.pack(rec.commands, rec.fonts)
    assert message["fonts"] == rec.fonts


def test_pack_refers_to_coordinates_and_codes():
    commands = [dict(kind="path", xy=np.array([[0, 0], [1, 2], [3, 4]]), codes=None, stroke="x"),
                dict(kind="markers", xy=np.array([[0, 0], [1, 1]]), codes=np.array([1, 2]), at=np.array([[5, 6]]))]
    m = canvas.pack(commands)
    xy = np.frombuffer(m["xy"], np.float32).reshape(-1, 2)
    codes = np.frombuffer(m["codes"], np.uint8)
    p, q = m["ops"]
    assert p["path"] == [0, 3, 0] and q["path"] == [3, 2, 3] and q["at"] == [5, 1]
    assert xy[1].tolist() == [1, 2] and xy[5].tolist() == [5, 6]
    assert codes.tolist() == [1, 2, 2, 1, 2]                              # (no codes: move, then lines)


def tiny(view="canvas"):
    def experiment(a, live):
        return {"a": a}

    def draw(axes, result, values):
        axes[0].plot([0, 1], [0, result["a"]], label="a")
        axes[0].set(xlim=(0, 1), ylim=(0, 1), title=f"a = {values['a']:.1f}")
        axes[0].legend(loc="upper left")

    return Dashboard(experiment, draw, layout=(1, 1), figsize=(3, 2), view=view, a=slider("a", 0, 1, 0.2))


def test_dashboard_sends_the_background_once_and_commands_each_frame():
    dash = tiny()
    first = dash.frame_bytes
    assert dash.frame_log[-1]["client"] and not dash.frame_log[-1]["blitted"]
    dash.set(a=0.6, sync=True)
    assert dash.frame_log[-1]["blitted"] and dash.frame_bytes == first    # the same background
    kinds = [op["kind"] for op in dash.overlay["ops"]]
    assert "path" in kinds and "text" in kinds
    assert any(op.get("text") == "a = 0.6" for op in dash.overlay["ops"])
    # the picture readers without a kernel get: the same as a dashboard drawing with Agg
    agg = tiny(view="image")
    agg.set(a=0.6, sync=True)
    assert far_off(rgba(dash.image), rgba(agg.image)) < 0.01
    dash.close(), agg.close()


def test_a_font_is_sent_when_the_page_asks_for_it():
    dash = tiny()
    sent = []
    dash._image.send = lambda content, buffers=None: sent.append((content, buffers))
    name = next(op["font"] for op in dash.overlay["ops"] if op["kind"] == "text")
    dash._image._on_msg(dash._image, {"font": name}, [])
    dash._image._on_msg(dash._image, {"font": "mpl-no-such-font"}, [])
    assert [c for c, _ in sent] == [{"font": name}]
    assert sent[0][1][0][:4] in (b"\x00\x01\x00\x00", b"true", b"OTTO")      # a TrueType file
    dash.close()


def test_a_frame_the_browser_never_got_leaves_no_stale_background():
    """A frame drawn for a value that is no longer current is not shown; its background (new
    limits) must then be sent with the next frame, not assumed to be in the browser."""
    dash = tiny()
    frame = dash._frame
    frame.render_client(lambda axes, r, v: axes[0].set_xlim(0, 5), None, {})   # (drawn, never shown)
    frame.forget_background()
    background, _ = frame.render_client(dash.draw_fn, dash.result, dash.values)
    assert background is not None
    dash.close()


def test_view_must_be_canvas_or_image():
    with pytest.raises(ValueError, match="view must be 'canvas' or 'image'"):
        tiny(view="svg")
