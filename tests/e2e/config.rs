//! Config files: for vouch (`$XDG_CONFIG_HOME/vouch/config.toml`) and vouchd (`--config`,
//! `VOUCHD_CONFIG`), precedence built-in default < file < `VOUCH_*` environment < flag, shown by
//! `vouch config show`; a bad file is an error naming the file, the line and the key.

use std::path::Path;

use serde_json::Value;

use crate::daemon::Setup;
use crate::pull::{code, text};
use crate::support::{bin, data, image, Home};

fn write_config(setup: &Setup, text: &str) {
    let dir = setup.home.path("config/vouch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("config.toml"), text).unwrap();
}

/// `vouch config show --json`'s source of `setting`.
fn source(setup: &Setup, envs: &[(&str, &Path)], args: &[&str], setting: &str) -> String {
    let mut cmd = setup.home.vouch();
    cmd.env_remove("VOUCH_SOCKET");
    for (name, value) in envs {
        cmd.env(name, value);
    }
    let out = cmd
        .args(args)
        .args(["config", "show", "--json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", text(&out));
    let shown: Value = serde_json::from_slice(&out.stdout).unwrap();
    let found = shown["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["setting"] == setting)
        .unwrap()
        .clone();
    found["source"].as_str().unwrap().to_string()
}

#[test]
fn the_cli_takes_its_socket_from_the_file_then_the_environment_then_the_flag() {
    let setup = Setup::new(&[]);
    let live = setup.daemon.socket.clone();
    let nowhere = setup.home.path("run/nobody.sock");
    write_config(
        &setup,
        &format!("socket = {:?}\nengine = \"podman\"\n", live),
    );
    let check = |envs: &[(&str, &Path)], args: &[&str]| {
        let mut cmd = setup.home.vouch();
        cmd.env_remove("VOUCH_SOCKET");
        for (name, value) in envs {
            cmd.env(name, value);
        }
        cmd.args(args)
            .args(["check", &image("9a")])
            .output()
            .unwrap()
    };
    // The file alone: vouchd answers (not trusted, exit 1, but answered).
    let out = check(&[], &[]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(source(&setup, &[], &[], "socket").starts_with("file "));
    assert!(source(&setup, &[], &[], "socket").ends_with("config.toml:1"));
    assert!(source(&setup, &[], &[], "engine").ends_with("config.toml:2"));
    // The environment over the file: no daemon there.
    let env = [("VOUCH_SOCKET", nowhere.as_path())];
    let out = check(&env, &[]);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("nobody.sock"), "{}", text(&out));
    assert_eq!(source(&setup, &env, &[], "socket"), "env VOUCH_SOCKET");
    // The flag over both.
    let flag = live.display().to_string();
    let out = check(&env, &["--socket", &flag]);
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert_eq!(source(&setup, &env, &["--socket", &flag], "socket"), "flag");
    // Without a file, the default.
    std::fs::remove_file(setup.home.path("config/vouch/config.toml")).unwrap();
    assert_eq!(source(&setup, &[], &[], "engine"), "default");
}

#[test]
fn a_bad_cli_config_file_names_the_file_the_line_and_the_key() {
    let setup = Setup::new(&[]);
    for (content, says) in [
        (
            "socket = \"a.sock\"\n\nsokcet = \"b\"\n",
            "config.toml:3: `sokcet`: unknown key",
        ),
        (
            "engine = \"dockr\"\n",
            "config.toml:1: `engine`: \"dockr\" is not an engine",
        ),
        (
            "trusted_keys = \"a.pub\"\n",
            "config.toml:1: `trusted_keys`: expected a list",
        ),
    ] {
        write_config(&setup, content);
        let out = setup
            .vouch()
            .args(["check", &image("9a")])
            .output()
            .unwrap();
        assert_eq!(code(&out), 2, "{content}: {}", text(&out));
        assert!(text(&out).contains(says), "{content}: {}", text(&out));
    }
}

/// Starts vouchd with `config` as its config file (and `envs`, `args`); the socket it bound.
fn vouchd_socket(home: &Home, config: &str, envs: &[(&str, String)], args: &[&str]) -> String {
    let file = home.path("vouchd.toml");
    std::fs::write(&file, config).unwrap();
    let mut cmd = std::process::Command::new(bin("vouchd"));
    cmd.arg("--config")
        .arg(&file)
        .args(args)
        .env_remove("VOUCH_SOCKET")
        .env("VOUCH_LOG", "warn");
    for (name, value) in envs {
        cmd.env(name, value);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let bound = loop {
        let found = ["file", "env", "flag"]
            .into_iter()
            .find(|name| home.path(&format!("run/{name}.sock")).exists());
        if let Some(name) = found {
            break name.to_string();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "vouchd bound no socket"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    let _ = std::process::Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    assert_eq!(child.wait().unwrap().code(), Some(0));
    bound
}

#[test]
fn vouchd_takes_its_settings_from_the_file_then_the_environment_then_the_flag() {
    let home = Home::new();
    std::fs::create_dir_all(home.path("run")).unwrap();
    let config = format!(
        "db = \"data/ledger.db\"\nsocket = \"run/file.sock\"\ntrusted_keys = [{:?}]\nsocket_mode = \"0600\"\n",
        data("vector.pub")
    );
    assert_eq!(vouchd_socket(&home, &config, &[], &[]), "file");
    assert!(
        home.path("data/ledger.db").exists(),
        "the db path is taken from the file's directory"
    );
    let env = [(
        "VOUCH_SOCKET",
        home.path("run/env.sock").display().to_string(),
    )];
    assert_eq!(vouchd_socket(&home, &config, &env, &[]), "env");
    let flag = home.path("run/flag.sock").display().to_string();
    assert_eq!(
        vouchd_socket(&home, &config, &env, &["--socket", &flag]),
        "flag"
    );
}

#[test]
fn a_bad_vouchd_config_file_names_the_file_the_line_and_the_key() {
    let home = Home::new();
    for (content, says) in [
        (
            "socket = \"s\"\naudit_intervall = 5\n",
            "vouchd.toml:2: `audit_intervall`: unknown key",
        ),
        (
            "audit_interval = \"hourly\"\n",
            "vouchd.toml:1: `audit_interval`: expected a whole number",
        ),
        ("socket_mode = \"0666\"\n", "lets every local user submit"),
        (
            "policy = \"p.toml\"\ntrusted_keys = [\"k.pub\"]\n",
            "both a policy and trusted keys are given",
        ),
    ] {
        let file = home.path("vouchd.toml");
        std::fs::write(&file, content).unwrap();
        let out = std::process::Command::new(bin("vouchd"))
            .arg("--config")
            .arg(&file)
            .arg("--socket")
            .arg(home.path("run/x.sock"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{content}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{content}: {stderr}");
    }
    let out = std::process::Command::new(bin("vouchd"))
        .args(["--config", "/nonexistent/vouchd.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
