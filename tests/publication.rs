//! Publication outputs (issue 3) on the golden fixture
//! (tests/fixtures/golden): the workbook, charts, bulletin and Word file,
//! read back and checked, and a hostile unit name (`=cmd|' /C calc'!A0`)
//! kept inert everywhere.

mod common;

use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};
use govtrust::data::LoadOptions;
use govtrust::report;
use govtrust::run::{self, Run};

fn golden() -> (Run, tempfile::TempDir, PathBuf) {
    let base = Path::new("tests/fixtures/golden");
    let run = run::assess(
        &base.join("scheme"),
        &base.join("data"),
        LoadOptions::default(),
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("report");
    report::write(&run, &report::standard(), &out).unwrap();
    (run, tmp, out)
}

fn s(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => format!("{i}"),
        Data::Empty => String::new(),
        other => format!("{other:?}"),
    }
}

#[test]
fn workbook_reads_back() {
    let (_run, _t, out) = golden();
    let mut wb: Xlsx<_> = open_workbook(out.join("results.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["得分排名", "指标得分", "扣分依据", "拒收记录", "考核方案"]
    );
    let scores = wb.worksheet_range("得分排名").unwrap();
    let rows: Vec<Vec<String>> = scores.rows().map(|r| r.iter().map(s).collect()).collect();
    assert_eq!(
        &rows[0][..10],
        [
            "单位编码",
            "单位名称",
            "类别",
            "名次",
            "总分",
            "基础分",
            "加分",
            "扣分",
            "等次",
            "一票否决"
        ]
    );
    // The node columns carry their maximum: service 60 points, integrity 40.
    assert_eq!(&rows[0][10..], ["服务（60分）", "诚信（40分）"]);
    // Rows in the order of scores.csv (tests/snapshots/outputs__scores.csv.snap):
    // D2 104 = 100 base + 4 bonus, rank 1, 优秀.
    assert_eq!(
        &rows[1][..9],
        [
            "D2",
            "市财政局",
            "department",
            "1",
            "104",
            "100",
            "4",
            "0",
            "优秀"
        ]
    );
    // D3 is vetoed; its name, a formula, is a plain string cell.
    let d3 = rows.iter().find(|r| r[0] == "D3").unwrap();
    assert_eq!(d3[1], "=cmd|' /C calc'!A0");
    assert_eq!(d3[8], "不合格");
    assert_eq!(d3[9], "是");
    let formulas = wb.worksheet_formula("得分排名").unwrap();
    assert!(
        formulas.cells().all(|(_, _, f)| f.is_empty()),
        "no formula cells"
    );
    // Evidence keeps the sign: D3's record r4 costs 10 points.
    let ev = wb.worksheet_range("扣分依据").unwrap();
    let r4: Vec<String> = ev
        .rows()
        .find(|r| s(&r[0]) == "D3" && s(&r[5]) == "r4" && s(&r[2]) == "records")
        .unwrap()
        .iter()
        .map(s)
        .collect();
    assert_eq!(r4[6], "-10");
}

#[test]
fn workbook_is_byte_identical_on_a_re_run() {
    let (_r1, _t1, a) = golden();
    let (_r2, _t2, b) = golden();
    assert_eq!(
        std::fs::read(a.join("results.xlsx")).unwrap(),
        std::fs::read(b.join("results.xlsx")).unwrap()
    );
}
