"""The engine behind every ``check_<exercise>``: run, compare, explain."""
import numpy as np

PASS, TODO, FAIL = "✓", "…", "✗"


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


def check(title, fn, reference, cases, hints=(), *, rtol=1e-6, atol=1e-9):
    """Run ``fn(*args)`` and ``reference(*args)`` on every case and print one verdict line.

    cases: list of argument tuples (built from seeded generators, copied before each call
    so an in-place student function cannot change the reference's input).
    hints: list of ``(test, message)``; ``test(got, want, args)`` returns True when the
    student's answer shows that specific mistake; the first match is printed.
    Returns True when every case matches.
    """
    for k, args in enumerate(cases, start=1):
        want = reference(*_copy(args))
        try:
            got = fn(*_copy(args))
        except NotImplementedError:
            print(f"{TODO} {title}: not implemented yet — the rest of the notebook uses the "
                  "reference implementation.")
            return False
        except Exception as exc:  # the student's code crashed: show what, not a traceback
            print(f"{FAIL} {title}: your function raised {type(exc).__name__}: {exc}")
            return False
        if got is None and want is not None:
            print(f"{FAIL} {title}: your function returned None — did you forget the `return`?")
            return False
        try:
            mismatch = first_mismatch(got, want, rtol, atol)
        except (TypeError, ValueError):   # a string, None, a ragged list...
            print(f"{FAIL} {title}: your function returned {type(got).__name__}, "
                  f"not numbers shaped like the expected answer (did you forget `return`?)")
            return False
        if mismatch is None:
            continue
        for test, message in hints:
            try:
                hit = test(got, want, args)
            except Exception:
                hit = False
            if hit:
                print(f"{FAIL} {title}: {message}")
                return False
        print(f"{FAIL} {title}: wrong on case {k} of {len(cases)}. Expected\n{_fmt(want)}\n"
              f"got\n{_fmt(got)}")
        return False
    print(f"{PASS} {title}: correct on all {len(cases)} cases.")
    return True


def _copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else
                 {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in a.items()}
                 if isinstance(a, dict) else a for a in args)


def _fmt(out):
    with np.printoptions(precision=4, suppress=True, threshold=20):
        return "\n".join(f"  {np.asarray(o) if not isinstance(o, dict) else o}" for o in _as_tuple(out))


def close(a, b, rtol=1e-6, atol=1e-9):
    """True when a and b are numeric arrays of one shape that agree; False (never an error)
    for anything else — the building block of most hints."""
    try:
        a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def ratio_close(got, want, factor, rtol=1e-6):
    """True when ``got ≈ want·factor`` for every output (a typical 'off by a factor' hint)."""
    g, w = _as_tuple(got), _as_tuple(want)
    return all(np.allclose(np.asarray(a, float), np.asarray(b, float) * factor, rtol=rtol)
               for a, b in zip(g, w))
