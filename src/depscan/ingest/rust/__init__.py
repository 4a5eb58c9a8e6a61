"""Rust: Cargo.lock and Cargo.toml."""
