//! `govtrust objections import`: returned feedback forms (反馈表,
//! `feedback/UNIT.xlsx`) into the register. Each row marked 是否异议 = 是
//! becomes one pending objection, if the record counts against the form's
//! unit in the run the form came from (its `evidence.csv`); other marks
//! are refused with their file and row. A mark already in the register
//! (same dataset, record and unit) adds nothing, so importing a form
//! twice changes nothing. The register is appended atomically: its bytes
//! are kept as they are and the new rows follow, written to a temporary
//! file beside it, synced, and renamed over it.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader};
use chrono::NaiveDate;

use super::COLUMNS;

/// One refused mark, with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub file: PathBuf,
    /// The sheet row (the header is row 1).
    pub row: u32,
    pub record_key: String,
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Imported {
    /// New register rows: (dataset, record_key, unit_id, reason).
    pub added: Vec<(String, String, String, String)>,
    /// Marks already in the register.
    pub already: usize,
    pub refused: Vec<Refused>,
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{}: {message}", path.display())]
    File { path: PathBuf, message: String },
}

fn err(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError::File {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The records that count against each unit in a run: (unit_id,
/// dataset, record_key), from its `evidence.csv`.
pub fn evidence_keys(run_dir: &Path) -> Result<Keys, ImportError> {
    let path = run_dir.join("evidence.csv");
    let mut r = csv::ReaderBuilder::new().from_path(&path).map_err(|e| {
        err(
            &path,
            format!("{e}; hint: --run names the report the forms came from"),
        )
    })?;
    let head = r.headers().map_err(|e| err(&path, e.to_string()))?.clone();
    let col = |n: &str| {
        head.iter()
            .position(|h| h.trim_start_matches('\u{feff}') == n)
            .ok_or_else(|| {
                err(
                    &path,
                    format!("no column {n:?}: not a govtrust evidence.csv"),
                )
            })
    };
    let (u, d, k) = (col("unit_id")?, col("dataset")?, col("record_key")?);
    let mut out = HashSet::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| err(&path, e.to_string()))?;
        out.insert((rec[u].to_string(), rec[d].to_string(), rec[k].to_string()));
    }
    Ok(out)
}

/// The marks of one form: (sheet row, unit_id, dataset, record_key,
/// reason) for each row whose 是否异议 is 是 (or 1, Y, yes, true).
#[allow(clippy::type_complexity)]
fn marks(path: &Path) -> Result<Vec<(u32, String, String, String, String)>, ImportError> {
    let mut wb = calamine::open_workbook_auto(path).map_err(|e| err(path, e.to_string()))?;
    let sheet = wb
        .worksheet_range_at(0)
        .ok_or_else(|| err(path, "the workbook has no sheet"))?
        .map_err(|e| err(path, e.to_string()))?;
    let mut rows = sheet.rows();
    let head: Vec<String> = rows
        .next()
        .ok_or_else(|| err(path, "the form is empty"))?
        .iter()
        .map(|c| c.to_string().trim().to_string())
        .collect();
    let col = |n: &str| {
        head.iter().position(|h| h == n).ok_or_else(|| {
            err(
                path,
                format!("no column {n:?}: not a govtrust feedback form (反馈表)"),
            )
        })
    };
    let (u, d, k, m, why) = (
        col("单位编码")?,
        col("数据集编码")?,
        col("记录编号")?,
        col("是否异议")?,
        col("异议理由")?,
    );
    let text = |r: &[Data], i: usize| {
        r.get(i)
            .map_or(String::new(), |c| c.to_string().trim().to_string())
    };
    let mut out = Vec::new();
    for (k0, r) in rows.enumerate() {
        let mark = text(r, m).to_lowercase();
        if ["是", "1", "y", "yes", "true"].contains(&mark.as_str()) {
            out.push((
                k0 as u32 + 2,
                text(r, u),
                text(r, d),
                text(r, k),
                text(r, why),
            ));
        }
    }
    Ok(out)
}

/// The register's (dataset, record_key, unit_id) rows, and its bytes;
/// empty if it does not exist yet.
/// (dataset, record_key, unit_id) of register rows, or of a run's records.
pub type Keys = HashSet<(String, String, String)>;

/// The register as it is on disk: its bytes, kept as they are, and how
/// new rows must be written to match them.
struct Existing {
    seen: Keys,
    bytes: Vec<u8>,
    /// GB18030 (a register saved by Excel on a Chinese Windows) rather
    /// than UTF-8.
    gb18030: bool,
    /// Its lines end in CRLF (as Excel writes them).
    crlf: bool,
    /// Fields a new row has: the header's.
    width: usize,
}

/// The register's text: UTF-8 (after a byte-order mark, if any) or, if
/// it is not, GB18030; anything else is an error naming the first bytes
/// that are neither, and the register is not touched.
fn register_text(register: &Path, bytes: &[u8]) -> Result<(String, bool), ImportError> {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Ok(t) = std::str::from_utf8(body) {
        return Ok((t.to_string(), false));
    }
    match encoding_rs::GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(t) => Ok((t.into_owned(), true)),
        None => Err(err(
            register,
            format!(
                "the register is neither UTF-8 nor GB18030 text{}; hint: save it again as CSV UTF-8 (or as CSV from Excel on a Chinese Windows)",
                crate::data::transcode::first_at(crate::data::transcode::first_malformed(
                    bytes,
                    encoding_rs::GB18030
                ))
            ),
        )),
    }
}

fn existing(register: &Path) -> Result<Existing, ImportError> {
    let bytes = match std::fs::read(register) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Existing {
                seen: HashSet::new(),
                bytes: Vec::new(),
                gb18030: false,
                crlf: false,
                width: COLUMNS.len(),
            });
        }
        Err(e) => return Err(err(register, e.to_string())),
    };
    let (text, gb18030) = register_text(register, &bytes)?;
    let crlf = text.find('\n').is_some_and(|i| text[..i].ends_with('\r'));
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let head: Vec<String> = r
        .headers()
        .map_err(|e| err(register, e.to_string()))?
        .iter()
        .map(|h| h.trim_start_matches('\u{feff}').trim().to_string())
        .collect();
    if head != COLUMNS {
        return Err(err(
            register,
            format!(
                "not an objection register: its header is {:?}, expected {}",
                head.join(","),
                COLUMNS.join(",")
            ),
        ));
    }
    let mut seen = HashSet::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| err(register, e.to_string()))?;
        let f = |i: usize| rec.get(i).unwrap_or("").trim().to_string();
        seen.insert((f(0), f(1), f(2)));
    }
    Ok(Existing {
        seen,
        bytes,
        gb18030,
        crlf,
        width: head.len(),
    })
}

/// Import `forms` into `register`, checked against the run's evidence;
/// new objections are filed on `filed_on`.
pub fn import(
    forms: &[PathBuf],
    register: &Path,
    evidence: &Keys,
    filed_on: NaiveDate,
) -> Result<Imported, ImportError> {
    let mut reg = existing(register)?;
    let mut out = Imported::default();
    for form in forms {
        let ms = marks(form)?;
        let unit = ms.first().map(|m| m.1.clone()).unwrap_or_default();
        for (row, u, d, k, why) in ms {
            let refuse = |reason: String| Refused {
                file: form.clone(),
                row,
                record_key: k.clone(),
                reason,
            };
            if u != unit {
                out.refused.push(refuse(format!(
                    "the row names unit {u}, the form is unit {unit}'s: one form, one unit"
                )));
            } else if !evidence.contains(&(u.clone(), d.clone(), k.clone())) {
                out.refused.push(refuse(format!(
                    "record {k} of dataset {d} does not count against unit {u} in this run: a unit may object only to its own records"
                )));
            } else if !reg.seen.insert((d.clone(), k.clone(), u.clone())) {
                out.already += 1;
            } else {
                out.added.push((d, k, u, why));
            }
        }
    }
    if !out.added.is_empty() {
        append(register, &reg, &out.added, filed_on)?;
    }
    Ok(out)
}

/// Write the register's bytes and the new rows, in the register's
/// encoding and line ends, to a temporary file beside it (beside the file
/// a symbolic link names, so the link stays a link), with the register's
/// permissions; sync, and rename it over the register.
fn append(
    register: &Path,
    reg: &Existing,
    rows: &[(String, String, String, String)],
    filed_on: NaiveDate,
) -> Result<(), ImportError> {
    let bytes = &reg.bytes[..];
    let end: &[u8] = if reg.crlf { b"\r\n" } else { b"\n" };
    let mut data = bytes.to_vec();
    if data.is_empty() {
        data.extend_from_slice("\u{feff}".as_bytes());
        data.extend_from_slice(COLUMNS.join(",").as_bytes());
        data.push(b'\n');
    } else if !data.ends_with(b"\n") {
        data.extend_from_slice(end);
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(match reg.crlf {
            true => csv::Terminator::CRLF,
            false => csv::Terminator::Any(b'\n'),
        })
        .from_writer(Vec::new());
    for (d, k, u, why) in rows {
        let filed = filed_on.to_string();
        let mut rec = vec![d.as_str(), k, u, &filed, why, "pending", "", ""];
        // As many fields as the register's header.
        rec.resize(reg.width.max(COLUMNS.len()), "");
        w.write_record(rec)
            .map_err(|e| err(register, e.to_string()))?;
    }
    let new = w.into_inner().map_err(|e| err(register, e.to_string()))?;
    if reg.gb18030 {
        // GB18030 encodes every Unicode character: nothing is replaced.
        let text = String::from_utf8(new).map_err(|e| err(register, e.to_string()))?;
        data.extend_from_slice(&encoding_rs::GB18030.encode(&text).0);
    } else {
        data.extend(new);
    }
    // A symbolic link is followed: its file gets the rows, the link stays.
    let target = match std::fs::symlink_metadata(register) {
        Ok(m) if m.file_type().is_symlink() => {
            std::fs::canonicalize(register).map_err(|e| err(register, e.to_string()))?
        }
        _ => register.to_path_buf(),
    };
    let permissions = std::fs::metadata(&target).ok().map(|m| m.permissions());
    let register = target.as_path();
    let dir = register
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = register.file_name().unwrap_or_default().to_string_lossy();
    let tmp = dir.join(format!(".{name}.govtrust-{}", std::process::id()));
    let io = |e: std::io::Error| err(register, e.to_string());
    let write = || -> std::io::Result<()> {
        // create_new: a file of that name that is not ours is refused,
        // never replaced.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(&data)?;
        if let Some(p) = &permissions {
            f.set_permissions(p.clone())?;
        }
        f.sync_all()?;
        std::fs::rename(&tmp, register)?;
        std::fs::File::open(dir)?.sync_all()
    };
    write().map_err(|e| {
        // Remove the temporary file only if this run made it.
        if e.kind() != std::io::ErrorKind::AlreadyExists {
            let _ = std::fs::remove_file(&tmp);
        }
        io(e)
    })
}
