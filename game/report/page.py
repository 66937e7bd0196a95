"""The report as one HTML page with its charts embedded, and the charts as PNG files beside it."""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

STYLE = """
body { font-family: sans-serif; max-width: 1250px; margin: 1em auto; padding: 0 1em; color: #222; }
h1 { margin-bottom: 0.2em; } .sub { color: #555; margin-top: 0; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { color: #444; font-size: 0.95em; }
ol.questions li { margin-bottom: 0.8em; } ul.evidence { color: #444; font-size: 0.9em; }
table { border-collapse: collapse; font-size: 0.9em; } td, th { border-bottom: 1px solid #ddd;
padding: 2px 8px; text-align: left; vertical-align: top; } tr.event td { color: #7a4b00; }
"""


def write_report(report, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    for fig in report.figures:
        _write_atomic(out / f"{fig.key}.png", fig.png)
    page = out / "report.html"
    _write_atomic(page, render(report).encode("utf-8"))
    return page


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def render(report) -> str:
    e = html.escape
    parts = [f"<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'><title>{e(report.title)}</title>",
             f"<style>{STYLE}</style></head><body>",
             f"<h1>{e(report.title)}</h1><p class='sub'>{e(report.subtitle)}</p>"]
    parts.append("<h2>Debrief questions</h2>")
    if report.questions:
        parts.append("<ol class='questions'>")
        for q in report.questions:
            link = f" <a href='#{e(q.figure)}'>(see the chart)</a>" if q.figure else ""
            items = "".join(f"<li>{e(x)}</li>" for x in q.evidence)
            parts.append(f"<li>{e(q.text)}{link}<ul class='evidence'>{items}</ul></li>")
        parts.append("</ol>")
    else:
        parts.append("<p>The game had no split market, score swing, build or shortage to ask about.</p>")
    parts.append("<h2>Charts</h2>")
    for fig in report.figures:
        data = base64.b64encode(fig.png).decode("ascii")
        parts.append(f"<figure id='{e(fig.key)}'><h3>{e(fig.title)}</h3>"
                     f"<img alt='{e(fig.title)}' src='data:image/png;base64,{data}'>"
                     f"<figcaption>{e(fig.caption)}</figcaption></figure>")
    parts.append("<h2>Timeline of decisive orders and events</h2><table><tr><th>turn</th><th>year</th>"
                 "<th>seat</th><th>what</th></tr>")
    for turn, year, seat, text in report.timeline:
        cls = " class='event'" if seat == "event" else ""
        parts.append(f"<tr{cls}><td>{turn}</td><td>{year:.1f}</td><td>{e(seat)}</td><td>{e(text)}</td></tr>")
    parts.append("</table></body></html>\n")
    return "\n".join(parts)
