//! The ways into `vouch pull` besides the command itself, and what it needs around it: stored
//! registry credentials (docker's config.json with `auths` and `credHelpers`, containers'
//! auth.json), the Docker CLI plugin through the real docker CLI, `vouch shell-init`, and
//! `vouch check` of a tag.

use std::os::unix::fs::PermissionsExt;
use std::process::Command as StdCommand;

use base64::Engine as _;

use crate::pull::{code, text, World};
use crate::support::{bin, Dockerd, Podman, Registry};

#[test]
fn stored_credentials_reach_a_registry_that_asks_for_a_password() {
    let Some(registry) = Registry::start_with_password("alice", "s3cret") else {
        return;
    };
    let (Some(dockerd), Some(podman)) = (Dockerd::start(), Podman::new(&[&registry.addr])) else {
        return;
    };
    let world = World::new(registry);
    let home = &world.setup.home;
    let digest =
        world
            .registry
            .push_layered(&home.path(""), "team/private", "1.0", "private", 4096);
    world.review("team/private", &digest, "trusted");
    let image = format!("{}:1.0", world.repo("team/private"));
    let docker = vec![("DOCKER_HOST", dockerd.host.clone())];

    // No credentials stored: a clear error, nothing pulled.
    let out = world.pull(&["--engine", "docker", &image], &docker);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("docker login"), "{}", text(&out));

    // docker's config.json, `auths`: vouch and the docker CLI both use it.
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret");
    std::fs::create_dir_all(home.path(".docker")).unwrap();
    let auths = format!(
        r#"{{"auths": {{"{}": {{"auth": "{auth}"}}}}}}"#,
        world.registry.addr
    );
    std::fs::write(home.path(".docker/config.json"), &auths).unwrap();
    let out = world.pull(&["--engine", "docker", &image], &docker);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let pinned = format!("{}@{digest}", world.repo("team/private"));
    assert_eq!(dockerd.repo_digests(&image), Some(vec![pinned.clone()]));

    // A credential helper named in `credHelpers`, run by vouch and by docker.
    assert!(dockerd.docker(&["rmi", &image]).status.success());
    let helpers = home.path("helpers");
    std::fs::create_dir_all(&helpers).unwrap();
    let helper = helpers.join("docker-credential-vouchtest");
    std::fs::write(&helper, "#!/bin/sh\nread server\necho \"{\\\"ServerURL\\\":\\\"$server\\\",\\\"Username\\\":\\\"alice\\\",\\\"Secret\\\":\\\"s3cret\\\"}\"\n").unwrap();
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).unwrap();
    let helped = format!(
        r#"{{"credHelpers": {{"{}": "vouchtest"}}}}"#,
        world.registry.addr
    );
    std::fs::write(home.path(".docker/config.json"), helped).unwrap();
    let path = format!("{}:{}", helpers.display(), std::env::var("PATH").unwrap());
    let mut env = docker.clone();
    env.push(("PATH", path));
    let out = world.pull(&["--engine", "docker", &image], &env);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(dockerd.repo_digests(&image), Some(vec![pinned.clone()]));

    // containers' auth.json ($REGISTRY_AUTH_FILE), for podman and vouch.
    std::fs::remove_file(home.path(".docker/config.json")).unwrap();
    std::fs::write(home.path("auth.json"), &auths).unwrap();
    let mut env = Podman::env(&podman);
    env.push((
        "REGISTRY_AUTH_FILE",
        home.path("auth.json").display().to_string(),
    ));
    let out = world.pull(&["--engine", "podman", &image], &env);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert_eq!(podman.repo_digests(&image), Some(vec![pinned]));
}

#[test]
fn docker_vouch_pull_works_through_the_docker_cli_plugin() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let Some(dockerd) = Dockerd::start() else {
        return;
    };
    let world = World::new(registry);
    let home = &world.setup.home;
    let config = home.path("docker-config");
    let install = |force: bool| {
        let mut cmd = world.setup.vouch();
        cmd.env("DOCKER_CONFIG", &config)
            .args(["install", "docker-plugin"]);
        if force {
            cmd.arg("--force");
        }
        cmd.output().unwrap()
    };
    let out = install(false);
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(install(false).status.success(), "installing twice is fine");
    let docker = |args: &[&str]| {
        StdCommand::new("docker")
            .env("DOCKER_CONFIG", &config)
            .env("DOCKER_HOST", &dockerd.host)
            .env("HOME", home.path(""))
            .env("VOUCH_SOCKET", &world.setup.daemon.socket)
            .env("XDG_STATE_HOME", home.path("state"))
            .args(args)
            .output()
            .unwrap()
    };
    let out = docker(&["--help"]);
    assert!(
        text(&out).contains("vouch*") && text(&out).contains("reviewed"),
        "{}",
        text(&out)
    );
    let out = docker(&["vouch", "--help"]);
    assert!(
        out.status.success() && text(&out).contains("pull"),
        "{}",
        text(&out)
    );
    assert!(text(&out).contains("docker vouch"), "{}", text(&out));

    let digest = world
        .registry
        .push_layered(&home.path(""), "team/app", "1.0", "plugin", 4096);
    let image = format!("{}:1.0", world.repo("team/app"));
    let pull = || {
        let addr = world.registry.addr.as_str();
        docker(&["vouch", "pull", "--insecure-registry", addr, &image])
    };
    let out = pull();
    assert_eq!(code(&out), 1, "not reviewed yet: {}", text(&out));
    world.review("team/app", &digest, "trusted");
    let out = pull();
    assert_eq!(code(&out), 0, "{}", text(&out));
    let pinned = format!("{}@{digest}", world.repo("team/app"));
    assert_eq!(dockerd.repo_digests(&image), Some(vec![pinned]));

    // Another file in the plugin's place is not replaced without --force.
    let plugin = config.join("cli-plugins/docker-vouch");
    std::fs::remove_file(&plugin).unwrap();
    std::fs::write(&plugin, "#!/bin/sh\n").unwrap();
    let out = install(false);
    assert_eq!(code(&out), 2, "{}", text(&out));
    assert!(text(&out).contains("--force"), "{}", text(&out));
    assert_eq!(code(&install(true)), 0);
    assert_eq!(
        std::fs::read_link(&plugin).unwrap().canonicalize().unwrap(),
        bin("vouch").canonicalize().unwrap()
    );
}

#[test]
fn shell_init_routes_docker_and_podman_pull_through_vouch() {
    let home = crate::support::Home::new();
    let bin_dir = bin("vouch").parent().unwrap().to_path_buf();
    for shell in ["bash", "zsh", "fish"] {
        if !crate::support::on_path(shell) {
            crate::support::missing_peer(shell, "apt-get install zsh fish");
            continue;
        }
        let out = home.vouch().args(["shell-init", shell]).output().unwrap();
        assert!(out.status.success());
        let script = String::from_utf8(out.stdout).unwrap();
        // `docker pull` goes to vouch (here with no registry: vouch's own error, exit 2);
        // other subcommands go to the engine itself.
        let run = |line: &str| {
            StdCommand::new(shell)
                .arg("-c")
                .arg(format!("{script}\n{line}"))
                .env(
                    "PATH",
                    format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap()),
                )
                .env("VOUCH_SOCKET", home.path("none.sock"))
                .env("HOME", home.path(""))
                .output()
                .unwrap()
        };
        for engine in ["docker", "podman"] {
            let out = run(&format!("{engine} pull --dry-run 127.0.0.1:9/x:1"));
            assert_eq!(code(&out), 2, "{shell}: {}", text(&out));
            assert!(
                text(&out).contains("vouch: error"),
                "{shell}: {}",
                text(&out)
            );
            let out = run(&format!("{engine} image pull --dry-run 127.0.0.1:9/x:1"));
            assert_eq!(code(&out), 2, "{shell}: {}", text(&out));
            assert!(
                text(&out).contains("vouch: error"),
                "{shell}: {}",
                text(&out)
            );
            // Options before the subcommand: refused, the engine never runs.
            for line in [
                format!("{engine} --context other pull 127.0.0.1:9/x:1"),
                format!("{engine} -D pull 127.0.0.1:9/x:1"),
                format!("{engine} --log-level=info pull 127.0.0.1:9/x:1"),
            ] {
                let out = run(&line);
                assert_eq!(code(&out), 2, "{shell}: {line}: {}", text(&out));
                assert!(
                    text(&out).contains("not checked by vouch; run: vouch pull"),
                    "{shell}: {line}: {}",
                    text(&out)
                );
            }
            let show = if shell == "bash" { "type" } else { "functions" };
            let out = run(&format!("{show} {engine}"));
            let routed = format!("vouch pull --engine {engine}");
            assert!(text(&out).contains(&routed), "{shell}: {}", text(&out));
        }
        for line in [
            "docker --version",
            "docker image --help",
            "docker -D --version",
        ] {
            let out = run(line);
            assert!(
                out.status.success() && text(&out).contains("ocker"),
                "{shell}: {line}: {}",
                text(&out)
            );
        }
    }
}

#[test]
fn check_resolves_a_tag_and_names_the_digest_it_checked() {
    let Some(world) = World::start() else {
        return;
    };
    let home = &world.setup.home;
    let digest = world.reviewed("team/app", "1.0", "checked");
    let image = format!("{}:1.0", world.repo("team/app"));
    let check = || {
        world
            .setup
            .vouch()
            .args([
                "check",
                "--json",
                "--insecure-registry",
                &world.registry.addr,
                &image,
            ])
            .output()
            .unwrap()
    };
    let out = check();
    assert_eq!(code(&out), 0, "{}", text(&out));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["digest"], digest.as_str());
    assert_eq!(answer["resolvedFrom"], image.as_str());
    let moved = world
        .registry
        .push(&home.path(""), "team/app", "1.0", "moved");
    let out = check();
    assert_eq!(code(&out), 1, "{}", text(&out));
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["digest"], moved.as_str());
}

#[test]
fn a_warn_mode_rule_pulls_what_is_not_trusted_and_says_so() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let Some(podman) = Podman::new(&[&registry.addr]) else {
        return;
    };
    let world = World::new(registry);
    let home = &world.setup.home;
    let policy = home.path("warn.toml");
    let warned = format!("{}/team/*", world.registry.addr);
    let text_of_policy = format!(
        "version = 1\n\n[reviewers.alice]\nkey = {:?}\n\n[[rules]]\nscope = {warned:?}\nthreshold = 1\nmode = \"warn\"\n\n[[rules]]\nscope = \"*\"\nthreshold = 1\n",
        world.setup.public.display().to_string()
    );
    std::fs::write(&policy, text_of_policy).unwrap();
    let socket = home.path("run/warn.sock");
    let policy_arg = policy.display().to_string();
    let _daemon = crate::support::Daemon::start(
        &home.path("data/warn.db"),
        &socket,
        &[],
        &["--policy", &policy_arg],
    );
    let digest = world
        .registry
        .push_layered(&home.path(""), "team/app", "1.0", "warned", 4096);
    let mut env = Podman::env(&podman);
    env.push(("VOUCH_SOCKET", socket.display().to_string()));
    let image = format!("{}:1.0", world.repo("team/app"));
    let out = world.pull(&["--engine", "podman", "--json", &image], &env);
    assert_eq!(code(&out), 0, "{}", text(&out));
    let line: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(line["trusted"], false);
    assert_eq!(line["warned"], true);
    assert_eq!(line["pulled"], true);
    assert!(text(&out).contains("warning"), "{}", text(&out));
    let pinned = format!("{}@{digest}", world.repo("team/app"));
    assert_eq!(podman.repo_digests(&image), Some(vec![pinned]));
    // Outside the warn rule's scope, the same policy blocks.
    let other =
        world
            .registry
            .push_layered(&home.path(""), "elsewhere/app", "1.0", "blocked", 4096);
    let image = format!("{}:1.0", world.repo("elsewhere/app"));
    let out = world.pull(&["--engine", "podman", &image], &env);
    assert_eq!(code(&out), 1, "{} {other}", text(&out));
    assert_eq!(podman.repo_digests(&image), None);
}

#[test]
fn a_rejected_index_is_not_pulled_through_its_platform_manifest_and_check_agrees() {
    let Some(world) = World::start() else {
        return;
    };
    let work = world.setup.home.path("");
    let index = world
        .registry
        .push_index(&work, "team/multi", "1.0", "rejected");
    let (_, amd64) = index
        .platforms
        .iter()
        .find(|(p, _)| p == "linux/amd64")
        .unwrap();
    let image = format!("{}:1.0", world.repo("team/multi"));
    let check = || {
        world
            .setup
            .vouch()
            .args(["check", "--insecure-registry", &world.registry.addr, &image])
            .output()
            .unwrap()
    };
    let pull = || world.pull(&["--dry-run", "--platform", "linux/amd64", &image], &[]);
    // Only the amd64 manifest reviewed: pulled alone, and check says the same of the tag.
    world.review("team/multi", amd64, "trusted");
    let out = pull();
    assert_eq!(code(&out), 0, "{}", text(&out));
    assert!(
        text(&out).contains("only the linux/amd64 manifest"),
        "{}",
        text(&out)
    );
    if std::env::consts::ARCH == "x86_64" {
        let out = check();
        assert_eq!(code(&out), 0, "{}", text(&out));
        assert!(text(&out).contains(amd64.as_str()), "{}", text(&out));
    }
    // A reviewer rejects the index: nothing it lists is pulled, and check agrees.
    world.review("team/multi", &index.digest, "rejected");
    let out = pull();
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("nothing was pulled"), "{}", text(&out));
    let out = check();
    assert_eq!(code(&out), 1, "{}", text(&out));
    assert!(text(&out).contains("NOT TRUSTED"), "{}", text(&out));
}
