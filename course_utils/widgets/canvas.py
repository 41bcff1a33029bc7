"""The foreground of a frame as drawing commands for the browser's canvas (``view.FrameView``).

A dashboard frame is a cached *background* (drawn by Agg: axes, ticks, tick labels, grid;
``frame.layers``) and a *foreground* (lines, markers, fills, titles, legends).  Drawing the
foreground with Agg and encoding the whole picture again took most of a streamed frame
(benchmarks/bench_widgets.py --frames); here matplotlib draws the foreground artists into a
``Recorder`` instead, a renderer that keeps each call as a command in pixel coordinates, and
the browser replays the commands over the background it already has.

Each command keeps what Agg would use, prepared the way Agg prepares it:

- paths go through matplotlib's own ``Path.cleaned`` with Agg's flip to y-down pixels, NaN
  removal, pixel snapping and simplification, so a snapped spine or step edge lands on the
  same pixels;
- line widths and dashes in pixels (points × dpi / 72), cap and join styles, the clip box
  rounded to whole pixels as Agg rounds it, face and edge colours with the graphics
  context's alpha applied the way Agg applies it;
- text as the string, its baseline origin, angle, size in pixels and the font *file*
  (the browser loads the same TrueType file, so text keeps matplotlib's font); mathtext is
  sent as glyph outlines (paths);
- images as raw RGBA.

``pack(commands)`` turns the commands into one message: a small JSON list plus two binary
buffers (float32 coordinates, uint8 path codes).  ``replay(message, renderer)`` draws a
message back with an Agg renderer: the tests compare that with Agg drawing the artists
directly, so every field the browser needs is checked without a browser.
"""
import numpy as np
from matplotlib import font_manager
from matplotlib.backend_bases import RendererBase
from matplotlib.path import Path
from matplotlib.font_manager import FontProperties
from matplotlib.transforms import Affine2D, Bbox, TransformedPath

CAPS = {"butt": "butt", "round": "round", "projecting": "square"}
JOINS = {"miter": "miter", "round": "round", "bevel": "bevel"}


def _css(rgba):
    r, g, b, a = rgba
    return f"rgba({round(r * 255)},{round(g * 255)},{round(b * 255)},{a:.4g})"


class Recorder(RendererBase):
    """A matplotlib renderer that records what it is asked to draw (see the module docstring).

    Measurements (text extents, the canvas size, points to pixels) come from ``agg``, the
    figure's Agg renderer, so layouts (legends, titles) come out exactly as with Agg.  Keep
    one Recorder per figure: matplotlib caches text metrics per renderer."""

    def __init__(self, agg):
        super().__init__()
        self.agg = agg
        self.commands = []
        self.fonts = {}                         # font name -> TrueType file used this frame
        self._font_files = {}

    # ------------------------------------------------------------- what artists ask
    @property
    def dpi(self):
        return self.agg.dpi

    @property
    def width(self):
        return self.agg.width

    @property
    def height(self):
        return self.agg.height

    def get_canvas_width_height(self):
        return self.agg.get_canvas_width_height()

    def get_text_width_height_descent(self, s, prop, ismath):
        return self.agg.get_text_width_height_descent(s, prop, ismath)

    def points_to_pixels(self, points):
        return self.agg.points_to_pixels(points)

    def flipy(self):
        return False

    def option_image_nocomposite(self):
        return True

    def start(self):
        self.commands, self.fonts = [], {}

    def _font(self, prop):
        """(name for the browser, TrueType file) of ``prop``, as Agg would pick it."""
        key = hash(prop)
        if key not in self._font_files:
            file = font_manager.findfont(prop)
            self._font_files[key] = ("mpl-" + file.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0], file)
        return self._font_files[key]

    # ------------------------------------------------------------- graphics context
    def _flipped(self, transform):
        """``transform`` followed by Agg's flip to y-down pixels, as one plain Affine2D (a
        composite transform would register itself with both parts: slow)."""
        m = transform.get_matrix().copy()
        m[1] = -m[1]
        m[1, 2] += self.height
        return Affine2D(m)

    def _style(self, gc, rgbFace):
        """Stroke and fill of ``gc`` as Agg applies them (None: not drawn)."""
        lw = self.points_to_pixels(gc.get_linewidth())
        stroke = gc.get_rgb()
        style = {"lw": float(lw), "stroke": _css(stroke) if lw > 0 and stroke[3] > 0 else None,
                 "fill": None, "cap": CAPS[gc.get_capstyle()], "join": JOINS[gc.get_joinstyle()]}
        if rgbFace is not None:
            face = tuple(rgbFace)
            alpha = gc.get_alpha() if len(face) == 3 or gc.get_forced_alpha() else face[3]
            if alpha > 0:
                style["fill"] = _css((*face[:3], alpha))
        offset, dashes = gc.get_dashes()
        if dashes is not None and style["stroke"]:
            style["dash"] = [float(self.points_to_pixels(d)) for d in dashes]
            style["doff"] = float(self.points_to_pixels(offset or 0))
        clip = self._clip(gc)
        if clip is not None:
            style["clip"] = clip
        return style

    def _clip(self, gc):
        """The clip rectangle in y-down pixels, rounded to whole pixels as Agg does."""
        box = gc.get_clip_rectangle()
        if box is None:
            return None
        x0, y0, x1, y1 = (round(v) for v in box.extents)
        return [x0, self.height - y1, x1 - x0, y1 - y0]

    def _clip_path(self, gc, cmd):
        path, affine = gc.get_clip_path()            # ((None, None): no clip path)
        if path is not None:
            cleaned = path.cleaned(self._flipped(affine), remove_nans=True, curves=True)
            cmd["clip_path"] = (cleaned.vertices, cleaned.codes)

    # ------------------------------------------------------------- drawing
    def draw_path(self, gc, path, transform, rgbFace=None):
        style = self._style(gc, rgbFace)
        if style["stroke"] is None and style["fill"] is None:
            return
        w, h = self.get_canvas_width_height()
        unfilled = rgbFace is None and gc.get_hatch() is None
        cleaned = path.cleaned(self._flipped(transform), remove_nans=True,
                               clip=(-1.0, -1.0, w + 1.0, h + 1.0) if unfilled else None,
                               simplify=path.should_simplify and unfilled, curves=True,
                               stroke_width=style["lw"], snap=gc.get_snap())
        n = len(cleaned.codes) - (len(cleaned.codes) > 0 and cleaned.codes[-1] == Path.STOP)
        if n == 0:
            return
        cmd = dict(kind="path", xy=cleaned.vertices[:n], codes=cleaned.codes[:n], **style)
        self._clip_path(gc, cmd)
        self.commands.append(cmd)

    def draw_markers(self, gc, marker_path, marker_trans, path, trans, rgbFace=None):
        style = self._style(gc, rgbFace)
        if style["stroke"] is None and style["fill"] is None:
            return
        m = marker_trans.get_matrix().copy()
        m[1] = -m[1]                                   # (y down, about the marker's centre)
        marker = marker_path.cleaned(Affine2D(m), curves=True, stroke_width=style["lw"],
                                     snap=gc.get_snap())
        at = self._flipped(trans).transform(path.vertices)
        at = at[np.isfinite(at).all(axis=1)]
        if len(at) == 0 or len(marker.vertices) == 0:
            return
        cmd = dict(kind="markers", xy=marker.vertices, codes=marker.codes, at=at, **style)
        self._clip_path(gc, cmd)
        self.commands.append(cmd)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath:                                   # mathtext: as glyph outlines
            return self._draw_text_as_path(gc, x, y, s, prop, angle, ismath, mtext)
        name, file = self._font(prop)
        self.fonts[name] = file
        rgba = gc.get_rgb()
        if len(rgba) == 3 or gc.get_forced_alpha():
            rgba = (*rgba[:3], gc.get_alpha())
        cmd = dict(kind="text", text=s, x=float(x), y=float(self.height - y), angle=float(angle),
                   font=name, px=float(self.points_to_pixels(prop.get_size_in_points())),
                   color=_css(rgba))
        clip = self._clip(gc)
        if clip is not None:
            cmd["clip"] = clip
        self.commands.append(cmd)

    def draw_image(self, gc, x, y, im, transform=None):
        im = np.ascontiguousarray(im[::-1], dtype=np.uint8)     # (Agg's rows go up, a canvas' down)
        cmd = dict(kind="image", x=float(x), y=float(self.height - y - im.shape[0]),
                   w=int(im.shape[1]), h=int(im.shape[0]), rgba=im, alpha=float(gc.get_alpha()))
        clip = self._clip(gc)
        if clip is not None:
            cmd["clip"] = clip
        self.commands.append(cmd)

    # (agg_filter and rasterizing hooks: nothing to record)
    def start_filter(self):
        pass

    def stop_filter(self, filter_func):
        pass


# ----------------------------------------------------------------------------- the message
def pack(commands, fonts=None):
    """Commands -> ``{"ops": [...], "xy": float32 bytes, "codes": uint8 bytes, "images": [...],
    "fonts": {name: file}}``: each op refers to its coordinates by (start, count) pairs of
    points in ``xy`` (and a start in ``codes``); ``fonts`` names the TrueType file of each font
    the text ops use (``Recorder.fonts``)."""
    xy, codes, images, ops, n_xy, n_codes = [], [], [], [], 0, 0

    def put_points(points):
        nonlocal n_xy
        points = np.asarray(points, dtype=np.float32).reshape(-1, 2)
        xy.append(points)
        n_xy += len(points)
        return [n_xy - len(points), len(points)]

    def put_path(vertices, path_codes):
        nonlocal n_codes
        ref = put_points(vertices)
        c = np.full(len(vertices), Path.LINETO, np.uint8) if path_codes is None else np.asarray(path_codes, np.uint8)
        if path_codes is None and len(c):
            c[0] = Path.MOVETO
        codes.append(c)
        n_codes += len(c)
        return ref + [n_codes - len(c)]

    for cmd in commands:
        op = {k: v for k, v in cmd.items() if k not in ("xy", "codes", "at", "rgba", "clip_path")}
        if "xy" in cmd:
            op["path"] = put_path(cmd["xy"], cmd["codes"])
        if "at" in cmd:
            op["at"] = put_points(cmd["at"])
        if "clip_path" in cmd:
            op["clip_path"] = put_path(*cmd["clip_path"])
        if "rgba" in cmd:
            op["image"] = len(images)
            images.append(cmd["rgba"].tobytes())
        ops.append(op)
    return {"ops": ops,
            "xy": (np.concatenate(xy) if xy else np.zeros((0, 2), np.float32)).tobytes(),
            "codes": (np.concatenate(codes) if codes else np.zeros(0, np.uint8)).tobytes(),
            "images": images, "fonts": dict(fonts or {})}


def _rgba(css):
    inside = css[css.index("(") + 1:-1].split(",")
    return tuple(float(v) / 255 for v in inside[:3]) + (float(inside[3]),)


def replay(message, renderer):
    """Draw a ``pack`` message with a matplotlib renderer (Agg) as the browser would: the
    reference for tests/test_canvas.py."""
    xy = np.frombuffer(message["xy"], np.float32).reshape(-1, 2).astype(float)
    codes = np.frombuffer(message["codes"], np.uint8)
    height = renderer.height
    flip = Affine2D().scale(1, -1).translate(0, height)      # y-down pixels back to Agg's

    def path_of(ref):
        start, n, c0 = ref
        return Path(xy[start:start + n], codes[c0:c0 + n].copy())

    for op in message["ops"]:
        gc = renderer.new_gc()
        gc.set_snap(False)                                   # (already snapped)
        if "clip" in op:
            x, y, w, h = op["clip"]
            gc.set_clip_rectangle(Bbox.from_bounds(x, height - y - h, w, h))
        if "clip_path" in op:
            gc.set_clip_path(TransformedPath(path_of(op["clip_path"]), flip))
        if op["kind"] in ("path", "markers"):
            gc.set_linewidth(op["lw"] * 72 / renderer.dpi if op["stroke"] else 0)
            if op["stroke"]:
                gc.set_foreground(_rgba(op["stroke"]), isRGBA=True)
            gc.set_capstyle({v: k for k, v in CAPS.items()}[op["cap"]])
            gc.set_joinstyle(op["join"])
            if "dash" in op:
                gc.set_dashes(op["doff"] * 72 / renderer.dpi, [d * 72 / renderer.dpi for d in op["dash"]])
            face = _rgba(op["fill"]) if op["fill"] else None
            path = path_of(op["path"])
            if op["kind"] == "path":
                renderer.draw_path(gc, path, flip, face)
            else:
                start, n = op["at"]
                for x, y in xy[start:start + n]:
                    renderer.draw_path(gc, path, Affine2D().translate(x, y) + flip, face)
        elif op["kind"] == "text":
            prop = FontProperties(fname=message["fonts"][op["font"]], size=op["px"] * 72 / renderer.dpi)
            gc.set_foreground(_rgba(op["color"]), isRGBA=True)
            renderer.draw_text(gc, op["x"], op["y"], op["text"], prop, op["angle"])   # (Agg: y down)
        elif op["kind"] == "image":
            im = np.frombuffer(message["images"][op["image"]], np.uint8).reshape(op["h"], op["w"], 4)[::-1].copy()
            gc.set_alpha(op["alpha"])
            renderer.draw_image(gc, op["x"], height - op["y"] - op["h"], im)
        gc.restore()



def picture(background, message, fmt="png"):
    """The picture a FrameView shows: ``background`` (image bytes) with ``message`` replayed
    over it by Agg, as ``fmt`` bytes (for readers without a kernel and for tests)."""
    import io

    import PIL.Image
    from matplotlib.backends.backend_agg import RendererAgg

    base = PIL.Image.open(io.BytesIO(background)).convert("RGBA")
    renderer = RendererAgg(base.width, base.height, 72)
    renderer.draw_image(renderer.new_gc(), 0, 0, np.array(base)[::-1])   # (opaque: copied as it is)
    if message and message.get("ops"):
        replay(message, renderer)            # (at 72 dpi a point is a pixel: sizes stay as sent)
    buf = io.BytesIO()
    PIL.Image.frombuffer("RGBA", (base.width, base.height), renderer.buffer_rgba(), "raw", "RGBA", 0, 1) \
        .save(buf, format=fmt)
    return buf.getvalue()
