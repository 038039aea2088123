//! The scanner's tests: every kind of skipped line with its line, the
//! header, and parallel chunks against one sequential scan.

use super::*;

/// Physical line of each row from the pieces.
fn lines(s: &Scan) -> Vec<u64> {
    (0..s.rows)
        .map(|r| {
            let k = s.pieces.partition_point(|p| p.0 <= r) - 1;
            r + s.pieces[k].1
        })
        .collect()
}

fn problems(s: &Scan) -> Vec<(u64, Problem)> {
    s.skipped.iter().map(|k| (k.line, k.problem)).collect()
}

#[test]
fn a_clean_file_has_nothing_to_skip() {
    let s = scan(b"a,b,c\n1,2,3\n4,5,6", b',').unwrap();
    assert_eq!(s.header, ["a", "b", "c"]);
    assert_eq!(s.rows, 2);
    assert!(s.skipped.is_empty());
    assert_eq!(lines(&s), [2, 3]);
    assert_eq!(s.segments(17), std::iter::once(6..17).collect::<Vec<_>>());
}

#[test]
fn blank_lines_and_wrong_field_counts_are_skipped_with_their_lines() {
    // Line 1 header; 2 ok; 3 blank; 4 two fields; 5 ok; 6 spaces only;
    // 7 five fields; 8 ok (CRLF); 9 blank at the end.
    let t = b"a,b,c\n1,2,3\n\n4,5\n6,7,8\n  \n1,2,3,4,5\n9,9,9\r\n\n";
    let s = scan(t, b',').unwrap();
    assert_eq!(
        problems(&s),
        [
            (3, Problem::Blank),
            (4, Problem::FieldCount(2, 3)),
            (6, Problem::Blank),
            (7, Problem::FieldCount(5, 3)),
            (9, Problem::Blank),
        ]
    );
    assert_eq!(s.rows, 3);
    assert_eq!(lines(&s), [2, 5, 8]);
    assert_eq!(s.blank_lines(), 3);
    // The segments are exactly the good lines.
    let kept: Vec<u8> = s
        .segments(t.len())
        .into_iter()
        .flat_map(|r| t[r].to_vec())
        .collect();
    assert_eq!(kept, b"1,2,3\n6,7,8\n9,9,9\r\n");
    assert_eq!(
        Problem::FieldCount(5, 3).reason(),
        "2 more fields than the header (3 expected, 5 found)"
    );
    assert_eq!(
        Problem::FieldCount(2, 3).reason(),
        "1 fewer field than the header (3 expected, 2 found)"
    );
}

#[test]
fn quotes_that_do_not_parse_reject_their_line_only() {
    // 2: stray quote in an unquoted field; 3 ok with a quoted comma;
    // 4: text after a closing quote; 5: a quoted field spanning lines
    // 5-6 (ok, 3 fields); 7: a quote opening a field that "closes" on
    // line 8 but the record then does not parse: line 7 alone is
    // rejected and line 8 is read on its own (it has a stray quote
    // too); 9 ok.
    let t =
        "k,t,n\n1,投\"诉,3\n2,\"a,b\",4\n3,\"x\"y,5\n4,\"多\n行\",6\n5,\"坏,7\n6,x\"z,8\n7,ok,9\n";
    let s = scan(t.as_bytes(), b',').unwrap();
    assert_eq!(
        problems(&s),
        [
            (2, Problem::StrayQuote),
            (4, Problem::AfterQuote),
            (7, Problem::Unbalanced),
            (8, Problem::StrayQuote),
        ]
    );
    assert_eq!(s.rows, 3);
    assert_eq!(lines(&s), [3, 5, 9]);
}

#[test]
fn an_unclosed_quote_to_the_end_is_an_error_at_its_line() {
    let t = b"a,b\n1,2\n3,\"open\n4,5\n6,7\n";
    assert_eq!(scan(t, b',').unwrap_err(), ScanError::Unclosed(3));
}

#[test]
fn the_header_may_be_quoted_and_carry_a_bom() {
    let s = scan("\u{feff}\"a,1\",b\r\nx,y\r\n".as_bytes(), b',').unwrap();
    assert_eq!(s.header, ["a,1", "b"]);
    assert_eq!(s.rows, 1);
    assert_eq!(lines(&s), [2]);
    assert!(matches!(
        scan(b"a,\"b\"c\n", b','),
        Err(ScanError::Header(_))
    ));
    assert_eq!(scan(b"", b',').unwrap_err(), ScanError::Empty);
}

proptest::proptest! {
    /// Many small chunks (quoted fields with commas, line breaks and
    /// doubled quotes crossing their boundaries, stray quotes, short
    /// and long lines, blank lines) give exactly the sequential scan.
    #[test]
    fn chunked_scans_equal_the_sequential_scan(
        lines in proptest::collection::vec(
            proptest::sample::select(vec![
                "1,a,b", "2,\"x,y\",c", "3,\"多\n行\",d", "4,e", "5,f,g,h", "",
                "6,投\"诉,i", "7,\"q\"\"q\",j", "8,\"open", "close\",k,l", "  ",
            ]),
            1..120,
        )
    ) {
        let text = format!("a,b,c\n{}\n", lines.join("\n"));
        let b = text.as_bytes();
        let one = scan_chunked(b, b',', usize::MAX, usize::MAX, &mut |_| {});
        let many = scan_chunked(b, b',', 16, usize::MAX, &mut |_| {});
        // Windows of about 24 bytes, each in chunks of 16 and more.
        let mut released = Vec::new();
        let windowed = scan_chunked(b, b',', 16, 24, &mut |r| released.push(r));
        match (one, many, windowed) {
            (Ok(a), Ok(m), Ok(w)) => {
                for x in [&m, &w] {
                    proptest::prop_assert_eq!(a.rows, x.rows);
                    proptest::prop_assert_eq!(&a.skipped, &x.skipped);
                    proptest::prop_assert_eq!(lines_of(&a), lines_of(x));
                }
                // The windows cover the body in order, each handed back
                // once scanned, and each starts at its first record's row:
                // read alone, a window's records are the rows from there.
                let bytes: Vec<_> = w.windows.iter().map(|x| x.bytes.clone()).collect();
                proptest::prop_assert_eq!(&bytes, &released);
                let mut at = w.body;
                for x in &w.windows {
                    proptest::prop_assert_eq!(x.bytes.start, at);
                    at = x.bytes.end;
                    let alone = scan_chunked(
                        format!("a,b,c\n{}", &text[x.bytes.clone()]).as_bytes(),
                        b',', usize::MAX, usize::MAX, &mut |_| {},
                    ).unwrap();
                    let next = w.windows.iter().find(|y| y.bytes.start == x.bytes.end);
                    let end_row = next.map_or(w.rows, |y| y.first_row);
                    proptest::prop_assert_eq!(alone.rows, end_row - x.first_row);
                }
                proptest::prop_assert_eq!(at, b.len());
                proptest::prop_assert_eq!(w.windows.first().map(|x| x.first_row), Some(0));
            }
            (Err(a), Err(m), Err(w)) => {
                proptest::prop_assert_eq!(&a, &m);
                proptest::prop_assert_eq!(a, w);
            }
            (a, m, w) => proptest::prop_assert!(false, "{:?} vs {:?} vs {:?}", a.err(), m.err(), w.err()),
        }
    }
}

fn lines_of(s: &Scan) -> Vec<u64> {
    lines(s)
}

#[test]
fn parallel_chunks_agree_with_one_sequential_scan() {
    // Over 4 MiB without quotes: scanned in chunks.
    let mut t = b"a,b,c\n".to_vec();
    let mut bad = Vec::new();
    for k in 0..400_000u64 {
        let line = k + 2;
        if k % 99_991 == 7 {
            t.extend_from_slice(b"1,2\n");
            bad.push((line, Problem::FieldCount(2, 3)));
        } else if k % 131_071 == 5 {
            t.extend_from_slice(b"\n");
            bad.push((line, Problem::Blank));
        } else {
            t.extend_from_slice(format!("{k},x,y\n").as_bytes());
        }
    }
    assert!(t.len() > 1 << 22);
    let s = scan(&t, b',').unwrap();
    assert_eq!(problems(&s), bad);
    assert_eq!(s.rows, 400_000 - bad.len() as u64);
    let l = lines(&s);
    // Row r's line: r + 2 plus the skipped lines before it.
    let mut expect = Vec::new();
    let mut line = 2;
    for _ in 0..s.rows {
        while bad.iter().any(|b| b.0 == line) {
            line += 1;
        }
        expect.push(line);
        line += 1;
    }
    assert_eq!(l, expect);
}

/// The byte offset where each physical line starts (1-based line
/// numbers, ascending; line 1 starts at 0), in a text in memory, by a
/// [`LineIndex`] as `subset` builds one over a file; `None` for a line
/// beyond the text.
fn line_starts(b: &[u8], lines: &[u64]) -> Vec<Option<usize>> {
    let index = LineIndex::build(b.len(), |r| {
        memchr::memchr_iter(b'\n', &b[r]).count() as u64
    });
    index.starts(lines, |r, n| {
        let s = r.start;
        memchr::memchr_iter(b'\n', &b[r]).nth(n).map(|i| s + i)
    })
}

#[test]
fn line_starts_are_found_across_index_chunks() {
    // Lines of varying length, over two 4 MiB index chunks; one record
    // holds a quoted line break (two physical lines).
    let mut t = b"id,v\n".to_vec();
    let mut starts = vec![0usize, 0];
    for k in 0..600_000 {
        starts.push(t.len());
        if k == 300_000 {
            t.extend_from_slice(b"q,\"a\nb\"\n");
            starts.push(t.len() - 3);
        } else {
            t.extend_from_slice(format!("{k},{}\n", "x".repeat(k % 7)).as_bytes());
        }
    }
    assert!(t.len() > 1 << 22);
    let last = starts.len() as u64 - 1;
    // After the last line break an empty line starts at the end of the
    // text; nothing starts after it.
    starts.push(t.len());
    let lines = [
        1,
        2,
        3,
        300_002,
        300_003,
        300_004,
        450_000,
        last,
        last + 1,
        last + 2,
    ];
    let got = line_starts(&t, &lines);
    let want: Vec<Option<usize>> = lines
        .iter()
        .map(|&l| starts.get(l as usize).copied())
        .collect();
    assert_eq!(got, want);
    // The two-line record ends after its second line.
    let at = starts[300_002];
    assert_eq!(&t[at..record_end(&t, at, b',').unwrap()], b"q,\"a\nb\"\n");
}
