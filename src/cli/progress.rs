//! Progress on stderr (indicatif): the stage, and while records are read
//! and measured a bar of datasets done; shown only when stderr is a
//! terminal and `--quiet` is not given.

use std::io::IsTerminal;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::data::Progress;

/// Datasets measured by the current run (see [`super::Inputs::load_options`]).
pub static DATASETS: Progress = Progress::new();

pub struct Spinner {
    bar: Option<ProgressBar>,
    stage: Arc<Mutex<String>>,
}

impl Spinner {
    pub fn new(quiet: bool) -> Spinner {
        let stage = Arc::new(Mutex::new(String::new()));
        if quiet || !std::io::stderr().is_terminal() {
            return Spinner { bar: None, stage };
        }
        let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        pb.set_style(
            ProgressStyle::with_template("{spinner} {elapsed:>3} {msg}")
                .expect("a valid progress template"),
        );
        pb.enable_steady_tick(Duration::from_millis(120));
        // Poll the dataset counter while the bar lives.
        let (bar, st) = (pb.clone(), stage.clone());
        std::thread::spawn(move || {
            while !bar.is_finished() {
                let (done, total) = (DATASETS.done.load(Relaxed), DATASETS.total.load(Relaxed));
                let s = st.lock().map(|s| s.clone()).unwrap_or_default();
                if s.starts_with("loading") && total > 0 {
                    let w = 20 * done / total;
                    bar.set_message(format!(
                        "{s} [{}{}] {done}/{total} datasets",
                        "#".repeat(w),
                        "-".repeat(20 - w)
                    ));
                } else {
                    bar.set_message(s);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        });
        Spinner {
            bar: Some(pb),
            stage,
        }
    }

    pub fn stage(&self, msg: &str) {
        if let Ok(mut s) = self.stage.lock() {
            *s = msg.to_string();
        }
        if let Some(pb) = &self.bar {
            pb.set_message(msg.to_string());
        }
    }

    pub fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

impl Drop for Spinner {
    /// Clear the bar on every exit, so an error message is not drawn over.
    fn drop(&mut self) {
        self.finish();
    }
}
