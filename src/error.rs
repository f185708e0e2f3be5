//! Typed errors whose messages tell a person what went wrong and what to do.

use thiserror::Error;

/// Why a photo could not be read.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum DecodeError {
    /// No bytes at all.
    #[error("The file is empty. Please choose a JPEG, PNG or WebP photo.")]
    Empty,
    /// More bytes than we accept.
    #[error("The file is {mib} MiB; the limit is {limit_mib} MiB. Please use a smaller photo.")]
    TooLarge {
        /// File size in MiB (rounded up).
        mib: u64,
        /// The limit in MiB.
        limit_mib: u64,
    },
    /// HEIC or AVIF, which we do not decode.
    #[error("This is a {0} photo, which is not supported. Please export it as JPEG (on iPhone: Settings → Camera → Formats → Most Compatible).")]
    UnsupportedPhotoFormat(&'static str),
    /// A known container whose encoding this build's decoder does not handle (for
    /// example WebP in the browser build, which leaves WebP to the browser).
    #[error("This {format} photo uses an encoding this decoder does not support ({detail}). Please export it as JPEG or PNG.")]
    UnsupportedEncoding {
        /// Detected format.
        format: &'static str,
        /// Decoder detail.
        detail: String,
    },
    /// A vector drawing, not a photo.
    #[error("This is an SVG drawing, not a photo. Please choose a JPEG, PNG or WebP photo.")]
    Svg,
    /// Unrecognised bytes.
    #[error("This file is not a JPEG, PNG or WebP image.")]
    NotAnImage,
    /// More pixels than we accept.
    #[error("The photo is {megapixels} megapixels; the limit is {limit} megapixels.")]
    TooManyPixels {
        /// Pixels in millions (rounded up).
        megapixels: u64,
        /// The limit in millions.
        limit: u64,
    },
    /// A zero-sized image.
    #[error("The image has no pixels ({width}×{height}).")]
    NoPixels {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// The file started well but its data is damaged or cut off.
    #[error("The {format} file is damaged or incomplete ({detail}). Please try the original photo again.")]
    Corrupt {
        /// Detected format.
        format: &'static str,
        /// Decoder detail.
        detail: String,
    },
    /// Raw pixels whose length does not match the stated size.
    #[error("The pixel data has {got} bytes but {width}×{height} RGBA needs {want}.")]
    BadPixelBuffer {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Bytes given.
        got: usize,
        /// Bytes needed.
        want: usize,
    },
    /// Resizing failed (should not happen for valid sizes).
    #[error("The photo could not be resized: {0}")]
    Resize(String),
}

impl DecodeError {
    /// A stable code for programs: `empty`, `too-large`, `unsupported-format`,
    /// `not-an-image`, `corrupt`, `bad-pixels` or `internal`.
    pub fn code(&self) -> &'static str {
        match self {
            DecodeError::Empty | DecodeError::NoPixels { .. } => "empty",
            DecodeError::TooLarge { .. } | DecodeError::TooManyPixels { .. } => "too-large",
            DecodeError::UnsupportedPhotoFormat(_)
            | DecodeError::UnsupportedEncoding { .. }
            | DecodeError::Svg => "unsupported-format",
            DecodeError::NotAnImage => "not-an-image",
            DecodeError::Corrupt { .. } => "corrupt",
            DecodeError::BadPixelBuffer { .. } => "bad-pixels",
            DecodeError::Resize(_) => "internal",
        }
    }
}

/// Why a face model file could not be used.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ModelError {
    /// The bytes are not a TensorFlow Lite model, or are cut off.
    #[error("The {model} model file is not a valid .tflite file ({detail}). Re-create www/models/ with `python3 tests/face/extract_models.py` and reload.")]
    Damaged {
        /// Which model ("face detector" or "face mesh").
        model: &'static str,
        /// What was wrong.
        detail: String,
    },
    /// A valid model this engine cannot run (another model or version).
    #[error("The {model} model is not the one this engine runs ({detail}). Use the files from www/models/ (MediaPipe 0.10.21).")]
    Unsupported {
        /// Which model.
        model: &'static str,
        /// What differs.
        detail: String,
    },
}

/// Any engine error.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum Error {
    /// Reading a photo failed.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// Loading a face model failed.
    #[error(transparent)]
    Model(#[from] ModelError),
    /// A clinic's evidence profile was refused.
    #[error(transparent)]
    Profile(#[from] crate::evidence::ProfileError),
    /// A plan has nothing to project.
    #[error(transparent)]
    Plan(#[from] crate::projection::plan::PlanError),
    /// A request to a session was wrong or came too early.
    #[error(transparent)]
    Session(#[from] crate::session::SessionError),
}

impl Error {
    /// A stable code for programs (the page, an embedder): see each error's `code`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Decode(e) => e.code(),
            Error::Model(_) => "face-model",
            Error::Profile(_) => "invalid-profile",
            Error::Plan(_) => "no-evidence",
            Error::Session(e) => e.code(),
        }
    }
}
