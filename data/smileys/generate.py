#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Draws MSN Messenger's standard emoticons and writes a Pidgin smiley theme for them.

Every picture is drawn here from circles, arcs, segments and polygons (no image files are read),
so the theme carries no third-party artwork. Standard library only.

Usage:
  generate.py OUTDIR            write OUTDIR/theme and one PNG per emoticon
  generate.py --list            print the names of the files OUTDIR receives (for meson)
  generate.py --sheet FILE.png  write an enlarged contact sheet of every picture (for review)
"""

import math
import struct
import sys
import zlib

SIZE = 24  # Pidgin's default theme draws at 24x24; MSN's own are 19x19 and scale up fine.
SUB = 4  # sub-samples per pixel side, for anti-aliased edges


# --- shapes: callables (x, y) -> bool with a bounding box, so rendering can skip them quickly ---


class Shape:
    def __init__(self, inside, box):
        self.inside = inside
        self.box = box  # (x0, y0, x1, y1)

    def __call__(self, x, y):
        x0, y0, x1, y1 = self.box
        return x0 <= x <= x1 and y0 <= y <= y1 and self.inside(x, y)


def circle(cx, cy, r):
    return Shape(lambda x, y: (x - cx) ** 2 + (y - cy) ** 2 <= r * r, (cx - r, cy - r, cx + r, cy + r))


def ellipse(cx, cy, rx, ry):
    return Shape(
        lambda x, y: ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1.0,
        (cx - rx, cy - ry, cx + rx, cy + ry),
    )


def ring(cx, cy, r, w):
    lo, hi = (r - w / 2) ** 2, (r + w / 2) ** 2
    e = r + w / 2
    return Shape(lambda x, y: lo <= (x - cx) ** 2 + (y - cy) ** 2 <= hi, (cx - e, cy - e, cx + e, cy + e))


def _angle_in(a, a0, a1):
    return (a - a0) % 360 <= (a1 - a0) % 360


def arc(cx, cy, r, w, a0, a1):
    """A thick arc; angles in degrees, 0 = right, 90 = down (screen coordinates), clockwise."""
    band = ring(cx, cy, r, w)
    return Shape(
        lambda x, y: band(x, y) and _angle_in(math.degrees(math.atan2(y - cy, x - cx)), a0, a1),
        band.box,
    )


def seg(x0, y0, x1, y1, w):
    dx, dy = x1 - x0, y1 - y0
    length2 = dx * dx + dy * dy or 1e-9
    h = w / 2

    def inside(x, y):
        t = max(0.0, min(1.0, ((x - x0) * dx + (y - y0) * dy) / length2))
        px, py = x0 + t * dx - x, y0 + t * dy - y
        return px * px + py * py <= h * h

    return Shape(inside, (min(x0, x1) - h, min(y0, y1) - h, max(x0, x1) + h, max(y0, y1) + h))


def polyline(points, w):
    return union(*[seg(*points[i], *points[i + 1], w) for i in range(len(points) - 1)])


def poly(points):
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    n = len(points)

    def inside(x, y):
        c = False
        j = n - 1
        for i in range(n):
            xi, yi = points[i]
            xj, yj = points[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                c = not c
            j = i
        return c

    return Shape(inside, (min(xs), min(ys), max(xs), max(ys)))


def rect(x0, y0, x1, y1):
    return Shape(lambda x, y: True, (x0, y0, x1, y1))


def rrect(x0, y0, x1, y1, r):
    def inside(x, y):
        cx = min(max(x, x0 + r), x1 - r)
        cy = min(max(y, y0 + r), y1 - r)
        return (x - cx) ** 2 + (y - cy) ** 2 <= r * r

    return Shape(inside, (x0, y0, x1, y1))


def union(*shapes):
    box = (
        min(s.box[0] for s in shapes),
        min(s.box[1] for s in shapes),
        max(s.box[2] for s in shapes),
        max(s.box[3] for s in shapes),
    )
    return Shape(lambda x, y: any(s(x, y) for s in shapes), box)


def diff(a, b):
    return Shape(lambda x, y: a(x, y) and not b(x, y), a.box)


def inter(a, b):
    return Shape(lambda x, y: a(x, y) and b(x, y), a.box)


def grow(s, d):
    """The shape widened by about d in every direction (used for outlines)."""
    offsets = [(d * math.cos(k * math.pi / 4), d * math.sin(k * math.pi / 4)) for k in range(8)]
    x0, y0, x1, y1 = s.box
    return Shape(
        lambda x, y: s(x, y) or any(s(x + ox, y + oy) for ox, oy in offsets),
        (x0 - d, y0 - d, x1 + d, y1 + d),
    )


def mirror(s):
    x0, y0, x1, y1 = s.box
    return Shape(lambda x, y: s(SIZE - x, y), (SIZE - x1, y0, SIZE - x0, y1))


def flip(s):
    x0, y0, x1, y1 = s.box
    return Shape(lambda x, y: s(x, SIZE - y), (x0, SIZE - y1, x1, SIZE - y0))


def heart_shape(cx, cy, s):
    return union(
        circle(cx - 2.6 * s, cy - 1.8 * s, 3.1 * s),
        circle(cx + 2.6 * s, cy - 1.8 * s, 3.1 * s),
        poly([(cx - 5.6 * s, cy - 1.0 * s), (cx + 5.6 * s, cy - 1.0 * s), (cx, cy + 6.2 * s)]),
    )


def star_shape(cx, cy, r_out, r_in, points=5, turn=-90):
    pts = []
    for k in range(points * 2):
        r = r_out if k % 2 == 0 else r_in
        a = math.radians(turn + k * 180 / points)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return poly(pts)


# --- colours (RGBA) ---

YELLOW = (255, 214, 64, 255)
YELLOW_EDGE = (176, 120, 0, 255)
DARK = (60, 40, 20, 255)
BLACK = (25, 25, 30, 255)
WHITE = (255, 255, 255, 255)
RED = (220, 30, 40, 255)
DARK_RED = (140, 10, 20, 255)
PINK = (255, 130, 160, 255)
BLUE = (60, 130, 230, 255)
LIGHT_BLUE = (150, 200, 255, 255)
GREEN = (60, 170, 60, 255)
DARK_GREEN = (30, 100, 30, 255)
BROWN = (140, 85, 40, 255)
GREY = (150, 150, 160, 255)
LIGHT_GREY = (215, 215, 222, 255)
ORANGE = (255, 150, 30, 255)
PURPLE = (150, 70, 200, 255)
SKIN = (255, 205, 160, 255)
SKIN_EDGE = (180, 120, 70, 255)
GOLD = (240, 190, 40, 255)


def outlined(shape, fill, line=DARK, w=1.0):
    return [(grow(shape, w), line), (shape, fill)]


# --- faces ---

C = 12.0  # centre
FACE = circle(C, C, 10.2)


def face(fill=YELLOW, edge=YELLOW_EDGE):
    return [(circle(C, C, 11.2), edge), (FACE, fill)]


def dot_eyes(y=9.2, r=1.5, dx=3.8, colour=DARK):
    return [(ellipse(C - dx, y, r * 0.85, r * 1.25), colour), (ellipse(C + dx, y, r * 0.85, r * 1.25), colour)]


def smile_mouth(y=12.0, r=5.5, w=1.5):
    return [(arc(C, y, r, w, 25, 155), DARK)]


def frown_mouth(y=20.0, r=4.8, w=1.5):
    return [(arc(C, y, r, w, 215, 325), DARK)]


def smile():
    return face() + dot_eyes() + smile_mouth()


def grin():
    mouth = inter(circle(C, 13.0, 6.2), rect(4, 13.0, 20, 20))
    teeth = inter(mouth, rect(4, 13.0, 20, 14.8))
    return face() + dot_eyes() + [(mouth, DARK_RED), (teeth, WHITE), (ellipse(C, 17.8, 3.0, 1.1), PINK)]


def wink():
    closed = arc(C + 3.8, 10.2, 2.0, 1.2, 200, 340)
    return face() + [(ellipse(C - 3.8, 9.2, 1.3, 1.9), DARK), (closed, DARK)] + smile_mouth()


def surprised():
    return face() + dot_eyes(y=8.6, r=1.7) + [(ellipse(C, 16.2, 2.4, 3.0), DARK), (ellipse(C, 16.5, 1.4, 2.0), DARK_RED)]


def tongue():
    t = union(ellipse(C + 1.0, 16.8, 2.6, 3.0))
    return face() + dot_eyes() + [(t, DARK_RED), (inter(t, rect(0, 0, 24, 14.6)), YELLOW)] + [
        (inter(ellipse(C + 1.0, 17.0, 2.1, 2.5), rect(0, 15.2, 24, 24)), (240, 80, 110, 255)),
        (seg(6.5, 14.8, 17.5, 14.8, 1.3), DARK),
    ]


def hot():
    lenses = union(rrect(4.0, 7.0, 11.3, 11.8, 2.0), rrect(12.7, 7.0, 20.0, 11.8, 2.0))
    return face() + [(seg(1.5, 8.0, 22.5, 8.0, 1.1), BLACK), (lenses, BLACK),
                     (seg(5.3, 8.3, 7.3, 8.3, 0.8), (120, 120, 140, 255)),
                     (seg(14.0, 8.3, 16.0, 8.3, 0.8), (120, 120, 140, 255))] + smile_mouth()


def angry():
    red = (235, 80, 50, 255)
    brows = [(seg(5.0, 6.0, 10.3, 8.4, 1.4), DARK), (seg(19.0, 6.0, 13.7, 8.4, 1.4), DARK)]
    return face(red, DARK_RED) + brows + dot_eyes(y=10.6, r=1.3) + frown_mouth(y=21.0, r=4.8)


def embarrassed():
    cheeks = [(ellipse(6.2, 13.0, 2.3, 1.4), (245, 120, 120, 255)), (ellipse(17.8, 13.0, 2.3, 1.4), (245, 120, 120, 255))]
    eyes = [(arc(C - 3.8, 8.6, 1.8, 1.1, 20, 160), DARK), (arc(C + 3.8, 8.6, 1.8, 1.1, 20, 160), DARK)]
    mouth = [(polyline([(8.5, 17.0), (10.2, 16.0), (12.0, 17.0), (13.8, 16.0), (15.5, 17.0)], 1.2), DARK)]
    return face() + cheeks + eyes + mouth


def confused():
    mouth = [(polyline([(6.5, 17.2), (9.0, 15.2), (12.0, 17.4), (15.0, 15.2), (17.5, 17.2)], 1.4), DARK)]
    return face() + dot_eyes() + [(seg(6.5, 6.0, 9.5, 5.2, 1.1), DARK), (seg(14.5, 6.3, 17.5, 7.0, 1.1), DARK)] + mouth


def sad():
    return face() + dot_eyes(y=9.6) + frown_mouth()


def crying():
    tears = [(union(circle(7.6, 15.2, 1.4), poly([(6.3, 14.8), (8.9, 14.8), (7.6, 11.6)])), BLUE),
             (union(circle(16.4, 15.2, 1.4), poly([(15.1, 14.8), (17.7, 14.8), (16.4, 11.6)])), BLUE)]
    eyes = [(arc(C - 3.8, 11.2, 2.0, 1.2, 200, 340), DARK), (arc(C + 3.8, 11.2, 2.0, 1.2, 200, 340), DARK)]
    return face() + eyes + frown_mouth(y=21.0) + tears


def disappointed():
    return face() + dot_eyes() + [(seg(7.5, 16.0, 16.5, 16.0, 1.5), DARK)]


def devil():
    horns = [(poly([(3.2, 7.5), (1.0, 0.5), (8.0, 3.6)]), DARK_RED), (poly([(20.8, 7.5), (23.0, 0.5), (16.0, 3.6)]), DARK_RED)]
    brows = [(seg(6.0, 7.0, 10.2, 8.6, 1.2), BLACK), (seg(18.0, 7.0, 13.8, 8.6, 1.2), BLACK)]
    mouth = inter(circle(C, 12.0, 6.0), rect(4, 13.5, 20, 20))
    return horns + face((190, 60, 200, 255), (90, 20, 110, 255)) + brows + dot_eyes(y=10.5, r=1.3, colour=BLACK) + [(mouth, WHITE), (seg(7, 13.5, 17, 13.5, 1.0), BLACK)]


def angel():
    f = [(circle(C, 13.5, 9.6), YELLOW_EDGE), (circle(C, 13.5, 8.6), YELLOW)]
    halo = [(ellipse(C, 2.8, 7.0, 2.4), GOLD), (ellipse(C, 2.8, 5.0, 1.2), (0, 0, 0, 0))]
    eyes = [(arc(C - 3.4, 11.8, 1.8, 1.1, 200, 340), DARK), (arc(C + 3.4, 11.8, 1.8, 1.1, 200, 340), DARK)]
    return f + halo + eyes + [(arc(C, 14.0, 4.6, 1.4, 30, 150), DARK)]


def dont_tell():
    zip_ = [(seg(6.5, 16.0, 17.5, 16.0, 1.6), GREY)] + [(seg(x, 14.6, x, 17.4, 0.8), DARK) for x in (7.8, 9.8, 11.8, 13.8, 15.8)]
    return face() + dot_eyes() + zip_ + [(rrect(17.0, 14.8, 19.6, 17.2, 0.6), GREY)]


def baring_teeth():
    mouth = rrect(6.0, 13.5, 18.0, 19.0, 1.5)
    teeth = [(mouth, DARK), (rrect(6.8, 14.2, 17.2, 18.3, 1.0), WHITE), (seg(6.8, 16.25, 17.2, 16.25, 0.6), DARK)]
    teeth += [(seg(x, 14.2, x, 18.3, 0.6), DARK) for x in (9.2, 12.0, 14.8)]
    brows = [(seg(5.2, 5.8, 10.0, 7.6, 1.3), DARK), (seg(18.8, 5.8, 14.0, 7.6, 1.3), DARK)]
    return face() + brows + dot_eyes(y=9.8, r=1.3) + teeth


def nerd():
    glasses = [(ring(C - 4.3, 9.5, 3.0, 1.1), BLACK), (ring(C + 4.3, 9.5, 3.0, 1.1), BLACK), (seg(10.5, 9.3, 13.5, 9.3, 1.0), BLACK)]
    teeth = [(rect(10.2, 16.4, 13.8, 19.2), WHITE), (seg(12.0, 16.5, 12.0, 19.2, 0.5), GREY)]
    return face() + dot_eyes(y=9.5, r=1.0) + glasses + [(arc(C, 10.5, 6.0, 1.4, 40, 140), DARK)] + teeth


def sarcastic():
    brows = [(arc(C - 4.0, 7.6, 2.6, 1.1, 200, 340), DARK), (seg(13.8, 6.8, 18.0, 6.8, 1.1), DARK)]
    mouth = [(arc(C + 4.0, 11.0, 5.0, 1.4, 60, 150), DARK)]
    return face() + brows + dot_eyes(y=10.0) + mouth


def secret_telling():
    hand = union(ellipse(17.5, 16.0, 3.0, 4.2), seg(17.5, 12.0, 17.5, 10.0, 2.0))
    return face() + dot_eyes() + [(ellipse(12.8, 16.2, 1.3, 1.6), DARK)] + outlined(hand, SKIN, SKIN_EDGE, 0.8)


def sick():
    green = (150, 210, 90, 255)
    mouth = [(polyline([(7.0, 17.0), (9.0, 15.6), (11.0, 17.0), (13.0, 15.6), (15.0, 17.0), (17.0, 15.6)], 1.3), DARK_GREEN)]
    eyes = [(seg(6.4, 8.4, 10.2, 10.2, 1.2), DARK_GREEN), (seg(17.6, 8.4, 13.8, 10.2, 1.2), DARK_GREEN)]
    return face(green, DARK_GREEN) + eyes + mouth + [(ellipse(19.5, 6.5, 0.9, 1.4), LIGHT_BLUE)]


def dont_know():
    hands = outlined(union(ellipse(2.8, 15.8, 2.2, 2.8), ellipse(21.2, 15.8, 2.2, 2.8)), SKIN, SKIN_EDGE, 0.7)
    brows = [(arc(C - 3.8, 7.6, 2.2, 1.0, 210, 330), DARK), (arc(C + 3.8, 7.6, 2.2, 1.0, 210, 330), DARK)]
    return face() + brows + dot_eyes(y=10.0) + [(polyline([(8.0, 16.5), (12.0, 15.8), (16.0, 16.5)], 1.4), DARK)] + hands


def thinking():
    eyes = [(ellipse(C - 3.8, 9.0, 1.6, 2.0), WHITE), (ellipse(C + 3.8, 9.0, 1.6, 2.0), WHITE),
            (circle(C - 3.0, 7.9, 1.0), DARK), (circle(C + 4.6, 7.9, 1.0), DARK)]
    hand = outlined(ellipse(15.0, 19.8, 3.0, 2.0), SKIN, SKIN_EDGE, 0.7)
    return face() + eyes + [(seg(9.0, 15.8, 13.5, 15.0, 1.3), DARK)] + hand


def eye_rolling():
    eyes = [(ellipse(C - 3.8, 9.2, 2.0, 2.4), WHITE), (ellipse(C + 3.8, 9.2, 2.0, 2.4), WHITE),
            (circle(C - 3.8, 7.7, 1.1), DARK), (circle(C + 3.8, 7.7, 1.1), DARK),
            (ring(C - 3.8, 9.2, 2.2, 0.6), YELLOW_EDGE), (ring(C + 3.8, 9.2, 2.2, 0.6), YELLOW_EDGE)]
    return face() + eyes + [(seg(8.5, 16.5, 15.5, 16.5, 1.4), DARK)]


def sleepy():
    eyes = [(arc(C - 3.8, 8.8, 2.0, 1.1, 20, 160), DARK), (arc(C + 3.8, 8.8, 2.0, 1.1, 20, 160), DARK)]
    z = [(polyline([(16.5, 1.0), (20.5, 1.0), (16.5, 5.0), (20.5, 5.0)], 1.0), BLUE)]
    return face() + eyes + [(ellipse(C, 16.5, 1.8, 1.4), DARK)] + z


def party():
    hat = poly([(6.0, 6.0), (14.5, 4.2), (8.3, -1.0)])
    body = [(circle(C, 13.5, 9.6), YELLOW_EDGE), (circle(C, 13.5, 8.6), YELLOW)]
    blower = [(seg(C, 17.2, 20.5, 19.5, 1.6), RED), (circle(21.5, 18.8, 1.6), BLUE)]
    return body + dot_eyes(y=11.5) + [(arc(C, 13.5, 4.5, 1.3, 30, 150), DARK)] + outlined(hat, (60, 170, 230, 255), DARK, 0.7) + [
        (circle(8.3, -0.2, 1.4), RED), (seg(7.5, 3.5, 12.5, 3.0, 0.8), GOLD)] + blower


def bat():
    wing = poly([(12.0, 9.0), (5.0, 5.5), (0.5, 9.5), (3.0, 10.0), (3.5, 13.0), (6.5, 12.5), (8.0, 15.5), (12.0, 14.0),
                 (16.0, 15.5), (17.5, 12.5), (20.5, 13.0), (21.0, 10.0), (23.5, 9.5), (19.0, 5.5)])
    head = union(circle(C, 10.5, 3.2), poly([(9.3, 9.0), (9.8, 5.4), (11.2, 8.0)]), poly([(14.7, 9.0), (14.2, 5.4), (12.8, 8.0)]))
    return [(union(wing, head), (50, 40, 70, 255)), (circle(10.8, 10.0, 0.7), RED), (circle(13.2, 10.0, 0.7), RED),
            (poly([(11.0, 12.2), (11.6, 12.2), (11.3, 13.4)]), WHITE), (poly([(12.4, 12.2), (13.0, 12.2), (12.7, 13.4)]), WHITE)]


def brb():
    # A circular "coming back" arrow.
    loop = arc(12.0, 12.5, 7.0, 2.6, 200, 140)
    head = poly([(0.8, 11.0), (9.2, 11.0), (5.0, 16.5)])
    return [(grow(union(loop, head), 0.8), DARK_GREEN), (union(loop, head), GREEN)]


def thumb(up=True):
    fist = rrect(5.5, 10.0, 17.5, 21.5, 2.5)
    th = seg(9.0, 10.5, 10.5, 2.5, 4.0)
    fingers = [(seg(7.5, y, 15.0, y, 0.7), SKIN_EDGE) for y in (13.3, 16.2, 19.0)]
    sleeve = rect(17.5, 10.5, 21.5, 21.0)
    layers = outlined(union(fist, th), SKIN, SKIN_EDGE, 0.9) + fingers + outlined(sleeve, BLUE, (20, 60, 140, 255), 0.7)
    if up:
        return layers
    return [(flip(s), c) for s, c in layers]


def high_five():
    palm = rrect(6.0, 10.5, 17.0, 21.5, 3.5)
    fingers = union(seg(7.5, 12.0, 7.0, 4.5, 2.4), seg(10.3, 11.0, 10.3, 2.0, 2.4), seg(13.1, 11.0, 13.4, 2.5, 2.4),
                    seg(15.7, 12.0, 16.6, 5.0, 2.2), seg(16.5, 17.0, 21.0, 12.5, 2.6))
    return outlined(union(palm, fingers), SKIN, SKIN_EDGE, 0.9) + [(seg(3.0, 6.0, 1.0, 4.0, 0.8), ORANGE), (seg(3.0, 9.0, 0.5, 9.0, 0.8), ORANGE)]


def fingers_crossed():
    fist = rrect(6.0, 12.0, 17.0, 22.0, 2.5)
    index = seg(9.0, 13.0, 14.5, 2.5, 2.6)
    middle = seg(13.5, 13.0, 9.5, 3.0, 2.6)
    return outlined(fist, SKIN, SKIN_EDGE, 0.9) + outlined(index, SKIN, SKIN_EDGE, 0.8) + outlined(middle, SKIN, SKIN_EDGE, 0.8) + [
        (seg(8.0, 17.0, 15.5, 17.0, 0.7), SKIN_EDGE)]


def email():
    body = rect(2.0, 5.5, 22.0, 19.0)
    return outlined(body, WHITE, GREY, 1.0) + [(polyline([(2.2, 5.8), (12.0, 13.0), (21.8, 5.8)], 1.2), GREY),
                                               (polyline([(2.2, 18.8), (9.0, 11.5)], 0.9), LIGHT_GREY),
                                               (polyline([(21.8, 18.8), (15.0, 11.5)], 0.9), LIGHT_GREY)]


def note():
    heads = union(ellipse(6.5, 18.5, 3.0, 2.2), ellipse(17.0, 16.5, 3.0, 2.2))
    stems = union(seg(9.2, 18.0, 9.2, 5.0, 1.4), seg(19.7, 16.0, 19.7, 3.0, 1.4))
    beam = poly([(8.5, 5.5), (20.4, 2.5), (20.4, 5.5), (8.5, 8.5)])
    return [(union(heads, stems, beam), (40, 40, 120, 255))]


def filmstrip():
    strip = rect(1.0, 5.0, 23.0, 19.0)
    holes = [(rect(x, 6.2, x + 1.8, 7.8), WHITE) for x in (2.5, 6.5, 10.5, 14.5, 18.5)]
    holes += [(rect(x, 16.2, x + 1.8, 17.8), WHITE) for x in (2.5, 6.5, 10.5, 14.5, 18.5)]
    frames = [(rect(2.0, 9.0, 11.0, 15.0), LIGHT_BLUE), (rect(13.0, 9.0, 22.0, 15.0), LIGHT_BLUE)]
    return [(strip, BLACK)] + holes + frames


def camera():
    body = rrect(1.5, 7.0, 22.5, 20.0, 2.0)
    return outlined(rect(8.0, 4.0, 15.0, 8.0), GREY, BLACK, 0.8) + outlined(body, (70, 70, 80, 255), BLACK, 0.8) + [
        (circle(C, 13.5, 5.0), LIGHT_GREY), (circle(C, 13.5, 3.6), BLACK), (circle(C, 13.5, 2.2), (40, 70, 140, 255)),
        (circle(10.8, 12.3, 0.8), WHITE), (rect(18.0, 8.5, 20.5, 10.0), ORANGE)]


def light_bulb():
    glass = union(circle(C, 9.0, 7.0), poly([(7.0, 12.5), (17.0, 12.5), (15.0, 17.5), (9.0, 17.5)]))
    base = [(rrect(8.8, 17.0, 15.2, 22.5, 1.0), GREY), (seg(9.0, 19.0, 15.0, 19.0, 0.6), DARK), (seg(9.0, 21.0, 15.0, 21.0, 0.6), DARK)]
    return outlined(glass, (255, 240, 120, 255), YELLOW_EDGE, 0.9) + base + [(arc(C, 9.0, 4.2, 1.0, 200, 260), WHITE),
                                                                              (polyline([(9.5, 16.0), (10.5, 11.0), (12.0, 13.0), (13.5, 11.0), (14.5, 16.0)], 0.7), ORANGE)]


def clock():
    return outlined(circle(C, C, 10.0), WHITE, (40, 80, 160, 255), 1.4) + [
        (seg(C, C, C, 5.0, 1.4), BLACK), (seg(C, C, 17.0, 14.5, 1.4), BLACK), (circle(C, C, 1.1), RED)] + [
        (circle(C + 8.0 * math.cos(a), C + 8.0 * math.sin(a), 0.6), DARK) for a in [k * math.pi / 6 for k in range(12)]]


def telephone():
    base = poly([(3.0, 21.5), (21.0, 21.5), (18.5, 11.0), (5.5, 11.0)])
    handset = union(seg(5.0, 6.5, 19.0, 6.5, 3.4), rrect(2.0, 6.0, 7.0, 11.0, 1.3), rrect(17.0, 6.0, 22.0, 11.0, 1.3))
    dial = [(ring(C, 16.0, 2.8, 1.0), WHITE), (circle(C, 16.0, 0.9), WHITE)]
    return outlined(base, RED, DARK_RED, 0.8) + outlined(handset, RED, DARK_RED, 0.8) + dial


def money():
    layers = []
    for y in (19.0, 16.5, 14.0):
        layers += outlined(ellipse(9.0, y, 7.0, 2.6), GOLD, (150, 100, 0, 255), 0.8)
    layers += outlined(circle(16.0, 10.0, 6.5), GOLD, (150, 100, 0, 255), 0.8)
    dollar = union(arc(16.0, 8.6, 1.9, 1.1, 150, 360 + 10), arc(16.0, 11.4, 1.9, 1.1, -30, 190), seg(16.0, 5.0, 16.0, 15.0, 0.9))
    return layers + [(dollar, (130, 80, 0, 255))]


def cigarette():
    return [(rect(2.0, 15.0, 17.0, 19.0), WHITE), (rect(14.0, 15.0, 17.5, 19.0), ORANGE),
            (rect(17.5, 15.0, 21.5, 19.0), (255, 80, 30, 255)), (rect(20.8, 15.0, 21.8, 19.0), GREY),
            (polyline([(21.0, 13.0), (19.5, 10.0), (21.5, 7.0), (19.5, 3.5)], 1.1), LIGHT_GREY)] + [
        (seg(2.0, 15.0, 21.5, 15.0, 0.4), GREY), (seg(2.0, 19.0, 21.5, 19.0, 0.4), GREY)]


def heart():
    h = heart_shape(12.0, 11.5, 1.65)
    return outlined(h, RED, DARK_RED, 0.9) + [(ellipse(7.5, 8.0, 1.5, 1.0), (255, 140, 140, 255))]


def broken_heart():
    h = heart_shape(12.0, 11.5, 1.65)
    crack = polyline([(12.5, 4.5), (10.5, 9.0), (13.5, 12.0), (11.0, 16.0), (12.5, 22.0)], 1.4)
    return outlined(h, (170, 30, 50, 255), DARK_RED, 0.9) + [(crack, WHITE)]


def lips():
    upper = union(ellipse(8.4, 11.2, 6.0, 3.5), ellipse(15.6, 11.2, 6.0, 3.5))
    lower = ellipse(C, 13.5, 9.5, 4.8)
    shape = union(inter(upper, rect(0, 0, 24, 12.5)), inter(lower, rect(0, 12.5, 24, 24)))
    return outlined(shape, RED, DARK_RED, 0.8) + [(polyline([(3.0, 12.6), (8.0, 13.2), (12.0, 12.4), (16.0, 13.2), (21.0, 12.6)], 1.0), DARK_RED),
                                                  (ellipse(15.0, 15.5, 2.0, 0.9), (255, 120, 130, 255))]


def rose(wilted=False):
    stem = polyline([(12.0, 11.0), (12.0, 23.0)] if not wilted else [(15.0, 23.0), (13.5, 12.0), (9.0, 7.5)], 1.6)
    leaf = ellipse(15.5, 17.5, 3.0, 1.5) if not wilted else ellipse(10.5, 17.0, 2.8, 1.3)
    flower = union(circle(12.0, 7.5, 5.5)) if not wilted else union(circle(6.5, 12.0, 4.5))
    petal = (200, 20, 40, 255) if not wilted else (120, 50, 60, 255)
    cx, cy = (12.0, 7.5) if not wilted else (6.5, 12.0)
    spiral = [(arc(cx, cy, 2.8, 1.0, 120, 380), DARK_RED), (arc(cx + 0.5, cy - 0.3, 1.2, 0.9, 250, 500), DARK_RED)]
    green = GREEN if not wilted else (110, 120, 50, 255)
    return [(stem, green), (leaf, green)] + outlined(flower, petal, DARK_RED, 0.8) + spiral


def gift():
    box = rect(3.0, 10.0, 21.0, 22.0)
    lid = rect(2.0, 7.0, 22.0, 11.0)
    bow = union(ellipse(8.5, 4.8, 3.5, 2.2), ellipse(15.5, 4.8, 3.5, 2.2))
    return outlined(box, (60, 140, 230, 255), (20, 60, 140, 255), 0.8) + outlined(lid, (80, 160, 245, 255), (20, 60, 140, 255), 0.8) + [
        (rect(10.5, 7.0, 13.5, 22.0), GOLD), (bow, GOLD), (circle(C, 5.5, 1.5), (200, 140, 0, 255))]


def cake():
    layers = outlined(rect(3.0, 12.0, 21.0, 21.5), (250, 220, 190, 255), BROWN, 0.8)
    layers += [(rect(3.0, 12.0, 21.0, 14.5), PINK), (union(*[circle(x, 14.3, 1.2) for x in (4.5, 8.0, 11.5, 15.0, 18.5)]), PINK),
               (rect(3.0, 17.5, 21.0, 18.5), (180, 110, 60, 255)), (rect(11.0, 5.5, 13.0, 12.0), BLUE),
               (ellipse(C, 3.5, 1.2, 2.2), ORANGE), (ellipse(C, 4.0, 0.6, 1.0), (255, 240, 120, 255)),
               (seg(1.5, 21.8, 22.5, 21.8, 1.0), GREY)]
    return layers


def beer():
    mug = rect(4.0, 7.0, 16.0, 22.0)
    handle = ring(17.0, 14.0, 3.5, 2.0)
    foam = union(circle(5.5, 6.5, 2.3), circle(9.0, 5.5, 2.6), circle(12.5, 6.0, 2.4), circle(15.0, 7.0, 2.0), rect(4.0, 6.0, 16.0, 9.0))
    return [(diff(handle, rect(4, 0, 16.0, 24)), (200, 200, 210, 255))] + outlined(mug, (240, 170, 30, 255), (150, 90, 0, 255), 0.8) + [
        (foam, WHITE), (rect(6.0, 11.0, 7.2, 20.0), (255, 210, 110, 255))]


def martini():
    glass = poly([(3.0, 4.0), (21.0, 4.0), (12.0, 13.0)])
    drink = poly([(5.0, 6.0), (19.0, 6.0), (12.0, 13.0)])
    return [(grow(glass, 0.8), GREY), (glass, (235, 245, 255, 255)), (drink, (200, 230, 240, 255)),
            (seg(12.0, 12.0, 12.0, 20.0, 1.2), GREY), (ellipse(12.0, 20.5, 5.0, 1.3), GREY),
            (seg(8.0, 2.0, 14.0, 9.0, 0.6), BROWN), (circle(13.0, 8.0, 1.8), (120, 160, 40, 255)), (circle(13.3, 7.7, 0.7), RED)]


def coffee():
    cup = union(rrect(4.0, 10.0, 17.0, 20.0, 3.0), rect(4.0, 10.0, 17.0, 14.0))
    handle = diff(ring(17.5, 14.5, 2.8, 1.6), rect(0, 0, 17.0, 24))
    steam = [(polyline([(x, 8.5), (x - 1.2, 6.0), (x, 3.5), (x - 1.2, 1.0)], 0.9), LIGHT_GREY) for x in (8.5, 12.5)]
    return steam + [(ellipse(C, 21.0, 10.0, 2.0), LIGHT_GREY), (handle, WHITE)] + outlined(cup, WHITE, GREY, 0.8) + [
        (ellipse(10.5, 10.6, 6.0, 1.2), BROWN)]


def pizza():
    slice_ = poly([(3.0, 4.0), (21.0, 6.0), (8.0, 22.0)])
    crust = polyline([(3.0, 4.0), (21.0, 6.0)], 2.8)
    return [(grow(slice_, 0.7), (200, 120, 30, 255)), (slice_, (255, 210, 90, 255)), (crust, (210, 140, 60, 255))] + [
        (circle(x, y, 1.7), (200, 50, 40, 255)) for x, y in ((8.0, 8.5), (14.0, 9.5), (9.0, 14.5))] + [
        (circle(x, y, 0.7), DARK_GREEN) for x, y in ((11.5, 12.0), (16.0, 8.0), (7.0, 11.0))]


def plate():
    return [(ellipse(C, 14.0, 8.0, 7.5), GREY), (ellipse(C, 14.0, 7.3, 6.8), WHITE), (ellipse(C, 14.0, 4.8, 4.4), LIGHT_GREY),
            (ellipse(C, 14.0, 4.2, 3.8), WHITE),
            (seg(1.8, 7.0, 1.8, 22.0, 1.0), GREY), (union(*[seg(x, 3.0, x, 8.0, 0.5) for x in (0.9, 1.8, 2.7)]), GREY),
            (seg(22.2, 11.0, 22.2, 22.0, 1.0), GREY), (ellipse(22.2, 7.0, 1.2, 4.0), GREY)]


def bowl():
    b = inter(ellipse(C, 11.0, 10.0, 9.0), rect(0, 11.0, 24, 24))
    return [(ellipse(C, 11.0, 10.0, 2.2), (200, 120, 50, 255))] + outlined(b, (240, 100, 60, 255), DARK_RED, 0.8) + [
        (seg(3.0, 14.0, 21.0, 14.0, 1.0), WHITE), (seg(8.0, 3.0, 15.0, 11.0, 1.0), BROWN), (seg(10.0, 2.5, 16.5, 10.0, 1.0), BROWN)]


def person(shirt, hair, long_hair=False):
    layers = []
    if long_hair:
        layers.append((rrect(5.0, 4.0, 19.0, 17.0, 5.0), hair))
    layers += outlined(inter(ellipse(C, 23.0, 9.0, 6.5), rect(0, 0, 24, 24)), shirt, DARK, 0.7)
    layers += outlined(ellipse(C, 9.5, 5.5, 6.0), SKIN, SKIN_EDGE, 0.7)
    fringe = inter(ellipse(C, 8.0, 6.3, 5.8), rect(0, 0, 24, 6.8))
    layers += [(fringe, hair), (circle(C - 2.2, 10.0, 0.8), DARK), (circle(C + 2.2, 10.0, 0.8), DARK),
               (arc(C, 10.8, 2.5, 0.8, 40, 140), DARK)]
    return layers


def boy():
    return person(BLUE, BROWN)


def girl():
    return person(PINK, (230, 170, 40, 255), long_hair=True) + [(circle(17.0, 5.0, 1.5), RED)]


def hug_left():
    # Both arms reach out to the left, towards whoever is hugged.
    body = outlined(inter(ellipse(15.0, 23.0, 6.5, 6.5), rect(0, 0, 24, 24)), (60, 150, 90, 255), DARK, 0.7)
    head = outlined(circle(15.5, 9.5, 5.0), SKIN, SKIN_EDGE, 0.7)
    arms = [polyline([(12.0, 17.0), (6.0, 16.5), (1.5, 12.0)], 2.2), polyline([(13.0, 20.0), (6.0, 21.0), (1.5, 17.5)], 2.2)]
    face_ = [(circle(13.0, 9.0, 0.8), DARK), (circle(16.6, 9.0, 0.8), DARK), (arc(14.5, 10.0, 2.3, 0.8, 30, 150), DARK)]
    hands = [(circle(1.8, 11.8, 1.6), SKIN), (circle(1.8, 17.3, 1.6), SKIN)]
    return body + head + face_ + [(grow(a, 0.6), SKIN_EDGE) for a in arms] + [(a, SKIN) for a in arms] + hands


def hug_right():
    return [(mirror(s), c) for s, c in hug_left()]


def messenger():
    def buddy(cx, colour, edge):
        return outlined(union(circle(cx, 7.5, 4.0), inter(ellipse(cx, 21.0, 7.0, 8.0), rect(0, 0, 24, 21.5))), colour, edge, 0.8)

    return buddy(8.0, (60, 180, 70, 255), (20, 100, 30, 255)) + buddy(15.5, (60, 140, 235, 255), (20, 60, 150, 255))


def cat():
    grey = (240, 160, 80, 255)
    head = union(ellipse(C, 13.5, 9.5, 8.0), poly([(3.5, 10.0), (4.5, 1.5), (10.0, 7.0)]), poly([(20.5, 10.0), (19.5, 1.5), (14.0, 7.0)]))
    whiskers = [(seg(x0, y0, x1, y1, 0.6), DARK) for x0, y0, x1, y1 in
                ((1.0, 14.0, 8.0, 15.0), (1.5, 17.5, 8.0, 16.0), (23.0, 14.0, 16.0, 15.0), (22.5, 17.5, 16.0, 16.0))]
    eyes = [(ellipse(8.5, 12.0, 1.6, 2.0), (120, 200, 60, 255)), (ellipse(15.5, 12.0, 1.6, 2.0), (120, 200, 60, 255)),
            (ellipse(8.5, 12.0, 0.5, 1.6), BLACK), (ellipse(15.5, 12.0, 0.5, 1.6), BLACK)]
    return outlined(head, grey, BROWN, 0.8) + [(poly([(5.0, 8.0), (5.4, 3.5), (8.5, 6.8)]), PINK), (poly([(19.0, 8.0), (18.6, 3.5), (15.5, 6.8)]), PINK)] + eyes + [
        (poly([(10.8, 15.2), (13.2, 15.2), (12.0, 16.6)]), PINK)] + whiskers + [(arc(10.8, 16.8, 1.2, 0.6, 20, 160), DARK), (arc(13.2, 16.8, 1.2, 0.6, 20, 160), DARK)]


def dog():
    tan = (205, 150, 90, 255)
    ears = [(ellipse(4.5, 11.0, 3.0, 6.5), BROWN), (ellipse(19.5, 11.0, 3.0, 6.5), BROWN)]
    return outlined(ellipse(C, 12.5, 8.0, 9.0), tan, BROWN, 0.8) + ears + [
        (ellipse(C, 17.5, 4.5, 3.5), (240, 220, 190, 255)), (ellipse(C, 15.5, 2.2, 1.5), BLACK),
        (circle(9.0, 10.5, 1.3), BLACK), (circle(15.0, 10.5, 1.3), BLACK), (circle(9.4, 10.1, 0.4), WHITE), (circle(15.4, 10.1, 0.4), WHITE),
        (seg(C, 16.5, C, 18.5, 0.6), DARK), (ellipse(C, 20.8, 1.3, 1.6), (240, 90, 110, 255))]


def sheep():
    wool = union(*[circle(x, y, 3.3) for x, y in ((6.0, 10.0), (10.5, 8.0), (15.5, 8.5), (19.0, 11.0), (7.0, 15.0), (12.5, 15.5), (17.5, 15.0))])
    legs = [(seg(x, 16.0, x, 22.5, 1.4), BLACK) for x in (7.5, 11.0, 14.5, 18.0)]
    return legs + outlined(wool, WHITE, GREY, 0.8) + [(ellipse(3.8, 12.0, 2.8, 3.6), (50, 50, 50, 255)), (circle(3.0, 11.0, 0.6), WHITE),
                                                      (ellipse(6.0, 9.2, 1.8, 0.9), (50, 50, 50, 255))]


def goat():
    horns = [(arc(7.0, 5.0, 3.5, 1.5, 180, 330), (150, 130, 100, 255)), (arc(17.0, 5.0, 3.5, 1.5, 210, 360), (150, 130, 100, 255))]
    head = union(ellipse(C, 11.0, 5.5, 6.5), ellipse(C, 15.5, 4.0, 4.0))
    beard = poly([(10.0, 18.0), (14.0, 18.0), (12.0, 23.5)])
    ears = [(ellipse(4.5, 9.0, 3.0, 1.3), (200, 190, 170, 255)), (ellipse(19.5, 9.0, 3.0, 1.3), (200, 190, 170, 255))]
    return horns + ears + [(beard, (220, 215, 200, 255))] + outlined(head, (235, 230, 215, 255), (130, 120, 100, 255), 0.8) + [
        (ellipse(9.5, 10.0, 1.2, 0.8), (200, 160, 40, 255)), (ellipse(14.5, 10.0, 1.2, 0.8), (200, 160, 40, 255)),
        (seg(9.0, 10.0, 10.0, 10.0, 0.5), BLACK), (seg(14.0, 10.0, 15.0, 10.0, 0.5), BLACK),
        (ellipse(10.8, 16.0, 0.6, 0.4), DARK), (ellipse(13.2, 16.0, 0.6, 0.4), DARK)]


def snail():
    body = union(rrect(2.0, 17.0, 22.0, 21.0, 2.0), seg(19.5, 18.0, 21.0, 10.0, 2.4))
    shell = circle(11.0, 12.0, 6.5)
    spiral = [(arc(11.0, 12.0, 4.5, 1.1, 0, 270), BROWN), (arc(10.5, 12.5, 2.4, 1.0, 270, 540), BROWN)]
    return outlined(body, (200, 200, 140, 255), (120, 120, 60, 255), 0.7) + [
        (seg(20.0, 10.5, 19.0, 6.0, 0.6), DARK), (seg(21.2, 10.5, 22.5, 6.5, 0.6), DARK), (circle(19.0, 6.0, 0.9), DARK), (circle(22.5, 6.5, 0.9), DARK)] + outlined(
        shell, (210, 140, 60, 255), BROWN, 0.8) + spiral


def turtle():
    shell = inter(ellipse(11.0, 15.0, 9.0, 8.0), rect(0, 0, 24, 16.0))
    legs = [(ellipse(x, 17.0, 1.8, 2.3), (120, 190, 80, 255)) for x in (5.0, 16.5)]
    return legs + outlined(circle(20.5, 12.0, 3.0), (120, 190, 80, 255), DARK_GREEN, 0.7) + outlined(shell, (60, 140, 60, 255), DARK_GREEN, 0.8) + [
        (circle(21.5, 11.2, 0.7), BLACK), (seg(2.0, 15.8, 20.0, 15.8, 1.3), (90, 70, 30, 255)),
        (star_shape(11.0, 11.5, 3.5, 2.8, 6, 0), (100, 180, 90, 255))]


def rabbit():
    ears = union(ellipse(8.5, 6.0, 2.5, 6.0), ellipse(15.5, 6.0, 2.5, 6.0))
    head = ellipse(C, 15.5, 7.5, 6.5)
    return outlined(ears, WHITE, GREY, 0.8) + [(ellipse(8.5, 6.5, 1.1, 4.2), PINK), (ellipse(15.5, 6.5, 1.1, 4.2), PINK)] + outlined(head, WHITE, GREY, 0.8) + [
        (circle(9.3, 14.0, 1.0), DARK), (circle(14.7, 14.0, 1.0), DARK), (ellipse(C, 17.0, 1.2, 0.8), PINK),
        (rect(11.0, 18.5, 12.9, 20.5), WHITE), (seg(11.0, 18.5, 13.0, 18.5, 0.5), GREY)]


def moon():
    crescent = diff(circle(11.0, 12.0, 9.5), circle(16.5, 9.0, 8.0))
    return outlined(crescent, (255, 230, 110, 255), (190, 150, 0, 255), 0.8) + [
        (arc(6.2, 12.0, 1.3, 0.7, 20, 160), DARK), (polyline([(17.5, 17.0), (20.5, 17.0), (17.5, 20.0), (20.5, 20.0)], 0.8), BLUE)]


def star():
    return outlined(star_shape(C, 12.8, 11.0, 4.6), (255, 215, 40, 255), (190, 130, 0, 255), 0.9)


def sun():
    rays = [(seg(C + 7.0 * math.cos(a), C + 7.0 * math.sin(a), C + 11.3 * math.cos(a), C + 11.3 * math.sin(a), 1.6), ORANGE)
            for a in [k * math.pi / 4 for k in range(8)]]
    return rays + outlined(circle(C, C, 6.3), (255, 215, 40, 255), ORANGE, 0.8)


def rainbow():
    colours = [RED, ORANGE, (250, 220, 40, 255), GREEN, BLUE, PURPLE]
    return [(arc(C, 19.0, 10.5 - 1.6 * i, 1.7, 180, 360), c) for i, c in enumerate(colours)]


def cloud_shape(dy=0.0):
    return union(circle(7.0, 11.0 + dy, 4.0), circle(12.0, 8.5 + dy, 5.0), circle(17.0, 11.0 + dy, 4.0), rrect(3.0, 10.0 + dy, 21.0, 15.0 + dy, 2.5))


def rain_cloud():
    drops = [(seg(x, y, x - 1.0, y + 3.0, 1.1), BLUE) for x, y in ((7.0, 17.0), (12.0, 18.5), (17.0, 17.0))]
    return drops + outlined(cloud_shape(), (190, 195, 210, 255), (110, 115, 130, 255), 0.8)


def lightning():
    bolt = poly([(13.5, 1.0), (5.0, 13.0), (11.0, 13.0), (8.0, 23.0), (19.0, 9.5), (12.5, 9.5), (16.5, 1.0)])
    return outlined(bolt, (255, 230, 40, 255), (200, 120, 0, 255), 0.8)


def umbrella():
    canopy = inter(circle(C, 11.0, 10.0), rect(0, 0, 24, 11.0))
    scallops = union(circle(5.0, 11.0, 2.6), circle(10.0, 11.0, 2.6), circle(15.0, 11.0, 2.6), circle(20.0, 11.0, 2.6))
    return [(seg(C, 2.0, C, 19.5, 1.2), DARK), (arc(14.0, 19.5, 2.0, 1.2, 0, 180), DARK)] + outlined(
        diff(canopy, scallops), PURPLE, (80, 30, 120, 255), 0.8) + [(seg(C, 1.0, C, 3.0, 1.2), DARK)]


def island():
    return [(rect(0, 16.0, 24, 24), (70, 150, 230, 255)), (ellipse(C, 17.5, 9.0, 3.5), (240, 210, 130, 255)),
            (polyline([(11.0, 17.0), (12.5, 11.0), (12.0, 6.0)], 1.4), BROWN)] + [
        (ellipse(12.0 + 4.2 * math.cos(a), 6.0 + 2.5 * math.sin(a), 4.0, 1.5), (50, 160, 50, 255)) for a in (math.pi, 0.0, -2.3, -0.8)] + [
        (seg(2.0, 20.5, 5.0, 20.5, 0.6), WHITE), (seg(18.0, 21.5, 21.5, 21.5, 0.6), WHITE)]


def airplane():
    body = union(seg(3.0, 12.0, 21.0, 12.0, 3.0), poly([(9.0, 12.0), (15.5, 12.0), (10.5, 3.0), (8.5, 3.0)]),
                 poly([(9.0, 12.0), (15.5, 12.0), (10.5, 21.0), (8.5, 21.0)]), poly([(3.0, 12.0), (6.0, 12.0), (3.5, 7.0), (2.0, 7.0)]))
    return outlined(body, (235, 235, 245, 255), (80, 90, 110, 255), 0.8) + [(seg(16.5, 11.3, 19.5, 11.3, 0.8), LIGHT_BLUE)]


def car():
    body = union(rrect(1.5, 11.0, 22.5, 18.0, 2.0), poly([(5.5, 11.5), (8.0, 6.0), (16.0, 6.0), (19.0, 11.5)]))
    return outlined(body, RED, DARK_RED, 0.8) + [(poly([(7.3, 11.0), (8.8, 7.3), (11.5, 7.3), (11.5, 11.0)]), LIGHT_BLUE),
                                                (poly([(12.8, 11.0), (12.8, 7.3), (15.4, 7.3), (17.4, 11.0)]), LIGHT_BLUE),
                                                (circle(6.5, 18.0, 2.8), BLACK), (circle(17.5, 18.0, 2.8), BLACK),
                                                (circle(6.5, 18.0, 1.2), GREY), (circle(17.5, 18.0, 1.2), GREY), (rect(20.5, 12.5, 22.3, 14.0), (255, 240, 120, 255))]


def soccer_ball():
    patches = [(star_shape(C, C, 3.3, 3.3 * 0.81, 5, -90), BLACK)]
    for k in range(5):
        a = math.radians(-90 + 36 + 72 * k)
        patches.append((circle(C + 9.3 * math.cos(a), C + 9.3 * math.sin(a), 2.6), BLACK))
        patches.append((seg(C + 3.0 * math.cos(a), C + 3.0 * math.sin(a), C + 8.0 * math.cos(a), C + 8.0 * math.sin(a), 0.7), BLACK))
    return outlined(FACE, WHITE, BLACK, 0.9) + [(inter(FACE, s), c) for s, c in patches]


def computer():
    return outlined(rect(2.5, 2.5, 21.5, 16.0), LIGHT_GREY, (80, 80, 90, 255), 0.8) + [
        (rect(4.2, 4.2, 19.8, 14.2), (40, 90, 180, 255)), (rect(4.2, 4.2, 19.8, 6.0), (90, 150, 230, 255)),
        (rect(10.0, 16.0, 14.0, 19.5), GREY)] + outlined(rect(5.5, 19.5, 18.5, 21.5), LIGHT_GREY, (80, 80, 90, 255), 0.6)


def mobile_phone():
    return outlined(rrect(7.0, 1.5, 17.0, 22.5, 2.0), (60, 60, 75, 255), BLACK, 0.8) + [
        (rect(8.5, 4.0, 15.5, 11.0), (140, 200, 160, 255))] + [
        (circle(9.6 + 2.4 * c, 13.8 + 2.3 * r, 0.75), LIGHT_GREY) for r in range(3) for c in range(3)] + [(seg(10.5, 2.7, 13.5, 2.7, 0.5), GREY)]


def xbox():
    x = union(seg(6.0, 6.0, 18.0, 18.0, 3.2), seg(18.0, 6.0, 6.0, 18.0, 3.2))
    return outlined(FACE, (235, 245, 235, 255), (60, 60, 60, 255), 0.9) + [(grow(x, 0.7), WHITE), (x, (20, 150, 20, 255))]


def handcuffs():
    return [(ring(7.5, 14.0, 5.0, 2.0), GREY), (ring(16.5, 14.0, 5.0, 2.0), GREY), (arc(C, 8.0, 3.0, 1.2, 180, 360), (110, 110, 120, 255)),
            (rect(5.5, 8.0, 9.5, 10.0), (110, 110, 120, 255)), (rect(14.5, 8.0, 18.5, 10.0), (110, 110, 120, 255))]


# --- the theme: §11.8's table. (file stem, shortcuts as MSN writes them, hidden, drawing) ---

SMILEYS = [
    ("smile", [":)", ":-)"], False, smile),
    ("grin", [":D", ":-D", ":>", ":->"], False, grin),
    ("wink", [";)", ";-)"], False, wink),
    ("surprised", [":O", ":-O"], False, surprised),
    ("tongue", [":P", ":-P"], False, tongue),
    ("hot", ["(H)"], False, hot),
    ("angry", [":@", ":-@"], False, angry),
    ("embarrassed", [":$", ":-$"], False, embarrassed),
    ("confused", [":S", ":-S"], False, confused),
    ("sad", [":(", ":-(", ":<"], False, sad),
    ("crying", [":'("], False, crying),
    ("disappointed", [":|", ":-|"], False, disappointed),
    ("devil", ["(6)"], False, devil),
    ("angel", ["(A)"], False, angel),
    ("dont-tell", [":-#"], False, dont_tell),
    ("baring-teeth", ["8o|"], False, baring_teeth),
    ("nerd", ["8-|", "8|"], False, nerd),
    ("sarcastic", ["^o)"], False, sarcastic),
    ("secret", [":-*"], False, secret_telling),
    ("sick", ["+o("], False, sick),
    ("dont-know", [":^)"], False, dont_know),
    ("thinking", ["*-)"], False, thinking),
    ("eye-rolling", ["8-)"], False, eye_rolling),
    ("sleepy", ["|-)", "|)"], False, sleepy),
    ("party", ["<:o)"], False, party),
    ("bat", [":-[", ":["], False, bat),
    ("brb", ["(brb)"], False, brb),
    ("thumbs-up", ["(Y)"], False, lambda: thumb(True)),
    ("thumbs-down", ["(N)"], False, lambda: thumb(False)),
    ("high-five", ["(h5)"], False, high_five),
    ("fingers-crossed", ["(yn)"], True, fingers_crossed),
    ("email", ["(E)"], False, email),
    ("note", ["(8)"], False, note),
    ("film", ["(~)"], False, filmstrip),
    ("camera", ["(P)"], False, camera),
    ("light-bulb", ["(I)"], False, light_bulb),
    ("clock", ["(O)"], False, clock),
    ("telephone", ["(T)"], False, telephone),
    ("money", ["(mo)"], False, money),
    ("cigarette", ["(ci)"], True, cigarette),
    ("heart", ["(L)"], False, heart),
    ("broken-heart", ["(U)"], False, broken_heart),
    ("lips", ["(K)"], False, lips),
    ("rose", ["(F)"], False, lambda: rose(False)),
    ("wilted-rose", ["(W)"], False, lambda: rose(True)),
    ("gift", ["(G)"], False, gift),
    ("cake", ["(^)"], False, cake),
    ("beer", ["(B)"], False, beer),
    ("martini", ["(D)"], False, martini),
    ("coffee", ["(C)"], False, coffee),
    ("pizza", ["(pi)"], False, pizza),
    ("plate", ["(pl)"], False, plate),
    ("bowl", ["(||)"], False, bowl),
    ("boy", ["(Z)"], False, boy),
    ("girl", ["(X)"], False, girl),
    ("hug-left", ["({)"], False, hug_left),
    ("hug-right", ["(})"], False, hug_right),
    ("messenger", ["(M)"], False, messenger),
    ("cat", ["(@)"], False, cat),
    ("dog", ["(&)"], False, dog),
    ("sheep", ["(bah)"], False, sheep),
    ("goat", ["(nah)"], False, goat),
    ("snail", ["(sn)"], False, snail),
    ("turtle", ["(tu)"], False, turtle),
    ("rabbit", ["('.')"], False, rabbit),
    ("moon", ["(S)"], False, moon),
    ("star", ["(*)"], False, star),
    ("sun", ["(#)"], False, sun),
    ("rainbow", ["(R)"], False, rainbow),
    ("rain", ["(st)"], False, rain_cloud),
    ("lightning", ["(li)"], False, lightning),
    ("umbrella", ["(um)"], False, umbrella),
    ("island", ["(ip)"], False, island),
    ("airplane", ["(ap)"], False, airplane),
    ("car", ["(au)"], False, car),
    ("soccer", ["(so)"], False, soccer_ball),
    ("computer", ["(co)"], False, computer),
    ("mobile", ["(mp)"], False, mobile_phone),
    ("xbox", ["(xx)"], True, xbox),
    ("handcuffs", ["(%)"], True, handcuffs),
]


def case_variants(shortcut):
    """Every upper/lower-case spelling: MSN matches letters case-insensitively, GtkIMHtml exactly."""
    variants = [""]
    for ch in shortcut:
        options = {ch.lower(), ch.upper()} if ch.isalpha() else {ch}
        variants = [v + o for v in variants for o in sorted(options)]
    return variants


def escape(shortcut):
    # Pidgin's theme reader splits on white space and takes a backslash as "next byte literally".
    return shortcut.replace("\\", "\\\\")


def is_common(shortcut):
    """A shortcut other networks' users type too: no MSN-style word in parentheses like (H)."""
    return not (shortcut.startswith("(") and shortcut.endswith(")") and len(shortcut) > 2)


def section_lines(common_only):
    lines = []
    seen = set()
    for stem, shortcuts, hidden, _ in SMILEYS:
        if common_only and hidden:
            continue
        spellings = []
        for s in shortcuts:
            if common_only and not is_common(s):
                continue
            for v in case_variants(s):
                if v not in seen:
                    seen.add(v)
                    spellings.append(escape(v))
        if spellings:
            lines.append(("! " if hidden else "") + f"{stem}.png\t" + " ".join(spellings))
    return lines


def theme_text():
    lines = [
        "Name=MSN",
        "Description=MSN Messenger's standard emoticons, drawn by purple-msnp",
        "Icon=smile.png",
        "Author=purple-msnp contributors",
        "",
        "# Generated by data/smileys/generate.py; a leading '!' hides an entry from the picker.",
        "[MSN]",
    ]
    lines += section_lines(common_only=False)
    # Pidgin uses [default] for every protocol without a section of its own: the faces typed
    # everywhere, with the same pictures, so the theme is not empty outside MSN.
    lines += ["", "[default]"]
    lines += section_lines(common_only=True)
    return "\n".join(lines) + "\n"


# --- rendering and PNG ---


def render(layers, size=SIZE):
    """Rows of RGBA pixels; each pixel averages SUB x SUB samples of the top-most covering layer."""
    rows = []
    top_down = list(reversed(layers))
    step = 1.0 / SUB
    offsets = [(i + 0.5) * step for i in range(SUB)]
    for py in range(size):
        row = bytearray()
        for px in range(size):
            r = g = b = a = 0
            for oy in offsets:
                y = py + oy
                for ox in offsets:
                    x = px + ox
                    for shape, colour in top_down:
                        if shape(x, y):
                            alpha = colour[3]
                            r += colour[0] * alpha
                            g += colour[1] * alpha
                            b += colour[2] * alpha
                            a += alpha
                            break
            n = SUB * SUB
            if a == 0:
                row += bytes(4)
            else:
                row += bytes((round(r / a), round(g / a), round(b / a), round(a / n)))
        rows.append(bytes(row))
    return rows


def png_bytes(rows, width, height):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + row for row in rows)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def contact_sheet(path, scale=3, columns=10):
    cell = SIZE * scale + 8
    count = len(SMILEYS)
    rows_n = (count + columns - 1) // columns
    width, height = columns * cell, rows_n * cell
    canvas = [bytearray(b"\xf0\xf0\xf0\xff" * width) for _ in range(height)]
    for index, (_, _, _, draw) in enumerate(SMILEYS):
        pixels = render(draw())
        ox, oy = (index % columns) * cell + 4, (index // columns) * cell + 4
        for y in range(SIZE * scale):
            src = pixels[y // scale]
            for x in range(SIZE * scale):
                p = src[(x // scale) * 4:(x // scale) * 4 + 4]
                alpha = p[3] / 255
                dst = canvas[oy + y]
                i = (ox + x) * 4
                for c in range(3):
                    dst[i + c] = round(p[c] * alpha + dst[i + c] * (1 - alpha))
    with open(path, "wb") as f:
        f.write(png_bytes([bytes(r) for r in canvas], width, height))


def output_names():
    return ["theme"] + [f"{stem}.png" for stem, _, _, _ in SMILEYS]


def main(argv):
    if len(argv) == 2 and argv[1] == "--list":
        print("\n".join(output_names()))
        return 0
    if len(argv) == 3 and argv[1] == "--sheet":
        contact_sheet(argv[2])
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    with open(f"{out}/theme", "w", encoding="utf-8") as f:
        f.write(theme_text())
    for stem, _, _, draw in SMILEYS:
        with open(f"{out}/{stem}.png", "wb") as f:
            f.write(png_bytes(render(draw()), SIZE, SIZE))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
