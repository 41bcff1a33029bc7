"""``FrameView``: the widget a dashboard's picture lives in (an anywidget canvas).

The kernel sends the frame's background as an image only when it changes, and every frame's
foreground as drawing commands (``canvas.pack``); ``frame_view.js`` draws the commands over
the background in the browser.  Why not an ``ipywidgets.Image`` any more: with it each frame
was the whole picture drawn by Agg and encoded (~30-60 ms on 2 cores) and decoded again by
the browser; measured in benchmarks/results/browser.txt.  Fonts: the first frame that names a
font the page has not loaded asks the kernel for the TrueType file matplotlib uses
(``msg:custom``), so text in the browser is matplotlib's font.
"""
import anywidget
import traitlets
from pathlib import Path

_JS = Path(__file__).with_name("frame_view.js")


class FrameView(anywidget.AnyWidget):
    """A canvas of ``width`` × ``height`` pixels: ``background`` (image bytes in ``format``)
    with ``overlay`` (a ``canvas.pack`` message) drawn over it."""

    _esm = _JS
    background = traitlets.Bytes(b"").tag(sync=True)
    overlay = traitlets.Dict().tag(sync=True)
    format = traitlets.Unicode("webp").tag(sync=True)
    width = traitlets.Int(1).tag(sync=True)
    height = traitlets.Int(1).tag(sync=True)
    css_max_height = traitlets.Unicode("none").tag(sync=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._fonts = {}                     # font name -> file (canvas.Recorder.fonts)
        self.on_msg(self._on_msg)

    def know_fonts(self, fonts):
        """Remember font files a frame used (name -> path), to send when the page asks."""
        self._fonts.update(fonts)

    def _on_msg(self, _widget, content, _buffers):
        name = content.get("font") if isinstance(content, dict) else None
        if name in self._fonts:
            self.send({"font": name}, [Path(self._fonts[name]).read_bytes()])

    def show(self, background, overlay):
        """One frame: ``background`` (None: the one the browser has) and the overlay."""
        with self.hold_sync():
            if background is not None:
                self.background = background
            self.overlay = overlay
