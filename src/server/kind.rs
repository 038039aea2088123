//! What units file (an objection, 异议, or a repair application, 信用修复
//! 申请), and which of them a list shows.

/// What a unit files: an objection (异议) or a repair application
/// (信用修复申请). Each has its own table, statuses and audit actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Objection,
    Repair,
}

impl Kind {
    pub fn table(self) -> &'static str {
        match self {
            Kind::Objection => "objections",
            Kind::Repair => "repairs",
        }
    }
    /// The columns a query selects (objections carry no repair date).
    pub fn columns(self) -> &'static str {
        match self {
            Kind::Objection => {
                "id, dataset, record_key, unit_id, filed_on, reason, status, decided_on, reply, filed_by, decided_by, NULL AS repaired_on"
            }
            Kind::Repair => {
                "id, dataset, record_key, unit_id, filed_on, reason, status, decided_on, reply, filed_by, decided_by, repaired_on"
            }
        }
    }
    /// The status that grants what the unit asked.
    pub fn granted(self) -> &'static str {
        match self {
            Kind::Objection => "upheld",
            Kind::Repair => "approved",
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Kind::Objection => "objection",
            Kind::Repair => "repair",
        }
    }
}

/// Which objections a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    All,
    Pending,
    /// Granted: upheld (objections), approved (repairs).
    Granted,
    Rejected,
    Overdue,
}

impl Filter {
    pub fn parse(s: Option<&str>) -> Option<Filter> {
        Some(match s {
            None | Some("") | Some("all") => Filter::All,
            Some("pending") => Filter::Pending,
            Some("upheld" | "approved") => Filter::Granted,
            Some("rejected") => Filter::Rejected,
            Some("overdue") => Filter::Overdue,
            Some(_) => return None,
        })
    }
}
