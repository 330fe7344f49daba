"""Score distribution charts as inline SVG: role="img", a title and a description for screen
readers, and the same numbers in a table beside it. Every text is escaped."""
from markupsafe import Markup, escape


def histogram(values, bins=10, low=0.0, high=100.0):
    """[(from, to, count)] over equal bins; the last bin includes `high`."""
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        index = min(bins - 1, max(0, int((value - low) // width)))
        counts[index] += 1
    return [(low + i * width, low + (i + 1) * width, counts[i]) for i in range(bins)]


def histogram_svg(chart_id, title, description, buckets, axis_label):
    """A bar chart; `buckets` from histogram()."""
    width, height, left, bottom, top = 420, 180, 30, 30, 10
    plot_w, plot_h = width - left - 10, height - bottom - top
    tallest = max((c for _, _, c in buckets), default=0) or 1
    bar_w = plot_w / max(len(buckets), 1)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="#1b1b1b"/>',
    ]
    for index, (start, end, count) in enumerate(buckets):
        bar_h = plot_h * count / tallest
        x = left + index * bar_w
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{top + plot_h - bar_h:.1f}" width="{bar_w - 4:.1f}" height="{bar_h:.1f}" '
            f'fill="#1d4f91"/>'
        )
        if count:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h - bar_h - 2:.1f}" font-size="10" '
                         f'text-anchor="middle" fill="#1b1b1b">{count}</text>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 12:.1f}" font-size="9" text-anchor="middle" '
                     f'fill="#1b1b1b">{int(start)}</text>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 2}" font-size="10" text-anchor="middle" '
                 f'fill="#1b1b1b">{escape(axis_label)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
