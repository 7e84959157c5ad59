"""A titration plan as an SVG step chart: daily dose over days, the maximum as a dashed line."""

from __future__ import annotations

from html import escape

from app import schemas

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 20, 36, 48


def _ticks(top: float, count: int = 5) -> list[float]:
    raw = top / count
    magnitude: float = 10.0 ** (len(str(int(raw))) - 1) if raw >= 1 else 0.1
    for nice in (1, 2, 2.5, 5, 10):
        step = nice * magnitude
        if step >= raw:
            break
    return [round(i * step, 4) for i in range(int(top / step) + 1)]


def step_chart(plan: schemas.TitrationPublic) -> str:
    steps = plan.steps
    max_daily = plan.max_daily_mg
    last_day = max(s.day_end for s in steps) + 1
    top = max(max_daily, max(s.daily_mg for s in steps)) * 1.1 or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(day: float) -> float:
        return round(LEFT + (day - 1) / max(last_day - 1, 1) * plot_w, 2)

    def y(mg: float) -> float:
        return round(TOP + plot_h - mg / top * plot_h, 2)

    points: list[str] = []
    for s in steps:
        points.append(f"{x(s.day_start)},{y(s.daily_mg)}")
        points.append(f"{x(s.day_end + 1)},{y(s.daily_mg)}")
    title = escape(f"{plan.drug.generic_name}: {plan.regimen.name}")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="t d" '
        'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="t">{title}</title>',
        f'<desc id="d">Daily dose in mg/day by day of treatment; dashed line: maximum '
        f"{max_daily:g} mg/day.</desc>",
        f'<rect x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="20" font-size="14" font-weight="600" fill="#111">{title}</text>',
    ]
    for tick in _ticks(top):
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}" '
            'stroke="#e5e7eb"/>'
            f'<text x="{LEFT - 6}" y="{y(tick) + 4}" text-anchor="end" '
            f'fill="#374151">{tick:g}</text>'
        )
    day_step = max(1, round(last_day / 10))
    for day in range(1, last_day + 1, day_step):
        parts.append(
            f'<text x="{x(day)}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
            f'fill="#374151">{day}</text>'
        )
    parts += [
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#111"/>',
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" '
        'stroke="#111"/>',
        f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(max_daily)}" y2="{y(max_daily)}" '
        'stroke="#b91c1c" stroke-dasharray="6 4" stroke-width="1.5"/>',
        f'<text x="{WIDTH - RIGHT}" y="{y(max_daily) - 6}" text-anchor="end" fill="#b91c1c">'
        f"maximum {max_daily:g} mg/day</text>",
        f'<polyline fill="none" stroke="#1d4ed8" stroke-width="2.5" points="{" ".join(points)}"/>',
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 10}" text-anchor="middle" fill="#111">'
        "Day of treatment</text>",
        f'<text transform="translate(16 {TOP + plot_h / 2}) rotate(-90)" text-anchor="middle" '
        'fill="#111">Daily dose (mg/day)</text>',
        "</svg>",
    ]
    return "\n".join(parts) + "\n"
