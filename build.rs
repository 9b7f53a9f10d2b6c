//! Rebuilds the crate when a migration is added or changed: `embed_migrations!` reads the
//! migration folders while compiling, and without this cargo does not know to look at them (a
//! new migration next to unchanged code was left out of an incremental build).
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
