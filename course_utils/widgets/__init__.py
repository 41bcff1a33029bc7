"""The live dashboard every chapter uses: controls + one figure + a status line.

    def experiment(lr, batch_size, live):
        net = MLP(784, [100, 100], 10)
        return {"sgd": train(net, data, Optimizer("sgd", lr=lr), epochs=20,
                             batch_size=batch_size, on_epoch=live.track("sgd"))}

    def draw(axes, result, values):
        plot_curves(axes[0], result["sgd"], "loss")

    dash = Dashboard(experiment, draw, lr=log_slider("learning rate η", 1e-4, 1, 0.05),
                     batch_size=batch_slider("batch size", 128))
    dash                                     # shows it; the first run already happened

The modules (docs/architecture.md, "The dashboard"):

- ``controls``: the sliders, dropdown and check box (ranges checked with ``course_utils.validate``);
- ``dashboard``: ``Dashboard``: runs ``experiment`` on a worker thread when a control changes,
  the newest value only, and shows its frames;
- ``live``: ``Live``, what the experiment gets (``live.track(key, every=k)``, ``live.tick()``,
  ``live.cancelled``), and ``RunCache``, finished runs by control values;
- ``frame``: how ``draw`` becomes PNG bytes quickly (axes cleared keeping their ticks, layout
  only when it may have changed).

``dash.set(lr=0.1)``, ``dash.run(sync=True)``, ``dash.wait()``, ``dash.result``,
``dash.history``, ``dash.image`` and ``dash.frame_log`` drive and inspect it without a browser.
"""
from ..dashboard_view import (arrange_controls, controls_height, done_message, epoch_message,  # noqa: F401
                              fit_titles, readout, step_control)
from .controls import (batch_slider, checkbox, dropdown, int_slider, log_choice_slider,  # noqa: F401
                       log_slider, slider)
from .dashboard import Dashboard  # noqa: F401
from .frame import clear_keeping_ticks  # noqa: F401
from .live import Live, RunCache  # noqa: F401
