//! Node bindings for phimask.
use napi_derive::napi;

/// The phimask version.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
