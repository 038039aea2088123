//! `govtrust audit`: the scheme's statistical audit on the data at hand.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;

use super::Inputs;
use crate::report;
use crate::run;

#[derive(clap::Args, Debug)]
pub struct Args {
    #[command(flatten)]
    pub inputs: Inputs,
    /// Output directory (replaced as a whole, atomically).
    #[arg(long, default_value = "reports/audit")]
    pub out: PathBuf,
    /// Peer groups with fewer units are not audited.
    #[arg(long, default_value_t = 8)]
    pub min_units: usize,
}

pub fn run(a: &Args, quiet: bool) -> Result<ExitCode> {
    let out = a.inputs.claim(&a.out, "audit")?;
    let mut r = a.inputs.assess()?;
    run::audit(&mut r, a.min_units);
    let exporters: Vec<Box<dyn report::Exporter>> = vec![Box::new(report::audit::AuditFiles)];
    report::write(&r, &exporters, out)?;
    if !quiet {
        let au = r.audit.as_ref().expect("run::audit sets it");
        let shown = au.findings.len().min(20);
        println!(
            "审查发现{}条问题{}：",
            au.findings.len(),
            if shown < au.findings.len() {
                format!(
                    "（以下列出前{shown}条，全部见 {}）",
                    a.out.join("audit_findings.md").display()
                )
            } else {
                String::new()
            }
        );
        for f in au.findings.iter().take(shown) {
            println!("  - {f}");
        }
        println!("  结果已写入 {}", a.out.display());
    }
    Ok(ExitCode::SUCCESS)
}
