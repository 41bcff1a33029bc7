"""The engine behind every ``check_<exercise>``: run, compare, explain.

Whatever the student's function does, the check prints one verdict line: it runs each case
on a worker thread and stops waiting after ``TIMEOUT`` seconds (a thread with
``join(timeout)`` works the same on Linux, macOS and Windows, unlike ``SIGALRM``), keeps at most
``MAX_LINES`` lines of what the function prints, and names a list, a complex result, a wrong
number of outputs or a crash instead of showing a traceback.
"""
import ctypes
import io
import sys
import threading

import numpy as np

PASS, TODO, FAIL = "✓", "…", "✗"
TIMEOUT = 5.0        # seconds per case; set ``course_utils.checks.core.TIMEOUT`` to change it
MAX_LINES = 20       # lines of the student's own print output shown per check


class _Stop(BaseException):
    """Raised inside a student function that ran past the timeout (a pure-Python loop)."""


class _Capped(io.TextIOBase):
    """A stdout that keeps the first ``limit`` lines and counts the rest."""

    def __init__(self, limit):
        self.limit, self.lines, self.hidden, self._part, self.shown = limit, [], 0, "", 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.hidden or self.shown + len(self.lines) >= self.limit:
            self.hidden += text.count("\n")
            return len(text)
        self._part += text
        *done, self._part = self._part.split("\n")
        for line in done:
            if self.shown + len(self.lines) < self.limit:
                self.lines.append(line[:300])
            else:
                self.hidden += 1
        return len(text)

    def flush_to(self, out, final=False):
        """Print the kept lines; at the end of the check, how many were hidden."""
        if self._part and (final or self.shown + len(self.lines) < self.limit):
            self.lines.append(self._part[:300])
            self._part = ""
        for line in self.lines:
            print(line, file=out)
        self.shown += len(self.lines)
        self.lines = []
        if final and self.hidden:
            print(f"… ({self.hidden:,} more lines printed by your function hidden)", file=out)
            self.hidden = 0


def _call(fn, args, timeout):
    """``fn(*args)`` on a daemon thread: ("ok", value) | ("raised", exc) | ("timeout", None)."""
    box = {}

    def work():
        try:
            with np.errstate(all="ignore"):      # NaN in the result is judged, not warned
                box["value"] = fn(*args)
        except _Stop:
            pass
        except BaseException as exc:             # noqa: BLE001 (even SystemExit/KeyboardInterrupt)
            box["exc"] = exc

    t = threading.Thread(target=work, daemon=True, name="course-check")
    t.start()
    t.join(timeout)
    if t.is_alive():
        # ask a pure-Python loop to stop; a sleep or a NumPy call finishes in the background
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(t.ident), ctypes.py_object(_Stop))
        return "timeout", None
    if "exc" in box:
        return "raised", box["exc"]
    return "ok", box.get("value")


def _complex(out):
    items = out.values() if isinstance(out, dict) else _as_tuple(out)
    for o in items:
        if isinstance(o, dict):
            if _complex(o):
                return True
        elif isinstance(o, complex) or (isinstance(o, np.ndarray) and np.iscomplexobj(o)) or \
                (isinstance(o, (list, tuple)) and any(isinstance(x, complex) for x in o)):
            return True
    return False


def _as_tuple(out):
    return out if isinstance(out, tuple) else (out,)


def first_mismatch(got, want, rtol=1e-6, atol=1e-9):
    """Index of the first output (of a tuple) that differs, or None when all match."""
    got, want = _as_tuple(got), _as_tuple(want)
    if len(got) != len(want):
        return -1
    for i, (g, w) in enumerate(zip(got, want)):
        if isinstance(w, dict):
            if not isinstance(g, dict) or set(g) != set(w) or any(
                    first_mismatch(g[k], w[k], rtol, atol) is not None for k in w):
                return i
            continue
        g, w = np.asarray(g, dtype=float), np.asarray(w, dtype=float)
        if g.shape != w.shape or not np.allclose(g, w, rtol=rtol, atol=atol):
            return i
    return None


def check(title, fn, reference, cases, hints=(), *, rtol=1e-6, atol=1e-9, timeout=None):
    """Run ``fn(*args)`` and ``reference(*args)`` on every case and print one verdict line.

    cases: list of argument tuples (built from seeded generators, copied before each call
    so an in-place student function cannot change the reference's input).
    hints: list of ``(test, message)``; ``test(got, want, args)`` returns True when the
    student's answer shows that specific mistake; the first match is printed.
    Returns True when every case matches.  ``timeout``: seconds per case (default ``TIMEOUT``).
    """
    timeout = TIMEOUT if timeout is None else timeout
    printed = _Capped(MAX_LINES)
    real_stdout = sys.stdout
    try:
        for k, args in enumerate(cases, start=1):
            want = reference(*_copy(args))
            sys.stdout = printed
            try:
                outcome, got = _call(fn, _copy(args), timeout)
            finally:
                sys.stdout = real_stdout
            printed.flush_to(real_stdout, final=k == len(cases))
            verdict = _verdict(title, outcome, got, want, k, len(cases), timeout, rtol, atol)
            if verdict == "same":
                continue
            if verdict is not None:
                printed.flush_to(real_stdout, final=True)
                print(verdict)
                return False
            got = _as_list_tuple(got, want)
            mismatch = first_mismatch(got, want, rtol, atol)
            printed.flush_to(real_stdout, final=True)
            for test, message in hints:
                try:
                    hit = test(got, want, args)
                except Exception:
                    hit = False
                if hit:
                    print(f"{FAIL} {title}: {message}")
                    return False
            if isinstance(want, tuple) and len(_as_tuple(got)) != len(want):
                what = (f"a {type(got).__name__} of {len(got)}" if isinstance(got, (list, tuple))
                        else f"one {type(got).__name__}")
                print(f"{FAIL} {title}: your function returned {what} on case {k}; the exercise "
                      f"expects a tuple of {len(want)} outputs.")
                return False
            print(f"{FAIL} {title}: wrong on case {k} of {len(cases)}{_shape_note(got, want, mismatch)}. "
                  f"Expected\n{_fmt(want)}\ngot\n{_fmt(got)}")
            return False
    finally:
        sys.stdout = real_stdout
    print(f"{PASS} {title}: correct on all {len(cases)} cases.")
    return True


def judge_cases(title, fn, cases, judge):
    """The loop of a check that judges each answer itself (an index and an array, a list of
    lists ...) instead of comparing it number by number with the reference's.

    cases: list of ``(args, case)``.  Each ``fn(*args)`` runs guarded as in ``check`` (a worker
    thread with a timeout, at most ``MAX_LINES`` lines of the function's own output; "not
    implemented yet", a crash or a timeout ends the check with its line).  Then
    ``judge(out, case)`` returns None for a right answer, else ``(hints, detail)``: the first
    message of ``hints``, ``(hit, message)`` pairs, whose hit is true is printed, or "wrong on
    case k of n" followed by ``detail``.  Returns True when every case is right."""
    for k, (args, case) in enumerate(cases, start=1):
        ran, out = _call_student(title, fn, args, k, len(cases))
        if not ran:
            return False
        verdict = judge(out, case)
        if verdict is not None:
            hints, detail = verdict
            print(f"{FAIL} {title}: " + next((message for hit, message in hints if hit),
                                           f"wrong on case {k} of {len(cases)}{detail}"))
            return False
    print(f"{PASS} {title}: correct on all {len(cases)} cases.")
    return True


def _call_student(title, fn, args, case, n_cases):
    """``fn(*args)`` once, guarded: ``(True, value)``, or ``(False, None)`` after the line for
    "not implemented yet" (the notebook skips the cell that would use the function: no word of
    a fallback to the reference), a crash or a timeout."""
    printed, real_stdout = _Capped(MAX_LINES), sys.stdout
    sys.stdout = printed
    try:
        outcome, value = _call(fn, args, TIMEOUT)
    finally:
        sys.stdout = real_stdout
    printed.flush_to(real_stdout, final=True)
    if outcome == "ok":
        return True, value
    if outcome == "raised" and isinstance(value, NotImplementedError):
        print(f"{TODO} {title}: not implemented yet.")
        return False, None
    print(_verdict(title, outcome, value, None, case, n_cases, TIMEOUT, 0.0, 0.0))
    return False, None


def _as_list_tuple(got, want):
    """A list of the right length where a tuple is expected is the same answer to a student."""
    if isinstance(want, tuple) and isinstance(got, list) and len(got) == len(want):
        return tuple(got)
    return got


def _verdict(title, outcome, got, want, k, n, timeout, rtol, atol):
    """One line for a misbehaving call, "same" for a correct answer, None for a wrong answer."""
    if outcome == "timeout":
        return (f"{FAIL} {title}: your function took more than {timeout:g} s on case {k} of {n} "
                f"(an endless loop, or a sleep?) — stopped waiting for it.")
    if outcome == "raised":
        if isinstance(got, NotImplementedError):
            return (f"{TODO} {title}: not implemented yet — the rest of the notebook uses the "
                    "reference implementation.")
        text = str(got).splitlines()[0][:200] if str(got) else ""
        return f"{FAIL} {title}: your function raised {type(got).__name__}: {text}"
    if got is None and want is not None:
        return f"{FAIL} {title}: your function returned None — did you forget the `return`?"
    got = _as_list_tuple(got, want)
    if _complex(got):
        return (f"{FAIL} {title}: your function returned complex numbers on case {k} "
                f"(a square root or a fractional power of a negative number?)")
    if isinstance(want, tuple) and len(_as_tuple(got)) != len(want):
        return None                           # hints first, then _count_note
    try:
        mismatch = first_mismatch(got, want, rtol, atol)
    except (TypeError, ValueError):   # a string, a ragged list...
        return (f"{FAIL} {title}: your function returned {type(got).__name__}, "
                f"not numbers shaped like the expected answer (did you forget `return`?)")
    return "same" if mismatch is None else None


def _shape_note(got, want, i):
    try:
        g, w = _as_tuple(got)[max(i, 0)], _as_tuple(want)[max(i, 0)]
        if not isinstance(w, dict) and np.shape(g) != np.shape(w):
            return f" (output {max(i, 0) + 1} has shape {np.shape(g)}, expected {np.shape(w)})"
    except Exception:
        pass
    return ""


def _copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else
                 {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in a.items()}
                 if isinstance(a, dict) else a for a in args)


def _fmt(out):
    def one(o):
        try:
            text = str(o if isinstance(o, dict) else np.asarray(o))
        except Exception:                       # ragged lists and other odd objects
            text = repr(o)
        return text if len(text) <= 2000 else text[:2000] + " …"
    with np.printoptions(precision=4, suppress=True, threshold=20):
        return "\n".join(f"  {one(o)}" for o in _as_tuple(out))


def close(a, b, rtol=1e-6, atol=1e-9, equal_nan=False):
    """True when a and b are numeric arrays of one shape that agree; False (never an error)
    for None or anything else that is not numbers — the building block of most hints.
    ``equal_nan=True``: NaN matches NaN (a hint that recognises an answer by its NaNs)."""
    if a is None or b is None:
        return False
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))


def ratio_close(got, want, factor, rtol=1e-6):
    """True when ``got ≈ want·factor`` for every output (a typical 'off by a factor' hint)."""
    g, w = _as_tuple(got), _as_tuple(want)
    return all(np.allclose(np.asarray(a, float), np.asarray(b, float) * factor, rtol=rtol)
               for a, b in zip(g, w))
