//! The register as a file (docs/scheme.md section 3): written out at
//! each run as its `objections.csv`, and taken in at a first start.
//!
//! A first start's register: when the database holds no objection yet
//! and the scheme names a register file in the data directory, its rows
//! are taken into the database once (audited as `register.import`), so
//! that an office moving from files to the workbench loses nothing. Rows
//! whose status is none (无) carry no objection and are not taken; the
//! rest are taken as written, and the next run checks them as it checks
//! any register (a bad row is rejected with its line).

use std::path::Path;

use sqlx::Row;

use super::config::Clock;
use super::db::Db;
use crate::data::objections::{COLUMNS, Status};
use crate::scheme::Scheme;

pub async fn seed(
    db: &Db,
    scheme: &Scheme,
    data: &Path,
    clock: &Clock,
) -> Result<u64, sqlx::Error> {
    let Some(file) = &scheme.objections.file else {
        return Ok(0);
    };
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM objections")
        .fetch_one(&db.pool)
        .await?
        .try_get("n")?;
    let path = data.join(file);
    if n > 0 || !path.is_file() {
        return Ok(0);
    }
    let bad = |e: String| sqlx::Error::Protocol(format!("{}: {e}", path.display()));
    let bytes = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
    // In the register's declared encoding (`[objections] encoding`).
    let text = match scheme.objections.encoding {
        crate::scheme::Encoding::Utf8 => bytes,
        crate::scheme::Encoding::Gb18030 => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .ok_or_else(|| bad("not GB18030 text, as [objections] encoding declares".into()))?
            .into_owned()
            .into_bytes(),
    };
    let body = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&text);
    let mut rd = csv::ReaderBuilder::new().flexible(true).from_reader(body);
    let head = rd.headers().map_err(|e| bad(e.to_string()))?.clone();
    let col = |c: &str| head.iter().position(|h| h.trim() == c);
    let idx: Vec<Option<usize>> = COLUMNS.iter().map(|c| col(c)).collect();
    let now = clock.now();
    let mut tx = db.begin().await?;
    let (mut taken, mut skipped) = (0u64, 0u64);
    for rec in rd.records() {
        let rec = rec.map_err(|e| bad(e.to_string()))?;
        let v: Vec<String> = idx
            .iter()
            .map(|i| i.and_then(|i| rec.get(i)).unwrap_or("").trim().to_string())
            .collect();
        let status = match Status::parse(&v[5]) {
            Some(Status::Pending) => "pending",
            Some(Status::Upheld) => "upheld",
            Some(Status::Rejected) => "rejected",
            _ => {
                skipped += 1;
                continue;
            }
        };
        let r = sqlx::query(
            "INSERT INTO objections (dataset, record_key, unit_id, filed_on, reason, status, decided_on, reply, filed_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'import') ON CONFLICT (dataset, record_key) DO NOTHING",
        )
        .bind(v[0].clone())
        .bind(v[1].clone())
        .bind(v[2].clone())
        .bind(v[3].clone())
        .bind(v[4].clone())
        .bind(status)
        .bind(Some(v[6].clone()).filter(|d| !d.is_empty()))
        .bind(v[7].clone())
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 1 {
            taken += 1;
        } else {
            skipped += 1;
        }
    }
    super::audit::append(
        &mut *tx,
        now,
        "system",
        "register.import",
        &path.display().to_string(),
        None,
        Some(serde_json::json!({"taken": taken, "not_taken": skipped})),
    )
    .await?;
    tx.commit().await?;
    Ok(taken)
}

/// The register's rows, one per record: each objection in filing order,
/// with its record's approved repair date (if any) last; then each
/// approved repair on a record with no objection, with status `none`.
/// And whether any repair was approved.
pub async fn rows(db: &Db) -> Result<(Vec<Vec<String>>, bool), sqlx::Error> {
    let text = |r: &sqlx::any::AnyRow, c: &str| -> Result<String, sqlx::Error> {
        Ok(r.try_get::<Option<String>, _>(c)?.unwrap_or_default())
    };
    let fields = |r: &sqlx::any::AnyRow| -> Result<Vec<String>, sqlx::Error> {
        COLUMNS.iter().map(|c| text(r, c)).collect()
    };
    let objections = sqlx::query(
        "SELECT dataset, record_key, unit_id, filed_on, reason, status, decided_on, reply FROM objections ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    let repairs = sqlx::query(
        "SELECT dataset, record_key, unit_id, filed_on, reason, status, decided_on, reply, repaired_on FROM repairs WHERE status = 'approved' ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await?;
    let mut repaired: std::collections::HashMap<(String, String), String> = Default::default();
    for r in &repairs {
        repaired.insert(
            (text(r, "dataset")?, text(r, "record_key")?),
            text(r, "repaired_on")?,
        );
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut objected = std::collections::HashSet::new();
    for r in &objections {
        let mut v = fields(r)?;
        let k = (v[0].clone(), v[1].clone());
        v.push(repaired.get(&k).cloned().unwrap_or_default());
        objected.insert(k);
        rows.push(v);
    }
    for r in &repairs {
        let mut v = fields(r)?;
        if objected.contains(&(v[0].clone(), v[1].clone())) {
            continue;
        }
        v[5] = "none".into();
        v.push(text(r, "repaired_on")?);
        rows.push(v);
    }
    Ok((rows, !repairs.is_empty()))
}

/// The register as the run's `objections.csv`: UTF-8 with a BOM, the
/// columns of docs/scheme.md section 3, the [`rows`]. The `repaired_on`
/// column is written only when some repair was approved. The number of
/// rows with it.
pub async fn export(db: &Db) -> Result<(Vec<u8>, i64), sqlx::Error> {
    let (rows, with_repairs) = self::rows(db).await?;
    let mut w = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    let io = |e: csv::Error| sqlx::Error::Protocol(format!("objections.csv: {e}"));
    let mut header: Vec<&str> = COLUMNS.to_vec();
    if with_repairs {
        header.push(crate::data::objections::REPAIRED_ON);
    }
    w.write_record(&header).map_err(io)?;
    for v in &rows {
        let width = if with_repairs { v.len() } else { v.len() - 1 };
        w.write_record(&v[..width]).map_err(io)?;
    }
    let bytes = w.into_inner().map_err(|e| io(e.into_error().into()))?;
    Ok((bytes, rows.len() as i64))
}
