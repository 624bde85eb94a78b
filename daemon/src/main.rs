//! vouchd, the Vouch daemon. The ledger and its API arrive with the ledger and daemon issues;
//! for now it only reports its version, so that packaging and tests can find the binary.

fn main() {
    let arg = std::env::args().nth(1);
    match arg.as_deref() {
        None | Some("--version") | Some("-V") => println!("vouchd {}", env!("CARGO_PKG_VERSION")),
        Some("--help") | Some("-h") => println!(
            "vouchd {}: the Vouch ledger daemon (not yet serving; this build only prints its version)",
            env!("CARGO_PKG_VERSION")
        ),
        Some(other) => {
            eprintln!("vouchd: unknown argument {other:?}; try --help");
            std::process::exit(2);
        }
    }
}
