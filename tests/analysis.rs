//! The statistical audit on small fixtures: Monte Carlo rank intervals,
//! sensitivity indices, early warnings and the scheme audit.

mod common;
use common::*;

use govtrust::analysis::{audit, sobol, uncertainty};
use govtrust::run::Run;

/// Two value indicators scored v/100, equal nominal weights. A: 1.0 and
/// 0.0 -> 50; B: 0.45 and 0.5 -> 47.5. A ranks first.
fn two_units() -> Run {
    let f = Fixture::new();
    f.scheme(
        "s.toml",
        &format!(
            "{HEADER}{SURVEY_DATASET}{}{}[[grade]]\nname = \"好\"\nmin = 49\n[[grade]]\nname = \"中\"\nmin = 0\n",
            survey_indicator("i1", None, 1.0),
            survey_indicator("i2", None, 1.0)
        ),
    )
    .data("units.csv", "unit_id,unit_name,group\nA,甲,g\nB,乙,g\n")
    .data("survey.csv", "unit_id,indicator_id,value\nA,i1,100\nA,i2,0\nB,i1,45\nB,i2,50\n");
    f.run()
}

#[test]
fn weight_uncertainty_matches_the_analytical_probability() {
    let run = two_units();
    let model = uncertainty::Model::new(&run.scheme, &run.data.units, &run.measured);
    let a = uncertainty::Assumptions {
        vary: [true, false, false, false],
        weight_factor: vec![0.25],
    };
    let n = 4000;
    let u = uncertainty::run(&model, &a, n, 11, 0.9);
    // A keeps rank 1 iff 100 w1 > 45 w1 + 50 w2, i.e. w1 / w2 > 10/11, with
    // w1, w2 ~ U(0.75, 1.25) independent. By a fine midpoint grid over the
    // square: P ≈ 0.6636.
    let steps = 2000;
    let mut hit = 0u64;
    for i in 0..steps {
        for j in 0..steps {
            let w1 = 0.75 + 0.5 * (i as f64 + 0.5) / steps as f64;
            let w2 = 0.75 + 0.5 * (j as f64 + 0.5) / steps as f64;
            hit += u64::from(w1 / w2 > 10.0 / 11.0);
        }
    }
    let p = hit as f64 / (steps * steps) as f64;
    let se = (p * (1.0 - p) / n as f64).sqrt();
    // A's mean rank = 1 × p + 2 × (1 − p), within 4 standard errors.
    let mean_rank_a = u.units[unit_index(&run, "A")].mean_rank;
    assert!(
        (mean_rank_a - (2.0 - p)).abs() < 4.0 * se,
        "{mean_rank_a} vs {}",
        2.0 - p
    );
    // A's grade moves too (好 needs 100 w1 / (w1 + w2) ≥ 49).
    let a_good = u.units[unit_index(&run, "A")].grade_probability[0];
    assert!(a_good > 0.0 && a_good < 1.0);
    assert_eq!(u.units[0].nominal_rank, 1);
    assert!(u.units[0].p5_rank == 1.0 && u.units[0].p95_rank == 2.0);
}

#[test]
fn nothing_varied_means_nominal_every_time_and_runs_are_reproducible() {
    let run = two_units();
    let model = uncertainty::Model::new(&run.scheme, &run.data.units, &run.measured);
    let none = uncertainty::Assumptions {
        vary: [false; 4],
        weight_factor: vec![0.25],
    };
    let u = uncertainty::run(&model, &none, 50, 1, 0.9);
    for x in &u.units {
        assert_eq!(
            (x.p5_rank, x.p95_rank, x.mean_rank),
            (
                x.nominal_rank as f64,
                x.nominal_rank as f64,
                x.nominal_rank as f64
            )
        );
        assert!(x.stable);
    }
    let all = uncertainty::Assumptions::default();
    let a = uncertainty::run(&model, &all, 300, 5, 0.9);
    let b = uncertainty::run(&model, &all, 300, 5, 0.9);
    assert_eq!(a.units, b.units);
}

#[test]
fn a_single_varied_assumption_explains_all_the_variance() {
    let run = two_units();
    let model = uncertainty::Model::new(&run.scheme, &run.data.units, &run.measured);
    let a = uncertainty::Assumptions {
        vary: [true, false, false, false],
        weight_factor: vec![0.25],
    };
    let idx = sobol::assumptions(&model, &a, 2048, 3, 100);
    assert_eq!(idx.len(), 1);
    let (name, i) = &idx[0];
    assert_eq!(*name, "weights");
    // With one factor, S = ST = 1 (up to estimation noise).
    assert!(
        (i.first - 1.0).abs() < 0.1 && (i.total - 1.0).abs() < 0.1,
        "{i:?}"
    );
}

#[test]
fn warnings_flag_a_surge_a_fabricator_and_low_coverage() {
    let f = Fixture::new();
    let mut tk = String::from("id,unit,day,cat\n");
    let mut k = 0;
    // In 2025: T1 30 complaints, T2-T4 10 each; T4 has no history, T1-T3
    // one complaint each in December 2024 (history spans 31 days).
    for (u, n) in [("T1", 30), ("T2", 10), ("T3", 10), ("T4", 10)] {
        for i in 0..n {
            k += 1;
            tk.push_str(&format!("t{k},{u},2025-{:02}-10,投诉\n", 1 + i % 12));
        }
    }
    for (u, day) in [
        ("T1", "2024-12-01"),
        ("T2", "2024-12-15"),
        ("T3", "2024-12-31"),
    ] {
        k += 1;
        tk.push_str(&format!("t{k},{u},{day},投诉\n"));
    }
    // Reported figures: T1's first digits uniform (20 of each), T2's in
    // Benford's proportions (60 of 1, 35 of 2, ... 9 of 9).
    let mut rs = String::from("id,unit,v\n");
    for d in 1..=9 {
        for j in 0..20 {
            rs.push_str(&format!("r{d}_{j},T1,{}\n", d * 100 + j));
        }
    }
    for (d, n) in [
        (1, 60),
        (2, 35),
        (3, 25),
        (4, 19),
        (5, 16),
        (6, 13),
        (7, 11),
        (8, 10),
        (9, 9),
    ] {
        for j in 0..n {
            rs.push_str(&format!("b{d}_{j},T2,{}\n", d * 1000 + j));
        }
    }
    f.scheme(
        "s.toml",
        &format!(
            r#"{HEADER}{SURVEY_DATASET}
[datasets.tk]
file = "tk.csv"
key = "id"
unit = "unit"
date = "day"
[datasets.tk.columns]
id = "string"
unit = "string"
day = "date"
cat = "string"

[datasets.rs]
file = "rs.csv"
key = "id"
unit = "unit"
[datasets.rs.columns]
id = "string"
unit = "string"
v = "float"

{}
[[alert]]
id = "surge"
dataset = "tk"
where = "cat = '投诉'"
per = "pop"
alpha = 0.05

[[screen]]
id = "digits"
dataset = "rs"
column = "v"
min_n = 100
"#,
            survey_indicator("sparse", None, 1.0)
        ),
    )
    .data("units.csv", "unit_id,unit_name,group,pop\nT1,一镇,t,1000\nT2,二镇,t,1000\nT3,三镇,t,1000\nT4,四镇,t,1000\n")
    .data("tk.csv", &tk)
    .data("rs.csv", &rs)
    // "sparse" has a value for 1 of 4 units: 25% coverage.
    .data("survey.csv", "unit_id,indicator_id,value\nT1,sparse,50\n");
    let run = f.run();
    let w = |kind: &str| -> Vec<(String, f64)> {
        run.signals
            .iter()
            .filter(|x| x.kind.as_str() == kind)
            .map(|x| {
                (
                    x.unit
                        .map_or(x.subject.clone(), |u| run.data.units.ids[u].clone()),
                    x.expected,
                )
            })
            .collect()
    };
    // Peers: T1's 30 against 30 complaints over 3000 others' population:
    // expected 1000 × 30 / 3000 = 10; Binomial(60, 1/4) tail P(X ≥ 30)
    // ≈ 1e-5: flagged. T2 (10 against 50 over 3000): not.
    assert_eq!(w("peer_rate"), vec![("T1".to_string(), 10.0)]);
    // History (31 days): T1 30 now, 1 before: T = 31, p0 = 365/396 =
    // 0.92172; P(X ≥ 30) = p0^30 (31 (1 − p0) + p0) = 0.0867 × 3.348 =
    // 0.29: not significant; none flagged.
    assert!(w("own_history").is_empty(), "{:?}", w("own_history"));
    // Benford: T1's uniform digits (n = 180 < 1000: chi-squared decides).
    assert_eq!(
        w("benford")
            .iter()
            .map(|x| x.0.as_str())
            .collect::<Vec<_>>(),
        vec!["T1"]
    );
    // Coverage: 1 of 4.
    assert_eq!(w("coverage"), vec![("sparse".to_string(), 4.0)]);
    assert!(run.signals.iter().all(|x| !x.message.is_empty()));
}

#[test]
fn the_audit_finds_collinear_and_constant_indicators() {
    let f = Fixture::new();
    // i1 and i2 move together (r = 1); i3 is the same for every unit.
    let mut survey = String::from("unit_id,indicator_id,value\n");
    let mut units = String::from("unit_id,unit_name,group\n");
    for k in 0..10 {
        units.push_str(&format!("U{k},单位{k},g\n"));
        survey.push_str(&format!(
            "U{k},i1,{}\nU{k},i2,{}\nU{k},i3,80\n",
            10 * k,
            5 * k + 1
        ));
    }
    f.scheme(
        "s.toml",
        &format!(
            "{HEADER}{SURVEY_DATASET}[[node]]\nid = \"d\"\nname = \"维度\"\nweight = 1\n{}{}{}",
            survey_indicator("i1", Some("d"), 1.0),
            survey_indicator("i2", Some("d"), 1.0),
            survey_indicator("i3", Some("d"), 1.0)
        ),
    )
    .data("units.csv", &units)
    .data("survey.csv", &survey);
    let run = f.run();
    let a = audit::audit(&run.scheme, &run.data.units, &run.scored, 5);
    let found = |s: &str| a.findings.iter().any(|f| f.contains(s));
    // The correlation with its n: 10 units.
    assert!(
        found("“i1”与“i2”高度相关（r=1.00，n=10）"),
        "{:#?}",
        a.findings
    );
    assert!(found("“i3”有100%的单位取值相同"), "{:#?}", a.findings);
    let c = a
        .correlations
        .iter()
        .find(|c| c.a == 0 && c.b == 1)
        .unwrap();
    assert!((c.pearson - 1.0).abs() < 1e-12 && (c.spearman - 1.0).abs() < 1e-12);
    // i3 is constant: no correlation with it is reported (undefined).
    assert!(!a.correlations.iter().any(|c| c.b == 2));
}

/// Six units, three indicators whose attainments are the matrix of the
/// pymcdm fixture in src/analysis/weights.rs (values / 100).
fn mcdm(node: &str) -> Run {
    let m = [
        [90, 30, 75],
        [60, 80, 50],
        [45, 55, 95],
        [80, 20, 35],
        [30, 90, 60],
        [70, 65, 80],
    ];
    let mut units = String::from("unit_id,unit_name,group\n");
    let mut survey = String::from("unit_id,indicator_id,value\n");
    for (k, row) in m.iter().enumerate() {
        units.push_str(&format!("U{k},单位{k},g\n"));
        for (j, v) in row.iter().enumerate() {
            survey.push_str(&format!("U{k},c{j},{v}\n"));
        }
    }
    let f = Fixture::new();
    f.scheme(
        "s.toml",
        &format!(
            "{HEADER}{SURVEY_DATASET}[[node]]\nid = \"d\"\nweight = 1\n{node}\n{}{}{}",
            survey_indicator("c0", Some("d"), 5.0),
            survey_indicator("c1", Some("d"), 3.0),
            survey_indicator("c2", Some("d"), 2.0)
        ),
    )
    .data("units.csv", &units)
    .data("survey.csv", &survey);
    f.run()
}

#[test]
fn entropy_weights_through_the_pipeline_match_pymcdm() {
    let run = mcdm("weights = \"entropy\"");
    // pymcdm 1.4.0 entropy_weights of the matrix (see weights.rs).
    let w = [0.267508485020516, 0.5080785566688873, 0.22441295831059663];
    let m = [
        [0.9, 0.3, 0.75],
        [0.6, 0.8, 0.5],
        [0.45, 0.55, 0.95],
        [0.8, 0.2, 0.35],
        [0.3, 0.9, 0.6],
        [0.7, 0.65, 0.8],
    ];
    for (k, row) in m.iter().enumerate() {
        let want: f64 = row.iter().zip(w).map(|(a, w)| a * w).sum();
        // The root has one child: base = 100 × node attainment.
        close(unit(&run, &format!("U{k}")).base, 100.0 * want);
    }
}

#[test]
fn topsis_through_the_pipeline_matches_pymcdm() {
    // Written weights 5 : 3 : 2 = 0.5, 0.3, 0.2, as in the pymcdm call.
    let run = mcdm("aggregation = \"topsis\"");
    let want = [
        0.6615515352153082,
        0.5513312477988075,
        0.40899940207267965,
        0.5296205850048262,
        0.37750108601154847,
        0.6691455982937293,
    ];
    for (k, t) in want.iter().enumerate() {
        close(unit(&run, &format!("U{k}")).base, 100.0 * t);
    }
    // CRITIC weights also load and run.
    let run = mcdm("weights = \"critic\"");
    let w = [0.382011420571072, 0.3603022340122935, 0.2576863454166345];
    close(
        unit(&run, "U0").base,
        100.0 * (0.9 * w[0] + 0.3 * w[1] + 0.75 * w[2]),
    );
}

#[test]
fn under_the_default_assumptions_a_clear_group_leader_is_stable() {
    // The demo data: 市水利局 leads the departments at 98.57, 1.41 points
    // ahead of the second. Varying the weights (×U(0.75, 1.25)) and the
    // normalisation of relative indicators, the defaults, must not move a
    // leader that far ahead out of its grade; geometric aggregation with
    // `missing = zero` (asked for with --vary all) may.
    let mut run = govtrust::run::assess(
        std::path::Path::new("indicators"),
        std::path::Path::new("datasets/demo"),
        govtrust::data::LoadOptions::default(),
    )
    .unwrap();
    let mc = govtrust::run::MonteCarlo {
        assumptions: uncertainty::Assumptions::default(),
        draws: 300,
        seed: 2025,
        threshold: 0.9,
    };
    assert_eq!(mc.assumptions.vary, [true, true, false, false]);
    govtrust::run::uncertainty(&mut run, &mc);
    let u = run.uncertainty.as_ref().unwrap();
    let groups = run.scored.ranked_groups(&run.data.units);
    let mut checked = 0;
    for ms in &groups {
        let (a, b) = (&run.scored.units[ms[0]], &run.scored.units[ms[1]]);
        if a.total - b.total >= 1.0 {
            checked += 1;
            let p = u.units[ms[0]].grade_probability[a.grade.unwrap()];
            assert!(
                p >= 0.9 && u.units[ms[0]].stable,
                "{} leads by {:.2} but keeps its grade in {:.0}% of draws",
                run.data.units.names[ms[0]],
                a.total - b.total,
                p * 100.0
            );
        }
    }
    assert!(checked >= 1, "no leader one point ahead in the demo");
}

/// Under `vary`, for 40 draws: a draw that borrows the nominal cells
/// (score::score_reusing) scores as a full rescoring, cell for cell, and
/// a Monte Carlo draw (score::draw, ranks and grades alone) ranks and
/// grades as it does.
fn draws_match_full_scoring(run: &Run, vary: [bool; 4]) {
    let model = uncertainty::Model::new(&run.scheme, &run.data.units, &run.measured);
    let a = uncertainty::Assumptions {
        vary,
        weight_factor: vec![0.25],
    };
    for d in 0..40 {
        let cfg = uncertainty::config(
            &run.scheme,
            model.nominal(),
            &a,
            &model.depth,
            uncertainty::uniforms(9, d),
        );
        let full = govtrust::score::score_in(
            &model.ctx,
            &run.scheme,
            &run.data.units,
            &run.measured,
            &cfg,
        );
        let reused = govtrust::score::score_reusing(
            &model.ctx,
            &run.scheme,
            &run.data.units,
            &run.measured,
            &cfg,
            Some((model.nominal(), &model.fixed.cells)),
        );
        assert_eq!(format!("{:?}", reused.units), format!("{:?}", full.units));
        assert_eq!(format!("{:?}", reused.cells), format!("{:?}", full.cells));
        let drawn = model.outcome(&cfg);
        let ranks: Vec<u32> = full.units.iter().map(|u| u.rank as u32).collect();
        let grades: Vec<Option<u16>> = full
            .units
            .iter()
            .map(|u| u.grade.map(|g| g as u16))
            .collect();
        assert_eq!(drawn.ranks, ranks, "draw {d}");
        assert_eq!(drawn.grades, grades, "draw {d}");
    }
}

#[test]
fn a_draw_that_reuses_the_nominal_cells_scores_as_a_full_rescoring() {
    // Under every factor, on the golden fixture (relative and absolute
    // kinds, missing values, bonus, penalty and veto rules, two groups).
    let (run, _dir, _) = golden();
    draws_match_full_scoring(&run, [true; 4]);
    // The demo (60 units in two groups, 22 indicators of every kind, the
    // bundled scheme's rules and grade quotas).
    let demo = govtrust::run::assess(
        std::path::Path::new("indicators"),
        std::path::Path::new("datasets/demo"),
        govtrust::data::LoadOptions::default(),
    )
    .unwrap();
    draws_match_full_scoring(&demo, [true; 4]);
    draws_match_full_scoring(&demo, [true, true, false, false]);
    // Data-driven weights and TOPSIS (aggregation left as written: a
    // varied aggregation replaces TOPSIS).
    for node in ["weights = \"entropy\"", "aggregation = \"topsis\""] {
        draws_match_full_scoring(&mcdm(node), [true, true, false, true]);
    }
}
