//! No output ever holds NaN or infinity (issue 9, finding 9): a node
//! whose children all weigh 0 for a unit is missing for it, with a
//! warning, and every output file of runs under every weight method and
//! aggregation is scanned for non-finite numbers.

mod common;
use common::*;

use std::io::Read;
use std::path::Path;

use govtrust::analysis::uncertainty;

/// Three value indicators under the root, weights and aggregation as
/// given. Values (v/100 is the attainment):
///   A: i1 50, i2 60, i3 70
///   B: i1 50, i2 80, i3 40
///   C: i1 50 (no i2, no i3: missing, reweighted)
/// Over the complete units A and B, i1 is constant: CRITIC (and entropy)
/// give it weight 0, so C, which has i1 alone, has no weight left.
fn fixture(weights: &str, aggregation: &str) -> Fixture {
    let f = Fixture::new();
    let header = HEADER.replace(
        "period = {",
        &format!("{weights}aggregation = \"{aggregation}\"\nperiod = {{"),
    );
    let mut text = format!("{header}{SURVEY_DATASET}");
    for i in ["i1", "i2", "i3"] {
        text.push_str(&survey_indicator(i, None, 1.0));
    }
    text.push_str("[[grade]]\nname = \"合格\"\nmin = 60\n[[grade]]\nname = \"不合格\"\nmin = 0\n");
    f.scheme("scheme.toml", &text)
        .data(
            "units.csv",
            "unit_id,unit_name,group\nA,甲,dept\nB,乙,dept\nC,丙,dept\n",
        )
        .data(
            "survey.csv",
            "unit_id,indicator_id,value\nA,i1,50\nA,i2,60\nA,i3,70\nB,i1,50\nB,i2,80\nB,i3,40\nC,i1,50\n",
        );
    f
}

#[test]
fn a_unit_whose_present_children_all_weigh_zero_is_missing_with_a_warning() {
    let run = fixture("weights = \"critic\"\n", "arithmetic").run();
    let c = unit(&run, "C");
    // Before: 0/0 = NaN as C's base, shown as NaN, its total 0.00.
    assert_eq!(c.attainment[0], None);
    assert_eq!(c.base, 0.0);
    let w = run.warnings();
    assert!(
        w.iter().any(|x| x.contains("单位C")
            && x.contains("节点“total”")
            && x.contains("权重均为0")
            && x.contains("critic")),
        "{w:?}"
    );
    // A and B are scored over i2 and i3 (i1 weighs 0): A (0.6, 0.7),
    // B (0.8, 0.4); CRITIC on min-max columns (A 0, B 1 for i2; A 1, B 0
    // for i3): equal sd, r = -1, so equal weights: A 65, B 60.
    close(unit(&run, "A").base, 65.0);
    close(unit(&run, "B").base, 60.0);
}

/// Any `NaN` or `inf` token in a text.
fn non_finite(text: &str) -> Option<String> {
    let b = text.as_bytes();
    for pat in ["NaN", "inf", "Infinity"] {
        for (i, _) in text.match_indices(pat) {
            let before = i.checked_sub(1).map(|k| b[k]);
            let after = b.get(i + pat.len()).copied();
            let word = |c: Option<u8>| c.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_');
            if !word(before) && !word(after) {
                let s = i.saturating_sub(40);
                return Some(text[s..(i + 40).min(text.len())].to_string());
            }
        }
    }
    None
}

/// Every file of an output directory, zip members (xlsx, docx) opened.
fn scan(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let bytes = std::fs::read(&p).unwrap();
            let ext = p.extension().and_then(|x| x.to_str()).unwrap_or("");
            let mut texts = Vec::new();
            match ext {
                "xlsx" | "docx" => {
                    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
                    for k in 0..z.len() {
                        let mut f = z.by_index(k).unwrap();
                        let name = f.name().unwrap().to_string();
                        if name.ends_with(".xml") {
                            let mut s = String::new();
                            f.read_to_string(&mut s).unwrap();
                            texts.push((format!("{}:{name}", p.display()), s));
                        }
                    }
                }
                "png" => {}
                _ => texts.push((
                    p.display().to_string(),
                    String::from_utf8_lossy(&bytes).into_owned(),
                )),
            }
            for (name, t) in texts {
                if let Some(ctx) = non_finite(&t) {
                    found.push(format!("{name}: …{ctx}…"));
                }
            }
        }
    }
    found
}

#[test]
fn no_output_of_any_weight_or_aggregation_mode_holds_nan_or_inf() {
    assert!(non_finite("x,NaN,1").is_some() && non_finite("-inf").is_some());
    assert!(non_finite("information, Infinite, NaNa").is_none());
    for weights in ["", "weights = \"entropy\"\n", "weights = \"critic\"\n"] {
        for aggregation in ["arithmetic", "geometric", "topsis"] {
            let f = fixture(weights, aggregation);
            let mut run = f.run();
            let model = uncertainty::Model::new(&run.scheme, &run.data.units, &run.measured);
            run.uncertainty = Some(uncertainty::run(
                &model,
                &uncertainty::Assumptions::default(),
                40,
                7,
                0.9,
            ));
            let out = f
                .dir
                .path()
                .join(format!("out-{}-{aggregation}", weights.len()));
            govtrust::report::write_to(&run, &govtrust::report::standard(), &out).unwrap();
            let bad = scan(&out);
            assert!(bad.is_empty(), "{weights} {aggregation}: {bad:#?}");
        }
    }
}
