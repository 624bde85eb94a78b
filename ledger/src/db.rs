//! Opening the SQLite file: pragmas, migrations, and the authorizer that refuses anything but
//! reads and inserts on the writer's connection.

use std::path::Path;

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::{Connection, OpenFlags};
use rusqlite_migration::{Migrations, M};

use crate::error::{DbContext, LedgerError};

/// The migrations, in order. Files in `schema/sql/` are never edited once landed.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![
        M::up(include_str!("../../schema/sql/0001_ledger.sql")),
        M::up(include_str!("../../schema/sql/0002_signed_content.sql")),
    ])
}

/// Opens (creating if needed) the database for writing, migrated to the latest schema, with
/// WAL and fully synchronous commits so that an acknowledged append survives a crash.
pub fn open_writer(path: &Path) -> Result<Connection, LedgerError> {
    let name = path.display().to_string();
    let mut conn = Connection::open(path).db(&name)?;
    conn.pragma_update(None, "journal_mode", "WAL").db(&name)?;
    conn.pragma_update(None, "synchronous", "FULL").db(&name)?;
    conn.pragma_update(None, "foreign_keys", "ON").db(&name)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .db(&name)?;
    migrations()
        .to_latest(&mut conn)
        .map_err(|e| LedgerError::Setup {
            path: name.clone(),
            message: format!("migrating the schema: {e}"),
        })?;
    conn.authorizer(Some(append_only)).db(&name)?;
    Ok(conn)
}

/// Opens an existing database read-only (audits, proofs, queries). Does not migrate.
pub fn open_reader(path: &Path) -> Result<Connection, LedgerError> {
    let name = path.display().to_string();
    if !path.exists() {
        return Err(LedgerError::NotALedger {
            path: name,
            message: "no such file".into(),
        });
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .db(&name)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .db(&name)?;
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('log_meta', 'entries', 'tree_hashes', 'checkpoints')",
            [],
            |row| row.get(0),
        )
        .map_err(|e| LedgerError::NotALedger {
            path: name.clone(),
            message: e.to_string(),
        })?;
    if tables != 4 {
        return Err(LedgerError::NotALedger {
            path: name,
            message: "the ledger tables are missing".into(),
        });
    }
    Ok(conn)
}

/// The writer's authorizer: reads, inserts and transactions only. Triggers already abort
/// UPDATE and DELETE; this also stops DROP, ALTER, new triggers and ATTACH from any code path
/// on this connection.
fn append_only(ctx: AuthContext<'_>) -> Authorization {
    match ctx.action {
        AuthAction::Delete { .. }
        | AuthAction::Update { .. }
        | AuthAction::DropTable { .. }
        | AuthAction::DropTempTable { .. }
        | AuthAction::DropTrigger { .. }
        | AuthAction::DropTempTrigger { .. }
        | AuthAction::DropIndex { .. }
        | AuthAction::DropTempIndex { .. }
        | AuthAction::DropView { .. }
        | AuthAction::DropTempView { .. }
        | AuthAction::DropVtable { .. }
        | AuthAction::AlterTable { .. }
        | AuthAction::CreateTrigger { .. }
        | AuthAction::CreateTempTrigger { .. }
        | AuthAction::CreateTable { .. }
        | AuthAction::Attach { .. }
        | AuthAction::Detach { .. } => Authorization::Deny,
        _ => Authorization::Allow,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }
}
