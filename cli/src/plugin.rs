//! Running as the Docker CLI plugin `docker-vouch` (see `vouch install docker-plugin`): docker
//! asks `docker-vouch docker-cli-plugin-metadata` for the plugin's description, then runs
//! `docker-vouch vouch ARGS...` for `docker vouch ARGS...`.

use std::ffi::OsString;

use serde::Serialize;

use crate::cmd::install::PLUGIN_NAME;

/// The plugin metadata docker reads (CLI plugin protocol, schema 0.1.0).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Metadata {
    schema_version: &'static str,
    vendor: &'static str,
    version: &'static str,
    short_description: &'static str,
    #[serde(rename = "URL")]
    url: &'static str,
}

/// What this process was started as.
pub enum Invocation {
    /// `vouch ...`, or `docker vouch ...` with docker's plugin prefix removed: these arguments.
    Vouch {
        /// The arguments, the program name first.
        args: Vec<OsString>,
        /// Run by docker as its plugin.
        plugin: bool,
    },
    /// Docker asking for the plugin's metadata: this JSON.
    Metadata(String),
}

/// Reads the process arguments.
pub fn invocation(args: Vec<OsString>) -> Invocation {
    let as_plugin = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_name())
        .is_some_and(|name| name == PLUGIN_NAME);
    if !as_plugin {
        return Invocation::Vouch {
            args,
            plugin: false,
        };
    }
    if args
        .get(1)
        .is_some_and(|a| a == "docker-cli-plugin-metadata")
    {
        let metadata = Metadata {
            schema_version: "0.1.0",
            vendor: "Vouch",
            version: env!("CARGO_PKG_VERSION"),
            short_description: "Pull only images that were reviewed, by digest",
            url: env!("CARGO_PKG_REPOSITORY"),
        };
        // Infallible: a struct of strings.
        return Invocation::Metadata(serde_json::to_string(&metadata).unwrap_or_default());
    }
    let mut rest: Vec<OsString> = vec!["docker vouch".into()];
    let skip = if args.get(1).is_some_and(|a| a == "vouch") {
        2
    } else {
        1
    };
    rest.extend(args.into_iter().skip(skip));
    Invocation::Vouch {
        args: rest,
        plugin: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn docker_gets_metadata_and_its_prefix_is_removed() {
        let Invocation::Metadata(json) = invocation(os(&[
            "/root/.docker/cli-plugins/docker-vouch",
            "docker-cli-plugin-metadata",
        ])) else {
            panic!("expected metadata");
        };
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["SchemaVersion"], "0.1.0");
        assert!(value["ShortDescription"]
            .as_str()
            .unwrap()
            .contains("reviewed"));
        let Invocation::Vouch { args, plugin } =
            invocation(os(&["docker-vouch", "vouch", "pull", "ubuntu"]))
        else {
            panic!("expected a command");
        };
        assert!(plugin);
        assert_eq!(args, os(&["docker vouch", "pull", "ubuntu"]));
        let Invocation::Vouch { args, plugin } = invocation(os(&["/usr/bin/vouch", "pull", "x"]))
        else {
            panic!("expected a command");
        };
        assert!(!plugin);
        assert_eq!(args, os(&["/usr/bin/vouch", "pull", "x"]));
    }
}
