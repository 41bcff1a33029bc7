"""What an experiment function gets from its dashboard (``Live``) and the cache of finished runs
that a dashboard re-uses when a control goes back to a value it had (``RunCache``)."""
from ..dashboard_view import epoch_message


class Live:
    """Handed to the experiment function: streams partial results and reports cancellation.

    It talks to its dashboard through two public methods only: ``dash.is_current(generation)``
    and ``dash.show_partial(partial, message, generation)``.
    """

    def __init__(self, dash, generation, stream, values=None):
        self._dash, self._gen, self._stream = dash, generation, stream
        self.values = values
        self.partial = {}
        self.units = 0            # units of tracked work done (epochs, ticks)
        # set ``live.cached = True`` when the result came from a cache: the status says so
        # (left at None, a run that did no tracked work and used < 5 ms of CPU counts as cached)
        self.cached = None

    @property
    def cancelled(self):
        """True once a newer control value has started another run."""
        return not self._dash.is_current(self._gen)

    def track(self, key, total=None, every=None):
        """An ``on_epoch`` callback for ``train``: keeps ``partial[key]``, streams a frame
        after epoch 1 and then every ``every`` epochs (default: the dashboard's
        ``stream_every``, or, for ``train(eval_every=k)``, the epochs it evaluated), and
        returns False (stop) when the run is cancelled.  The status reads
        "key: epoch 3 / 20": the total is ``total``, else ``history.planned_epochs``."""
        if every is not None and (isinstance(every, bool) or int(every) != every or every < 1):
            raise ValueError(f"every must be a whole number >= 1, got {every!r}")

        def on_epoch(history):
            self.partial[key] = history
            epoch = history.epochs
            due = _evaluated_now(history) if every is None else (epoch == 1 or epoch % int(every) == 0)
            return self.tick(epoch_message(key, history, total), due=due)
        return on_epoch

    def tick(self, message="", due=None):
        """Call once per unit of work in custom loops; returns False when cancelled.
        A frame streams after the first unit, then every ``stream_every`` units (or when
        ``due`` is True), skipped while the last frame took longer than the work since."""
        if self.cancelled:
            return False
        self.units += 1
        if due is None:
            due = self.units == 1 or (self.units - 1) % self._dash.stream_every == 0
        if self._stream and due:
            self._dash.show_partial(self.partial, f"running… {message}", self._gen,
                                    values=self.values, first=self.units == 1)
        return not self.cancelled


def _evaluated_now(history):
    """When to stream, read off the run itself: None (the dashboard's cadence) while ``train``
    evaluates every epoch; else True on the epochs it evaluated (``train(eval_every=k)``: a
    frame shows new numbers, never a copy of the last one) and False in between."""
    seen = getattr(history, "evaluated_at", None) or {}
    epoch = history.epochs
    if all(len(v) == epoch for v in seen.values()):
        return None
    return any(v and v[-1] == epoch for v in seen.values())


class RunCache(dict):
    """Finished runs by key (the control values that decide them); a run whose result says
    ``cancelled`` (a ``History`` stopped by a newer value) is returned but not kept.

        runs = RunCache()
        h = runs.get_or_run((name, lr), lambda: train(..., on_epoch=live.track(name)))
        if h.cancelled:
            return result                    # a newer value arrived: stop here

    ``get_or_run(key, run, live)`` with a ``Live`` also marks the result as cached
    (``live.cached``) when every run came from the cache.
    """

    def get_or_run(self, key, run, live=None):
        if key in self:
            if live is not None and live.cached is None:
                live.cached = True
            return self[key]
        result = run()
        if live is not None:
            live.cached = False
        if not getattr(result, "cancelled", False):    # (a History stopped early says so)
            self[key] = result
        return result
