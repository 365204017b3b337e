"""Order statistics shared by the benchmark reports (report.py, static_report.py)."""


def quantile(xs, q):
    """The q-quantile of xs, linearly interpolated between the closest ranks."""
    xs = sorted(xs)
    pos = (len(xs) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)
