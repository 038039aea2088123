//! The objection register's status words and its marks on records: what
//! a dataset's pass needs of the register (docs/scheme.md section 3).

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    None,
    Pending,
    Upheld,
    Rejected,
}

impl Status {
    pub fn parse(s: &str) -> Option<Status> {
        let l = s.trim().to_lowercase();
        super::parse::OBJECTION_VALUES
            .iter()
            .find(|(w, _)| *w == l)
            .map(|(_, v)| match *v {
                "pending" => Status::Pending,
                "upheld" => Status::Upheld,
                "rejected" => Status::Rejected,
                _ => Status::None,
            })
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Status::None => "none",
            Status::Pending => "pending",
            Status::Upheld => "upheld",
            Status::Rejected => "rejected",
        }
    }
    /// The word offices use (异议状态).
    pub fn zh(self) -> &'static str {
        match self {
            Status::None => "无",
            Status::Pending => "待处理",
            Status::Upheld => "成立",
            Status::Rejected => "驳回",
        }
    }
}

/// One register row's mark on a record, for the dataset's pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mark {
    pub unit_id: String,
    pub record_key: String,
    pub status: Status,
}
