"""Stand-ins for a camera: a short video file and an image sequence of synthetic frames, for
the OpenCV camera backend to play as if they were live.

Files are written under a temporary name and renamed into place, so a camera retrying to open
the path never sees half a file.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def synthetic_frame(width: int, height: int, index: int) -> Any:
    """A BGR frame with a gradient, a moving block and its index written on it."""
    import cv2
    import numpy as np

    img = np.zeros((height, width, 3), dtype=np.uint8)
    img[:, :, 0] = np.linspace(30, 200, width, dtype=np.uint8)[None, :]
    img[:, :, 1] = np.linspace(200, 30, height, dtype=np.uint8)[:, None]
    size = max(8, min(width, height) // 6)
    x = (index * size // 2) % max(1, width - size)
    img[height // 2 - size // 2 : height // 2 + size // 2, x : x + size] = (255, 255, 255)
    cv2.putText(img, str(index), (10, height - 10), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (0, 0, 0), 2)
    return img


def write_video(path: Path, width: int, height: int, *, frames: int = 30, fps: int = 30) -> Path:
    """An MJPG .avi of `frames` synthetic frames (MJPG needs no external codec, headless too)."""
    import cv2

    tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
    writer = cv2.VideoWriter(str(tmp), cv2.VideoWriter_fourcc(*"MJPG"), fps, (width, height))
    if not writer.isOpened():
        raise RuntimeError("OpenCV cannot write MJPG video here")
    try:
        for index in range(frames):
            writer.write(synthetic_frame(width, height, index))
    finally:
        writer.release()
    os.replace(tmp, path)
    return path


def write_image_sequence(folder: Path, width: int, height: int, *, frames: int = 10) -> str:
    """PNG frames folder/frame_0000.png...; returns the pattern OpenCV opens as a sequence."""
    import cv2

    folder.mkdir(parents=True, exist_ok=True)
    for index in range(frames):
        target = folder / f"frame_{index:04d}.png"
        tmp = folder / f".tmp_{index:04d}.png"
        if not cv2.imwrite(str(tmp), synthetic_frame(width, height, index)):
            raise RuntimeError(f"cannot write {tmp}")
        os.replace(tmp, target)
    return str(folder / "frame_%04d.png")
