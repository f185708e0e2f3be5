//! Stage 2, the skin. Takes a [`Photo`](crate::photo::Photo); gives its chromophore
//! planes (melanin, hemoglobin, shading), the face (mesh, zones) when the models find
//! one, and the skin mask. Depends on [`crate::photo`] and [`crate::maths`].

pub mod chromophores;
pub mod face;
pub mod mask;
