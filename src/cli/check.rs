//! `govtrust check`: validate scheme and data, print the row accounting.

use std::process::ExitCode;

use anyhow::Result;

use super::Inputs;
use crate::run;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub inputs: Inputs,
    /// How many rejected rows to list.
    #[arg(long, default_value_t = 20)]
    pub show: usize,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let s = a.inputs.load_scheme()?;
    let opts = a.inputs.load_options();
    let loaded = run::load_and_measure(
        &s,
        &a.inputs.data,
        opts,
        &mut crate::Stopwatch::new("check"),
    )?
    .loaded;
    if !quiet {
        print!("{}", report(&s, &loaded, a.show));
    }
    Ok(ExitCode::SUCCESS)
}

/// Text padded with spaces to `w` half-width cells (a Chinese character
/// is two).
fn pad(t: &str, w: usize) -> String {
    let n = crate::render::display_width(t);
    format!("{t}{}", " ".repeat(w.saturating_sub(n)))
}

fn lpad(t: &str, w: usize) -> String {
    let n = crate::render::display_width(t);
    format!("{}{t}", " ".repeat(w.saturating_sub(n)))
}

/// What `check` prints, in Chinese: the scheme, where every row of every
/// file went, the first rejects with their line and reason, warnings.
fn report(s: &crate::scheme::Scheme, loaded: &crate::data::Loaded, show: usize) -> String {
    let mut o = format!(
        "考核方案“{}”：{}项指标、{}条加减分和否决规则、{}个数据集，检查通过\n",
        s.name,
        s.indicators.len(),
        s.rules.len(),
        s.datasets.len()
    );
    let title = |id: &str| -> String {
        match s.dataset_index(id) {
            Some(d) => s.datasets[d].title.clone(),
            None if id == "units" => "被考核单位名册".to_string(),
            None if id == crate::data::objections::DATASET => "异议登记".to_string(),
            None => id.to_string(),
        }
    };
    let wide = loaded
        .inputs
        .iter()
        .map(|i| crate::render::display_width(&title(&i.dataset)))
        .max()
        .unwrap_or(8)
        .max(8);
    o.push_str(&format!(
        "{} {} {} {} {} {}  文件\n",
        pad("数据", wide),
        lpad("读取", 9),
        lpad("计分", 9),
        lpad("期外", 9),
        lpad("状态排除", 9),
        lpad("拒收", 9)
    ));
    for i in &loaded.inputs {
        let c = &i.accounting;
        o.push_str(&format!(
            "{} {} {} {} {} {}  {}\n",
            pad(&title(&i.dataset), wide),
            lpad(&c.rows_read.to_string(), 9),
            lpad(&c.counted.to_string(), 9),
            lpad(&c.out_of_period.to_string(), 9),
            lpad(&c.excluded_by_status.to_string(), 9),
            lpad(&c.rejected.to_string(), 9),
            i.file
        ));
    }
    for i in loaded.inputs.iter().filter(|i| i.blank_lines > 0) {
        o.push_str(&format!("{}：跳过空行{}行\n", i.file, i.blank_lines));
    }
    for r in loaded.rejects.iter().take(show) {
        o.push_str(&format!(
            "拒收：{} 第{}行{}，值“{}”：{}\n",
            r.file,
            r.line,
            if r.column.is_empty() {
                String::new()
            } else {
                format!("，列“{}”", r.column)
            },
            crate::render::fit(&crate::render::printable(&r.value), 60),
            r.reason_zh()
        ));
    }
    if loaded.rejects.len() > show {
        o.push_str(&format!(
            "……另有{}条拒收记录（--show N 列出更多；assess 写出全部到 rejects.csv）\n",
            loaded.rejects.len() - show
        ));
    }
    for w in &loaded.warnings {
        o.push_str(&format!("警告：{w}\n"));
    }
    o
}
