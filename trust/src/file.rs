//! Reading a policy file from disk: key paths in it are relative to the file's directory.

use std::path::Path;

use vouch_proto::Policy;

/// Reads and checks the policy at `path`. The error names the file, the line and the reason.
pub fn read_policy(path: &Path) -> Result<Policy, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("reading the policy {}: {e}", path.display()))?;
    let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
    let read_key = |key: &str| {
        std::fs::read_to_string(dir.join(key)).map_err(|e| format!("reading {key}: {e}"))
    };
    Policy::from_toml(&text, &read_key).map_err(|e| format!("{}: {e}", path.display()))
}
