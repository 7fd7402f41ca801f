//! Python bindings for phimask.
use pyo3::prelude::*;

/// The native module behind the `phimask` Python package.
#[pymodule]
fn _native(_m: &Bound<'_, PyModule>) -> PyResult<()> {
    Ok(())
}
