//! Stage 3, the lesions. Takes chromophore planes and a skin mask; gives lesion maps
//! (excess over the local baseline, soft and binary) and the matched-filter blobs.
//! Depends on [`crate::skin`] and [`crate::maths`].

pub mod blobs;
pub mod maps;
