//! Every Dockerfile check as a named rule, in the manner of hadolint's DL codes: a code that never
//! changes (a rule that goes away leaves its code unused), the kind of finding, a title, and help
//! text. A finding's id is its rule's code and a hash of what the finding is about (an image, a
//! URL, a path, a package set, and the facts that decide its weight: whether a download is
//! verified, whether sudoers gives NOPASSWD), never of its wording or its line, so rewording a
//! message or moving a line keeps every id that signed checklists and answers files refer to,
//! while a change a reviewer must look at again (`vouch review --diff`) gives a new id.
//!
//! Codes by family: VR1xx base images, VR2xx packages and their sources, VR3xx downloads, VR4xx
//! what the container runs, VR5xx privilege, VR6xx secrets.

use vouch_proto::findings::FindingKind;

/// One check.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// The code, e.g. `VR301`. Never changes, never reused.
    pub code: &'static str,
    /// The kind of finding it makes.
    pub kind: FindingKind,
    /// What it finds, in a few words.
    pub title: &'static str,
    /// Why it matters and what a reviewer does about it.
    pub help: &'static str,
}

macro_rules! rules {
    ($($name:ident = $code:literal, $kind:ident, $title:literal, $help:literal;)*) => {
        $(
            #[doc = $title]
            pub const $name: Rule = Rule {
                code: $code,
                kind: FindingKind::$kind,
                title: $title,
                help: $help,
            };
        )*
        /// Every rule, in code order.
        pub const ALL: &[&Rule] = &[$(&$name),*];
    };
}

rules! {
    BASE_PINNED = "VR101", BaseImage, "An external image, pinned by digest",
        "The build starts from this image: is it trusted (reviewed, official, built traceably)? Its digest is recorded in the review.";
    BASE_TAG = "VR102", BaseImage, "An external image by tag only",
        "A tag can move to other content. Pin the image by digest (image@sha256:...) and record it with --base or --resolve-base.";
    BASE_UNTAGGED = "VR103", BaseImage, "An external image with no tag, or latest",
        "Whatever is newest gets built in. Pin the image by digest (image@sha256:...).";
    PACKAGES = "VR201", PackageInstall, "Packages installed by a package manager",
        "Are these packages, and the repositories they come from, trusted? Pin versions (and hashes where the manager supports them) so a rebuild installs the same code.";
    PACKAGE_SOURCE = "VR202", PackageInstall, "A package repository or signing key added",
        "A new repository or key decides what every later install trusts: who runs it, and is the key checked against a known fingerprint?";
    SUDO = "VR203", Privilege, "sudo or doas installed",
        "Why does the container need sudo? Check who may use it and whether the image runs as a non-root user at all.";
    PACKAGE_CONFIG = "VR204", PackageInstall, "Package or download checks changed by configuration",
        "An index, registry, proxy or TLS setting in the environment or a config file decides what every later install fetches and whether it is checked. Is the source trusted, and why are checks off?";
    TLS_ROOT = "VR205", PackageInstall, "A TLS root certificate added",
        "A new root certificate lets whoever holds its key impersonate any HTTPS server to the build and the container. Whose is it, and is it needed?";
    DOWNLOAD_RUN = "VR301", Download, "A download in RUN",
        "Fetch it yourself, read it, and record the sha256 of what you reviewed (--download URL=sha256:HEX); better, verify it in the Dockerfile.";
    DOWNLOAD_ADD = "VR302", Download, "A download by ADD",
        "Fetch it yourself, read it, and record its sha256; pin it in the Dockerfile with ADD --checksum=sha256:....";
    NETWORK = "VR303", Download, "A network connection opened by the build",
        "Raw connections (nc, socat, ssh, /dev/tcp) fetch or send data no checksum covers. What is fetched or sent, and from where?";
    RUNTIME_FETCH = "VR304", Download, "Something fetched when the container runs",
        "Code or data fetched at run time is not in the image you reviewed: whatever the server sends then is what runs. Put it in the image, verified, instead.";
    RUNS = "VR401", Entrypoint, "What the container runs (ENTRYPOINT, CMD)",
        "Read the program or script it runs and its arguments; a script copied or downloaded in must be reviewed like code.";
    HEALTHCHECK = "VR402", Entrypoint, "What the container runs to check its health (HEALTHCHECK)",
        "The health check runs inside the container for its whole life: read the command like the entrypoint.";
    USER_NAMED = "VR501", Privilege, "The container runs as a named user",
        "Check that the user exists in the image and is not given root through sudo or setuid binaries.";
    USER_ROOT = "VR502", Privilege, "The container runs as root",
        "A process running as root in the container is one kernel bug away from root on the host. Can it run as an unprivileged user?";
    USER_MISSING = "VR503", Privilege, "No USER in the final stage",
        "The container runs as the base image's user, usually root. Can it run as an unprivileged user?";
    PRIVILEGED_GROUP = "VR504", Privilege, "A user added to a group that can become root",
        "Members of sudo, wheel, admin, root or docker can become root. Does the container need that?";
    SUDOERS = "VR505", Privilege, "sudoers edited",
        "Who gets root through sudo, and without a password? A container rarely needs it.";
    ACCOUNT_FILES = "VR506", Privilege, "Account files written directly",
        "Direct edits of /etc/passwd, shadow or group can add users or empty passwords: read exactly what is written.";
    PASSWORD = "VR507", Privilege, "A password set in the image",
        "A password baked into the image is known to everyone who has the image.";
    SETUID = "VR508", Privilege, "setuid or setgid set",
        "A setuid binary runs with its owner's rights for any user. Is it needed, and is the binary trustworthy?";
    CAPABILITIES = "VR509", Privilege, "File capabilities set",
        "File capabilities grant root powers to a binary. Which capability, and why?";
    INSECURE_BUILD = "VR510", Privilege, "A build step with full privileges (RUN --security=insecure)",
        "This step runs without the build sandbox, with the builder host's privileges. Why, and what does it do there?";
    LOADER = "VR511", Privilege, "Loader or login configuration changed",
        "ld.so.preload, LD_PRELOAD, the loader's paths and PAM decide what code every program loads and who may log in. Read exactly what is written.";
    PROXY = "VR601", Secret, "A proxy passed through the build",
        "The build's downloads go through this proxy, which can change them; as ENV it also stays in the image.";
    CREDENTIAL = "VR602", Secret, "A credential in ENV or ARG",
        "ARG values are recorded in the image history and ENV values stay in the image: use a build secret (RUN --mount=type=secret) and rotate anything already published.";
    URL_CREDENTIAL = "VR603", Secret, "A credential in a URL",
        "A user name and password or token in a URL end up in the image history and in logs: use a build secret, and rotate this one.";
    UNREADABLE = "VR701", Code, "Could not analyse: review by hand",
        "The review could not read this code, so it cannot say what it does: read it yourself before you sign.";
    GENERATED_CODE = "VR702", Code, "Code run from a string, a pipe or inline interpreter code",
        "eval, sh -c of a built string, a shell reading a pipe, and inline Python, Perl or PowerShell hide what runs from a line-by-line reading. Read the code; decode what is encoded.";
    UNFIXED_VALUE = "VR703", Code, "A value the Dockerfile does not fix",
        "This value comes from a build argument without a default or a variable the Dockerfile never sets, so whoever runs the build (or the base image) decides it. Give it a default you reviewed.";
    ONBUILD = "VR704", Code, "An ONBUILD trigger",
        "This instruction runs in every image built FROM this one, not in this one. Review it as part of those builds.";
    SHELL = "VR705", Code, "SHELL changes the program that runs RUN",
        "Later RUN instructions are run by this program instead of /bin/sh -c: read them as its language.";
}

/// The rule with `code`, if there is one.
pub fn by_code(code: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's rule list (the target of SARIF's helpUri) is this table.
    #[test]
    fn the_readme_lists_every_rule() {
        let readme = include_str!("../../README.md");
        for rule in ALL {
            let row = format!(
                "| <a id=\"{}\"></a>{} | {} | {} | {} |",
                rule.code.to_lowercase(),
                rule.code,
                rule.kind.as_str(),
                rule.title,
                rule.help
            );
            assert!(readme.contains(&row), "README lacks: {row}");
        }
    }

    #[test]
    fn codes_are_unique_well_formed_and_ordered() {
        for pair in ALL.windows(2) {
            assert!(
                pair[0].code < pair[1].code,
                "{} before {}",
                pair[0].code,
                pair[1].code
            );
        }
        for rule in ALL {
            assert!(
                rule.code.len() == 5 && rule.code.starts_with("VR"),
                "{}",
                rule.code
            );
            assert_eq!(by_code(rule.code), Some(*rule));
        }
    }
}
