#!/usr/bin/env python3
"""Extract the face models from the pinned MediaPipe wheel into www/models/.

Python 3 standard library only. Downloads mediapipe==0.10.21 (the manylinux x86_64
CPython 3.11 wheel) with pip, checks the wheel's SHA-256, copies the two .tflite files
byte for byte into www/models/ and checks theirs, then writes www/models/SHA256SUMS.

    python3 tests/face/extract_models.py [--wheel PATH]   # PATH: an already downloaded wheel
"""

import argparse
import hashlib
import pathlib
import subprocess
import sys
import tempfile
import zipfile

WHEEL = "mediapipe-0.10.21-cp311-cp311-manylinux_2_28_x86_64.whl"
WHEEL_SHA256 = "05dc4a9e593655a79558d05d6227d31018c2537a4bd3362b51e230cf22aecfe3"
# (path inside the wheel, file name in www/models, size, sha256)
MODELS = [
    (
        "mediapipe/modules/face_detection/face_detection_short_range.tflite",
        "face_detection_short_range.tflite",
        229714,
        "bbff11cebd1eb27a1e004cae0b0e63ec8c551cbf34a4451148b4908b8db3eca8",
    ),
    (
        "mediapipe/modules/face_landmark/face_landmark.tflite",
        "face_landmark.tflite",
        1242398,
        "1055cb9d4a9ca8b8c688902a3a5194311138ba256bcc94e336d8373a5f30c814",
    ),
]
LICENSE_IN_WHEEL = "mediapipe-0.10.21.dist-info/LICENSE"


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def download(dest: pathlib.Path) -> pathlib.Path:
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "mediapipe==0.10.21",
        "--only-binary=:all:", "--platform", "manylinux_2_28_x86_64",
        "--python-version", "3.11", "--implementation", "cp", "-d", str(dest),
    ]
    print("+", " ".join(cmd))
    subprocess.run(cmd, check=True)
    return dest / WHEEL


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=pathlib.Path, help="use this downloaded wheel")
    args = ap.parse_args()
    out = pathlib.Path(__file__).resolve().parents[2] / "www" / "models"
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or download(pathlib.Path(tmp))
        got = sha256(wheel.read_bytes())
        if got != WHEEL_SHA256:
            sys.exit(f"{wheel}: sha256 {got}, expected {WHEEL_SHA256}")
        print(f"wheel ok: {wheel.name} {got}")
        sums = []
        with zipfile.ZipFile(wheel) as z:
            for inner, name, size, digest in MODELS:
                data = z.read(inner)
                if len(data) != size or sha256(data) != digest:
                    sys.exit(f"{inner}: {len(data)} B sha256 {sha256(data)}, expected {size} B {digest}")
                (out / name).write_bytes(data)
                sums.append(f"{digest}  {name}\n")
                print(f"{name}: {size} B, sha256 ok")
            (out / "LICENSE").write_bytes(z.read(LICENSE_IN_WHEEL))
    (out / "SHA256SUMS").write_text("".join(sums))
    print(f"wrote {out}/ (models, LICENSE, SHA256SUMS)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
