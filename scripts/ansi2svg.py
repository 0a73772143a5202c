#!/usr/bin/env python3
"""Render a terminal capture (`tmux capture-pane -pe`) as an SVG, for README screenshots.

Usage: tmux capture-pane -pe -t SESSION | scripts/ansi2svg.py > assets/dashboard.svg
Understands SGR only (colours, bold, dim, italic, underline, reverse), which is all that
capture-pane emits.
"""
import html
import re
import sys

BASE16 = ["#1e1e1e", "#cd3131", "#0dbc79", "#e5e510", "#2472c8", "#bc3fbc", "#11a8cd", "#e5e5e5",
          "#666666", "#f14c4c", "#23d18b", "#f5f543", "#3b8eea", "#d670d6", "#29b8db", "#ffffff"]
FG, BG = "#d4d4d4", "#1e1e1e"


def colour256(n):
    if n < 16:
        return BASE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return "#%02x%02x%02x" % (steps[n // 36], steps[(n // 6) % 6], steps[n % 6])
    v = 8 + (n - 232) * 10
    return "#%02x%02x%02x" % (v, v, v)


def parse(lines):
    """Yields rows of (char, style) cells."""
    sgr = re.compile(r"\x1b\[([0-9;]*)m")
    for line in lines:
        style = dict(fg=None, bg=None, bold=False, dim=False, italic=False, under=False, rev=False)
        cells, pos = [], 0
        for m in sgr.finditer(line):
            cells += [(c, dict(style)) for c in line[pos:m.start()]]
            pos = m.end()
            codes = [int(c) if c else 0 for c in m.group(1).split(";")]
            i = 0
            while i < len(codes):
                c = codes[i]
                if c == 0:
                    style.update(fg=None, bg=None, bold=False, dim=False, italic=False, under=False, rev=False)
                elif c == 1: style["bold"] = True
                elif c == 2: style["dim"] = True
                elif c == 3: style["italic"] = True
                elif c == 4: style["under"] = True
                elif c == 7: style["rev"] = True
                elif c == 22: style["bold"] = style["dim"] = False
                elif c == 23: style["italic"] = False
                elif c == 24: style["under"] = False
                elif c == 27: style["rev"] = False
                elif 30 <= c <= 37: style["fg"] = BASE16[c - 30]
                elif 90 <= c <= 97: style["fg"] = BASE16[c - 90 + 8]
                elif 40 <= c <= 47: style["bg"] = BASE16[c - 40]
                elif 100 <= c <= 107: style["bg"] = BASE16[c - 100 + 8]
                elif c == 39: style["fg"] = None
                elif c == 49: style["bg"] = None
                elif c in (38, 48) and i + 2 < len(codes) and codes[i + 1] == 5:
                    style["fg" if c == 38 else "bg"] = colour256(codes[i + 2]); i += 2
                elif c in (38, 48) and i + 4 < len(codes) and codes[i + 1] == 2:
                    style["fg" if c == 38 else "bg"] = "#%02x%02x%02x" % tuple(codes[i + 2:i + 5]); i += 4
                i += 1
        cells += [(c, dict(style)) for c in line[pos:]]
        yield cells


def main():
    rows = list(parse(sys.stdin.read().rstrip("\n").split("\n")))
    cw, ch = 8.4, 18
    width = max(len(r) for r in rows) * cw + 20
    height = len(rows) * ch + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'font-family="DejaVu Sans Mono, Menlo, Consolas, monospace" font-size="14">',
           f'<rect width="100%" height="100%" fill="{BG}" rx="6"/>']
    for y, row in enumerate(rows):
        x = 0
        while x < len(row):
            ch0, st = row[x]
            run = ch0
            x2 = x + 1
            while x2 < len(row) and row[x2][1] == st:
                run += row[x2][0]
                x2 += 1
            fg, bg = st["fg"] or FG, st["bg"]
            if st["rev"]:
                fg, bg = (st["bg"] or BG), (st["fg"] or FG)
            px, py = 10 + x * cw, 10 + y * ch
            if bg:
                out.append(f'<rect x="{px:.1f}" y="{py}" width="{len(run) * cw:.1f}" height="{ch}" fill="{bg}"/>')
            if run.strip():
                attrs = f'fill="{fg}"'
                if st["bold"]: attrs += ' font-weight="bold"'
                if st["dim"]: attrs += ' opacity="0.6"'
                if st["italic"]: attrs += ' font-style="italic"'
                if st["under"]: attrs += ' text-decoration="underline"'
                out.append(f'<text x="{px:.1f}" y="{py + 14}" {attrs} xml:space="preserve" '
                           f'textLength="{len(run) * cw:.1f}" lengthAdjust="spacingAndGlyphs">{html.escape(run)}</text>')
            x = x2
    out.append("</svg>")
    print("\n".join(out))


if __name__ == "__main__":
    main()
