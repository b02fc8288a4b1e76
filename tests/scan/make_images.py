"""Make the "photographed pages" the document-scan tests use, with their true corners.

Each image is an A4 page of text-like lines, placed by a pinhole camera looking at a tilted,
turned page on a desk, then given what a real camera adds: uneven light, a soft shadow, mild
blur, sensor noise and JPEG compression. The true corners (top-left, top-right, bottom-right,
bottom-left) go to truth.json. Run once and commit the output:

    .venv/bin/python tests/scan/make_images.py
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import numpy as np

OUT = Path(__file__).parent / "images"
PAGE_W, PAGE_H = 1000, 1414  # A4 in page pixels


@dataclass(frozen=True)
class Shot:
    name: str
    size: tuple[int, int]
    desk: str
    #: Page centre in the frame (fractions), its height as a share of the frame height.
    centre: tuple[float, float]
    page_share: float
    #: Turn in the page plane, tilt towards/away from the camera, and sideways (degrees).
    turn: float
    tilt: float
    side: float
    light: float  # 0 = even light, 1 = strong fall-off


SHOTS = (
    Shot("grey_desk_straight", (1280, 720), "grey", (0.5, 0.5), 0.85, 4, 12, 0, 0.3),
    Shot("wood_desk_turned", (1280, 720), "wood", (0.48, 0.52), 0.75, -17, 22, 8, 0.5),
    Shot("dark_desk_small_page", (1920, 1080), "dark", (0.35, 0.45), 0.42, 12, 10, -6, 0.4),
    Shot("light_desk_landscape", (1920, 1080), "light", (0.52, 0.5), 0.62, 97, 18, 0, 0.7),
    Shot("cloth_desk_side_view", (1280, 720), "cloth", (0.55, 0.5), 0.78, -5, 8, -24, 0.5),
)


def page(rng: np.random.Generator) -> Any:
    """A white A4 page with a heading and paragraphs of word-like dark strokes."""
    img = np.full((PAGE_H, PAGE_W, 3), 242, dtype=np.uint8)
    letters = "abcdefghijklmnopqrstuvwxyz"
    y = 130
    cv2.putText(img, "Application form", (90, y), cv2.FONT_HERSHEY_DUPLEX, 1.8, (30, 30, 30), 3)
    y += 80
    while y < PAGE_H - 110:
        if rng.random() < 0.12:
            y += 40  # a paragraph break
            continue
        x = 90
        end = PAGE_W - 90 - (rng.integers(0, 300) if rng.random() < 0.2 else 0)
        while x < end - 60:
            word = "".join(rng.choice(list(letters), size=int(rng.integers(2, 9))))
            (w, _), _ = cv2.getTextSize(word, cv2.FONT_HERSHEY_SIMPLEX, 0.9, 2)
            if x + w > end:
                break
            cv2.putText(img, word, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (40, 40, 50), 2)
            x += w + 18
        y += 38
    return img


def smooth_noise(rng: np.random.Generator, size: tuple[int, int], cells: int) -> Any:
    w, h = size
    small = rng.random((max(2, cells * h // w), cells)).astype(np.float32)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def desk(kind: str, size: tuple[int, int], rng: np.random.Generator) -> Any:
    w, h = size
    fine = rng.normal(0, 1, (h, w)).astype(np.float32)
    blotches = smooth_noise(rng, size, 12)
    if kind == "wood":
        yy = np.mgrid[0:h, 0:w][0].astype(np.float32)
        grain = np.sin((yy + 40 * smooth_noise(rng, size, 6)) / 7.0) * 0.5 + 0.5
        base = 0.6 + 0.25 * grain + 0.15 * blotches
        colour = np.array([60, 105, 150], np.float32)  # BGR brown
    elif kind == "dark":
        base = 0.8 + 0.2 * blotches
        colour = np.array([55, 50, 48], np.float32)
    elif kind == "light":
        base = 0.9 + 0.1 * blotches
        colour = np.array([175, 178, 180], np.float32)  # pale grey: low contrast to the page
    elif kind == "cloth":
        weave = cv2.GaussianBlur(rng.random((h, w)).astype(np.float32), (0, 0), 1.2)
        base = 0.7 + 0.6 * (weave - 0.5) + 0.2 * blotches
        colour = np.array([120, 90, 70], np.float32)  # blue-grey cloth
    else:
        base = 0.85 + 0.15 * blotches
        colour = np.array([118, 120, 122], np.float32)
    img = base[:, :, None] * colour[None, None, :] + 4 * fine[:, :, None]
    return np.clip(img, 0, 255).astype(np.float32)


def project(shot: Shot) -> Any:
    """Where the page's corners land in the frame, through a pinhole camera."""
    w, h = shot.size
    focal = 1.1 * w
    a, b, c = (math.radians(v) for v in (shot.tilt, shot.side, shot.turn))
    rx = np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])
    ry = np.array([[math.cos(b), 0, math.sin(b)], [0, 1, 0], [-math.sin(b), 0, math.cos(b)]])
    rz = np.array([[math.cos(c), -math.sin(c), 0], [math.sin(c), math.cos(c), 0], [0, 0, 1]])
    corners = np.array(
        [
            [-0.5, -0.5 * 1.414, 0],
            [0.5, -0.5 * 1.414, 0],
            [0.5, 0.5 * 1.414, 0],
            [-0.5, 0.5 * 1.414, 0],
        ]
    )
    pts = corners @ (ry @ rx @ rz).T
    # Distance so the page's upright height is page_share of the frame height.
    upright = 1.414 if abs(math.sin(c)) < 0.7 else 1.0
    distance = focal * upright / (shot.page_share * h)
    pts[:, 2] += distance
    x = focal * pts[:, 0] / pts[:, 2] + shot.centre[0] * w
    y = focal * pts[:, 1] / pts[:, 2] + shot.centre[1] * h
    return np.stack([x, y], axis=1).astype(np.float32)


def ordered(points: Any) -> Any:
    """Top-left (smallest x+y), top-right (smallest y-x), bottom-right, bottom-left."""
    s, d = points.sum(axis=1), points[:, 1] - points[:, 0]
    return points[[np.argmin(s), np.argmin(d), np.argmax(s), np.argmax(d)]]


def lighting(size: tuple[int, int], strength: float, rng: np.random.Generator) -> Any:
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    lx, ly = rng.uniform(0.1, 0.9) * w, rng.uniform(0.0, 0.4) * h  # a lamp off to one side
    dist = np.sqrt((xx - lx) ** 2 + (yy - ly) ** 2) / math.hypot(w, h)
    return (1.05 - strength * 0.6 * dist).astype(np.float32)


def finish(img: Any, shot_light: float, size: tuple[int, int], rng: np.random.Generator) -> Any:
    img = img * lighting(size, shot_light, rng)[:, :, None]
    img = cv2.GaussianBlur(img, (0, 0), 1.1)
    img = img + rng.normal(0, 3.0, img.shape).astype(np.float32)
    return np.clip(img, 0, 255).astype(np.uint8)


def render(shot: Shot, rng: np.random.Generator) -> tuple[Any, Any]:
    w, h = shot.size
    background = desk(shot.desk, shot.size, rng)
    dst = project(shot)
    src = np.array([[0, 0], [PAGE_W, 0], [PAGE_W, PAGE_H], [0, PAGE_H]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(src, dst)
    sheet = cv2.warpPerspective(page(rng), matrix, (w, h), flags=cv2.INTER_AREA).astype(np.float32)
    mask = cv2.warpPerspective(np.ones((PAGE_H, PAGE_W), np.float32), matrix, (w, h))
    # A soft shadow under the page, down and to the right.
    shadow = cv2.GaussianBlur(np.roll(mask, (6, 8), axis=(0, 1)), (0, 0), 6)
    background *= (1 - 0.35 * shadow)[:, :, None]
    img = background * (1 - mask[:, :, None]) + sheet * mask[:, :, None]
    return finish(img, shot.light, shot.size, rng), ordered(dst)


def no_page(rng: np.random.Generator) -> Any:
    """A desk with a sticky note (too small to be a page) and a pen."""
    size = (1280, 720)
    img = desk("wood", size, rng)
    cv2.rectangle(img, (900, 420), (1010, 530), (120, 235, 245), -1)
    cv2.line(img, (200, 600), (520, 500), (30, 30, 160), 12)
    return finish(img, 0.4, size, rng)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(20261127)
    truth: dict[str, Any] = {}
    for shot in SHOTS:
        img, corners = render(shot, rng)
        cv2.imwrite(str(OUT / f"{shot.name}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 75])
        w, h = np.linalg.norm(corners[1] - corners[0]), np.linalg.norm(corners[3] - corners[0])
        truth[shot.name] = {
            "corners": [[round(float(x), 2), round(float(y), 2)] for x, y in corners],
            # Long/short sides of the real page: always A4; which way up it lies on screen.
            "landscape": bool(w > h),
        }
    cv2.imwrite(str(OUT / "no_page.jpg"), no_page(rng), [cv2.IMWRITE_JPEG_QUALITY, 75])
    (OUT / "truth.json").write_text(json.dumps(truth, indent=2) + "\n")


if __name__ == "__main__":
    main()
