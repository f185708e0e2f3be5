#!/usr/bin/env python3
"""Draw the hand-marked lesions of lesions.json onto zoomed crops, to check each mark.

Usage: python3 tests/data/real/mark_overlay.py [OUT_DIR]   (default tests/out/real-marks)
Needs Pillow. Writes, per photo, NAME-marks.png: one tile per lesion, the crop plain
(left) and with its outline (right), enlarged to 240 px; and NAME-overview.png, the
photo downscaled with every outline. Outlines: pigment yellow, redness cyan; faint
marks are drawn dotted.
"""
import json
import math
import os
import sys

from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
TILE = 240
COLOURS = {"pigment": (255, 230, 0), "redness": (0, 230, 255)}


def outline(lesion, n=72):
    """The lesion's outline as a list of (x, y) in photo pixels."""
    if lesion["shape"] == "polygon":
        return [tuple(p) for p in lesion["points"]]
    a = math.radians(lesion.get("angle_deg", 0.0))
    pts = []
    for k in range(n):
        t = 2 * math.pi * k / n
        x, y = lesion["rx"] * math.cos(t), lesion["ry"] * math.sin(t)
        pts.append((lesion["cx"] + x * math.cos(a) - y * math.sin(a),
                    lesion["cy"] + x * math.sin(a) + y * math.cos(a)))
    return pts


def draw(d, pts, colour, faint, width):
    """Closed outline; dotted when faint."""
    for k, p in enumerate(pts):
        if faint and k % 2:
            continue
        d.line([p, pts[(k + 1) % len(pts)]], fill=colour, width=width)


def photo_path(entry):
    return os.path.join(ROOT, entry["path"]) if "path" in entry else os.path.join(HERE, entry["file"])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "tests", "out", "real-marks")
    os.makedirs(out, exist_ok=True)
    truth = json.load(open(os.path.join(HERE, "lesions.json")))
    for entry in truth["photos"]:
        im = Image.open(photo_path(entry)).convert("RGB")
        assert im.size == (entry["width"], entry["height"]), entry["file"]
        name = os.path.splitext(entry["file"])[0]
        lesions = entry["lesions"]
        # Overview.
        s = min(1.0, 1400 / max(im.size))
        ov = im.resize((round(im.width * s), round(im.height * s)), Image.LANCZOS)
        d = ImageDraw.Draw(ov)
        for i, l in enumerate(lesions):
            pts = [(x * s, y * s) for x, y in outline(l)]
            cx = sum(p[0] for p in pts) / len(pts)
            cy = sum(p[1] for p in pts) / len(pts)
            r = 10 + max(max(abs(p[0] - cx), abs(p[1] - cy)) for p in pts)
            d.ellipse([cx - r, cy - r, cx + r, cy + r], outline=COLOURS[l["kind"]], width=2)
            d.text((cx + r + 2, cy - 6), str(i), fill=COLOURS[l["kind"]])
        ov.save(os.path.join(out, f"{name}-overview.png"))
        if not lesions:
            continue
        # One tile pair per lesion.
        cols = 3
        rows = math.ceil(len(lesions) / cols)
        sheet = Image.new("RGB", (cols * 2 * TILE + (cols - 1) * 8, rows * (TILE + 16)), (40, 40, 40))
        for i, l in enumerate(lesions):
            pts = outline(l)
            xs, ys = [p[0] for p in pts], [p[1] for p in pts]
            cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
            half = max(12.0, 3.0 * max(max(xs) - min(xs), max(ys) - min(ys)) / 2)
            box = (round(cx - half), round(cy - half), round(cx + half), round(cy + half))
            crop = im.crop(box).resize((TILE, TILE), Image.LANCZOS)
            marked = crop.copy()
            k = TILE / (box[2] - box[0])
            draw(ImageDraw.Draw(marked), [((x - box[0]) * k, (y - box[1]) * k) for x, y in pts],
                 COLOURS[l["kind"]], l["confidence"] == "faint", 2)
            ox = (i % cols) * (2 * TILE + 8)
            oy = (i // cols) * (TILE + 16)
            sheet.paste(crop, (ox, oy))
            sheet.paste(marked, (ox + TILE, oy))
            ImageDraw.Draw(sheet).text(
                (ox + 2, oy + TILE + 2),
                f"{i} {l['kind']} {l['confidence']} ({l.get('cx', '')},{l.get('cy', '')})",
                fill=(255, 255, 255))
        sheet.save(os.path.join(out, f"{name}-marks.png"))
        print(f"{name}: {len(lesions)} lesions -> {out}")


if __name__ == "__main__":
    main()
