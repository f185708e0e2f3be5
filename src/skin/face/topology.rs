//! Index tables into MediaPipe's 468-point face mesh, as closed polygons.
//!
//! The outlines are the edge lists of `mediapipe/python/solutions/face_mesh_connections.py`
//! (google-ai-edge/mediapipe, Apache-2.0: FACEMESH_FACE_OVAL, _LIPS, _LEFT_EYE, _RIGHT_EYE,
//! _LEFT_EYEBROW, _RIGHT_EYEBROW), walked into rings. The nostrils and the zones are ours,
//! picked on the mesh drawn over the test photos. "Left" and "right" are the subject's:
//! on a frontal photo the subject's left is the image's right.

/// FACEMESH_FACE_OVAL as a ring, from the forehead top (10) round by the subject's left.
pub const FACE_OVAL: [usize; 36] = [
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
];

/// The oval's upper arc, temple to temple: the points the forehead extension lifts.
pub const OVAL_UPPER: [usize; 9] = [54, 103, 67, 109, 10, 338, 297, 332, 284];

/// Outer lip line (FACEMESH_LIPS, outer ring).
pub const LIPS_OUTER: [usize; 20] = [
    61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185,
];

/// Inner lip line, the mouth opening with the teeth (FACEMESH_LIPS, inner ring).
pub const LIPS_INNER: [usize; 20] = [
    78, 95, 88, 178, 87, 14, 317, 402, 318, 324, 308, 415, 310, 311, 312, 13, 82, 81, 80, 191,
];

/// FACEMESH_LEFT_EYE (subject's left) as a ring.
pub const LEFT_EYE: [usize; 16] = [
    263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466,
];

/// FACEMESH_RIGHT_EYE as a ring.
pub const RIGHT_EYE: [usize; 16] = [
    33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246,
];

/// FACEMESH_LEFT_EYEBROW: lower edge outward-in, then upper edge inward-out.
pub const LEFT_BROW: [usize; 10] = [276, 283, 282, 295, 285, 336, 296, 334, 293, 300];

/// FACEMESH_RIGHT_EYEBROW, the mirror of `LEFT_BROW`.
pub const RIGHT_BROW: [usize; 10] = [46, 53, 52, 65, 55, 107, 66, 105, 63, 70];

/// The subject's right nostril opening (alar rim to columella base).
pub const RIGHT_NOSTRIL: [usize; 7] = [219, 218, 237, 239, 20, 60, 166];

/// The subject's left nostril, the mirror of `RIGHT_NOSTRIL`.
pub const LEFT_NOSTRIL: [usize; 7] = [439, 438, 457, 459, 250, 290, 392];

/// Brow tops, the forehead's lower edge, from the subject's right temple to the left.
pub const BROW_TOP: [usize; 10] = [70, 63, 105, 66, 107, 336, 296, 334, 293, 300];

/// Nose: bridge from between the eyes, down the sides, the alar wings and the base.
pub const NOSE: [usize; 24] = [
    168, 417, 465, 412, 399, 437, 355, 429, 358, 294, 327, 326, 2, 97, 98, 64, 129, 209, 126, 217,
    174, 188, 245, 193,
];

/// The subject's right cheek: under the eye, along the nose and the nasolabial fold,
/// down to the mouth-corner level and out to the jaw and the oval.
pub const RIGHT_MALAR: [usize; 21] = [
    234, 116, 117, 118, 119, 120, 121, 47, 126, 142, 36, 203, 206, 216, 212, 214, 135, 172, 58,
    132, 93,
];

/// The subject's left cheek, the mirror of `RIGHT_MALAR`.
pub const LEFT_MALAR: [usize; 21] = [
    454, 345, 346, 347, 348, 349, 350, 277, 355, 371, 266, 423, 426, 436, 432, 434, 364, 397, 288,
    361, 323,
];

/// Around the lips: the upper lip's skin below the nose base and the lower lip's skin.
pub const PERIORAL: [usize; 24] = [
    212, 216, 206, 203, 98, 97, 2, 326, 327, 423, 426, 436, 432, 287, 273, 335, 406, 313, 18, 83,
    182, 106, 43, 57,
];

/// Chin and jaw below the perioral ring, down to the oval.
pub const CHIN: [usize; 28] = [
    57, 43, 106, 182, 83, 18, 313, 406, 335, 273, 287, 432, 434, 364, 365, 379, 378, 400, 377, 152,
    148, 176, 149, 150, 136, 135, 214, 212,
];
