#!/usr/bin/env python3
"""Reference fixtures for tests/face_landmarks.rs, from MediaPipe's own runtime.

(a) Interpreter fixtures: a 192x192 RGB crop of the face in tests/data/real/hopper.jpg
    (tests/data/face/crop192.rgb, 8-bit), fed to face_landmark.tflite as x/255 and, its
    central 128x128, to face_detection_short_range.tflite as x/127.5 - 1, with the
    TFLite interpreter from `ai-edge-litert`; the raw outputs are written as
    little-endian f32 files (mesh_out.f32: 1404 coordinates then the presence logit;
    det_regressors.f32: 896x16; det_scores.f32: 896).
(b) Landmarks: MediaPipe's legacy FaceMesh (max_num_faces=1, refine_landmarks=False) on
    each real photo, in MediaPipe's convention: x = landmark.x * width, y = landmark.y *
    height, z = landmark.z * width (pixel-centre coordinates: pixel i's centre at x = i),
    written to tests/data/face/reference.json. "points": tracking mode
    (static_image_mode=False) fed the photo twice, the second frame's mesh, whose crop
    comes from the first mesh (the engine makes the same one tracking step);
    "points_detection": static_image_mode=True, the mesh in the crop from the detector.
    "points_detection_working": the same on the photo as the engine decodes it (read from
    --working DIR, written by the engine's ignored test `write_working_photos`): the same
    pixels as the engine's, where the JPEG decoders differ by a level here and there and
    photos above the engine's 16 MP working cap are Lanczos-downscaled (henner.jpg), which
    moves MediaPipe's own points (its crops point-sample, so it is sensitive to both).

Run (in a venv):  pip install mediapipe==0.10.21 ai-edge-litert==2.3.0
                  FACE_WORKING_DIR=/tmp/working cargo test --release --test face_landmarks -- --ignored
                  python tests/face/reference.py --working /tmp/working
"""

import argparse
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


def mesh(fm, img, path):
    """FaceMesh's 468 points in pixel-centre coordinates of `img`."""
    h, w = img.shape[:2]
    res = fm.process(np.ascontiguousarray(img))
    if not res.multi_face_landmarks:
        sys.exit(f"{path}: MediaPipe found no face")
    return [[p.x * w, p.y * h, p.z * w] for p in res.multi_face_landmarks[0].landmark]


def working_photo(working, path):
    """The photo as the engine decodes it: `<stem>.rgba` (8-bit RGBA) and `<stem>.size`."""
    stem = pathlib.Path(working) / pathlib.Path(path).stem
    w, h = (int(v) for v in stem.with_suffix(".size").read_text().split())
    rgba = np.fromfile(stem.with_suffix(".rgba"), dtype=np.uint8).reshape(h, w, 4)
    return np.ascontiguousarray(rgba[..., :3])


def landmarks(working):
    photos = {}
    opts = dict(max_num_faces=1, refine_landmarks=False, min_detection_confidence=0.5)
    r = lambda pts: [[round(v, 3) for v in p] for p in pts]
    for path in PHOTOS:
        img = rgb(path)
        h, w = img.shape[:2]
        with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, **opts) as fm:
            detection = mesh(fm, img, path)
        work = working_photo(working, path)
        with mp.solutions.face_mesh.FaceMesh(static_image_mode=True, **opts) as fm:
            detection_working = mesh(fm, work, path)
        with mp.solutions.face_mesh.FaceMesh(static_image_mode=False, min_tracking_confidence=0.5, **opts) as fm:
            mesh(fm, img, path)
            tracked = mesh(fm, img, path)
        sha = hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
        photos[pathlib.Path(path).name] = {
            "path": path, "sha256": sha, "width": w, "height": h,
            "points": r(tracked), "points_detection": r(detection),
            "working_width": work.shape[1], "working_height": work.shape[0],
            "points_detection_working": r(detection_working),
        }
        width = np.hypot(tracked[454][0] - tracked[234][0], tracked[454][1] - tracked[234][1])
        print(f"{path}: {w}x{h}, face width {width:.1f} px")
    doc = {
        "generator": "tests/face/reference.py",
        "command": "python tests/face/reference.py --working DIR (DIR from the ignored test write_working_photos)",
        "versions": {"mediapipe": mp.__version__, "opencv": cv2.__version__, "numpy": np.__version__,
                     "ai_edge_litert": "2.3.0", "python": sys.version.split()[0]},
        "solution": "mediapipe.solutions.face_mesh.FaceMesh(max_num_faces=1, refine_landmarks=False); points: static_image_mode=False, 2nd frame; points_detection: static_image_mode=True; points_detection_working: static_image_mode=True on the engine's decoded pixels (working_width x working_height)",
        "convention": "x = landmark.x * width, y = landmark.y * height, z = landmark.z * width; pixel i's centre at i",
        "photos": photos,
    }
    (OUT / "reference.json").write_text(json.dumps(doc, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--working", required=True, help="directory of the engine's decoded photos")
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    interpreter_fixtures()
    landmarks(args.working)
