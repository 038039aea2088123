use super::*;

fn read(text: &str, parts: &[usize], wanted: &[usize]) -> Vec<Vec<Option<String>>> {
    let scan = crate::data::csvscan::scan(text.as_bytes(), b',').unwrap();
    let w: Vec<(usize, PlSmallStr, Read)> = wanted
        .iter()
        .map(|&k| (k, scan.header[k].as_str().into(), Read::Text))
        .collect();
    let df = read_window(
        text.as_bytes(),
        &scan.segments(text.len()),
        parts,
        &w,
        b',',
        None,
    )
    .unwrap();
    texts(&df)
}

/// Every column's values as text.
fn texts(df: &DataFrame) -> Vec<Vec<Option<String>>> {
    df.columns()
        .iter()
        .map(|c| {
            c.str()
                .unwrap()
                .iter()
                .map(|v| v.map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn fields_are_read_as_polars_reads_them() {
    // Empty: null; quoted: unquoted, "" doubled inside; "" alone: the
    // empty text; a \r before \n is not text; a record spanning two
    // lines; a ragged line skipped by the scan; no final line break.
    let text = "a,b,c\r\n1,,x\r\n\"2,5\",\"q\"\"t\",\"\"\r\n3,\"多\n行\",z\r\n4,5\n5,y,\"w\"";
    let s = |v: &str| Some(v.to_string());
    let want = vec![
        vec![s("1"), s("2,5"), s("3"), s("5")],
        vec![None, s("q\"t"), s("多\n行"), s("y")],
        vec![s("x"), s(""), s("z"), s("w")],
    ];
    assert_eq!(read(text, &[0], &[0, 1, 2]), want);
    // Only the wanted columns, in the order asked.
    assert_eq!(
        read(text, &[0], &[2, 0]),
        vec![want[2].clone(), want[0].clone()]
    );
    // In parts (each at a record's start): the same rows in order.
    let at = |needle: &str| text.find(needle).unwrap();
    assert_eq!(read(text, &[0, at("3,"), at("5,y")], &[0, 1, 2]), want);
}

/// What polars' own CSV reader gives for the same text, all columns
/// as text.
fn polars_reads(text: &str) -> Vec<Vec<Option<String>>> {
    let buf = polars_buffer::Buffer::from_owner(text.as_bytes().to_vec());
    let df = LazyCsvReader::new_with_sources(ScanSources::Buffers(vec![buf].into()))
        .with_has_header(true)
        .with_infer_schema_length(Some(0))
        .finish()
        .unwrap()
        .collect()
        .unwrap();
    texts(&df)
}

#[test]
fn well_formed_records_read_as_polars_reads_them() {
    for text in [
        "a,b,c\n1,,x\n\"2,5\",\"q\"\"t\",\"\"\n3,\"多\n行\",z\n",
        "a,b,c\r\n1,,x\r\n\"\",\" s \",\"\"\"\"\r\n,,\r\n4,五,六",
        "a,b,c\n 1 ,\t2,3 \n\"a\"\"\",\"\"\"b\",c\n",
    ] {
        assert_eq!(read(text, &[0], &[0, 1, 2]), polars_reads(text), "{text:?}");
    }
}

#[test]
fn invalid_utf8_in_a_wanted_field_is_an_error_elsewhere_not() {
    let bytes = b"a,b\n\xff,1\n".to_vec();
    let scan = crate::data::csvscan::scan(&bytes, b',').unwrap();
    let segs = scan.segments(bytes.len());
    // Column k alone, as text.
    let only = |k: usize, name: &str| {
        read_window(
            &bytes,
            &segs,
            &[0],
            &[(k, name.into(), Read::Text)],
            b',',
            None,
        )
    };
    let only_b = only(1, "b").unwrap();
    assert_eq!(only_b.column("b").unwrap().str().unwrap().get(0), Some("1"));
    let err = only(0, "a").unwrap_err();
    assert!(err.to_string().contains("utf-8"), "{err}");
}

#[test]
fn typed_fields_are_values_or_flagged() {
    // Line 2 canonical (the date quoted); line 3: a slash date and a
    // bool the fast parser does not take (`Y`): nulls, flagged; line
    // 4: empty fields are null and not flagged.
    let text = "d,b,s\n\"2025-03-01\",1,x\n2025/3/1,Y,y\n,,z\n";
    let scan = crate::data::csvscan::scan(text.as_bytes(), b',').unwrap();
    let w = [
        (0, "d".into(), Read::Date),
        (1, "b".into(), Read::Bool),
        (2, "s".into(), Read::Text),
    ];
    let df = read_window(
        text.as_bytes(),
        &scan.segments(text.len()),
        &[0],
        &w,
        b',',
        None,
    )
    .unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|n| n.as_str()).collect();
    assert_eq!(names, ["d", "b", "s", FALLBACK]);
    // 2025-03-01: day 20148 since 1970-01-01 (see fields.rs).
    let d: Vec<Option<i32>> = df
        .column("d")
        .unwrap()
        .date()
        .unwrap()
        .physical()
        .iter()
        .collect();
    assert_eq!(d, [Some(20_148), None, None]);
    let b: Vec<Option<bool>> = df.column("b").unwrap().bool().unwrap().iter().collect();
    assert_eq!(b, [Some(true), None, None]);
    let f: Vec<Option<bool>> = df
        .column(FALLBACK)
        .unwrap()
        .bool()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(f, [Some(false), Some(true), Some(false)]);
}

/// A CSV line from fields: quoted (quotes doubled) where a field has a
/// quote, a comma or a line break.
fn line(fields: &[String]) -> String {
    let f: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains(['"', ',', '\n']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect();
    f.join(",") + "\n"
}

/// Every window's records, the wanted columns as text, in order (or
/// the scan's error: a quote never closed).
fn all_windows(
    bytes: &[u8],
    window: usize,
    enc: Option<&'static encoding_rs::Encoding>,
) -> Result<Windows, crate::data::csvscan::ScanError> {
    let scan = crate::data::csvscan::scan_windows(bytes, b',', window, &mut |_| {})?;
    let w: Vec<(usize, PlSmallStr, Read)> = (0..3)
        .map(|k| (k, format!("c{k}").into(), Read::Text))
        .collect();
    let mut cols = vec![Vec::new(); 3];
    for win in &scan.windows {
        let segs = scan.segments_in(win.bytes.clone());
        let df = read_window(bytes, &segs, &win.parts, &w, b',', enc).unwrap();
        for (c, got) in cols.iter_mut().zip(texts(&df)) {
            c.extend(got);
        }
    }
    let skipped = scan
        .skipped
        .iter()
        .map(|s| (s.line, s.problem.reason()))
        .collect();
    Ok((cols, skipped))
}

/// The columns' values, and the lines skipped with their reasons.
type Windows = (Vec<Vec<Option<String>>>, Vec<(u64, String)>);

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(96))]
    /// A GB18030 text's structure scanned in its own bytes, and its
    /// records decoded part by part as a window is read, are its UTF-8
    /// text's: the same rows and fields, the same lines skipped (ragged
    /// records of 1-4 fields against a header of 3, fields with quotes,
    /// commas and line breaks), in windows of any size; or the same
    /// error.
    #[test]
    fn gb18030_records_read_as_their_utf8_text(
        rows in proptest::collection::vec(
            proptest::collection::vec("[a-z0-9 一-龥，🙂\",\n]{0,5}", 1..5),
            0..10,
        ),
        window in 1usize..80,
    ) {
        let mut text = line(&["序号".into(), "名称".into(), "c".into()]);
        for r in &rows {
            text.push_str(&line(r));
        }
        let (gb, _, bad) = encoding_rs::GB18030.encode(&text);
        proptest::prop_assert!(!bad);
        let want = all_windows(text.as_bytes(), window, None);
        let got = all_windows(&gb, window, Some(encoding_rs::GB18030));
        proptest::prop_assert_eq!(got, want);
    }
}

#[test]
fn gb18030_bytes_that_are_not_text_are_an_error_naming_them() {
    // Record 2's last field is 0x81, a lead byte a line break follows:
    // line 3, the 3rd character.
    let (gb, _, _) = encoding_rs::GB18030.encode("a,b\n政,务\n");
    let bytes = [&gb[..], b"x,\x81\n"].concat();
    let scan = crate::data::csvscan::scan(&bytes, b',').unwrap();
    let w = [(0, "a".into(), Read::Text)];
    let segs = scan.segments(bytes.len());
    let e = read_window(
        &bytes,
        &segs,
        &[scan.body],
        &w,
        b',',
        Some(encoding_rs::GB18030),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("not valid GB18030 text (the first at line 3, character 3: the bytes 81)"),
        "{e}"
    );
}
