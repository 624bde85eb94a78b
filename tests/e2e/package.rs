//! The Debian package (`scripts/package-deb.sh`, which `.ci/run` runs and names in
//! `VOUCH_TEST_DEB` and, one revision later, `VOUCH_TEST_DEB_UPGRADE`): its contents and control
//! data with `dpkg-deb`, then installed on this machine with `dpkg -i` (as root, in CI): the
//! binaries run from /usr/bin, `man` and the completions are where Debian expects them, and
//! upgrading, removing and purging never touch the ledger in /var/lib/vouch.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support;

fn run(program: &str, args: &[&str]) -> Output {
    Command::new(program).args(args).output().unwrap()
}

fn ok(program: &str, args: &[&str]) -> String {
    let out = run(program, args);
    assert!(
        out.status.success(),
        "{program} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The packages to test, or `None` (a printed skip outside CI, a failure in CI).
fn packages() -> Option<(String, String)> {
    let named = |name: &str| std::env::var(name).ok().filter(|p| Path::new(p).exists());
    let root = ok("id", &["-u"]).trim() == "0";
    match (
        named("VOUCH_TEST_DEB"),
        named("VOUCH_TEST_DEB_UPGRADE"),
        root,
    ) {
        (Some(deb), Some(upgrade), true) => Some((deb, upgrade)),
        _ => {
            support::missing_peer(
                "the .deb packages and root",
                "scripts/package-deb.sh dev, twice (VOUCH_DEB_VERSION=0.1.0-2), named in VOUCH_TEST_DEB and VOUCH_TEST_DEB_UPGRADE; as root",
            );
            None
        }
    }
}

fn sha256(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap();
    vouch_proto::Digest::of(&bytes).to_string()
}

#[test]
fn the_package_holds_what_debian_expects_and_never_touches_the_ledger() {
    let Some((deb, upgrade)) = packages() else {
        return;
    };
    let info = ok("dpkg-deb", &["--info", &deb]);
    for field in [
        "Package: vouch",
        "Depends: adduser",
        "Section: admin",
        " conffiles",
    ] {
        assert!(info.contains(field), "{field}: {info}");
    }
    let contents = ok("dpkg-deb", &["--contents", &deb]);
    for path in [
        "./usr/bin/vouch",
        "./usr/bin/vouchd",
        "./usr/share/man/man1/vouch.1.gz",
        "./usr/share/man/man8/vouchd.8.gz",
        "./usr/share/bash-completion/completions/vouch",
        "./usr/share/zsh/vendor-completions/_vouch",
        "./usr/share/fish/vendor_completions.d/vouch.fish",
        "./usr/lib/systemd/system/vouchd.service",
        "./usr/lib/systemd/system/vouchd.socket",
        "./etc/vouch/vouchd.toml",
        "./etc/vouch/policy.toml",
    ] {
        assert!(
            contents.lines().any(|l| l.ends_with(path)),
            "{path} not in the package"
        );
    }

    ok("dpkg", &["-i", &deb]);
    assert!(ok("/usr/bin/vouch", &["--version"]).starts_with("vouch 0.1.0"));
    assert!(ok("/usr/bin/vouchd", &["--version"]).starts_with("vouchd 0.1.0"));
    assert_eq!(
        ok("man", &["-w", "vouch"]).trim(),
        "/usr/share/man/man1/vouch.1.gz"
    );
    assert_eq!(
        ok("man", &["-w", "vouchd"]).trim(),
        "/usr/share/man/man8/vouchd.8.gz"
    );
    assert!(ok("getent", &["passwd", "vouch"]).contains("/var/lib/vouch"));
    assert!(ok("stat", &["-c", "%U:%G %a", "/var/lib/vouch"]).starts_with("vouch:vouch 750"));
    // The shipped config and policy are read by what was installed.
    ok(
        "/usr/bin/vouch",
        &["policy", "lint", "/etc/vouch/policy.toml"],
    );
    ok(
        "/usr/bin/vouchd",
        &["--config", "/etc/vouch/vouchd.toml", "--help"],
    );

    // A ledger with one entry, then an upgrade, a removal and a purge: never touched.
    let ledger = PathBuf::from("/var/lib/vouch/ledger.db");
    {
        let mut written = vouch_ledger::Ledger::open(&ledger, None).unwrap();
        written.append_batch(&[support::signed_entry(1)]).unwrap();
    }
    let before = sha256(&ledger);
    ok("dpkg", &["-i", &upgrade]);
    assert!(ok("dpkg-query", &["-W", "vouch"]).contains("0.1.0-2"));
    assert_eq!(sha256(&ledger), before, "the upgrade changed the ledger");
    ok("dpkg", &["-r", "vouch"]);
    assert!(!Path::new("/usr/bin/vouchd").exists());
    assert!(
        Path::new("/etc/vouch/vouchd.toml").exists(),
        "remove keeps the config"
    );
    assert_eq!(sha256(&ledger), before, "remove changed the ledger");
    let purged = run("dpkg", &["-P", "vouch"]);
    assert!(purged.status.success());
    assert!(String::from_utf8_lossy(&purged.stderr).contains("/var/lib/vouch is kept"));
    assert!(
        !Path::new("/etc/vouch/vouchd.toml").exists(),
        "purge removes the config"
    );
    assert_eq!(sha256(&ledger), before, "purge changed the ledger");
    // Leave the machine as it was found (the ledger was this test's).
    let _ = std::fs::remove_dir_all("/var/lib/vouch");
}
