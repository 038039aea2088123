-- Repair applications (信用修复申请): a unit asks that a deduction be
-- treated as repaired; approved, the repair date enters the run's
-- register as its `repaired_on` (docs/server.md). One per record.
CREATE TABLE repairs (
    id {id},
    dataset TEXT NOT NULL,
    record_key TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    filed_on TEXT NOT NULL,
    reason TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    repaired_on TEXT,
    decided_on TEXT,
    reply TEXT NOT NULL,
    filed_by TEXT NOT NULL,
    decided_by TEXT,
    UNIQUE (dataset, record_key)
);
