//! Trust at the edges, on the input side (docs/scheme.md sections 1, 3, 5 and
//! 6): files outside the data directory, encodings, rows that are not
//! records, blank lines, edge files, status columns, `direction`, and
//! values the engine cannot score exactly. Each test names the finding
//! of issue 9 it covers.

mod common;
use common::*;

const UNITS: &str = "unit_id,unit_name,group\nA,甲局,dept\nB,乙局,dept\n";

/// A one-dataset scheme: `t.csv` with key, unit and a category, a share
/// of 投诉 tickets (`extra` appended to the dataset's columns table).
fn scheme(extra_columns: &str, encoding: &str) -> String {
    format!(
        r#"{HEADER}
[datasets.t]
file = "t.csv"
{encoding}
key = "k"
unit = "u"
[datasets.t.columns]
k = "string"
u = "string"
cat = "string"
{extra_columns}

[[indicator]]
id = "complaints"
weight = 1
dataset = "t"
measure = {{ kind = "share", where = "cat = '投诉'" }}
score = {{ kind = "target", target = 1, floor = 0 }}
"#
    )
}

fn fixture(rows: &str) -> Fixture {
    let f = Fixture::new();
    f.scheme("scheme.toml", &scheme("", ""))
        .data("units.csv", UNITS)
        .data("t.csv", &format!("k,u,cat\n{rows}"));
    f
}

fn reasons(run: &govtrust::run::Run) -> Vec<(u64, String, String)> {
    run.data
        .rejects
        .iter()
        .map(|r| (r.line, r.value.clone(), r.reason.clone()))
        .collect()
}

fn input<'a>(run: &'a govtrust::run::Run, ds: &str) -> &'a govtrust::data::InputFile {
    run.data.inputs.iter().find(|i| i.dataset == ds).unwrap()
}

// Finding 3: a symbolic link in the data directory is not followed out.
#[test]
fn a_symbolic_link_out_of_the_data_directory_is_refused_unread() {
    let f = fixture("1,A,投诉\n");
    let secret = f.dir.path().join("secret.csv");
    std::fs::write(&secret, "root:x:0:0:root:/root:/bin/bash\n").unwrap();
    std::fs::remove_file(f.data_dir().join("t.csv")).unwrap();
    std::os::unix::fs::symlink(&secret, f.data_dir().join("t.csv")).unwrap();
    let e = f.err();
    assert!(e.contains("t.csv") && e.contains("outside"), "{e}");
    assert!(!e.contains("root:x"), "the message quotes the file: {e}");
    // The same for the unit register.
    let f = fixture("1,A,投诉\n");
    std::fs::remove_file(f.data_dir().join("units.csv")).unwrap();
    std::os::unix::fs::symlink(&secret, f.data_dir().join("units.csv")).unwrap();
    let e = f.err();
    assert!(e.contains("units.csv") && e.contains("outside"), "{e}");
    assert!(!e.contains("root:x"), "{e}");
    // A link that stays inside the data directory is fine.
    let f = fixture("1,A,投诉\n");
    std::fs::rename(f.data_dir().join("t.csv"), f.data_dir().join("real.csv")).unwrap();
    std::os::unix::fs::symlink("real.csv", f.data_dir().join("t.csv")).unwrap();
    assert_eq!(f.run().measured.cells[0][0].n, 1);
}

// Finding 3, for the calendar and the scheme's own files.
#[test]
fn calendars_and_scheme_files_stay_inside_the_scheme_directory() {
    let f = fixture("1,A,投诉\n");
    let outside = f.dir.path().join("cal.toml");
    std::fs::write(&outside, "name = \"x\"\n").unwrap();
    std::os::unix::fs::symlink(&outside, f.scheme_dir().join("cal.toml.link")).unwrap();
    let text = scheme("", "").replace("period = {", "calendar = \"cal.toml.link\"\nperiod = {");
    f.scheme("scheme.toml", &text);
    let e = f.err();
    assert!(e.contains("cal.toml.link") && e.contains("outside"), "{e}");
    let f = fixture("1,A,投诉\n");
    std::os::unix::fs::symlink(&outside, f.scheme_dir().join("more.toml")).unwrap();
    let e = f.err();
    assert!(e.contains("more.toml") && e.contains("outside"), "{e}");
}

// Finding 4: a declared gb18030 on a UTF-8 file is an error, not garble.
#[test]
fn gb18030_declared_on_a_utf8_file_is_an_error_naming_both() {
    let f = fixture("1,A,投诉\n");
    f.scheme("scheme.toml", &scheme("", "encoding = \"gb18030\""));
    let e = f.err();
    assert!(e.contains("gb18030") && e.contains("UTF-8"), "{e}");
    assert!(e.contains("remove the line"), "{e}");
    // An ASCII file is the same in both: no error.
    let f = Fixture::new();
    f.scheme("scheme.toml", &scheme("", "encoding = \"gb18030\""))
        .data("units.csv", UNITS)
        .data("t.csv", "k,u,cat\n1,A,x\n");
    assert_eq!(f.run().measured.cells[0][0].n, 1);
}

// A UTF-16 file is decoded into a temporary file in TMPDIR
// (docs/scheme.md, "encoding"): a TMPDIR that cannot hold it is an error
// naming the data file, with a hint, and no report. A GB18030 file is
// decoded as it is read, with no copy: the same TMPDIR does not matter.
#[test]
fn a_utf16_file_without_room_for_its_copy_is_an_error_with_a_hint() {
    let f = Fixture::new();
    f.scheme("scheme.toml", &scheme("", ""))
        .data("units.csv", UNITS);
    f.bytes("t.csv", &utf16le("k,u,cat\n1,A,投诉\n2,A,咨询\n"));
    let out = f.dir.path().join("out");
    let run = |tmpdir: &std::path::Path| {
        assert_cmd::Command::cargo_bin("govtrust")
            .unwrap()
            .env("TMPDIR", tmpdir)
            .args(["assess", "--no-bulletin", "--scheme"])
            .arg(f.scheme_dir())
            .arg("--data")
            .arg(f.data_dir())
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap()
    };
    let nowhere = f.dir.path().join("no-such-dir");
    let o = run(&nowhere);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("t.csv") && e.contains("temporary file") && e.contains("set TMPDIR"),
        "{e}"
    );
    assert!(!out.exists());
    // 1 of A's 2 tickets is a complaint (投诉), a share of 0.5, half of
    // the target 1: with room, from UTF-16; without, from GB18030.
    let o = run(f.dir.path());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let values = read_csv(&out.join("values.csv"));
    assert_eq!(values[1][..5], ["A", "complaints", "0.5", "2", "0.5"]);
    std::fs::remove_dir_all(&out).unwrap();
    f.scheme("scheme.toml", &scheme("", "encoding = \"gb18030\""));
    let (gb, _, _) = encoding_rs::GB18030.encode("k,u,cat\n1,A,投诉\n2,A,咨询\n");
    f.bytes("t.csv", &gb);
    let o = run(&nowhere);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let values = read_csv(&out.join("values.csv"));
    assert_eq!(values[1][..5], ["A", "complaints", "0.5", "2", "0.5"]);
}

// A unit register in GB18030 is read whole (not window by window), its
// records decoded as a dataset's are: the names are Chinese again; its
// header too (列 "单位名称" is not a column, so the register is
// unit_id,unit_name,group then an attribute 备注).
#[test]
fn a_gb18030_unit_register_is_read_whole_and_decoded() {
    let f = Fixture::new();
    let header = HEADER.replace(
        "file = \"units.csv\"",
        "file = \"units.csv\"\nencoding = \"gb18030\"",
    );
    let text = scheme("", "").replace(HEADER, &header);
    f.scheme("scheme.toml", &text)
        .data("t.csv", "k,u,cat\n1,A,投诉\n2,B,咨询\n");
    let (gb, _, _) = encoding_rs::GB18030
        .encode("unit_id,unit_name,group,备注\nA,甲局,dept,\"一,二\"\nB,乙局,dept,\n");
    f.bytes("units.csv", &gb);
    let run = f.run();
    assert_eq!(run.data.units.names, ["甲局", "乙局"]);
    assert_eq!(
        run.data.units.attrs["备注"],
        [Some("一,二".to_string()), None]
    );
    // A: 1 of 1 tickets a complaint; B: 0 of 1.
    assert_eq!(cell(&run, "complaints", "A").value, Some(1.0));
    assert_eq!(cell(&run, "complaints", "B").value, Some(0.0));
    // Bytes in the register that are not GB18030: the error names the
    // register and the place.
    f.bytes("units.csv", &[&gb[..], b"C,\xFF\x20,dept,\n"].concat());
    let e = f.err();
    assert!(
        e.contains("units.csv") && e.contains("line 4, character 3: the bytes FF"),
        "{e}"
    );
}

// A GB18030 file with a header and no records is read as the same file
// in UTF-8 is: no tickets for either unit (its one window is the whole
// file's query, read through the decoding scan); a GB18030 header with
// a Chinese column name is found by that name.
#[test]
fn a_gb18030_file_of_a_header_alone_has_no_records() {
    let utf8 = fixture("");
    let gb = fixture("");
    gb.scheme("scheme.toml", &scheme("", "encoding = \"gb18030\""));
    let (bytes, _, _) = encoding_rs::GB18030.encode("k,u,cat\n");
    gb.bytes("t.csv", &bytes);
    let (a, b) = (utf8.run(), gb.run());
    for run in [&a, &b] {
        assert_eq!(run.measured.cells[0][0].n, 0);
        assert_eq!(run.measured.cells[0][1].n, 0);
        assert!(run.data.rejects.is_empty());
    }
    assert_eq!(a.measured.cells[0][0].value, b.measured.cells[0][0].value);
    // 类别 (category) declared and present in a GB18030 header.
    let f = Fixture::new();
    let text = scheme("", "encoding = \"gb18030\"")
        .replace("cat = \"string\"", "类别 = \"string\"")
        .replace("cat = '投诉'", "类别 = '投诉'");
    f.scheme("scheme.toml", &text).data("units.csv", UNITS);
    let (bytes, _, _) = encoding_rs::GB18030.encode("k,u,类别\n1,A,投诉\n");
    f.bytes("t.csv", &bytes);
    assert_eq!(cell(&f.run(), "complaints", "A").value, Some(1.0));
}

// A GB18030 file with bytes that are not GB18030 text (a line pasted in
// from another encoding) is an error naming the file and where the first
// such bytes are; likewise a UTF-16 file.
#[test]
fn bytes_that_are_not_text_are_an_error_naming_line_and_character() {
    let f = fixture("");
    f.scheme("scheme.toml", &scheme("", "encoding = \"gb18030\""));
    // Line 3 is "2,A," then 0x81, a lead byte that a line break follows:
    // the 5th character of the line.
    let (gb, _, _) = encoding_rs::GB18030.encode("k,u,cat\n1,A,投诉\n2,A,");
    f.bytes("t.csv", &[&gb[..], b"\x81\n3,B,x\n"].concat());
    let e = f.err();
    assert!(
        e.contains("t.csv")
            && e.contains("not valid GB18030 text")
            && e.contains("line 3, character 5: the bytes 81"),
        "{e}"
    );
    // Bytes that are not text on a line whose quote never closes: they
    // are named (as the 2nd field of line 4), not the quote.
    f.bytes("t.csv", &[&gb[..], b"x\n3,\x81,\"x\n4,B,x\n"].concat());
    let e = f.err();
    assert!(e.contains("line 4, character 3: the bytes 81"), "{e}");
    // UTF-16LE: an unpaired surrogate (0xD800) as line 2's 3rd character.
    let mut bytes = utf16le("k,u,cat\r\n1,");
    bytes.extend_from_slice(&[0x00, 0xD8, b'A', 0x00, b'\n', 0x00]);
    f.scheme("scheme.toml", &scheme("", ""));
    f.bytes("t.csv", &bytes);
    let e = f.err();
    assert!(
        e.contains("t.csv") && e.contains("line 2, character 3"),
        "{e}"
    );
}

fn utf16le(text: &str) -> Vec<u8> {
    let mut b = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        b.extend_from_slice(&u.to_le_bytes());
    }
    b
}

// Finding 4: UTF-16 (Excel's "Unicode text") is read, tabs or commas.
#[test]
fn utf16_files_with_a_byte_order_mark_are_read() {
    for sep in ["\t", ","] {
        let f = fixture("");
        let text = ["k,u,cat", "1,A,投诉", "2,A,咨询", "3,B,投诉"]
            .map(|l| l.replace(',', sep))
            .join("\r\n");
        f.bytes("t.csv", &utf16le(&(text + "\r\n")));
        let run = f.run();
        // A: 1 of 2 tickets is a complaint; B: 1 of 1.
        close(cell(&run, "complaints", "A").value.unwrap(), 0.5);
        close(cell(&run, "complaints", "B").value.unwrap(), 1.0);
        assert!(run.data.rejects.is_empty());
    }
    // Declared gb18030, but the mark says UTF-16: an error naming both.
    let f = fixture("");
    f.scheme("scheme.toml", &scheme("", "encoding = \"gb18030\""));
    f.bytes("t.csv", &utf16le("k,u,cat\n1,A,投诉\n"));
    let e = f.err();
    assert!(e.contains("UTF-16LE") && e.contains("gb18030"), "{e}");
}

// Finding 4: the undeclared GBK hint is kept (now from the header).
#[test]
fn an_undeclared_gbk_file_gets_the_encoding_hint() {
    let f = fixture("");
    let (gbk, _, _) = encoding_rs::GBK.encode("k,u,类别\n1,A,投诉\n");
    f.bytes("t.csv", &gbk);
    let e = f.err();
    assert!(e.contains("encoding = \"gb18030\""), "{e}");
}

// Finding 5: an empty unit register is an error.
#[test]
fn an_empty_unit_register_is_an_error() {
    let f = fixture("1,A,投诉\n");
    f.data("units.csv", "unit_id,unit_name,group\n");
    let e = f.err();
    assert!(e.contains("units.csv") && e.contains("no unit"), "{e}");
    // Rows, but none valid: also an error, naming the first reject.
    f.data("units.csv", "unit_id,unit_name,group\nA,,dept\n");
    let e = f.err();
    assert!(
        e.contains("no valid row") && e.contains("units.csv:2"),
        "{e}"
    );
}

// Finding 5: a declared column twice in a header is an error.
#[test]
fn a_declared_column_twice_in_the_header_is_an_error_naming_both() {
    let f = fixture("");
    f.data("t.csv", "k,u,cat,note,cat\n1,A,投诉,x,咨询\n");
    let e = f.err();
    assert!(
        e.contains("\"cat\" appears 2 times") && e.contains("columns 3 and 5"),
        "{e}"
    );
    // An undeclared column may repeat: it is not read.
    f.data("t.csv", "k,u,cat,note,note\n1,A,投诉,x,y\n");
    assert_eq!(f.run().measured.cells[0][0].n, 1);
    // In the unit register every column is read.
    f.data("units.csv", "unit_id,unit_name,group,group\nA,甲,d,e\n");
    assert!(f.err().contains("\"group\" appears 2 times"));
}

// Finding 6: rows that are not records are bad rows, with their lines.
#[test]
fn malformed_rows_are_rejected_with_their_line_and_the_run_goes_on() {
    // Lines: 1 header; 2 ok; 3 stray quote; 4 three more fields; 5 one
    // fewer; 6 text after a closing quote; 7 ok with a quoted comma; 8 a
    // quote opening on this line that never closes as a record (the
    // quote on line 9 "closes" it, then the record does not parse): line
    // 8 alone is rejected; 9 has a stray quote of its own; 10 ok.
    let f = fixture(
        "1,A,投诉\n2,A,投\"诉\n3,A,投诉,x,y,z\n4,A\n5,A,\"投诉\"x\n6,B,\"投诉,咨询\"\n7,B,\"坏\n8,B,投\"诉\n9,B,投诉\n",
    );
    let run = f.run();
    let r = reasons(&run);
    let lines: Vec<u64> = r.iter().map(|x| x.0).collect();
    assert_eq!(lines, [3, 4, 5, 6, 8, 9], "{r:?}");
    assert!(
        r[0].2
            .starts_with("unbalanced quote: a quote inside a field")
    );
    assert_eq!(
        r[1].2,
        "3 more fields than the header (3 expected, 6 found)"
    );
    assert_eq!(
        r[2].2,
        "1 fewer field than the header (3 expected, 2 found)"
    );
    assert!(
        r[3].2
            .starts_with("unbalanced quote: text after the closing quote")
    );
    assert!(r[4].2.contains("does not close before the record ends"));
    assert!(
        r[5].2
            .starts_with("unbalanced quote: a quote inside a field")
    );
    // The value column holds the line as written.
    assert_eq!(r[1].1, "3,A,投诉,x,y,z");
    // Counted: A line 2 (投诉); B lines 7 ("投诉,咨询" is not 投诉) and 10.
    let a = &input(&run, "t").accounting;
    assert_eq!((a.rows_read, a.counted, a.rejected), (9, 3, 6));
    assert!(a.balanced());
    close(cell(&run, "complaints", "A").value.unwrap(), 1.0);
    close(cell(&run, "complaints", "B").value.unwrap(), 0.5);
    // The good records after the bad ones keep their physical lines:
    // line 10 (key 9) is the last evidence of it being read.
    assert_eq!(cell(&run, "complaints", "B").n, Some(2));
}

// Finding 6: an unclosed quote that would swallow the rest of the file.
#[test]
fn an_unclosed_quote_to_the_end_of_the_file_is_an_error_at_its_line() {
    let f = fixture("1,A,投诉\n2,A,\"投诉\n3,A,投诉\n4,B,咨询\n");
    let e = f.err();
    assert!(e.contains("t.csv") && e.contains("line 3"), "{e}");
    assert!(e.contains("never closed"), "{e}");
}

// Finding 6: blank lines are skipped and counted, not rejected.
#[test]
fn blank_lines_are_skipped_and_counted_and_strict_passes() {
    let f = fixture("1,A,投诉\n\n2,B,咨询\n   \n\n");
    let run = f.run();
    assert!(run.data.rejects.is_empty(), "{:?}", run.data.rejects);
    let i = input(&run, "t");
    assert_eq!(i.blank_lines, 3);
    assert_eq!((i.accounting.rows_read, i.accounting.counted), (2, 2));
    // --strict: nothing is rejected, so nothing fails.
    let strict = govtrust::data::LoadOptions {
        strict: true,
        ..Default::default()
    };
    assert!(govtrust::run::assess(&f.scheme_dir(), &f.data_dir(), strict).is_ok());
    // A blank row in the unit register too.
    f.data(
        "units.csv",
        "unit_id,unit_name,group\nA,甲局,dept\n\nB,乙局,dept\n",
    );
    let run = f.run();
    assert_eq!(input(&run, "units").blank_lines, 1);
    assert_eq!(run.data.units.len(), 2);
}

// Finding 7: status columns are nullable whatever their declaration.
#[test]
fn status_columns_declared_without_a_question_mark_accept_empty_cells() {
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &scheme(
            "exempt = \"bool\"\nobjection = \"string\"\nrepaired_on = \"date\"",
            "",
        ),
    )
    .data("units.csv", UNITS)
    .data(
        "t.csv",
        "k,u,cat,exempt,objection,repaired_on\n1,A,投诉,,,\n2,A,咨询,true,,\n3,B,投诉,,upheld,\n4,B,咨询,,,2025-05-01\n",
    );
    let run = f.run();
    assert!(run.data.rejects.is_empty(), "{:?}", run.data.rejects);
    let a = &input(&run, "t").accounting;
    // Counted: 1 and 4; excluded: 2 (exempt), 3 (upheld).
    assert_eq!((a.counted, a.excluded_by_status), (2, 2));
}

const PENDING_SCHEME: &str = r#"
[datasets.d]
file = "d.csv"
key = "k"
unit = "u"
[datasets.d.columns]
k = "string"
u = "string"
objection = "string"
exempt = "bool"

[[indicator]]
id = "ded"
weight = 1
dataset = "d"
measure = { kind = "deduction", points = 2 }
score = { kind = "deduction", cap = 10 }
"#;

// Finding 7: pending objections are counted in the manifest under both
// policies, and noted in the evidence when they count.
#[test]
fn pending_objections_are_counted_under_both_policies() {
    let data = "k,u,objection,exempt\n1,A,pending,\n2,A,,\n3,A,待处理,true\n4,B,pending,\n";
    for (policy, counted, evidence) in [("count", 4, 3), ("exclude", 2, 1)] {
        let f = Fixture::new();
        let header = HEADER.replace(
            "period = {",
            &format!("pending_objections = \"{policy}\"\nperiod = {{"),
        );
        f.scheme("scheme.toml", &format!("{header}{PENDING_SCHEME}"))
            .data("units.csv", UNITS)
            .data("d.csv", data);
        let run = f.run();
        let i = input(&run, "d");
        // Pending: rows 1 and 4 (row 3 is exempt: it never counts, so its
        // objection is moot). Under "count" rows 1, 2, 4 count (3 is
        // exempt); under "exclude" row 2 alone.
        assert_eq!(i.pending_objections, 2, "{policy}");
        assert_eq!(i.accounting.counted, counted - 1, "{policy}");
        let notes: Vec<&str> = run.evidence.iter().map(|e| e.note.as_str()).collect();
        assert_eq!(notes.len(), evidence, "{policy}: {notes:?}");
        let pending_notes = notes.iter().filter(|n| n.contains("pending")).count();
        assert_eq!(pending_notes, if policy == "count" { 2 } else { 0 });
    }
}

// Finding 8: `direction` on the indicator, as docs/scheme.md writes it.
#[test]
fn direction_is_accepted_on_the_indicator_and_inside_score() {
    let with = |outer: &str, inner: &str| {
        let f = fixture("1,A,投诉\n2,A,咨询\n3,B,投诉\n");
        let text = scheme("", "").replace(
            "score = { kind = \"target\", target = 1, floor = 0 }",
            &format!("{outer}score = {{ kind = \"minmax\"{inner} }}"),
        );
        f.scheme("scheme.toml", &text);
        f
    };
    // Shares: A 0.5, B 1.0. Lower is better: A gets attainment 1, B 0.
    for (outer, inner) in [
        ("direction = \"lower\"\n", ""),
        ("", ", direction = \"lower\""),
        ("direction = \"lower\"\n", ", direction = \"lower\""),
    ] {
        let run = with(outer, inner).run();
        assert_eq!(cell(&run, "complaints", "A").attainment, Some(1.0));
        assert_eq!(cell(&run, "complaints", "B").attainment, Some(0.0));
    }
    // Two different values: an error naming both lines.
    let e = with("direction = \"lower\"\n", ", direction = \"higher\"").err();
    assert!(
        e.contains("direction = \"higher\" here, but direction = \"lower\" on the indicator (line"),
        "{e}"
    );
}

// Finding 9: a sum that leaves the exact range is an error with a line.
#[test]
fn sums_beyond_the_exact_range_are_errors_naming_dataset_column_and_line() {
    let f = Fixture::new();
    let text = format!(
        r#"{HEADER}
[datasets.p]
file = "p.csv"
unit = "u"
[datasets.p.columns]
u = "string"
amount = "float"
n = "int"
[[indicator]]
id = "paid"
weight = 1
dataset = "p"
measure = {{ kind = "sum", expr = "amount" }}
score = {{ kind = "minmax" }}
[[indicator]]
id = "count"
weight = 1
dataset = "p"
measure = {{ kind = "sum", expr = "n" }}
score = {{ kind = "minmax" }}
"#
    );
    f.scheme("scheme.toml", &text).data("units.csv", UNITS);
    // 1e19 ≥ 2^62: the old exact sum dropped it (the i64 cast gave null).
    f.data("p.csv", "u,amount,n\nA,1,1\nA,1e19,1\nB,2,1\n");
    let e = f.err();
    assert!(
        e.contains("dataset p") && e.contains("expr \"amount\""),
        "{e}"
    );
    assert!(e.contains("p.csv:3"), "{e}");
    // Integers that would wrap the i64 sum: 2 × 5e18 > 2^63.
    f.data(
        "p.csv",
        "u,amount,n\nA,1,5000000000000000000\nA,1,5000000000000000000\nB,2,1\n",
    );
    let e = f.err();
    assert!(e.contains("expr \"n\"") && e.contains("p.csv:"), "{e}");
    // A division by zero in an expression: not a finite number.
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &text.replace("expr = \"amount\"", "expr = \"amount / (n - 1)\""),
    )
    .data("units.csv", UNITS)
    .data("p.csv", "u,amount,n\nA,1,2\nA,3,1\nB,2,3\n");
    let e = f.err();
    assert!(
        e.contains("not a finite number") && e.contains("p.csv:3"),
        "{e}"
    );
}

// Finding 10: a value outside a points map.
#[test]
fn a_value_outside_a_points_map_is_an_error_only_where_it_scores() {
    let text = format!(
        r#"{HEADER}
[datasets.r]
file = "r.csv"
unit = "u"
date = "day"
[datasets.r.columns]
u = "string"
day = "date"
sev = "string?"
kind = "string"
[[indicator]]
id = "ded"
weight = 1
dataset = "r"
measure = {{ kind = "deduction", where = "kind = '失信'", points = {{ column = "sev", map = {{ 一般 = 2, 较重 = 5 }} }} }}
score = {{ kind = "deduction", cap = 20 }}
[[indicator]]
id = "all"
weight = 1
dataset = "r"
measure = {{ kind = "count" }}
score = {{ kind = "minmax" }}
"#
    );
    let f = Fixture::new();
    f.scheme("scheme.toml", &text).data("units.csv", UNITS);
    // 特别严重 where the rule does not match (kind 表扬), out of period,
    // and on a record rejected for its date: no error, and the records
    // still count for the other indicator (`all`).
    f.data(
        "r.csv",
        "u,day,sev,kind\nA,2025-02-01,特别严重,表扬\nA,2024-12-01,特别严重,失信\nA,2025-13-01,特别严重,失信\nA,2025-03-01,较重,失信\nB,2025-03-01,,失信\n",
    );
    let run = f.run();
    // A: 较重 = 5 points; B: an empty value is worth 0.
    assert_eq!(cell(&run, "ded", "A").value, Some(5.0));
    assert_eq!(cell(&run, "ded", "B").value, Some(0.0));
    // Row 2 (表扬) counts for `all`: A has rows 2 and 5.
    assert_eq!(cell(&run, "all", "A").value, Some(2.0));
    // The out-of-period row is out of period, not rejected; the bad date
    // is the only reject.
    let a = &input(&run, "r").accounting;
    assert_eq!((a.out_of_period, a.rejected), (1, 1));
    assert_eq!(run.data.rejects[0].line, 4);
    // Where it scores, it is an error naming the rule, line and value.
    f.data(
        "r.csv",
        "u,day,sev,kind\nA,2025-03-01,较重,失信\nB,2025-04-01,特别严重,失信\n",
    );
    let e = f.err();
    assert!(
        e.contains("ded") && e.contains("r.csv:3 \"特别严重\"") && e.contains("一般, 较重"),
        "{e}"
    );
}

// Finding 10: a whole number too large is "out of range".
#[test]
fn an_integer_beyond_i64_is_out_of_range_not_a_bad_number() {
    let f = Fixture::new();
    f.scheme(
        "scheme.toml",
        &scheme("n = \"int\"", ""),
    )
    .data("units.csv", UNITS)
    .data(
        "t.csv",
        "k,u,cat,n\n1,A,投诉,99999999999999999999\n2,A,投诉,-99999999999999999999\n3,A,投诉,1.5\n",
    );
    let run = f.run();
    let r: Vec<String> = run.data.rejects.iter().map(|r| r.reason.clone()).collect();
    assert!(
        r[0].contains("out of range") && r[1].contains("out of range"),
        "{r:?}"
    );
    assert_eq!(r[2], "not a whole number");
}

// Finding 10: a calendar holiday ending before it starts.
#[test]
fn a_holiday_that_ends_before_it_starts_is_an_error() {
    let f = fixture("1,A,投诉\n");
    std::fs::write(
        f.scheme_dir().join("cal.cal"),
        "[[holiday]]\nname = \"x\"\nfrom = 2025-10-08\nto = 2025-10-01\n",
    )
    .unwrap();
    let text = scheme("", "").replace("period = {", "calendar = \"cal.cal\"\nperiod = {");
    f.scheme("scheme.toml", &text);
    let e = f.err();
    assert!(
        e.contains("cal.cal:4:") && e.contains("ends (2025-10-01) before it starts (2025-10-08)"),
        "{e}"
    );
}
