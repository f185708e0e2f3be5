"""Writes tests/data/face/mesh_points.json: MediaPipe's 468 face-mesh points per photo.

Reproduce (the pinned wheel, PyPI mediapipe 0.10.21, CPython 3.11):
    python3 -m venv /tmp/mpenv
    /tmp/mpenv/bin/pip install mediapipe==0.10.21
    /tmp/mpenv/bin/python tests/face/mesh_points.py

Points are in photo pixels (x, y; z in the same pixel scale as x, MediaPipe's
convention), rounded to 0.01 px. The photos are decoded upright by Pillow, like the
engine (none of them carries an EXIF orientation other than 1).
"""

import json
import pathlib

import mediapipe as mp
import numpy as np
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parents[2]
PHOTOS = [
    "tests/data/real/henner.jpg",
    "tests/data/real/giunchedi.jpg",
    "tests/data/real/paumier.jpg",
    "tests/data/real/hopper.jpg",
    "www/sample/astronaut.png",
]


def mesh(path):
    img = np.asarray(Image.open(ROOT / path).convert("RGB"))
    h, w = img.shape[:2]
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, max_num_faces=1, refine_landmarks=False,
        min_detection_confidence=0.5,
    ) as fm:
        result = fm.process(img)
    if not result.multi_face_landmarks:
        return None
    lms = result.multi_face_landmarks[0].landmark
    pts = [[round(p.x * w, 2), round(p.y * h, 2), round(p.z * w, 2)] for p in lms]
    return {"width": w, "height": h, "points": pts}


def main():
    out = {"source": "mediapipe 0.10.21 solutions.face_mesh, static_image_mode=True",
           "photos": {}}
    for p in PHOTOS:
        m = mesh(p)
        print(p, "no face" if m is None else f"{len(m['points'])} points")
        if m is not None:
            out["photos"][p] = m
    dest = ROOT / "tests/data/face/mesh_points.json"
    dest.write_text(json.dumps(out, separators=(",", ":")) + "\n")
    print("wrote", dest)


if __name__ == "__main__":
    main()
