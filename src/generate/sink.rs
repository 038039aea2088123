//! Row sinks for generated data: CSV streamed through a buffer, Parquet
//! written in batches of [`BATCH`] rows, so any size fits in memory.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use polars::prelude::*;

pub const BATCH: usize = 1 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Str,
    Int,
    Float,
    Bool,
    /// Days since 1970-01-01.
    Date,
    /// Seconds since 1970-01-01 00:00:00.
    DateTime,
}

#[derive(Debug, Clone, Copy)]
pub enum Field<'a> {
    S(&'a str),
    I(i64),
    F(f64),
    B(bool),
    D(i32),
    T(i64),
    Null,
}

pub trait Sink {
    fn row(&mut self, fields: &[Field]) -> io::Result<()>;
    fn finish(self: Box<Self>) -> io::Result<()>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Csv,
    Parquet,
}

impl OutFormat {
    pub fn ext(self) -> &'static str {
        match self {
            OutFormat::Csv => "csv",
            OutFormat::Parquet => "parquet",
        }
    }
}

pub fn open(path: &Path, format: OutFormat, schema: &[(&str, Kind)]) -> io::Result<Box<dyn Sink>> {
    let f = File::create(path)?;
    Ok(match format {
        OutFormat::Csv => Box::new(CsvSink::new(f, schema)?),
        OutFormat::Parquet => Box::new(ParquetSink::new(f, schema)?),
    })
}

fn civil(days: i32) -> (i32, u32, u32) {
    let d = chrono::NaiveDate::from_num_days_from_ce_opt(days + 719_163).expect("date in range");
    use chrono::Datelike;
    (d.year(), d.month(), d.day())
}

struct CsvSink {
    w: BufWriter<File>,
    days: std::collections::HashMap<i32, [u8; 10]>,
    buf: String,
}

impl CsvSink {
    fn new(f: File, schema: &[(&str, Kind)]) -> io::Result<Self> {
        let mut w = BufWriter::with_capacity(1 << 20, f);
        let header: Vec<&str> = schema.iter().map(|s| s.0).collect();
        writeln!(w, "{}", header.join(","))?;
        Ok(CsvSink {
            w,
            days: Default::default(),
            buf: String::new(),
        })
    }

    fn day(&mut self, d: i32) -> [u8; 10] {
        *self.days.entry(d).or_insert_with(|| {
            let (y, m, dd) = civil(d);
            let s = format!("{y:04}-{m:02}-{dd:02}");
            s.as_bytes().try_into().expect("10 bytes")
        })
    }
}

impl Sink for CsvSink {
    fn row(&mut self, fields: &[Field]) -> io::Result<()> {
        use std::fmt::Write as _;
        self.buf.clear();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                self.buf.push(',');
            }
            match *f {
                Field::S(s) => {
                    if s.contains([',', '"', '\n']) {
                        self.buf.push('"');
                        self.buf.push_str(&s.replace('"', "\"\""));
                        self.buf.push('"');
                    } else {
                        self.buf.push_str(s);
                    }
                }
                Field::I(x) => write!(self.buf, "{x}").unwrap(),
                Field::F(x) => write!(self.buf, "{x}").unwrap(),
                Field::B(b) => self.buf.push_str(if b { "true" } else { "false" }),
                Field::D(d) => {
                    let s = self.day(d);
                    self.buf.push_str(std::str::from_utf8(&s).unwrap());
                }
                Field::T(t) => {
                    let d = t.div_euclid(86_400) as i32;
                    let s = t.rem_euclid(86_400);
                    let day = self.day(d);
                    self.buf.push_str(std::str::from_utf8(&day).unwrap());
                    write!(
                        self.buf,
                        " {:02}:{:02}:{:02}",
                        s / 3600,
                        s / 60 % 60,
                        s % 60
                    )
                    .unwrap();
                }
                Field::Null => {}
            }
        }
        self.buf.push('\n');
        self.w.write_all(self.buf.as_bytes())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.w.flush()
    }
}

enum Buf {
    S(Vec<Option<String>>),
    I(Vec<Option<i64>>),
    F(Vec<Option<f64>>),
    B(Vec<Option<bool>>),
    D(Vec<Option<i32>>),
    T(Vec<Option<i64>>),
}

struct ParquetSink {
    names: Vec<String>,
    bufs: Vec<Buf>,
    writer: polars::io::parquet::write::BatchedWriter<File>,
    rows: usize,
}

fn pl(e: PolarsError) -> io::Error {
    io::Error::other(e.to_string())
}

impl ParquetSink {
    fn new(f: File, schema: &[(&str, Kind)]) -> io::Result<Self> {
        let mut s = Schema::default();
        for (n, k) in schema {
            let dt = match k {
                Kind::Str => DataType::String,
                Kind::Int => DataType::Int64,
                Kind::Float => DataType::Float64,
                Kind::Bool => DataType::Boolean,
                Kind::Date => DataType::Date,
                Kind::DateTime => DataType::Datetime(TimeUnit::Microseconds, None),
            };
            s.with_column((*n).into(), dt);
        }
        let writer = ParquetWriter::new(f).batched(&s).map_err(pl)?;
        let mut me = ParquetSink {
            names: schema.iter().map(|s| s.0.to_string()).collect(),
            bufs: Vec::new(),
            writer,
            rows: 0,
        };
        me.bufs = schema.iter().map(|(_, k)| Self::empty(*k)).collect();
        Ok(me)
    }

    fn empty(k: Kind) -> Buf {
        match k {
            Kind::Str => Buf::S(Vec::new()),
            Kind::Int => Buf::I(Vec::new()),
            Kind::Float => Buf::F(Vec::new()),
            Kind::Bool => Buf::B(Vec::new()),
            Kind::Date => Buf::D(Vec::new()),
            Kind::DateTime => Buf::T(Vec::new()),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let mut cols = Vec::new();
        for (name, b) in self.names.iter().zip(self.bufs.iter_mut()) {
            let n: PlSmallStr = name.as_str().into();
            let c = match b {
                Buf::S(v) => Column::new(n, std::mem::take(v)),
                Buf::I(v) => Column::new(n, std::mem::take(v)),
                Buf::F(v) => Column::new(n, std::mem::take(v)),
                Buf::B(v) => Column::new(n, std::mem::take(v)),
                Buf::D(v) => Column::new(n, std::mem::take(v))
                    .cast(&DataType::Date)
                    .map_err(pl)?,
                Buf::T(v) => Column::new(n, std::mem::take(v))
                    .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
                    .map_err(pl)?,
            };
            cols.push(c);
        }
        let df = DataFrame::new(self.rows, cols).map_err(pl)?;
        self.writer.write_batch(&df).map_err(pl)?;
        self.rows = 0;
        Ok(())
    }
}

impl Sink for ParquetSink {
    fn row(&mut self, fields: &[Field]) -> io::Result<()> {
        for (b, f) in self.bufs.iter_mut().zip(fields) {
            match (b, *f) {
                (Buf::S(v), Field::S(s)) => v.push(Some(s.to_string())),
                (Buf::I(v), Field::I(x)) => v.push(Some(x)),
                (Buf::F(v), Field::F(x)) => v.push(Some(x)),
                (Buf::B(v), Field::B(x)) => v.push(Some(x)),
                (Buf::D(v), Field::D(x)) => v.push(Some(x)),
                (Buf::T(v), Field::T(x)) => v.push(Some(x * 1_000_000)),
                (Buf::S(v), Field::Null) => v.push(None),
                (Buf::I(v), Field::Null) => v.push(None),
                (Buf::F(v), Field::Null) => v.push(None),
                (Buf::B(v), Field::Null) => v.push(None),
                (Buf::D(v), Field::Null) => v.push(None),
                (Buf::T(v), Field::Null) => v.push(None),
                _ => {
                    return Err(io::Error::other(
                        "generated field does not match its column kind",
                    ));
                }
            }
        }
        self.rows += 1;
        if self.rows >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.flush()?;
        self.writer.finish().map_err(pl)?;
        Ok(())
    }
}
