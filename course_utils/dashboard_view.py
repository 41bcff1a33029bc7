"""How a dashboard looks and reads: the controls' layout (fixed slider tracks, −/+ buttons)
and the status line's wording.  Used by ``widgets.Dashboard``; no state here."""
import numpy as np


def epoch_message(key, history, total=None):
    """ "sgd: epoch 3 / 20" (the key is left out for a single run called "run")."""
    total = total if total is not None else getattr(history, "planned_epochs", None)
    text = f"epoch {history.epochs}" + (f" / {total}" if total else "")
    return text if key in ("run", None, "") else f"{key}: {text}"


def done_message(seconds, render_seconds, cached=False):
    """The status of a finished run: the whole time to the picture, split into its parts."""
    total = seconds + render_seconds
    if cached:
        return f"done in {total:.2f} s (cached result; drawing {render_seconds:.2f} s)"
    return f"done in {total:.2f} s (computing {seconds:.2f} s, drawing {render_seconds:.2f} s)"


def readout(control):
    """A control's value as its readout shows it (the option's label for selections)."""
    labels, index = getattr(control, "_options_labels", None), getattr(control, "index", None)
    if labels is not None and index is not None:
        return str(labels[index])     # (``control.label`` can be "" for a first option of 0.0)
    v = control.value
    if isinstance(v, float):
        fmt = getattr(control, "readout_format", None)
        return format(v, fmt) if fmt else f"{v:g}"
    return str(v)


_SLIDERS = ("FloatLogSlider", "FloatSlider", "IntSlider", "SelectionSlider")
TRACK_PX = 240        # every slider track is this long, whatever its label's length
DEFAULT_WIDTH = "340px"   # the control helpers' default width (label + track + readout)


def arrange_controls(controls):
    """Lay the controls out for a projector: each slider of the helpers' default width gets a
    fixed-length track and its label its own space (sized to the text); every slider gets
    small −/+ buttons (keyboard- and click-friendly:
    Tab to them, Enter or Space steps by one position, in every front end)."""
    import ipywidgets as w

    items = []
    for c in controls:
        if type(c).__name__ not in _SLIDERS:
            items.append(c)
            continue
        if c.layout.width == DEFAULT_WIDTH:          # a width the notebook chose is kept
            label_em = 0.62 * len(c.description) + 0.8
            c.style.description_width = f"{label_em:.1f}em"
            c.layout.width = f"calc({label_em:.1f}em + {TRACK_PX}px + 6em)"
        minus, plus = (w.Button(description=t, tooltip=f"{c.description}: {d} one step",
                                layout=w.Layout(width="2.4em", padding="0"))
                       for t, d in (("−", "down"), ("+", "up")))
        minus.on_click(lambda _b, c=c: step_control(c, -1))
        plus.on_click(lambda _b, c=c: step_control(c, +1))
        items.append(w.HBox([c, minus, plus], layout=w.Layout(align_items="center")))
    return items


def step_control(control, direction):
    """Move a slider by one position (what its −/+ buttons do); stays within its range."""
    kind = type(control).__name__
    if kind == "SelectionSlider":
        i = min(max(control.index + direction, 0), len(control.options) - 1)
        control.index = i
    elif kind == "FloatLogSlider":
        e = np.log(control.value) / np.log(control.base) + direction * control.step
        e = min(max(e, control.min), control.max)
        control.value = float(control.base ** (control.min + round((e - control.min) / control.step) * control.step))
    else:
        control.value = min(max(control.value + direction * control.step, control.min), control.max)
    return control.value


def controls_height(controls, title):
    """Pixels above and below the image (title, controls, status), one slider per row as on a
    1280-px screen, check boxes and dropdowns three to a row."""
    controls = list(controls)
    sliders = sum(type(c).__name__ in _SLIDERS for c in controls)
    others = len(controls) - sliders
    return 40 * (sliders + -(-others // 3)) + (40 if title else 0) + 40


def fit_titles(fig, axes):
    """Shrink an axes title that is wider than its panel (long titles with projector-size
    text would be cut at the figure's edge or run into the next panel's)."""
    renderer, fig_width = None, fig.bbox.width
    for ax in axes:
        box = ax.get_position()
        # a centred title may run 4 % past each side of its panel, never past the figure's edge
        edge = 2 * min(box.x0 + box.width / 2, 1 - box.x0 - box.width / 2) * fig_width
        room = min(box.width * fig_width * 1.08, edge)
        for t in (ax.title, ax._left_title, ax._right_title):
            # (measured: a guess from the number of glyphs missed titles up to ~40 % too wide;
            # matplotlib caches the layout of a text it has measured, so a frame pays ~0.3 ms)
            if t.get_text() and t.get_visible():
                renderer = renderer or fig.canvas.get_renderer()
                for _ in range(3):             # glyph widths do not scale exactly
                    width = t.get_window_extent(renderer).width
                    if width <= room:
                        break
                    t.set_fontsize(t.get_fontsize() * room / width * 0.98)
