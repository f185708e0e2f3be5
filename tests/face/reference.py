#!/usr/bin/env python3
"""Reference fixtures for tests/face_landmarks.rs, from MediaPipe's own runtime.

(a) Interpreter fixtures: a 192x192 RGB crop of the face in tests/data/real/hopper.jpg
    (tests/data/face/crop192.rgb, 8-bit), fed to face_landmark.tflite as x/255 and, its
    central 128x128, to face_detection_short_range.tflite as x/127.5 - 1, with the
    TFLite interpreter from `ai-edge-litert`; the raw outputs are written as
    little-endian f32 files (mesh_out.f32: 1404 coordinates then the presence logit;
    det_regressors.f32: 896x16; det_scores.f32: 896).
(b) Landmarks: MediaPipe's legacy FaceMesh (static_image_mode=True, max_num_faces=1,
    refine_landmarks=False) on each real photo, written to tests/data/face/reference.json
    in MediaPipe's convention: x = landmark.x * width, y = landmark.y * height,
    z = landmark.z * width (pixel-centre coordinates: pixel i's centre is at x = i).

Run (in a venv):  pip install /path/to/mediapipe-0.10.21-...whl ai-edge-litert==2.3.0
                  python tests/face/reference.py
"""

import hashlib
import json
import pathlib
import sys

import cv2
import mediapipe as mp
import numpy as np
from ai_edge_litert import interpreter as litert

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "face"
MODELS = ROOT / "www" / "models"
PHOTOS = [
    "tests/data/real/henner.jpg",
    "tests/data/real/giunchedi.jpg",
    "tests/data/real/paumier.jpg",
    "tests/data/real/hopper.jpg",
    "www/sample/astronaut.png",
]
# The face crop of hopper.jpg (x, y, side in pixels), resized to 192x192 with INTER_AREA.
CROP = (96, 60, 300)


def rgb(path):
    bgr = cv2.imread(str(ROOT / path), cv2.IMREAD_COLOR)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def run(model, tensor):
    it = litert.Interpreter(
        model_path=str(MODELS / model),
        experimental_op_resolver_type=litert.OpResolverType.BUILTIN_REF,
    )
    it.allocate_tensors()
    it.set_tensor(it.get_input_details()[0]["index"], tensor[None])
    it.invoke()
    return [it.get_tensor(d["index"]).astype("<f4").ravel() for d in it.get_output_details()]


def interpreter_fixtures():
    img = rgb("tests/data/real/hopper.jpg")
    x, y, s = CROP
    crop = cv2.resize(img[y : y + s, x : x + s], (192, 192), interpolation=cv2.INTER_AREA)
    crop = np.ascontiguousarray(crop, dtype=np.uint8)
    (OUT / "crop192.rgb").write_bytes(crop.tobytes())
    mesh_in = crop.astype(np.float32) / np.float32(255.0)
    points, presence = run("face_landmark.tflite", mesh_in)
    (OUT / "mesh_out.f32").write_bytes(np.concatenate([points, presence]).astype("<f4").tobytes())
    det_in = crop[32:160, 32:160].astype(np.float32) / np.float32(127.5) - np.float32(1.0)
    regressors, scores = run("face_detection_short_range.tflite", np.ascontiguousarray(det_in))
    (OUT / "det_regressors.f32").write_bytes(regressors.tobytes())
    (OUT / "det_scores.f32").write_bytes(scores.tobytes())
    print(f"interpreter fixtures: mesh presence logit {presence[0]:.4f}, best detector logit {scores.max():.3f}")


def landmarks():
    photos = {}
    with mp.solutions.face_mesh.FaceMesh(
        static_image_mode=True, max_num_faces=1, refine_landmarks=False, min_detection_confidence=0.5
    ) as fm:
        for path in PHOTOS:
            img = rgb(path)
            h, w = img.shape[:2]
            res = fm.process(img)
            if not res.multi_face_landmarks:
                sys.exit(f"{path}: MediaPipe found no face")
            lm = res.multi_face_landmarks[0].landmark
            pts = [[round(p.x * w, 3), round(p.y * h, 3), round(p.z * w, 3)] for p in lm]
            sha = hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
            photos[pathlib.Path(path).name] = {"path": path, "sha256": sha, "width": w, "height": h, "points": pts}
            width = np.hypot(pts[454][0] - pts[234][0], pts[454][1] - pts[234][1])
            print(f"{path}: {w}x{h}, face width {width:.1f} px")
    doc = {
        "generator": "tests/face/reference.py",
        "command": "python tests/face/reference.py",
        "versions": {"mediapipe": mp.__version__, "opencv": cv2.__version__, "numpy": np.__version__,
                     "python": sys.version.split()[0]},
        "solution": "mediapipe.solutions.face_mesh.FaceMesh(static_image_mode=True, max_num_faces=1, refine_landmarks=False)",
        "convention": "x = landmark.x * width, y = landmark.y * height, z = landmark.z * width; pixel i's centre at i",
        "photos": photos,
    }
    (OUT / "reference.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    interpreter_fixtures()
    landmarks()
